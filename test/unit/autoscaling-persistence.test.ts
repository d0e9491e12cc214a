import assert from 'node:assert/strict';
import fs from 'node:fs';
import { describe, test } from 'node:test';
import { SUITE, activities, harness, register, target } from '../helpers/autoscaling-harness.js';

const MINUTE = 60_000;

describe('state survives a restart (a new facade on the same SQLite file)', SUITE, () => {
  test('targets, policies, scheduled actions (re-armed), tags, activities and cooldowns', async (t) => {
    const first = await harness();
    let open = first;
    t.after(async () => {
      await open.close();
      fs.rmSync(first.dir, { recursive: true, force: true });
    });
    first.capacity.addEndpoint('ep', [{ desiredInstanceCount: 1 }]);
    const arn = await register(first, 'ep', 1, 10, { Tags: { team: 'ml' } });
    const step = await first.call('PutScalingPolicy', {
      ...target('ep'),
      PolicyName: 'step',
      PolicyType: 'StepScaling',
      StepScalingPolicyConfiguration: { AdjustmentType: 'ChangeInCapacity', Cooldown: 600, StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 2 }] },
    });
    await first.call('PutScalingPolicy', {
      ...target('ep'),
      PolicyName: 'tt',
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: { TargetValue: 70, PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' } },
    });
    await first.call('PutScheduledAction', { ...target('ep'), ScheduledActionName: 'nightly', Schedule: 'rate(10 minutes)', ScalableTargetAction: { MaxCapacity: 8 } });
    await first.alarm(String(step.PolicyARN), { metricValue: 5, threshold: 1 });
    assert.equal(first.capacity.variant('ep').desiredInstanceCount, 3);
    const describe = async (h: typeof first) => ({
      targets: (await h.call('DescribeScalableTargets', { ServiceNamespace: 'sagemaker' })).ScalableTargets,
      policies: (await h.call('DescribeScalingPolicies', { ServiceNamespace: 'sagemaker' })).ScalingPolicies,
      actions: (await h.call('DescribeScheduledActions', { ServiceNamespace: 'sagemaker' })).ScheduledActions,
      activities: await activities(h, 'ep'),
      tags: (await h.call('ListTagsForResource', { ResourceARN: arn })).Tags,
    });
    const before = await describe(first);

    const second = await first.restart();
    open = second;
    assert.deepEqual(await describe(second), before);

    // The step policy's 600 s cooldown is remembered: no second scale-out yet.
    second.clock.advance(MINUTE);
    await second.alarm(String(step.PolicyARN), { metricValue: 5, threshold: 1 });
    assert.equal(second.capacity.variant('ep').desiredInstanceCount, 3);

    // The scheduled action's timer is re-armed: it runs 10 minutes after its creation.
    second.clock.advance(9 * MINUTE);
    await second.aas.idle();
    const [t0] = (await second.call('DescribeScalableTargets', { ServiceNamespace: 'sagemaker' })).ScalableTargets as Record<string, number>[];
    assert.equal(t0!.MaxCapacity, 8);
  });

  test('an activity a restart cut short ends Unfulfilled', async (t) => {
    const first = await harness();
    let open = first;
    t.after(async () => {
      await open.close();
      fs.rmSync(first.dir, { recursive: true, force: true });
    });
    first.capacity.addEndpoint('ep', [{ desiredInstanceCount: 1 }]);
    await register(first, 'ep', 1, 4);
    first.capacity.hold = true;
    await first.call('RegisterScalableTarget', { ...target('ep'), MinCapacity: 2 });
    await new Promise((r) => setImmediate(r));
    assert.equal((await activities(first, 'ep'))[0]!.StatusCode, 'InProgress');
    first.capacity.hold = false;
    const second = await first.restart();
    open = second;
    const [a] = await activities(second, 'ep');
    assert.equal(a!.StatusCode, 'Unfulfilled');
    assert.equal(a!.StatusMessage, 'The emulator restarted before the change was fulfilled by sagemaker.');
    assert.equal(typeof a!.EndTime, 'number');
  });
});
