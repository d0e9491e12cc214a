import type { TagMap } from '../protocol/generated/application-autoscaling-types.js';
import type { AasOperation, AutoScalingContext } from './context.js';
import { resourceNotFound, tooManyTags, validation } from './errors.js';
import type { ScalableTargetRecord } from './records.js';

/**
 * Tags of scalable targets (the only taggable AAS resource), in store.tags
 * under the ScalableTargetARN. At most 50 per target, and `aws:` keys are
 * AWS's own (https://docs.aws.amazon.com/autoscaling/application/userguide/resource-tagging-support.html).
 */
export const MAX_TAGS = 50;

export function targetByArn(ctx: AutoScalingContext, arn: string): ScalableTargetRecord {
  const target = ctx.tables.targets.list(ctx.region).find((t) => t.arn === arn);
  if (!target) {
    throw resourceNotFound(arn);
  }
  return target;
}

/** Checks tags about to be added to `arn` (which may have some already). */
export function checkTags(ctx: AutoScalingContext, arn: string, tags: TagMap): void {
  const reserved = Object.keys(tags).find((k) => k.toLowerCase().startsWith('aws:'));
  if (reserved !== undefined) {
    // NOT VERIFIED: the wording.
    throw validation(`Tag keys starting with "aws:" are reserved for AWS use: ${reserved}`);
  }
  const keys = ctx.tables.store.tags.keysAfterAdding(arn, toList(tags));
  if (keys.size > MAX_TAGS) {
    throw tooManyTags(arn, keys.size, MAX_TAGS);
  }
}

export const toList = (tags: TagMap) => Object.entries(tags).map(([Key, Value]) => ({ Key, Value }));

export const tagResource: AasOperation<'TagResource'> = (input, ctx) => {
  const target = targetByArn(ctx, input.ResourceARN);
  checkTags(ctx, target.arn, input.Tags);
  ctx.tables.store.tags.add(target.arn, toList(input.Tags));
  return {};
};

export const untagResource: AasOperation<'UntagResource'> = (input, ctx) => {
  const target = targetByArn(ctx, input.ResourceARN);
  ctx.tables.store.tags.remove(target.arn, input.TagKeys);
  return {};
};

export const listTagsForResource: AasOperation<'ListTagsForResource'> = (input, ctx) => {
  const target = targetByArn(ctx, input.ResourceARN);
  return { Tags: Object.fromEntries(ctx.tables.store.tags.list(target.arn).map((t) => [t.Key, t.Value])) };
};
