import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import pino from 'pino';
import { loadConfig } from '../../src/config/load.js';
import type { Config } from '../../src/config/schema.js';
import type { OperationContext } from '../../src/control-plane/context.js';
import type { ProductionVariant } from '../../src/protocol/generated/sagemaker-types.js';

type Input = Record<string, unknown>;
import { createEndpointConfig } from '../../src/control-plane/endpoint-configs.js';
import { createEndpoint, deleteEndpoint, describeEndpoint } from '../../src/control-plane/endpoints.js';
import { createModel } from '../../src/control-plane/models.js';
import { labels } from '../../src/docker/labels.js';
import type { ArtifactSource } from '../../src/hosting/artifacts.js';
import { JobRunner } from '../../src/jobs/job-runner.js';
import { Hosting } from '../../src/hosting/hosting.js';
import { containerCaps } from '../../src/hosting/instance-types.js';
import { AwsError } from '../../src/protocol/aws-error.js';
import { openDatabase } from '../../src/store/database.js';
import type { EndpointRecord } from '../../src/store/records.js';
import { systemClock } from '../../src/shared/clock.js';
import { Store } from '../../src/store/store.js';
import { DEFAULT_LOGS, FakeDocker, type FakeImage } from '../helpers/fake-docker.js';

const REGION = 'us-east-1';
const log = pino({ level: 'silent' });
const noS3: ArtifactSource = { fetchS3: () => Promise.reject(new Error('no S3 in unit tests')) };

/** Polls every 10 ms until check() is truthy; gives up after timeoutMs. */
async function waitUntil<T>(check: () => T | undefined | false, what: string, timeoutMs = 5000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = check();
    if (value) {
      return value;
    }
    if (Date.now() > deadline) {
      throw new Error(`gave up after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

interface Harness {
  dir: string;
  config: Config;
  store: Store;
  docker: FakeDocker;
  hosting: Hosting;
  ctx: OperationContext;
  gatewayId: string;
}

let harnessCount = 0;

/** A Hosting on a real Store in a fresh state directory, with a fake container engine. */
async function harness(images: Record<string, FakeImage>, pullable: Record<string, FakeImage> = {}): Promise<Harness> {
  const dir = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'sme-hosting-')));
  const config = loadConfig({ SME_STATE_DIR: dir, SME_STARTUP_TIMEOUT_SECONDS: '1' });
  return build(dir, config, new FakeDocker({ images, pullable }));
}

/** Another gateway on the same state directory (a restart): a new Store, a new Hosting. */
function restart(prev: Harness, docker: FakeDocker): Harness {
  return build(prev.dir, prev.config, docker);
}

function build(dir: string, config: Config, docker: FakeDocker): Harness {
  const store = new Store(openDatabase(config.stateDir));
  const gatewayId = `gw-test-${++harnessCount}`;
  const hosting = new Hosting({ store, docker, log, config, artifacts: noS3, gatewayId, clock: systemClock });
  const ctx: OperationContext = {
    store,
    hosting,
    // These tests create no jobs and read no S3.
    jobs: new JobRunner({ store, log, clock: systemClock, concurrency: 1 }),
    objects: { get: () => Promise.reject(new Error('no S3')), put: () => Promise.reject(new Error('no S3')), list: () => Promise.resolve([]) },
    config,
    region: REGION,
    accountId: config.accountId,
    requestId: 'req-test',
    log,
    now: () => Date.now(),
  };
  return { dir, config, store, docker, hosting, ctx, gatewayId };
}

const disposed = new WeakSet<Harness>();

/** Stops everything the harness started; safe to call twice. */
async function dispose(h: Harness, removeDir = true): Promise<void> {
  if (disposed.has(h)) {
    return;
  }
  disposed.add(h);
  await h.hosting.shutdown();
  h.docker.close();
  h.store.close();
  if (removeDir) {
    await fs.rm(h.dir, { recursive: true, force: true });
  }
}

let nameCount = 0;

interface VariantOptions {
  image: string;
  count?: number;
  name?: string;
}

/** CreateModel + CreateEndpointConfig + CreateEndpoint through the real operations; returns the endpoint name. */
async function createEndpointWith(h: Harness, variants: VariantOptions[], extra: Input = {}): Promise<string> {
  const n = ++nameCount;
  const productionVariants: ProductionVariant[] = [];
  for (const [i, v] of variants.entries()) {
    const model = `model-${n}-${i}`;
    await createModel(
      { ModelName: model, ExecutionRoleArn: 'arn:aws:iam::123456789012:role/test', PrimaryContainer: { Image: v.image } },
      h.ctx,
    );
    productionVariants.push({
      VariantName: v.name ?? (i === 0 ? 'AllTraffic' : `Variant${i}`),
      ModelName: model,
      InstanceType: 'ml.m5.large',
      InitialInstanceCount: v.count ?? 1,
    });
  }
  await createEndpointConfig({ EndpointConfigName: `config-${n}`, ProductionVariants: productionVariants }, h.ctx);
  const endpoint = `Endpoint-${n}`;
  await createEndpoint({ EndpointName: endpoint, EndpointConfigName: `config-${n}`, ...extra }, h.ctx);
  return endpoint;
}

/** Waits until the stored endpoint has left Creating; returns the record. */
function settled(h: Harness, name: string): Promise<EndpointRecord> {
  return waitUntil(() => {
    const e = h.store.endpoints.get(REGION, name);
    return e && e.status !== 'Creating' ? e : undefined;
  }, `endpoint ${name} to leave Creating`);
}

async function describeEp(h: Harness, name: string): Promise<Record<string, unknown>> {
  return (await describeEndpoint({ EndpointName: name }, h.ctx)) as unknown as Record<string, unknown>;
}

const OK_IMAGE = 'sagemaker-emulator/echo-model:latest';
const OK: FakeImage = { repoDigests: ['sagemaker-emulator/echo-model@sha256:1111'] };

describe('Hosting: CreateEndpoint → InService', () => {
  test('a Creating endpoint becomes InService with its instances and DeployedImages', async (t) => {
    const h = await harness({ [OK_IMAGE]: OK });
    t.after(() => dispose(h));
    const name = await createEndpointWith(h, [{ image: OK_IMAGE, count: 2 }]);

    const creating = await describeEp(h, name);
    assert.equal(creating.EndpointStatus, 'Creating');
    assert.equal(h.hosting.get(REGION, name)?.status, 'Creating');

    const e = await settled(h, name);
    assert.equal(e.status, 'InService', e.failureReason);
    assert.equal(e.failureReason, undefined);
    assert.ok(e.lastModifiedTime >= e.creationTime);
    assert.equal(e.variants.length, 1);
    const v = e.variants[0]!;
    assert.equal(v.VariantName, 'AllTraffic');
    assert.equal(v.DesiredInstanceCount, 2);
    assert.equal(v.CurrentInstanceCount, 2);
    assert.equal(v.DeployedImages?.length, 1);
    assert.equal(v.DeployedImages[0]!.SpecifiedImage, OK_IMAGE);
    assert.equal(v.DeployedImages[0]!.ResolvedImage, 'sagemaker-emulator/echo-model@sha256:1111');
    assert.equal(typeof v.DeployedImages[0]!.ResolutionTime, 'number');

    const deployment = h.hosting.get(REGION, name);
    assert.equal(deployment?.status, 'InService');
    assert.equal(deployment.fleets.get('AllTraffic')?.instanceCount(), 2);
    assert.equal(h.hosting.get(REGION, name.toUpperCase()), deployment, 'names are case-insensitive');

    const described = await describeEp(h, name);
    assert.equal(described.EndpointStatus, 'InService');
    const summary = (described.ProductionVariants as Record<string, unknown>[])[0]!;
    assert.equal(summary.CurrentInstanceCount, 2);
    assert.equal('VariantStatus' in summary, false);
    const images = summary.DeployedImages as { ResolutionTime: number }[];
    assert.equal(images[0]!.ResolutionTime, v.DeployedImages[0]!.ResolutionTime / 1000, 'epoch seconds on the wire');
  });

  test('containers follow the BYOC contract and carry the gateway labels', async (t) => {
    const h = await harness({ [OK_IMAGE]: OK });
    t.after(() => dispose(h));
    const name = await createEndpointWith(h, [{ image: OK_IMAGE, count: 2 }]);
    assert.equal((await settled(h, name)).status, 'InService');

    const running = h.docker.running();
    assert.equal(running.length, 2);
    const caps = containerCaps('ml.m5.large');
    // One artifact directory per config generation: <state>/models/<region>/<endpoint>/<config>-<created>/<variant>.
    const endpointDir = path.join(h.dir, 'models', REGION, name.toLowerCase());
    for (const c of running) {
      assert.equal(c.spec.image, OK_IMAGE);
      assert.deepEqual(c.spec.cmd, ['serve']);
      assert.equal(c.spec.containerPort, 8080);
      assert.equal(c.spec.mounts.length, 1);
      assert.equal(c.spec.mounts[0]!.target, '/opt/ml/model');
      assert.equal(path.dirname(path.dirname(c.spec.mounts[0]!.source)), endpointDir);
      assert.equal(path.basename(c.spec.mounts[0]!.source), 'AllTraffic');
      assert.equal(c.spec.memoryBytes, caps.memoryBytes);
      assert.equal(c.spec.nanoCpus, caps.nanoCpus);
      assert.equal(c.labels[labels.managed], 'true');
      assert.equal(c.labels[labels.gateway], h.gatewayId);
      assert.equal(c.labels[labels.stateDir], h.dir);
      assert.equal(c.labels[labels.region], REGION);
      assert.equal(c.labels[labels.endpoint], name);
      assert.equal(c.labels[labels.variant], 'AllTraffic');
      assert.match(c.labels[labels.instance] ?? '', /^i-[0-9a-f]{16}$/);
      assert.ok(c.name.startsWith(`sme-${name}-AllTraffic-i-`), c.name);
    }
    assert.notEqual(running[0]!.labels[labels.instance], running[1]!.labels[labels.instance]);
    assert.ok((await fs.stat(running[0]!.spec.mounts[0]!.source)).isDirectory(), 'the model directory exists (empty without ModelDataUrl)');
  });

  test('two variants, one image without RepoDigests: both in service, resolved as repo@id', async (t) => {
    const local = 'local/model:dev';
    const h = await harness({ [OK_IMAGE]: OK, [local]: { id: 'sha256:abcd' } });
    t.after(() => dispose(h));
    const name = await createEndpointWith(h, [
      { image: OK_IMAGE, name: 'A' },
      { image: local, name: 'B', count: 3 },
    ]);
    const e = await settled(h, name);
    assert.equal(e.status, 'InService', e.failureReason);
    const b = e.variants.find((v) => v.VariantName === 'B');
    assert.equal(b?.CurrentInstanceCount, 3);
    assert.equal(b.DeployedImages?.[0]?.ResolvedImage, 'local/model@sha256:abcd');
    assert.equal(e.variants.find((v) => v.VariantName === 'A')?.CurrentInstanceCount, 1);
    assert.equal(h.docker.running().length, 4);
    assert.deepEqual(Object.fromEntries(h.hosting.get(REGION, name)?.weights ?? []), { A: 1, B: 1 });
  });

  test('a missing image is pulled first', async (t) => {
    const remote = 'registry.example.com/team/model:1';
    const h = await harness({}, { [remote]: { repoDigests: ['registry.example.com/team/model@sha256:2222'] } });
    t.after(() => dispose(h));
    const name = await createEndpointWith(h, [{ image: remote }]);
    const e = await settled(h, name);
    assert.equal(e.status, 'InService', e.failureReason);
    assert.deepEqual(h.docker.pulls, [remote]);
    assert.equal(e.variants[0]!.DeployedImages?.[0]?.ResolvedImage, 'registry.example.com/team/model@sha256:2222');
  });

  test('a container that becomes healthy after a while is waited for', async (t) => {
    const slow = 'slow/model:1';
    const h = await harness({ [slow]: { ping: 60 } });
    t.after(() => dispose(h));
    const name = await createEndpointWith(h, [{ image: slow }]);
    const e = await settled(h, name);
    assert.equal(e.status, 'InService', e.failureReason);
    assert.equal(e.variants[0]!.CurrentInstanceCount, 1);
  });
});

describe('Hosting: CreateEndpoint → Failed', () => {
  test('an unknown image: Failed, with a FailureReason that names the image and says how to fix it', async (t) => {
    const h = await harness({});
    t.after(() => dispose(h));
    const name = await createEndpointWith(h, [{ image: 'missing/image:1' }]);
    const e = await settled(h, name);
    assert.equal(e.status, 'Failed');
    const reason = e.failureReason ?? '';
    assert.match(reason, /missing\/image:1/);
    assert.match(reason, /pull access denied/, 'the pull error is quoted');
    assert.match(reason, /Build or pull it first/);
    assert.ok(reason.length <= 1024);
    assert.equal(h.docker.containers.size, 0, 'no container was started');
    assert.equal(h.hosting.get(REGION, name)?.status, 'Failed');
    const described = await describeEp(h, name);
    assert.equal(described.EndpointStatus, 'Failed');
    assert.equal(described.FailureReason, reason);
  });

  test('a container that exits at start: Failed, with its exit code and last log lines', async (t) => {
    const crash = 'crash/model:1';
    const h = await harness({ [crash]: { ping: 'exit', exitCode: 3 } });
    t.after(() => dispose(h));
    const name = await createEndpointWith(h, [{ image: crash }]);
    const e = await settled(h, name);
    assert.equal(e.status, 'Failed');
    const reason = e.failureReason ?? '';
    assert.match(reason, /variant AllTraffic/);
    assert.match(reason, /exited with code 3/);
    assert.match(reason, /before passing the ping health check/);
    assert.match(reason, /Last log lines:\n/);
    assert.ok(reason.includes(DEFAULT_LOGS), reason);
    assert.match(reason, /model failed to load/);
    await waitUntil(() => h.docker.present().length === 0, 'the failed container to be removed');
  });

  test('a container that never passes /ping: Failed, naming the ping health check and the timeout', async (t) => {
    const stuck = 'stuck/model:1';
    const h = await harness({ [stuck]: { ping: 'never', logs: 'loading weights…\nmodel failed to load' } });
    t.after(() => dispose(h));
    const name = await createEndpointWith(h, [{ image: stuck }]);
    const e = await settled(h, name);
    assert.equal(e.status, 'Failed');
    const reason = e.failureReason ?? '';
    assert.match(reason, /did not pass the ping health check within 1 seconds/);
    assert.match(reason, /\/ping answered 500/);
    assert.match(reason, /model failed to load/);
    assert.ok(reason.length <= 1024);
    await waitUntil(() => h.docker.present().length === 0, 'the failed container to be removed');
    assert.equal(h.hosting.get(REGION, name)?.fleets.size, 0);
  });

  test('FailureReason is cut to 1024 characters', async (t) => {
    const noisy = 'noisy/model:1';
    const logs = Array.from({ length: 40 }, (_, i) => `line ${i} ${'x'.repeat(200)}`).join('\n');
    const h = await harness({ [noisy]: { ping: 'exit', logs } });
    t.after(() => dispose(h));
    const name = await createEndpointWith(h, [{ image: noisy }]);
    const e = await settled(h, name);
    assert.equal(e.status, 'Failed');
    assert.equal(e.failureReason?.length, 1024);
    assert.match(e.failureReason, /^The container for variant AllTraffic exited with code 1/);
    const described = await describeEp(h, name);
    assert.ok(String(described.FailureReason).length <= 1024);
  });

  test('one failing variant fails the endpoint and stops the healthy one too', async (t) => {
    const crash = 'crash/model:1';
    const h = await harness({ [OK_IMAGE]: OK, [crash]: { ping: 'exit' } });
    t.after(() => dispose(h));
    const name = await createEndpointWith(h, [
      { image: OK_IMAGE, name: 'Good', count: 2 },
      { image: crash, name: 'Bad' },
    ]);
    const e = await settled(h, name);
    assert.equal(e.status, 'Failed');
    assert.match(e.failureReason ?? '', /variant Bad/);
    await waitUntil(() => h.docker.runsInFlight === 0 && h.docker.present().length === 0, 'every container to be removed');
  });
});

describe('Hosting: DeleteEndpoint and undeploy', () => {
  test('undeploy removes the record, its tags and every container', async (t) => {
    const h = await harness({ [OK_IMAGE]: OK });
    t.after(() => dispose(h));
    const name = await createEndpointWith(h, [{ image: OK_IMAGE, count: 2 }], { Tags: [{ Key: 'team', Value: 'ml' }] });
    const e = await settled(h, name);
    assert.equal(e.status, 'InService');
    assert.deepEqual(h.store.tags.list(e.arn), [{ Key: 'team', Value: 'ml' }]);
    const ids = h.docker.running().map((c) => c.id);
    assert.equal(ids.length, 2);

    await deleteEndpoint({ EndpointName: name }, h.ctx);
    assert.equal(h.store.endpoints.get(REGION, name)?.status, 'Deleting');
    assert.equal((await describeEp(h, name)).EndpointStatus, 'Deleting');

    await waitUntil(() => h.store.endpoints.get(REGION, name) === undefined, 'the record to disappear');
    assert.equal(h.hosting.get(REGION, name), undefined);
    assert.deepEqual(h.store.tags.list(e.arn), []);
    assert.equal(h.docker.present().length, 0);
    assert.deepEqual(
      h.docker.removals.filter((r) => ids.includes(r.id)).map((r) => r.id).sort(),
      [...ids].sort(),
      'each container removed',
    );
    assert.ok(h.docker.removals.every((r) => r.graceSeconds > 0), 'containers get a stop grace period');
    await assert.rejects(describeEp(h, name), (err: unknown) => {
      assert.ok(err instanceof AwsError);
      assert.equal(err.code, 'ValidationException');
      assert.match(err.message, /^Could not find endpoint "arn:aws:sagemaker:us-east-1:123456789012:endpoint\/endpoint-\d+"\.$/);
      return true;
    });
  });

  test('a Failed endpoint can be deleted', async (t) => {
    const h = await harness({});
    t.after(() => dispose(h));
    const name = await createEndpointWith(h, [{ image: 'missing/image:1' }]);
    assert.equal((await settled(h, name)).status, 'Failed');
    await deleteEndpoint({ EndpointName: name }, h.ctx);
    await waitUntil(() => h.store.endpoints.get(REGION, name) === undefined, 'the record to disappear');
    assert.equal(h.hosting.get(REGION, name), undefined);
  });

  test('DeleteEndpoint is refused while the endpoint is Creating', async (t) => {
    const slow = 'slow/model:1';
    const h = await harness({ [slow]: { ping: 100 } });
    t.after(() => dispose(h));
    const name = await createEndpointWith(h, [{ image: slow }]);
    await assert.rejects(
      Promise.resolve().then(() => deleteEndpoint({ EndpointName: name }, h.ctx)),
      (err: unknown) => err instanceof AwsError && err.code === 'ValidationException' && /in-progress endpoint/.test(err.message),
    );
    assert.equal((await settled(h, name)).status, 'InService');
  });
});

describe('Hosting: shutdown, restore and orphans', () => {
  test('shutdown stops every container and keeps the stored state', async (t) => {
    const h = await harness({ [OK_IMAGE]: OK });
    t.after(() => dispose(h));
    const a = await createEndpointWith(h, [{ image: OK_IMAGE, count: 2 }]);
    const b = await createEndpointWith(h, [{ image: OK_IMAGE }]);
    await settled(h, a);
    await settled(h, b);
    assert.equal(h.docker.running().length, 3);
    assert.equal(h.docker.listenerCount(), 1);

    await h.hosting.shutdown();
    assert.equal(h.docker.present().length, 0);
    assert.equal(h.docker.listenerCount(), 0, 'no longer listening for container exits');
    assert.equal(h.hosting.get(REGION, a), undefined);
    assert.equal(h.store.endpoints.get(REGION, a)?.status, 'InService', 'the state stays for the next start');
    assert.equal(h.store.endpoints.get(REGION, b)?.status, 'InService');
  });

  test('shutdown while an endpoint is starting stops its container and leaves it Creating', async (t) => {
    const stuck = 'stuck/model:1';
    const h = await harness({ [stuck]: { ping: 'never' } });
    t.after(() => dispose(h));
    const name = await createEndpointWith(h, [{ image: stuck }]);
    await waitUntil(() => h.docker.running().length === 1, 'the container to start');
    await h.hosting.shutdown();
    assert.equal(h.docker.present().length, 0);
    assert.equal(h.store.endpoints.get(REGION, name)?.status, 'Creating', 'not marked Failed by a shutdown');
  });

  test('restore() on a new gateway brings back InService endpoints, recreates Creating ones, finishes Deleting ones', async (t) => {
    const stuck = 'model/stuck-then-fixed:1';
    const first = await harness({ [OK_IMAGE]: OK, [stuck]: { ping: 'never' } });
    t.after(() => dispose(first, false));
    const serving = await createEndpointWith(first, [{ image: OK_IMAGE, count: 2 }]);
    const deleting = await createEndpointWith(first, [{ image: OK_IMAGE }]);
    const creating = await createEndpointWith(first, [{ image: stuck }]);
    assert.equal((await settled(first, serving)).status, 'InService');
    assert.equal((await settled(first, deleting)).status, 'InService');
    await waitUntil(() => first.docker.running().some((c) => c.image === stuck), 'the stuck container to start');
    await first.hosting.shutdown();
    // A crash in the middle of DeleteEndpoint leaves the record in Deleting.
    const d = first.store.endpoints.get(REGION, deleting)!;
    first.store.endpoints.put(REGION, deleting, { ...d, status: 'Deleting' });
    await dispose(first, false);

    // The new gateway's engine has the stuck image fixed.
    const second = restart(first, new FakeDocker({ images: { [OK_IMAGE]: OK, [stuck]: {} } }));
    t.after(() => dispose(second));
    second.hosting.restore();

    const restored = second.hosting.get(REGION, serving);
    assert.equal(restored?.status, 'InService', 'a restored endpoint is InService at once; requests wait on ready');
    await restored.ready;
    assert.equal(restored.fleets.get('AllTraffic')?.instanceCount(), 2);
    const record = second.store.endpoints.get(REGION, serving);
    assert.equal(record?.status, 'InService');
    assert.equal(record.variants[0]!.CurrentInstanceCount, 2);
    assert.equal(record.failureReason, undefined);

    assert.equal((await settled(second, creating)).status, 'InService');
    await waitUntil(() => second.store.endpoints.get(REGION, deleting) === undefined, 'the Deleting endpoint to disappear');
    assert.equal(second.hosting.get(REGION, deleting), undefined);

    const running = second.docker.running();
    assert.equal(running.filter((c) => c.labels[labels.endpoint] === serving).length, 2);
    assert.equal(running.filter((c) => c.labels[labels.endpoint] === creating).length, 1);
    assert.equal(running.filter((c) => c.labels[labels.endpoint] === deleting).length, 0);
    assert.ok(running.every((c) => c.labels[labels.gateway] === second.gatewayId));
  });

  test('restore() of an endpoint whose image is gone marks it Failed', async (t) => {
    const first = await harness({ [OK_IMAGE]: OK });
    t.after(() => dispose(first, false));
    const name = await createEndpointWith(first, [{ image: OK_IMAGE }]);
    assert.equal((await settled(first, name)).status, 'InService');
    await dispose(first, false);

    const second = restart(first, new FakeDocker({ images: {} }));
    t.after(() => dispose(second));
    second.hosting.restore();
    await second.hosting.get(REGION, name)?.ready;
    const e = second.store.endpoints.get(REGION, name);
    assert.equal(e?.status, 'Failed');
    assert.match(e.failureReason ?? '', /echo-model/);
  });

  test('removeOrphans removes containers of dead gateways only', async (t) => {
    const h = await harness({ [OK_IMAGE]: OK });
    t.after(() => dispose(h));
    const name = await createEndpointWith(h, [{ image: OK_IMAGE }]);
    assert.equal((await settled(h, name)).status, 'InService');
    const deadPid = String(spawnSync(process.execPath, ['-e', '']).pid);
    const foreign = (id: string, l: Record<string, string>) =>
      h.docker.foreign.set(id, { id, name: `sme-${id}`, labels: { [labels.managed]: 'true', ...l } });
    foreign('same-state-dir', { [labels.gateway]: 'gw-old', [labels.stateDir]: h.dir, [labels.gatewayHost]: 'elsewhere' });
    foreign('dead-process', {
      [labels.gateway]: 'gw-dead',
      [labels.stateDir]: '/other/state',
      [labels.gatewayHost]: os.hostname(),
      [labels.gatewayPid]: deadPid,
    });
    foreign('live-process', {
      [labels.gateway]: 'gw-live',
      [labels.stateDir]: '/other/state',
      [labels.gatewayHost]: os.hostname(),
      [labels.gatewayPid]: String(process.pid),
    });
    foreign('other-host', {
      [labels.gateway]: 'gw-remote',
      [labels.stateDir]: '/other/state',
      [labels.gatewayHost]: 'another-host',
      [labels.gatewayPid]: deadPid,
    });

    assert.equal(await h.hosting.removeOrphans(), 2);
    assert.deepEqual([...h.docker.foreign.keys()].sort(), ['live-process', 'other-host']);
    assert.equal(h.docker.running().length, 1, "this gateway's own container stays");
  });
});

describe('Hosting: containers that die while in service', () => {
  test('a crashed instance is replaced and the endpoint stays InService', async (t) => {
    const h = await harness({ [OK_IMAGE]: OK });
    t.after(() => dispose(h));
    const name = await createEndpointWith(h, [{ image: OK_IMAGE, count: 2 }]);
    assert.equal((await settled(h, name)).status, 'InService');
    const [victim, survivor] = h.docker.running();
    h.docker.crash(victim!.id);

    const fleet = h.hosting.get(REGION, name)?.fleets.get('AllTraffic');
    await waitUntil(
      () => h.docker.running().length === 2 && fleet?.instanceCount() === 2 && h.docker.present().length === 2,
      'a replacement instance',
    );
    const ids = h.docker.running().map((c) => c.id);
    assert.ok(ids.includes(survivor!.id));
    assert.ok(!ids.includes(victim!.id));
    assert.equal(h.docker.containers.get(victim!.id)?.removed, true, 'the dead container is removed');
    assert.equal(h.store.endpoints.get(REGION, name)?.status, 'InService');
  });
});

describe('Hosting: a stop that arrives while `docker run` is still in flight', () => {
  test(
    'shutdown during a slow docker run leaves no container behind',
    async (t) => {
      const slowRun = 'slow-run/model:1';
      const h = await harness({ [slowRun]: { runDelayMs: 100 } });
      t.after(() => dispose(h));
      await createEndpointWith(h, [{ image: slowRun }]);
      await waitUntil(() => h.docker.runsInFlight === 1, 'docker run to begin');
      await h.hosting.shutdown();
      await waitUntil(() => h.docker.runsInFlight === 0, 'docker run to return');
      await waitUntil(() => h.docker.present().length === 0, 'the late container to be removed', 1000);
    },
  );

  test(
    'a variant failing while another variant is still in docker run leaves no container behind',
    async (t) => {
      const slowRun = 'slow-run/model:1';
      const crash = 'crash/model:1';
      const h = await harness({ [slowRun]: { runDelayMs: 100 }, [crash]: { ping: 'exit' } });
      t.after(() => dispose(h));
      const name = await createEndpointWith(h, [
        { image: crash, name: 'Bad' },
        { image: slowRun, name: 'Slow' },
      ]);
      assert.equal((await settled(h, name)).status, 'Failed');
      await waitUntil(() => h.docker.runsInFlight === 0, 'docker run to return');
      await waitUntil(() => h.docker.present().length === 0, 'the late container to be removed', 1000);
    },
  );
});

describe('Hosting: resetAll (POST /_emulator/reset)', () => {
  test('every container goes (strays of this gateway too), deployments and artifacts are forgotten, the store is untouched', async (t) => {
    const stuck = 'stuck/model:1';
    const h = await harness({ [OK_IMAGE]: OK, [stuck]: { ping: 'never' } });
    t.after(() => dispose(h));
    const a = await createEndpointWith(h, [{ image: OK_IMAGE, count: 2 }]);
    const b = await createEndpointWith(h, [{ image: OK_IMAGE }]);
    assert.equal((await settled(h, a)).status, 'InService');
    assert.equal((await settled(h, b)).status, 'InService');
    const creating = await createEndpointWith(h, [{ image: stuck }]);
    await waitUntil(() => h.docker.running().some((c) => c.image === stuck), 'the stuck container to start');
    // A container of this gateway that no fleet knows, and one of another live gateway.
    h.docker.foreign.set('stray', { id: 'stray', name: 'sme-stray', labels: { [labels.managed]: 'true', [labels.gateway]: h.gatewayId } });
    h.docker.foreign.set('other', { id: 'other', name: 'sme-other', labels: { [labels.managed]: 'true', [labels.gateway]: 'gw-live-elsewhere' } });
    // A request in flight that never ends: the reset cuts it after a short grace.
    const lease = await h.hosting.get(REGION, a)!.fleets.get('AllTraffic')!.acquire(new AbortController().signal);

    const t0 = Date.now();
    await h.hosting.resetAll();
    assert.ok(Date.now() - t0 < 4000, `resetAll took ${Date.now() - t0} ms`);
    lease.release();

    assert.equal(h.docker.present().length, 0, 'every container this gateway started is removed');
    assert.deepEqual([...h.docker.foreign.keys()], ['other'], "the stray goes, another gateway's container stays");
    for (const name of [a, b, creating]) {
      assert.equal(h.hosting.get(REGION, name), undefined);
    }
    assert.equal(h.hosting.snapshot().length, 0);
    await assert.rejects(fs.stat(path.join(h.dir, 'models')), /ENOENT/, 'the artifact directories are gone');
    assert.equal(h.store.endpoints.get(REGION, a)?.status, 'InService', 'the store is the caller’s to clear');
    assert.equal(h.store.endpoints.get(REGION, creating)?.status, 'Creating', 'a cancelled creation writes nothing');
    assert.equal(h.docker.listenerCount(), 1, 'still listening for container exits');
  });

  test('after a reset the emulator deploys again', async (t) => {
    const h = await harness({ [OK_IMAGE]: OK });
    t.after(() => dispose(h));
    const before = await createEndpointWith(h, [{ image: OK_IMAGE }]);
    assert.equal((await settled(h, before)).status, 'InService');
    await h.hosting.resetAll();
    h.store.transaction(() => {
      for (const { region, doc } of h.store.endpoints.all()) {
        h.store.endpoints.delete(region, doc.name);
      }
    });

    const after = await createEndpointWith(h, [{ image: OK_IMAGE, count: 2 }]);
    const e = await settled(h, after);
    assert.equal(e.status, 'InService', e.failureReason);
    assert.equal(h.hosting.get(REGION, after)?.fleets.get('AllTraffic')?.instanceCount(), 2);
    assert.equal(h.docker.running().length, 2);
  });
});
