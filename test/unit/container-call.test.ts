import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { Pool } from 'undici';
import { type ContainerRequest, callContainer } from '../../src/hosting/container-call.js';
import { ContainerCallTimeoutError, ContainerUnreachableError, InstanceStoppedError } from '../../src/hosting/errors.js';
import { freePort } from '../helpers/free-port.js';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A stand-in model container: each path is one behaviour. */
function modelServer(): http.Server {
  return http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      switch (req.url) {
        case '/invocations':
          res.writeHead(200, { 'content-type': 'application/x-echo', 'x-seen-method': req.method ?? '', 'x-seen-type': req.headers['content-type'] ?? '' });
          res.end(body);
          return;
        case '/models/m1/invoke':
          res.writeHead(507, { 'content-type': 'text/plain' });
          res.end('no room for m1');
          return;
        case '/stream':
          // Three pieces, a pause between each: the caller sees them as they come.
          res.writeHead(200, { 'content-type': 'text/plain' });
          res.write('one,');
          setTimeout(() => res.write('two,'), 30);
          setTimeout(() => res.end('three'), 60);
          return;
        case '/slow-headers':
          setTimeout(() => res.end('late'), 2000).unref();
          return;
        case '/stall-body':
          res.writeHead(200);
          res.write('start');
          return; // never ends
        case '/break':
          res.writeHead(200, { 'content-length': '100' });
          res.write('partial');
          setTimeout(() => res.socket?.destroy(), 20);
          return;
        default:
          res.writeHead(404);
          res.end();
      }
    });
  });
}

async function readAll(body: Readable): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const c of body) {
    chunks.push(c as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8');
}

describe('callContainer', () => {
  const server = modelServer();
  let pool: Pool;
  const request = (over: Partial<ContainerRequest>): ContainerRequest => ({
    method: 'POST',
    path: '/invocations',
    headers: {},
    timeoutMs: 1000,
    signal: new AbortController().signal,
    ...over,
  });

  before(async () => {
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    pool = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, { connections: 4 });
  });
  after(async () => {
    await pool.destroy();
    server.closeAllConnections();
    server.close();
  });

  test('status, headers and body of a 2xx answer; a Buffer body goes as it is', async () => {
    const answer = await callContainer(pool, request({ headers: { 'content-type': 'application/json' }, body: Buffer.from('{"a":1}') }));
    assert.equal(answer.status, 200);
    assert.equal(answer.headers['content-type'], 'application/x-echo');
    assert.equal(answer.headers['x-seen-method'], 'POST');
    assert.equal(answer.headers['x-seen-type'], 'application/json');
    assert.equal(await readAll(answer.body), '{"a":1}');
  });

  test('a Readable body streams to the container', async () => {
    const answer = await callContainer(pool, request({ body: Readable.from([Buffer.from('a'), Buffer.from('b'), Buffer.from('c')]) }));
    assert.equal(await readAll(answer.body), 'abc');
  });

  test('any path and status: a non-2xx answer resolves too, with its body', async () => {
    const answer = await callContainer(pool, request({ path: '/models/m1/invoke', body: Buffer.from('x') }));
    assert.equal(answer.status, 507);
    assert.equal(await readAll(answer.body), 'no room for m1');
  });

  test('the body streams: pieces arrive as the container sends them', async () => {
    const answer = await callContainer(pool, request({ method: 'GET', path: '/stream' }));
    const seen: { text: string; at: number }[] = [];
    const t0 = Date.now();
    for await (const c of answer.body) {
      seen.push({ text: (c as Buffer).toString(), at: Date.now() - t0 });
    }
    assert.equal(seen.map((s) => s.text).join(''), 'one,two,three');
    assert.ok(seen.length >= 2, 'more than one piece');
    assert.ok(seen[0]!.at < 25, `the first piece came before the rest were written (${seen[0]!.at} ms)`);
  });

  test('headers later than the timeout → ContainerCallTimeoutError', async () => {
    await assert.rejects(
      callContainer(pool, request({ path: '/slow-headers', timeoutMs: 100 })),
      (err: unknown) => err instanceof ContainerCallTimeoutError && err.timeoutMs === 100,
    );
  });

  test('a body that stalls longer than the timeout → the body stream fails with ContainerCallTimeoutError', async () => {
    const answer = await callContainer(pool, request({ method: 'GET', path: '/stall-body', timeoutMs: 100 }));
    assert.equal(answer.status, 200);
    await assert.rejects(readAll(answer.body), ContainerCallTimeoutError);
  });

  test('a connection that breaks mid-body → the body stream fails with ContainerUnreachableError', async () => {
    const answer = await callContainer(pool, request({ method: 'GET', path: '/break' }));
    await assert.rejects(readAll(answer.body), ContainerUnreachableError);
  });

  test('nothing listening → ContainerUnreachableError naming the socket error', async () => {
    const nobody = new Pool(`http://127.0.0.1:${await freePort()}`);
    try {
      await assert.rejects(
        callContainer(nobody, request({ body: Buffer.from('x') })),
        (err: unknown) => err instanceof ContainerUnreachableError && err.transportError === 'ECONNREFUSED',
      );
    } finally {
      await nobody.destroy();
    }
  });

  test('a closed pool → InstanceStoppedError', async () => {
    const closed = new Pool(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    await closed.destroy();
    await assert.rejects(callContainer(closed, request({ body: Buffer.from('x') })), InstanceStoppedError);
  });

  test("the caller's abort rejects with the caller's reason", async () => {
    const ac = new AbortController();
    const call = callContainer(pool, request({ path: '/slow-headers', signal: ac.signal }));
    await wait(20);
    ac.abort(new Error('client disconnected'));
    await assert.rejects(call, /client disconnected/);
  });

  test("the caller's own body failing rejects with the caller's error", async () => {
    class LimitError extends Error {}
    const body = new Readable({ read() {} });
    const call = callContainer(pool, request({ body }));
    body.push('some');
    setTimeout(() => body.destroy(new LimitError('too big')), 10);
    await assert.rejects(call, LimitError);
  });
});
