import { createHash } from 'node:crypto';
import { invalidNextToken, validation } from './errors.js';

/**
 * Describe* paging: MaxResults between 1 and 50 (50 by default), and an
 * opaque NextToken bound to the operation and its filters, so that a token
 * from another call is refused with InvalidNextTokenException
 * (https://docs.aws.amazon.com/autoscaling/application/APIReference/API_DescribeScalableTargets.html).
 */
export const MAX_RESULTS = 50;

interface Token {
  o: number;
  f: string;
}

export function page<T>(items: readonly T[], input: { MaxResults?: number; NextToken?: string }, filters: unknown): { page: T[]; NextToken?: string } {
  const max = input.MaxResults ?? MAX_RESULTS;
  if (max < 1 || max > MAX_RESULTS) {
    // NOT VERIFIED: Coral's wording for the documented range.
    throw validation(
      `1 validation error detected: Value '${max}' at 'maxResults' failed to satisfy constraint: Member must have value ${max < 1 ? 'greater than or equal to 1' : `less than or equal to ${MAX_RESULTS}`}`,
    );
  }
  const fingerprint = createHash('sha256').update(JSON.stringify(filters)).digest('base64url').slice(0, 16);
  const offset = input.NextToken === undefined ? 0 : decode(input.NextToken, fingerprint);
  const slice = items.slice(offset, offset + max);
  const next = offset + max;
  return next < items.length ? { page: slice, NextToken: encode({ o: next, f: fingerprint }) } : { page: slice };
}

const encode = (t: Token) => Buffer.from(JSON.stringify(t), 'utf8').toString('base64url');

function decode(token: string, fingerprint: string): number {
  try {
    const t = JSON.parse(Buffer.from(token, 'base64url').toString('utf8')) as Partial<Token>;
    if (typeof t.o === 'number' && Number.isInteger(t.o) && t.o >= 0 && t.f === fingerprint) {
      return t.o;
    }
  } catch {
    // not one of ours: refused below
  }
  throw invalidNextToken();
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
