/**
 * TagResource, UntagResource, ListTagsForResource on alarm ARNs
 * (`arn:aws:cloudwatch:<region>:<account>:alarm:<name>`); tags live in the
 * store's tag table by ARN. Dashboards, metric streams and Contributor
 * Insights rules (taggable on AWS) are not emulated.
 */
import type { CloudWatchContext, CloudWatchOperation } from './context.js';
import { invalidParameterValue, resourceNotFoundException } from './errors.js';
import type { Tag } from '../protocol/generated/cloudwatch-types.js';

/** "You can associate as many as 50 tags with a CloudWatch resource." */
const MAX_TAGS = 50;
const ALARM_ARN = /^arn:aws[a-z-]*:cloudwatch:([^:]*):(\d{12}):alarm:(.+)$/;

export function checkTagCount(tags: readonly Tag[], existing: readonly string[] = []): void {
  const keys = new Set([...existing, ...tags.map((t) => t.Key)]);
  if (keys.size > MAX_TAGS) {
    // NOT VERIFIED: the text.
    throw invalidParameterValue(`A resource can have at most ${MAX_TAGS} tags; this request would give it ${keys.size}.`);
  }
}

/** The alarm an ARN names in the caller's account and region, or the error. */
function alarmOf(arn: string, ctx: CloudWatchContext): string {
  const m = ALARM_ARN.exec(arn);
  if (!m) {
    // NOT VERIFIED: the text for an ARN that names no alarm.
    throw invalidParameterValue(`The value ${arn} for parameter ResourceARN is not a valid CloudWatch alarm ARN.`);
  }
  const alarm = m[1] === ctx.region && m[2] === ctx.accountId ? ctx.alarms.get(ctx.region, m[3]!) : undefined;
  if (!alarm) {
    throw resourceNotFoundException('alarm', m[3]!);
  }
  return alarm.arn;
}

export const tagResource: CloudWatchOperation<'TagResource'> = (input, ctx) => {
  const arn = alarmOf(input.ResourceARN, ctx);
  checkTagCount(input.Tags, ctx.store.tags.list(arn).map((t) => t.Key));
  ctx.store.tags.add(arn, input.Tags);
  return {};
};

export const untagResource: CloudWatchOperation<'UntagResource'> = (input, ctx) => {
  ctx.store.tags.remove(alarmOf(input.ResourceARN, ctx), input.TagKeys);
  return {};
};

export const listTagsForResource: CloudWatchOperation<'ListTagsForResource'> = (input, ctx) => ({
  Tags: ctx.store.tags.list(alarmOf(input.ResourceARN, ctx)),
});
