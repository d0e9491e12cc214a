import type { Logger } from 'pino';
import type { Clock } from '../shared/clock.js';
import type { ActivityLog } from './activity-log.js';
import { activityTexts } from './activity-texts.js';
import { capacityOf, isBusy, type CapacityAdapter } from './capacity.js';
import type { ScalableTargetRecord, ScalingActivityRecord, TargetRef } from './records.js';
import { targetKey, type AutoScalingTables } from './tables.js';

export interface EngineDeps {
  tables: AutoScalingTables;
  activities: ActivityLog;
  capacity: CapacityAdapter;
  clock: Clock;
  log: Logger;
  /** How long to wait before enforcing Min/Max again on an endpoint that was busy (default 10 s). */
  retryMs?: number;
}

export type ScaleResult = 'started' | 'busy' | 'not-scaled';

/** Min/Max enforcement on a busy endpoint is retried at most this many times (an hour at the default pace). */
const MAX_RETRIES = 360;

/**
 * Carries out scaling decisions: one activity at a time per target, each a
 * ScalingActivity that goes Pending → InProgress → Successful / Failed /
 * Unfulfilled while SageMaker applies the change. After each success it
 * updates the target's cooldown bookkeeping and checks Min/Max again.
 */
export class ScalingEngine {
  private readonly busy = new Set<string>();
  private readonly work = new Set<Promise<void>>();
  private readonly retries = new Map<string, { timer: { cancel(): void }; attempts: number }>();
  private abort = new AbortController();

  constructor(private readonly deps: EngineDeps) {}

  isBusy(region: string, ref: TargetRef): boolean {
    return this.busy.has(keyOf(region, ref));
  }

  /** Starts moving the target to `to`; `busy` when it already has an activity in progress. */
  scale(region: string, target: ScalableTargetRecord, to: number, cause: string): ScaleResult {
    const key = keyOf(region, target);
    if (this.busy.has(key)) {
      return 'busy';
    }
    const { capacity, activities, log } = this.deps;
    const lookup = capacity.lookup(region, target.endpointName, target.variantName);
    if (lookup.found === 'yes' && isBusy(lookup.variant.endpointStatus)) {
      // https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-scaling-activities.html:
      // "The target service has temporarily put the resource in an unscalable state."
      activities.addNotScaled(region, target, {
        description: activityTexts.attempting,
        cause,
        statusCode: 'Failed',
        notScaledReasons: [{ Code: 'TargetServicePutResourceAsUnscalable' }],
      });
      return 'not-scaled';
    }
    const from = lookup.found === 'yes' ? capacityOf(lookup.variant, target.dimension) : undefined;
    const activity = activities.add(region, target, {
      description: activityTexts.setting(target.dimension, to),
      cause,
      statusCode: 'Pending',
    });
    log.info({ endpoint: target.endpointName, variant: target.variantName, dimension: target.dimension, from, to, why: cause }, 'scaling');
    this.busy.add(key);
    const done: Promise<void> = this.run(region, target, activity, from, to)
      .catch((err: unknown) => {
        log.error({ err, endpoint: target.endpointName }, 'scaling activity failed unexpectedly');
        return false;
      })
      .then((succeeded) => {
        this.busy.delete(key);
        this.work.delete(done);
        if (succeeded) {
          // Min/Max may have changed while SageMaker worked. Not after a failure: that would retry in a loop.
          this.enforceRange(region, target);
        }
      });
    this.work.add(done);
    return 'started';
  }

  /**
   * Brings the capacity into [Min, Max] when it is outside (RegisterScalableTarget,
   * a scheduled action, or after an activity), with AWS's causes
   * `minimum capacity was set to N` / `maximum capacity was set to N`.
   */
  enforceRange(region: string, ref: TargetRef): void {
    const target = this.deps.tables.getTarget(region, ref);
    if (!target) {
      return;
    }
    const lookup = this.deps.capacity.lookup(region, target.endpointName, target.variantName);
    if (lookup.found !== 'yes') {
      return;
    }
    const current = capacityOf(lookup.variant, target.dimension);
    const wanted = current < target.minCapacity ? target.minCapacity : current > target.maxCapacity ? target.maxCapacity : undefined;
    if (wanted === undefined) {
      this.retries.get(keyOf(region, ref))?.timer.cancel();
      this.retries.delete(keyOf(region, ref));
      return;
    }
    const cause = wanted === target.minCapacity && current < wanted ? activityTexts.minCause(wanted) : activityTexts.maxCause(wanted);
    if (this.scale(region, target, wanted, cause) === 'not-scaled') {
      this.retryLater(region, ref);
    }
  }

  /** Marks activities a restart cut short as Unfulfilled (their update was dropped by hosting's restore). */
  closeInterrupted(): void {
    for (const { region, activity } of this.deps.activities.unfinished()) {
      this.deps.activities.update(region, activity, { statusCode: 'Unfulfilled', statusMessage: activityTexts.interrupted, ended: true });
    }
  }

  /** Waits for the activities in progress. */
  async drain(): Promise<void> {
    await Promise.allSettled([...this.work]);
  }

  /** Stops waiting for SageMaker: activities in progress stay as they are (closeInterrupted settles them on the next start). */
  async stop(): Promise<void> {
    this.abort.abort(new Error('auto scaling stopped'));
    for (const r of this.retries.values()) {
      r.timer.cancel();
    }
    this.retries.clear();
    await this.drain();
    this.abort = new AbortController();
  }

  private retryLater(region: string, ref: TargetRef): void {
    const key = keyOf(region, ref);
    const previous = this.retries.get(key);
    if (previous) {
      previous.timer.cancel();
    }
    const attempts = (previous?.attempts ?? 0) + 1;
    if (attempts > MAX_RETRIES) {
      this.retries.delete(key);
      return;
    }
    const timer = this.deps.clock.setTimeout(() => this.enforceRange(region, ref), this.deps.retryMs ?? 10_000);
    this.retries.set(key, { timer, attempts });
  }

  /** True when the change was fulfilled. */
  private async run(region: string, target: ScalableTargetRecord, pending: ScalingActivityRecord, from: number | undefined, to: number): Promise<boolean> {
    const { capacity, activities, log } = this.deps;
    const d = target.dimension;
    const requested = await capacity.request(region, target.endpointName, target.variantName, d, to);
    if (!requested.ok) {
      activities.update(region, pending, { statusCode: 'Failed', statusMessage: activityTexts.failed(d, to, requested.reason), ended: true });
      log.warn({ endpoint: target.endpointName, variant: target.variantName, to, reason: requested.reason }, 'scaling refused by sagemaker');
      return false;
    }
    const inProgress = activities.update(region, pending, { statusCode: 'InProgress', statusMessage: activityTexts.waiting(d, to) });
    const signal = this.abort.signal;
    let outcome;
    try {
      outcome = await capacity.settled(region, target.endpointName, target.variantName, d, to, signal);
    } catch {
      return false; // stopped: the next start marks it Unfulfilled
    }
    if (signal.aborted) {
      return false;
    }
    if (!outcome.ok) {
      activities.update(region, inProgress, {
        statusCode: outcome.timedOut ? 'Unfulfilled' : 'Failed',
        statusMessage: outcome.timedOut ? activityTexts.unfulfilled(d, to, outcome.reason) : activityTexts.failed(d, to, outcome.reason),
        ended: true,
      });
      log.warn({ endpoint: target.endpointName, variant: target.variantName, to, reason: outcome.reason }, 'scaling not fulfilled');
      return false;
    }
    activities.update(region, inProgress, { statusCode: 'Successful', statusMessage: activityTexts.succeeded(d, to), ended: true });
    this.remember(region, target, from, to);
    log.info({ endpoint: target.endpointName, variant: target.variantName, from, to }, 'scaling fulfilled');
    return true;
  }

  /** The cooldowns start when an activity ends (policy-decision.ts reads this). */
  private remember(region: string, ref: TargetRef, from: number | undefined, to: number): void {
    const current = this.deps.tables.getTarget(region, ref);
    if (!current) {
      return;
    }
    const endedAt = this.deps.clock.now();
    this.deps.tables.putTarget(region, {
      ...current,
      cooldown: {
        ...current.cooldown,
        lastActivityEndedAt: endedAt,
        ...(from !== undefined && to > from ? { lastScaleOut: { endedAt, from, to } } : {}),
      },
    });
  }
}

const keyOf = (region: string, ref: TargetRef) => `${region} ${targetKey(ref)}`;
