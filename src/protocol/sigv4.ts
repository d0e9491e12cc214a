import type { IncomingMessage } from 'node:http';

/**
 * A request's SigV4 credential scope: `AKID/20260101/us-west-2/sagemaker/aws4_request`,
 * from the Authorization header (`AWS4-HMAC-SHA256 Credential=…, …`) or, for a
 * presigned URL, the `X-Amz-Credential` query parameter. It says the region
 * and the service the client signed for, which is how the dispatcher tells
 * services apart that share a path style (S3). Signatures themselves are not
 * checked here: with SME_AUTH=strict, src/auth/ verifies them; by default
 * (docs/aws-contract.md §1) any credentials work.
 */
export interface CredentialScope {
  region: string;
  service: string;
}

const headerScope = /Credential=[^/,\s]+\/\d{8}\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request/;
const queryScope = /^[^/]+\/\d{8}\/([a-z0-9-]+)\/([a-z0-9-]+)\/aws4_request$/;

export function credentialScope(req: IncomingMessage): CredentialScope | undefined {
  const authorization = req.headers.authorization;
  if (authorization) {
    const m = headerScope.exec(authorization);
    return m ? { region: m[1]!, service: m[2]! } : undefined;
  }
  const url = req.url ?? '';
  const q = url.indexOf('?');
  if (q < 0 || !url.includes('X-Amz-Credential=', q)) {
    return undefined;
  }
  const credential = new URLSearchParams(url.slice(q + 1)).get('X-Amz-Credential');
  const m = credential ? queryScope.exec(credential) : null;
  return m ? { region: m[1]!, service: m[2]! } : undefined;
}

export function regionFromAuthorization(authorization: string | undefined): string | undefined {
  return authorization ? headerScope.exec(authorization)?.[1] : undefined;
}
