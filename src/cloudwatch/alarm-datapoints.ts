/**
 * The datapoints an alarm evaluates at a tick, newest first: windows of the
 * alarm's Period that end at the tick's boundary and slide with it, as
 * CloudWatch's do ("if the Period is 5 minutes … at the end of minute 6, the
 * alarm is evaluated based on the data from minutes 2 to 6",
 * AlarmThatSendsEmail.html). A single-metric alarm aggregates its metric with
 * its statistic; a metric math alarm evaluates its Metrics and watches the
 * one that returns data.
 */
import type { AlarmPoint } from './alarm-evaluator.js';
import type { AlarmSpec } from './alarm-record.js';
import { MathError } from './metric-math-parser.js';
import { evaluateQueries } from './metric-queries.js';
import { checkQueries } from './metric-query-checks.js';
import type { MetricStore } from './metric-store.js';
import { PeriodStats } from './period-stats.js';
import { parseStatistic, statisticValue } from './statistics.js';
import { dimensionMap } from './wire-values.js';

export interface AlarmData {
  points: AlarmPoint[];
  /** A percentile alarm with EvaluateLowSampleCountPercentile=ignore saw too few samples: it keeps its state. */
  lowSamples: boolean;
}

/** `count` windows of `periodSeconds` ending at `boundaryMs`, newest first; throws MathError when metric math fails. */
export function alarmData(spec: AlarmSpec, periodSeconds: number, count: number, boundaryMs: number, store: MetricStore): AlarmData {
  const windowMs = periodSeconds * 1000;
  const startMs = boundaryMs - count * windowMs;
  const starts = Array.from({ length: count }, (_, i) => boundaryMs - (i + 1) * windowMs);
  if (spec.Metrics !== undefined) {
    return { points: mathPoints(spec, starts, { startMs, endMs: boundaryMs }, store), lowSamples: false };
  }
  const stat = parseStatistic(spec.Statistic ?? spec.ExtendedStatistic ?? '');
  if (!stat.ok) {
    throw new MathError(`The alarm's statistic ${spec.Statistic ?? spec.ExtendedStatistic ?? ''} cannot be computed.`);
  }
  const windows = store.windows({
    key: { namespace: spec.Namespace ?? '', metricName: spec.MetricName ?? '', dimensions: dimensionMap(spec.Dimensions) },
    unit: spec.Unit,
    startMs,
    endMs: boundaryMs,
    windowMs,
  });
  const byStart = new Map(windows.map((w) => [w.startMs, w.stats]));
  let lowSamples = false;
  const points = starts.map((s): AlarmPoint => {
    const stats = byStart.get(s);
    const value = stats ? statisticValue(stat.stat, stats) : undefined;
    if (stats && value !== undefined && stat.stat.kind === 'percentile' && spec.EvaluateLowSampleCountPercentile === 'ignore') {
      lowSamples ||= stats.sampleCount < PeriodStats.significantCount(stat.stat.p);
    }
    return value === undefined ? { startMs: s } : { startMs: s, value, sampleCount: stats!.sampleCount };
  });
  return { points, lowSamples };
}

function mathPoints(spec: AlarmSpec, starts: number[], window: { startMs: number; endMs: number }, store: MetricStore): AlarmPoint[] {
  const metrics = spec.Metrics!;
  const checked = checkQueries(metrics, 'Metrics', store.periodMs / 1000);
  if (checked.problems.length > 0) {
    throw new MathError(checked.problems.join(' '));
  }
  const values = evaluateQueries(metrics, checked.expressions, window, store);
  const watched = metrics.find((q) => q.ReturnData !== false);
  const value = watched ? values.get(watched.Id) : undefined;
  if (value?.t === 'scalar') {
    return starts.map((s) => (Number.isFinite(value.value) ? { startMs: s, value: value.value } : { startMs: s }));
  }
  if (value?.t !== 'series') {
    throw new MathError(`The expression the alarm watches must give a single time series.`);
  }
  return starts.map((s) => {
    const v = value.series.points.get(s);
    return v === undefined ? { startMs: s } : { startMs: s, value: v };
  });
}
