/**
 * MetricDataQuery lists evaluated over a time window (GetMetricData, metric
 * math alarms): MetricStat queries from the metric store, expressions with
 * metric math, then the results of the queries that return data. The lists
 * have been checked first (metric-query-checks.ts).
 */
import { evaluate, type MathEnv, type MathValue, type Series } from './metric-math-eval.js';
import { MathError, type MathNode } from './metric-math-parser.js';
import type { MetricStore } from './metric-store.js';
import { parseStatistic, statisticValue } from './statistics.js';
import { dimensionMap } from './wire-values.js';
import type { MetricDataQuery } from '../protocol/generated/cloudwatch-types.js';

/** One time series of a result: what a MetricDataResult carries, oldest first. */
export interface QueryResult {
  id: string;
  label: string;
  points: [number, number][];
}

export interface QueryWindow {
  /** Aligned to the store's period. */
  startMs: number;
  endMs: number;
}

/** Evaluates checked queries; returns every query's value by Id. Throws MathError on a runtime problem. */
export function evaluateQueries(
  queries: readonly MetricDataQuery[],
  expressions: Map<string, MathNode>,
  window: QueryWindow,
  store: MetricStore,
): Map<string, MathValue> {
  const values = new Map<string, MathValue>();
  const statSeries: { id: string; series: Series }[] = [];
  for (const q of queries) {
    if (q.MetricStat) {
      const series = metricStatSeries(q, window, store);
      statSeries.push({ id: q.Id, series });
      values.set(q.Id, { t: 'series', series });
    }
  }
  const byId = new Map(queries.map((q) => [q.Id, q]));
  const resolve = (id: string): MathValue => {
    const known = values.get(id);
    if (known) {
      return known;
    }
    const node = expressions.get(id);
    if (!node) {
      throw new MathError(`Unrecognized metric or expression id ${id}.`);
    }
    const env: MathEnv = {
      resolve,
      metrics: (filter) => statSeries.filter((s) => filter === undefined || s.id.includes(filter)).map((s) => s.series),
      label: byId.get(id)?.Label ?? id,
    };
    let value: MathValue;
    try {
      value = evaluate(node, env);
    } catch (err) {
      // Name the expression where the problem is (once: a nested expression's error already names its own).
      throw err instanceof MathError && !err.message.startsWith('Error in expression ') ? new MathError(`Error in expression ${id}: ${err.message}`) : err;
    }
    values.set(id, value);
    return value;
  };
  for (const id of expressions.keys()) {
    resolve(id);
  }
  return values;
}

/** The results of the queries that return data, in request order (an array value gives one result per series). */
export function queryResults(queries: readonly MetricDataQuery[], values: Map<string, MathValue>): QueryResult[] {
  // A scalar is shown at every timestamp any metric of the request has. NOT VERIFIED: CloudWatch's choice.
  const allTimes = new Set<number>();
  for (const q of queries) {
    const v = values.get(q.Id);
    if (q.MetricStat && v?.t === 'series') {
      v.series.points.forEach((_, ts) => allTimes.add(ts));
    }
  }
  const results: QueryResult[] = [];
  for (const q of queries) {
    if (q.ReturnData === false) {
      continue;
    }
    const v = values.get(q.Id)!;
    const label = q.Label ?? (q.MetricStat ? q.MetricStat.Metric.MetricName! : q.Id);
    switch (v.t) {
      case 'series':
        results.push({ id: q.Id, label, points: sorted(v.series.points) });
        break;
      case 'array':
        for (const s of v.items) {
          results.push({ id: q.Id, label: q.Label ? `${q.Label} ${s.label}` : s.label, points: sorted(s.points) });
        }
        break;
      case 'scalar':
        results.push({ id: q.Id, label, points: Number.isFinite(v.value) ? [...allTimes].sort((a, b) => a - b).map((ts) => [ts, v.value]) : [] });
        break;
      case 'string':
        throw new MathError(`Error in expression ${q.Id}: the expression gives a string, not a time series.`);
    }
  }
  return results;
}

function metricStatSeries(q: MetricDataQuery, window: QueryWindow, store: MetricStore): Series {
  const stat = q.MetricStat!;
  const parsed = parseStatistic(stat.Stat);
  if (!parsed.ok) {
    throw new MathError(`The statistic ${stat.Stat} of ${q.Id} is not valid.`);
  }
  const windows = store.windows({
    key: { namespace: stat.Metric.Namespace!, metricName: stat.Metric.MetricName!, dimensions: dimensionMap(stat.Metric.Dimensions) },
    unit: stat.Unit,
    startMs: window.startMs,
    endMs: window.endMs,
    windowMs: stat.Period * 1000,
  });
  const points = new Map<number, number>();
  for (const w of windows) {
    const value = statisticValue(parsed.stat, w.stats);
    if (value !== undefined) {
      points.set(w.startMs, value);
    }
  }
  return { label: q.Label ?? stat.Metric.MetricName!, points };
}

function sorted(points: Map<number, number>): [number, number][] {
  return [...points.entries()].sort((a, b) => a[0] - b[0]);
}
