/**
 * MetricDataQuery lists, as GetMetricData takes them and as PutMetricAlarm's
 * `Metrics` does: their validation (with CloudWatch's parameter paths,
 * `MetricDataQueries.member.N.…`) and their evaluation over a time window.
 */
import { evaluate, type MathEnv, type MathValue, type Series } from './metric-math-eval.js';
import { MathError, type MathNode, parseExpression, referencedIds } from './metric-math-parser.js';
import type { MetricStore } from './metric-store.js';
import { notEmulatedText, parseStatistic, statisticValue } from './statistics.js';
import { dimensionMap } from './wire-values.js';
import type { MetricDataQuery } from '../protocol/generated/cloudwatch-types.js';

/** using-metric-math.html: "It can include numbers, letters, an underscore, and must start with a lowercase letter." */
const QUERY_ID = /^[a-z][A-Za-z0-9_]*$/;

export interface CheckedQueries {
  /** Problems, one sentence each; the caller joins them into its error. */
  problems: string[];
  expressions: Map<string, MathNode>;
}

/** Checks a query list; `prefix` names the list in messages (`MetricDataQueries`, `Metrics`). */
export function checkQueries(queries: readonly MetricDataQuery[], prefix: string, periodSeconds: number): CheckedQueries {
  const problems: string[] = [];
  const expressions = new Map<string, MathNode>();
  const ids = new Set<string>();
  queries.forEach((q, index) => {
    const at = `${prefix}.member.${index + 1}`;
    // NOT VERIFIED: the texts for a bad or repeated Id (the rule is the documented one).
    if (!QUERY_ID.test(q.Id)) {
      problems.push(`The value ${q.Id} for parameter ${at}.Id is not valid. An Id must start with a lowercase letter and contain only letters, numbers and underscores.`);
    } else if (ids.has(q.Id)) {
      problems.push(`The value ${q.Id} for parameter ${at}.Id is not unique.`);
    }
    ids.add(q.Id);
    if (q.MetricStat && q.Expression !== undefined) {
      problems.push(`The parameters ${at}.MetricStat and ${at}.Expression are mutually exclusive and you have specified both.`);
    } else if (q.MetricStat) {
      problems.push(...checkMetricStat(q, at, periodSeconds));
    } else if (q.Expression !== undefined) {
      const parsed = parseOne(q, at);
      if (typeof parsed === 'string') {
        problems.push(parsed);
      } else {
        expressions.set(q.Id, parsed);
      }
    } else {
      // moto (which checks its texts against AWS): "The parameter MetricDataQueries.member.1.MetricStat is required."
      problems.push(`The parameter ${at}.MetricStat is required.`);
    }
  });
  if (problems.length === 0) {
    problems.push(...checkReferences(expressions, ids));
  }
  return { problems, expressions };
}

function checkMetricStat(q: MetricDataQuery, at: string, periodSeconds: number): string[] {
  const stat = q.MetricStat!;
  const problems: string[] = [];
  // The real text for a missing namespace: "The parameter MetricDataQueries.member.1.MetricStat.Metric.Namespace is required."
  for (const member of ['Namespace', 'MetricName'] as const) {
    if (stat.Metric[member] === undefined) {
      problems.push(`The parameter ${at}.MetricStat.Metric.${member} is required.`);
    }
  }
  const parsed = parseStatistic(stat.Stat);
  if (!parsed.ok) {
    // Real: "The value None for parameter MetricDataQueries.member.223.MetricStat.Stat is not a valid statistic."
    problems.push(parsed.reason === 'invalid' ? `The value ${stat.Stat} for parameter ${at}.MetricStat.Stat is not a valid statistic.` : notEmulatedText(stat.Stat));
  }
  if (stat.Period % periodSeconds !== 0) {
    // NOT VERIFIED: GetMetricStatistics' "must be a multiple of 60", with this store's period and path.
    problems.push(`The parameter ${at}.MetricStat.Period must be a multiple of ${periodSeconds}.`);
  }
  return problems;
}

function parseOne(q: MetricDataQuery, at: string): MathNode | string {
  const text = q.Expression!.trim();
  if (/^(SELECT|SEARCH)\b/i.test(text) || /^SEARCH\s*\(/.test(text)) {
    return `The expression of ${at} is a Metrics Insights query or a search: sagemaker-emulator evaluates metric math only.`;
  }
  try {
    return parseExpression(text);
  } catch (err) {
    if (err instanceof MathError) {
      // NOT VERIFIED: CloudWatch's wording for a malformed expression.
      return `Error in expression ${q.Id}: ${err.message}`;
    }
    throw err;
  }
}

/** Every id an expression uses exists, and no expression depends on itself. */
function checkReferences(expressions: Map<string, MathNode>, ids: Set<string>): string[] {
  const problems: string[] = [];
  for (const [id, node] of expressions) {
    for (const ref of referencedIds(node)) {
      if (!ids.has(ref)) {
        problems.push(`Error in expression ${id}: Unrecognized metric or expression id ${ref}.`);
      }
    }
  }
  if (problems.length > 0) {
    return problems;
  }
  const state = new Map<string, 'visiting' | 'done'>();
  const visit = (id: string, path: string[]): string | undefined => {
    if (state.get(id) === 'done' || !expressions.has(id)) {
      return undefined;
    }
    if (state.get(id) === 'visiting') {
      return `Error in expression ${id}: Circular dependency between expressions (${[...path, id].join(' -> ')}).`;
    }
    state.set(id, 'visiting');
    for (const ref of referencedIds(expressions.get(id)!)) {
      const found = visit(ref, [...path, id]);
      if (found) {
        return found;
      }
    }
    state.set(id, 'done');
    return undefined;
  };
  for (const id of expressions.keys()) {
    const found = visit(id, []);
    if (found) {
      return [found];
    }
  }
  return [];
}

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
