import { timingSafeEqual } from 'node:crypto';
import type { ServerResponse } from 'node:http';

/** The realm the console and the reset route name when they ask for credentials. */
export const BASIC_REALM = 'sagemaker-emulator';

/**
 * HTTP Basic credentials (RFC 7617) checked against SME_CREDENTIALS: the user
 * name is an access key id, the password its secret. Returns the key id, or
 * undefined. The secret comparison is constant-time.
 */
export function basicAuthKey(authorization: string | undefined, credentials: ReadonlyMap<string, string>): string | undefined {
  if (!authorization || !/^basic /i.test(authorization)) {
    return undefined;
  }
  const decoded = Buffer.from(authorization.slice(6).trim(), 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon <= 0) {
    return undefined;
  }
  const keyId = decoded.slice(0, colon);
  const secret = credentials.get(keyId);
  if (secret === undefined) {
    return undefined;
  }
  const given = Buffer.from(decoded.slice(colon + 1), 'utf8');
  const wanted = Buffer.from(secret, 'utf8');
  return given.length === wanted.length && timingSafeEqual(given, wanted) ? keyId : undefined;
}

/** 401 with the challenge a browser answers with its login prompt. */
export function askForBasicAuth(res: ServerResponse): void {
  const body = 'Unauthorized: sign in with an access key id (user name) and its secret (password) from SME_CREDENTIALS.\n';
  res.statusCode = 401;
  res.setHeader('WWW-Authenticate', `Basic realm="${BASIC_REALM}", charset="UTF-8"`);
  res.setHeader('Content-Type', 'text/plain; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', Buffer.byteLength(body));
  res.end(body);
}
