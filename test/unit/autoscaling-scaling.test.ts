import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { ActivityLog, HISTORY_LIMIT } from '../../src/autoscaling/activity-log.js';
import { percentChange, stepCapacity, targetTrackingCapacity } from '../../src/autoscaling/capacity-math.js';
import { AutoScalingTables } from '../../src/autoscaling/tables.js';
import { INSTANCES, SUITE, activities, dispose, harness, register, resourceId, target, type Harness } from '../helpers/autoscaling-harness.js';

const MINUTE = 60_000;

async function setUp(
  t: { after(fn: () => Promise<void>): void },
  options: { min?: number; max?: number; current?: number; async?: boolean } = {},
): Promise<Harness> {
  const h = await harness();
  t.after(() => dispose(h));
  h.capacity.addEndpoint('ep', [{ desiredInstanceCount: options.current ?? 2 }], { async: options.async ?? false });
  await register(h, 'ep', options.min ?? 1, options.max ?? 10);
  return h;
}

/** A target-tracking policy on InvocationsPerInstance; returns the action its alarms call. */
async function tracking(h: Harness, config: Record<string, unknown> = {}): Promise<string> {
  const out = await h.call('PutScalingPolicy', {
    ...target('ep'),
    PolicyName: 'tt',
    PolicyType: 'TargetTrackingScaling',
    TargetTrackingScalingPolicyConfiguration: {
      TargetValue: 70,
      PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' },
      ...config,
    },
  });
  const name = (out.Alarms as { AlarmName: string }[])[0]!.AlarmName;
  return h.alarms.alarms.get(name)!.AlarmActions![0]!;
}

async function stepPolicy(h: Harness, config: Record<string, unknown>): Promise<string> {
  const out = await h.call('PutScalingPolicy', {
    ...target('ep'),
    PolicyName: 'step',
    PolicyType: 'StepScaling',
    StepScalingPolicyConfiguration: config,
  });
  return String(out.PolicyARN);
}

const capacity = (h: Harness) => h.capacity.variant('ep').desiredInstanceCount;

describe('target tracking', SUITE, () => {
  test('proportional: ceil(current × metric / target), recorded as a Successful activity with AWS’s texts', async (t) => {
    const h = await setUp(t);
    const action = await tracking(h);
    const started = h.clock.now();
    await h.alarm(action, { alarmName: 'TargetTracking-high', metricValue: 150, threshold: 70 });
    assert.equal(capacity(h), 5, 'ceil(2 × 150 / 70) = 5');
    const [a] = await activities(h, 'ep');
    assert.deepEqual({ ...a, ActivityId: undefined }, {
      ActivityId: undefined,
      ServiceNamespace: 'sagemaker',
      ResourceId: resourceId('ep'),
      ScalableDimension: INSTANCES,
      Description: 'Setting desired instance count to 5.',
      Cause: 'monitor alarm TargetTracking-high in state ALARM triggered policy tt',
      StartTime: started / 1000,
      EndTime: started / 1000,
      StatusCode: 'Successful',
      StatusMessage: 'Successfully set desired instance count to 5. Change successfully fulfilled by sagemaker.',
    });
    assert.match(String(a!.ActivityId), /^[0-9a-f-]{36}$/);
  });

  test('clamped to Max; at Max it does not scale, and says so only with IncludeNotScaledActivities (once)', async (t) => {
    const h = await setUp(t, { max: 4 });
    const action = await tracking(h);
    await h.alarm(action, { metricValue: 1000, threshold: 70 });
    assert.equal(capacity(h), 4);
    h.clock.advance(10 * MINUTE);
    await h.alarm(action, { metricValue: 1000, threshold: 70 });
    await h.alarm(action, { metricValue: 1000, threshold: 70 });
    assert.equal((await activities(h, 'ep')).length, 1);
    const all = await activities(h, 'ep', true);
    assert.equal(all.length, 2, 'the same not-scaled decision is recorded once');
    assert.deepEqual(
      { ...all[0], ActivityId: undefined, StartTime: undefined },
      {
        ActivityId: undefined,
        StartTime: undefined,
        ServiceNamespace: 'sagemaker',
        ResourceId: resourceId('ep'),
        ScalableDimension: INSTANCES,
        Description: 'Attempting to scale due to alarm triggered',
        Cause: 'monitor alarm my-alarm in state ALARM triggered policy tt',
        StatusCode: 'Failed',
        NotScaledReasons: [{ Code: 'AlreadyAtMaxCapacity', MaxCapacity: 4 }],
      },
    );
  });

  test('clamped to Min on scale-in; AlreadyAtMinCapacity at Min', async (t) => {
    const h = await setUp(t, { min: 2, current: 4 });
    const action = await tracking(h);
    await h.alarm(action, { metricValue: 1, threshold: 63, comparisonOperator: 'LessThanThreshold' });
    assert.equal(capacity(h), 2);
    h.clock.advance(10 * MINUTE);
    await h.alarm(action, { metricValue: 1, threshold: 63 });
    const [a] = await activities(h, 'ep', true);
    assert.deepEqual(a!.NotScaledReasons, [{ Code: 'AlreadyAtMinCapacity', MinCapacity: 2 }]);
  });

  test('scale-out cooldown: a scale-out past the capacity the last scale-out set goes ahead', async (t) => {
    const h = await setUp(t, { current: 1 });
    const action = await tracking(h, { ScaleOutCooldown: 120 });
    await h.alarm(action, { metricValue: 280, threshold: 70 });
    assert.equal(capacity(h), 4);
    h.clock.advance(MINUTE);
    await h.alarm(action, { metricValue: 70.1, threshold: 70 });
    assert.equal(capacity(h), 5, 'ceil(4 × 70.1 / 70) = 5 is past 4');
    assert.deepEqual(h.capacity.requests.map((r) => r.capacity), [4, 5]);
  });

  test('scale-out cooldown blocks a scale-out that does not go past the last one', async (t) => {
    const h = await setUp(t, { current: 2 });
    const action = await tracking(h, { ScaleOutCooldown: 120 });
    await h.alarm(action, { metricValue: 140, threshold: 70 });
    assert.equal(capacity(h), 4);
    // The fake reports the new capacity at once; pretend the metric has not caught up: 2 → 4 is what it asks for again.
    h.capacity.variant('ep').desiredInstanceCount = 2;
    h.clock.advance(MINUTE);
    await h.alarm(action, { metricValue: 140, threshold: 70 });
    assert.deepEqual(h.capacity.requests.map((r) => r.capacity), [4], 'within the cooldown, 4 is not past 4');
    h.clock.advance(2 * MINUTE);
    await h.alarm(action, { metricValue: 140, threshold: 70 });
    assert.deepEqual(h.capacity.requests.map((r) => r.capacity), [4, 4], 'after it, the policy acts again');
  });

  test('scale-in cooldown after the last scaling activity; DisableScaleIn never scales in', async (t) => {
    const h = await setUp(t, { current: 2 });
    const action = await tracking(h, { ScaleInCooldown: 300 });
    await h.alarm(action, { metricValue: 140, threshold: 70 });
    assert.equal(capacity(h), 4);
    h.clock.advance(MINUTE);
    const low = { threshold: 63, comparisonOperator: 'LessThanThreshold' };
    await h.alarm(action, { metricValue: 10, ...low });
    assert.equal(capacity(h), 4, 'in the scale-in cooldown');
    h.clock.advance(5 * MINUTE);
    await h.alarm(action, { metricValue: 10, ...low });
    assert.equal(capacity(h), 1, 'ceil(4 × 10 / 70) = 1');
    const noIn = await tracking(h, { DisableScaleIn: true });
    h.capacity.variant('ep').desiredInstanceCount = 5;
    h.clock.advance(10 * MINUTE);
    await h.alarm(noIn, { metricValue: 10, ...low });
    assert.equal(capacity(h), 5);
  });

  test('each target-tracking alarm acts in its own direction: AlarmLow never adds capacity, AlarmHigh never removes it', async (t) => {
    const h = await setUp(t, { current: 2 });
    const action = await tracking(h, { ScaleInCooldown: 0, ScaleOutCooldown: 0 });
    // A low alarm whose metric says "more" (an async variant at zero with a backlog) does nothing.
    await h.alarm(action, { metricValue: 140, threshold: 63, comparisonOperator: 'LessThanThreshold' });
    // A high alarm whose metric says "fewer" does nothing either.
    await h.alarm(action, { metricValue: 10, threshold: 70, comparisonOperator: 'GreaterThanThreshold' });
    assert.deepEqual(h.capacity.requests, []);
  });

  test('suspension: no scale-out while DynamicScalingOutSuspended, no scale-in while DynamicScalingInSuspended', async (t) => {
    const h = await setUp(t, { current: 2 });
    const action = await tracking(h);
    await h.call('RegisterScalableTarget', { ...target('ep'), SuspendedState: { DynamicScalingOutSuspended: true, DynamicScalingInSuspended: true } });
    await h.alarm(action, { metricValue: 700, threshold: 70 });
    await h.alarm(action, { metricValue: 1, threshold: 63, comparisonOperator: 'LessThanThreshold' });
    assert.deepEqual(h.capacity.requests, []);
    await h.call('RegisterScalableTarget', { ...target('ep'), SuspendedState: { DynamicScalingOutSuspended: false } });
    await h.alarm(action, { metricValue: 140, threshold: 70 });
    assert.equal(capacity(h), 4);
  });

  test('ignored: states other than ALARM, no datapoint, an action that names no policy', async (t) => {
    const h = await setUp(t);
    const action = await tracking(h);
    await h.alarm(action, { state: 'OK', metricValue: 700 });
    await h.alarm(action, { metricValue: undefined });
    await h.alarm(`arn:aws:autoscaling:us-east-1:123456789012:scalingPolicy:x:resource/sagemaker/${resourceId('ep')}:policyName/gone`, { metricValue: 700 });
    assert.deepEqual(h.capacity.requests, []);
  });
});

describe('step scaling', SUITE, () => {
  test('ChangeInCapacity: the step holding metric − threshold (lower inclusive above the threshold)', async (t) => {
    const h = await setUp(t, { current: 2 });
    const arn = await stepPolicy(h, {
      AdjustmentType: 'ChangeInCapacity',
      Cooldown: 0,
      StepAdjustments: [
        { MetricIntervalLowerBound: 0, MetricIntervalUpperBound: 10, ScalingAdjustment: 1 },
        { MetricIntervalLowerBound: 10, ScalingAdjustment: 3 },
      ],
    });
    await h.alarm(arn, { metricValue: 60, threshold: 50 });
    assert.equal(capacity(h), 5, 'breach 10 falls in [10, ∞): +3');
    await h.alarm(arn, { metricValue: 55, threshold: 50 });
    assert.equal(capacity(h), 6, 'breach 5: +1');
  });

  test('PercentChangeInCapacity rounds as AWS documents and honours MinAdjustmentMagnitude', async (t) => {
    assert.equal(percentChange(10, 127), 12);
    assert.equal(percentChange(2, 10), 1);
    assert.equal(percentChange(2, -10), -1);
    assert.equal(percentChange(10, -66.7), -6);
    assert.equal(percentChange(4, 10, 2), 2);
    const h = await setUp(t, { current: 4 });
    const arn = await stepPolicy(h, {
      AdjustmentType: 'PercentChangeInCapacity',
      MinAdjustmentMagnitude: 2,
      Cooldown: 0,
      StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 10 }],
    });
    await h.alarm(arn, { metricValue: 2, threshold: 1 });
    assert.equal(capacity(h), 6, '10 % of 4 is 0.4 → 1, raised to the minimum magnitude 2');
  });

  test('ExactCapacity, below the threshold: lower bound exclusive, upper inclusive', async (t) => {
    assert.equal(stepCapacity(5, 0, { AdjustmentType: 'ExactCapacity', StepAdjustments: [{ MetricIntervalUpperBound: 0, ScalingAdjustment: 1 }] }), undefined);
    assert.equal(stepCapacity(5, -0.5, { AdjustmentType: 'ExactCapacity', StepAdjustments: [{ MetricIntervalUpperBound: 0, ScalingAdjustment: 1 }] }), 1);
    const h = await setUp(t, { current: 5 });
    const arn = await stepPolicy(h, {
      AdjustmentType: 'ExactCapacity',
      Cooldown: 0,
      StepAdjustments: [
        { MetricIntervalUpperBound: -10, ScalingAdjustment: 1 },
        { MetricIntervalLowerBound: -10, MetricIntervalUpperBound: 0, ScalingAdjustment: 3 },
      ],
    });
    await h.alarm(arn, { metricValue: 40, threshold: 50 });
    assert.equal(capacity(h), 1, 'breach −10 is in (−∞, −10]');
    await h.alarm(arn, { metricValue: 45, threshold: 50 });
    assert.equal(capacity(h), 3);
  });

  test('scale an asynchronous endpoint from zero on HasBacklogWithoutCapacity, as the async inference guide does', async (t) => {
    // https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference-autoscale.html
    const h = await setUp(t, { min: 0, max: 2, current: 0, async: true });
    const arn = await stepPolicy(h, {
      AdjustmentType: 'ChangeInCapacity',
      MetricAggregationType: 'Average',
      Cooldown: 300,
      StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }],
    });
    const backlog = { alarmName: 'has-backlog-without-capacity', metricValue: 1, threshold: 1, comparisonOperator: 'GreaterThanOrEqualToThreshold' };
    await h.alarm(arn, backlog);
    assert.equal(capacity(h), 1);
    for (let minute = 1; minute <= 4; minute++) {
      h.clock.advance(MINUTE);
      await h.alarm(arn, backlog);
    }
    assert.equal(capacity(h), 1, 'the instance the cooldown is waiting for counts as already there');
    h.clock.advance(MINUTE);
    await h.alarm(arn, backlog);
    assert.equal(capacity(h), 2, 'after the cooldown, the next step applies');
    const [policy] = (await h.call('DescribeScalingPolicies', { ServiceNamespace: 'sagemaker' })).ScalingPolicies as Record<string, unknown>[];
    assert.deepEqual(policy!.Alarms, [
      { AlarmName: 'has-backlog-without-capacity', AlarmARN: 'arn:aws:cloudwatch:us-east-1:123456789012:alarm:my-alarm' },
    ]);
  });

  test('no step holds the breach: nothing happens', async (t) => {
    const h = await setUp(t);
    const arn = await stepPolicy(h, { AdjustmentType: 'ChangeInCapacity', StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }] });
    await h.alarm(arn, { metricValue: 0, threshold: 1 });
    assert.deepEqual(h.capacity.requests, []);
  });
});

describe('activities', SUITE, () => {
  test('Pending → InProgress while SageMaker works (one activity at a time), then Successful; newest first', async (t) => {
    const h = await setUp(t, { current: 1 });
    const arn = await stepPolicy(h, { AdjustmentType: 'ChangeInCapacity', Cooldown: 0, StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }] });
    h.capacity.hold = true;
    h.aas.onAlarmAction(arn, { region: 'us-east-1', alarmName: 'a', alarmArn: 'x', state: 'ALARM', metricValue: 2, threshold: 1, comparisonOperator: 'GreaterThanThreshold', reason: '', atMs: 0 });
    await new Promise((r) => setImmediate(r));
    const [inProgress] = await activities(h, 'ep');
    assert.equal(inProgress!.StatusCode, 'InProgress');
    assert.equal(inProgress!.StatusMessage, 'Successfully set desired instance count to 2. Waiting for change to be fulfilled by sagemaker.');
    assert.equal(inProgress!.EndTime, undefined);
    h.aas.onAlarmAction(arn, { region: 'us-east-1', alarmName: 'a', alarmArn: 'x', state: 'ALARM', metricValue: 2, threshold: 1, comparisonOperator: 'GreaterThanThreshold', reason: '', atMs: 0 });
    assert.equal(h.capacity.requests.length, 1, 'no second activity while one is in progress');
    h.clock.advance(30_000);
    h.capacity.release();
    await h.aas.idle();
    const [done] = await activities(h, 'ep');
    assert.equal(done!.StatusCode, 'Successful');
    assert.equal(done!.EndTime, (h.clock.now()) / 1000);
    h.capacity.hold = false;
    await h.alarm(arn, { metricValue: 2, threshold: 1 });
    const list = await activities(h, 'ep');
    assert.deepEqual(list.map((a) => a.Description), ['Setting desired instance count to 3.', 'Setting desired instance count to 2.']);
  });

  test('a refusal by SageMaker is Failed with its reason; a busy endpoint is not scaled; a change never fulfilled is Unfulfilled', async (t) => {
    const h = await setUp(t, { current: 1 });
    const arn = await stepPolicy(h, { AdjustmentType: 'ChangeInCapacity', Cooldown: 0, StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }] });
    h.capacity.refuse = { ok: false, unscalable: false, reason: 'Nope. (Service: AmazonSageMaker; Status Code: 400; Error Code: ValidationException; Request ID: r)' };
    await h.alarm(arn, { metricValue: 2, threshold: 1 });
    const [failed] = await activities(h, 'ep');
    assert.equal(failed!.StatusCode, 'Failed');
    assert.equal(
      failed!.StatusMessage,
      'Failed to set desired instance count to 2. Reason: Nope. (Service: AmazonSageMaker; Status Code: 400; Error Code: ValidationException; Request ID: r).',
    );
    assert.equal(typeof failed!.EndTime, 'number');
    h.capacity.refuse = undefined;
    h.capacity.variant('ep').endpointStatus = 'Updating';
    await h.alarm(arn, { metricValue: 2, threshold: 1 });
    const [busy] = await activities(h, 'ep', true);
    assert.deepEqual(busy!.NotScaledReasons, [{ Code: 'TargetServicePutResourceAsUnscalable' }]);
    h.capacity.variant('ep').endpointStatus = 'InService';
    h.capacity.settleWith = { ok: false, timedOut: true, reason: 'Endpoint ep did not return to InService in time.' };
    await h.alarm(arn, { metricValue: 2, threshold: 1 });
    const [unfulfilled] = await activities(h, 'ep');
    assert.equal(unfulfilled!.StatusCode, 'Unfulfilled');
  });

  test(`each target keeps its newest ${HISTORY_LIMIT} activities`, async (t) => {
    const h = await setUp(t);
    const log = new ActivityLog(new AutoScalingTables(h.store), () => h.clock.now());
    const ref = { resourceId: resourceId('ep'), dimension: INSTANCES };
    for (let i = 0; i < HISTORY_LIMIT + 10; i++) {
      log.add('us-east-1', ref, { description: `d${i}`, cause: 'c', statusCode: 'Successful', ended: true });
    }
    const list = log.list('us-east-1', ref);
    assert.equal(list.length, HISTORY_LIMIT);
    assert.equal(list[0]!.description, `d${HISTORY_LIMIT + 9}`);
    assert.equal(list.at(-1)!.description, 'd10');
  });

  test('pure arithmetic: the proportional formula at zero capacity counts one instance', () => {
    assert.equal(targetTrackingCapacity(0, 10, 5), 2);
    assert.equal(targetTrackingCapacity(3, 70, 70), 3);
    assert.equal(targetTrackingCapacity(4, 0, 70), 0);
  });
});
