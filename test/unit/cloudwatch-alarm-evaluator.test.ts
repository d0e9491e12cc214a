import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { AlarmState } from '../../src/cloudwatch/alarm-actions.js';
import { type AlarmPoint, decide, evaluationRange, stateAfter } from '../../src/cloudwatch/alarm-evaluator.js';
import { stateReason, stateReasonData } from '../../src/cloudwatch/alarm-reason.js';
import type { AlarmSpec } from '../../src/cloudwatch/alarm-record.js';
import { javaDouble, reasonDate } from '../../src/cloudwatch/wire-values.js';

const T = Date.UTC(2026, 10, 22, 8, 30, 0);

/** The guide's notation: oldest to newest, left to right; 0 not breaching, X breaching, - missing. */
function points(row: string): AlarmPoint[] {
  return row
    .split(' ')
    .reverse()
    .map((c, i) => ({ startMs: T - (i + 1) * 60_000, ...(c === '-' ? {} : { value: c === 'X' ? 5 : 0, sampleCount: 1 }) }));
}

function outcome(row: string, m: number, treat: string, current: AlarmState = 'OK'): string {
  const decision = decide(points(row), { evaluationPeriods: 3, datapointsToAlarm: m, comparison: 'GreaterThanOrEqualToThreshold', threshold: 1, treatMissingData: treat });
  return decision.kind === 'keep' ? 'Retain' : stateAfter(decision, current);
}

const TREATMENTS = ['missing', 'ignore', 'breaching', 'notBreaching'];

describe('alarm evaluation (the user guide\'s tables, AlarmThatSendsEmail.html)', { timeout: 10_000 }, () => {
  test('the evaluation range is 5 for 3 evaluation periods', () => {
    assert.equal(evaluationRange(3), 5);
    assert.equal(evaluationRange(1), 3);
  });

  test('3 out of 3: every row, every TreatMissingData', () => {
    const rows: [string, string[]][] = [
      ['0 - X - X', ['OK', 'OK', 'OK', 'OK']],
      ['- - - - 0', ['OK', 'OK', 'OK', 'OK']],
      ['- - - - -', ['INSUFFICIENT_DATA', 'Retain', 'ALARM', 'OK']],
      ['0 X X - X', ['ALARM', 'ALARM', 'ALARM', 'ALARM']],
      ['- - X - -', ['ALARM', 'Retain', 'ALARM', 'OK']],
    ];
    for (const [row, expected] of rows) {
      assert.deepEqual(
        TREATMENTS.map((t) => outcome(row, 3, t)),
        expected,
        row,
      );
    }
  });

  test('2 out of 3 (M of N): every row, every TreatMissingData', () => {
    const rows: [string, string[]][] = [
      ['0 - X - X', ['ALARM', 'ALARM', 'ALARM', 'ALARM']],
      ['0 0 X 0 X', ['ALARM', 'ALARM', 'ALARM', 'ALARM']],
      ['0 - X - -', ['OK', 'OK', 'ALARM', 'OK']],
      ['- - - - 0', ['OK', 'OK', 'ALARM', 'OK']],
      ['- - - X -', ['ALARM', 'Retain', 'ALARM', 'OK']],
    ];
    for (const [row, expected] of rows) {
      assert.deepEqual(
        TREATMENTS.map((t) => outcome(row, 2, t)),
        expected,
        row,
      );
    }
  });

  test('a single breaching datapoint at the newest end is not yet an ALARM for 3 of 3 (premature transition avoided)', () => {
    assert.equal(outcome('- - - - X', 3, 'missing', 'INSUFFICIENT_DATA'), 'Retain');
    assert.equal(outcome('- - - X -', 3, 'missing', 'OK'), 'Retain');
  });

  test('with enough real datapoints, the N most recent real ones count, even across gaps', () => {
    assert.equal(outcome('X X - X 0', 2, 'breaching'), 'ALARM');
    assert.equal(outcome('X 0 - 0 X', 2, 'breaching'), 'OK');
  });
});

describe('StateReason and StateReasonData', { timeout: 10_000 }, () => {
  const spec = (extra: Partial<AlarmSpec> = {}): AlarmSpec => ({
    Namespace: 'AWS/SageMaker',
    MetricName: 'Invocations',
    Statistic: 'Sum',
    Period: 60,
    EvaluationPeriods: 3,
    Threshold: 10,
    ComparisonOperator: 'GreaterThanThreshold',
    ...extra,
  });
  const at = (minutesAgo: number) => T - minutesAgo * 60_000;

  test('numbers and dates as CloudWatch prints them', () => {
    assert.deepEqual([javaDouble(30), javaDouble(0), javaDouble(0.35220499833424884), javaDouble(1e7), javaDouble(-1.5e-4), javaDouble(9.72)], ['30.0', '0.0', '0.35220499833424884', '1.0E7', '-1.5E-4', '9.72']);
    assert.equal(reasonDate(Date.UTC(2020, 9, 9, 21, 24, 0)), '09/10/20 21:24:00');
  });

  test('"M out of the last N" when DatapointsToAlarm is set, the short form otherwise', () => {
    const counted = [
      { startMs: at(1), value: 12 },
      { startMs: at(2), value: 13.5 },
      { startMs: at(3), value: 20 },
    ];
    assert.equal(
      stateReason({ kind: 'threshold', state: 'ALARM', counted, filled: 0 }, spec({ DatapointsToAlarm: 3 })),
      'Threshold Crossed: 3 out of the last 3 datapoints [12.0 (22/11/26 08:29:00), 13.5 (22/11/26 08:28:00), 20.0 (22/11/26 08:27:00)] were greater than the threshold (10.0) (minimum 3 datapoints for OK -> ALARM transition).',
    );
    assert.equal(
      stateReason({ kind: 'threshold', state: 'OK', counted: [{ startMs: at(1), value: 0 }], filled: 0 }, spec({ EvaluationPeriods: 1, DatapointsToAlarm: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' })),
      'Threshold Crossed: 1 out of the last 1 datapoints [0.0 (22/11/26 08:29:00)] was not greater than or equal to the threshold (1.0) (minimum 1 datapoint for ALARM -> OK transition).',
    );
    assert.equal(
      stateReason({ kind: 'threshold', state: 'ALARM', counted: [{ startMs: at(1), value: 3 }], filled: 0 }, spec({ EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanOrEqualToThreshold' })),
      'Threshold Crossed: 1 datapoint [3.0 (22/11/26 08:29:00)] was greater than or equal to the threshold (1.0).',
    );
  });

  test('filled missing datapoints, all missing, and insufficient data', () => {
    assert.equal(
      stateReason({ kind: 'threshold', state: 'OK', counted: [{ startMs: at(1), value: 0 }], filled: 1 }, spec({ EvaluationPeriods: 2, Threshold: 1, ComparisonOperator: 'LessThanThreshold', TreatMissingData: 'breaching' })),
      'Threshold Crossed: 1 datapoint [0.0 (22/11/26 08:29:00)] was not less than the threshold (1.0) and 1 missing datapoint was treated as [Breaching].',
    );
    assert.equal(
      stateReason({ kind: 'all-missing', state: 'OK' }, spec({ TreatMissingData: 'notBreaching' })),
      'Threshold Crossed: no datapoints were received for 3 periods and 3 missing datapoints were treated as [NonBreaching].',
    );
    assert.equal(stateReason({ kind: 'all-missing', state: 'ALARM' }, spec({ EvaluationPeriods: 1, TreatMissingData: 'breaching' })), 'Threshold Crossed: no datapoints were received for 1 period and 1 missing datapoint was treated as [Breaching].');
    assert.equal(stateReason({ kind: 'insufficient' }, spec({ EvaluationPeriods: 5 })), 'Insufficient Data: 5 datapoints were unknown.');
  });

  test('StateReasonData: the guide\'s members, Java-printed numbers, evaluated datapoints newest first', () => {
    const data = stateReasonData(
      spec(),
      60,
      [
        { startMs: at(1), value: 20000, sampleCount: 3 },
        { startMs: at(2) },
        { startMs: at(3), value: 1.5, sampleCount: 1 },
      ],
      T + 5399,
    );
    assert.equal(
      data,
      '{"version":"1.0","queryDate":"2026-11-22T08:30:05.399+0000","startDate":"2026-11-22T08:27:00.000+0000","statistic":"Sum","period":60,' +
        '"recentDatapoints":[1.5,20000.0],"threshold":10.0,"evaluatedDatapoints":[{"timestamp":"2026-11-22T08:29:00.000+0000","sampleCount":3.0,"value":20000.0},' +
        '{"timestamp":"2026-11-22T08:28:00.000+0000"},{"timestamp":"2026-11-22T08:27:00.000+0000","sampleCount":1.0,"value":1.5}]}',
    );
    assert.deepEqual(JSON.parse(data).recentDatapoints, [1.5, 20000]);
  });
});
