import type { ResourceKind } from '../shared/arn.js';
import type { DocumentTable } from '../store/repository.js';
import type { Tag } from '../store/tag-table.js';
import type { OperationContext } from './context.js';
import { alreadyExists } from './not-found.js';
import { checkTagLimit } from './tags.js';

/**
 * Stores a new model, endpoint config or endpoint together with its tags, in
 * one transaction: a taken name (case-insensitive) is the real "Cannot create
 * already existing …" error, and a bad tag leaves nothing behind.
 */
export function insertWithTags<T>(
  ctx: OperationContext,
  table: DocumentTable<T>,
  kind: ResourceKind,
  name: string,
  arn: string,
  record: T,
  tags: Tag[],
): void {
  ctx.store.transaction(() => {
    if (!table.insert(ctx.region, name, record)) {
      throw alreadyExists(kind, name, ctx);
    }
    checkTagLimit(ctx, arn, tags);
    // Tags of an earlier resource of the same name must not come back with this one.
    ctx.store.tags.removeAll(arn);
    ctx.store.tags.add(arn, tags);
  });
}
