import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { assertAwsError, type Harness, harness, removeDirs, seconds } from '../helpers/cloudwatch-harness.js';
import { parseExpression } from '../../src/cloudwatch/metric-math-parser.js';

after(removeDirs);

const stat = (id: string, name: string, extra: object = {}) => ({
  Id: id,
  MetricStat: { Metric: { Namespace: 'App', MetricName: name, Dimensions: [{ Name: 'Host', Value: 'a' }] }, Period: 1, Stat: 'Sum' },
  ...extra,
});

describe('GetMetricData', { timeout: 20_000 }, () => {
  let h: Harness;
  let t0 = 0;
  // Errors: 1, 2, 3 at t0, t0+1 s, t0+2 s; Requests: 10, 20, (none), 40 at t0 … t0+3 s.
  before(async () => {
    h = harness();
    h.toBoundary();
    t0 = h.clock.now();
    const dims = [{ Name: 'Host', Value: 'a' }];
    const at = (i: number) => seconds(t0 + i * 1000);
    await h.call('PutMetricData', {
      Namespace: 'App',
      MetricData: [
        ...[1, 2, 3].map((v, i) => ({ MetricName: 'Errors', Dimensions: dims, Value: v, Timestamp: at(i) })),
        ...[
          [0, 10],
          [1, 20],
          [3, 40],
        ].map(([i, v]) => ({ MetricName: 'Requests', Dimensions: dims, Value: v, Timestamp: at(i!) })),
      ],
    });
    h.clock.advance(5000);
  });
  after(() => h.close());

  const gmd = (queries: object[], extra: object = {}) =>
    h.call('GetMetricData', { MetricDataQueries: queries, StartTime: seconds(t0), EndTime: seconds(t0 + 5000), ...extra });
  const series = (r: { Timestamps?: (number | string)[]; Values?: number[] }) => r.Timestamps!.map((ts, i) => [(Number(ts) * 1000 - t0) / 1000, r.Values![i]]);

  test('MetricStat results, newest first by default, labelled with the metric name, Complete', async () => {
    const out = await gmd([stat('m1', 'Errors')]);
    assert.equal(out.MetricDataResults!.length, 1);
    const r = out.MetricDataResults![0]!;
    assert.deepEqual([r.Id, r.Label, r.StatusCode, r.Messages], ['m1', 'Errors', 'Complete', []]);
    assert.deepEqual(series(r), [
      [2, 3],
      [1, 2],
      [0, 1],
    ]);
    assert.deepEqual(out.Messages, []);
    assert.equal(out.NextToken, undefined);
    const asc = await gmd([stat('m1', 'Errors', { Label: 'errs' })], { ScanBy: 'TimestampAscending' });
    assert.equal(asc.MetricDataResults![0]!.Label, 'errs');
    assert.deepEqual(series(asc.MetricDataResults![0]!), [
      [0, 1],
      [1, 2],
      [2, 3],
    ]);
  });

  test('arithmetic between series keeps the timestamps both have; with a scalar, every point', async () => {
    const out = await gmd([stat('errors', 'Errors', { ReturnData: false }), stat('requests', 'Requests', { ReturnData: false }), { Id: 'rate', Expression: '100 * errors / requests' }, { Id: 'plus', Expression: '-(requests + 1) ^ 1', Label: 'neg' }], {
      ScanBy: 'TimestampAscending',
    });
    const [rate, plus] = out.MetricDataResults!;
    assert.deepEqual([rate!.Id, rate!.Label, plus!.Label], ['rate', 'rate', 'neg']);
    assert.deepEqual(series(rate!), [
      [0, 10],
      [1, 10],
    ]);
    assert.deepEqual(series(plus!), [
      [0, -11],
      [1, -21],
      [3, -41],
    ]);
  });

  test('SUM/AVG/MIN/MAX over METRICS() or an array are pointwise; over one series they give a scalar', async () => {
    const out = await gmd(
      [
        stat('m1', 'Errors', { ReturnData: false }),
        stat('m2', 'Requests', { ReturnData: false }),
        { Id: 'total', Expression: 'SUM(METRICS())' },
        { Id: 'avg', Expression: 'AVG([m1, m2])' },
        { Id: 'only', Expression: 'MAX(METRICS("2"))' },
        { Id: 'share', Expression: 'm2 / SUM(m2)' },
        { Id: 'scalar', Expression: 'MIN(m1) + 1' },
      ],
      { ScanBy: 'TimestampAscending' },
    );
    const byId = new Map(out.MetricDataResults!.map((r) => [r.Id, series(r)]));
    assert.deepEqual(byId.get('total'), [
      [0, 11],
      [1, 22],
      [2, 3],
      [3, 40],
    ]);
    assert.deepEqual(byId.get('avg'), [
      [0, 5.5],
      [1, 11],
      [2, 3],
      [3, 40],
    ]);
    assert.deepEqual(byId.get('only'), [
      [0, 10],
      [1, 20],
      [3, 40],
    ]);
    assert.deepEqual(byId.get('share'), [
      [0, 10 / 70],
      [1, 20 / 70],
      [3, 40 / 70],
    ]);
    // A scalar result is shown at every timestamp the request's metrics have.
    assert.deepEqual(byId.get('scalar'), [
      [0, 2],
      [1, 2],
      [2, 2],
      [3, 2],
    ]);
  });

  test('METRICS() as the result gives one result per metric, labelled after it', async () => {
    const out = await gmd([stat('m1', 'Errors', { ReturnData: false }), stat('m2', 'Requests', { ReturnData: false }), { Id: 'all', Expression: 'METRICS() * 2', Label: 'x2' }]);
    assert.deepEqual(
      out.MetricDataResults!.map((r) => [r.Id, r.Label, r.Values!.length]),
      [
        ['all', 'x2 Errors', 3],
        ['all', 'x2 Requests', 3],
      ],
    );
  });

  test('a division by zero leaves the point out; a Unit that does not match gives no data', async () => {
    const out = await gmd([stat('m1', 'Errors', { ReturnData: false }), { Id: 'z', Expression: 'm1 / 0' }, stat('u', 'Errors', { MetricStat: { ...stat('u', 'Errors').MetricStat, Unit: 'Seconds' } })]);
    assert.deepEqual(
      out.MetricDataResults!.map((r) => [r.Id, r.Values]),
      [
        ['z', []],
        ['u', []],
      ],
    );
  });

  test('MaxDatapoints pages across results; the NextToken continues, a foreign one is refused', async () => {
    const queries = [stat('m1', 'Errors'), stat('m2', 'Requests')];
    const first = await gmd(queries, { MaxDatapoints: 4 });
    assert.deepEqual(
      first.MetricDataResults!.map((r) => [r.Id, r.StatusCode, series(r)]),
      [
        [
          'm1',
          'Complete',
          [
            [2, 3],
            [1, 2],
            [0, 1],
          ],
        ],
        ['m2', 'PartialData', [[3, 40]]],
      ],
    );
    assert.ok(first.NextToken);
    const second = await gmd(queries, { MaxDatapoints: 4, NextToken: first.NextToken });
    assert.deepEqual(
      second.MetricDataResults!.map((r) => [r.Id, r.StatusCode, series(r)]),
      [
        ['m1', 'Complete', []],
        [
          'm2',
          'Complete',
          [
            [1, 20],
            [0, 10],
          ],
        ],
      ],
    );
    assert.equal(second.NextToken, undefined);
    await assertAwsError(gmd([stat('m1', 'Errors')], { MaxDatapoints: 4, NextToken: first.NextToken }), 'InvalidNextToken', 400);
    await assertAwsError(gmd(queries, { NextToken: 'bm9wZQ' }), 'InvalidNextToken', 400);
  });

  test('refusals: times, ids, query shapes, statistics and periods (ValidationError, one problem a line)', async () => {
    await assertAwsError(gmd([stat('m1', 'Errors')], { EndTime: seconds(t0 - 1000) }), 'ValidationError', 400, 'The parameter EndTime must be greater than StartTime.');
    await assertAwsError(gmd([stat('m1', 'Errors')], { EndTime: seconds(t0) }), 'ValidationError', 400, 'The parameter StartTime must not equal parameter EndTime.');
    await assertAwsError(gmd([]), 'MissingParameter', 400, 'The parameter MetricDataQueries is required.');
    await assertAwsError(gmd([{ Id: 'm1' }]), 'ValidationError', 400, 'The parameter MetricDataQueries.member.1.MetricStat is required.\n');
    const bad = await assertAwsError(
      gmd([stat('M1', 'Errors'), stat('m2', 'Errors', { MetricStat: { Metric: { Namespace: 'App', MetricName: 'Errors' }, Period: 90, Stat: 'Avg' } })]),
      'ValidationError',
      400,
    );
    assert.deepEqual(bad.message.split('\n'), [
      'The value M1 for parameter MetricDataQueries.member.1.Id is not valid. An Id must start with a lowercase letter and contain only letters, numbers and underscores.',
      'The value Avg for parameter MetricDataQueries.member.2.MetricStat.Stat is not a valid statistic.',
      '',
    ]);
    const h60 = harness({ periodSeconds: 60 });
    try {
      await assertAwsError(
        h60.call('GetMetricData', { MetricDataQueries: [stat('m1', 'Errors')], StartTime: seconds(t0), EndTime: seconds(t0 + 60_000) }),
        'ValidationError',
        400,
        'The parameter MetricDataQueries.member.1.MetricStat.Period must be a multiple of 60.\n',
      );
    } finally {
      h60.close();
    }
    await assertAwsError(gmd([stat('m1', 'Errors'), stat('m1', 'Requests')]), 'ValidationError', 400, /member.2.Id is not unique/);
    await assertAwsError(
      gmd(Array.from({ length: 501 }, (_, i) => stat(`m${i}`, 'Errors'))),
      'ValidationError',
      400,
      'The collection MetricDataQueries must not have a size greater than 500.',
    );
    await assertAwsError(gmd([stat('m1', 'Errors')], { MaxDatapoints: 0 }), 'InvalidParameterValue', 400, 'The value 0 for parameter MaxDatapoints is invalid.');
    await assertAwsError(
      h.callRaw('GetMetricData', { MetricDataQueries: [stat('m1', 'Errors')], StartTime: 'soon', EndTime: seconds(t0) }),
      'InvalidParameterValue', 400, 'The value soon for parameter StartTime is invalid.');
    await assertAwsError(
      gmd([{ Id: 'm1', MetricStat: { Metric: { MetricName: 'Errors' }, Period: 1, Stat: 'Sum' } }]),
      'ValidationError',
      400,
      'The parameter MetricDataQueries.member.1.MetricStat.Metric.Namespace is required.\n',
    );
    await assertAwsError(gmd([stat('m1', 'Errors', { MetricStat: { ...stat('m1', 'Errors').MetricStat, Stat: 'TM(10%:90%)' } })]), 'ValidationError', 400, /does not compute the statistic TM\(10%:90%\)/);
    await assertAwsError(gmd([stat('m1', 'Errors', { Expression: 'm1' })]), 'ValidationError', 400, /MetricStat and MetricDataQueries.member.1.Expression are mutually exclusive/);
  });

  test('metric math errors: syntax, unknown ids and functions, cycles', async () => {
    const m1 = stat('m1', 'Errors', { ReturnData: false });
    await assertAwsError(gmd([m1, { Id: 'e1', Expression: 'm1 +' }]), 'ValidationError', 400, 'Error in expression e1: Unexpected end of expression.\n');
    await assertAwsError(gmd([m1, { Id: 'e1', Expression: 'm1 $ 2' }]), 'ValidationError', 400, /Unrecognized character '\$' at position 4/);
    await assertAwsError(gmd([m1, { Id: 'e1', Expression: 'm1 + m3' }]), 'ValidationError', 400, 'Error in expression e1: Unrecognized metric or expression id m3.\n');
    await assertAwsError(gmd([m1, { Id: 'e1', Expression: 'RATE(m1)' }]), 'ValidationError', 400, /Error in expression e1: Unknown function RATE/);
    await assertAwsError(gmd([m1, { Id: 'e1', Expression: 'e2 + 1' }, { Id: 'e2', Expression: 'e1 * 2' }]), 'ValidationError', 400, /Circular dependency between expressions \(e1 -> e2 -> e1\)/);
    await assertAwsError(gmd([m1, { Id: 'e1', Expression: 'SELECT AVG(x) FROM y' }]), 'ValidationError', 400, /metric math only/);
    await assertAwsError(gmd([m1, { Id: 'e1', Expression: '[m1, m1] + METRICS()' }]), 'ValidationError', 400, /cannot combine two arrays/);
  });
});

describe('the metric math parser', { timeout: 10_000 }, () => {
  test('precedence, unary minus, power and calls', () => {
    assert.deepEqual(parseExpression('1 + 2 * -m1 ^ 2'), {
      t: 'binary',
      op: '+',
      left: { t: 'number', value: 1 },
      right: { t: 'binary', op: '*', left: { t: 'number', value: 2 }, right: { t: 'negate', operand: { t: 'binary', op: '^', left: { t: 'id', name: 'm1' }, right: { t: 'number', value: 2 } } } },
    });
    assert.deepEqual(parseExpression('SUM([a, METRICS("x")])'), {
      t: 'call',
      fn: 'SUM',
      args: [{ t: 'array', items: [{ t: 'id', name: 'a' }, { t: 'call', fn: 'METRICS', args: [{ t: 'string', value: 'x' }] }] }],
    });
  });

  test('deep nesting is refused instead of overflowing the stack', () => {
    assert.throws(() => parseExpression('('.repeat(500) + '1' + ')'.repeat(500)), /nested too deeply/);
  });
});
