import { arnOf, type ResourceKind } from '../resources/kinds.js';
import type { Tag } from '../store/tag-table.js';
import type { OperationContext } from './context.js';
import { alreadyExists } from './not-found.js';
import { checkTagLimit } from './tags.js';

/**
 * Stores a new resource of any kind together with its tags, in one
 * transaction: a taken name (case-insensitive) is the kind's real "already
 * exists" error, and a bad tag leaves nothing behind.
 */
export function insertWithTags<R>(ctx: OperationContext, kind: ResourceKind<R>, name: string, record: R, tags: Tag[]): void {
  const arn = arnOf(kind, ctx.region, ctx.accountId, name);
  ctx.store.transaction(() => {
    if (!ctx.store.table(kind).insert(ctx.region, name, record)) {
      throw alreadyExists(kind, name, ctx);
    }
    if (!kind.taggable) {
      return;
    }
    checkTagLimit(ctx, arn, tags);
    // Tags of an earlier resource of the same name must not come back with this one.
    ctx.store.tags.removeAll(arn);
    ctx.store.tags.add(arn, tags);
  });
}
