/**
 * The emulated CloudWatch's datapoints: every series (metric identity and
 * unit) aggregated per period of SME_METRIC_PERIOD_SECONDS, the periods
 * starting at multiples of the period since the epoch.
 *
 * Bounded: a series keeps its last `retentionPeriods` periods (24 h at 60 s by
 * default), a series with none left is dropped, and at most `maxSeries` series
 * exist at once. Beyond that a new series is refused rather than an old one
 * evicted: eviction would silently blind the alarms (and scaling policies)
 * that watch it, while a refusal is loud — PutMetricData answers LimitExceeded,
 * and samples from the emulator's own events are dropped with one warning.
 *
 * Region: the MetricSink interface carries none, so every region sees the same
 * metrics (alarms stay per region).
 */
import type { Logger } from 'pino';
import { metricId } from './metric-key.js';
import type { MetricKey, MetricSink, MetricUnit } from './metric-sink.js';
import { PeriodStats } from './period-stats.js';
import type { Clock } from '../shared/clock.js';

export const DEFAULT_RETENTION_PERIODS = 1440;
/**
 * An endpoint variant makes about 15 series; 2,000 is over a hundred variants
 * with room for PutMetricData. A busy series-period holds 220 B to 2.5 kB
 * (README, "CloudWatch's read side"), so a full day of every series stays
 * under about 1 GB even in the worst case.
 */
export const DEFAULT_MAX_SERIES = 2_000;

export interface MetricStoreOptions {
  periodSeconds: number;
  retentionPeriods?: number;
  maxSeries?: number;
  clock: Clock;
  log: Logger;
}

/** One PutMetricData datum's contribution: a value (with its count) or a statistic set. */
export type Sample =
  | { kind: 'value'; value: number; count: number }
  | { kind: 'set'; sampleCount: number; sum: number; minimum: number; maximum: number };

/** A series the emulator publishes zeros for when a period ends without a sample (SageMaker's idle variants). */
export interface ZeroFillEntry {
  key: MetricKey;
  unit: MetricUnit;
}
export type ZeroFillProvider = () => readonly ZeroFillEntry[];

/** A window of a query: its start, and the statistics of the periods in it. */
export interface WindowStats {
  startMs: number;
  stats: PeriodStats;
}

export interface SeriesQuery {
  key: MetricKey;
  /** Only data put with this unit; every unit when absent. */
  unit?: MetricUnit;
  /** Aligned to the period; windows are [start + k·windowMs, …) while they start before endMs. */
  startMs: number;
  endMs: number;
  windowMs: number;
}

interface Series {
  unit: MetricUnit;
  buckets: Map<number, PeriodStats>;
  lastPutMs: number;
}

interface MetricEntry {
  key: MetricKey;
  byUnit: Map<MetricUnit, Series>;
}

export class MetricStore implements MetricSink {
  readonly periodMs: number;
  readonly retentionPeriods: number;
  readonly maxSeries: number;
  /**
   * Ids of key objects already seen: the emulator's own feed reuses one key
   * object per metric (src/observability/cloudwatch-feed.ts), so the hot path
   * does not sort and serialise dimensions on every sample. Keys are not
   * mutated after they are put.
   */
  private readonly ids = new WeakMap<MetricKey, string>();
  private readonly clock: Clock;
  private readonly log: Logger;
  private readonly metrics = new Map<string, MetricEntry>();
  private seriesCount = 0;
  private readonly zeroFills = new Set<ZeroFillProvider>();
  private warnedFull = false;

  constructor(options: MetricStoreOptions) {
    this.periodMs = options.periodSeconds * 1000;
    this.retentionPeriods = options.retentionPeriods ?? DEFAULT_RETENTION_PERIODS;
    this.maxSeries = options.maxSeries ?? DEFAULT_MAX_SERIES;
    this.clock = options.clock;
    this.log = options.log;
  }

  /** The sink: the emulator's own events. Never throws; a sample that does not fit is dropped. */
  put(key: MetricKey, value: number, unit: MetricUnit, atMs?: number): void {
    const at = atMs ?? this.clock.now();
    if (!Number.isFinite(value) || at < this.oldestKeptMs()) {
      return;
    }
    if (!this.record(key, unit, at, { kind: 'value', value, count: 1 }) && !this.warnedFull) {
      this.warnedFull = true;
      this.log.warn({ maxSeries: this.maxSeries, metric: key }, 'metric store full: samples of new series are dropped');
    }
  }

  /** Adds a sample; false (and nothing added) when it needs a new series and the store is full. */
  record(key: MetricKey, unit: MetricUnit, atMs: number, sample: Sample): boolean {
    const series = this.seriesFor(key, unit, true);
    if (!series) {
      return false;
    }
    const start = this.periodStart(atMs);
    let stats = series.buckets.get(start);
    if (!stats) {
      stats = new PeriodStats();
      series.buckets.set(start, stats);
    }
    if (sample.kind === 'value') {
      stats.add(sample.value, sample.count);
    } else {
      stats.addSet(sample.sampleCount, sample.sum, sample.minimum, sample.maximum);
    }
    series.lastPutMs = this.clock.now();
    return true;
  }

  /** How many of these (metric, unit) pairs are new series (PutMetricData checks the limit before it adds anything). */
  newSeries(items: readonly ZeroFillEntry[]): number {
    const seen = new Set<string>();
    for (const { key, unit } of items) {
      if (!this.seriesFor(key, unit, false)) {
        seen.add(`${metricId(key)}|${unit}`);
      }
    }
    return seen.size;
  }

  get freeSeries(): number {
    return this.maxSeries - this.seriesCount;
  }

  /** Registers a source of zero-filled series; returns its unregistration. */
  registerZeroFill(provider: ZeroFillProvider): () => void {
    this.zeroFills.add(provider);
    return () => this.zeroFills.delete(provider);
  }

  /**
   * Puts a 0 into the period starting at `periodStartMs` for every listed
   * series that has no sample there, so a busy period's SampleCount and Sum
   * stay exact while an idle one reads 0 (SageMaker publishes Invocations and
   * the like as 0 for an idle InService variant).
   */
  fillZeros(periodStartMs: number): void {
    for (const provider of this.zeroFills) {
      for (const { key, unit } of provider()) {
        const series = this.seriesFor(key, unit, false);
        if (!series?.buckets.has(periodStartMs)) {
          this.record(key, unit, periodStartMs, { kind: 'value', value: 0, count: 1 });
        }
      }
    }
  }

  /** Drops the periods that left the retention, then the series and metrics left empty. */
  prune(nowMs: number): void {
    const oldest = this.oldestKeptMs(nowMs);
    for (const [id, entry] of this.metrics) {
      for (const [unit, series] of entry.byUnit) {
        for (const start of series.buckets.keys()) {
          if (start < oldest) {
            series.buckets.delete(start);
          }
        }
        if (series.buckets.size === 0) {
          entry.byUnit.delete(unit);
          this.seriesCount--;
        }
      }
      if (entry.byUnit.size === 0) {
        this.metrics.delete(id);
      }
    }
  }

  /** The start of the period holding `ms`. */
  periodStart(ms: number): number {
    return Math.floor(ms / this.periodMs) * this.periodMs;
  }

  /** The start of the oldest period kept at `nowMs`. */
  oldestKeptMs(nowMs = this.clock.now()): number {
    return this.periodStart(nowMs) - (this.retentionPeriods - 1) * this.periodMs;
  }

  /** The windows of a query that hold data, oldest first, every unit merged. */
  windows(query: SeriesQuery): WindowStats[] {
    return this.collect(query, this.seriesOf(query));
  }

  /** The same, one list per unit (GetMetricStatistics without a Unit returns each unit's datapoints). */
  windowsByUnit(query: SeriesQuery): { unit: MetricUnit; windows: WindowStats[] }[] {
    return this.seriesOf(query).map((s) => ({ unit: s.unit, windows: this.collect(query, [s]) }));
  }

  /** Every metric, with its units and when it was last put. */
  listMetrics(): { key: MetricKey; units: MetricUnit[]; lastPutMs: number }[] {
    return [...this.metrics.values()].map((e) => ({
      key: e.key,
      units: [...e.byUnit.keys()],
      lastPutMs: Math.max(...[...e.byUnit.values()].map((s) => s.lastPutMs)),
    }));
  }

  /** How much is held: for the memory figure and the tests. */
  size(): { metrics: number; series: number; periods: number } {
    let periods = 0;
    for (const e of this.metrics.values()) {
      for (const s of e.byUnit.values()) {
        periods += s.buckets.size;
      }
    }
    return { metrics: this.metrics.size, series: this.seriesCount, periods };
  }

  /** Drops every datapoint (zero-fill sources stay registered). */
  reset(): void {
    this.metrics.clear();
    this.seriesCount = 0;
    this.warnedFull = false;
  }

  private seriesOf(query: SeriesQuery): Series[] {
    const entry = this.metrics.get(metricId(query.key));
    if (!entry) {
      return [];
    }
    return query.unit === undefined ? [...entry.byUnit.values()] : [entry.byUnit.get(query.unit)].filter((s) => s !== undefined);
  }

  private collect(query: SeriesQuery, series: readonly Series[]): WindowStats[] {
    const byWindow = new Map<number, PeriodStats>();
    for (const s of series) {
      for (const [start, stats] of s.buckets) {
        if (start < query.startMs || start >= query.endMs) {
          continue;
        }
        const windowStart = query.startMs + Math.floor((start - query.startMs) / query.windowMs) * query.windowMs;
        let merged = byWindow.get(windowStart);
        if (!merged) {
          merged = new PeriodStats();
          byWindow.set(windowStart, merged);
        }
        merged.merge(stats);
      }
    }
    return [...byWindow.entries()].sort((a, b) => a[0] - b[0]).map(([startMs, stats]) => ({ startMs, stats }));
  }

  private seriesFor(key: MetricKey, unit: MetricUnit, create: boolean): Series | undefined {
    let id = this.ids.get(key);
    if (id === undefined) {
      id = metricId(key);
      this.ids.set(key, id);
    }
    let entry = this.metrics.get(id);
    const existing = entry?.byUnit.get(unit);
    if (existing || !create) {
      return existing;
    }
    if (this.seriesCount >= this.maxSeries) {
      return undefined;
    }
    if (!entry) {
      entry = { key: { namespace: key.namespace, metricName: key.metricName, dimensions: { ...key.dimensions } }, byUnit: new Map() };
      this.metrics.set(id, entry);
    }
    const series: Series = { unit, buckets: new Map(), lastPutMs: 0 };
    entry.byUnit.set(unit, series);
    this.seriesCount++;
    return series;
  }
}
