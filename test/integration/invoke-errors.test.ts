import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import { DeleteEndpointCommand, DescribeEndpointCommand } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, type InvokeEndpointCommandOutput } from '@aws-sdk/client-sagemaker-runtime';
import { managedContainers, requireDocker } from '../helpers/docker.js';
import { type TestEmulator, removeStateDir, startTestEmulator } from '../helpers/emulator.js';
import { createEndpoint } from '../helpers/sagemaker.js';

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

describe('InvokeEndpoint errors, as the real runtime gives them', () => {
  let t: TestEmulator;
  let endpoint: string;
  before(async () => {
    requireDocker();
    t = await startTestEmulator({ SME_INVOCATION_TIMEOUT_SECONDS: '2' });
    ({ endpoint } = await createEndpoint(t.sm));
  });
  after(async () => {
    await t.stop();
    assert.deepEqual(managedContainers(t.stateDir), []);
    removeStateDir(t.stateDir);
  });

  test('unknown endpoint → ValidationError 400', async () => {
    const err = await invokeError(t, 'no-such-endpoint', json({}));
    assert.equal(err.name, 'ValidationError');
    assert.equal(err.$metadata.httpStatusCode, 400);
    assert.equal(err.message, 'Endpoint no-such-endpoint of account 123456789012 not found.');
  });

  test('an endpoint that is not InService → ValidationError 400', async () => {
    const { endpoint: creating } = await createEndpoint(t.sm, { environment: { PING_DELAY_MS: '1500' }, wait: false });
    const err = await invokeError(t, creating, json({}));
    assert.equal(err.name, 'ValidationError');
    assert.match(err.message, /is not in service \(its status is Creating\)/);
  });

  test('container answers 4xx/5xx → ModelError 424 with the original status and message', async () => {
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

  test('container slower than the invocation timeout → ModelError with original status 0', async () => {
    const err = await invokeError(t, endpoint, json({ sleepMs: 3500 }));
    assert.equal(err.name, 'ModelError');
    assert.equal(err.OriginalStatusCode, 0);
    assert.match(err.OriginalMessage ?? '', /timed out while waiting for a response from container primary/);
  });

  test('payload over 6 MB → the real 413 "HTTP content length exceeded 6291456 bytes."', async () => {
    const err = await invokeError(t, endpoint, Buffer.alloc(6_291_457, 'a'));
    assert.equal(err.$metadata.httpStatusCode, 413);
    assert.equal(err.message, 'HTTP content length exceeded 6291456 bytes.');
    // Exactly 6 MiB is allowed.
    const ok = await t.runtime.send(
      new InvokeEndpointCommand({ EndpointName: endpoint, Body: Buffer.alloc(6_291_456, 'a'), ContentType: 'application/octet-stream' }),
    );
    assert.equal((JSON.parse(Buffer.from(ok.Body!).toString()) as { bodyBytes: number }).bodyBytes, 6_291_456);
  });

  test('a chunked body (no Content-Length) is counted too', async () => {
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

  test('unknown TargetVariant → ValidationError', async () => {
    const err = await invokeError(t, endpoint, json({}), { TargetVariant: 'Nope' });
    assert.equal(err.name, 'ValidationError');
    const ok = await t.runtime.send(new InvokeEndpointCommand({ EndpointName: endpoint, Body: json({}), TargetVariant: 'AllTraffic' }));
    assert.equal(ok.InvokedProductionVariant, 'AllTraffic');
  });

  test('container down → ModelError, the instance is replaced, and the endpoint serves again', async () => {
    const before = managedContainers(t.stateDir, endpoint);
    const err = await invokeError(t, endpoint, json({ exit: 1 }));
    assert.equal(err.name, 'ModelError');
    assert.equal(err.OriginalStatusCode, 0);
    // The replacement comes up by itself; a request meanwhile waits for it rather than failing.
    const deadline = Date.now() + 30_000;
    let answered = false;
    while (!answered && Date.now() < deadline) {
      answered = await t.runtime.send(new InvokeEndpointCommand({ EndpointName: endpoint, Body: json({ x: 1 }) })).then(
        () => true,
        () => false,
      );
    }
    assert.ok(answered, 'the endpoint answers again after the container died');
    // The dead container is removed once its last log lines are kept.
    let after = managedContainers(t.stateDir, endpoint);
    while (after.length !== 1 && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 50));
      after = managedContainers(t.stateDir, endpoint);
    }
    assert.equal(after.length, 1);
    assert.notDeepEqual(after, before, 'a new container replaced the dead one');
    const d = await t.sm.send(new DescribeEndpointCommand({ EndpointName: endpoint }));
    assert.equal(d.EndpointStatus, 'InService');
  });

  test('a client that disconnects mid-request does not break the endpoint', async () => {
    const url = new URL(`${t.url}/endpoints/${endpoint}/invocations`);
    const outcome = await new Promise<string>((resolve) => {
      const req = http.request(url, { method: 'POST', headers: { 'content-type': 'application/json' } }, () => resolve('answered'));
      req.on('error', () => resolve('disconnected'));
      req.end(JSON.stringify({ sleepMs: 1000 }));
      setTimeout(() => req.destroy(), 100);
    });
    assert.equal(outcome, 'disconnected');
    const ok = await t.runtime.send(new InvokeEndpointCommand({ EndpointName: endpoint, Body: json({ y: 2 }) }));
    assert.equal(ok.InvokedProductionVariant, 'AllTraffic');
    await t.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
  });
});
