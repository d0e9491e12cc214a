import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import http from 'node:http';
import { describe, test } from 'node:test';
import { SignatureV4 } from '@smithy/signature-v4';
import type { HttpRequest } from '@smithy/types';
import { pino } from 'pino';
import { jsonAuthError, queryAuthError, s3AuthError } from '../../src/auth/auth-errors.js';
import { basicAuthKey } from '../../src/auth/basic-auth.js';
import { NodeSha256 } from '../../src/auth/sha256.js';
import { strictAuth } from '../../src/auth/strict-auth.js';
import { Dispatcher } from '../../src/protocol/dispatcher.js';
import { bodyReader } from '../../src/protocol/request-body.js';
import { type AuthResult, type RawRequest, verifySigV4 } from '../../src/auth/sigv4-verifier.js';
import { TIMEOUT } from '../helpers/bounded.js';

const credentials = new Map([
  ['AKIDGOOD', 'secret1'],
  ['AKID2', 'secret2'],
]);
const NOW = new Date(Date.UTC(2026, 10, 22, 10, 30, 10));
const minutes = (n: number) => new Date(NOW.getTime() + n * 60_000);

/** RFC 3986 encoding, as the SDKs send query strings. */
const escape = (s: string) => encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

function toRaw(signed: HttpRequest, body?: Uint8Array): RawRequest {
  const query = Object.entries(signed.query ?? {})
    .flatMap(([k, v]) => (Array.isArray(v) ? v.map((x) => `${escape(k)}=${escape(x)}`) : [`${escape(k)}=${escape(String(v ?? ''))}`]))
    .join('&');
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(signed.headers)) {
    headers[k.toLowerCase()] = v;
  }
  return { method: signed.method, url: query ? `${signed.path}?${query}` : signed.path, headers, ...(body ? { body } : {}) };
}

interface SignSpec {
  service?: string;
  key?: string;
  secret?: string;
  method?: string;
  path?: string;
  query?: Record<string, string>;
  headers?: Record<string, string>;
  body?: string;
  date?: Date;
  sessionToken?: string;
}

function signer(s: SignSpec): SignatureV4 {
  const service = s.service ?? 'sagemaker';
  return new SignatureV4({
    credentials: { accessKeyId: s.key ?? 'AKIDGOOD', secretAccessKey: s.secret ?? 'secret1', ...(s.sessionToken ? { sessionToken: s.sessionToken } : {}) },
    region: 'us-west-2',
    service,
    sha256: NodeSha256,
    uriEscapePath: service !== 's3',
    // As botocore: only S3 sends x-amz-content-sha256.
    applyChecksum: service === 's3',
  });
}

function request(s: SignSpec): HttpRequest {
  return {
    method: s.method ?? 'POST',
    protocol: 'http:',
    hostname: '127.0.0.1',
    port: 8181,
    path: s.path ?? '/',
    query: s.query ?? {},
    headers: { host: '127.0.0.1:8181', 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'SageMaker.ListModels', ...s.headers },
    ...(s.body !== undefined ? { body: s.body } : {}),
  };
}

async function signed(s: SignSpec): Promise<RawRequest> {
  const out = await signer(s).sign(request(s), { signingDate: s.date ?? NOW });
  return toRaw(out, s.body === undefined ? undefined : Buffer.from(s.body));
}

const verify = (raw: RawRequest, now = NOW) => verifySigV4(raw, { credentials, now });

function failure(r: AuthResult): string {
  assert.equal(r.ok, false, 'the request should have been refused');
  return r.ok ? '' : r.failure.kind;
}

describe('SigV4 verification (src/auth/sigv4-verifier.ts)', { timeout: TIMEOUT.test }, () => {
  test('a request signed by @smithy/signature-v4 passes, with its key, region and service', async () => {
    const r = await verify(await signed({ body: '{"MaxResults":5}' }));
    assert.equal(r.ok, true);
    assert.equal(r.ok && r.accessKeyId, 'AKIDGOOD');
    assert.equal(r.claim?.region, 'us-west-2');
    assert.equal(r.claim?.service, 'sagemaker');
    const second = await verify(await signed({ key: 'AKID2', secret: 'secret2', body: '{}' }));
    assert.equal(second.ok, true);
  });

  test('a JS-SDK-style x-amz-content-sha256 is checked against the body', async () => {
    const s: SignSpec = { body: '{"a":1}' };
    const out = await new SignatureV4({ credentials: { accessKeyId: 'AKIDGOOD', secretAccessKey: 'secret1' }, region: 'us-west-2', service: 'sagemaker', sha256: NodeSha256 }).sign(
      request(s),
      { signingDate: NOW },
    );
    assert.equal((await verify(toRaw(out, Buffer.from('{"a":1}')))).ok, true);
    assert.equal(failure(await verify(toRaw(out, Buffer.from('{"a":2}')))), 'mismatch');
  });

  test('one changed byte in the body, a signed header, the path or the query fails', async () => {
    const good = await signed({ method: 'POST', path: '/endpoints/ep-1/invocations', query: { a: 'b c' }, body: 'hello' });
    assert.equal((await verify(good)).ok, true);
    assert.equal(failure(await verify({ ...good, body: Buffer.from('hellp') })), 'mismatch');
    assert.equal(failure(await verify({ ...good, headers: { ...good.headers, 'x-amz-target': 'SageMaker.DeleteModel' } })), 'mismatch');
    assert.equal(failure(await verify({ ...good, url: good.url.replace('ep-1', 'ep-2') })), 'mismatch');
    assert.equal(failure(await verify({ ...good, url: good.url.replace('b%20c', 'b%20d') })), 'mismatch');
    // An unsigned header may change (proxies add some).
    assert.equal((await verify({ ...good, headers: { ...good.headers, 'user-agent': 'other' } })).ok, true);
  });

  test('a wrong secret is a mismatch; an unknown key is unknownKey', async () => {
    assert.equal(failure(await verify(await signed({ secret: 'wrong' }))), 'mismatch');
    const r = await verify(await signed({ key: 'AKIDNOPE' }));
    assert.equal(failure(r), 'unknownKey');
    assert.equal(!r.ok && r.failure.kind === 'unknownKey' && r.failure.accessKeyId, 'AKIDNOPE');
  });

  test('clock skew: 5 minutes for the JSON services, 15 for S3, both ways', async () => {
    assert.equal((await verify(await signed({ date: minutes(-4) }))).ok, true);
    const past = await verify(await signed({ date: minutes(-20) }));
    assert.equal(failure(past), 'skewed');
    assert.equal(!past.ok && past.failure.kind === 'skewed' && past.failure.future, false);
    const future = await verify(await signed({ date: minutes(6) }));
    assert.equal(!future.ok && future.failure.kind === 'skewed' && future.failure.future, true);
    const s3 = { service: 's3', method: 'GET', path: '/bucket/key', headers: {} };
    assert.equal((await verify(await signed({ ...s3, date: minutes(-10) }))).ok, true);
    assert.equal(failure(await verify(await signed({ ...s3, date: minutes(-20) }))), 'skewed');
  });

  test('the skew texts are AWS\'s', async () => {
    const past = await verify(await signed({ date: new Date(Date.UTC(2026, 10, 22, 10, 10, 10)) }));
    assert.ok(!past.ok);
    const err = jsonAuthError(past.failure);
    assert.equal(err.code, 'InvalidSignatureException');
    assert.equal(err.status, 403);
    assert.equal(err.message, 'Signature expired: 20261122T101010Z is now earlier than 20261122T102510Z (20261122T103010Z - 5 min.)');
    const future = await verify(await signed({ date: minutes(10) }));
    assert.ok(!future.ok);
    assert.equal(jsonAuthError(future.failure).message, 'Signature not yet current: 20261122T104010Z is still later than 20261122T103510Z (20261122T103010Z + 5 min.)');
    assert.equal(queryAuthError(future.failure).code, 'SignatureDoesNotMatch');
  });

  test('S3: once-encoded paths, UNSIGNED-PAYLOAD and STREAMING seeds pass; the body is not needed', async () => {
    const path = `/bucket/${escape('a b')}/${escape('ü+x.txt')}`;
    const put = await signed({ service: 's3', method: 'PUT', path, headers: { 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } });
    assert.equal((await verify(put)).ok, true);
    const streaming = await signed({
      service: 's3',
      method: 'PUT',
      path: '/bucket/big',
      headers: { 'x-amz-content-sha256': 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD', 'content-encoding': 'aws-chunked', 'x-amz-decoded-content-length': '10' },
    });
    assert.equal((await verify(streaming)).ok, true);
    assert.equal(failure(await verify({ ...streaming, headers: { ...streaming.headers, 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' } })), 'mismatch');
    assert.equal(failure(await verify({ ...put, url: put.url.replace('a%20b', 'a%20c') })), 'mismatch');
  });

  test('presigned URLs pass until X-Amz-Expires, and fail when changed', async () => {
    const s: SignSpec = { service: 's3', method: 'GET', path: '/bucket/key.txt', headers: {} };
    const req = request(s);
    // As @aws-sdk/s3-request-presigner and botocore presign: S3 presigned URLs sign UNSIGNED-PAYLOAD.
    req.headers = { host: '127.0.0.1:8181', 'x-amz-content-sha256': 'UNSIGNED-PAYLOAD' };
    const sha = new Set(['x-amz-content-sha256']);
    const out = await signer(s).presign(req, { signingDate: NOW, expiresIn: 60, unsignableHeaders: sha, unhoistableHeaders: sha });
    delete out.headers['x-amz-content-sha256'];
    const raw = toRaw(out);
    assert.match(raw.url, /X-Amz-Signature=[0-9a-f]{64}/);
    assert.equal((await verify(raw)).ok, true);
    assert.equal((await verify(raw, new Date(NOW.getTime() + 59_000))).ok, true);
    const late = await verify(raw, new Date(NOW.getTime() + 61_000));
    assert.equal(failure(late), 'presignExpired');
    assert.ok(!late.ok);
    const expired = s3AuthError(late.failure, true);
    assert.equal(expired.code, 'AccessDenied');
    assert.equal(expired.message, 'Request has expired');
    assert.equal(failure(await verify({ ...raw, url: raw.url.replace('key.txt', 'key.txu') })), 'mismatch');
    assert.equal(failure(await verify({ ...raw, url: raw.url.replace('X-Amz-Expires=60', 'X-Amz-Expires=600') })), 'mismatch');
  });

  test('session tokens: accepted when the key id is known', async () => {
    assert.equal((await verify(await signed({ sessionToken: 'FQoGZXIvYXdzE//token+/=' }))).ok, true);
    assert.equal(failure(await verify(await signed({ key: 'AKIDNOPE', sessionToken: 'tok' }))), 'unknownKey');
  });

  test('malformed Authorization headers get the right failures and never throw', async () => {
    const good = await signed({});
    const auth = good.headers.authorization as string;
    const cases: Array<[string, Record<string, string | undefined>, string]> = [
      ['no Authorization', { authorization: undefined }, 'missing'],
      ['wrong algorithm', { authorization: auth.replace('AWS4-HMAC-SHA256', 'AWS4-HMAC-SHA512') }, 'malformed'],
      ['SigV2', { authorization: 'AWS AKIDGOOD:c2lnbmF0dXJl' }, 'malformed'],
      ['no Credential', { authorization: auth.replace(/Credential=[^,]*, /, '') }, 'malformed'],
      ['no SignedHeaders', { authorization: auth.replace(/SignedHeaders=[^,]*, /, '') }, 'malformed'],
      ['empty Signature', { authorization: auth.replace(/Signature=.*/, 'Signature=') }, 'malformed'],
      ['short Signature', { authorization: auth.replace(/Signature=.*/, 'Signature=abc') }, 'mismatch'],
      ['bad credential scope', { authorization: auth.replace(/Credential=[^,]*/, 'Credential=AKIDGOOD/notadate') }, 'malformed'],
      ['bad X-Amz-Date', { 'x-amz-date': '2026-11-22T10:30:10Z' }, 'malformed'],
      ['impossible X-Amz-Date', { 'x-amz-date': '20261341T103010Z' }, 'malformed'],
      ['no date at all', { 'x-amz-date': undefined }, 'malformed'],
      ['scope of another day', { authorization: auth.replace('/20261122/', '/20261121/') }, 'mismatch'],
      ['only "AWS4-HMAC-SHA256"', { authorization: 'AWS4-HMAC-SHA256' }, 'malformed'],
      ['garbage', { authorization: ',,,=,=' }, 'malformed'],
    ];
    for (const [label, change, kind] of cases) {
      const headers = { ...good.headers, ...change };
      for (const [k, v] of Object.entries(headers)) {
        if (v === undefined) {
          delete headers[k];
        }
      }
      const r = await verify({ ...good, headers });
      assert.equal(r.ok ? 'ok' : r.failure.kind, kind, label);
    }
    const missing = jsonAuthError({ kind: 'missing' });
    assert.deepEqual([missing.code, missing.status, missing.message], ['MissingAuthenticationTokenException', 403, 'Missing Authentication Token']);
    const unknown = jsonAuthError({ kind: 'unknownKey', accessKeyId: 'X' });
    assert.deepEqual([unknown.code, unknown.status, unknown.message], ['UnrecognizedClientException', 403, 'The security token included in the request is invalid.']);
    const s3 = s3AuthError({ kind: 'unknownKey', accessKeyId: 'X' }, false);
    assert.deepEqual([s3.code, s3.status], ['InvalidAccessKeyId', 403]);
    assert.equal(s3AuthError({ kind: 'missing' }, false).code, 'AccessDenied');
  });

  test('malformed presigned queries', async () => {
    const base = '/bucket/k?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKIDGOOD%2F20261122%2Fus-east-1%2Fs3%2Faws4_request&X-Amz-Date=20261122T103010Z&X-Amz-SignedHeaders=host';
    const sig = `&X-Amz-Signature=${'0'.repeat(64)}`;
    const kinds = async (url: string) => {
      const r = await verify({ method: 'GET', url, headers: { host: 'h' } });
      return r.ok ? 'ok' : r.failure.kind;
    };
    assert.equal(await kinds(`${base}${sig}`), 'malformed'); // no X-Amz-Expires
    assert.equal(await kinds(`${base}&X-Amz-Expires=604801${sig}`), 'malformed');
    assert.equal(await kinds(`${base}&X-Amz-Expires=abc${sig}`), 'malformed');
    assert.equal(await kinds(`${base.replace('AWS4-HMAC-SHA256', 'HMAC')}&X-Amz-Expires=60${sig}`), 'malformed');
    assert.equal(await kinds(`${base}&X-Amz-Expires=60${sig}`), 'mismatch');
  });

  test('HTTP Basic credentials for the console', () => {
    const basic = (s: string) => `Basic ${Buffer.from(s).toString('base64')}`;
    assert.equal(basicAuthKey(basic('AKIDGOOD:secret1'), credentials), 'AKIDGOOD');
    assert.equal(basicAuthKey(basic('AKID2:secret2'), credentials), 'AKID2');
    assert.equal(basicAuthKey(basic('AKIDGOOD:secret2'), credentials), undefined);
    assert.equal(basicAuthKey(basic('AKIDNOPE:secret1'), credentials), undefined);
    assert.equal(basicAuthKey(basic('nocolon'), credentials), undefined);
    assert.equal(basicAuthKey('Bearer x', credentials), undefined);
    assert.equal(basicAuthKey(undefined, credentials), undefined);
  });
});

describe('the strict-auth gate in the dispatcher (src/auth/strict-auth.ts)', { timeout: TIMEOUT.test }, () => {
  test('a verified body reaches the handler intact; refusals come in the request\'s protocol; /health is open', async () => {
    const read = bodyReader(1024 * 1024);
    const echo = (req: http.IncomingMessage, res: http.ServerResponse) => {
      void read(req, res).then((body) => {
        res.setHeader('content-type', 'application/json');
        res.end(JSON.stringify({ bytes: body.length, sha: createHash('sha256').update(body).digest('hex') }));
      });
    };
    const d = new Dispatcher('us-east-1', () => 'req-1', (_req, res) => res.end('fallback'))
      .targetPrefix('SageMaker', 'sagemaker', echo)
      .authenticate(strictAuth({ credentials, log: pino({ level: 'silent' }), queryXmlNamespace: 'ns', json10TargetPrefixes: [] }));
    const server = http.createServer(d.listener);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const send = (raw: RawRequest, body?: Buffer) =>
      new Promise<{ status: number; text: string; headers: http.IncomingHttpHeaders }>((resolve, reject) => {
        const headers = { ...raw.headers, ...(body ? { 'content-length': String(body.length) } : {}) };
        const req = http.request({ host: '127.0.0.1', port, method: raw.method, path: raw.url, headers, agent }, (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (c: Buffer) => chunks.push(c));
          res.on('end', () => resolve({ status: res.statusCode!, text: Buffer.concat(chunks).toString(), headers: res.headers }));
        });
        req.on('error', reject);
        req.end(body);
      });
    const warnings: Error[] = [];
    const onWarning = (w: Error) => warnings.push(w);
    process.on('warning', onWarning);
    try {
      const body = Buffer.from(JSON.stringify({ data: 'x'.repeat(200_000) }));
      const now = new Date();
      for (let i = 0; i < 15; i++) {
        const raw = await signed({ body: body.toString(), date: now, headers: { host: `127.0.0.1:${port}` } });
        const ok = await send(raw, body);
        assert.equal(ok.status, 200, ok.text);
        assert.deepEqual(JSON.parse(ok.text), { bytes: body.length, sha: createHash('sha256').update(body).digest('hex') });
      }
      const tampered = await signed({ body: '{"a":1}', date: now, headers: { host: `127.0.0.1:${port}` } });
      const refused = await send(tampered, Buffer.from('{"a":2}'));
      assert.equal(refused.status, 403);
      assert.equal(refused.headers['x-amzn-errortype'], 'InvalidSignatureException');
      const unsigned = await send({ method: 'GET', url: '/bucket/key', headers: { host: 'x' } });
      assert.equal(unsigned.status, 403);
      assert.match(unsigned.text, /<Code>AccessDenied<\/Code>/);
      const health = await send({ method: 'GET', url: '/health', headers: { host: 'x' } });
      assert.equal(health.text, 'fallback');
      const consolePage = await send({ method: 'GET', url: '/console/', headers: { host: 'x' } });
      assert.equal(consolePage.status, 401);
      assert.equal(warnings.length, 0, warnings.map((w) => w.message).join('\n'));
    } finally {
      process.off('warning', onWarning);
      agent.destroy();
      server.close();
    }
  });
});
