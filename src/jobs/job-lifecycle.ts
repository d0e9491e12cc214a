import type { DocumentTable } from '../store/repository.js';
import type { JobRecord } from './job-record.js';

/**
 * A job kind's statuses, in the kind's own spelling (transform jobs say
 * `InProgress`, recommender jobs `IN_PROGRESS`), and the moves allowed
 * between them: the same idea as the endpoint's table
 * (src/store/endpoint-lifecycle.ts). The job runner moves a job only along it.
 */
export interface JobLifecycle<S extends string> {
  /** Where CreateXJob puts a new job: it waits there for a worker. */
  readonly created: S;
  /** While a worker runs it. */
  readonly running: S;
  readonly completed: S;
  readonly failed: S;
  readonly stopping: S;
  readonly stopped: S;
  readonly transitions: Readonly<Record<S, readonly S[]>>;
}

/** A table every job kind can use: created → running → completed | failed, and the stop path from any live status. */
export function jobTransitions<S extends string>(s: Omit<JobLifecycle<S>, 'transitions'>): JobLifecycle<S> {
  const table = {} as Record<S, S[]>;
  const add = (from: S, ...to: S[]) => {
    table[from] = [...new Set([...(table[from] ?? []), ...to])];
  };
  add(s.created, s.running, s.stopping, s.failed);
  add(s.running, s.completed, s.failed, s.stopping);
  add(s.stopping, s.stopped, s.failed);
  add(s.completed);
  add(s.failed);
  add(s.stopped);
  return { ...s, transitions: table };
}

export function isEnded<S extends string>(lc: JobLifecycle<S>, status: S): boolean {
  return status === lc.completed || status === lc.failed || status === lc.stopped;
}

/** A status change the table does not allow: a bug, or a race (a stop that came first). */
export class JobTransitionError extends Error {
  constructor(
    readonly jobName: string,
    readonly from: string,
    readonly to: string,
  ) {
    super(`Job ${jobName} cannot go from ${from} to ${to}.`);
  }
}

/**
 * Moves a stored job to `to` with `change` (computed from the current record
 * when a function), stamping LastModifiedTime. Undefined when the job is gone;
 * JobTransitionError when the table refuses. A move to the status the job
 * already has only writes the change (e.g. a step's progress).
 */
export function transitionJob<S extends string, R extends JobRecord<S>>(
  lifecycle: JobLifecycle<S>,
  table: DocumentTable<R>,
  region: string,
  name: string,
  to: S,
  now: number,
  change: Partial<R> | ((current: R) => Partial<R>) = {},
): R | undefined {
  const current = table.get(region, name);
  if (!current) {
    return undefined;
  }
  if (current.status !== to && !lifecycle.transitions[current.status].includes(to)) {
    throw new JobTransitionError(current.name, current.status, to);
  }
  const next: R = { ...current, ...(typeof change === 'function' ? change(current) : change), status: to, lastModifiedTime: now };
  table.put(region, name, next);
  return next;
}
