import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pino from 'pino';
import { ProvisionedFleet } from '../../src/hosting/provisioned-fleet.js';
import { systemClock } from '../../src/shared/clock.js';
import { TIMEOUT } from '../helpers/bounded.js';
import { FakeDocker, type FakeImage } from '../helpers/fake-docker.js';

/**
 * The fleet converges to its desired count whatever overlaps: a container
 * killed while a scale-in or a scale-out runs, or killed before its /ping
 * passes. The reported bug (an endpoint InService with CurrentInstanceCount 0,
 * invocations failing with "The instance was stopped while its container was
 * starting") came from a scale-in that kept the replacement still starting for
 * a killed instance and stopped the ready ones, and from starts that a resize
 * cancelled and nobody made up for. These run on the fake docker (real HTTP
 * /ping servers), with the system clock: the ping delays are real but short.
 */

const log = pino({ level: 'silent' });
const IMAGE = 'slow-ping/model:1';
/** /ping answers 503 for this long after a container starts: a window to kill it in. */
const PING_DELAY_MS = 300;

function fleetOn(docker: FakeDocker, count: number): ProvisionedFleet {
  const fleet = new ProvisionedFleet(
    'AllTraffic',
    { kind: 'instance', hourly: 0 },
    count,
    {
      endpointName: 'ep',
      variantName: 'AllTraffic',
      region: 'us-east-1',
      image: IMAGE,
      environment: {},
      modelDir: '/tmp',
      memoryBytes: 256 * 1024 * 1024,
      nanoCpus: 1e9,
      startupTimeoutMs: 10_000,
    },
    { docker, log, containerHost: '127.0.0.1', gatewayLabels: {}, poolConnections: 2, clock: systemClock },
  );
  docker.onExit((e) => fleet.containerExited(e));
  return fleet;
}

function fakeDocker(image: FakeImage = { ping: PING_DELAY_MS }): FakeDocker {
  return new FakeDocker({ images: { [IMAGE]: image } });
}

async function waitUntil(check: () => boolean, what: string, timeoutMs = 8000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) {
      throw new Error(`gave up after ${timeoutMs} ms waiting for ${what}`);
    }
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** Converged: `count` ready instances, as many running containers, and it stays so (no late extra start). */
async function assertConverged(fleet: ProvisionedFleet, docker: FakeDocker, count: number): Promise<void> {
  await waitUntil(() => fleet.instanceCount() === count && docker.running().length === count, `${count} ready instances`);
  await new Promise((r) => setTimeout(r, PING_DELAY_MS * 3));
  assert.equal(fleet.instanceCount(), count, 'ready instances');
  assert.equal(docker.running().length, count, 'running containers');
  assert.equal(fleet.listInstances().length, count, 'instances in the fleet');
}

/** The newest running container whose /ping does not pass yet. */
const startingContainer = (docker: FakeDocker) =>
  docker.running().find((c) => Date.now() - c.startedAt < PING_DELAY_MS - 50);

describe('ProvisionedFleet converges to its desired count', { timeout: TIMEOUT.suite }, () => {
  test('a kill just before a scale-in 3→1: the scale-in does not keep only the starting replacement', async (t) => {
    const docker = fakeDocker();
    const fleet = fleetOn(docker, 3);
    t.after(() => fleet.stop(0));
    await fleet.start();
    docker.crash(docker.running()[0]!.id);
    await waitUntil(() => startingContainer(docker) !== undefined, 'the replacement to start');
    await fleet.scaleTo(1);
    // What the resize stores as CurrentInstanceCount: 0 before the fix (only the starting replacement was kept).
    assert.equal(fleet.instanceCount(), 1, 'ready instances when the scale-in ends');
    await assertConverged(fleet, docker, 1);
  });

  test('a container killed before its /ping passes during a scale-out 1→3 is replaced, the scale-out succeeds', async (t) => {
    const docker = fakeDocker();
    const fleet = fleetOn(docker, 1);
    t.after(() => fleet.stop(0));
    await fleet.start();
    const scaling = fleet.scaleTo(3);
    await waitUntil(() => startingContainer(docker) !== undefined, 'a scale-out container to start');
    docker.crash(startingContainer(docker)!.id);
    await scaling;
    assert.equal(fleet.instanceCount(), 3);
    await assertConverged(fleet, docker, 3);
  });

  test('a ready instance killed during a scale-out 1→3 is replaced', async (t) => {
    const docker = fakeDocker();
    const fleet = fleetOn(docker, 1);
    t.after(() => fleet.stop(0));
    await fleet.start();
    const [first] = docker.running();
    const scaling = fleet.scaleTo(3);
    await waitUntil(() => docker.running().length === 3, 'the scale-out containers');
    docker.crash(first!.id);
    await scaling;
    await assertConverged(fleet, docker, 3);
  });

  test('a replacement killed while starting is replaced again; two kills at once start two, not more', async (t) => {
    const docker = fakeDocker();
    const fleet = fleetOn(docker, 3);
    t.after(() => fleet.stop(0));
    await fleet.start();
    const [a, b] = docker.running();
    docker.crash(a!.id);
    docker.crash(b!.id);
    await waitUntil(() => startingContainer(docker) !== undefined, 'a replacement to start');
    docker.crash(startingContainer(docker)!.id);
    await assertConverged(fleet, docker, 3);
  });

  test('a scale-in 3→1 that cancels a starting replacement does not grow the fleet back', async (t) => {
    const docker = fakeDocker();
    const fleet = fleetOn(docker, 3);
    t.after(() => fleet.stop(0));
    await fleet.start();
    docker.crash(docker.running()[0]!.id);
    await waitUntil(() => startingContainer(docker) !== undefined, 'the replacement to start');
    const starting = startingContainer(docker)!;
    await fleet.scaleTo(1);
    assert.equal(docker.containers.get(starting.id)?.removed, true, 'the starting replacement was the one to go');
    await assertConverged(fleet, docker, 1);
  });

  test('a kill during a scale-in 3→1 of the instance that stays is replaced', async (t) => {
    const docker = fakeDocker();
    const fleet = fleetOn(docker, 3);
    t.after(() => fleet.stop(0));
    await fleet.start();
    const scaling = fleet.scaleTo(1);
    const kept = fleet.listInstances()[0]!;
    docker.crash(kept.containerId!);
    await scaling;
    await assertConverged(fleet, docker, 1);
  });

  test('a model that crashes at start still fails the scale-out (no endless retries)', async (t) => {
    const docker = fakeDocker();
    const fleet = fleetOn(docker, 1);
    t.after(() => fleet.stop(0));
    await fleet.start();
    docker.images.set(IMAGE, { ping: 'exit', exitCode: 1 });
    await assert.rejects(fleet.scaleTo(3), /exited with code 1/);
    docker.images.set(IMAGE, { ping: PING_DELAY_MS });
    await fleet.scaleTo(1);
    await assertConverged(fleet, docker, 1);
  });
});
