import { resourceInUse, resourceNotFound, validationException } from '../protocol/wire-errors.js';
import { alreadyExistsText, arnOf, notFoundText, type ResourceKind } from '../resources/kinds.js';
import type { OperationContext } from './context.js';

/**
 * "Not found" is a ValidationException with the ARN in the text (docs/aws-contract.md §2.4):
 * the SDK waiters and tools such as the SageMaker operator match on it.
 */
export function notFound(kind: ResourceKind, name: string, ctx: OperationContext) {
  const text = notFoundText(kind, name, arnOf(kind, ctx.region, ctx.accountId, name));
  return kind.notFoundCode === 'ResourceNotFound' ? resourceNotFound(text) : validationException(text);
}

export function alreadyExists(kind: ResourceKind, name: string, ctx: OperationContext) {
  const text = alreadyExistsText(kind, name, arnOf(kind, ctx.region, ctx.accountId, name));
  return kind.alreadyExistsCode === 'ResourceInUse' ? resourceInUse(text) : validationException(text);
}

/** The record a Describe/Delete/Update names, or the kind's real "not found" error. */
export function getOrNotFound<R>(kind: ResourceKind<R>, name: string, ctx: OperationContext): R {
  const record = ctx.store.table(kind).get(ctx.region, name);
  if (record === undefined) {
    throw notFound(kind, name, ctx);
  }
  return record;
}
