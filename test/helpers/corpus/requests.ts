import type { RawRequest } from './types.js';

/** Builders of the corpus's raw requests. Signatures are never checked by default (config.auth), so they are well-formed but fake. */

export const authorization = (service: string, region = 'us-east-1', date = '20260101') =>
  `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/${date}/${region}/${service}/aws4_request, SignedHeaders=host;x-amz-date, Signature=${'0'.repeat(64)}`;

export const AMZ_DATE = '20260101T000000Z';

export function body(value: string | Buffer | undefined): Buffer {
  return value === undefined ? Buffer.alloc(0) : Buffer.isBuffer(value) ? value : Buffer.from(value, 'utf8');
}

/** An AWS JSON 1.1 call to the SageMaker control plane. */
export function json11(target: string | undefined, payload: string | Buffer, extra: [string, string][] = [], contentType: string | undefined = 'application/x-amz-json-1.1'): RawRequest {
  const headers: [string, string][] = [];
  if (contentType !== undefined) {
    headers.push(['Content-Type', contentType]);
  }
  if (target !== undefined) {
    headers.push(['X-Amz-Target', target]);
  }
  headers.push(['X-Amz-Date', AMZ_DATE], ['Authorization', authorization('sagemaker')], ...extra);
  return { method: 'POST', path: '/', headers, body: body(payload) };
}

/** A SageMaker runtime call (REST-JSON). */
export function runtime(path: string, payload: string | Buffer, extra: [string, string][] = [], contentType: string | undefined = 'application/json'): RawRequest {
  const headers: [string, string][] = [];
  if (contentType !== undefined) {
    headers.push(['Content-Type', contentType]);
  }
  headers.push(['X-Amz-Date', AMZ_DATE], ['Authorization', authorization('sagemaker')], ...extra);
  return { method: 'POST', path, headers, body: body(payload) };
}

/** An S3 call, path-style, signed for s3. */
export function s3(method: string, path: string, payload: string | Buffer = '', extra: [string, string][] = []): RawRequest {
  return {
    method,
    path,
    headers: [
      ['X-Amz-Date', AMZ_DATE],
      ['X-Amz-Content-Sha256', 'UNSIGNED-PAYLOAD'],
      ['Authorization', authorization('s3')],
      ...extra,
    ],
    body: body(payload),
  };
}
