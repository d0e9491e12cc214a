/**
 * The real capacity adapter: scaling goes through the control plane's
 * UpdateEndpointWeightsAndCapacities to a Hosting on the fake container
 * engine (test/helpers/fake-docker.ts), and the activity follows the endpoint
 * from Updating back to InService.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import pino from 'pino';
import { AutoScaling } from '../../src/autoscaling/auto-scaling.js';
import { SageMakerCapacity } from '../../src/autoscaling/sagemaker-capacity.js';
import { loadConfig } from '../../src/config/load.js';
import type { OperationContext } from '../../src/control-plane/context.js';
import { createEndpointConfig } from '../../src/control-plane/endpoint-configs.js';
import { createEndpoint } from '../../src/control-plane/endpoints.js';
import { createModel } from '../../src/control-plane/models.js';
import { Hosting } from '../../src/hosting/hosting.js';
import { JobRunner } from '../../src/jobs/job-runner.js';
import { systemClock } from '../../src/shared/clock.js';
import { openDatabase } from '../../src/store/database.js';
import { Store } from '../../src/store/store.js';
import { pollUntil } from '../helpers/bounded.js';
import { FakeDocker } from '../helpers/fake-docker.js';
import { FakeAlarms, INSTANCES, REGION, SUITE } from '../helpers/autoscaling-harness.js';

const IMAGE = 'sagemaker-emulator/echo-model:latest';
const log = pino({ level: 'silent' });

interface Rig {
  ctx: OperationContext;
  docker: FakeDocker;
  hosting: Hosting;
  store: Store;
  capacity: SageMakerCapacity;
  close(): Promise<void>;
}

async function rig(): Promise<Rig> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sme-aas-sm-'));
  const config = loadConfig({ SME_STATE_DIR: dir, SME_STARTUP_TIMEOUT_SECONDS: '5' });
  const store = new Store(openDatabase(config.stateDir));
  const docker = new FakeDocker({ images: { [IMAGE]: { repoDigests: ['sagemaker-emulator/echo-model@sha256:1111'] } } });
  const noS3 = { fetchS3: () => Promise.reject(new Error('no S3 in unit tests')) };
  const hosting = new Hosting({ store, docker, log, config, artifacts: noS3, gatewayId: 'gw-aas', clock: systemClock });
  const ctx: OperationContext = {
    store,
    hosting,
    jobs: new JobRunner({ store, log, clock: systemClock, concurrency: 1 }),
    objects: { get: () => Promise.reject(new Error('no S3')), put: () => Promise.reject(new Error('no S3')), list: () => Promise.resolve([]) },
    config,
    region: REGION,
    accountId: config.accountId,
    requestId: 'req-aas',
    log,
    now: () => Date.now(),
  };
  const capacity = new SageMakerCapacity({ sageMakerContext: () => ctx, clock: systemClock, pollMs: 20, timeoutMs: 10_000 });
  return {
    ctx,
    docker,
    hosting,
    store,
    capacity,
    async close() {
      await hosting.shutdown();
      docker.close();
      store.close();
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function inService(r: Rig, name: string, count: number): Promise<void> {
  await createModel({ ModelName: `${name}-model`, ExecutionRoleArn: 'arn:aws:iam::123456789012:role/test', PrimaryContainer: { Image: IMAGE } }, r.ctx);
  await createEndpointConfig(
    {
      EndpointConfigName: `${name}-config`,
      ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: `${name}-model`, InstanceType: 'ml.m5.large', InitialInstanceCount: count }],
    },
    r.ctx,
  );
  await createEndpoint({ EndpointName: name, EndpointConfigName: `${name}-config` }, r.ctx);
  await pollUntil(`${name} InService`, () => r.store.endpoints.get(REGION, name)?.status === 'InService', { timeoutMs: 10_000, intervalMs: 10 });
}

describe('SageMakerCapacity (UpdateEndpointWeightsAndCapacities on a fake Docker)', SUITE, () => {
  test('lookup, a refused request while Updating, and a change followed to InService', async (t) => {
    const r = await rig();
    t.after(() => r.close());
    await inService(r, 'ep', 1);
    assert.deepEqual(r.capacity.lookup(REGION, 'nope', 'AllTraffic'), {
      found: 'no-endpoint',
      endpointArn: 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/nope',
    });
    assert.equal(r.capacity.lookup(REGION, 'ep', 'Other').found, 'no-variant');
    const found = r.capacity.lookup(REGION, 'ep', 'AllTraffic');
    assert.ok(found.found === 'yes');
    assert.equal(found.variant.desiredInstanceCount, 1);
    assert.equal(found.variant.instanceType, 'ml.m5.large');
    assert.equal(found.variant.async, false);

    assert.deepEqual(await r.capacity.request(REGION, 'ep', 'AllTraffic', INSTANCES, 2), { ok: true });
    assert.equal(r.store.endpoints.get(REGION, 'ep')?.status, 'Updating');
    const again = await r.capacity.request(REGION, 'ep', 'AllTraffic', INSTANCES, 3);
    assert.deepEqual(again, { ok: false, unscalable: true, reason: 'Endpoint ep is in status Updating.' });
    const settled = await r.capacity.settled(REGION, 'ep', 'AllTraffic', INSTANCES, 2, new AbortController().signal);
    assert.deepEqual(settled, { ok: true });
    assert.equal(r.store.endpoints.get(REGION, 'ep')?.variants[0]?.CurrentInstanceCount, 2);
    assert.equal(r.docker.running().length, 2);

    const refused = await r.capacity.request(REGION, 'gone', 'AllTraffic', INSTANCES, 2);
    assert.equal(refused.ok, false);
    assert.match(
      refused.ok ? '' : refused.reason,
      /^Could not find endpoint "arn:aws:sagemaker:us-east-1:123456789012:endpoint\/gone"\. \(Service: AmazonSageMaker; Status Code: 400; Error Code: ValidationException; Request ID: [0-9a-f-]{36}\)$/,
    );
  });

  test('through the facade: RegisterScalableTarget with Min 2 scales a 1-instance endpoint to 2', async (t) => {
    const r = await rig();
    const aas = new AutoScaling({ store: r.store, config: r.ctx.config, log, clock: systemClock, alarms: new FakeAlarms(), sageMakerContext: () => r.ctx, capacity: r.capacity });
    aas.start();
    t.after(async () => {
      await aas.stop();
      await r.close();
    });
    await inService(r, 'ep', 1);
    const server = http.createServer((req, res) => aas.handler(req, res, { requestId: 'r', region: REGION }));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    t.after(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const port = (server.address() as AddressInfo).port;
    const call = async (op: string, input: Record<string, unknown>) => {
      const res = await fetch(`http://127.0.0.1:${port}/`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `AnyScaleFrontendService.${op}` },
        body: JSON.stringify(input),
      });
      assert.equal(res.status, 200, await res.clone().text());
      return (await res.json()) as Record<string, unknown>;
    };
    const ref = { ServiceNamespace: 'sagemaker', ResourceId: 'endpoint/ep/variant/AllTraffic', ScalableDimension: INSTANCES };
    await call('RegisterScalableTarget', { ...ref, MinCapacity: 2, MaxCapacity: 3 });
    await aas.idle();
    const e = r.store.endpoints.get(REGION, 'ep');
    assert.equal(e?.status, 'InService');
    assert.equal(e?.variants[0]?.CurrentInstanceCount, 2);
    const out = await call('DescribeScalingActivities', { ServiceNamespace: 'sagemaker' });
    const [a] = out.ScalingActivities as Record<string, unknown>[];
    assert.equal(a!.StatusCode, 'Successful');
    assert.equal(a!.Cause, 'minimum capacity was set to 2');
    assert.equal(a!.StatusMessage, 'Successfully set desired instance count to 2. Change successfully fulfilled by sagemaker.');
  });
});
