import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  DeleteEndpointCommand,
  DescribeEndpointCommand,
  type ProductionVariant,
  UpdateEndpointCommand,
  UpdateEndpointWeightsAndCapacitiesCommand,
  waitUntilEndpointInService,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { managedContainers, requireDocker } from '../helpers/docker.js';
import { type TestEmulator, makeModelTarball, startTestEmulator, uniqueName, stopAndClean } from '../helpers/emulator.js';
import { type LoopResult, TIMEOUT, backgroundLoop } from '../helpers/bounded.js';
import { outputProblems, rawCall } from '../helpers/output-shape.js';
import { createModel } from '../helpers/sagemaker.js';

const json = (v: unknown) => Buffer.from(JSON.stringify(v));
/** The request loops that run through an update: far more than an update takes, and they end by themselves. */
const LOAD_LIMITS = { maxRounds: 20_000, maxMs: 60_000 };
/** A loop that ended by its limits did not cover the whole update: its zero failures would prove nothing. */
const assertRanThrough = (r: LoopResult) => assert.equal(r.endedBy, 'stop', `the request loop ended by its ${r.endedBy} limit after ${r.rounds} rounds, ${r.ms} ms`);
type Answer = { variant: string; version: string };

describe('production variants, updates and rollbacks', { timeout: TIMEOUT.suite }, () => {
  let t: TestEmulator;
  let modelV1: string;
  let modelV2: string;
  before(async () => {
    requireDocker();
    t = await startTestEmulator({ SME_STARTUP_TIMEOUT_SECONDS: '3' });
    modelV1 = await createModel(t.sm, { modelDataUrl: makeModelTarball('v1') });
    modelV2 = await createModel(t.sm, { modelDataUrl: makeModelTarball('v2') });
  });
  after(async () => {
    await stopAndClean(t);
  });

  async function config(variants: ProductionVariant[]): Promise<string> {
    const name = uniqueName('vc');
    await t.sm.send(new CreateEndpointConfigCommand({ EndpointConfigName: name, ProductionVariants: variants }));
    return name;
  }
  const provisioned = (VariantName: string, ModelName: string, extra: Partial<ProductionVariant> = {}): ProductionVariant => ({
    VariantName,
    ModelName,
    InstanceType: 'ml.m5.large',
    InitialInstanceCount: 1,
    ...extra,
  });
  async function endpointFrom(configName: string): Promise<string> {
    const name = uniqueName('vep');
    await t.sm.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: configName }));
    await waitInService(name);
    return name;
  }
  const waitInService = (name: string) =>
    waitUntilEndpointInService({ client: t.sm, maxWaitTime: 120, minDelay: 1, maxDelay: 1 }, { EndpointName: name });
  async function invoke(endpoint: string, extra: { TargetVariant?: string; body?: unknown } = {}): Promise<Answer> {
    const r = await t.runtime.send(
      new InvokeEndpointCommand({ EndpointName: endpoint, Body: json(extra.body ?? {}), ContentType: 'application/json', TargetVariant: extra.TargetVariant }),
    );
    const body = JSON.parse(Buffer.from(r.Body!).toString()) as { model: { version: string } };
    return { variant: r.InvokedProductionVariant!, version: body.model.version };
  }
  const describe_ = (name: string) => t.sm.send(new DescribeEndpointCommand({ EndpointName: name }));

  test('weighted routing 3:1, TargetVariant pinning, and live weights 0:1', { timeout: TIMEOUT.test }, async () => {
    const endpoint = await endpointFrom(
      await config([provisioned('A', modelV1, { InitialVariantWeight: 3 }), provisioned('B', modelV2, { InitialVariantWeight: 1 })]),
    );
    const counts: Record<string, number> = { A: 0, B: 0 };
    const N = 400;
    for (let i = 0; i < N; i++) {
      const a = await invoke(endpoint);
      counts[a.variant]!++;
      assert.equal(a.version, a.variant === 'A' ? 'v1' : 'v2', 'each variant answers with its own model');
    }
    // Binomial(400, 0.75): mean 300, sd 8.7; ±5 sd is far outside chance.
    assert.ok(Math.abs(counts.A! - 300) < 45, `A got ${counts.A} of ${N}`);

    for (let i = 0; i < 20; i++) {
      assert.equal((await invoke(endpoint, { TargetVariant: 'B' })).variant, 'B');
    }
    await assert.rejects(invoke(endpoint, { TargetVariant: 'C' }), { name: 'ValidationError' });

    await t.sm.send(
      new UpdateEndpointWeightsAndCapacitiesCommand({
        EndpointName: endpoint,
        DesiredWeightsAndCapacities: [
          { VariantName: 'A', DesiredWeight: 0 },
          { VariantName: 'B', DesiredWeight: 1 },
        ],
      }),
    );
    const updating = await describe_(endpoint);
    assert.ok(['Updating', 'InService'].includes(updating.EndpointStatus!));
    await waitInService(endpoint);
    const d = await describe_(endpoint);
    const a = d.ProductionVariants!.find((v) => v.VariantName === 'A')!;
    assert.equal(a.CurrentWeight, 0);
    assert.equal(a.DesiredWeight, 0);
    for (let i = 0; i < 50; i++) {
      assert.equal((await invoke(endpoint)).variant, 'B');
    }
    // A weight-0 variant still answers when named.
    assert.equal((await invoke(endpoint, { TargetVariant: 'A' })).variant, 'A');
    assert.deepEqual(outputProblems('DescribeEndpoint', await rawCall(t.url, 'DescribeEndpoint', { EndpointName: endpoint })), []);
    await t.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
  });

  test('instance counts scale out and in while requests keep succeeding', { timeout: TIMEOUT.test }, async () => {
    const endpoint = await endpointFrom(await config([provisioned('A', modelV1)]));
    let failures = 0;
    let served = 0;
    const load = backgroundLoop(
      () =>
        invoke(endpoint, { body: { sleepMs: 20 } }).then(
          () => served++,
          () => failures++,
        ),
      LOAD_LIMITS,
    );
    const resize = async (count: number) => {
      await t.sm.send(
        new UpdateEndpointWeightsAndCapacitiesCommand({
          EndpointName: endpoint,
          DesiredWeightsAndCapacities: [{ VariantName: 'A', DesiredInstanceCount: count }],
        }),
      );
      const during = await describe_(endpoint);
      assert.equal(during.ProductionVariants![0]!.DesiredInstanceCount, count);
      await waitInService(endpoint);
      await new Promise((r) => setTimeout(r, 300));
      const d = await describe_(endpoint);
      assert.equal(d.ProductionVariants![0]!.CurrentInstanceCount, count);
      assert.equal(managedContainers(t.stateDir, endpoint).length, count);
    };
    try {
      await resize(3);
      await resize(1);
      assertRanThrough(await load.stop());
    } finally {
      await load.stop();
    }
    assert.equal(failures, 0, `${failures} requests failed of ${served + failures}`);
    assert.ok(served > 10);
    await t.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
  });

  test('UpdateEndpoint to a config with another model: zero failed requests, then the new model answers', { timeout: TIMEOUT.test }, async () => {
    const endpoint = await endpointFrom(await config([provisioned('AllTraffic', modelV1, { InitialInstanceCount: 2 })]));
    const before = managedContainers(t.stateDir, endpoint);
    const newConfig = await config([provisioned('AllTraffic', modelV2)]);
    let failures = 0;
    const versions: string[] = [];
    const load = backgroundLoop(
      () =>
        invoke(endpoint, { body: { sleepMs: 10 } }).then(
          (a) => versions.push(a.version),
          () => failures++,
        ),
      LOAD_LIMITS,
    );
    try {
    await new Promise((r) => setTimeout(r, 200));
    await t.sm.send(new UpdateEndpointCommand({ EndpointName: endpoint, EndpointConfigName: newConfig }));
    const during = await describe_(endpoint);
    assert.equal(during.EndpointStatus, 'Updating');
    assert.equal(during.PendingDeploymentSummary?.EndpointConfigName, newConfig);
    assert.deepEqual(outputProblems('DescribeEndpoint', await rawCall(t.url, 'DescribeEndpoint', { EndpointName: endpoint })), []);
    // Updating or deleting an endpoint that is updating is refused.
    await assert.rejects(t.sm.send(new UpdateEndpointCommand({ EndpointName: endpoint, EndpointConfigName: newConfig })), {
      name: 'ValidationException',
      message: /^Cannot update in-progress endpoint/,
    });
    await assert.rejects(t.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint })), { name: 'ValidationException' });
    await waitInService(endpoint);
    await new Promise((r) => setTimeout(r, 300));
    assertRanThrough(await load.stop());
    } finally {
      await load.stop();
    }
    assert.equal(failures, 0, `${failures} requests failed during the update`);
    assert.equal(versions[0], 'v1');
    assert.equal(versions.at(-1), 'v2');
    const d = await describe_(endpoint);
    assert.equal(d.EndpointConfigName, newConfig);
    assert.equal(d.PendingDeploymentSummary, undefined);
    assert.equal(d.ProductionVariants![0]!.CurrentInstanceCount, 1);
    const after = managedContainers(t.stateDir, endpoint);
    assert.equal(after.length, 1, 'the old fleet is gone');
    assert.ok(!before.includes(after[0]!));
    await t.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
  });

  test('an update whose containers cannot start rolls back: the old model still answers, FailureReason says why', { timeout: TIMEOUT.test }, async () => {
    const endpoint = await endpointFrom(await config([provisioned('AllTraffic', modelV1)]));
    const broken = await createModel(t.sm, { environment: { EXIT_AT_START: '4' } });
    const badConfig = await config([provisioned('AllTraffic', broken)]);
    await t.sm.send(new UpdateEndpointCommand({ EndpointName: endpoint, EndpointConfigName: badConfig }));
    await waitInService(endpoint);
    // The waiter may see InService before the update even started; wait for the rollback itself.
    let d = await describe_(endpoint);
    for (let i = 0; i < 100 && !d.FailureReason; i++) {
      await new Promise((r) => setTimeout(r, 100));
      d = await describe_(endpoint);
    }
    assert.equal(d.EndpointStatus, 'InService');
    assert.notEqual(d.EndpointConfigName, badConfig);
    assert.match(d.FailureReason ?? '', /rolled back/);
    assert.match(d.FailureReason ?? '', /exited with code 4/);
    assert.equal((await invoke(endpoint)).version, 'v1');
    assert.equal(managedContainers(t.stateDir, endpoint).length, 1);
    await t.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
  });

  test('serverless → real-time is allowed; real-time → serverless is refused', { timeout: TIMEOUT.test }, async () => {
    const serverlessConfig = await config([
      { VariantName: 'AllTraffic', ModelName: modelV1, ServerlessConfig: { MemorySizeInMB: 1024, MaxConcurrency: 2 } },
    ]);
    const endpoint = await endpointFrom(serverlessConfig);
    assert.equal((await invoke(endpoint)).version, 'v1');
    await t.sm.send(new UpdateEndpointCommand({ EndpointName: endpoint, EndpointConfigName: await config([provisioned('AllTraffic', modelV2)]) }));
    await waitInService(endpoint);
    let d = await describe_(endpoint);
    for (let i = 0; i < 100 && d.PendingDeploymentSummary; i++) {
      await new Promise((r) => setTimeout(r, 100));
      d = await describe_(endpoint);
    }
    assert.equal(d.ProductionVariants![0]!.CurrentInstanceCount, 1);
    assert.equal(d.ProductionVariants![0]!.CurrentServerlessConfig, undefined);
    assert.equal((await invoke(endpoint)).version, 'v2');
    await assert.rejects(t.sm.send(new UpdateEndpointCommand({ EndpointName: endpoint, EndpointConfigName: serverlessConfig })), {
      name: 'ValidationException',
      message: /cannot be updated to the serverless endpoint configuration/,
    });
    await t.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
  });

  test('serverless memory and concurrency changes take effect without failing requests', { timeout: TIMEOUT.test }, async () => {
    const endpoint = await endpointFrom(
      await config([{ VariantName: 'AllTraffic', ModelName: modelV1, ServerlessConfig: { MemorySizeInMB: 1024, MaxConcurrency: 1 } }]),
    );
    await invoke(endpoint);
    await t.sm.send(
      new UpdateEndpointWeightsAndCapacitiesCommand({
        EndpointName: endpoint,
        DesiredWeightsAndCapacities: [{ VariantName: 'AllTraffic', ServerlessUpdateConfig: { MaxConcurrency: 3, ProvisionedConcurrency: 1 } }],
      }),
    );
    await waitInService(endpoint);
    let d = await describe_(endpoint);
    for (let i = 0; i < 100 && d.ProductionVariants![0]!.CurrentServerlessConfig?.MaxConcurrency !== 3; i++) {
      await new Promise((r) => setTimeout(r, 100));
      d = await describe_(endpoint);
    }
    assert.deepEqual(d.ProductionVariants![0]!.CurrentServerlessConfig, { MemorySizeInMB: 1024, MaxConcurrency: 3, ProvisionedConcurrency: 1 });
    const three = await Promise.all([1, 2, 3].map(() => invoke(endpoint, { body: { sleepMs: 300 } })));
    assert.equal(three.length, 3, 'MaxConcurrency 3 now admits three at once');

    const bigger = await config([{ VariantName: 'AllTraffic', ModelName: modelV2, ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 2 } }]);
    let failures = 0;
    const load = backgroundLoop(() => invoke(endpoint).catch(() => failures++), LOAD_LIMITS);
    try {
      await t.sm.send(new UpdateEndpointCommand({ EndpointName: endpoint, EndpointConfigName: bigger }));
      await waitInService(endpoint);
      for (let i = 0; i < 100 && (await describe_(endpoint)).PendingDeploymentSummary; i++) {
        await new Promise((r) => setTimeout(r, 100));
      }
      assertRanThrough(await load.stop());
    } finally {
      await load.stop();
    }
    assert.equal(failures, 0);
    assert.equal((await invoke(endpoint)).version, 'v2');
    d = await describe_(endpoint);
    assert.deepEqual(d.ProductionVariants![0]!.CurrentServerlessConfig, { MemorySizeInMB: 2048, MaxConcurrency: 2 });
    await t.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
  });

  test('RetainAllVariantProperties keeps live counts and weights unless excluded', { timeout: TIMEOUT.test }, async () => {
    const endpoint = await endpointFrom(await config([provisioned('A', modelV1)]));
    await t.sm.send(
      new UpdateEndpointWeightsAndCapacitiesCommand({
        EndpointName: endpoint,
        DesiredWeightsAndCapacities: [{ VariantName: 'A', DesiredInstanceCount: 2, DesiredWeight: 5 }],
      }),
    );
    await waitInService(endpoint);
    const settledVariant = async () => {
      let d = await describe_(endpoint);
      for (let i = 0; i < 100 && (d.EndpointStatus !== 'InService' || d.PendingDeploymentSummary); i++) {
        await new Promise((r) => setTimeout(r, 100));
        d = await describe_(endpoint);
      }
      return d.ProductionVariants![0]!;
    };
    assert.equal((await settledVariant()).CurrentInstanceCount, 2);
    await t.sm.send(
      new UpdateEndpointCommand({ EndpointName: endpoint, EndpointConfigName: await config([provisioned('A', modelV2)]), RetainAllVariantProperties: true }),
    );
    await waitInService(endpoint);
    let v = await settledVariant();
    assert.equal(v.CurrentInstanceCount, 2, 'the live instance count is kept');
    assert.equal(v.CurrentWeight, 5, 'the live weight is kept');
    await t.sm.send(
      new UpdateEndpointCommand({
        EndpointName: endpoint,
        EndpointConfigName: await config([provisioned('A', modelV1)]),
        RetainAllVariantProperties: true,
        ExcludeRetainedVariantProperties: [{ VariantPropertyType: 'DesiredInstanceCount' }],
      }),
    );
    await waitInService(endpoint);
    v = await settledVariant();
    assert.equal(v.CurrentInstanceCount, 1, 'the count comes from the new config');
    assert.equal(v.CurrentWeight, 5);
    await t.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
  });

  test('UpdateEndpointWeightsAndCapacities validation', { timeout: TIMEOUT.test }, async () => {
    const endpoint = await endpointFrom(await config([provisioned('A', modelV1)]));
    const call = (DesiredWeightsAndCapacities: { VariantName: string; DesiredWeight?: number; DesiredInstanceCount?: number }[]) =>
      t.sm.send(new UpdateEndpointWeightsAndCapacitiesCommand({ EndpointName: endpoint, DesiredWeightsAndCapacities }));
    await assert.rejects(call([{ VariantName: 'Nope', DesiredWeight: 1 }]), { name: 'ValidationException', message: /"Nope" does not exist/ });
    await assert.rejects(
      call([
        { VariantName: 'A', DesiredWeight: 1 },
        { VariantName: 'A', DesiredWeight: 2 },
      ]),
      { name: 'ValidationException', message: /more than once/ },
    );
    await assert.rejects(call([{ VariantName: 'A', DesiredWeight: -1 }]), {
      name: 'ValidationException',
      message: /Member must have value greater than or equal to 0/,
    });
    await assert.rejects(call([]), { name: 'ValidationException', message: /length greater than or equal to 1/ });
    await assert.rejects(
      t.sm.send(new UpdateEndpointWeightsAndCapacitiesCommand({ EndpointName: 'no-such', DesiredWeightsAndCapacities: [{ VariantName: 'A', DesiredWeight: 1 }] })),
      { name: 'ValidationException', message: /^Could not find endpoint/ },
    );
    await t.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
  });

  test('DeleteEndpoint of a busy endpoint lets in-flight requests finish, and leaves nothing running', { timeout: TIMEOUT.test }, async () => {
    const endpoint = await endpointFrom(await config([provisioned('A', modelV1)]));
    const inFlight = invoke(endpoint, { body: { sleepMs: 1500 } });
    await new Promise((r) => setTimeout(r, 300));
    await t.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
    await assert.rejects(invoke(endpoint), { name: 'ValidationError' }, 'new requests are refused at once');
    assert.equal((await inFlight).version, 'v1', 'the request in flight finished');
    for (let i = 0; i < 100 && managedContainers(t.stateDir, endpoint).length > 0; i++) {
      await new Promise((r) => setTimeout(r, 100));
    }
    assert.deepEqual(managedContainers(t.stateDir, endpoint), []);
  });
});
