/**
 * StateReason and StateReasonData as CloudWatch writes them. Real examples:
 *
 *   Threshold Crossed: 3 out of the last 3 datapoints [1141.0 (09/10/20 21:24:00), 1226.0 (09/10/20 21:19:00),
 *   1390.0 (09/10/20 21:14:00)] were greater than or equal to the threshold (30.0) (minimum 3 datapoints for
 *   OK -> ALARM transition).
 *   Threshold Crossed: 1 out of the last 1 datapoints [0.0 (23/04/20 13:17:00)] was not greater than or equal
 *   to the threshold (1.0) (minimum 1 datapoint for ALARM -> OK transition).
 *   Threshold Crossed: 1 datapoint [3.0 (26/10/24 18:59:00)] was greater than or equal to the threshold (1.0).
 *   Threshold Crossed: 1 datapoint [0.0 (20/04/26 18:45:00)] was less than the threshold (1.0) and 1 missing
 *   datapoint was treated as [Breaching].
 *   Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were treated as [NonBreaching].
 *   Insufficient Data: 5 datapoints were unknown.
 *
 * The "M out of the last N" form appears for alarms that set DatapointsToAlarm
 * (the 2020 example's alarm has it), the short form otherwise: an inference,
 * NOT VERIFIED. The transition named in "(minimum …)" is always OK -> ALARM or
 * ALARM -> OK, whatever the previous state (the user guide's example comes
 * from INSUFFICIENT_DATA). StateReasonData follows the guide's example:
 * {"version":"1.0","queryDate":…,"startDate":…,"statistic":"Sum","period":60,
 * "recentDatapoints":[…],"threshold":0.0,"evaluatedDatapoints":[…]}, numbers
 * printed as Java prints doubles.
 */
import type { AlarmPoint, Decision, RealPoint } from './alarm-evaluator.js';
import type { AlarmSpec } from './alarm-record.js';
import { javaDouble, reasonDataDate, reasonDate } from './wire-values.js';

export const INITIAL_REASON = 'Unchecked: Initial alarm creation';

const OPERATOR_WORDS: Record<string, string> = {
  GreaterThanOrEqualToThreshold: 'greater than or equal to',
  GreaterThanThreshold: 'greater than',
  LessThanThreshold: 'less than',
  LessThanOrEqualToThreshold: 'less than or equal to',
};

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;
const wasWere = (n: number) => (n === 1 ? 'was' : 'were');

/** The StateReason of a decision that changes the state (never called for `keep`). */
export function stateReason(decision: Exclude<Decision, { kind: 'keep' }>, spec: AlarmSpec): string {
  const n = spec.EvaluationPeriods ?? 1;
  const treatedAs = spec.TreatMissingData === 'breaching' ? 'Breaching' : 'NonBreaching';
  switch (decision.kind) {
    case 'insufficient':
      return `Insufficient Data: ${plural(n, 'datapoint')} ${wasWere(n)} unknown.`;
    case 'all-missing':
      return `Threshold Crossed: no datapoints were received for ${plural(n, 'period')} and ${plural(n, 'missing datapoint')} ${wasWere(n)} treated as [${treatedAs}].`;
    case 'threshold': {
      const k = decision.counted.length;
      const list = decision.counted.map((p) => `${javaDouble(p.value)} (${reasonDate(p.startMs)})`).join(', ');
      const words = `${decision.state === 'OK' ? 'not ' : ''}${OPERATOR_WORDS[spec.ComparisonOperator ?? ''] ?? spec.ComparisonOperator}`;
      const filled = decision.filled > 0 ? ` and ${plural(decision.filled, 'missing datapoint')} ${wasWere(decision.filled)} treated as [${treatedAs}]` : '';
      const threshold = javaDouble(spec.Threshold ?? 0);
      if (spec.DatapointsToAlarm === undefined) {
        return `Threshold Crossed: ${plural(k, 'datapoint')} [${list}] ${wasWere(k)} ${words} the threshold (${threshold})${filled}.`;
      }
      const m = spec.DatapointsToAlarm;
      const [minimum, transition] = decision.state === 'ALARM' ? [m, 'OK -> ALARM'] : [n - m + 1, 'ALARM -> OK'];
      return (
        `Threshold Crossed: ${k} out of the last ${n} datapoints [${list}] ${wasWere(k)} ${words} the threshold (${threshold})${filled} ` +
        `(minimum ${plural(minimum, 'datapoint')} for ${transition} transition).`
      );
    }
  }
}

/** StateReasonData: the evaluation's datapoints, the N evaluated ones newest first. */
export function stateReasonData(spec: AlarmSpec, period: number, evaluated: readonly AlarmPoint[], queryMs: number): string {
  const real = evaluated.filter((p): p is RealPoint => p.value !== undefined).reverse();
  const parts = [`"version":"1.0"`, `"queryDate":${JSON.stringify(reasonDataDate(queryMs))}`];
  if (real.length > 0) {
    parts.push(`"startDate":${JSON.stringify(reasonDataDate(real[0]!.startMs))}`);
  }
  if (spec.Statistic !== undefined) {
    parts.push(`"statistic":${JSON.stringify(spec.Statistic)}`);
  } else if (spec.ExtendedStatistic !== undefined) {
    // NOT VERIFIED: the member a percentile alarm's reason data uses.
    parts.push(`"extendedStatistic":${JSON.stringify(spec.ExtendedStatistic)}`);
  }
  if (spec.Unit !== undefined) {
    parts.push(`"unit":${JSON.stringify(spec.Unit)}`);
  }
  parts.push(`"period":${period}`);
  parts.push(`"recentDatapoints":[${real.map((p) => javaDouble(p.value)).join(',')}]`);
  parts.push(`"threshold":${javaDouble(spec.Threshold ?? 0)}`);
  const points = evaluated.map((p) => {
    const fields = [`"timestamp":${JSON.stringify(reasonDataDate(p.startMs))}`];
    if (p.value !== undefined) {
      if (p.sampleCount !== undefined) {
        fields.push(`"sampleCount":${javaDouble(p.sampleCount)}`);
      }
      fields.push(`"value":${javaDouble(p.value)}`);
    }
    return `{${fields.join(',')}}`;
  });
  parts.push(`"evaluatedDatapoints":[${points.join(',')}]`);
  return `{${parts.join(',')}}`;
}
