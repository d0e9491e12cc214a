import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pino from 'pino';
import type { ContainerClient } from '../../src/docker/container-client.js';
import { ColdStartError, ThrottledError } from '../../src/hosting/errors.js';
import { ModelInstance } from '../../src/hosting/model-instance.js';
import { ServerlessFleet, type ServerlessSettings } from '../../src/hosting/serverless-fleet.js';
import { FakeClock } from '../helpers/fake-clock.js';

const log = pino({ level: 'silent' });

/** An instance whose start the test finishes by hand: no Docker, no sleeps. */
class ManualInstance extends ModelInstance {
  startCalls = 0;
  stopped = false;
  private finish!: (err?: Error) => void;

  constructor(readonly coldStart: boolean) {
    super(
      {
        endpointName: 'e',
        variantName: 'v',
        region: 'us-east-1',
        image: 'img',
        environment: {},
        modelDir: '/tmp',
        memoryBytes: 1024 ** 3,
        nanoCpus: 1e9,
        startupTimeoutMs: 1000,
      },
      { docker: {} as ContainerClient, log, containerHost: '127.0.0.1', gatewayLabels: {}, poolConnections: 1, clock: new FakeClock() },
    );
  }

  override start(): Promise<void> {
    this.startCalls++;
    return new Promise<void>((resolve, reject) => {
      this.finish = (err) => {
        if (err) {
          this.status = 'Failed';
          reject(err);
        } else {
          this.status = 'Ready';
          resolve();
        }
      };
    });
  }

  becomeReady(): void {
    this.finish();
  }

  failToStart(message: string): void {
    this.finish(new Error(message));
  }

  override async stop(): Promise<void> {
    this.stopped = true;
    this.status = 'Stopped';
  }
}

function makeFleet(settings: Partial<ServerlessSettings> = {}) {
  const clock = new FakeClock();
  const instances: ManualInstance[] = [];
  const coldStarts: number[] = [];
  let throttles = 0;
  const fleet = new ServerlessFleet(
    'v',
    { kind: 'serverless', perSecond: 0.00002 },
    { maxConcurrency: 2, provisionedConcurrency: 0, idleTimeoutMs: 60_000, containerConcurrency: 1, ...settings },
    {
      create: (cold) => {
        const i = new ManualInstance(cold);
        instances.push(i);
        return i;
      },
    },
    clock,
    log,
    { coldStart: (ms) => coldStarts.push(ms), throttled: () => throttles++ },
  );
  return { fleet, clock, instances, coldStarts, throttles: () => throttles };
}

const flush = () => new Promise((r) => setImmediate(r));
const signal = () => new AbortController().signal;

describe('ServerlessFleet admission', () => {
  test('a request on an empty fleet starts one container and waits for it', async () => {
    const { fleet, instances, clock, coldStarts } = makeFleet();
    const pending = fleet.acquire(signal());
    await flush();
    assert.equal(instances.length, 1);
    assert.equal(fleet.snapshot().starting, 1);
    clock.advance(250);
    instances[0]!.becomeReady();
    const lease = await pending;
    assert.equal(lease.instance, instances[0]);
    assert.deepEqual(coldStarts, [250], 'one ModelSetupTime sample per cold start');
    lease.release();
    // Warm now: the next request uses the same container without a start.
    const again = await fleet.acquire(signal());
    assert.equal(again.instance, instances[0]);
    assert.equal(instances.length, 1);
    again.release();
  });

  test('concurrent requests during a cold start: one start per needed container, never a herd', async () => {
    const { fleet, instances } = makeFleet({ maxConcurrency: 3 });
    const leases = [fleet.acquire(signal()), fleet.acquire(signal()), fleet.acquire(signal())];
    await flush();
    assert.equal(instances.length, 3, 'three requests at concurrency 1 per container need three containers');
    const { fleet: f2, instances: i2 } = makeFleet({ maxConcurrency: 10, containerConcurrency: 4 });
    const joined = Array.from({ length: 6 }, () => f2.acquire(signal()));
    await flush();
    assert.equal(i2.length, 2, 'six requests at concurrency 4 per container join two starts');
    i2.forEach((i) => i.becomeReady());
    (await Promise.all(joined)).forEach((l) => l.release());
    instances.forEach((i) => i.becomeReady());
    (await Promise.all(leases)).forEach((l) => l.release());
  });

  test('beyond MaxConcurrency the request is throttled at once (ThrottledError: ThrottlingException on the wire)', async () => {
    const { fleet, instances, throttles } = makeFleet({ maxConcurrency: 2 });
    const a = fleet.acquire(signal());
    const b = fleet.acquire(signal());
    await assert.rejects(fleet.acquire(signal()), (err: unknown) => {
      assert.ok(err instanceof ThrottledError);
      assert.equal(err.maxConcurrency, 2);
      assert.equal(err.variantName, 'v');
      return true;
    });
    assert.equal(throttles(), 1);
    instances.forEach((i) => i.becomeReady());
    const [la, lb] = await Promise.all([a, b]);
    la.release();
    // A released place is free again.
    const c = await fleet.acquire(signal());
    assert.equal(fleet.snapshot().admitted, 2);
    lb.release();
    c.release();
    assert.equal(fleet.snapshot().admitted, 0);
  });

  test('a client that disconnects while waiting frees its place; the container still warms up', async () => {
    const { fleet, instances } = makeFleet({ maxConcurrency: 1 });
    const ac = new AbortController();
    const pending = fleet.acquire(ac.signal);
    await flush();
    ac.abort(new Error('client went away'));
    await assert.rejects(pending, /client went away/);
    assert.equal(fleet.snapshot().admitted, 0);
    instances[0]!.becomeReady();
    await flush();
    assert.equal(fleet.snapshot().ready, 1);
    const lease = await fleet.acquire(signal());
    assert.equal(lease.instance, instances[0]);
    lease.release();
  });

  test('a container that frees up serves a request still waiting on a cold start', async () => {
    const { fleet, instances } = makeFleet({ maxConcurrency: 2 });
    const first = fleet.acquire(signal());
    await flush();
    instances[0]!.becomeReady();
    const l1 = await first;
    const second = fleet.acquire(signal());
    await flush();
    assert.equal(instances.length, 2);
    l1.release();
    const l2 = await second;
    assert.equal(l2.instance, instances[0], 'served by the warm container, not the one still starting');
    instances[1]!.becomeReady();
    l2.release();
  });

  test('a failed cold start fails its waiters with the reason, and the next request starts afresh', async () => {
    const { fleet, instances } = makeFleet();
    const pending = fleet.acquire(signal());
    await flush();
    instances[0]!.failToStart('did not pass the ping health check within 1 seconds');
    await assert.rejects(pending, (err: unknown) => err instanceof ColdStartError && /ping health check/.test(err.message));
    assert.equal(fleet.snapshot().admitted, 0);
    assert.ok(instances[0]!.stopped);
    const next = fleet.acquire(signal());
    await flush();
    assert.equal(instances.length, 2);
    instances[1]!.becomeReady();
    (await next).release();
  });
});

describe('ServerlessFleet scale to zero', () => {
  test('an idle container is removed after the idle timeout; the next request is cold again', async () => {
    const { fleet, instances, clock } = makeFleet({ idleTimeoutMs: 120_000 });
    const p = fleet.acquire(signal());
    await flush();
    instances[0]!.becomeReady();
    (await p).release();
    clock.advance(119_999);
    assert.equal(fleet.snapshot().ready, 1);
    clock.advance(1);
    assert.equal(fleet.snapshot().ready, 0);
    assert.ok(instances[0]!.stopped);
    const q = fleet.acquire(signal());
    await flush();
    assert.equal(instances.length, 2, 'cold start after scale to zero');
    instances[1]!.becomeReady();
    (await q).release();
  });

  test('activity resets the idle clock, and a busy container is never reaped', async () => {
    const { fleet, instances, clock } = makeFleet({ idleTimeoutMs: 1000 });
    const p = fleet.acquire(signal());
    await flush();
    instances[0]!.becomeReady();
    (await p).release();
    clock.advance(900);
    const busy = await fleet.acquire(signal());
    clock.advance(5000);
    assert.equal(fleet.snapshot().ready, 1, 'serving: not reaped');
    busy.release();
    clock.advance(999);
    assert.equal(fleet.snapshot().ready, 1);
    clock.advance(1);
    assert.equal(fleet.snapshot().ready, 0);
  });

  test('a starting container is never reaped, whatever the time', async () => {
    const { fleet, instances, clock } = makeFleet({ idleTimeoutMs: 10 });
    const p = fleet.acquire(signal());
    await flush();
    clock.advance(1_000_000);
    assert.equal(fleet.snapshot().starting, 1);
    assert.equal(instances[0]!.stopped, false);
    instances[0]!.becomeReady();
    (await p).release();
  });

  test('ProvisionedConcurrency containers start with the fleet, are used first, and are never reaped', async () => {
    const { fleet, instances, clock } = makeFleet({ maxConcurrency: 3, provisionedConcurrency: 2, idleTimeoutMs: 1000 });
    const started = fleet.start();
    await flush();
    assert.equal(instances.length, 2);
    assert.ok(instances.every((i) => !i.coldStart));
    instances.forEach((i) => i.becomeReady());
    await started;
    const a = await fleet.acquire(signal());
    const b = await fleet.acquire(signal());
    const provisioned: unknown[] = instances.slice(0, 2);
    assert.ok(provisioned.includes(a.instance) && provisioned.includes(b.instance));
    const c = fleet.acquire(signal());
    await flush();
    assert.equal(instances.length, 3, 'spillover beyond the provisioned floor starts an on-demand container');
    assert.equal(instances[2]!.coldStart, true);
    instances[2]!.becomeReady();
    (await c).release();
    a.release();
    b.release();
    clock.advance(10_000);
    assert.equal(fleet.snapshot().ready, 2, 'the on-demand container is reaped, the provisioned ones stay');
    assert.equal(clock.pending(), 0);
  });
});
