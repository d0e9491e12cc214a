/**
 * One evaluation of a metric alarm, as CloudWatch describes it
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/AlarmThatSendsEmail.html,
 * "Evaluating an alarm" and "How alarm state is evaluated when data is missing"):
 *
 * - the alarm looks at an evaluation range a little longer than its N
 *   EvaluationPeriods (5 for N = 3, as in the guide's tables);
 * - with at least N real datapoints there, the N most recent are compared and
 *   M (DatapointsToAlarm, default N) breaching ones mean ALARM, else OK —
 *   TreatMissingData plays no part;
 * - with none, `missing` → INSUFFICIENT_DATA, `ignore` → the state is kept,
 *   `breaching` → ALARM, `notBreaching` → OK;
 * - with fewer than N, the missing ones are filled as TreatMissingData says
 *   (as few as possible); for `missing` and `ignore` the "premature alarm" rule
 *   applies: when every real datapoint breaches and the oldest of them, among
 *   the last N periods, is at least M periods old, the alarm goes to ALARM
 *   (`missing`) or keeps its state (`ignore`). This reproduces each row of the
 *   guide's two tables (test/unit/cloudwatch-alarm-evaluator.test.ts).
 *
 * Pure: datapoints in, a decision out; src/cloudwatch/alarms.ts applies it.
 */
import type { AlarmState } from './alarm-actions.js';

export interface AlarmPoint {
  /** The window's start, epoch ms. */
  startMs: number;
  value?: number;
  sampleCount?: number;
}

export interface AlarmRule {
  evaluationPeriods: number;
  datapointsToAlarm: number;
  comparison: string;
  threshold: number;
  treatMissingData: string;
}

export type RealPoint = Required<Pick<AlarmPoint, 'startMs' | 'value'>> & AlarmPoint;

export type Decision =
  | { kind: 'keep' }
  | { kind: 'insufficient' }
  | { kind: 'all-missing'; state: 'ALARM' | 'OK' }
  | {
      kind: 'threshold';
      state: 'ALARM' | 'OK';
      /** The datapoints the decision counts, newest first: breaching ones for ALARM, the others for OK. */
      counted: RealPoint[];
      /** Missing datapoints filled in (as breaching or not, per TreatMissingData). */
      filled: number;
    };

/** How many periods beyond EvaluationPeriods an evaluation looks back (N = 3 → 5, the guide's example). NOT VERIFIED beyond it. */
export const evaluationRange = (evaluationPeriods: number): number => evaluationPeriods + Math.max(2, Math.floor(evaluationPeriods / 3));

export function breaches(comparison: string, value: number, threshold: number): boolean {
  switch (comparison) {
    case 'GreaterThanOrEqualToThreshold':
      return value >= threshold;
    case 'GreaterThanThreshold':
      return value > threshold;
    case 'LessThanThreshold':
      return value < threshold;
    case 'LessThanOrEqualToThreshold':
      return value <= threshold;
    default:
      return false;
  }
}

/** Decides the state from the evaluation range's datapoints, newest first (index 0 = the window that just ended). */
export function decide(points: readonly AlarmPoint[], rule: AlarmRule): Decision {
  const n = rule.evaluationPeriods;
  const m = rule.datapointsToAlarm;
  const isBreaching = (p: RealPoint) => breaches(rule.comparison, p.value, rule.threshold);
  const real = points.filter((p): p is RealPoint => p.value !== undefined);
  const split = (list: RealPoint[]) => ({ bad: list.filter(isBreaching), good: list.filter((p) => !isBreaching(p)) });

  if (real.length === 0) {
    switch (rule.treatMissingData) {
      case 'breaching':
        return { kind: 'all-missing', state: 'ALARM' };
      case 'notBreaching':
        return { kind: 'all-missing', state: 'OK' };
      case 'ignore':
        return { kind: 'keep' };
      default:
        return { kind: 'insufficient' };
    }
  }
  if (real.length >= n) {
    const { bad, good } = split(real.slice(0, n));
    return bad.length >= m ? { kind: 'threshold', state: 'ALARM', counted: bad, filled: 0 } : { kind: 'threshold', state: 'OK', counted: good, filled: 0 };
  }
  const fill = n - real.length;
  const { bad, good } = split(real);
  if (rule.treatMissingData === 'breaching') {
    return bad.length + fill >= m
      ? { kind: 'threshold', state: 'ALARM', counted: bad, filled: fill }
      : { kind: 'threshold', state: 'OK', counted: good, filled: fill };
  }
  if (rule.treatMissingData === 'notBreaching') {
    return bad.length >= m ? { kind: 'threshold', state: 'ALARM', counted: bad, filled: 0 } : { kind: 'threshold', state: 'OK', counted: good, filled: fill };
  }
  // missing / ignore: only real datapoints count, with the premature-alarm rule.
  if (bad.length >= m) {
    return { kind: 'threshold', state: 'ALARM', counted: bad, filled: 0 };
  }
  const oldestBadInWindow = points.slice(0, n).findLastIndex((p) => p.value !== undefined && breaches(rule.comparison, p.value, rule.threshold));
  if (good.length === 0 && oldestBadInWindow + 1 >= m) {
    return rule.treatMissingData === 'ignore' ? { kind: 'keep' } : { kind: 'threshold', state: 'ALARM', counted: bad, filled: 0 };
  }
  // "- - - - X": too early to alarm, and nothing says OK either; the state stays.
  return good.length > 0 ? { kind: 'threshold', state: 'OK', counted: good, filled: 0 } : { kind: 'keep' };
}

/** The state a decision leads to from `current`. */
export function stateAfter(decision: Decision, current: AlarmState): AlarmState {
  switch (decision.kind) {
    case 'keep':
      return current;
    case 'insufficient':
      return 'INSUFFICIENT_DATA';
    default:
      return decision.state;
  }
}
