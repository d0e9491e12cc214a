import { decodeToken, encodeToken, fingerprint } from '../protocol/page-token.js';
import { invalidNextToken, validation } from './errors.js';

/**
 * Describe* paging: MaxResults between 1 and 50 (50 by default), and an
 * opaque NextToken bound to the operation and its filters, so that a token
 * from another call is refused with InvalidNextTokenException
 * (https://docs.aws.amazon.com/autoscaling/application/APIReference/API_DescribeScalableTargets.html).
 */
export const MAX_RESULTS = 50;

export function page<T>(
  items: readonly T[],
  input: { MaxResults?: number; NextToken?: string },
  operation: string,
  /** Every filter a page depends on: a token is refused under other filters. */
  filters: unknown,
): { page: T[]; NextToken?: string } {
  const max = input.MaxResults ?? MAX_RESULTS;
  if (max < 1 || max > MAX_RESULTS) {
    // NOT VERIFIED: Coral's wording for the documented range.
    throw validation(
      `1 validation error detected: Value '${max}' at 'maxResults' failed to satisfy constraint: Member must have value ${max < 1 ? 'greater than or equal to 1' : `less than or equal to ${MAX_RESULTS}`}`,
    );
  }
  const print = fingerprint(filters);
  const offset = decodeToken(input.NextToken, operation, print, () => invalidNextToken());
  const slice = items.slice(offset, offset + max);
  const next = offset + max;
  return next < items.length ? { page: slice, NextToken: encodeToken(operation, print, next) } : { page: slice };
}

/** What every Describe* of a target's records filters on. */
interface TargetScoped {
  name: string;
  arn: string;
  resourceId: string;
  dimension: string;
  creationTime: number;
}

/**
 * The records a DescribeScalingPolicies or DescribeScheduledActions call
 * lists, oldest first: none outside SageMaker's namespace (the emulator
 * scales nothing else), then by name, resource id and dimension when given.
 */
export function describeMatching<R extends TargetScoped>(
  records: readonly R[],
  input: { ServiceNamespace: string; ResourceId?: string; ScalableDimension?: string },
  names: readonly string[] | undefined,
): R[] {
  if (input.ServiceNamespace !== 'sagemaker') {
    return [];
  }
  const wanted = names && names.length > 0 ? new Set(names) : undefined;
  return records
    .filter(
      (r) =>
        (!wanted || wanted.has(r.name)) &&
        (input.ResourceId === undefined || r.resourceId === input.ResourceId) &&
        (input.ScalableDimension === undefined || r.dimension === input.ScalableDimension),
    )
    .sort((a, b) => a.creationTime - b.creationTime || a.arn.localeCompare(b.arn));
}
