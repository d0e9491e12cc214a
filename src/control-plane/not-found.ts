import { validationException } from '../protocol/wire-errors.js';
import { type ResourceKind, resourceArn } from '../shared/arn.js';
import type { OperationContext } from './context.js';

const nouns: Record<ResourceKind, string> = {
  model: 'model',
  'endpoint-config': 'endpoint configuration',
  endpoint: 'endpoint',
};

/**
 * "Not found" is a ValidationException with the ARN in the text (docs/aws-contract.md §2.4):
 * the SDK waiters and tools such as the SageMaker operator match on it.
 */
export function notFound(kind: ResourceKind, name: string, ctx: OperationContext) {
  return validationException(`Could not find ${nouns[kind]} "${resourceArn(kind, ctx.region, ctx.accountId, name)}".`);
}

export function alreadyExists(kind: ResourceKind, name: string, ctx: OperationContext) {
  return validationException(
    `Cannot create already existing ${nouns[kind]} "${resourceArn(kind, ctx.region, ctx.accountId, name)}".`,
  );
}
