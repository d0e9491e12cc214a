import type { IncomingHttpHeaders } from 'node:http';

/**
 * What a SigV4-signed request claims about itself, read from its
 * Authorization header (`AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sagemaker/aws4_request,
 * SignedHeaders=host;x-amz-date, Signature=<64 hex>`) or, for a presigned URL,
 * its `X-Amz-*` query parameters
 * (https://docs.aws.amazon.com/IAM/latest/UserGuide/reference_sigv4-signed-request-examples.html,
 * https://docs.aws.amazon.com/AmazonS3/latest/API/sigv4-query-string-auth.html).
 * Reading never throws: what cannot be read is a `malformed` outcome with
 * the text AWS answers (IncompleteSignatureException's).
 */
export interface SigV4Claim {
  presigned: boolean;
  accessKeyId: string;
  /** The credential scope's date, region and service. */
  scopeDate: string;
  region: string;
  service: string;
  /** Lower-case, as sent. */
  signedHeaders: string[];
  signature: string;
  /** The request time, `20261122T103010Z`, and as a Date. */
  amzDate: string;
  date: Date;
  /** Presigned URLs only: X-Amz-Expires, in seconds. */
  expiresSeconds?: number;
}

export type ClaimOutcome = { kind: 'claim'; claim: SigV4Claim } | { kind: 'missing' } | { kind: 'malformed'; message: string; sigV2?: boolean };

/** S3's answer to a SigV2 request where only SigV4 is accepted (InvalidRequest, 400). */
export const SIGV2_TEXT = 'The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.';

export const ALGORITHM = 'AWS4-HMAC-SHA256';
/** SigV4 presigned URLs live at most seven days (the SDKs' and S3's limit). */
const MAX_EXPIRES_SECONDS = 604_800;
const CREDENTIAL = /^([^/\s]+)\/(\d{8})\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request$/;
const ISO_BASIC = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/;

/** `20261122T103010Z` → a Date, or undefined when it is not ISO 8601 basic format. */
export function parseAmzDate(text: string): Date | undefined {
  const m = ISO_BASIC.exec(text);
  if (!m) {
    return undefined;
  }
  const [y, mo, d, h, mi, s] = m.slice(1).map(Number) as [number, number, number, number, number, number];
  const date = new Date(Date.UTC(y, mo - 1, d, h, mi, s));
  // Date.UTC rolls 20261399 over into another month: such a date is not one.
  return date.getUTCMonth() === mo - 1 && date.getUTCDate() === d && h < 24 && mi < 60 && s < 60 ? date : undefined;
}

/** `Date` → `20261122T103010Z`. */
export function formatAmzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

export function readClaim(headers: IncomingHttpHeaders, query: URLSearchParams): ClaimOutcome {
  const authorization = headers.authorization;
  if (typeof authorization === 'string' && authorization.length > 0) {
    return headerClaim(authorization, headers);
  }
  if (query.has('X-Amz-Algorithm') || query.has('X-Amz-Credential') || query.has('X-Amz-Signature')) {
    return queryClaim(query);
  }
  if (query.has('AWSAccessKeyId') && query.has('Signature')) {
    // A SigV2 presigned URL (boto3's default for S3 at a custom endpoint, unless signature_version='s3v4').
    return { kind: 'malformed', message: SIGV2_TEXT, sigV2: true };
  }
  return { kind: 'missing' };
}

function headerClaim(authorization: string, headers: IncomingHttpHeaders): ClaimOutcome {
  const space = authorization.indexOf(' ');
  const algorithm = space < 0 ? authorization : authorization.slice(0, space);
  if (algorithm === 'AWS') {
    return { kind: 'malformed', message: SIGV2_TEXT, sigV2: true };
  }
  if (algorithm !== ALGORITHM) {
    // NOT VERIFIED text: AWS names the algorithm it does not support.
    return { kind: 'malformed', message: `Unsupported AWS 'algorithm': '${algorithm.slice(0, 64)}'.` };
  }
  const params = new Map<string, string>();
  for (const part of authorization.slice(space + 1).split(',')) {
    const eq = part.indexOf('=');
    if (eq > 0) {
      params.set(part.slice(0, eq).trim(), part.slice(eq + 1).trim());
    }
  }
  const credential = params.get('Credential') ?? '';
  const signedHeaders = params.get('SignedHeaders') ?? '';
  const signature = params.get('Signature') ?? '';
  const rawDate = headerValue(headers['x-amz-date']) ?? headerValue(headers.date);
  // The real text lists every missing part, then echoes the header
  // (IncompleteSignatureException, as API Gateway and the JSON services answer).
  const problems = [
    credential === '' ? "Authorization header requires 'Credential' parameter." : '',
    signature === '' ? "Authorization header requires 'Signature' parameter." : '',
    signedHeaders === '' ? "Authorization header requires 'SignedHeaders' parameter." : '',
    rawDate === undefined ? "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header." : '',
  ].filter(Boolean);
  if (problems.length > 0) {
    return { kind: 'malformed', message: `${problems.join(' ')} Authorization=${authorization.slice(0, 512)}` };
  }
  // The Date header (RFC 7231) is allowed instead of X-Amz-Date; the SDKs all send X-Amz-Date.
  const date = headers['x-amz-date'] !== undefined ? parseAmzDate(rawDate!) : parseHttpDate(rawDate!);
  return finish(false, credential, signedHeaders, signature, rawDate!, date, undefined);
}

function queryClaim(query: URLSearchParams): ClaimOutcome {
  const algorithm = query.get('X-Amz-Algorithm') ?? '';
  if (algorithm !== ALGORITHM) {
    // S3's text for a presigned URL without a usable algorithm (AuthorizationQueryParametersError).
    return { kind: 'malformed', message: 'X-Amz-Algorithm only supports "AWS4-HMAC-SHA256"' };
  }
  const missing = ['X-Amz-Credential', 'X-Amz-Signature', 'X-Amz-Date', 'X-Amz-SignedHeaders', 'X-Amz-Expires'].filter((p) => !query.get(p));
  if (missing.length > 0) {
    // S3's text (AuthorizationQueryParametersError) names the parameters a presigned URL must carry.
    return {
      kind: 'malformed',
      message: `Query-string authentication version 4 requires the X-Amz-Algorithm, X-Amz-Credential, X-Amz-Signature, X-Amz-Date, X-Amz-SignedHeaders, and X-Amz-Expires parameters.`,
    };
  }
  const expiresText = query.get('X-Amz-Expires')!;
  const expires = /^\d{1,7}$/.test(expiresText) ? Number(expiresText) : NaN;
  if (!(expires >= 1 && expires <= MAX_EXPIRES_SECONDS)) {
    return {
      kind: 'malformed',
      message:
        expires > MAX_EXPIRES_SECONDS
          ? 'X-Amz-Expires must be less than a week (in seconds) that is; 604800 seconds'
          : 'X-Amz-Expires should be a number',
    };
  }
  const rawDate = query.get('X-Amz-Date')!;
  return finish(true, query.get('X-Amz-Credential')!, query.get('X-Amz-SignedHeaders')!, query.get('X-Amz-Signature')!, rawDate, parseAmzDate(rawDate), expires);
}

function finish(
  presigned: boolean,
  credential: string,
  signedHeaders: string,
  signature: string,
  rawDate: string,
  date: Date | undefined,
  expiresSeconds: number | undefined,
): ClaimOutcome {
  const m = CREDENTIAL.exec(credential);
  if (!m) {
    // NOT VERIFIED text (AWS says which part of the scope is wrong, in several wordings).
    return { kind: 'malformed', message: `Credential should be scoped to a valid region and service, in the form AKID/YYYYMMDD/region/service/aws4_request, not '${credential.slice(0, 256)}'.` };
  }
  if (!date) {
    return { kind: 'malformed', message: `Date must be in ISO-8601 'basic format'. Got '${rawDate.slice(0, 64)}'. See http://en.wikipedia.org/wiki/ISO_8601` };
  }
  return {
    kind: 'claim',
    claim: {
      presigned,
      accessKeyId: m[1]!,
      scopeDate: m[2]!,
      region: m[3]!,
      service: m[4]!,
      signedHeaders: signedHeaders.split(';').map((h) => h.trim().toLowerCase()).filter(Boolean),
      signature,
      amzDate: formatAmzDate(date),
      date,
      ...(expiresSeconds !== undefined ? { expiresSeconds } : {}),
    },
  };
}

function headerValue(v: string | string[] | undefined): string | undefined {
  return Array.isArray(v) ? v[0] : v;
}

function parseHttpDate(text: string): Date | undefined {
  const ms = Date.parse(text);
  return Number.isNaN(ms) ? undefined : new Date(ms);
}
