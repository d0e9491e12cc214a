import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DescribeEndpointCommand, UpdateEndpointWeightsAndCapacitiesCommand } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { backgroundLoop, pollUntil, TIMEOUT } from '../helpers/bounded.js';
import { requireDocker } from '../helpers/docker.js';
import { startTestEmulator, stopAndClean, type TestEmulator } from '../helpers/emulator.js';
import { dockerKill, runningContainers, seeded, untilConverged } from '../helpers/faults.js';
import { createEndpoint } from '../helpers/sagemaker.js';

/**
 * Model containers killed at random under load (docker kill, seeded): a
 * request fails only with ModelError (424), never an InternalFailure or a
 * 503, and the variant converges to its desired count, also when the kills
 * land while a scale-out or a scale-in runs, or before a new container's
 * /ping passes (the echo model's PING_DELAY_MS holds /ping at 503 after start).
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const CONCURRENCY = 6;

interface Tally {
  ok: number;
  failed: Map<string, number>;
}

/** A bounded invoke loop at CONCURRENCY; counts answers by error name and HTTP status. */
function invokeLoad(t: TestEmulator, endpoint: string, tally: Tally) {
  const body = new TextEncoder().encode(JSON.stringify({ sleepMs: 20 }));
  const one = (signal: AbortSignal) =>
    t.runtime.send(new InvokeEndpointCommand({ EndpointName: endpoint, Body: body, ContentType: 'application/json' }), { abortSignal: signal }).then(
      () => void tally.ok++,
      (err: Error & { $metadata?: { httpStatusCode?: number } }) => {
        if (signal.aborted) {
          return;
        }
        const key = `${err.name} ${err.$metadata?.httpStatusCode ?? '?'}`;
        tally.failed.set(key, (tally.failed.get(key) ?? 0) + 1);
      },
    );
  return backgroundLoop((signal) => Promise.all(Array.from({ length: CONCURRENCY }, () => one(signal))), { maxRounds: 20_000, maxMs: 90_000 });
}

function onlyModelErrors(tally: Tally): void {
  const others = [...tally.failed].filter(([key]) => key !== 'ModelError 424');
  assert.deepEqual(others, [], `failures other than ModelError 424: ${JSON.stringify([...tally.failed])}`);
}

async function scale(t: TestEmulator, endpoint: string, count: number): Promise<void> {
  await t.sm.send(
    new UpdateEndpointWeightsAndCapacitiesCommand({
      EndpointName: endpoint,
      DesiredWeightsAndCapacities: [{ VariantName: 'AllTraffic', DesiredInstanceCount: count }],
    }),
  );
}

describe('faults: model containers killed under load', { timeout: TIMEOUT.suite * 2 }, () => {
  let t: TestEmulator;
  before(async () => {
    requireDocker();
    t = await startTestEmulator();
  });
  after(() => stopAndClean(t));

  test('random kills on a 3-instance endpoint: only ModelError, and the variant gets back to 3', { timeout: TIMEOUT.long }, async () => {
    const { endpoint } = await createEndpoint(t.sm, { instanceCount: 3 });
    const random = seeded(15);
    const tally: Tally = { ok: 0, failed: new Map() };
    const load = invokeLoad(t, endpoint, tally);
    let kills = 0;
    try {
      for (let i = 0; i < 5; i++) {
        await sleep(300 + random() * 1200);
        const ids = runningContainers(t.stateDir, endpoint);
        if (ids.length > 0 && dockerKill(ids[Math.floor(random() * ids.length)]!)) {
          kills++;
        }
      }
    } finally {
      await load.stop();
    }
    const t0 = Date.now();
    const count = await untilConverged(t.sm, t.stateDir, endpoint);
    console.log(`[faults] random kills: ${kills} kills, ${tally.ok} ok, failures ${JSON.stringify([...tally.failed])}, converged to ${count} in ${Date.now() - t0} ms after the load`);
    assert.equal(count, 3);
    assert.ok(tally.ok > 0);
    onlyModelErrors(tally);
  });

  test('kills while a scale-out 1→3 and a scale-in 3→1 run, including containers still starting', { timeout: TIMEOUT.long }, async () => {
    // /ping answers 503 for 3 s after each start: the window in which a container is killed while starting.
    const { endpoint } = await createEndpoint(t.sm, { instanceCount: 1, environment: { PING_DELAY_MS: '3000' } });
    const tally: Tally = { ok: 0, failed: new Map() };
    const load = invokeLoad(t, endpoint, tally);
    const seen: string[] = [];
    try {
      const [first] = runningContainers(t.stateDir, endpoint);
      await scale(t, endpoint, 3);
      // Kill one of the new containers before its /ping passes.
      const fresh = await pollUntil('a scale-out container', () => runningContainers(t.stateDir, endpoint).find((id) => id !== first), { timeoutMs: 30_000 });
      assert.ok(dockerKill(fresh), 'killed a starting scale-out container');
      let count = await untilConverged(t.sm, t.stateDir, endpoint);
      seen.push(`scale-out 1→3 with a starting container killed: ${count} instances`);
      assert.equal(count, 3);

      // A kill just before the scale-in: its replacement is starting when the scale-in lands.
      const [victim] = runningContainers(t.stateDir, endpoint);
      assert.ok(dockerKill(victim!));
      await pollUntil('the replacement to start', () => runningContainers(t.stateDir, endpoint).length === 3 || undefined, { timeoutMs: 30_000 });
      await scale(t, endpoint, 1);
      // And a kill of a container during the scale-in.
      await sleep(200);
      const during = runningContainers(t.stateDir, endpoint);
      if (during.length > 0) {
        dockerKill(during[0]!);
      }
      count = await untilConverged(t.sm, t.stateDir, endpoint);
      seen.push(`scale-in 3→1 with kills before and during it: ${count} instance`);
      assert.equal(count, 1);
      const d = await t.sm.send(new DescribeEndpointCommand({ EndpointName: endpoint }));
      assert.equal(d.ProductionVariants?.[0]?.CurrentInstanceCount, 1);
    } finally {
      await load.stop();
    }
    console.log(`[faults] overlap: ${seen.join('; ')}; ${tally.ok} ok, failures ${JSON.stringify([...tally.failed])}`);
    onlyModelErrors(tally);
  });
});
