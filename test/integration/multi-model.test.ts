import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { after, before, describe, test } from 'node:test';
import { CreateEndpointConfigCommand, CreateModelCommand, DeleteEndpointCommand, DescribeEndpointCommand, DescribeModelCommand } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { createBucket, s3Client } from '../helpers/async-endpoint.js';
import { TIMEOUT, pollUntil } from '../helpers/bounded.js';
import { rejection } from '../helpers/rejection.js';
import { dockerInspect, managedContainers, requireDocker } from '../helpers/docker.js';
import { type TestEmulator, startTestEmulator, uniqueName, stopAndClean } from '../helpers/emulator.js';
import { sample, scrape } from '../helpers/metrics.js';
import { MULTI_MODEL_IMAGE, createMultiModelEndpoint, invokeModel, uploadModels, writeModelTarballs } from '../helpers/multi-model.js';
import { createEndpoint } from '../helpers/sagemaker.js';
import { containerModelName } from '../../src/hosting/multi-model/model-names.js';

type LogLine = Record<string, unknown>;

/** Multi-model endpoints (docs/aws-contract.md §8.2) on the sample multi-model container, with the JS SDK. */
describe('multi-model endpoints', { timeout: TIMEOUT.suite }, () => {
  const logLines: LogLine[] = [];
  let t: TestEmulator;
  before(async () => {
    requireDocker(MULTI_MODEL_IMAGE);
    t = await startTestEmulator({}, undefined, { logLines });
  });
  after(async () => {
    await stopAndClean(t);
  });
  const labels = (endpoint: string) => ({ endpoint_name: endpoint, variant_name: 'AllTraffic' });
  const logsOf = (endpoint: string, msg: string) => logLines.filter((l) => l.endpoint === endpoint && l.msg === msg);

  test('three models behind one endpoint each answer as themselves, from our S3', { timeout: TIMEOUT.test }, async () => {
    const s3 = s3Client(t.url);
    const bucket = await createBucket(s3, 'mme');
    const prefix = await uploadModels(s3, bucket, 'models/', {
      'a.tar.gz': { answer: 'I am a' },
      'b.tar.gz': { answer: 'I am b' },
      'team-x/e.tar.gz': { answer: 'I am e' },
    });
    const { endpoint } = await createMultiModelEndpoint(t.sm, { prefix });
    for (const [target, answer] of [['a.tar.gz', 'I am a'], ['b.tar.gz', 'I am b'], ['team-x/e.tar.gz', 'I am e'], ['a.tar.gz', 'I am a']] as const) {
      const r = await invokeModel(t.runtime, endpoint, target, { x: 1 });
      assert.equal(r.answer, answer);
      assert.equal(r.targetModel, target, 'the container gets X-Amzn-SageMaker-Target-Model');
      assert.match(r.modelName, /^[A-Za-z0-9._-]+$/, 'the name given to the container is path-safe');
      assert.deepEqual(r.input, { x: 1 });
      assert.equal(r.loads, 1);
    }
    const [container] = managedContainers(t.stateDir, endpoint);
    const env = (dockerInspect(container!).Config as { Env: string[] }).Env;
    assert.ok(env.includes('SAGEMAKER_MULTI_MODEL=true'), env.join(' '));
    // The sample container's own view, through its published port: GET /models and GET /models/<name>.
    const port = execFileSync('docker', ['port', container!, '8080/tcp'], { encoding: 'utf8' }).trim().split('\n')[0]!.split(':').pop();
    const listed = (await (await fetch(`http://127.0.0.1:${port}/models?max_results=2`)).json()) as { models: { modelName: string; modelUrl: string }[]; nextPageToken?: string };
    assert.equal(listed.models.length, 2);
    const rest = (await (await fetch(`http://127.0.0.1:${port}/models?next_page_token=${encodeURIComponent(listed.nextPageToken!)}`)).json()) as { models: { modelName: string }[] };
    const names = [...listed.models, ...rest.models].map((m) => m.modelName);
    assert.deepEqual(names.sort(), ['a.tar.gz', 'b.tar.gz', 'team-x/e.tar.gz'].map(containerModelName).sort());
    const one = await fetch(`http://127.0.0.1:${port}/models/${containerModelName('a.tar.gz')}`);
    assert.deepEqual(await one.json(), { modelName: containerModelName('a.tar.gz'), modelUrl: `/opt/ml/models/${containerModelName('a.tar.gz')}/model` });
    assert.equal((await fetch(`http://127.0.0.1:${port}/models/not-loaded`)).status, 404);
    const metrics = await scrape(t.url);
    assert.equal(sample(metrics, 'sagemaker_model_cache_misses_total', labels(endpoint)), 3);
    assert.equal(sample(metrics, 'sagemaker_model_cache_hits_total', labels(endpoint)), 1);
    assert.equal(sample(metrics, 'sagemaker_loaded_model_count', labels(endpoint)), 3);
    assert.equal(sample(metrics, 'sagemaker_model_downloading_time_seconds_count', labels(endpoint)), 3);
    assert.equal(sample(metrics, 'sagemaker_model_loading_time_seconds_count', labels(endpoint)), 3);
    assert.equal(sample(metrics, 'sagemaker_model_loading_wait_time_seconds_count', labels(endpoint)), 3);
    assert.equal(logsOf(endpoint, 'model loaded').length, 3);
    await t.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
  });

  test('with a two-model container limit, a, b, c, a succeeds: the least recently used model is unloaded', { timeout: TIMEOUT.test }, async () => {
    const prefix = pathToFileURL(writeModelTarballs({ 'a.tar.gz': { answer: 'a' }, 'b.tar.gz': { answer: 'b' }, 'c.tar.gz': { answer: 'c' } })).href + '/';
    const { endpoint } = await createMultiModelEndpoint(t.sm, { prefix, environment: { MAX_LOADED_MODELS: '2' } });
    const answers = [];
    for (const target of ['a.tar.gz', 'b.tar.gz', 'c.tar.gz', 'a.tar.gz']) {
      answers.push(await invokeModel(t.runtime, endpoint, target));
    }
    assert.deepEqual(answers.map((a) => a.answer), ['a', 'b', 'c', 'a']);
    assert.deepEqual(answers.map((a) => a.loads), [1, 1, 1, 2], 'a was loaded again after its unload');
    assert.ok(answers.every((a) => a.loadedModels <= 2));
    const unloads = logsOf(endpoint, 'model unloaded');
    assert.deepEqual(unloads.map((l) => l.model), ['a.tar.gz', 'b.tar.gz'], 'c unloads a (LRU); a then unloads b');
    assert.match(String(unloads[0]!.why), /507/);
    const metrics = await scrape(t.url);
    assert.equal(sample(metrics, 'sagemaker_model_unloading_time_seconds_count', labels(endpoint)), 2);
    assert.equal(sample(metrics, 'sagemaker_model_loading_time_seconds_count', labels(endpoint)), 4);
    assert.equal(sample(metrics, 'sagemaker_model_downloading_time_seconds_count', labels(endpoint)), 3, 'unloaded models stay on disk');
    assert.equal(sample(metrics, 'sagemaker_loaded_model_count', labels(endpoint)), 2);
    await t.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
  });

  test('two instances, 20 models round robin: affinity keeps loads at one per model', { timeout: TIMEOUT.test }, async () => {
    const models = Object.fromEntries(Array.from({ length: 20 }, (_, i) => [`m${i}.tar.gz`, { answer: i }]));
    const prefix = pathToFileURL(writeModelTarballs(models)).href;
    const { endpoint } = await createMultiModelEndpoint(t.sm, { prefix, instanceCount: 2 });
    const hostOf = new Map<string, Set<string>>();
    let calls = 0;
    for (let round = 0; round < 3; round++) {
      for (const target of Object.keys(models)) {
        const r = await invokeModel(t.runtime, endpoint, target);
        calls++;
        assert.equal(r.loads, 1, `${target} was loaded once`);
        hostOf.set(target, (hostOf.get(target) ?? new Set()).add(r.hostname));
      }
    }
    assert.ok([...hostOf.values()].every((hosts) => hosts.size === 1), 'each model stays on its instance');
    const hosts = new Set([...hostOf.values()].flatMap((h) => [...h]));
    assert.equal(hosts.size, 2, 'consistent hashing spreads the models over both instances');
    const metrics = await scrape(t.url);
    const loads = sample(metrics, 'sagemaker_model_loading_time_seconds_count', labels(endpoint));
    assert.equal(loads, 20, `${loads} loads for ${calls} calls`);
    assert.equal(sample(metrics, 'sagemaker_model_cache_hits_total', labels(endpoint)), 40);
    await t.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
  });

  test('concurrent first requests share one download and one load', { timeout: TIMEOUT.test }, async () => {
    const prefix = pathToFileURL(writeModelTarballs({ 'slow.tar.gz': { answer: 'slow', loadDelayMs: 500 } })).href;
    const { endpoint } = await createMultiModelEndpoint(t.sm, { prefix });
    const answers = await Promise.all(Array.from({ length: 8 }, () => invokeModel(t.runtime, endpoint, 'slow.tar.gz')));
    assert.deepEqual(new Set(answers.map((a) => a.loads)), new Set([1]));
    const metrics = await scrape(t.url);
    assert.equal(sample(metrics, 'sagemaker_model_downloading_time_seconds_count', labels(endpoint)), 1);
    assert.equal(sample(metrics, 'sagemaker_model_loading_time_seconds_count', labels(endpoint)), 1);
    assert.equal(sample(metrics, 'sagemaker_model_cache_misses_total', labels(endpoint)), 8, 'every request waited on the load');
    await t.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
  });

  test('ModelCacheSetting Disabled unloads and deletes the model after each invocation', { timeout: TIMEOUT.test }, async () => {
    const prefix = pathToFileURL(writeModelTarballs({ 'once.tar.gz': { answer: 'once' } })).href;
    const { endpoint, model } = await createMultiModelEndpoint(t.sm, { prefix, cacheSetting: 'Disabled' });
    const described = await t.sm.send(new DescribeModelCommand({ ModelName: model }));
    assert.deepEqual(described.PrimaryContainer?.MultiModelConfig, { ModelCacheSetting: 'Disabled' });
    assert.equal(described.PrimaryContainer?.Mode, 'MultiModel');
    for (let i = 0; i < 3; i++) {
      const r = await invokeModel(t.runtime, endpoint, 'once.tar.gz');
      assert.equal(r.loads, i + 1);
      await pollUntil('the unload', () => logsOf(endpoint, 'model deleted from disk').length === i + 1 || undefined, { timeoutMs: 10_000, intervalMs: 20 });
    }
    assert.ok(logsOf(endpoint, 'model unloaded').every((l) => l.why === 'ModelCacheSetting is Disabled'));
    await t.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
  });

  test('bad TargetModels get ValidationError and the endpoint stays healthy', { timeout: TIMEOUT.test }, async () => {
    const s3 = s3Client(t.url);
    const bucket = await createBucket(s3, 'mme-errors');
    const prefix = await uploadModels(s3, bucket, 'p/', { 'ok.tar.gz': { answer: 'ok' } });
    const { endpoint } = await createMultiModelEndpoint(t.sm, { prefix });

    const missing = await rejection(invokeModel(t.runtime, endpoint, 'nope.tar.gz'));
    assert.equal(missing.name, 'ValidationError');
    assert.equal(missing.$metadata?.httpStatusCode, 400);
    assert.equal(
      missing.message,
      `Failed to download model data(bucket: ${bucket}, key: p/nope.tar.gz). Please ensure that there is an object located at the URL and that the role passed to CreateModel has permissions to download the model.`,
    );

    const none = await rejection(t.runtime.send(new InvokeEndpointCommand({ EndpointName: endpoint, Body: Buffer.from('{}'), ContentType: 'application/json' })));
    assert.equal(none.name, 'ValidationError');
    assert.match(none.message, /^Request .+ is missing a target model header\.$/);

    const tooLong = await rejection(invokeModel(t.runtime, endpoint, 'x'.repeat(1025)));
    assert.equal(tooLong.name, 'ValidationError');
    assert.match(tooLong.message, /at 'targetModel' failed to satisfy constraint: Member must have length less than or equal to 1024$/);
    const tab = await rejection(invokeModel(t.runtime, endpoint, 'a\tb.tar.gz'));
    assert.equal(tab.name, 'ValidationError');
    assert.match(tab.message, /at 'targetModel' failed to satisfy constraint: Member must satisfy regular expression pattern/);

    assert.equal((await invokeModel(t.runtime, endpoint, 'ok.tar.gz')).answer, 'ok');
    assert.equal((await t.sm.send(new DescribeEndpointCommand({ EndpointName: endpoint }))).EndpointStatus, 'InService');
    await t.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
  });

  test('TargetModel on a single-model endpoint is refused before the container sees it', { timeout: TIMEOUT.test }, async () => {
    const { endpoint } = await createEndpoint(t.sm);
    const before = logLines.filter((l) => l.endpoint === endpoint && String(l.msg).includes('"invocation"')).length;
    const err = await rejection(
      t.runtime.send(new InvokeEndpointCommand({ EndpointName: endpoint, TargetModel: 'a.tar.gz', Body: Buffer.from('{}'), ContentType: 'application/json' })),
    );
    assert.equal(err.name, 'ValidationError');
    assert.equal(err.message, `Endpoint ${endpoint} is not a multi-model endpoint and does not support target model header.`);
    const metrics = await scrape(t.url);
    assert.equal(sample(metrics, 'sagemaker_invocations_total', labels(endpoint)) ?? 0, 0, 'nothing reached the container');
    assert.equal(logLines.filter((l) => l.endpoint === endpoint && String(l.msg).includes('"invocation"')).length, before);
    await t.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
  });

  test('multi-model models are refused where SageMaker refuses them', { timeout: TIMEOUT.test }, async () => {
    const model = uniqueName('mme-rules');
    const create = (container: Record<string, unknown>, name = model) =>
      t.sm.send(new CreateModelCommand({ ModelName: name, ExecutionRoleArn: 'arn:aws:iam::123456789012:role/test', PrimaryContainer: { Image: MULTI_MODEL_IMAGE, ...container } }));
    const noPrefix = await rejection(create({ Mode: 'MultiModel' }));
    assert.equal(noPrefix.name, 'ValidationException');
    assert.match(noPrefix.message, /ModelDataUrl is required/);
    await create({ Mode: 'MultiModel', ModelDataUrl: 's3://bucket/models/' });
    const serverless = await rejection(
      t.sm.send(
        new CreateEndpointConfigCommand({
          EndpointConfigName: uniqueName('c'),
          ProductionVariants: [{ VariantName: 'v', ModelName: model, ServerlessConfig: { MemorySizeInMB: 1024, MaxConcurrency: 1 } }],
        }),
      ),
    );
    assert.equal(serverless.name, 'ValidationException');
    assert.match(serverless.message, /serverless endpoints do not support multi-model endpoints/);
    const asyncConfig = await rejection(
      t.sm.send(
        new CreateEndpointConfigCommand({
          EndpointConfigName: uniqueName('c'),
          ProductionVariants: [{ VariantName: 'v', ModelName: model, InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }],
          AsyncInferenceConfig: { OutputConfig: { S3OutputPath: 's3://bucket/out/' } },
        }),
      ),
    );
    assert.equal(asyncConfig.name, 'ValidationException');
    assert.match(asyncConfig.message, /Asynchronous inference does not support multi-model endpoints/);
  });
});

/** The limits: a load slower than the wait, and a disk cap, with the emulator's settings turned down. */
describe('multi-model endpoints at their limits', { timeout: TIMEOUT.suite }, () => {
  const logLines: LogLine[] = [];
  let t: TestEmulator;
  before(async () => {
    requireDocker(MULTI_MODEL_IMAGE);
    t = await startTestEmulator({ SME_MME_LOAD_WAIT_SECONDS: '1', SME_MME_DISK_LIMIT_MB: '1' }, undefined, { logLines });
  });
  after(async () => {
    await stopAndClean(t);
  });

  test('a load longer than the wait answers ModelNotReadyException, and the load goes on', { timeout: TIMEOUT.test }, async () => {
    const prefix = pathToFileURL(writeModelTarballs({ 'big.tar.gz': { answer: 'big', loadDelayMs: 2500 } })).href;
    const { endpoint } = await createMultiModelEndpoint(t.sm, { prefix });
    const err = await rejection(invokeModel(t.runtime, endpoint, 'big.tar.gz'));
    assert.equal(err.name, 'ModelNotReadyException');
    assert.equal(err.$metadata?.httpStatusCode, 429);
    const r = await pollUntil(
      'the load to finish',
      () => invokeModel(t.runtime, endpoint, 'big.tar.gz').catch((e: Error) => (e.name === 'ModelNotReadyException' ? undefined : Promise.reject(e))),
      { timeoutMs: 20_000, intervalMs: 250 },
    );
    assert.equal(r.answer, 'big');
    assert.equal(r.loads, 1, 'the retry found the load the first request started');
    await t.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
  });

  test('disk use beyond the limit deletes the least recently used model from disk', { timeout: TIMEOUT.test }, async () => {
    const pad = 400 * 1024;
    const prefix = pathToFileURL(writeModelTarballs({ 'd1.tar.gz': { padBytes: pad }, 'd2.tar.gz': { padBytes: pad }, 'd3.tar.gz': { padBytes: pad } })).href;
    const { endpoint } = await createMultiModelEndpoint(t.sm, { prefix });
    for (const target of ['d1.tar.gz', 'd2.tar.gz', 'd3.tar.gz']) {
      await invokeModel(t.runtime, endpoint, target);
    }
    const deleted = logLines.filter((l) => l.endpoint === endpoint && l.msg === 'model deleted from disk');
    assert.deepEqual(deleted.map((l) => l.model), ['d1.tar.gz']);
    assert.match(String(deleted[0]!.why), /over the instance's limit of 1\.0 MB/);
    const instancesDir = findDir(path.join(t.stateDir, 'models'), 'instances');
    const [instance] = readdirSync(instancesDir);
    assert.equal(readdirSync(path.join(instancesDir, instance!)).length, 2, 'two models remain on the instance disk');
    // d1 comes back: downloaded again.
    const again = await invokeModel(t.runtime, endpoint, 'd1.tar.gz');
    assert.equal(again.loads, 2, 'd1 was unloaded when it left the disk, and is loaded again');
    await t.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
  });
});

/** The first directory called `name` under `root`. */
function findDir(root: string, name: string): string {
  for (const e of readdirSync(root, { withFileTypes: true })) {
    if (!e.isDirectory()) {
      continue;
    }
    const p = path.join(root, e.name);
    if (e.name === name) {
      return p;
    }
    try {
      return findDir(p, name);
    } catch {
      // not under this one
    }
  }
  throw new Error(`no ${name} directory under ${root}`);
}

describe('a multi-model endpoint across a restart', { timeout: TIMEOUT.suite }, () => {
  let t: TestEmulator | undefined;
  before(() => {
    requireDocker(MULTI_MODEL_IMAGE);
  });
  after(async () => {
    if (t) {
      await stopAndClean(t);
    }
  });

  test('comes back InService on fresh instances, whose disks start empty', { timeout: TIMEOUT.long }, async () => {
    let emu = await startTestEmulator();
    t = emu;
    const prefix = pathToFileURL(writeModelTarballs({ 'a.tar.gz': { answer: 'a' } })).href;
    const { endpoint } = await createMultiModelEndpoint(emu.sm, { prefix });
    assert.equal((await invokeModel(emu.runtime, endpoint, 'a.tar.gz')).answer, 'a');
    const instancesDir = findDir(path.join(emu.stateDir, 'models'), 'instances');
    const [before] = readdirSync(instancesDir);
    await emu.stop();
    t = undefined;
    emu = await emu.restart();
    t = emu;
    const again = await invokeModel(emu.runtime, endpoint, 'a.tar.gz');
    assert.equal(again.answer, 'a');
    assert.equal(again.loads, 1, 'a new container loads the model anew');
    const after = readdirSync(instancesDir);
    assert.equal(after.length, 1, 'the old instance’s disk is gone');
    assert.notEqual(after[0], before);
    await emu.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
  });
});
