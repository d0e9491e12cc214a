/**
 * The emulated CloudWatch, in one object the application wires: the metric
 * store (the MetricSink SageMaker's events go to), the alarms (the
 * AlarmDirectory Application Auto Scaling creates its alarms through), the
 * action handlers, the operation table, and the period clock that drives
 * zero fill and alarm evaluation.
 */
import type { Logger } from 'pino';
import type { AlarmActionHandler } from './alarm-actions.js';
import { AlarmActionRouter } from './alarm-action-router.js';
import { Alarms } from './alarms.js';
import type { CloudWatchContext } from './context.js';
import { MetricStore } from './metric-store.js';
import { cloudWatchOperations } from './operations.js';
import { PeriodClock, type PeriodTick } from './period-clock.js';
import type { Config } from '../config/schema.js';
import type { RequestInfo } from '../protocol/dispatcher.js';
import type { JsonOperation } from '../protocol/json-service.js';
import type { Clock } from '../shared/clock.js';
import type { Store } from '../store/store.js';

export interface CloudWatchOptions {
  store: Store;
  config: Pick<Config, 'metricPeriodSeconds' | 'accountId'>;
  log: Logger;
  clock: Clock;
  /** Periods a series keeps (default 1440). */
  retentionPeriods?: number;
  /** Series held at most (default 10 000). */
  maxSeries?: number;
}

export class CloudWatch {
  readonly metrics: MetricStore;
  readonly alarms: Alarms;
  readonly operations: ReadonlyMap<string, JsonOperation<CloudWatchContext>> = cloudWatchOperations;
  private readonly router: AlarmActionRouter;
  private readonly periodClock: PeriodClock;
  private readonly log: Logger;

  constructor(private readonly o: CloudWatchOptions) {
    this.log = o.log.child({ component: 'cloudwatch' });
    this.metrics = new MetricStore({
      periodSeconds: o.config.metricPeriodSeconds,
      retentionPeriods: o.retentionPeriods,
      maxSeries: o.maxSeries,
      clock: o.clock,
      log: this.log,
    });
    this.router = new AlarmActionRouter(this.log);
    this.alarms = new Alarms({ store: o.store, metrics: this.metrics, router: this.router, accountId: o.config.accountId, clock: o.clock, log: this.log });
    this.periodClock = new PeriodClock(o.clock, this.metrics.periodMs, (tick) => this.tick(tick));
  }

  /** Routes alarm actions whose ARN starts with `prefix` to `handler` (Application Auto Scaling: `arn:aws:autoscaling:`). */
  onAction(prefix: string, handler: AlarmActionHandler): void {
    this.router.onAction(prefix, handler);
  }

  /** What an operation gets for one request. */
  context(info: RequestInfo, _operation: string): CloudWatchContext {
    return {
      region: info.region,
      accountId: this.o.config.accountId,
      requestId: info.requestId,
      now: () => this.o.clock.now(),
      metrics: this.metrics,
      alarms: this.alarms,
      store: this.o.store,
      log: this.log,
    };
  }

  /** Starts the period clock (zero fill, retention, alarm evaluation after each period boundary). */
  start(): void {
    this.periodClock.start();
  }

  stop(): void {
    this.periodClock.stop();
  }

  /** Deletes every alarm (and its tags) and every datapoint. */
  reset(): void {
    this.alarms.reset();
    this.metrics.reset();
  }

  /** One tick, in order: zero fill of the period that ended, retention, then the alarms. Never throws. */
  private tick(tick: PeriodTick): void {
    const steps: [string, () => void][] = [
      ['zero fill', () => this.metrics.fillZeros(tick.endedPeriodStartMs)],
      ['retention', () => this.metrics.prune(this.o.clock.now())],
      ['alarm evaluation', () => this.alarms.evaluateAll(tick.boundaryMs)],
    ];
    for (const [name, step] of steps) {
      try {
        step();
      } catch (err) {
        this.log.error({ err, step: name }, 'cloudwatch period tick step failed');
      }
    }
  }
}
