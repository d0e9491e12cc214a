import type { Logger } from 'pino';
import type { Clock } from '../shared/clock.js';
import type { ScheduledActionRecord, TargetRef } from './records.js';
import { nextRun, parseSchedule } from './schedule.js';
import { targetKey, type AutoScalingTables } from './tables.js';

export interface SchedulerDeps {
  tables: AutoScalingTables;
  clock: Clock;
  log: Logger;
  /** Runs a due action (scheduled-run.ts). */
  run(region: string, action: ScheduledActionRecord): void;
}

/** Timers wake at least this often, so that a far run never overflows a Node timer (≈ 24.8 days). */
const MAX_SLEEP_MS = 86_400_000;

/**
 * One timer per scheduled action, on the injected clock. The schedule lives
 * in the store; timers are derived from it (rebuilt by start() after a
 * restart: a run missed while the emulator was down is skipped, not caught up).
 */
export class ActionScheduler {
  private readonly timers = new Map<string, { cancel(): void }>();

  constructor(private readonly deps: SchedulerDeps) {}

  /** Every stored action gets its timer. */
  rebuild(): void {
    this.stop();
    for (const { region, doc } of this.deps.tables.actions.all()) {
      this.arm(region, doc);
    }
  }

  /** (Re)computes the action's next run and sets its timer; an action with no run left has none. */
  arm(region: string, action: ScheduledActionRecord): void {
    this.disarm(region, action, action.name);
    const { clock } = this.deps;
    const now = clock.now();
    const next = nextRun(parseSchedule(action.schedule, action.timezone), Math.max(now, action.lastFiredAt ?? now), {
      createdAt: action.creationTime,
      ...(action.startTime !== undefined ? { startTime: action.startTime } : {}),
      ...(action.endTime !== undefined ? { endTime: action.endTime } : {}),
    });
    if (next === undefined) {
      return;
    }
    const key = keyOf(region, action, action.name);
    const timer = clock.setTimeout(() => this.wake(region, action, action.name, next), Math.min(next - now, MAX_SLEEP_MS));
    this.timers.set(key, timer);
  }

  disarm(region: string, ref: TargetRef, name: string): void {
    const key = keyOf(region, ref, name);
    this.timers.get(key)?.cancel();
    this.timers.delete(key);
  }

  /** Cancels every timer. */
  stop(): void {
    for (const t of this.timers.values()) {
      t.cancel();
    }
    this.timers.clear();
  }

  private wake(region: string, ref: TargetRef, name: string, due: number): void {
    this.timers.delete(keyOf(region, ref, name));
    const action = this.deps.tables.getAction(region, ref, name);
    if (!action) {
      return;
    }
    if (this.deps.clock.now() >= due) {
      try {
        this.deps.run(region, action);
      } catch (err) {
        this.deps.log.error({ err, scheduledAction: name }, 'scheduled action failed');
      }
    }
    // Re-read: running it recorded lastFiredAt.
    const current = this.deps.tables.getAction(region, ref, name);
    if (current) {
      this.arm(region, current);
    }
  }
}

const keyOf = (region: string, ref: TargetRef, name: string) => `${region} ${targetKey(ref)} ${name}`;
