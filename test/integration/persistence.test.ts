import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import type {
  SageMakerClient} from '@aws-sdk/client-sagemaker';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DescribeEndpointCommand,
  type DescribeEndpointCommandOutput,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  ListEndpointsCommand,
  ListModelsCommand,
  ListTagsCommand,
  waitUntilEndpointInService,
} from '@aws-sdk/client-sagemaker';
import type { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { dockerInspect, ECHO_IMAGE, managedContainers, requireDocker } from '../helpers/docker.js';
import { makeModelTarball, startTestEmulator, type TestEmulator, uniqueName } from '../helpers/emulator.js';
import { createEndpoint } from '../helpers/sagemaker.js';
import { TIMEOUT, within } from '../helpers/bounded.js';
import { type ChildEmulator, cleanUpChildren, startChild, stopChildGracefully } from '../helpers/child-emulator.js';

/**
 * State survives the gateway: a clean restart brings endpoints back, a killed
 * gateway's containers are removed by the next one as orphans, and SIGTERM
 * removes every container before the process exits 0.
 */

const ROLE = 'arn:aws:iam::123456789012:role/test';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface EchoAnswer {
  model: { name: string; version: string } | null;
  input: unknown;
  env: Record<string, string | null>;
  hostname: string;
}

async function invoke(runtime: SageMakerRuntimeClient, endpoint: string, body: unknown): Promise<EchoAnswer> {
  const r = await runtime.send(
    new InvokeEndpointCommand({
      EndpointName: endpoint,
      Body: new TextEncoder().encode(JSON.stringify(body)),
      ContentType: 'application/json',
    }),
  );
  assert.equal(r.InvokedProductionVariant, 'AllTraffic');
  return JSON.parse(new TextDecoder().decode(r.Body)) as EchoAnswer;
}

/** Polls DescribeEndpoint until the status is `want` (anything but Creating/InService/Updating fails at once). */
async function waitForStatus(sm: SageMakerClient, endpoint: string, want: string, limitMs = 120_000): Promise<DescribeEndpointCommandOutput> {
  const deadline = Date.now() + limitMs;
  for (let round = 0; ; round++) {
    const d = await sm.send(new DescribeEndpointCommand({ EndpointName: endpoint }));
    if (d.EndpointStatus === want) {
      return d;
    }
    assert.ok(
      ['Creating', 'InService', 'Updating', 'SystemUpdating'].includes(d.EndpointStatus ?? ''),
      `endpoint ${endpoint} is ${d.EndpointStatus}: ${d.FailureReason ?? ''}`,
    );
    assert.ok(Date.now() < deadline && round < limitMs / 250, `endpoint ${endpoint} still ${d.EndpointStatus} after ${limitMs} ms`);
    await sleep(250);
  }
}

/**
 * Invokes until one call succeeds (60 s at most). A restore still under way may
 * refuse a call; the test "a request that arrives while the endpoint is being
 * restored waits for it" is the one that holds the emulator to better.
 */
async function invokeOnceServing(runtime: SageMakerRuntimeClient, endpoint: string, body: unknown): Promise<EchoAnswer> {
  let lastError: unknown;
  for (let round = 0, deadline = Date.now() + 60_000; Date.now() < deadline && round < 240; round++) {
    try {
      return await invoke(runtime, endpoint, body);
    } catch (err) {
      lastError = err;
      await sleep(250);
    }
  }
  assert.fail(`endpoint ${endpoint} never served: ${String(lastError)}`);
}

function isRunning(id: string): boolean {
  return (dockerInspect(id).State as { Running: boolean }).Running;
}

describe('persistence and clean-up across gateway restarts', { timeout: TIMEOUT.suite }, () => {
  /** In-process emulators still running, stopped in after(). */
  const running = new Set<TestEmulator>();
  const children = new Set<ChildEmulator>();
  const stateDirs = new Set<string>();
  const tarballs: string[] = [];

  const newStateDir = () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sme-persist-'));
    stateDirs.add(dir);
    return dir;
  };
  const track = (te: TestEmulator) => {
    running.add(te);
    stateDirs.add(te.stateDir);
    return te;
  };
  const stop = async (te: TestEmulator) => {
    running.delete(te);
    await te.stop();
  };

  before(() => {
    requireDocker();
  });

  after(async () => {
    for (const te of running) {
      await te.stop();
    }
    const problems = await cleanUpChildren(children, stateDirs);
    for (const t of tarballs) {
      rmSync(path.dirname(t), { recursive: true, force: true });
    }
    assert.deepEqual(problems, []);
  });

  describe('restart on the same state directory', { timeout: TIMEOUT.suite }, () => {
    /** What the first gateway made; filled by the first test, read by the next ones. */
    let made:
      | {
          second: TestEmulator;
          stateDir: string;
          modelA: string;
          modelB: string;
          config: string;
          endpoint: string;
          endpointArn: string;
          firstAnswer: EchoAnswer;
          oldContainers: string[];
          /** An invocation sent the moment the second gateway listened, while the endpoint was being restored. */
          early: Promise<{ ok: EchoAnswer } | { error: Error }>;
        }
      | undefined;
    const state = () => {
      assert.ok(made, 'the first test of this suite did not get as far as the restart');
      return made;
    };

    test('stop() removes the containers; restart() starts on the same state', { timeout: TIMEOUT.long }, async () => {
      const tarball = makeModelTarball('persist');
      tarballs.push(tarball);
      const first = track(await startTestEmulator());
      const { sm, runtime, stateDir } = first;
      const modelA = uniqueName('persist-a');
      const modelB = uniqueName('persist-b');
      const config = uniqueName('persist-config');
      const endpoint = uniqueName('persist-ep');
      await sm.send(
        new CreateModelCommand({
          ModelName: modelA,
          ExecutionRoleArn: ROLE,
          PrimaryContainer: { Image: ECHO_IMAGE, ModelDataUrl: pathToFileURL(tarball).href, Environment: { MODEL_GREETING: 'hello' } },
          Tags: [{ Key: 'kind', Value: 'model' }],
        }),
      );
      await sm.send(new CreateModelCommand({ ModelName: modelB, ExecutionRoleArn: ROLE, PrimaryContainer: { Image: ECHO_IMAGE } }));
      await sm.send(
        new CreateEndpointConfigCommand({
          EndpointConfigName: config,
          ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: modelA, InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }],
          Tags: [{ Key: 'kind', Value: 'config' }],
        }),
      );
      const { EndpointArn: endpointArn } = await sm.send(
        new CreateEndpointCommand({
          EndpointName: endpoint,
          EndpointConfigName: config,
          Tags: [
            { Key: 'team', Value: 'ml' },
            { Key: 'stage', Value: 'test' },
          ],
        }),
      );
      await waitUntilEndpointInService({ client: sm, maxWaitTime: 120, minDelay: 1, maxDelay: 1 }, { EndpointName: endpoint });
      const firstAnswer = await invoke(runtime, endpoint, { n: 1 });
      assert.deepEqual(firstAnswer.model, { name: 'echo', version: 'persist' });
      assert.equal(firstAnswer.env.MODEL_GREETING, 'hello');
      const oldContainers = managedContainers(stateDir);
      assert.equal(oldContainers.length, 1, 'one container for one instance');

      await stop(first);
      assert.deepEqual(managedContainers(stateDir), [], 'stop() removed the model containers');

      const second = track(await first.restart());
      // A client that keeps calling across the restart: its request must wait for the restore, not fail.
      const early = invoke(second.runtime, endpoint, { n: 'early' }).then(
        (ok) => ({ ok }),
        (error: Error) => ({ error }),
      );
      assert.equal(second.stateDir, stateDir);
      made = { second, stateDir, modelA, modelB, config, endpoint, endpointArn: endpointArn!, firstAnswer, oldContainers, early };
      await early;
    });

    test('models, the config, the endpoint and every tag are still there', { timeout: TIMEOUT.long }, async () => {
      const { second, modelA, modelB, config, endpoint, endpointArn } = state();
      const sm = second.sm;
      const tarballUrl = pathToFileURL(tarballs[0]!).href;
      const a = await sm.send(new DescribeModelCommand({ ModelName: modelA }));
      assert.equal(a.PrimaryContainer?.Image, ECHO_IMAGE);
      assert.equal(a.PrimaryContainer?.ModelDataUrl, tarballUrl);
      assert.deepEqual(a.PrimaryContainer?.Environment, { MODEL_GREETING: 'hello' });
      const b = await sm.send(new DescribeModelCommand({ ModelName: modelB }));
      assert.equal(b.ModelName, modelB);
      const models = await sm.send(new ListModelsCommand({ NameContains: 'persist-' }));
      assert.deepEqual(models.Models?.map((m) => m.ModelName).sort(), [modelA, modelB].sort());

      const c = await sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: config }));
      assert.equal(c.ProductionVariants?.[0]?.ModelName, modelA);
      assert.equal(c.ProductionVariants?.[0]?.InitialInstanceCount, 1);

      const endpoints = await sm.send(new ListEndpointsCommand({ NameContains: endpoint }));
      assert.deepEqual(
        endpoints.Endpoints?.map((e) => e.EndpointName),
        [endpoint],
      );
      const tagsOf = async (arn: string) => (await sm.send(new ListTagsCommand({ ResourceArn: arn }))).Tags;
      assert.deepEqual(await tagsOf(endpointArn), [
        { Key: 'team', Value: 'ml' },
        { Key: 'stage', Value: 'test' },
      ]);
      assert.deepEqual(await tagsOf(a.ModelArn!), [{ Key: 'kind', Value: 'model' }]);
      assert.deepEqual(await tagsOf(c.EndpointConfigArn!), [{ Key: 'kind', Value: 'config' }]);
    });

    test('a request that arrives while the endpoint is being restored waits for it', { timeout: TIMEOUT.long }, async () => {
      const { early } = state();
      const result = await early;
      assert.ok('ok' in result, `the invocation sent during the restore failed: ${'error' in result ? `${result.error.name}: ${result.error.message}` : ''}`);
      assert.deepEqual(result.ok.input, { n: 'early' });
      assert.deepEqual(result.ok.model, { name: 'echo', version: 'persist' });
    });

    test('the endpoint is back InService without any user action, on new containers', { timeout: TIMEOUT.long }, async () => {
      const { second, stateDir, endpoint, config, firstAnswer, oldContainers } = state();
      const d = await waitForStatus(second.sm, endpoint, 'InService');
      assert.equal(d.EndpointConfigName, config);
      const answer = await invokeOnceServing(second.runtime, endpoint, { n: 2 });
      assert.deepEqual(answer.model, { name: 'echo', version: 'persist' });
      assert.equal(answer.env.MODEL_GREETING, 'hello');
      assert.deepEqual(answer.input, { n: 2 });
      assert.notEqual(answer.hostname, firstAnswer.hostname, 'the answer came from another container');
      const restored = await second.sm.send(new DescribeEndpointCommand({ EndpointName: endpoint }));
      assert.equal(restored.ProductionVariants?.[0]?.CurrentInstanceCount, 1);
      const newContainers = managedContainers(stateDir);
      assert.equal(newContainers.length, 1, `containers after restore: ${newContainers.join(', ')}`);
      assert.ok(!oldContainers.includes(newContainers[0]!), 'a new container serves the restored endpoint');

      await stop(second);
      assert.deepEqual(managedContainers(stateDir), []);
    });
  });

  test('containers of a SIGKILLed gateway are removed as orphans and the endpoint comes back on new ones', { timeout: TIMEOUT.long }, async () => {
    const stateDir = newStateDir();
    const gw = await startChild(stateDir);
    children.add(gw);
    const { endpoint } = await createEndpoint(gw.sm);
    const served = await invoke(gw.runtime, endpoint, { from: 'child' });
    assert.deepEqual(served.input, { from: 'child' });
    const old = managedContainers(stateDir);
    assert.equal(old.length, 1, `containers of the child: ${old.join(', ')}`);
    const childPid = gw.child.pid;

    gw.destroyClients();
    gw.child.kill('SIGKILL');
    const exit = await within('the SIGKILLed child emulator to exit', 10_000, gw.exited);
    assert.equal(exit.signal, 'SIGKILL');
    // Nobody cleaned up: the model container outlives its gateway.
    assert.deepEqual(managedContainers(stateDir), old);
    assert.equal(isRunning(old[0]!), true, 'the orphan is still running');
    assert.equal(
      (dockerInspect(old[0]!).Config as { Labels: Record<string, string> }).Labels['sagemaker-emulator.gateway-pid'],
      String(childPid),
    );

    // startEmulator removes orphans before it listens: they are gone once it has started.
    const next = track(await startTestEmulator({}, stateDir));
    const afterStart = managedContainers(stateDir);
    for (const id of old) {
      assert.ok(!afterStart.includes(id), `orphan ${id} still exists after start-up`);
    }

    await waitForStatus(next.sm, endpoint, 'InService');
    const again = await invokeOnceServing(next.runtime, endpoint, { from: 'successor' });
    assert.deepEqual(again.input, { from: 'successor' });
    assert.notEqual(again.hostname, served.hostname);
    const fresh = managedContainers(stateDir);
    assert.equal(fresh.length, 1, `containers after restore: ${fresh.join(', ')}`);
    assert.ok(!old.includes(fresh[0]!), 'the endpoint runs on a new container');

    await stop(next);
    assert.deepEqual(managedContainers(stateDir), []);
  });

  test('SIGTERM: the gateway removes its containers and exits 0', { timeout: TIMEOUT.long }, async () => {
    const stateDir = newStateDir();
    const gw = await startChild(stateDir);
    children.add(gw);
    const { endpoint } = await createEndpoint(gw.sm);
    await invoke(gw.runtime, endpoint, { hello: 1 });
    assert.equal(managedContainers(stateDir).length, 1);

    await stopChildGracefully(gw, stateDir, children);
    assert.match(gw.output(), /shutting down: removing model containers/);
    assert.match(gw.output(), /"msg":"stopped"/);
  });
});
