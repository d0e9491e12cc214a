import { anyAwsAnswer, jsonAnswer, s3Answer } from './checks.js';
import type { Rng } from './prng.js';
import { AMZ_DATE, authorization, json11, runtime, s3 } from './requests.js';
import type { CorpusCase, CorpusContext, RawRequest } from './types.js';

/**
 * Malformed SigV4 (`Authorization` without parts, bad dates, unknown
 * algorithms, 10 KB values, credential scopes with odd regions and services:
 * the region flows into ARNs and must not reach a file path), and header
 * injection: CR/LF in values the client controls and we echo, obs-fold,
 * malformed request lines and framing.
 */
export function sigv4Cases(rng: Rng, ctx: CorpusContext, count: number): CorpusCase[] {
  const m = ctx.marker;
  const regions = [`../../${m}-region`, '..', '/', '', '\u00e9\u00e9', 'r'.repeat(300), `us-east-1%2F..%2F${m}`, 'us-east-1;x', 'US-EAST-1', '\t'];
  const services = ['sagemaker', 's3', '', 'SageMaker', '..', 'execute-api', 's'.repeat(300), 'sts', 's3 '];
  const auths = [
    'AWS4-HMAC-SHA256',
    'AWS4-HMAC-SHA256 ',
    'AWS4-HMAC-SHA256 Credential=',
    'AWS4-HMAC-SHA256 Credential=AKID',
    'AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sagemaker/aws4_request',
    'AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sagemaker/aws4_request, Signature=00',
    'AWS4-HMAC-SHA256 SignedHeaders=host, Signature=00',
    'AWS4-ECDSA-P256-SHA256 Credential=AKID/20260101/us-east-1/sagemaker/aws4_request, SignedHeaders=host, Signature=00',
    'AWS AKID:signature',
    'Bearer token',
    'AWS4-HMAC-SHA256 Credential=AKID/notadate/us-east-1/sagemaker/aws4_request, SignedHeaders=host, Signature=00',
    'AWS4-HMAC-SHA256 Credential=AKID/20261399/us-east-1/sagemaker/aws4_request, SignedHeaders=host, Signature=00',
    'AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sagemaker/aws4_request/extra/parts, SignedHeaders=, Signature=',
    `AWS4-HMAC-SHA256 Credential=${'A'.repeat(10_000)}/20260101/us-east-1/sagemaker/aws4_request, SignedHeaders=host, Signature=00`,
    `AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sagemaker/aws4_request, SignedHeaders=${'h;'.repeat(3000)}, Signature=00`,
    'AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sagemaker/aws4_request,,,,SignedHeaders=host,Signature=00,Credential=X/1/2/s3/aws4_request',
    'AWS4-HMAC-SHA256 Credential=AKID//////, SignedHeaders=host, Signature=00',
  ];
  const cases: CorpusCase[] = [];
  for (let i = 0; i < count; i++) {
    const kind = rng.pick(['scope', 'header', 'date', 'presigned'] as const);
    const surface = rng.pick(['control', 'runtime', 's3'] as const);
    let auth: string;
    if (kind === 'scope') {
      const service = surface === 's3' ? 's3' : rng.chance(0.7) ? 'sagemaker' : rng.pick(services);
      auth = authorization(service, rng.pick(regions));
    } else {
      auth = rng.pick(auths);
    }
    const base: RawRequest =
      surface === 'control'
        ? json11(rng.pick(['SageMaker.ListModels', 'SageMaker.CreateModel']), JSON.stringify({ ModelName: `${m}-sig-${i}`, ExecutionRoleArn: 'arn:aws:iam::123456789012:role/r', PrimaryContainer: { Image: 'corpus/none:1' } }))
        : surface === 'runtime'
          ? runtime(`/endpoints/${m}-missing/invocations`, '{}')
          : s3(rng.pick(['PUT', 'GET']), `/${rng.chance(0.5) ? ctx.bucket : `${m}-sigbucket-${i}`}/${m}-sig-${i}`, 'x');
    let headers = base.headers.map(([k, v]): [string, string] => (k === 'Authorization' ? [k, auth] : [k, v]));
    let path = base.path;
    if (kind === 'date') {
      headers = headers.map(([k, v]): [string, string] => (k === 'X-Amz-Date' ? [k, rng.pick(['', 'yesterday', '99999999T999999Z', '2026-01-01T00:00:00Z', 'x'.repeat(5000)])] : [k, v]));
    } else if (kind === 'presigned') {
      headers = headers.filter(([k]) => k !== 'Authorization');
      path += `${path.includes('?') ? '&' : '?'}X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${rng.pick(['AKID%2F20260101%2F..%2F..%2Fs3%2Faws4_request', 'AKID', '%FF%FE', `AKID%2F20260101%2F${'r'.repeat(300)}%2Fs3%2Faws4_request`])}&X-Amz-Date=${rng.pick([AMZ_DATE, 'bad'])}&X-Amz-Expires=${rng.pick(['-1', '999999999', 'x'])}&X-Amz-SignedHeaders=host&X-Amz-Signature=00`;
    }
    // A scope or presigned credential may name s3 whatever the path: then S3 answers, in XML; else JSON.
    const check = anyAwsAnswer();
    cases.push({ id: `sig-${i}-${kind}-${surface}`, family: 'sigv4', request: { ...base, path, headers }, expect: check });
  }
  return cases;
}

/** Requests written as raw text: the runner sends `raw` as is instead of building one from `request`. */
export interface RawTextCase extends CorpusCase {
  raw?: Buffer;
}

export function injectionCases(rng: Rng, ctx: CorpusContext, count: number): RawTextCase[] {
  const m = ctx.marker;
  const inject = 'X-Sme-Injected: 1';
  const echoed: [string, string, 'runtime' | 's3' | 'control'][] = [
    ['X-Amzn-SageMaker-Custom-Attributes', 'a', 'runtime'],
    ['X-Amzn-SageMaker-Inference-Id', 'id', 'runtime'],
    ['Content-Type', 'application/json', 'runtime'],
    ['Accept', 'application/json', 'runtime'],
    ['X-Amzn-RequestId', 'rid', 'control'],
    ['Amz-Sdk-Invocation-Id', 'inv', 'control'],
    ['X-Amz-Target', 'SageMaker.ListModels', 'control'],
    ['x-amz-meta-corpus', 'v', 's3'],
    ['Content-Type', 'text/plain', 's3'],
    ['Content-Disposition', 'attachment', 's3'],
    ['Cache-Control', 'no-cache', 's3'],
  ];
  const separators = ['\r\n', '\n', '\r', '\r\n ', '\r\n\t', '\u0000', '\u0085', '\u2028'];
  const cases: RawTextCase[] = [];
  const framings = [
    `GET /../../etc/passwd HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    `GET  HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    `GET http://evil.example/health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    `GET /health\u0000 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\nX-Amz-Target: SageMaker.ListModels\r\nConnection: close\r\n\r\n{}`,
    `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nTransfer-Encoding: chunked\r\nX-Amz-Target: SageMaker.ListModels\r\nConnection: close\r\n\r\n0\r\n\r\n`,
    `POST / HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nX-Amz-Target: SageMaker.ListModels\r\nContent-Type: application/x-amz-json-1.1\r\nConnection: close\r\n\r\nzz\r\n{}\r\n0\r\n\r\n`,
    `POST / HTTP/1.1\r\nHost: x\r\nContent-Length: 99\r\nX-Amz-Target: SageMaker.ListModels\r\nConnection: close\r\n\r\n{}`,
    `POST /endpoints/${m}/invocations HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\nConnection: close\r\n\r\n`,
    `BREW /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n`,
    `GET /health HTTP/9.9\r\nHost: x\r\nConnection: close\r\n\r\n`,
    `GET /health HTTP/1.1\r\n${'X-Long: ' + 'l'.repeat(20_000)}\r\nConnection: close\r\n\r\n`,
    `GET /health HTTP/1.1\r\nHost: x\r\n Folded: y\r\nConnection: close\r\n\r\n`,
  ];
  for (let i = 0; i < count; i++) {
    if (rng.chance(0.2)) {
      const text = rng.pick(framings);
      cases.push({
        id: `inj-${i}-framing-${framings.indexOf(text)}`,
        family: 'header-injection',
        request: { method: 'RAW', path: '', headers: [], body: Buffer.alloc(0) },
        raw: Buffer.from(text, 'latin1'),
        expect: anyAwsAnswer({ allowHttpLayer: true }),
      });
      continue;
    }
    const [name, value, surface] = rng.pick(echoed);
    const sep = rng.pick(separators);
    const injected = `${value}${sep}${inject}`;
    const base =
      surface === 'runtime'
        ? runtime(`/endpoints/${rng.chance(0.5) ? ctx.endpoint : `${m}-missing`}/invocations`, '{"corpus":1}')
        : surface === 's3'
          ? s3('PUT', `/${ctx.bucket}/${m}-inj-${i}`, 'x')
          : json11('SageMaker.ListModels', '{}');
    const headers = base.headers.filter(([k]) => k.toLowerCase() !== name.toLowerCase());
    headers.push([name, injected]);
    const check = surface === 's3' ? s3Answer({ allowHttpLayer: true }) : jsonAnswer(surface === 'runtime' ? 'rest-json' : 'json', { allowHttpLayer: true });
    cases.push({ id: `inj-${i}-${surface}-${name}-${JSON.stringify(sep)}`, family: 'header-injection', request: { ...base, headers }, expect: check });
  }
  return cases;
}
