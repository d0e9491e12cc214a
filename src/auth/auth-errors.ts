import type { AwsError } from '../protocol/aws-error.js';
import {
  incompleteSignature,
  invalidSignature,
  missingAuthenticationToken,
  queryIncompleteSignature,
  queryInvalidClientTokenId,
  queryMissingAuthenticationToken,
  querySignatureDoesNotMatch,
  unrecognizedClient,
} from '../protocol/wire-errors.js';
import {
  type S3Error,
  accessDenied,
  authorizationHeaderMalformed,
  authorizationQueryParametersError,
  invalidAccessKeyId,
  invalidRequest,
  requestExpired,
  requestTimeTooSkewed,
  signatureDoesNotMatch,
} from '../s3/errors.js';
import { formatAmzDate } from './sigv4-claim.js';
import type { AuthFailure } from './sigv4-verifier.js';

/** Which family of answers a refused request gets: the protocol it spoke. */
export type AuthWire = 'json' | 'query' | 's3';

const minutes = (ms: number) => Math.round(ms / 60_000);

/**
 * The text of a request signed too long ago or too far ahead, as the JSON and
 * query services word it: `Signature expired: 20140325T143453Z is now earlier
 * than 20140325T143751Z (20140325T145251Z - 15 min.)` (aws-sdk-js#254,
 * artillery-dino#2 for the 5-minute form); the future form is "Signature not
 * yet current: … is still later than … (… + 5 min.)".
 */
function skewText(f: Extract<AuthFailure, { kind: 'skewed' }>): string {
  const now = formatAmzDate(f.now);
  if (f.future) {
    return `Signature not yet current: ${formatAmzDate(f.requestTime)} is still later than ${formatAmzDate(new Date(f.now.getTime() + f.skewMs))} (${now} + ${minutes(f.skewMs)} min.)`;
  }
  return `Signature expired: ${formatAmzDate(f.requestTime)} is now earlier than ${formatAmzDate(new Date(f.now.getTime() - f.skewMs))} (${now} - ${minutes(f.skewMs)} min.)`;
}

/** A JSON, CBOR or REST-JSON service's answer (SageMaker, its runtime, Application Auto Scaling, CloudWatch JSON/CBOR). */
export function jsonAuthError(f: AuthFailure): AwsError {
  switch (f.kind) {
    case 'missing':
      return missingAuthenticationToken();
    case 'malformed':
      return incompleteSignature(f.message);
    case 'unknownKey':
      return unrecognizedClient();
    case 'mismatch':
      return invalidSignature(f.reason);
    case 'skewed':
      return invalidSignature(skewText(f));
    case 'presignExpired':
      // NOT VERIFIED: the JSON services' wording for a presigned request past X-Amz-Expires; the skew text's form.
      return invalidSignature(
        `Signature expired: ${formatAmzDate(new Date(f.requestTime.getTime() + f.expiresSeconds * 1000))} is now earlier than ${formatAmzDate(f.now)}`,
      );
  }
}

/** The query protocol's names for the same (CloudWatch's form POSTs). */
export function queryAuthError(f: AuthFailure): AwsError {
  switch (f.kind) {
    case 'missing':
      return queryMissingAuthenticationToken();
    case 'malformed':
      return queryIncompleteSignature(f.message);
    case 'unknownKey':
      return queryInvalidClientTokenId();
    case 'mismatch':
      return querySignatureDoesNotMatch(f.reason);
    case 'skewed':
      return querySignatureDoesNotMatch(skewText(f));
    case 'presignExpired':
      return querySignatureDoesNotMatch(`Signature expired: ${formatAmzDate(new Date(f.requestTime.getTime() + f.expiresSeconds * 1000))} is now earlier than ${formatAmzDate(f.now)}`);
  }
}

/** S3's answer, an `<Error>` document (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html). */
export function s3AuthError(f: AuthFailure, presigned: boolean): S3Error {
  switch (f.kind) {
    case 'missing':
      return accessDenied();
    case 'malformed':
      if (f.sigV2) {
        return invalidRequest(f.message);
      }
      return presigned ? authorizationQueryParametersError(f.message) : authorizationHeaderMalformed(`The authorization header is malformed; ${f.message}`);
    case 'unknownKey':
      return invalidAccessKeyId(f.accessKeyId);
    case 'mismatch':
      return signatureDoesNotMatch(f.accessKeyId, f.signatureProvided ?? '');
    case 'skewed':
      return requestTimeTooSkewed(formatAmzDate(f.requestTime), f.now.toISOString(), f.skewMs);
    case 'presignExpired':
      return requestExpired(f.expiresSeconds, new Date(f.requestTime.getTime() + f.expiresSeconds * 1000).toISOString(), f.now.toISOString());
  }
}
