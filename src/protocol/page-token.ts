/**
 * NextToken for the paged operations of CloudWatch (GetMetricData,
 * ListMetrics, DescribeAlarms) and Application Auto Scaling (Describe*).
 * Tokens are opaque to the client; inside, the operation, a fingerprint of the
 * request's filters and an offset. A token from another
 * operation, from other filters, or made up, is refused with the error each
 * operation's model names (the caller passes it).
 */
import { createHash } from 'node:crypto';
import type { AwsError } from './aws-error.js';

interface TokenBody {
  o: string;
  f: string;
  n: number;
}

/** A short digest of the request parameters a page depends on. */
export function fingerprint(parts: unknown): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('base64url').slice(0, 16);
}

export function encodeToken(operation: string, print: string, offset: number): string {
  const body: TokenBody = { o: operation, f: print, n: offset };
  return Buffer.from(JSON.stringify(body), 'utf8').toString('base64url');
}

/** The offset a token carries (0 without one), or `invalid()` thrown. */
export function decodeToken(token: string | undefined, operation: string, print: string, invalid: () => AwsError): number {
  if (token === undefined) {
    return 0;
  }
  let body: unknown;
  try {
    body = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!isTokenBody(body) || body.o !== operation || body.f !== print || !Number.isInteger(body.n) || body.n < 0) {
    throw invalid();
  }
  return body.n;
}

function isTokenBody(v: unknown): v is TokenBody {
  return typeof v === 'object' && v !== null && typeof (v as TokenBody).o === 'string' && typeof (v as TokenBody).f === 'string' && typeof (v as TokenBody).n === 'number';
}
