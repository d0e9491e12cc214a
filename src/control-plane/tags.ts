import { validationException } from '../protocol/wire-errors.js';
import { arnOf, parseArn, taggableNouns } from '../resources/kinds.js';
import { tagsChanged } from '../shared/fault-tags.js';
import { knobTagProblem } from '../shared/knob-tags.js';
import type { Tag } from '../store/tag-table.js';
import type { Operation, OperationContext } from './context.js';

const MAX_TAGS = 50;

/** Checks that the 50-tag limit holds once `tags` are added to `arn`. */
export function checkTagLimit(ctx: OperationContext, arn: string, tags: Tag[]): void {
  const problem = knobTagProblem(tags);
  if (problem) {
    throw validationException(problem);
  }
  const keys = ctx.store.tags.keysAfterAdding(arn, tags);
  if (keys.size > MAX_TAGS) {
    throw validationException(`Resource ${arn} would have ${keys.size} tags; the limit is ${MAX_TAGS}.`);
  }
  // The tags are about to change: the runtime re-reads fault tags on its next request (src/runtime-plane/fault-injection.ts).
  tagsChanged();
}

/** The ARN must name a taggable resource (src/resources/kinds.ts) that exists in this account and region. */
function existingResource(arn: string, ctx: OperationContext): string {
  const parsed = parseArn(arn);
  if (!parsed || !parsed.kind.taggable || parsed.accountId !== ctx.accountId || parsed.region !== ctx.region) {
    throw validationException(`Resource ${arn} is not a ${taggableNouns()} of this account and region.`);
  }
  if (ctx.store.table(parsed.kind).get(parsed.region, parsed.name) === undefined) {
    throw validationException(`Could not find resource "${arn}".`);
  }
  // Normalise to our own spelling of the ARN (lower-cased name).
  return arnOf(parsed.kind, parsed.region, parsed.accountId, parsed.name);
}

export const addTags: Operation<'AddTags'> = (input, ctx) => {
  const arn = existingResource(input.ResourceArn, ctx);
  const tags = input.Tags;
  checkTagLimit(ctx, arn, tags);
  ctx.store.tags.add(arn, tags);
  return { Tags: tags };
};

export const listTags: Operation<'ListTags'> = (input, ctx) => {
  const arn = existingResource(input.ResourceArn, ctx);
  const all = ctx.store.tags.list(arn);
  const offset = input.NextToken === undefined ? 0 : Number.parseInt(String(input.NextToken), 10);
  if (!Number.isInteger(offset) || offset < 0) {
    throw validationException('Invalid pagination token.');
  }
  const max = input.MaxResults ?? MAX_TAGS;
  const page = all.slice(offset, offset + max);
  return offset + max < all.length ? { Tags: page, NextToken: String(offset + max) } : { Tags: page };
};

export const deleteTags: Operation<'DeleteTags'> = (input, ctx) => {
  const arn = existingResource(input.ResourceArn, ctx);
  ctx.store.tags.remove(arn, input.TagKeys);
  tagsChanged();
  return {};
};
