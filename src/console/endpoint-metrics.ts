import type { MetricKey } from '../cloudwatch/metric-sink.js';
import { SAGEMAKER_NAMESPACE } from '../cloudwatch/metric-sink.js';
import type { MetricStore } from '../cloudwatch/metric-store.js';
import type { PeriodStats } from '../cloudwatch/period-stats.js';

/**
 * What the endpoint views read from the CloudWatch metric store: the same
 * per-period datapoints GetMetricStatistics serves, so the console and a
 * CloudWatch client never disagree.
 */

const MINUTE_MS = 60_000;
/** The charts show the last 15 minutes of periods. */
export const CHART_WINDOW_MS = 15 * MINUTE_MS;

const variantKey = (metricName: string, endpoint: string, variant: string): MetricKey => ({
  namespace: SAGEMAKER_NAMESPACE,
  metricName,
  dimensions: { EndpointName: endpoint, VariantName: variant },
});

/**
 * A counter's sum over the last 60 s, [now − 60 s, now]. Datapoints are per
 * period, so a sample's time within its period is gone: a period the window
 * covers only in part counts pro rata (with the default 60 s period, the
 * current minute so far plus the share of the previous minute still in the
 * window). A steady rate reads as that rate, and a burst fades over a minute
 * instead of vanishing at a period boundary.
 */
export function lastMinuteSum(store: MetricStore, metricName: string, endpoint: string, variant: string, now: number): number {
  const from = now - MINUTE_MS;
  const windows = store.windows({
    key: variantKey(metricName, endpoint, variant),
    startMs: store.periodStart(from),
    endMs: now + 1,
    windowMs: store.periodMs,
  });
  let sum = 0;
  for (const { startMs, stats } of windows) {
    const elapsed = Math.min(startMs + store.periodMs, now) - startMs;
    const inWindow = Math.min(startMs + store.periodMs, now) - Math.max(startMs, from);
    sum += elapsed > 0 ? (stats.sum * Math.max(0, inWindow)) / elapsed : stats.sum;
  }
  return sum;
}

/** The latest period's Maximum of an endpoint-level metric (the async queue's, dimension EndpointName only). */
export function latestMaximum(store: MetricStore, metricName: string, endpoint: string, now: number): number | undefined {
  const windows = store.windows({
    key: { namespace: SAGEMAKER_NAMESPACE, metricName, dimensions: { EndpointName: endpoint } },
    startMs: store.periodStart(now) - store.periodMs,
    endMs: store.periodStart(now) + store.periodMs,
    windowMs: store.periodMs,
  });
  return windows.at(-1)?.stats.maximum;
}

/** The variants the store holds SageMaker metrics of for this endpoint (a deleted endpoint's stay, as on CloudWatch). */
export function variantsWithData(store: MetricStore, endpoint: string): string[] {
  const names = new Set<string>();
  for (const { key } of store.listMetrics()) {
    const variant = key.dimensions.VariantName;
    if (key.namespace === SAGEMAKER_NAMESPACE && key.dimensions.EndpointName === endpoint && variant !== undefined) {
      names.add(variant);
    }
  }
  return [...names].sort();
}

/** The JSON console.js draws: x in epoch seconds, one list of values per series (null: no datapoint). */
export interface ChartData {
  x: number[];
  series: { label: string; values: (number | null)[] }[];
}

type Statistic = (s: PeriodStats) => number;
const sum: Statistic = (s) => s.sum;
const sampleCount: Statistic = (s) => s.sampleCount;
const maximum: Statistic = (s) => s.maximum;
/** CloudWatch holds latencies in microseconds; the charts show milliseconds. */
const averageMs: Statistic = (s) => s.sum / s.sampleCount / 1000;

interface SeriesSpec {
  metricName: string;
  /** Appended to the variant's name in the legend. */
  suffix: string;
  statistic: Statistic;
  /** Counts read 0 in a period without a sample; measurements are a gap. */
  zero: boolean;
}

/** The charts of the detail page, by the name its URL carries. */
export const CHARTS = {
  invocations: {
    title: 'Invocations and model errors per period',
    series: [
      { metricName: 'Invocations', suffix: '', statistic: sum, zero: true },
      { metricName: 'InvocationModelErrors', suffix: ' errors', statistic: sum, zero: true },
    ],
  },
  latency: {
    title: 'ModelLatency and OverheadLatency (average, ms)',
    series: [
      { metricName: 'ModelLatency', suffix: ' model', statistic: averageMs, zero: false },
      { metricName: 'OverheadLatency', suffix: ' overhead', statistic: averageMs, zero: false },
    ],
  },
  concurrency: {
    title: 'ConcurrentRequestsPerModel (maximum)',
    series: [{ metricName: 'ConcurrentRequestsPerModel', suffix: '', statistic: maximum, zero: false }],
  },
  coldstarts: {
    title: 'Cold starts (ModelSetupTime sample count)',
    series: [{ metricName: 'ModelSetupTime', suffix: '', statistic: sampleCount, zero: true }],
  },
} as const satisfies Record<string, { title: string; series: readonly SeriesSpec[] }>;

export type ChartName = keyof typeof CHARTS;

export const isChartName = (name: string): name is ChartName => Object.hasOwn(CHARTS, name);

/** One chart's series over the last 15 minutes of periods, every variant. */
export function chartData(store: MetricStore, endpoint: string, variants: readonly string[], chart: ChartName, now: number): ChartData {
  const period = store.periodMs;
  const endMs = store.periodStart(now) + period;
  const startMs = endMs - Math.ceil(CHART_WINDOW_MS / period) * period;
  const x: number[] = [];
  for (let t = startMs; t < endMs; t += period) {
    x.push(t / 1000);
  }
  const series: ChartData['series'] = [];
  for (const variant of variants) {
    for (const spec of CHARTS[chart].series as readonly SeriesSpec[]) {
      const values: (number | null)[] = x.map(() => (spec.zero ? 0 : null));
      for (const w of store.windows({ key: variantKey(spec.metricName, endpoint, variant), startMs, endMs, windowMs: period })) {
        values[(w.startMs - startMs) / period] = spec.statistic(w.stats);
      }
      series.push({ label: `${variant}${spec.suffix}`, values });
    }
  }
  return { x, series };
}
