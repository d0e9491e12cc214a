import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { DeleteEndpointCommand, DescribeEndpointCommand } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, type InvokeEndpointCommandOutput } from '@aws-sdk/client-sagemaker-runtime';
import { managedContainers, requireDocker } from '../helpers/docker.js';
import { type TestEmulator, startTestEmulator, stopAndClean } from '../helpers/emulator.js';
import { createEndpoint } from '../helpers/sagemaker.js';
import { TIMEOUT, pollUntil } from '../helpers/bounded.js';

type ModelErrorShape = Error & {
  $metadata: { httpStatusCode?: number };
  OriginalStatusCode?: number;
  OriginalMessage?: string;
  LogStreamArn?: string;
};

const json = (v: unknown) => Buffer.from(JSON.stringify(v));

async function invokeError(t: TestEmulator, endpoint: string, body: Buffer, extra: Record<string, string> = {}): Promise<ModelErrorShape> {
  const err = await t.runtime
    .send(new InvokeEndpointCommand({ EndpointName: endpoint, Body: body, ContentType: 'application/json', ...extra }))
    .then(
      (ok: InvokeEndpointCommandOutput) => new Error(`expected an error, got ${Buffer.from(ok.Body ?? []).toString()}`),
      (e: unknown) => e as ModelErrorShape,
    );
  assert.ok('$metadata' in err, `expected a service error, got ${err.message}`);
  return err as ModelErrorShape;
}

describe('InvokeEndpoint errors, as the real runtime gives them', { timeout: TIMEOUT.suite }, () => {
  let t: TestEmulator;
  let endpoint: string;
  before(async () => {
    requireDocker();
    t = await startTestEmulator({ SME_INVOCATION_TIMEOUT_SECONDS: '2' });
    ({ endpoint } = await createEndpoint(t.sm));
  });
  after(async () => {
    await stopAndClean(t);
  });

  test('unknown endpoint → ValidationError 400', { timeout: TIMEOUT.test }, async () => {
    const err = await invokeError(t, 'no-such-endpoint', json({}));
    assert.equal(err.name, 'ValidationError');
    assert.equal(err.$metadata.httpStatusCode, 400);
    assert.equal(err.message, 'Endpoint no-such-endpoint of account 123456789012 not found.');
  });

  test('an endpoint that is not InService → ValidationError 400', { timeout: TIMEOUT.test }, async () => {
    const { endpoint: creating } = await createEndpoint(t.sm, { environment: { PING_DELAY_MS: '1500' }, wait: false });
    const err = await invokeError(t, creating, json({}));
    assert.equal(err.name, 'ValidationError');
    assert.match(err.message, /is not in service \(its status is Creating\)/);
  });

  test('container answers 4xx/5xx → ModelError 424 with the original status and message', { timeout: TIMEOUT.test }, async () => {
    const client = await invokeError(t, endpoint, json({ status: 400, errorText: 'bad input' }));
    assert.equal(client.name, 'ModelError');
    assert.equal(client.$metadata.httpStatusCode, 424);
    assert.equal(client.OriginalStatusCode, 400);
    assert.equal(client.OriginalMessage, 'bad input');
    assert.match(client.message, /^Received client error \(400\) from primary with message "bad input"\. See https:\/\/us-east-1\.console\.aws\.amazon\.com\/cloudwatch\/.*\/aws\/sagemaker\/Endpoints\/.* in account 123456789012 for more information\.$/);
    assert.match(client.LogStreamArn ?? '', /^arn:aws:logs:us-east-1:123456789012:log-group:\/aws\/sagemaker\/Endpoints\/.+:log-stream:AllTraffic\/i-[0-9a-f]+$/);
    const server = await invokeError(t, endpoint, json({ status: 503, errorText: 'overloaded' }));
    assert.equal(server.OriginalStatusCode, 503);
    assert.match(server.message, /^Received server error \(503\) from primary/);
  });

  test('container slower than the invocation timeout → ModelError with original status 0', { timeout: TIMEOUT.test }, async () => {
    const err = await invokeError(t, endpoint, json({ sleepMs: 3500 }));
    assert.equal(err.name, 'ModelError');
    assert.equal(err.OriginalStatusCode, 0);
    assert.match(err.OriginalMessage ?? '', /timed out while waiting for a response from container primary/);
  });

  test('payload over 6 MB → the real 413 "HTTP content length exceeded 6291456 bytes."', { timeout: TIMEOUT.test }, async () => {
    const err = await invokeError(t, endpoint, Buffer.alloc(6_291_457, 'a'));
    assert.equal(err.$metadata.httpStatusCode, 413);
    assert.equal(err.message, 'HTTP content length exceeded 6291456 bytes.');
    // Exactly 6 MiB is allowed.
    const ok = await t.runtime.send(
      new InvokeEndpointCommand({ EndpointName: endpoint, Body: Buffer.alloc(6_291_456, 'a'), ContentType: 'application/octet-stream' }),
    );
    assert.equal((JSON.parse(Buffer.from(ok.Body!).toString()) as { bodyBytes: number }).bodyBytes, 6_291_456);
  });

  test('a chunked body (no Content-Length) is counted too', { timeout: TIMEOUT.test }, async () => {
    const url = new URL(`${t.url}/endpoints/${endpoint}/invocations`);
    const status = await new Promise<number>((resolve, reject) => {
      const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/octet-stream' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      const chunk = Buffer.alloc(1024 * 1024, 'b');
      for (let i = 0; i < 7; i++) {
        req.write(chunk);
      }
      req.end();
    });
    assert.equal(status, 413);
  });

  test('unknown TargetVariant → ValidationError', { timeout: TIMEOUT.test }, async () => {
    const err = await invokeError(t, endpoint, json({}), { TargetVariant: 'Nope' });
    assert.equal(err.name, 'ValidationError');
    const ok = await t.runtime.send(new InvokeEndpointCommand({ EndpointName: endpoint, Body: json({}), TargetVariant: 'AllTraffic' }));
    assert.equal(ok.InvokedProductionVariant, 'AllTraffic');
  });

  test('container down → ModelError, the instance is replaced, and the endpoint serves again', { timeout: TIMEOUT.test }, async () => {
    const before = managedContainers(t.stateDir, endpoint);
    const err = await invokeError(t, endpoint, json({ exit: 1 }));
    assert.equal(err.name, 'ModelError');
    assert.equal(err.OriginalStatusCode, 0);
    // The replacement comes up by itself; a request meanwhile waits for it rather than failing.
    let lastError: unknown;
    await pollUntil(
      'the endpoint to answer again after its container died',
      () =>
        t.runtime.send(new InvokeEndpointCommand({ EndpointName: endpoint, Body: json({ x: 1 }) })).then(
          () => true,
          (e: unknown) => void (lastError = e),
        ),
      { timeoutMs: 30_000, intervalMs: 50 },
    ).catch((e: Error) => assert.fail(`${e.message}; last error: ${String(lastError)}`));
    // The dead container is removed once its last log lines are kept.
    const after = await pollUntil(
      'one container for the endpoint',
      () => {
        const ids = managedContainers(t.stateDir, endpoint);
        return ids.length === 1 && ids;
      },
      { timeoutMs: 30_000, intervalMs: 50 },
    );
    assert.notDeepEqual(after, before, 'a new container replaced the dead one');
    const d = await t.sm.send(new DescribeEndpointCommand({ EndpointName: endpoint }));
    assert.equal(d.EndpointStatus, 'InService');
  });

  test('the container drops the connection before answering → ModelError 424 (original status 0); the container stays and serves', { timeout: TIMEOUT.test }, async () => {
    const containers = managedContainers(t.stateDir, endpoint);
    const err = await invokeError(t, endpoint, json({ disconnect: 'before-answer' }));
    assert.equal(err.name, 'ModelError');
    assert.equal(err.$metadata.httpStatusCode, 424);
    assert.equal(err.OriginalStatusCode, 0);
    assert.match(err.OriginalMessage ?? '', /^Your invocation failed because container primary stopped responding \(.+\)\.$/);
    // The container is alive: the endpoint keeps it and answers at once, no replacement.
    const ok = await t.runtime.send(new InvokeEndpointCommand({ EndpointName: endpoint, Body: json({ y: 1 }) }));
    assert.equal(ok.InvokedProductionVariant, 'AllTraffic');
    assert.deepEqual(managedContainers(t.stateDir, endpoint), containers, 'the same container serves on');
  });

  test('the container breaks off its answer midway → the client’s connection is cut short of Content-Length', { timeout: TIMEOUT.test }, async () => {
    // The raw exchange: the headers of the 200 arrive, then the connection ends before the declared 2048 bytes.
    const url = new URL(`${t.url}/endpoints/${endpoint}/invocations`);
    const outcome = await new Promise<{ status: number; received: number; error?: string }>((resolve) => {
      const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        let received = 0;
        res.on('data', (c: Buffer) => (received += c.length));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, received }));
        res.on('error', (e) => resolve({ status: res.statusCode ?? 0, received, error: e.message }));
        res.on('aborted', () => resolve({ status: res.statusCode ?? 0, received, error: 'aborted' }));
      });
      req.on('error', (e) => resolve({ status: 0, received: 0, error: e.message }));
      req.end(JSON.stringify({ disconnect: 'mid-answer' }));
    });
    assert.equal(outcome.status, 200);
    assert.equal(outcome.received, 1024, 'what the container sent before it broke off');
    assert.ok(outcome.error, `the client saw the answer end early (${JSON.stringify(outcome)})`);
    // The answer is streamed through, so the status is out before the break; only the cut connection tells.
    // (The JS SDK takes such a short body for a success: a buffering gateway would answer ModelError instead.)
    const ok = await t.runtime.send(new InvokeEndpointCommand({ EndpointName: endpoint, Body: json({ y: 2 }) }));
    assert.equal(ok.InvokedProductionVariant, 'AllTraffic');
  });

  test('a client that disconnects mid-request does not break the endpoint', { timeout: TIMEOUT.test }, async () => {
    const url = new URL(`${t.url}/endpoints/${endpoint}/invocations`);
    await new Promise<void>((resolve, reject) => {
      const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, () =>
        reject(new Error('answered before the client went away')),
      );
      req.on('error', () => resolve());
      req.end(JSON.stringify({ sleepMs: 1000 }));
      setTimeout(() => req.destroy(), 100);
    });
    const ok = await t.runtime.send(new InvokeEndpointCommand({ EndpointName: endpoint, Body: json({ y: 3 }) }));
    assert.equal(ok.InvokedProductionVariant, 'AllTraffic');
    await t.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
  });
});
