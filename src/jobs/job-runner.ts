import type { Logger } from 'pino';
import type { ResourceKind } from '../resources/kinds.js';
import type { Clock } from '../shared/clock.js';
import type { DocumentTable } from '../store/repository.js';
import type { Store } from '../store/store.js';
import { isEnded, type JobLifecycle, JobTransitionError, transitionJob } from './job-lifecycle.js';
import type { JobRecord, JobStep } from './job-record.js';

/** What a job's run gets from the runner. */
export interface JobContext<R> {
  readonly region: string;
  /** The record as the run began. */
  readonly job: R;
  /** Aborted when the job is stopped, or the emulator resets or shuts down: stop work, remove containers, return. */
  readonly signal: AbortSignal;
  readonly log: Logger;
  /** True when the job was caught running by a restart and runs again: skip the steps already Completed. */
  readonly resumed: boolean;
  /** Adds or changes one step, persisted at once. */
  step(name: string, change: Partial<JobStep>): void;
  /** Writes the kind's own fields of the record (results), persisted at once; the status is the runner's. */
  update(change: Partial<Omit<R, 'status'>>): void;
}

/** A job kind the runner can run: transform jobs, Inference Recommender jobs. */
export interface JobKind<S extends string, R extends JobRecord<S>> {
  readonly kind: ResourceKind<R>;
  readonly lifecycle: JobLifecycle<S>;
  /** Runs the job to its end. Throwing JobFailedError fails it with that reason; anything else fails it as an internal error. */
  run(ctx: JobContext<R>): Promise<void>;
  /** A job caught running by a restart: runs again (`resume`) or ends Failed with a reason that says so (`fail`). */
  readonly onRestart: 'resume' | 'fail';
}

/** The job's own failure: its message becomes FailureReason. */
export class JobFailedError extends Error {}

type AnyKind = JobKind<string, JobRecord>;
type Why = 'stop' | 'shutdown' | 'reset';

interface Queued {
  kind: AnyKind;
  region: string;
  name: string;
  resumed: boolean;
}

/**
 * Runs jobs of every registered kind with bounded concurrency: a job waits
 * in its created status until a worker is free. Every status change goes
 * through the kind's lifecycle table. Stopping aborts the run (its containers
 * go) and ends the job Stopped. A shutdown leaves running jobs as they are
 * stored, and `restore` at the next start resumes or fails them, so a job
 * never stays in progress forever.
 */
export class JobRunner {
  private readonly kinds: AnyKind[] = [];
  private readonly queue: Queued[] = [];
  private readonly running = new Map<string, { abort: AbortController; why?: Why; done: Promise<void> }>();
  private closed = false;

  constructor(
    private readonly deps: { store: Store; log: Logger; clock: Clock; concurrency: number },
  ) {}

  register<S extends string, R extends JobRecord<S>>(kind: JobKind<S, R>): void {
    this.kinds.push(kind as unknown as AnyKind);
  }

  /** Queues a job just created (its record is stored in the lifecycle's created status). */
  submit(kind: ResourceKind, region: string, name: string): void {
    this.queue.push({ kind: this.kindOf(kind), region, name, resumed: false });
    this.pump();
  }

  /**
   * StopXJob: a queued job ends Stopped at once; a running one moves to
   * Stopping, and to Stopped once its run has let go of its containers.
   * Returns false when the job has already ended (nothing to stop).
   */
  stop(kind: ResourceKind, region: string, name: string): boolean {
    const k = this.kindOf(kind);
    const job = this.table(k).get(region, name);
    if (!job || isEnded(k.lifecycle, job.status) || job.status === k.lifecycle.stopping) {
      return false;
    }
    const key = keyOf(k, region, name);
    const run = this.running.get(key);
    this.move(k, region, name, k.lifecycle.stopping);
    if (run) {
      run.why = 'stop';
      run.abort.abort(new Error('the job was stopped'));
    } else {
      this.dequeue(key);
      this.move(k, region, name, k.lifecycle.stopped, { endTime: this.deps.clock.now() });
    }
    return true;
  }

  /** At start-up: jobs a previous run left in progress resume or fail; a stop in progress completes. */
  restore(): void {
    for (const k of this.kinds) {
      const lc = k.lifecycle;
      for (const { region, doc } of this.table(k).all()) {
        if (doc.status === lc.stopping) {
          this.move(k, region, doc.name, lc.stopped, { endTime: this.deps.clock.now() });
        } else if (doc.status === lc.created && doc.status !== lc.running) {
          this.queue.push({ kind: k, region, name: doc.name, resumed: false });
        } else if (doc.status === lc.running) {
          if (k.onRestart === 'resume') {
            this.deps.log.info({ job: doc.name, kind: k.kind.arnType }, 'job resumes after a restart');
            this.queue.push({ kind: k, region, name: doc.name, resumed: doc.startTime !== undefined });
          } else {
            this.move(k, region, doc.name, lc.failed, {
              endTime: this.deps.clock.now(),
              failureReason: 'The job was running when the emulator stopped, and cannot be resumed. Create it again under a new name.',
            });
          }
        }
      }
    }
    this.queue.sort((a, b) => (this.table(a.kind).get(a.region, a.name)?.creationTime ?? 0) - (this.table(b.kind).get(b.region, b.name)?.creationTime ?? 0));
    this.pump();
  }

  /** POST /_emulator/reset: every run is aborted and waited for; the records go with the store. */
  async reset(): Promise<void> {
    this.queue.length = 0;
    await this.abortAll('reset');
  }

  /** Shutdown: runs are aborted and waited for; their records stay as they are for `restore`. */
  async close(): Promise<void> {
    this.closed = true;
    this.queue.length = 0;
    await this.abortAll('shutdown');
  }

  /** Jobs running now (for the console and tests). */
  runningCount(): number {
    return this.running.size;
  }

  private async abortAll(why: Why): Promise<void> {
    const runs = [...this.running.values()];
    for (const r of runs) {
      r.why ??= why;
      r.abort.abort(new Error(why === 'reset' ? 'the emulator was reset' : 'the emulator is shutting down'));
    }
    await Promise.all(runs.map((r) => r.done));
  }

  private pump(): void {
    while (!this.closed && this.running.size < this.deps.concurrency && this.queue.length > 0) {
      const next = this.queue.shift()!;
      const key = keyOf(next.kind, next.region, next.name);
      const abort = new AbortController();
      const entry: { abort: AbortController; why?: Why; done: Promise<void> } = { abort, done: Promise.resolve() };
      this.running.set(key, entry);
      entry.done = this.execute(next, entry).finally(() => {
        this.running.delete(key);
        this.pump();
      });
    }
  }

  private async execute(q: Queued, entry: { abort: AbortController; why?: Why }): Promise<void> {
    const { kind: k, region, name } = q;
    const lc = k.lifecycle;
    const log = this.deps.log.child({ job: name, kind: k.kind.arnType });
    const now = () => this.deps.clock.now();
    let job: JobRecord | undefined;
    try {
      job = this.move(k, region, name, lc.running, (j) => ({ startTime: j.startTime ?? now() }));
    } catch (err) {
      if (err instanceof JobTransitionError) {
        return; // stopped (or deleted) while it waited
      }
      throw err;
    }
    if (!job) {
      return;
    }
    log.info({ resumed: q.resumed }, 'job started');
    const table = this.table(k);
    try {
      await k.run({
        region,
        job,
        signal: entry.abort.signal,
        log,
        resumed: q.resumed,
        step: (stepName, change) => {
          transitionJob(lc, table, region, name, table.get(region, name)?.status ?? lc.running, now(), (j) => ({ steps: upsertStep(j.steps, stepName, change) }));
        },
        update: (change) => {
          transitionJob(lc, table, region, name, table.get(region, name)?.status ?? lc.running, now(), change as Partial<JobRecord>);
        },
      });
      if (entry.why === undefined) {
        this.move(k, region, name, lc.completed, { endTime: now() });
        log.info({ ms: now() - (job.startTime ?? now()) }, 'job completed');
        return;
      }
    } catch (err) {
      if (entry.why === undefined) {
        const reason = err instanceof JobFailedError ? err.message : `An internal error stopped the job: ${(err as Error).message}`;
        if (!(err instanceof JobFailedError)) {
          log.error({ err }, 'job failed on an internal error');
        }
        this.move(k, region, name, lc.failed, { endTime: now(), failureReason: reason.slice(0, 1024) });
        log.warn({ reason }, 'job failed');
        return;
      }
    }
    if (entry.why === 'stop') {
      this.move(k, region, name, lc.stopped, { endTime: now() });
      log.info('job stopped');
    }
  }

  private move(
    k: AnyKind,
    region: string,
    name: string,
    to: string,
    change: Partial<JobRecord> | ((j: JobRecord) => Partial<JobRecord>) = {},
  ): JobRecord | undefined {
    return transitionJob(k.lifecycle, this.table(k), region, name, to, this.deps.clock.now(), change);
  }

  private dequeue(key: string): void {
    const idx = this.queue.findIndex((q) => keyOf(q.kind, q.region, q.name) === key);
    if (idx >= 0) {
      this.queue.splice(idx, 1);
    }
  }

  private kindOf(kind: ResourceKind): AnyKind {
    const k = this.kinds.find((x) => x.kind === kind);
    if (!k) {
      throw new Error(`job kind ${kind.arnType} is not registered with the job runner`);
    }
    return k;
  }

  private table(k: AnyKind): DocumentTable<JobRecord> {
    return this.deps.store.table(k.kind);
  }
}

function keyOf(k: AnyKind, region: string, name: string): string {
  return `${k.kind.table}/${region}/${name.toLowerCase()}`;
}

function upsertStep(steps: JobStep[], name: string, change: Partial<JobStep>): JobStep[] {
  const i = steps.findIndex((s) => s.name === name);
  if (i < 0) {
    return [...steps, { name, status: 'Pending', ...change }];
  }
  const next = [...steps];
  next[i] = { ...steps[i]!, ...change };
  return next;
}
