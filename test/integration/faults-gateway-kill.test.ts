import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  CreateEndpointConfigCommand,
  DescribeEndpointCommand,
  UpdateEndpointCommand,
  UpdateEndpointWeightsAndCapacitiesCommand,
  waitUntilEndpointInService,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointAsyncCommand, InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { createAsyncEndpoint, createBucket, putJson, waitForObject } from '../helpers/async-endpoint.js';
import { backgroundLoop, TIMEOUT, within } from '../helpers/bounded.js';
import { type ChildEmulator, cleanUpChildren, startChild, stopChildGracefully, withChildLogs } from '../helpers/child-emulator.js';
import { managedContainers, requireDocker } from '../helpers/docker.js';
import { uniqueName } from '../helpers/emulator.js';
import { untilConverged } from '../helpers/faults.js';
import { createEndpoint, createModel } from '../helpers/sagemaker.js';

/**
 * The gateway SIGKILLed while (a) an invoke loop runs, (b) a blue/green
 * UpdateEndpoint is starting its new fleet, (c) a scale-out 1→3 is starting
 * its instances and (d) async requests are queued on a slow model. A new
 * gateway on the same state directory brings every endpoint back InService
 * with its desired count, removes every container of the dead one, answers
 * InvokeEndpoint, and finishes each queued async request.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** /ping stays 503 this long after a start: the blue/green and the scale-out are still starting when the kill lands. */
const SLOW_START = { PING_DELAY_MS: '4000' };
const ASYNC_SLEEP_MS = 1500;
const ASYNC_REQUESTS = 6;

const invoke = (c: ChildEmulator, endpoint: string) =>
  c.runtime.send(new InvokeEndpointCommand({ EndpointName: endpoint, Body: new TextEncoder().encode('{"x":1}'), ContentType: 'application/json' }));

describe('faults: the gateway SIGKILLed during traffic, a blue/green update, a scale-out and queued async work', { timeout: TIMEOUT.suite }, () => {
  const stateDirs = new Set<string>();
  const children = new Set<ChildEmulator>();
  before(() => requireDocker());
  after(async () => assert.deepEqual(await cleanUpChildren(children, stateDirs), []));

  test('SIGKILL and restart on the same state: all InService at their desired counts, no orphan, async outputs written', { timeout: TIMEOUT.long * 2 }, async () => {
    const stateDir = mkdtempSync(path.join(os.tmpdir(), 'sme-faults-kill-'));
    stateDirs.add(stateDir);
    const first = await startChild(stateDir);
    children.add(first);
    let second: ChildEmulator | undefined;
    try {
      const traffic = (await createEndpoint(first.sm, { instanceCount: 2 })).endpoint;
      const blueGreen = (await createEndpoint(first.sm, { instanceCount: 1 })).endpoint;
      const scaling = (await createEndpoint(first.sm, { instanceCount: 1, environment: SLOW_START })).endpoint;
      const bucket = await createBucket(first.s3, 'faults');
      const asyncEp = (
        await createAsyncEndpoint(first.sm, {
          OutputConfig: { S3OutputPath: `s3://${bucket}/out/` },
          ClientConfig: { MaxConcurrentInvocationsPerInstance: 1 },
        })
      ).endpoint;
      const endpoints = [traffic, blueGreen, scaling, asyncEp];

      // (d) queued async requests: each sleeps 1.5 s, one at a time, so most are still queued at the kill.
      const outputs: string[] = [];
      for (let n = 0; n < ASYNC_REQUESTS; n++) {
        const input = await putJson(first.s3, bucket, `in/${n}.json`, { sleepMs: ASYNC_SLEEP_MS, n });
        const r = await first.runtime.send(new InvokeEndpointAsyncCommand({ EndpointName: asyncEp, InputLocation: input, ContentType: 'application/json' }));
        outputs.push(r.OutputLocation!);
      }
      // (b) blue/green to a config with another (slow-starting) model.
      const greenModel = await createModel(first.sm, { environment: SLOW_START });
      const greenConfig = uniqueName('green');
      await first.sm.send(
        new CreateEndpointConfigCommand({
          EndpointConfigName: greenConfig,
          ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: greenModel, InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }],
        }),
      );
      await first.sm.send(new UpdateEndpointCommand({ EndpointName: blueGreen, EndpointConfigName: greenConfig }));
      // (c) a scale-out 1→3 of a slow-starting model.
      await first.sm.send(
        new UpdateEndpointWeightsAndCapacitiesCommand({
          EndpointName: scaling,
          DesiredWeightsAndCapacities: [{ VariantName: 'AllTraffic', DesiredInstanceCount: 3 }],
        }),
      );
      // (a) an invoke loop; the kill lands 1.5 s into it, with (b) and (c) still starting.
      let ok = 0;
      let failed = 0;
      const load = backgroundLoop(() => invoke(first, traffic).then(() => void ok++, () => void failed++), { maxRounds: 5000, maxMs: 30_000 });
      await sleep(1500);
      const before = managedContainers(stateDir);
      const statuses = await Promise.all(endpoints.map(async (e) => (await first.sm.send(new DescribeEndpointCommand({ EndpointName: e }))).EndpointStatus));
      first.child.kill('SIGKILL');
      assert.deepEqual(await within('the SIGKILLed emulator to exit', 10_000, first.exited), { code: null, signal: 'SIGKILL' });
      await load.stop();
      first.destroyClients();
      children.delete(first);

      const t0 = Date.now();
      second = await startChild(stateDir);
      children.add(second);
      const restored = second;
      const counts: number[] = [];
      for (const e of endpoints) {
        await waitUntilEndpointInService({ client: restored.sm, maxWaitTime: 120, minDelay: 1, maxDelay: 1 }, { EndpointName: e });
        counts.push(await untilConverged(restored.sm, stateDir, e));
      }
      const inServiceMs = Date.now() - t0;
      const now = managedContainers(stateDir);
      assert.deepEqual(
        now.filter((id) => before.some((old) => old.startsWith(id) || id.startsWith(old))),
        [],
        'no container of the dead gateway remains',
      );
      assert.equal(now.length, counts.reduce((a, b) => a + b, 0), 'the new gateway runs exactly the desired instances');
      for (const e of [traffic, blueGreen, scaling]) {
        assert.equal((await invoke(restored, e)).$metadata.httpStatusCode, 200);
      }
      for (const uri of outputs) {
        const out = JSON.parse(await waitForObject(restored.s3, uri, 60_000)) as { input: { n: number } };
        assert.equal(typeof out.input.n, 'number');
      }
      const asyncMs = Date.now() - t0;
      console.log(
        `[faults] gateway SIGKILL: statuses at the kill ${JSON.stringify(statuses)}, ${before.length} containers of the dead gateway, ` +
          `${ok} ok / ${failed} failed invocations before the kill; after restart all InService with counts ${JSON.stringify(counts)} in ${inServiceMs} ms, ` +
          `${now.length} containers (none old), ${outputs.length} async outputs in ${asyncMs} ms`,
      );
      await stopChildGracefully(restored, stateDir, children);
    } catch (err) {
      throw withChildLogs(err, [first, second]);
    }
  });
});
