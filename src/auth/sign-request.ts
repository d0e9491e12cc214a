import { SignatureV4 } from '@smithy/signature-v4';
import type { Config } from '../config/schema.js';
import { consoleUserKey } from './console-identity.js';
import { NodeSha256 } from './sha256.js';

export interface Credential {
  accessKeyId: string;
  secretAccessKey: string;
}

/**
 * The credential the emulator's own calls sign with (the console's invoke
 * form): the key the console user signed in with, else the first of
 * SME_CREDENTIALS, else a placeholder (with SME_AUTH=any any key is accepted).
 */
export function ownCredential(config: Pick<Config, 'credentials'>): Credential {
  const key = consoleUserKey();
  const secret = key === undefined ? undefined : config.credentials.get(key);
  if (key !== undefined && secret !== undefined) {
    return { accessKeyId: key, secretAccessKey: secret };
  }
  const first = config.credentials.entries().next();
  if (!first.done) {
    return { accessKeyId: first.value[0], secretAccessKey: first.value[1] };
  }
  return { accessKeyId: 'sagemaker-emulator', secretAccessKey: 'sagemaker-emulator' };
}

/**
 * Signs a request to the emulator itself with `@smithy/signature-v4`, as an
 * AWS SDK would: returns the headers to send (Authorization, X-Amz-Date,
 * X-Amz-Content-Sha256 and the given ones).
 */
export async function signOwnRequest(
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string,
  scope: { region: string; service: string },
  credential: Credential,
): Promise<Record<string, string>> {
  const signer = new SignatureV4({ credentials: credential, region: scope.region, service: scope.service, sha256: NodeSha256, uriEscapePath: scope.service !== 's3' });
  const signed = await signer.sign({
    method,
    protocol: url.protocol,
    hostname: url.hostname,
    ...(url.port ? { port: Number(url.port) } : {}),
    path: url.pathname,
    query: Object.fromEntries(url.searchParams),
    headers: { ...headers, host: url.host },
    body,
  });
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(signed.headers)) {
    // fetch sets Host itself (the same value).
    if (name.toLowerCase() !== 'host') {
      out[name] = String(value);
    }
  }
  return out;
}
