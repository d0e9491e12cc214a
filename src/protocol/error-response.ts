import { internalFailure } from './wire-errors.js';
import type { ServerResponse } from 'node:http';
import { AwsError } from './aws-error.js';

export type WireStyle = 'json-1.0' | 'json-1.1' | 'rest-json';

const contentTypes: Record<WireStyle, string> = {
  'json-1.0': 'application/x-amz-json-1.0',
  'json-1.1': 'application/x-amz-json-1.1',
  'rest-json': 'application/json',
};

/**
 * The single serializer of errors, for both planes (docs/aws-contract.md §2.3 and §3.4):
 * - `__type` in the body and `x-amzn-ErrorType` carry the same bare name, so
 *   every SDK generation reads the same code;
 * - `message` and `Message` both carry the text (botocore reads the first,
 *   the JS SDK fills the modeled `Message` member from the second);
 * - modeled members (OriginalStatusCode, …) sit at the top level of the body;
 * - never a top-level `code` key, which some JS SDK releases would prefer.
 */
export function writeAwsError(res: ServerResponse, error: unknown, requestId: string, style: WireStyle): AwsError {
  const err = error instanceof AwsError ? error : internalFailure();
  if (res.headersSent) {
    res.destroy();
    return err;
  }
  const body: Record<string, unknown> = {};
  if (!err.untyped) {
    body.__type = err.code;
    res.setHeader('x-amzn-ErrorType', err.code);
  }
  body.message = err.nullMessage ? null : err.message;
  if (!err.nullMessage && !err.untyped) {
    body.Message = err.message;
  }
  Object.assign(body, err.members);
  const payload = JSON.stringify(body);
  res.statusCode = err.status;
  res.setHeader('x-amzn-RequestId', requestId);
  res.setHeader('Content-Type', contentTypes[style]);
  res.setHeader('Content-Length', Buffer.byteLength(payload));
  res.end(payload);
  return err;
}
