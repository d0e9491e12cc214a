import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { ListObjectsV2Command, type S3Client } from '@aws-sdk/client-s3';
import type {
  SageMakerClient} from '@aws-sdk/client-sagemaker';
import {
  DescribeEndpointCommand,
  UpdateEndpointWeightsAndCapacitiesCommand,
  waitUntilEndpointInService,
} from '@aws-sdk/client-sagemaker';
import type { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { InvokeEndpointAsyncCommand, type InvokeEndpointAsyncCommandOutput } from '@aws-sdk/client-sagemaker-runtime';
import { pollUntil, TIMEOUT, within } from '../helpers/bounded.js';
import { createAsyncEndpoint, createBucket, readObject, s3Client, waitForObject } from '../helpers/async-endpoint.js';
import { managedContainers, requireDocker } from '../helpers/docker.js';
import { startTestEmulator, type TestEmulator } from '../helpers/emulator.js';
import { sample, scrape } from '../helpers/metrics.js';
import { type ChildEmulator, cleanUpChildren, killRunning, startChild, stopChildGracefully, withChildLogs } from '../helpers/child-emulator.js';

/**
 * The async queue is durable (docs/aws-contract.md §8.3): requests accepted
 * with a 202 survive a SIGKILLed emulator and each writes its output exactly
 * once after the restart; an endpoint scaled to 0 instances keeps its requests
 * queued (HasBacklogWithoutCapacity 1) until it is scaled back.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
/** How long each request of the kill-while-running test takes: the window in which the kill must land. */
const SLOW_MS = 3000;

async function scaleTo(sm: SageMakerClient, endpoint: string, count: number): Promise<void> {
  await sm.send(
    new UpdateEndpointWeightsAndCapacitiesCommand({
      EndpointName: endpoint,
      DesiredWeightsAndCapacities: [{ VariantName: 'AllTraffic', DesiredInstanceCount: count }],
    }),
  );
  await waitUntilEndpointInService({ client: sm, maxWaitTime: 120, minDelay: 1, maxDelay: 1 }, { EndpointName: endpoint });
  const d = await sm.send(new DescribeEndpointCommand({ EndpointName: endpoint }));
  assert.equal(d.ProductionVariants?.[0]?.CurrentInstanceCount, count, `${endpoint} has ${count} instances`);
  assert.equal(d.FailureReason, undefined);
}

/** Every key under the prefix (bounded pages). */
async function listKeys(s3: S3Client, bucket: string, prefix: string): Promise<string[]> {
  const keys: string[] = [];
  let token: string | undefined;
  for (let page = 0; page < 100; page++) {
    const out = await s3.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token }));
    keys.push(...(out.Contents ?? []).map((c) => c.Key!));
    token = out.NextContinuationToken;
    if (!token) {
      return keys;
    }
  }
  assert.fail(`more than 100 pages under s3://${bucket}/${prefix}`);
}

const invokeInline = (runtime: SageMakerRuntimeClient, endpoint: string, body: unknown): Promise<InvokeEndpointAsyncCommandOutput> =>
  runtime.send(new InvokeEndpointAsyncCommand({ EndpointName: endpoint, Body: Buffer.from(JSON.stringify(body)), ContentType: 'application/json' }));

describe('async inference durability: SIGKILL, restart, scale to zero', { timeout: TIMEOUT.suite }, () => {
  const stateDirs = new Set<string>();
  const children = new Set<ChildEmulator>();

  before(() => {
    requireDocker();
  });

  after(async () => {
    const problems = await cleanUpChildren(children, stateDirs);
    assert.deepEqual(problems, []);
  });

  test('SIGKILL with 10 requests queued at 0 instances: after the restart all 10 outputs appear, exactly once', { timeout: TIMEOUT.long }, async () => {
    const stateDir = mkdtempSync(path.join(os.tmpdir(), 'sme-async-durable-'));
    stateDirs.add(stateDir);
    const first = await startChild(stateDir);
    children.add(first);
    let second: ChildEmulator | undefined;
    try {
      const bucket = await createBucket(first.s3, 'durable');
      const { endpoint } = await createAsyncEndpoint(first.sm, {
        OutputConfig: { S3OutputPath: `s3://${bucket}/out/`, S3FailurePath: `s3://${bucket}/failed/` },
        ClientConfig: { MaxConcurrentInvocationsPerInstance: 2 },
      });
      await scaleTo(first.sm, endpoint, 0);

      const accepted = new Map<string, { n: number; outputLocation: string }>();
      for (let n = 0; n < 10; n++) {
        const r = await invokeInline(first.runtime, endpoint, { durable: n, text: `request number ${n}` });
        assert.equal(r.OutputLocation, `s3://${bucket}/out/${r.InferenceId}.out`);
        accepted.set(r.InferenceId!, { n, outputLocation: r.OutputLocation });
      }
      assert.equal(accepted.size, 10, 'ten distinct inference ids');
      const metrics = await scrape(first.url);
      assert.equal(sample(metrics, 'sagemaker_approximate_backlog_size', { endpoint_name: endpoint }), 10);
      assert.equal(sample(metrics, 'sagemaker_has_backlog_without_capacity', { endpoint_name: endpoint }), 1);
      assert.deepEqual(await listKeys(first.s3, bucket, 'out/'), [], 'nothing ran at 0 instances');

      first.child.kill('SIGKILL');
      assert.deepEqual(await within('the SIGKILLed emulator to exit', 10_000, first.exited), { code: null, signal: 'SIGKILL' });
      first.destroyClients();
      children.delete(first);

      second = await startChild(stateDir);
      children.add(second);
      const restored = second;
      // The restart keeps the desired count (0) and the queue (10).
      await waitUntilEndpointInService({ client: restored.sm, maxWaitTime: 120, minDelay: 1, maxDelay: 1 }, { EndpointName: endpoint });
      const described = await restored.sm.send(new DescribeEndpointCommand({ EndpointName: endpoint }));
      assert.equal(described.ProductionVariants?.[0]?.CurrentInstanceCount, 0);
      assert.equal(sample(await scrape(restored.url), 'sagemaker_approximate_backlog_size', { endpoint_name: endpoint }), 10, 'the queue survived SIGKILL');

      await scaleTo(restored.sm, endpoint, 1);
      for (const [id, { n, outputLocation }] of accepted) {
        const output = JSON.parse(await waitForObject(restored.s3, outputLocation, 60_000)) as { input: unknown };
        assert.deepEqual(output.input, { durable: n, text: `request number ${n}` }, `output of ${id}`);
      }
      const keys = await listKeys(restored.s3, bucket, 'out/');
      assert.deepEqual(keys.sort(), [...accepted.keys()].map((id) => `out/${id}.out`).sort(), 'exactly the 10 outputs, each once');
      assert.deepEqual(await listKeys(restored.s3, bucket, 'failed/'), [], 'no failure files');
      await pollUntil(
        'the backlog to drain to 0',
        async () => sample(await scrape(restored.url), 'sagemaker_approximate_backlog_size', { endpoint_name: endpoint }) === 0,
        { timeoutMs: 10_000, intervalMs: 100 },
      );
      const metrics2 = await scrape(restored.url);
      const labels = { endpoint_name: endpoint, variant_name: 'AllTraffic' };
      assert.equal(sample(metrics2, 'sagemaker_async_invocations_processed_total', labels), 10, 'each ran once after the restart');
      assert.equal(sample(metrics2, 'sagemaker_has_backlog_without_capacity', { endpoint_name: endpoint }), 0);

      // SIGTERM: the restarted emulator removes its containers before it exits 0.
      await stopChildGracefully(restored, stateDir, children);
    } catch (err) {
      throw withChildLogs(err, [first, second]);
    } finally {
      await killRunning([first, second], children);
    }
  });

  test('SIGKILL while a slow request runs: the predecessor\'s container is removed, the interrupted request runs again, every output once', { timeout: TIMEOUT.long }, async () => {
    const stateDir = mkdtempSync(path.join(os.tmpdir(), 'sme-async-running-'));
    stateDirs.add(stateDir);
    const first = await startChild(stateDir);
    children.add(first);
    let second: ChildEmulator | undefined;
    try {
      const bucket = await createBucket(first.s3, 'running');
      const { endpoint } = await createAsyncEndpoint(first.sm, {
        OutputConfig: { S3OutputPath: `s3://${bucket}/out` },
        ClientConfig: { MaxConcurrentInvocationsPerInstance: 1 },
      });
      const accepted: { n: number; outputLocation: string }[] = [];
      for (let n = 0; n < 5; n++) {
        const r = await invokeInline(first.runtime, endpoint, { sleepMs: SLOW_MS, slow: n });
        accepted.push({ n, outputLocation: r.OutputLocation! });
      }
      // The first is done and the second has just started (one at a time, SLOW_MS each): kill at once,
      // before anything slower (docker ps) can let the second finish too.
      await waitForObject(first.s3, accepted[0]!.outputLocation, 30_000);
      first.child.kill('SIGKILL');
      await within('the SIGKILLed emulator to exit', 10_000, first.exited);
      first.destroyClients();
      children.delete(first);
      const oldContainers = managedContainers(stateDir, endpoint);
      assert.equal(oldContainers.length, 1, 'SIGKILL leaves the one instance\'s container behind');

      second = await startChild(stateDir);
      children.add(second);
      const restored = second;
      await waitUntilEndpointInService({ client: restored.sm, maxWaitTime: 120, minDelay: 1, maxDelay: 1 }, { EndpointName: endpoint });
      for (const { n, outputLocation } of accepted) {
        const output = JSON.parse(await waitForObject(restored.s3, outputLocation, 60_000)) as { input: unknown };
        assert.deepEqual(output.input, { sleepMs: SLOW_MS, slow: n });
      }
      const now = managedContainers(stateDir, endpoint);
      assert.equal(now.length, 1, 'one instance after the restart');
      assert.ok(!now.includes(oldContainers[0]!), 'the restarted emulator removed its predecessor\'s container');
      const keys = await listKeys(restored.s3, bucket, 'out/');
      assert.equal(keys.length, 5, `exactly 5 outputs: ${keys.join(', ')}`);
      // At least once: the request killed mid-run ran again after the restart, with the 3 that waited; the one done before did not.
      const processed = sample(await scrape(restored.url), 'sagemaker_async_invocations_processed_total', { endpoint_name: endpoint, variant_name: 'AllTraffic' });
      assert.equal(processed, 4, 'requests 1 (interrupted) to 4 ran after the restart, request 0 did not run again');

      await stopChildGracefully(restored, stateDir, children);
    } catch (err) {
      throw withChildLogs(err, [first, second]);
    } finally {
      await killRunning([first, second], children);
    }
  });

  describe('in process', { timeout: TIMEOUT.suite }, () => {
    let te: TestEmulator;
    let s3: S3Client;
    before(async () => {
      te = await startTestEmulator();
      stateDirs.add(te.stateDir);
      s3 = s3Client(te.url);
    });
    after(async () => {
      s3?.destroy();
      await te?.stop();
    });

    test('scaled to 0 the requests wait (HasBacklogWithoutCapacity 1, backlog = queued); scaled back to 1 they run and the gauge returns to 0', { timeout: TIMEOUT.long }, async () => {
      const bucket = await createBucket(s3, 'zero');
      const { endpoint } = await createAsyncEndpoint(te.sm, { OutputConfig: { S3OutputPath: `s3://${bucket}/out` } });
      const gauges = async () => {
        const m = await scrape(te.url);
        return {
          size: sample(m, 'sagemaker_approximate_backlog_size', { endpoint_name: endpoint }),
          withoutCapacity: sample(m, 'sagemaker_has_backlog_without_capacity', { endpoint_name: endpoint }),
        };
      };
      assert.deepEqual(await gauges(), { size: 0, withoutCapacity: 0 }, 'an idle async endpoint with an instance');

      await scaleTo(te.sm, endpoint, 0);
      assert.deepEqual(await gauges(), { size: 0, withoutCapacity: 0 }, 'no instance but nothing waits: no backlog without capacity');

      const queued = await Promise.all([0, 1, 2, 3].map((n) => invokeInline(te.runtime, endpoint, { zero: n })));
      assert.deepEqual(await gauges(), { size: 4, withoutCapacity: 1 });
      // Longer than the worker's safety re-check (1 s): still nothing runs.
      await sleep(1500);
      assert.deepEqual(await gauges(), { size: 4, withoutCapacity: 1 }, 'the requests still wait');
      for (const q of queued) {
        assert.equal(await readObject(s3, q.OutputLocation!), undefined, `no output for ${q.InferenceId} at 0 instances`);
      }
      const age = sample(await scrape(te.url), 'sagemaker_approximate_age_of_oldest_request_seconds', { endpoint_name: endpoint });
      assert.ok(age !== undefined && age >= 1.5, `the oldest request is at least 1.5 s old (${age})`);

      await scaleTo(te.sm, endpoint, 1);
      for (const [n, q] of queued.entries()) {
        assert.deepEqual((JSON.parse(await waitForObject(s3, q.OutputLocation!)) as { input: unknown }).input, { zero: n });
      }
      await pollUntil('the backlog gauges to return to 0', async () => {
        const g = await gauges();
        return g.size === 0 && g.withoutCapacity === 0 ? g : undefined;
      }, { timeoutMs: 10_000, intervalMs: 100 });
      assert.equal(sample(await scrape(te.url), 'sagemaker_async_invocations_processed_total', { endpoint_name: endpoint, variant_name: 'AllTraffic' }), 4);
    });
  });
});
