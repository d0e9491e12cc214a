import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import pino from 'pino';
import type { ArtifactSource } from '../../src/hosting/artifacts.js';
import type { ContainerRequest, ContainerResponse } from '../../src/hosting/container-call.js';
import { ModelLoadError, ModelNotReadyError, TargetModelDataError } from '../../src/hosting/errors.js';
import type { ModelInstance } from '../../src/hosting/model-instance.js';
import { InstanceModels, type MultiModelSpec } from '../../src/hosting/multi-model/instance-models.js';
import { targetModelUrl } from '../../src/hosting/multi-model/model-location.js';
import { containerModelName } from '../../src/hosting/multi-model/model-names.js';
import { pickInstanceForModel } from '../../src/hosting/multi-model/model-routing.js';
import { systemClock } from '../../src/shared/clock.js';
import { ObjectStoreError } from '../../src/storage/object-store.js';

describe('container model names', () => {
  test('are path-safe, readable, and distinct for distinct TargetModels', () => {
    assert.match(containerModelName('team-x/e.tar.gz'), /^team-x_e\.tar\.gz-[0-9a-f]{10}$/);
    assert.notEqual(containerModelName('a/b'), containerModelName('a_b'));
    assert.match(containerModelName('../../etc/passwd'), /^etc_passwd-[0-9a-f]{10}$/);
    assert.match(containerModelName('..'), /^[0-9a-f]{10}$/);
    assert.ok(containerModelName('x'.repeat(1024)).length <= 91);
  });
});

describe('TargetModel locations', () => {
  test('join the S3 prefix as a key, with or without its trailing slash', () => {
    assert.equal(targetModelUrl('s3://b/models/', 'a.tar.gz'), 's3://b/models/a.tar.gz');
    assert.equal(targetModelUrl('s3://b/models', 'team/a.tar.gz'), 's3://b/models/team/a.tar.gz');
  });
  test('stay inside a local prefix', () => {
    assert.equal(targetModelUrl('file:///srv/models/', 'a.tar.gz'), 'file:///srv/models/a.tar.gz');
    assert.equal(targetModelUrl('/srv/models', 'team/a.tar.gz'), 'file:///srv/models/team/a.tar.gz');
    assert.equal(targetModelUrl('file:///srv/models', '../secrets/a.tar.gz'), undefined);
    assert.equal(targetModelUrl('file:///srv/models', '/etc/passwd'), undefined);
  });
});

describe('routing a model to an instance', () => {
  const instance = (id: string, inFlight: number, has: string[] = []) =>
    ({ instanceId: id, inFlight, models: { has: (t: string) => has.includes(t) } }) as unknown as ModelInstance;

  test('prefers an instance that has the model, even when another is idle', () => {
    const a = instance('i-a', 2, ['m']);
    const b = instance('i-b', 0);
    assert.equal(pickInstanceForModel([a, b], 'm'), a);
  });
  test('spills over to another instance when the model’s instance is far busier', () => {
    const a = instance('i-a', 9, ['m']);
    const b = instance('i-b', 0);
    assert.equal(pickInstanceForModel([a, b], 'm'), b);
  });
  test('without affinity, the least busy; ties go the same way for the same model every time', () => {
    const fleet = [instance('i-a', 0), instance('i-b', 0), instance('i-c', 1)];
    const picks = new Map<string, string>();
    for (let m = 0; m < 40; m++) {
      const first = pickInstanceForModel(fleet, `m${m}`)!.instanceId;
      assert.equal(pickInstanceForModel([...fleet].reverse(), `m${m}`)!.instanceId, first, 'order of the fleet does not matter');
      picks.set(`m${m}`, first);
    }
    assert.ok(![...picks.values()].includes('i-c'), 'the busier instance is not chosen');
    assert.equal(new Set(picks.values()).size, 2, 'models spread over the idle instances');
  });
});

/**
 * The per-instance cache against a scripted container (the /models API of
 * docs/aws-contract.md §8.2, in memory): what it is asked, in which order.
 */
describe('an instance’s model cache', () => {
  let root: string;
  let n = 0;
  before(async () => {
    root = await fs.mkdtemp(path.join(os.tmpdir(), 'sme-mme-unit-'));
  });
  after(async () => {
    await fs.rm(root, { recursive: true, force: true });
  });

  function answer(status: number, text = ''): ContainerResponse {
    return { status, headers: {}, body: Readable.from([Buffer.from(text)]) };
  }

  /** A container holding at most `limit` models, whose loads take `loadMs`. */
  function container(limit = Infinity, loadMs = 0) {
    const loaded = new Set<string>();
    const calls: string[] = [];
    const call = async (r: ContainerRequest): Promise<ContainerResponse> => {
      if (r.method === 'POST' && r.path === '/models') {
        const name = (JSON.parse((r.body as Buffer).toString()) as { model_name: string }).model_name;
        calls.push(`load ${name}`);
        if (loaded.size >= limit) {
          return answer(507, 'out of memory');
        }
        await new Promise((res) => setTimeout(res, loadMs));
        loaded.add(name);
        return answer(200);
      }
      const name = decodeURIComponent(r.path.split('/')[2]!);
      calls.push(`unload ${name}`);
      return answer(loaded.delete(name) ? 200 : 404);
    };
    return { loaded, calls, call };
  }

  function cache(c: ReturnType<typeof container>, overrides: Partial<MultiModelSpec> = {}, source?: ArtifactSource) {
    const events: string[] = [];
    const spec: MultiModelSpec = {
      prefix: `file://${root}/models`,
      cacheEnabled: true,
      diskLimitBytes: 1024 ** 3,
      loadWaitMs: 60_000,
      source: source ?? { fetchS3: () => Promise.reject(new Error('no S3 here')) },
      events: {
        hit: () => events.push('hit'),
        miss: () => events.push('miss'),
        waited: () => undefined,
        downloaded: () => events.push('downloaded'),
        loaded: () => events.push('loaded'),
        unloaded: () => events.push('unloaded'),
      },
      ...overrides,
    };
    const models = new InstanceModels(spec, path.join(root, `instance-${++n}`), c.call, pino({ level: 'silent' }), systemClock);
    return { models, events };
  }

  const name = containerModelName;
  const signal = new AbortController().signal;

  before(async () => {
    for (const m of ['a', 'b', 'c']) {
      await fs.mkdir(path.join(root, 'models', m), { recursive: true });
      await fs.writeFile(path.join(root, 'models', m, 'model.json'), JSON.stringify({ answer: m }));
    }
  });

  test('concurrent first requests share one download and one load', async () => {
    const c = container(Infinity, 30);
    const { models, events } = cache(c);
    const uses = await Promise.all(Array.from({ length: 5 }, () => models.use('a', signal)));
    uses.forEach((u) => u.release());
    assert.deepEqual(c.calls, [`load ${name('a')}`]);
    assert.equal(events.filter((e) => e === 'downloaded').length, 1);
    assert.equal(events.filter((e) => e === 'miss').length, 5);
    (await models.use('a', signal)).release();
    assert.equal(events.at(-1), 'hit');
    assert.equal(uses[0]!.invokePath, `/models/${name('a')}/invoke`);
  });

  test('a 507 unloads the least recently used model and retries: a, b, c, a', async () => {
    const c = container(2);
    const { models } = cache(c);
    for (const m of ['a', 'b', 'c', 'a']) {
      (await models.use(m, signal)).release();
      await new Promise((res) => setTimeout(res, 2));
    }
    assert.deepEqual(c.calls, [
      `load ${name('a')}`,
      `load ${name('b')}`,
      `load ${name('c')}`,
      `unload ${name('a')}`,
      `load ${name('c')}`,
      `load ${name('a')}`,
      `unload ${name('b')}`,
      `load ${name('a')}`,
    ]);
    assert.equal(models.loadedCount(), 2);
  });

  test('a 507 with every loaded model in use fails the load with the container’s answer', async () => {
    const c = container(1);
    const { models } = cache(c);
    const held = await models.use('a', signal);
    await assert.rejects(models.use('b', signal), (err) => err instanceof ModelLoadError && err.status === 507 && err.containerText === 'out of memory');
    held.release();
    (await models.use('b', signal)).release();
    assert.deepEqual(c.calls.slice(-3), [`load ${name('b')}`, `unload ${name('a')}`, `load ${name('b')}`]);
  });

  test('a load slower than the wait is ModelNotReady; it goes on, and the next request finds it', async () => {
    const c = container(Infinity, 150);
    const { models } = cache(c, { loadWaitMs: 20 });
    await assert.rejects(models.use('a', signal), ModelNotReadyError);
    await new Promise((res) => setTimeout(res, 250));
    (await models.use('a', signal)).release();
    assert.deepEqual(c.calls, [`load ${name('a')}`]);
  });

  test('with caching disabled, the model is unloaded and deleted once its last request is done', async () => {
    const c = container();
    const { models } = cache(c, { cacheEnabled: false });
    const first = await models.use('a', signal);
    const second = await models.use('a', signal);
    first.release();
    assert.equal(models.loadedCount(), 1, 'still in use by the second request');
    second.release();
    for (let i = 0; i < 100 && (await fs.stat(path.join(models.dir, name('a'))).catch(() => undefined)); i++) {
      await new Promise((res) => setTimeout(res, 10));
    }
    assert.equal(await fs.stat(path.join(models.dir, name('a'))).catch(() => 'gone'), 'gone');
    assert.deepEqual(c.calls, [`load ${name('a')}`, `unload ${name('a')}`]);
  });

  test('disk use beyond the limit deletes the least recently used model from disk', async () => {
    const c = container();
    const { models } = cache(c, { diskLimitBytes: 40 });
    for (const m of ['a', 'b', 'c']) {
      (await models.use(m, signal)).release();
      await new Promise((res) => setTimeout(res, 2));
    }
    const onDisk = (await fs.readdir(models.dir)).sort();
    assert.deepEqual(onDisk, [name('b'), name('c')].sort());
    assert.ok(c.calls.includes(`unload ${name('a')}`), 'a was unloaded before it left the disk');
  });

  test('a TargetModel missing from S3 gets SageMaker’s text, and the miss is not remembered', async () => {
    const c = container();
    const source: ArtifactSource = { fetchS3: () => Promise.reject(new ObjectStoreError('NoSuchKey', 'The specified key does not exist.')) };
    const { models } = cache(c, { prefix: 's3://bucket/models/' }, source);
    await assert.rejects(
      models.use('nope.tar.gz', signal),
      (err) =>
        err instanceof TargetModelDataError &&
        err.message.startsWith('Failed to download model data(bucket: bucket, key: models/nope.tar.gz). Please ensure that there is an object'),
    );
    assert.equal(models.has('nope.tar.gz'), false);
    assert.deepEqual(c.calls, []);
  });

  test('a TargetModel outside a local prefix is refused without touching the disk', async () => {
    const { models } = cache(container());
    await assert.rejects(models.use('../outside', signal), TargetModelDataError);
  });
});
