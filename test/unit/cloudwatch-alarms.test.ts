import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { ACCOUNT, assertAwsError, type Harness, harness, REGION, removeDirs } from '../helpers/cloudwatch-harness.js';
import type { AlarmInvocation } from '../../src/cloudwatch/alarm-actions.js';
import type { MetricAlarm } from '../../src/protocol/generated/cloudwatch-types.js';

after(removeDirs);

const SCALE_OUT = 'arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:1a2b:resource/sagemaker/endpoint/e/variant/v:policyName/out';
const SCALE_IN = 'arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:3c4d:resource/sagemaker/endpoint/e/variant/v:policyName/in';
const LAMBDA = 'arn:aws:lambda:us-east-1:123456789012:function:notify';
const TOPIC = 'arn:aws:sns:us-east-1:123456789012:ops';

const alarm = (name: string, extra: object = {}) => ({
  AlarmName: name,
  Namespace: 'App',
  MetricName: 'Load',
  Statistic: 'Sum',
  Period: 1,
  EvaluationPeriods: 2,
  Threshold: 10,
  ComparisonOperator: 'GreaterThanThreshold',
  ...extra,
});

const describeOne = async (h: Harness, name: string): Promise<MetricAlarm> => (await h.call('DescribeAlarms', { AlarmNames: [name] })).MetricAlarms![0]!;

function recordActions(h: Harness): { calls: [string, AlarmInvocation][] } {
  const rec = { calls: [] as [string, AlarmInvocation][] };
  h.cw.onAction('arn:aws:autoscaling:', (arn, inv) => rec.calls.push([arn, inv]));
  h.cw.onAction('arn:aws:lambda:', (arn, inv) => rec.calls.push([arn, inv]));
  return rec;
}

const put = (h: Harness, value: number, atMs: number) => h.cw.metrics.put({ namespace: 'App', metricName: 'Load', dimensions: {} }, value, 'None', atMs);

describe('PutMetricAlarm and DescribeAlarms', { timeout: 10_000 }, () => {
  test('a new alarm starts INSUFFICIENT_DATA, with the fields DescribeAlarms returns', async () => {
    const h = harness();
    try {
      const now = h.clock.now();
      await h.call('PutMetricAlarm', alarm('high-load', { AlarmDescription: 'd', Dimensions: [{ Name: 'Host', Value: 'a' }], Unit: 'Count', DatapointsToAlarm: 1 }));
      assert.deepEqual(await describeOne(h, 'high-load'), {
        AlarmName: 'high-load',
        AlarmArn: `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:high-load`,
        AlarmDescription: 'd',
        AlarmConfigurationUpdatedTimestamp: now / 1000,
        ActionsEnabled: true,
        OKActions: [],
        AlarmActions: [],
        InsufficientDataActions: [],
        StateValue: 'INSUFFICIENT_DATA',
        StateReason: 'Unchecked: Initial alarm creation',
        StateUpdatedTimestamp: now / 1000,
        MetricName: 'Load',
        Namespace: 'App',
        Statistic: 'Sum',
        Dimensions: [{ Name: 'Host', Value: 'a' }],
        Period: 1,
        Unit: 'Count',
        EvaluationPeriods: 2,
        DatapointsToAlarm: 1,
        Threshold: 10,
        ComparisonOperator: 'GreaterThanThreshold',
        StateTransitionedTimestamp: now / 1000,
      });
    } finally {
      h.close();
    }
  });

  test('an update replaces the configuration, keeps the state, and ignores Tags', async () => {
    const h = harness();
    try {
      await h.call('PutMetricAlarm', alarm('a', { Tags: [{ Key: 'team', Value: 'ml' }] }));
      await h.call('SetAlarmState', { AlarmName: 'a', StateValue: 'ALARM', StateReason: 'testing' });
      h.clock.advance(5000);
      await h.call('PutMetricAlarm', alarm('a', { Threshold: 99, Tags: [{ Key: 'other', Value: 'x' }] }));
      const a = await describeOne(h, 'a');
      assert.deepEqual([a.Threshold, a.StateValue, a.StateReason, a.AlarmConfigurationUpdatedTimestamp! > a.StateUpdatedTimestamp!], [99, 'ALARM', 'testing', true]);
      const tags = await h.call('ListTagsForResource', { ResourceARN: a.AlarmArn });
      assert.deepEqual(tags.Tags, [{ Key: 'team', Value: 'ml' }]);
    } finally {
      h.close();
    }
  });

  test('refusals', async () => {
    const h = harness({ periodSeconds: 60 });
    try {
      const refuse = (extra: object, code: string, message: string | RegExp) => assertAwsError(h.call('PutMetricAlarm', alarm('x', { Period: 60, ...extra })), code, 400, message);
      await refuse({ ExtendedStatistic: 'p99' }, 'ValidationError', 'PutMetricAlarm request can not be made with both Statistic and ExtendedStatistic parameters. Only one of them should be present');
      await refuse({ Statistic: undefined }, 'ValidationError', 'PutMetricAlarm request should have a Statistic parameter');
      await refuse({ Statistic: undefined, ExtendedStatistic: 'x99' }, 'InvalidParameterValue', 'The value x99 for parameter ExtendedStatistic is not supported.');
      await refuse({ DatapointsToAlarm: 3 }, 'ValidationError', 'DatapointsToAlarm must be less than or equal to EvaluationPeriods');
      await refuse({ Period: 90 }, 'ValidationError', 'Period must be a multiple of 60');
      await refuse({ EvaluationPeriods: 1441 }, 'ValidationError', /Metrics cannot be checked across more than a day \(EvaluationPeriods \* Period must be <= 86400\)/);
      await refuse({ Period: 3600, EvaluationPeriods: 169 }, 'ValidationError', /more than a week/);
      await refuse({ TreatMissingData: 'sometimes' }, 'ValidationError', /The value sometimes is not supported for TreatMissingData parameter/);
      await refuse(
        { Statistic: undefined, ExtendedStatistic: 'p99', EvaluateLowSampleCountPercentile: 'maybe' },
        'ValidationError',
        'Option maybe is not supported. Supported options for parameter EvaluateLowSampleCountPercentile are evaluate and ignore.',
      );
      await refuse({ EvaluateLowSampleCountPercentile: 'ignore' }, 'ValidationError', /enabled only for percentile statistics/);
      await refuse({ AlarmActions: ['not-an-arn'] }, 'ValidationError', 'Invalid arn syntax: not-an-arn');
      await refuse({ ThresholdMetricId: 'ad1' }, 'InvalidParameterValue', /does not evaluate anomaly detection alarms/);
      await refuse({ ComparisonOperator: 'LessThanLowerThreshold' }, 'InvalidParameterValue', /does not evaluate anomaly detection alarms/);
      await refuse({ Metrics: [{ Id: 'm1', Expression: '1' }] }, 'ValidationError', 'Scalar metric parameters must not be set if list of Metrics is set.');
      await refuse({ Tags: Array.from({ length: 51 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })) }, 'InvalidParameterValue', /at most 50 tags/);
      const without = (member: string) => {
        const input: Record<string, unknown> = alarm('x', { Period: 60 });
        delete input[member];
        return h.call('PutMetricAlarm', input);
      };
      await assertAwsError(without('ComparisonOperator'), 'ValidationError', 400, 'PutMetricAlarm request should have a valid ComparisonOperator parameter');
      await assertAwsError(without('Threshold'), 'ValidationError', 400, 'PutMetricAlarm request should have valid Threshold parameter');
      await assertAwsError(without('EvaluationPeriods'), 'ValidationError', 400, 'PutMetricAlarm request should have an EvaluationPeriods parameter');
      await assertAwsError(without('MetricName'), 'ValidationError', 400, 'PutMetricAlarm request should have a MetricName parameter or a Metrics parameter');
      await assertAwsError(without('Namespace'), 'ValidationError', 400, 'PutMetricAlarm request should have a Namespace parameter');
      await assertAwsError(without('Period'), 'ValidationError', 400, 'PutMetricAlarm request should have a Period parameter');
      await refuse({ EvaluationCriteria: { PromQLCriteria: { Query: 'up' } } }, 'InvalidParameterValue', /does not evaluate PromQL alarms/);
      const math = (metrics: object[]) =>
        h.call('PutMetricAlarm', { AlarmName: 'm', EvaluationPeriods: 1, Threshold: 1, ComparisonOperator: 'GreaterThanThreshold', Metrics: metrics });
      const m = (id: string, period = 60, extra: object = {}) => ({ Id: id, MetricStat: { Metric: { Namespace: 'App', MetricName: 'Load' }, Period: period, Stat: 'Sum' }, ReturnData: false, ...extra });
      await assertAwsError(math([m('m1'), m('m2')]), 'ValidationError', 400, 'Exactly one element of the Metrics list must have ReturnData set to true.');
      await assertAwsError(math([m('m1'), m('m2', 120), { Id: 'e1', Expression: 'm1 + m2' }]), 'ValidationError', 400, /same Period/);
      await assertAwsError(math([m('m1'), { Id: 'e1', Expression: 'm1 + m9' }]), 'ValidationError', 400, /Unrecognized metric or expression id m9/);
      await assertAwsError(
        math([...Array.from({ length: 11 }, (_, i) => m(`m${i}`)), { Id: 'e1', Expression: 'SUM(METRICS())' }]),
        'ValidationError',
        400,
        'An alarm can use at most 10 metrics and 10 expressions.',
      );
    } finally {
      h.close();
    }
  });

  test('DescribeAlarms filters (names, prefix, state, action prefix, types) and pages', async () => {
    const h = harness();
    try {
      await h.call('PutMetricAlarm', alarm('b-two', { AlarmActions: [TOPIC] }));
      await h.call('PutMetricAlarm', alarm('a-one', { OKActions: [SCALE_IN] }));
      await h.call('PutMetricAlarm', alarm('b-three'));
      await h.call('SetAlarmState', { AlarmName: 'b-three', StateValue: 'OK', StateReason: 'manual' });
      const names = async (input: object) => (await h.call('DescribeAlarms', input)).MetricAlarms!.map((a) => a.AlarmName);
      assert.deepEqual(await names({}), ['a-one', 'b-three', 'b-two']);
      assert.deepEqual(await names({ AlarmNames: ['b-two', 'nope', 'a-one'] }), ['a-one', 'b-two']);
      assert.deepEqual(await names({ AlarmNamePrefix: 'b-' }), ['b-three', 'b-two']);
      assert.deepEqual(await names({ StateValue: 'OK' }), ['b-three']);
      assert.deepEqual(await names({ ActionPrefix: 'arn:aws:autoscaling:' }), ['a-one']);
      const composite = await h.call('DescribeAlarms', { AlarmTypes: ['CompositeAlarm'] });
      assert.deepEqual([composite.MetricAlarms, composite.CompositeAlarms], [[], []]);
      assert.deepEqual(await h.call('DescribeAlarms', { ParentsOfAlarmName: 'a-one' }), { MetricAlarms: [], CompositeAlarms: [] });
      const p1 = await h.call('DescribeAlarms', { MaxRecords: 2 });
      assert.deepEqual(p1.MetricAlarms!.map((a) => a.AlarmName), ['a-one', 'b-three']);
      const p2 = await h.call('DescribeAlarms', { MaxRecords: 2, NextToken: p1.NextToken });
      assert.deepEqual([p2.MetricAlarms!.map((a) => a.AlarmName), p2.NextToken], [['b-two'], undefined]);
      await assertAwsError(h.call('DescribeAlarms', { StateValue: 'OK', NextToken: p1.NextToken }), 'InvalidNextToken', 400);
      await assertAwsError(h.call('DescribeAlarms', { AlarmNames: ['a'], AlarmNamePrefix: 'a' }), 'InvalidParameterCombination', 400);
      await assertAwsError(h.call('DescribeAlarms', { ChildrenOfAlarmName: 'a', StateValue: 'OK' }), 'ValidationError', 400);
    } finally {
      h.close();
    }
  });

  test('DescribeAlarmsForMetric: single-metric alarms on that exact metric, by statistic, period and unit', async () => {
    const h = harness();
    try {
      const dims = [{ Name: 'EndpointName', Value: 'e' }];
      await h.call('PutMetricAlarm', alarm('sum', { Dimensions: dims }));
      await h.call('PutMetricAlarm', alarm('p99', { Dimensions: dims, Statistic: undefined, ExtendedStatistic: 'p99', Period: 2, Unit: 'Seconds' }));
      await h.call('PutMetricAlarm', alarm('nodims'));
      await h.call('PutMetricAlarm', alarm('other', { MetricName: 'Other', Dimensions: dims }));
      const names = async (input: object) =>
        (await h.call('DescribeAlarmsForMetric', { Namespace: 'App', MetricName: 'Load', ...input })).MetricAlarms!.map((a) => a.AlarmName);
      assert.deepEqual(await names({ Dimensions: dims }), ['p99', 'sum']);
      assert.deepEqual(await names({ Dimensions: dims, ExtendedStatistic: 'p99' }), ['p99']);
      assert.deepEqual(await names({ Dimensions: dims, Period: 1 }), ['sum']);
      assert.deepEqual(await names({ Unit: 'Seconds' }), ['p99']);
      assert.deepEqual(await names({ Dimensions: [] }), ['nodims']);
    } finally {
      h.close();
    }
  });

  test('DeleteAlarms deletes the named alarms and their tags, and skips unknown names; names are case-sensitive', async () => {
    const h = harness();
    try {
      await h.call('PutMetricAlarm', alarm('Alarm', { Tags: [{ Key: 'k', Value: 'v' }] }));
      await h.call('PutMetricAlarm', alarm('alarm'));
      assert.equal((await h.call('DescribeAlarms', {})).MetricAlarms!.length, 2);
      const arn = (await describeOne(h, 'Alarm')).AlarmArn!;
      await h.call('DeleteAlarms', { AlarmNames: ['Alarm', 'missing'] });
      assert.deepEqual((await h.call('DescribeAlarms', {})).MetricAlarms!.map((a) => a.AlarmName), ['alarm']);
      assert.deepEqual(h.store.tags.list(arn), []);
    } finally {
      h.close();
    }
  });
});

describe('alarm evaluation at each period tick', { timeout: 10_000 }, () => {
  test('INSUFFICIENT_DATA → ALARM → OK; actions on transitions, Auto Scaling ones again every tick the state lasts', async () => {
    const h = harness();
    try {
      const rec = recordActions(h);
      h.toBoundary();
      const b0 = h.clock.now();
      await h.call('PutMetricAlarm', alarm('load', { DatapointsToAlarm: 2, AlarmActions: [SCALE_OUT, LAMBDA, TOPIC], OKActions: [SCALE_IN] }));
      h.cw.start();
      put(h, 20, b0 + 500);
      h.clock.advance(1100); // ticks at b0+0.1 s and b0+1.1 s: one breaching datapoint of the two needed
      assert.equal((await describeOne(h, 'load')).StateValue, 'INSUFFICIENT_DATA');
      put(h, 30, b0 + 1500);
      h.clock.advance(1000); // tick at b0+2.1 s: 2 of 2 breaching
      const a = await describeOne(h, 'load');
      assert.equal(a.StateValue, 'ALARM');
      const t1 = new Date(b0 + 1000).toISOString();
      const stamp = (iso: string) => `${iso.slice(8, 10)}/${iso.slice(5, 7)}/${iso.slice(2, 4)} ${iso.slice(11, 19)}`;
      assert.equal(
        a.StateReason,
        `Threshold Crossed: 2 out of the last 2 datapoints [30.0 (${stamp(t1)}), 20.0 (${stamp(new Date(b0).toISOString())})] were greater than the threshold (10.0) (minimum 2 datapoints for OK -> ALARM transition).`,
      );
      assert.deepEqual(JSON.parse(a.StateReasonData!).recentDatapoints, [20, 30]);
      assert.equal(a.StateUpdatedTimestamp, (b0 + 2100) / 1000);
      assert.deepEqual(
        rec.calls.map(([arn, inv]) => [arn, inv.state, inv.metricValue]),
        [
          [SCALE_OUT, 'ALARM', 30],
          [LAMBDA, 'ALARM', 30],
        ],
      );
      const inv = rec.calls[0]![1];
      assert.deepEqual(
        [inv.region, inv.alarmName, inv.alarmArn, inv.threshold, inv.comparisonOperator, inv.reason, inv.atMs],
        [REGION, 'load', a.AlarmArn, 10, 'GreaterThanThreshold', a.StateReason, b0 + 2100],
      );
      rec.calls.length = 0;
      h.clock.advance(3000); // three more ticks in ALARM: the scaling action each time, the Lambda never
      assert.deepEqual(rec.calls.map(([arn]) => arn), [SCALE_OUT, SCALE_OUT, SCALE_OUT]);
      assert.equal((await describeOne(h, 'load')).StateUpdatedTimestamp, (b0 + 2100) / 1000);
      rec.calls.length = 0;
      put(h, 1, b0 + 5500);
      h.clock.advance(1000); // tick at b0+6.1 s: the breaching datapoints left the range, one real one is below
      const ok = await describeOne(h, 'load');
      assert.equal(ok.StateValue, 'OK');
      assert.equal(
        ok.StateReason,
        `Threshold Crossed: 1 out of the last 2 datapoints [1.0 (${stamp(new Date(b0 + 5000).toISOString())})] was not greater than the threshold (10.0) (minimum 1 datapoint for ALARM -> OK transition).`,
      );
      assert.deepEqual(rec.calls.map(([arn, i]) => [arn, i.state]).at(-1), [SCALE_IN, 'OK']);
    } finally {
      h.close();
    }
  });

  test('DisableAlarmActions stops every action, EnableAlarmActions brings them back', async () => {
    const h = harness();
    try {
      const rec = recordActions(h);
      h.toBoundary();
      await h.call('PutMetricAlarm', alarm('load', { EvaluationPeriods: 1, AlarmActions: [SCALE_OUT], TreatMissingData: 'breaching' }));
      await h.call('DisableAlarmActions', { AlarmNames: ['load', 'unknown'] });
      assert.equal((await describeOne(h, 'load')).ActionsEnabled, false);
      h.cw.start();
      h.clock.advance(2000);
      assert.equal((await describeOne(h, 'load')).StateValue, 'ALARM');
      assert.equal(rec.calls.length, 0);
      await h.call('EnableAlarmActions', { AlarmNames: ['load'] });
      h.clock.advance(1000);
      assert.deepEqual(rec.calls.map(([arn]) => arn), [SCALE_OUT]);
    } finally {
      h.close();
    }
  });

  test('TreatMissingData without any data: missing → INSUFFICIENT_DATA, ignore → kept, breaching → ALARM, notBreaching → OK', async () => {
    const h = harness();
    try {
      h.toBoundary();
      for (const t of ['missing', 'ignore', 'breaching', 'notBreaching']) {
        await h.call('PutMetricAlarm', alarm(t, { TreatMissingData: t }));
      }
      await h.call('SetAlarmState', { AlarmName: 'missing', StateValue: 'OK', StateReason: 'manual' });
      await h.call('SetAlarmState', { AlarmName: 'ignore', StateValue: 'OK', StateReason: 'manual' });
      h.cw.start();
      h.clock.advance(1000);
      const states = Object.fromEntries((await h.call('DescribeAlarms', {})).MetricAlarms!.map((a) => [a.AlarmName, [a.StateValue, a.StateReason]]));
      assert.deepEqual(states, {
        missing: ['INSUFFICIENT_DATA', 'Insufficient Data: 2 datapoints were unknown.'],
        ignore: ['OK', 'manual'],
        breaching: ['ALARM', 'Threshold Crossed: no datapoints were received for 2 periods and 2 missing datapoints were treated as [Breaching].'],
        notBreaching: ['OK', 'Threshold Crossed: no datapoints were received for 2 periods and 2 missing datapoints were treated as [NonBreaching].'],
      });
    } finally {
      h.close();
    }
  });

  test('zero fill runs before evaluation: an idle metric reads 0 in the same tick', async () => {
    const h = harness();
    try {
      h.toBoundary();
      const key = { namespace: 'AWS/SageMaker', metricName: 'Invocations', dimensions: { EndpointName: 'e', VariantName: 'v' } };
      h.cw.metrics.registerZeroFill(() => [{ key, unit: 'None' }]);
      await h.call('PutMetricAlarm', {
        AlarmName: 'idle',
        Namespace: 'AWS/SageMaker',
        MetricName: 'Invocations',
        Dimensions: [
          { Name: 'EndpointName', Value: 'e' },
          { Name: 'VariantName', Value: 'v' },
        ],
        Statistic: 'Sum',
        Period: 1,
        EvaluationPeriods: 1,
        Threshold: 1,
        ComparisonOperator: 'LessThanThreshold',
      });
      h.cw.start();
      h.clock.advance(100); // the first tick fills the period before the boundary, then evaluates it
      const a = await describeOne(h, 'idle');
      assert.equal(a.StateValue, 'ALARM');
      assert.match(a.StateReason!, /^Threshold Crossed: 1 datapoint \[0\.0 \(.*\)\] was less than the threshold \(1\.0\)\.$/);
    } finally {
      h.close();
    }
  });

  test('a metric math alarm watches the expression that returns data', async () => {
    const h = harness();
    try {
      h.toBoundary();
      const b0 = h.clock.now();
      const m = (id: string, name: string) => ({ Id: id, MetricStat: { Metric: { Namespace: 'App', MetricName: name }, Period: 1, Stat: 'Sum' }, ReturnData: false });
      await h.call('PutMetricAlarm', {
        AlarmName: 'error-rate',
        EvaluationPeriods: 1,
        Threshold: 5,
        ComparisonOperator: 'GreaterThanOrEqualToThreshold',
        Metrics: [m('errors', 'Errors'), m('requests', 'Requests'), { Id: 'rate', Expression: '100 * errors / requests', ReturnData: true }],
      });
      h.cw.metrics.put({ namespace: 'App', metricName: 'Errors', dimensions: {} }, 1, 'Count', b0 + 100);
      h.cw.metrics.put({ namespace: 'App', metricName: 'Requests', dimensions: {} }, 10, 'Count', b0 + 100);
      h.cw.start();
      h.clock.advance(1100);
      const a = await describeOne(h, 'error-rate');
      assert.equal(a.StateValue, 'ALARM');
      assert.match(a.StateReason!, /^Threshold Crossed: 1 datapoint \[10\.0 \(.*\)\] was greater than or equal to the threshold \(5\.0\)\.$/);
      assert.equal(a.Metrics!.length, 3);
    } finally {
      h.close();
    }
  });

  test('a percentile alarm with EvaluateLowSampleCountPercentile=ignore keeps its state on few samples', async () => {
    const h = harness();
    try {
      h.toBoundary();
      const b0 = h.clock.now();
      await h.call('PutMetricAlarm', alarm('p90', { Statistic: undefined, ExtendedStatistic: 'p90', EvaluationPeriods: 1, EvaluateLowSampleCountPercentile: 'ignore' }));
      await h.call('PutMetricAlarm', alarm('p90-evaluate', { Statistic: undefined, ExtendedStatistic: 'p90', EvaluationPeriods: 1 }));
      put(h, 50, b0 + 100); // 1 sample: fewer than 10/(1-0.9) = 100
      h.cw.start();
      h.clock.advance(1100);
      assert.equal((await describeOne(h, 'p90')).StateValue, 'INSUFFICIENT_DATA');
      assert.equal((await describeOne(h, 'p90-evaluate')).StateValue, 'ALARM');
    } finally {
      h.close();
    }
  });
});

describe('SetAlarmState', { timeout: 10_000 }, () => {
  test('a change runs the new state\'s actions (with the metric value from StateReasonData); the next evaluation restores the real state', async () => {
    const h = harness();
    try {
      const rec = recordActions(h);
      h.toBoundary();
      await h.call('PutMetricAlarm', alarm('load', { EvaluationPeriods: 1, AlarmActions: [SCALE_OUT, LAMBDA] }));
      await h.call('SetAlarmState', { AlarmName: 'load', StateValue: 'ALARM', StateReason: 'test', StateReasonData: '{"recentDatapoints":[12.5,80]}' });
      assert.deepEqual(
        rec.calls.map(([arn, i]) => [arn, i.state, i.metricValue, i.reason]),
        [
          [SCALE_OUT, 'ALARM', 80, 'test'],
          [LAMBDA, 'ALARM', 80, 'test'],
        ],
      );
      const a = await describeOne(h, 'load');
      assert.deepEqual([a.StateValue, a.StateReason, a.StateReasonData], ['ALARM', 'test', '{"recentDatapoints":[12.5,80]}']);
      put(h, 1, h.clock.now() + 10);
      h.cw.start();
      h.clock.advance(1100);
      assert.equal((await describeOne(h, 'load')).StateValue, 'OK');
    } finally {
      h.close();
    }
  });

  test('refusals: an unknown alarm, StateReasonData that is not JSON, a state outside the model', async () => {
    const h = harness();
    try {
      await h.call('PutMetricAlarm', alarm('load'));
      await assertAwsError(h.call('SetAlarmState', { AlarmName: 'nope', StateValue: 'OK', StateReason: 'x' }), 'ResourceNotFound', 404, 'Alarm nope not found');
      await assertAwsError(h.call('SetAlarmState', { AlarmName: 'load', StateValue: 'OK', StateReason: 'x', StateReasonData: '{oops' }), 'InvalidFormat', 400);
      await assertAwsError(h.call('SetAlarmState', { AlarmName: 'load', StateValue: 'MAYBE', StateReason: 'x' }), 'ValidationException', 400, /Member must satisfy enum value set/);
    } finally {
      h.close();
    }
  });
});

describe('alarm tags', { timeout: 10_000 }, () => {
  test('TagResource, UntagResource, ListTagsForResource on an alarm ARN; unknown alarms and other ARNs are refused', async () => {
    const h = harness();
    try {
      await h.call('PutMetricAlarm', alarm('load', { Tags: [{ Key: 'a', Value: '1' }] }));
      const arn = `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:load`;
      await h.call('TagResource', { ResourceARN: arn, Tags: [{ Key: 'b', Value: '2' }, { Key: 'a', Value: '3' }] });
      assert.deepEqual((await h.call('ListTagsForResource', { ResourceARN: arn })).Tags, [
        { Key: 'a', Value: '3' },
        { Key: 'b', Value: '2' },
      ]);
      await h.call('UntagResource', { ResourceARN: arn, TagKeys: ['a', 'zzz'] });
      assert.deepEqual((await h.call('ListTagsForResource', { ResourceARN: arn })).Tags, [{ Key: 'b', Value: '2' }]);
      const missing = await assertAwsError(h.call('ListTagsForResource', { ResourceARN: `${arn}-gone` }), 'ResourceNotFoundException', 404);
      assert.deepEqual(missing.members, { ResourceType: 'alarm', ResourceId: 'load-gone' });
      await assertAwsError(h.call('TagResource', { ResourceARN: arn, Tags: [{ Key: 'x', Value: 'y' }] }, 'eu-west-1'), 'ResourceNotFoundException', 404);
      await assertAwsError(h.call('UntagResource', { ResourceARN: 'arn:aws:cloudwatch::123456789012:dashboard/d', TagKeys: ['a'] }), 'InvalidParameterValue', 400);
      await assertAwsError(
        h.call('TagResource', { ResourceARN: arn, Tags: Array.from({ length: 50 }, (_, i) => ({ Key: `k${i}`, Value: 'v' })) }),
        'InvalidParameterValue',
        400,
        /at most 50 tags; this request would give it 51/,
      );
    } finally {
      h.close();
    }
  });
});

describe('alarms across a restart, the AlarmDirectory, reset', { timeout: 10_000 }, () => {
  test('a new CloudWatch on the same state directory has the alarms, their state and tags', async () => {
    const first = harness();
    await first.call('PutMetricAlarm', alarm('kept', { AlarmActions: [SCALE_OUT], Tags: [{ Key: 't', Value: 'v' }] }));
    await first.call('SetAlarmState', { AlarmName: 'kept', StateValue: 'ALARM', StateReason: 'before restart' });
    first.close();
    const second = harness({ dir: first.dir });
    try {
      const a = await describeOne(second, 'kept');
      assert.deepEqual([a.StateValue, a.StateReason, a.AlarmActions], ['ALARM', 'before restart', [SCALE_OUT]]);
      assert.deepEqual((await second.call('ListTagsForResource', { ResourceARN: a.AlarmArn })).Tags, [{ Key: 't', Value: 'v' }]);
    } finally {
      second.close();
    }
  });

  test('putAlarm and deleteAlarms are the operations\' code path (target tracking uses them)', async () => {
    const h = harness();
    try {
      const arn = h.cw.alarms.putAlarm('eu-west-1', alarm('TargetTracking-endpoint/e/variant/v-AlarmHigh-1') as never);
      assert.equal(arn, `arn:aws:cloudwatch:eu-west-1:${ACCOUNT}:alarm:TargetTracking-endpoint/e/variant/v-AlarmHigh-1`);
      assert.equal((await h.call('DescribeAlarms', {}, 'eu-west-1')).MetricAlarms!.length, 1);
      assert.equal((await h.call('DescribeAlarms', {})).MetricAlarms!.length, 0);
      assert.throws(() => h.cw.alarms.putAlarm('eu-west-1', alarm('bad', { DatapointsToAlarm: 9 }) as never), /DatapointsToAlarm must be less than or equal to EvaluationPeriods/);
      h.cw.alarms.deleteAlarms('eu-west-1', ['TargetTracking-endpoint/e/variant/v-AlarmHigh-1']);
      assert.equal((await h.call('DescribeAlarms', {}, 'eu-west-1')).MetricAlarms!.length, 0);
    } finally {
      h.close();
    }
  });

  test('reset deletes every alarm, its tags, and every datapoint', async () => {
    const h = harness();
    try {
      await h.call('PutMetricAlarm', alarm('a', { Tags: [{ Key: 'k', Value: 'v' }] }));
      await h.call('PutMetricData', { Namespace: 'App', MetricData: [{ MetricName: 'Load', Value: 1 }] });
      const arn = (await describeOne(h, 'a')).AlarmArn!;
      h.cw.reset();
      assert.deepEqual((await h.call('DescribeAlarms', {})).MetricAlarms, []);
      assert.deepEqual(h.store.tags.list(arn), []);
      assert.deepEqual(h.cw.metrics.size(), { metrics: 0, series: 0, periods: 0 });
    } finally {
      h.close();
    }
  });
});
