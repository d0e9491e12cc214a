import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ACCOUNT, SUITE, dispose, harness, register, resourceId, target, type Harness } from '../helpers/autoscaling-harness.js';

async function withTarget(t: { after(fn: () => Promise<void>): void }): Promise<Harness> {
  const h = await harness();
  t.after(() => dispose(h));
  h.capacity.addEndpoint('ep');
  await register(h, 'ep', 1, 8);
  return h;
}

const tracking = (config: Record<string, unknown>, name = 'tt') => ({
  ...target('ep'),
  PolicyName: name,
  PolicyType: 'TargetTrackingScaling',
  TargetTrackingScalingPolicyConfiguration: config,
});

const invocations = { TargetValue: 70, PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' } };

const step = (config: Record<string, unknown>, name = 'step') => ({
  ...target('ep'),
  PolicyName: name,
  PolicyType: 'StepScaling',
  StepScalingPolicyConfiguration: { AdjustmentType: 'ChangeInCapacity', ...config },
});

describe('PutScalingPolicy: target tracking', SUITE, () => {
  test('creates AlarmHigh and AlarmLow as AWS does and returns them', async (t) => {
    const h = await withTarget(t);
    const out = await h.call('PutScalingPolicy', tracking(invocations));
    const arn = String(out.PolicyARN);
    assert.match(
      arn,
      new RegExp(`^arn:aws:autoscaling:us-east-1:${ACCOUNT}:scalingPolicy:[0-9a-f-]{36}:resource/sagemaker/endpoint/ep/variant/v0:policyName/tt$`),
    );
    const alarms = out.Alarms as { AlarmName: string; AlarmARN: string }[];
    assert.equal(alarms.length, 2);
    const [high, low] = alarms.map((a) => h.alarms.alarms.get(a.AlarmName)!);
    assert.match(high!.AlarmName, /^TargetTracking-endpoint\/ep\/variant\/v0-AlarmHigh-[0-9a-f-]{36}$/);
    assert.match(low!.AlarmName, /^TargetTracking-endpoint\/ep\/variant\/v0-AlarmLow-[0-9a-f-]{36}$/);
    assert.equal(alarms[0]!.AlarmARN, `arn:aws:cloudwatch:us-east-1:${ACCOUNT}:alarm:${high!.AlarmName}`);
    const action = high!.AlarmActions![0]!;
    assert.match(action, new RegExp(`^${arn.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:createdBy/[0-9a-f-]{36}$`));
    assert.deepEqual(
      { ...high, AlarmName: undefined },
      {
        AlarmName: undefined,
        AlarmDescription: `DO NOT EDIT OR DELETE. For TargetTrackingScaling policy ${action}.`,
        ActionsEnabled: true,
        AlarmActions: [action],
        TreatMissingData: 'missing',
        Namespace: 'AWS/SageMaker',
        MetricName: 'InvocationsPerInstance',
        Dimensions: [
          { Name: 'EndpointName', Value: 'ep' },
          { Name: 'VariantName', Value: 'v0' },
        ],
        Statistic: 'Sum',
        Period: 60,
        ComparisonOperator: 'GreaterThanThreshold',
        Threshold: 70,
        EvaluationPeriods: 3,
        DatapointsToAlarm: 3,
      },
    );
    assert.equal(low!.ComparisonOperator, 'LessThanThreshold');
    assert.ok(Math.abs(low!.Threshold! - 63) < 1e-9);
    assert.equal(low!.EvaluationPeriods, 15);
    assert.equal(low!.DatapointsToAlarm, 15);
    assert.deepEqual(low!.AlarmActions, [action]);

    const described = await h.call('DescribeScalingPolicies', { ServiceNamespace: 'sagemaker' });
    assert.deepEqual(described.ScalingPolicies, [
      {
        PolicyARN: arn,
        PolicyName: 'tt',
        ServiceNamespace: 'sagemaker',
        ResourceId: resourceId('ep'),
        ScalableDimension: 'sagemaker:variant:DesiredInstanceCount',
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: invocations,
        Alarms: alarms,
        CreationTime: h.clock.now() / 1000,
      },
    ]);
  });

  test('DisableScaleIn: no AlarmLow', async (t) => {
    const h = await withTarget(t);
    const out = await h.call('PutScalingPolicy', tracking({ ...invocations, DisableScaleIn: true }));
    assert.equal((out.Alarms as unknown[]).length, 1);
    assert.equal(h.alarms.alarms.size, 1);
  });

  test('replacing a policy replaces its alarms and keeps its ARN; deleting it deletes them', async (t) => {
    const h = await withTarget(t);
    const first = await h.call('PutScalingPolicy', tracking(invocations));
    const firstNames = (first.Alarms as { AlarmName: string }[]).map((a) => a.AlarmName);
    const second = await h.call('PutScalingPolicy', tracking({ ...invocations, TargetValue: 100 }));
    assert.equal(second.PolicyARN, first.PolicyARN);
    assert.deepEqual(h.alarms.deleted, firstNames);
    assert.equal(h.alarms.alarms.size, 2);
    assert.equal([...h.alarms.alarms.values()].find((a) => a.ComparisonOperator === 'GreaterThanThreshold')!.Threshold, 100);
    await h.call('DeleteScalingPolicy', { ...target('ep'), PolicyName: 'tt' });
    assert.equal(h.alarms.alarms.size, 0);
    const f = await h.fail('DeleteScalingPolicy', { ...target('ep'), PolicyName: 'tt' });
    assert.equal(f.code, 'ObjectNotFoundException');
    assert.equal(
      f.message,
      'No scaling policy found for service namespace: sagemaker, resource ID: endpoint/ep/variant/v0, scalable dimension: sagemaker:variant:DesiredInstanceCount, policy name: tt',
    );
  });

  test('customized metrics: a single metric, or metric math queries, become the alarms’ metric', async (t) => {
    const h = await withTarget(t);
    await h.call(
      'PutScalingPolicy',
      tracking({
        TargetValue: 5,
        CustomizedMetricSpecification: {
          MetricName: 'ApproximateBacklogSizePerInstance',
          Namespace: 'AWS/SageMaker',
          Dimensions: [{ Name: 'EndpointName', Value: 'ep' }],
          Statistic: 'Average',
        },
      }),
    );
    const high = [...h.alarms.alarms.values()].find((a) => a.ComparisonOperator === 'GreaterThanThreshold')!;
    assert.equal(high.MetricName, 'ApproximateBacklogSizePerInstance');
    assert.deepEqual(high.Dimensions, [{ Name: 'EndpointName', Value: 'ep' }]);
    assert.equal(high.Statistic, 'Average');
    await h.call(
      'PutScalingPolicy',
      tracking(
        {
          TargetValue: 5,
          CustomizedMetricSpecification: {
            Metrics: [
              { Id: 'm1', MetricStat: { Metric: { Namespace: 'AWS/SageMaker', MetricName: 'ApproximateBacklogSize' }, Stat: 'Average' }, ReturnData: false },
              { Id: 'e1', Expression: 'm1 / 2', ReturnData: true },
            ],
          },
        },
        'math',
      ),
    );
    const math = [...h.alarms.alarms.values()].find((a) => a.Metrics !== undefined && a.ComparisonOperator === 'GreaterThanThreshold')!;
    assert.deepEqual(math.Metrics, [
      { Id: 'm1', ReturnData: false, MetricStat: { Metric: { Namespace: 'AWS/SageMaker', MetricName: 'ApproximateBacklogSize' }, Period: 60, Stat: 'Average' } },
      { Id: 'e1', Expression: 'm1 / 2', ReturnData: true },
    ]);
    assert.equal(math.MetricName, undefined);
  });

  test('metrics that do not fit the dimension, and malformed specifications, are refused', async (t) => {
    const h = await withTarget(t);
    const bad: Record<string, unknown>[] = [
      { TargetValue: 1, PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerInferenceComponentInvocationsPerCopy' } },
      { TargetValue: 1, PredefinedMetricSpecification: { PredefinedMetricType: 'ECSServiceAverageCPUUtilization' } },
      { TargetValue: 1, PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantProvisionedConcurrencyUtilization' } },
      { TargetValue: 1 },
      { TargetValue: 1, CustomizedMetricSpecification: { MetricName: 'X' } },
      { TargetValue: 1, CustomizedMetricSpecification: { MetricName: 'X', Namespace: 'N', Statistic: 'Sum', Unit: 'Furlongs' } },
      { TargetValue: 0, PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' } },
    ];
    for (const config of bad) {
      const f = await h.fail('PutScalingPolicy', tracking(config));
      assert.equal(f.code, 'ValidationException', JSON.stringify(config));
    }
    assert.equal(h.alarms.alarms.size, 0);
    await h.call(
      'PutScalingPolicy',
      tracking({ TargetValue: 5, PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantConcurrentRequestsPerModelHighResolution' } }),
    );
    const high = [...h.alarms.alarms.values()][0]!;
    assert.equal(high.MetricName, 'ConcurrentRequestsPerModel');
  });

  test('an unregistered target is the real ObjectNotFoundException; PredictiveScaling is refused', async (t) => {
    const h = await withTarget(t);
    h.capacity.addEndpoint('x');
    const f = await h.fail('PutScalingPolicy', { ...tracking(invocations), ResourceId: resourceId('x') });
    assert.equal(f.code, 'ObjectNotFoundException');
    assert.equal(
      f.message,
      'No scalable target registered for service namespace: sagemaker, resource ID: endpoint/x/variant/v0, scalable dimension: sagemaker:variant:DesiredInstanceCount',
    );
    const p = await h.fail('PutScalingPolicy', { ...target('ep'), PolicyName: 'p', PolicyType: 'PredictiveScaling' });
    assert.equal(p.code, 'ValidationException');
  });
});

describe('PutScalingPolicy: step scaling', SUITE, () => {
  test('a valid step policy is stored as given, with no Alarms in the answer', async (t) => {
    const h = await withTarget(t);
    const config = { StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }], Cooldown: 300, MetricAggregationType: 'Average' };
    const out = await h.call('PutScalingPolicy', step(config));
    assert.equal(out.Alarms, undefined);
    const [p] = (await h.call('DescribeScalingPolicies', { ServiceNamespace: 'sagemaker', PolicyNames: ['step'] })).ScalingPolicies as Record<string, unknown>[];
    assert.deepEqual(p!.StepScalingPolicyConfiguration, { AdjustmentType: 'ChangeInCapacity', ...config });
    assert.deepEqual(p!.Alarms, []);
    assert.equal(h.alarms.alarms.size, 0, 'AAS creates no alarm for a step policy');
  });

  test('the step rules of the API: bounds, gaps, overlaps, infinities, counts, adjustment types', async (t) => {
    const h = await withTarget(t);
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ StepAdjustments: [{ ScalingAdjustment: 1 }] }, /^Both lower and upper bounds of a step adjustment cannot be left unspecified$/],
      [{ StepAdjustments: [] }, /At least one step adjustment/],
      [
        { StepAdjustments: Array.from({ length: 21 }, (_, i) => ({ MetricIntervalLowerBound: i, ...(i < 20 ? { MetricIntervalUpperBound: i + 1 } : {}), ScalingAdjustment: 1 })) },
        /^There can be at most 20 step adjustments per scaling policy$/,
      ],
      [
        { StepAdjustments: [{ MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 10, ScalingAdjustment: 1 }, { MetricIntervalLowerBound: 5, ScalingAdjustment: 2 }] },
        /cannot overlap/,
      ],
      [
        { StepAdjustments: [{ MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 10, ScalingAdjustment: 1 }, { MetricIntervalLowerBound: 20, ScalingAdjustment: 2 }] },
        /cannot have gaps/,
      ],
      [{ StepAdjustments: [{ MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 10, ScalingAdjustment: 1 }] }, /unspecified upper bound/],
      [{ StepAdjustments: [{ MetricIntervalLowerBound: -5, MetricIntervalUpperBound: 0, ScalingAdjustment: -1 }] }, /unspecified lower bound/],
      [{ StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }], MinAdjustmentMagnitude: 2 }, /only valid with AdjustmentType PercentChangeInCapacity/],
      [{ AdjustmentType: 'ExactCapacity', StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: -1 }] }, /cannot be negative/],
      [{ AdjustmentType: undefined, StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }] }, /AdjustmentType is required/],
    ];
    for (const [config, message] of cases) {
      const f = await h.fail('PutScalingPolicy', step(config));
      assert.equal(f.code, 'ValidationException', JSON.stringify(config));
      assert.match(f.message, message);
    }
    await h.call(
      'PutScalingPolicy',
      step({
        StepAdjustments: [
          { MetricIntervalUpperBound: -10, ScalingAdjustment: -2 },
          { MetricIntervalLowerBound: -10, MetricIntervalUpperBound: 0, ScalingAdjustment: -1 },
        ],
      }),
    );
  });

  test('a policy type switch from target tracking to step deletes the old alarms', async (t) => {
    const h = await withTarget(t);
    await h.call('PutScalingPolicy', tracking(invocations, 'p'));
    await h.call('PutScalingPolicy', step({ StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }] }, 'p'));
    assert.equal(h.alarms.alarms.size, 0);
    const [p] = (await h.call('DescribeScalingPolicies', { ServiceNamespace: 'sagemaker' })).ScalingPolicies as Record<string, unknown>[];
    assert.equal(p!.PolicyType, 'StepScaling');
    assert.equal(p!.TargetTrackingScalingPolicyConfiguration, undefined);
  });
});

describe('DescribeScalingPolicies', SUITE, () => {
  test('filters by names, resource and dimension, and pages', async (t) => {
    const h = await withTarget(t);
    for (const n of ['a', 'b', 'c']) {
      await h.call('PutScalingPolicy', step({ StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }] }, n));
      h.clock.advance(1000);
    }
    const named = await h.call('DescribeScalingPolicies', { ServiceNamespace: 'sagemaker', PolicyNames: ['c', 'a'] });
    assert.deepEqual((named.ScalingPolicies as Record<string, unknown>[]).map((p) => p.PolicyName), ['a', 'c']);
    const other = await h.call('DescribeScalingPolicies', { ServiceNamespace: 'sagemaker', ResourceId: resourceId('other') });
    assert.deepEqual(other.ScalingPolicies, []);
    const p1 = await h.call('DescribeScalingPolicies', { ServiceNamespace: 'sagemaker', MaxResults: 2 });
    assert.equal((p1.ScalingPolicies as unknown[]).length, 2);
    const p2 = await h.call('DescribeScalingPolicies', { ServiceNamespace: 'sagemaker', MaxResults: 2, NextToken: p1.NextToken });
    assert.deepEqual((p2.ScalingPolicies as Record<string, unknown>[]).map((p) => p.PolicyName), ['c']);
    assert.equal(p2.NextToken, undefined);
  });
});
