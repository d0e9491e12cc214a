import { timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest, QueryParameterBag } from '@smithy/types';
import { NodeSha256, sha256Hex } from './sha256.js';
import { type SigV4Claim, formatAmzDate, readClaim } from './sigv4-claim.js';

/** A request as it came off the wire: enough to recompute its signature. */
export interface RawRequest {
  method: string;
  /** Path and query exactly as sent (`req.url`). */
  url: string;
  headers: IncomingHttpHeaders;
  /**
   * The body, for services whose payload hash is the body's (the JSON, query
   * and CBOR services). Undefined for S3, whose clients send the hash (or
   * UNSIGNED-PAYLOAD, STREAMING-…) in `x-amz-content-sha256`.
   */
  body?: Uint8Array;
}

/** Why a request is refused; src/auth/auth-errors.ts words it per service. */
export type AuthFailure =
  | { kind: 'missing' }
  | { kind: 'malformed'; message: string; sigV2?: boolean }
  | { kind: 'unknownKey'; accessKeyId: string }
  | { kind: 'mismatch'; accessKeyId: string; reason?: string; signatureProvided?: string; stringToSign?: string; canonicalRequest?: string }
  /** The request time is beyond the allowed skew (or a presigned URL's X-Amz-Expires). */
  | { kind: 'skewed'; future: boolean; requestTime: Date; now: Date; skewMs: number }
  | { kind: 'presignExpired'; requestTime: Date; expiresSeconds: number; now: Date };

export type AuthResult = { ok: true; accessKeyId: string; claim: SigV4Claim } | { ok: false; failure: AuthFailure; claim?: SigV4Claim };

export interface VerifyOptions {
  /** Access key id → secret (config.credentials). */
  credentials: ReadonlyMap<string, string>;
  now: Date;
}

/**
 * AWS's clock-skew limits: 5 minutes for the JSON and query services
 * ("Signature expired: … (… - 5 min.)", e.g. aws-sdk-js#254, artillery-dino#2),
 * 15 minutes for S3 (RequestTimeTooSkewed,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sig-v4-authenticating-requests.html).
 */
export const skewLimitMs = (service: string): number => (service === 's3' ? 15 : 5) * 60_000;

const SHA256_HEADER = 'x-amz-content-sha256';

/**
 * Verifies a SigV4 signature (Authorization header or presigned URL) by
 * signing the same request again with `@smithy/signature-v4` and the secret
 * of the claimed key, with the request's own region, service and date, then
 * comparing in constant time. Never throws: every outcome is a result.
 *
 * What the signer is given: the request's headers (those not in
 * SignedHeaders are marked unsignable, so the canonical headers are the
 * client's), the path as sent (S3 signs it once-encoded: `uriEscapePath`
 * off; the others double-encode), the query decoded (smithy re-encodes it
 * canonically), and the payload hash: the body's SHA-256 for non-S3 services
 * (a JS SDK's own `x-amz-content-sha256` is replaced by the real hash, so a
 * changed body fails), S3's `x-amz-content-sha256` as sent (UNSIGNED-PAYLOAD
 * and STREAMING-… seeds included; the aws-chunked chunk signatures are not
 * checked), UNSIGNED-PAYLOAD for an S3 presigned URL.
 */
export async function verifySigV4(raw: RawRequest, options: VerifyOptions): Promise<AuthResult> {
  const { path, query, rawQuery } = splitUrl(raw.url);
  const outcome = readClaim(raw.headers, rawQuery);
  if (outcome.kind === 'missing') {
    return { ok: false, failure: { kind: 'missing' } };
  }
  if (outcome.kind === 'malformed') {
    return { ok: false, failure: { kind: 'malformed', message: outcome.message, ...(outcome.sigV2 ? { sigV2: true } : {}) } };
  }
  const claim = outcome.claim;
  const fail = (failure: AuthFailure): AuthResult => ({ ok: false, failure, claim });
  const secret = options.credentials.get(claim.accessKeyId);
  if (secret === undefined) {
    return fail({ kind: 'unknownKey', accessKeyId: claim.accessKeyId });
  }
  const now = options.now;
  const skewMs = skewLimitMs(claim.service);
  if (claim.presigned) {
    if (now.getTime() > claim.date.getTime() + claim.expiresSeconds! * 1000) {
      return fail({ kind: 'presignExpired', requestTime: claim.date, expiresSeconds: claim.expiresSeconds!, now });
    }
    if (claim.date.getTime() - now.getTime() > skewMs) {
      return fail({ kind: 'skewed', future: true, requestTime: claim.date, now, skewMs });
    }
  } else if (Math.abs(now.getTime() - claim.date.getTime()) > skewMs) {
    return fail({ kind: 'skewed', future: claim.date.getTime() > now.getTime(), requestTime: claim.date, now, skewMs });
  }
  if (claim.scopeDate !== claim.amzDate.slice(0, 8)) {
    // The text AWS answers for a scope dated another day than X-Amz-Date.
    return fail({
      kind: 'mismatch',
      accessKeyId: claim.accessKeyId,
      reason: `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${claim.scopeDate}' != '${claim.amzDate.slice(0, 8)}', from '${claim.amzDate}'.`,
    });
  }

  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(raw.headers)) {
    if (value !== undefined && name !== 'authorization') {
      // Repeated headers: SigV4 joins their values with commas.
      headers[name] = Array.isArray(value) ? value.join(',') : value;
    }
  }
  const isS3 = claim.service === 's3';
  if (!isS3) {
    headers[SHA256_HEADER] = sha256Hex(raw.body ?? new Uint8Array());
  } else if (claim.presigned && !rawQuery.has('X-Amz-Content-Sha256')) {
    // S3 presigned URLs sign no payload (sigv4-query-string-auth: "UNSIGNED-PAYLOAD").
    headers[SHA256_HEADER] = 'UNSIGNED-PAYLOAD';
  } else if (headers[SHA256_HEADER] === undefined) {
    headers[SHA256_HEADER] = sha256Hex(new Uint8Array());
  }
  const signed = new Set(claim.signedHeaders);
  const unsignable = new Set(Object.keys(headers).filter((h) => !signed.has(h)));
  if (claim.presigned) {
    delete query['X-Amz-Signature'];
  }
  const request: HttpRequest = {
    method: raw.method,
    protocol: 'http:',
    hostname: headers.host ?? 'localhost',
    path,
    query,
    headers,
  };
  const signer = new SignatureV4({
    credentials: { accessKeyId: claim.accessKeyId, secretAccessKey: secret },
    region: claim.region,
    service: claim.service,
    sha256: NodeSha256,
    uriEscapePath: !isS3,
    applyChecksum: false,
  });
  let expected: string;
  try {
    if (claim.presigned) {
      const presigned = await signer.presign(request, {
        signingDate: claim.date,
        expiresIn: claim.expiresSeconds!,
        signableHeaders: signed,
        unsignableHeaders: unsignable,
        // Headers stay headers: the client put in the query what it signed there.
        unhoistableHeaders: new Set(Object.keys(headers)),
      });
      expected = String(presigned.query?.['X-Amz-Signature'] ?? '');
    } else {
      const out = await signer.sign(request, { signingDate: claim.date, signableHeaders: signed, unsignableHeaders: unsignable });
      expected = /Signature=([0-9a-f]+)/.exec(String(out.headers.authorization ?? ''))?.[1] ?? '';
    }
  } catch {
    // A request smithy cannot sign (a header value it cannot trim…) cannot carry a valid signature.
    return fail({ kind: 'mismatch', accessKeyId: claim.accessKeyId, signatureProvided: claim.signature });
  }
  if (!sameSignature(expected, claim.signature)) {
    return fail({ kind: 'mismatch', accessKeyId: claim.accessKeyId, signatureProvided: claim.signature });
  }
  return { ok: true, accessKeyId: claim.accessKeyId, claim };
}

/** Constant-time equality of two hex signatures (length is not secret: it is always 64). */
function sameSignature(expected: string, provided: string): boolean {
  const a = Buffer.from(expected, 'utf8');
  const b = Buffer.from(provided, 'utf8');
  return a.length === b.length && a.length > 0 && timingSafeEqual(a, b);
}

/**
 * The path as sent, and the query both raw and decoded. A `+` stays a `+`
 * (SigV4 clients encode a space as `%20`, and smithy re-encodes `+` as `%2B`,
 * as AWS's canonical query does).
 */
function splitUrl(url: string): { path: string; query: QueryParameterBag; rawQuery: URLSearchParams } {
  const q = url.indexOf('?');
  const path = q < 0 ? url : url.slice(0, q);
  const search = q < 0 ? '' : url.slice(q + 1);
  const query: Record<string, string | string[]> = {};
  for (const pair of search.split('&')) {
    if (pair === '') {
      continue;
    }
    const eq = pair.indexOf('=');
    const key = decode(eq < 0 ? pair : pair.slice(0, eq));
    const value = eq < 0 ? '' : decode(pair.slice(eq + 1));
    const prior = query[key];
    query[key] = prior === undefined ? value : Array.isArray(prior) ? [...prior, value] : [prior, value];
  }
  return { path: path || '/', query, rawQuery: new URLSearchParams(search) };
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

export { formatAmzDate };
