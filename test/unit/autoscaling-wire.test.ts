/** The JS SDK v3 client against the service: requests it builds are accepted, answers parse, errors map to the modelled exceptions. */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  DescribeScalingActivitiesCommand,
  DescribeScalingPoliciesCommand,
  ObjectNotFoundException,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
  ResourceNotFoundException,
  TagResourceCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { SUITE, dispose, harness } from '../helpers/autoscaling-harness.js';

describe('@aws-sdk/client-application-auto-scaling', SUITE, () => {
  test('register, put a policy, scale, describe; modelled errors', async (t) => {
    const h = await harness();
    t.after(() => dispose(h));
    h.capacity.addEndpoint('ep', [{ desiredInstanceCount: 1 }]);
    const client = new ApplicationAutoScalingClient({
      endpoint: h.url,
      region: 'us-east-1',
      credentials: { accessKeyId: 'AKID', secretAccessKey: 'SECRET' },
      maxAttempts: 1,
    });
    t.after(() => client.destroy());
    const ref = { ServiceNamespace: 'sagemaker', ResourceId: 'endpoint/ep/variant/v0', ScalableDimension: 'sagemaker:variant:DesiredInstanceCount' } as const;

    const missing = await client.send(new PutScalingPolicyCommand({ ...ref, PolicyName: 'p', PolicyType: 'StepScaling' })).catch((e: unknown) => e);
    assert.ok(missing instanceof ObjectNotFoundException, String(missing));
    assert.match(missing.message, /^No scalable target registered for service namespace: sagemaker/);

    const { ScalableTargetARN } = await client.send(new RegisterScalableTargetCommand({ ...ref, MinCapacity: 2, MaxCapacity: 4 }));
    await h.aas.idle();
    const { ScalableTargets } = await client.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'sagemaker' }));
    assert.equal(ScalableTargets?.[0]?.ScalableTargetARN, ScalableTargetARN);
    assert.ok(ScalableTargets?.[0]?.CreationTime instanceof Date);

    const put = await client.send(
      new PutScalingPolicyCommand({
        ...ref,
        PolicyName: 'tt',
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: { TargetValue: 70, PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' } },
      }),
    );
    assert.equal(put.Alarms?.length, 2);
    const { ScalingPolicies } = await client.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: 'sagemaker' }));
    assert.equal(ScalingPolicies?.[0]?.TargetTrackingScalingPolicyConfiguration?.TargetValue, 70);

    const { ScalingActivities } = await client.send(new DescribeScalingActivitiesCommand({ ServiceNamespace: 'sagemaker' }));
    assert.equal(ScalingActivities?.[0]?.Cause, 'minimum capacity was set to 2');
    assert.ok(ScalingActivities?.[0]?.EndTime instanceof Date);

    const other = ScalableTargetARN!.replace(/[0-9a-f]{36}$/, '0'.repeat(36));
    const unknown = await client.send(new TagResourceCommand({ ResourceARN: other, Tags: { a: 'b' } })).catch((e: unknown) => e);
    assert.ok(unknown instanceof ResourceNotFoundException, String(unknown));
    assert.equal(unknown.ResourceName, other);
  });
});

describe('autoscaling test harness', { timeout: 30_000 }, () => {
  test('calls go over HTTP through the decoder: a model violation is the real ValidationException', async (t) => {
    const h = await harness();
    t.after(() => dispose(h));
    const f = await h.fail('DescribeScalableTargets', { ServiceNamespace: 'nope' });
    assert.equal(f.status, 400);
    assert.equal(f.code, 'ValidationException');
    assert.match(f.message, /^1 validation error detected: Value 'nope' at 'serviceNamespace' failed to satisfy constraint: Member must satisfy enum value set: \[ecs, /);
  });
});
