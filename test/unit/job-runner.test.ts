import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import pino from 'pino';
import { type TransformJobRecord, transformJobLifecycle } from '../../src/batch-transform/transform-job-record.js';
import { JobTransitionError, transitionJob } from '../../src/jobs/job-lifecycle.js';
import { type JobContext, JobFailedError, JobRunner } from '../../src/jobs/job-runner.js';
import { transformJobKind } from '../../src/resources/kinds.js';
import { systemClock } from '../../src/shared/clock.js';
import { openDatabase } from '../../src/store/database.js';
import { Store } from '../../src/store/store.js';

const REGION = 'us-east-1';
const log = pino({ level: 'silent' });
const dirs: string[] = [];

function newStore(dir?: string): { store: Store; dir: string } {
  const d = dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'sme-jobs-'));
  dirs.push(d);
  return { store: new Store(openDatabase(d)), dir: d };
}

function addJob(store: Store, name: string, status: TransformJobRecord['status'] = 'InProgress', extra: Partial<TransformJobRecord> = {}): void {
  const now = Date.now();
  const record = { name, arn: `arn:aws:sagemaker:${REGION}:123456789012:transform-job/${name}`, status, creationTime: now, lastModifiedTime: now, steps: [], spec: {} };
  store.table(transformJobKind).put(REGION, name, { ...record, ...extra } as unknown as TransformJobRecord);
}

const get = (store: Store, name: string) => store.table(transformJobKind).get(REGION, name)!;

/** A job kind whose runs the test controls: each run waits for its release, or for its stop. */
function controlledKind(onRestart: 'resume' | 'fail' = 'resume') {
  const started: string[] = [];
  const resumed: string[] = [];
  const releases = new Map<string, (outcome?: Error) => void>();
  const kind = {
    kind: transformJobKind,
    lifecycle: transformJobLifecycle,
    onRestart,
    run(ctx: JobContext<TransformJobRecord>) {
      started.push(ctx.job.name);
      if (ctx.resumed) {
        resumed.push(ctx.job.name);
      }
      ctx.step('file-a', { status: 'InProgress' });
      return new Promise<void>((resolve, reject) => {
        releases.set(ctx.job.name, (outcome) => (outcome ? reject(outcome) : resolve()));
        ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason), { once: true });
      });
    },
  };
  return { kind, started, resumed, release: (name: string, outcome?: Error) => releases.get(name)!(outcome) };
}

const tick = () => new Promise((r) => setImmediate(r));
async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 500; i++) {
    if (check()) {
      return;
    }
    await new Promise((r) => setTimeout(r, 2));
  }
  assert.fail(`timed out waiting for ${what}`);
}

after(() => {
  for (const d of dirs) {
    fs.rmSync(d, { recursive: true, force: true });
  }
});

describe('job lifecycle', () => {
  test('a transform job moves InProgress → Completed | Failed | Stopping → Stopped, and never out of an end status', () => {
    const t = transformJobLifecycle.transitions;
    assert.deepEqual([...t.InProgress].sort(), ['Completed', 'Failed', 'InProgress', 'Stopping'].sort());
    assert.deepEqual([...t.Stopping].sort(), ['Failed', 'Stopped']);
    assert.deepEqual([t.Completed, t.Failed, t.Stopped], [[], [], []]);
    const { store } = newStore();
    addJob(store, 'done', 'Completed');
    assert.throws(() => transitionJob(transformJobLifecycle, store.table(transformJobKind), REGION, 'done', 'InProgress', Date.now()), JobTransitionError);
  });
});

describe('the job runner', () => {
  test('runs at most `concurrency` jobs at once; the others wait InProgress, in order', async () => {
    const { store } = newStore();
    const c = controlledKind();
    const runner = new JobRunner({ store, log, clock: systemClock, concurrency: 2 });
    runner.register(c.kind);
    for (const n of ['j1', 'j2', 'j3']) {
      addJob(store, n);
      runner.submit(transformJobKind, REGION, n);
    }
    await until('two runs', () => c.started.length === 2);
    await tick();
    assert.deepEqual(c.started, ['j1', 'j2']);
    assert.equal(get(store, 'j3').startTime, undefined, 'j3 waits');
    c.release('j1');
    await until('j3 to start', () => c.started.includes('j3'));
    assert.equal(get(store, 'j1').status, 'Completed');
    assert.ok(get(store, 'j1').endTime! >= get(store, 'j1').startTime!);
    assert.deepEqual(get(store, 'j1').steps.map((s) => [s.name, s.status]), [['file-a', 'InProgress']]);
    c.release('j2', new JobFailedError('ClientError: the model said no'));
    await until('j2 to fail', () => get(store, 'j2').status === 'Failed');
    assert.equal(get(store, 'j2').failureReason, 'ClientError: the model said no');
    c.release('j3', new Error('a bug'));
    await until('j3 to fail', () => get(store, 'j3').status === 'Failed');
    assert.match(get(store, 'j3').failureReason!, /^An internal error stopped the job: a bug/);
    await runner.close();
  });

  test('stop: a running job goes Stopping, then Stopped once its run lets go; a queued one Stopped at once', async () => {
    const { store } = newStore();
    const c = controlledKind();
    const runner = new JobRunner({ store, log, clock: systemClock, concurrency: 1 });
    runner.register(c.kind);
    addJob(store, 'running');
    addJob(store, 'queued');
    runner.submit(transformJobKind, REGION, 'running');
    runner.submit(transformJobKind, REGION, 'queued');
    await until('the first run', () => c.started.length === 1);
    assert.equal(runner.stop(transformJobKind, REGION, 'queued'), true);
    assert.equal(get(store, 'queued').status, 'Stopped');
    assert.equal(runner.stop(transformJobKind, REGION, 'running'), true);
    await until('Stopped', () => get(store, 'running').status === 'Stopped');
    assert.deepEqual(c.started, ['running'], 'the queued job never ran');
    assert.equal(runner.stop(transformJobKind, REGION, 'running'), false, 'an ended job cannot be stopped');
    await runner.close();
  });

  test('after a restart: a running job resumes (or fails, by its kind), a stop in progress ends Stopped', async () => {
    const first = newStore();
    addJob(first.store, 'was-running', 'InProgress', { startTime: Date.now() });
    addJob(first.store, 'never-started', 'InProgress');
    addJob(first.store, 'was-stopping', 'Stopping', { startTime: Date.now() });
    addJob(first.store, 'was-done', 'Completed');
    first.store.close();

    const { store } = newStore(first.dir);
    const c = controlledKind('resume');
    const runner = new JobRunner({ store, log, clock: systemClock, concurrency: 4 });
    runner.register(c.kind);
    runner.restore();
    await until('two runs', () => c.started.length === 2);
    assert.deepEqual(c.started.sort(), ['never-started', 'was-running']);
    assert.deepEqual(c.resumed, ['was-running'], 'only the job that had started is a resumption');
    assert.equal(get(store, 'was-stopping').status, 'Stopped');
    assert.equal(get(store, 'was-done').status, 'Completed');
    await runner.close();
    assert.equal(get(store, 'was-running').status, 'InProgress', 'a shutdown leaves the job for the next start');
    store.close();

    const again = newStore(first.dir);
    const failing = controlledKind('fail');
    const second = new JobRunner({ store: again.store, log, clock: systemClock, concurrency: 4 });
    second.register(failing.kind);
    second.restore();
    assert.equal(get(again.store, 'was-running').status, 'Failed');
    assert.match(get(again.store, 'was-running').failureReason!, /running when the emulator stopped/);
    await second.close();
    again.store.close();
  });

  test('reset aborts every run and waits for it', async () => {
    const { store } = newStore();
    const c = controlledKind();
    const runner = new JobRunner({ store, log, clock: systemClock, concurrency: 2 });
    runner.register(c.kind);
    addJob(store, 'r1');
    runner.submit(transformJobKind, REGION, 'r1');
    await until('the run', () => c.started.length === 1);
    await runner.reset();
    assert.equal(runner.runningCount(), 0);
    assert.equal(get(store, 'r1').status, 'InProgress', 'the record is the store’s to clear');
    await runner.close();
  });
});
