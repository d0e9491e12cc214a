/**
 * The validation of MetricDataQuery lists, as GetMetricData takes them and as
 * PutMetricAlarm's `Metrics` does, with CloudWatch's parameter paths
 * (`MetricDataQueries.member.N.…`). Their evaluation is in metric-queries.ts.
 */
import { MathError, type MathNode, parseExpression, referencedIds } from './metric-math-parser.js';
import { notEmulatedText, parseStatistic } from './statistics.js';
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
