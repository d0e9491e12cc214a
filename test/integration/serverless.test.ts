import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DeleteEndpointCommand, DescribeEndpointCommand } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { dockerInspect, managedContainers, requireDocker } from '../helpers/docker.js';
import { type TestEmulator, startTestEmulator, stopAndClean } from '../helpers/emulator.js';
import { createServerlessEndpoint } from '../helpers/sagemaker.js';
import { TIMEOUT, pollUntil } from '../helpers/bounded.js';

type ServiceError = Error & { $metadata: { httpStatusCode?: number }; OriginalStatusCode?: number; OriginalMessage?: string };

const json = (v: unknown) => Buffer.from(JSON.stringify(v));

const waitFor = (what: string, check: () => boolean, timeoutMs = 30_000) => pollUntil(what, check, { timeoutMs, intervalMs: 50 });

describe('serverless endpoints', { timeout: TIMEOUT.suite }, () => {
  let t: TestEmulator;
  before(async () => {
    requireDocker();
    t = await startTestEmulator({ SME_STARTUP_TIMEOUT_SECONDS: '3' });
  });
  after(async () => {
    await stopAndClean(t);
  });

  const invoke = (endpoint: string, body: unknown) =>
    t.runtime.send(new InvokeEndpointCommand({ EndpointName: endpoint, Body: json(body), ContentType: 'application/json' }));
  const hostnameOf = (r: { Body?: Uint8Array }) => (JSON.parse(Buffer.from(r.Body ?? []).toString()) as { hostname: string }).hostname;

  test('InService at zero; the first request is cold and capped at MemorySizeInMB, the second is warm', { timeout: TIMEOUT.test }, async () => {
    const { endpoint } = await createServerlessEndpoint(t.sm, { memory: 2048, maxConcurrency: 2 });
    const d = await t.sm.send(new DescribeEndpointCommand({ EndpointName: endpoint }));
    assert.equal(d.EndpointStatus, 'InService');
    assert.deepEqual(d.ProductionVariants?.[0]?.CurrentServerlessConfig, { MemorySizeInMB: 2048, MaxConcurrency: 2 });
    assert.deepEqual(d.ProductionVariants?.[0]?.DesiredServerlessConfig, { MemorySizeInMB: 2048, MaxConcurrency: 2 });
    assert.equal(d.ProductionVariants?.[0]?.CurrentInstanceCount, undefined);
    assert.deepEqual(managedContainers(t.stateDir, endpoint), [], 'no container before the first request');

    const first = await invoke(endpoint, { n: 1 });
    const containers = managedContainers(t.stateDir, endpoint);
    assert.equal(containers.length, 1);
    const hostConfig = (dockerInspect(containers[0]!) as { HostConfig: { Memory: number } }).HostConfig;
    assert.equal(hostConfig.Memory, 2048 * 1024 * 1024);
    const second = await invoke(endpoint, { n: 2 });
    assert.equal(hostnameOf(second), hostnameOf(first), 'the warm container served the second request');
    assert.equal(managedContainers(t.stateDir, endpoint).length, 1);
    await t.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
  });

  test('MaxConcurrency N with N+k parallel slow requests: N served at once on N containers, k throttled', { timeout: TIMEOUT.test }, async () => {
    const N = 3;
    const k = 2;
    const { endpoint } = await createServerlessEndpoint(t.sm, { maxConcurrency: N });
    const results = await Promise.all(
      Array.from({ length: N + k }, (_, i) =>
        // The throttled ones must arrive while the first N are in flight: stagger them slightly.
        new Promise((r) => setTimeout(r, i < N ? 0 : 300)).then(() =>
          invoke(endpoint, { sleepMs: 2500 }).then(
            (ok) => ({ ok: true as const, host: hostnameOf(ok) }),
            (err: ServiceError) => ({ ok: false as const, err }),
          ),
        ),
      ),
    );
    const served = results.filter((r) => r.ok);
    const throttled = results.filter((r) => !r.ok);
    assert.equal(served.length, N);
    assert.equal(new Set(served.map((r) => r.host)).size, N, 'one container per concurrent request');
    assert.equal(throttled.length, k);
    for (const r of throttled) {
      assert.equal(r.err.name, 'ThrottlingException');
      assert.equal(r.err.$metadata.httpStatusCode, 400);
    }
    assert.ok(managedContainers(t.stateDir, endpoint).length <= N);
    await t.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
  });

  test('idle timeout (tag sme:idle-timeout-seconds) → zero containers, and the next request is cold again', { timeout: TIMEOUT.test }, async () => {
    const { endpoint } = await createServerlessEndpoint(t.sm, { tags: { 'sme:idle-timeout-seconds': '1' } });
    const first = await invoke(endpoint, {});
    await waitFor('scale to zero', () => managedContainers(t.stateDir, endpoint).length === 0);
    const d = await t.sm.send(new DescribeEndpointCommand({ EndpointName: endpoint }));
    assert.equal(d.EndpointStatus, 'InService', 'still InService at zero');
    const again = await invoke(endpoint, {});
    assert.notEqual(hostnameOf(again), hostnameOf(first), 'a new container after scale to zero');
    await t.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
  });

  test('injected cold-start delay (tag sme:cold-start-delay-ms) shows in the cold latency only', { timeout: TIMEOUT.test }, async () => {
    const { endpoint } = await createServerlessEndpoint(t.sm, { tags: { 'sme:cold-start-delay-ms': '1500' } });
    const t0 = Date.now();
    await invoke(endpoint, {});
    const cold = Date.now() - t0;
    assert.ok(cold >= 1500, `the cold request took ${cold} ms, at least the injected 1500 ms`);
    const t1 = Date.now();
    await invoke(endpoint, {});
    const warm = Date.now() - t1;
    assert.ok(warm < cold, `warm (${warm} ms) is faster than cold (${cold} ms)`);
    await t.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
  });

  test('ProvisionedConcurrency containers exist before any request and survive the idle timeout', { timeout: TIMEOUT.test }, async () => {
    const { endpoint } = await createServerlessEndpoint(t.sm, {
      maxConcurrency: 3,
      provisionedConcurrency: 2,
      tags: { 'sme:idle-timeout-seconds': '1' },
    });
    const warm = managedContainers(t.stateDir, endpoint);
    assert.equal(warm.length, 2, 'provisioned containers are up as soon as the endpoint is InService');
    const served = await Promise.all([invoke(endpoint, { sleepMs: 300 }), invoke(endpoint, { sleepMs: 300 })]);
    assert.equal(managedContainers(t.stateDir, endpoint).length, 2, 'requests within the floor use the provisioned containers');
    assert.equal(new Set(served.map(hostnameOf)).size, 2);
    await new Promise((r) => setTimeout(r, 2500));
    assert.deepEqual(managedContainers(t.stateDir, endpoint).sort(), warm.sort(), 'never reaped');
    await t.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
  });

  test('a container that allocates beyond its memory cap is OOM-killed: ModelError naming the OOM, then a healthy request', { timeout: TIMEOUT.test }, async () => {
    const { endpoint } = await createServerlessEndpoint(t.sm, { memory: 1024 });
    const err = await invoke(endpoint, { allocMb: 1500 }).then(
      () => assert.fail('expected a ModelError'),
      (e: ServiceError) => e,
    );
    assert.equal(err.name, 'ModelError');
    assert.equal(err.$metadata.httpStatusCode, 424);
    assert.match(err.OriginalMessage ?? '', /OOM-killed: it used more than its 1024 MB memory limit/);
    const ok = await invoke(endpoint, { fine: true });
    assert.ok(hostnameOf(ok));
    await t.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
  });

  test('a cold start that never becomes healthy fails its requests after the start-up timeout', { timeout: TIMEOUT.test }, async () => {
    const { endpoint } = await createServerlessEndpoint(t.sm, { environment: { PING_STATUS: '500' } });
    const err = await invoke(endpoint, {}).then(
      () => assert.fail('expected a ModelError'),
      (e: ServiceError) => e,
    );
    assert.equal(err.name, 'ModelError');
    assert.match(err.OriginalMessage ?? '', /failed to start: .*did not pass the ping health check within 3 seconds/s);
    await waitFor('the unhealthy container to be removed', () => managedContainers(t.stateDir, endpoint).length === 0);
    await t.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
  });

  test('serverless payload limit is 4 MB', { timeout: TIMEOUT.test }, async () => {
    const { endpoint } = await createServerlessEndpoint(t.sm);
    const err = await t.runtime
      .send(new InvokeEndpointCommand({ EndpointName: endpoint, Body: Buffer.alloc(4_194_305, 'a') }))
      .then(() => assert.fail('expected 413'), (e: ServiceError) => e);
    assert.equal(err.$metadata.httpStatusCode, 413);
    assert.equal(err.message, 'HTTP content length exceeded 4194304 bytes.');
    await t.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
  });
});
