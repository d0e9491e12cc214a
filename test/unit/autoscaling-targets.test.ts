import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  ACCOUNT,
  CONCURRENCY,
  SUITE,
  activities,
  dispose,
  harness,
  register,
  resourceId,
  target,
  type Harness,
} from '../helpers/autoscaling-harness.js';

async function withHarness(t: { after(fn: () => Promise<void>): void }): Promise<Harness> {
  const h = await harness();
  t.after(() => dispose(h));
  h.capacity.addEndpoint('ep');
  return h;
}

describe('RegisterScalableTarget', SUITE, () => {
  test('registers a variant; Describe shows it with the SageMaker service-linked role and all three suspension flags', async (t) => {
    const h = await withHarness(t);
    const arn = await register(h, 'ep', 1, 4);
    assert.match(arn, new RegExp(`^arn:aws:application-autoscaling:us-east-1:${ACCOUNT}:scalable-target/[0-9a-f]{36}$`));
    const out = await h.call('DescribeScalableTargets', { ServiceNamespace: 'sagemaker' });
    assert.deepEqual(out.ScalableTargets, [
      {
        ServiceNamespace: 'sagemaker',
        ResourceId: resourceId('ep'),
        ScalableDimension: 'sagemaker:variant:DesiredInstanceCount',
        MinCapacity: 1,
        MaxCapacity: 4,
        RoleARN: `arn:aws:iam::${ACCOUNT}:role/aws-service-role/sagemaker.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint`,
        CreationTime: h.clock.now() / 1000,
        SuspendedState: { DynamicScalingInSuspended: false, DynamicScalingOutSuspended: false, ScheduledScalingSuspended: false },
        ScalableTargetARN: arn,
      },
    ]);
    assert.equal(await register(h, 'ep', 2, 4), arn, 'registering again updates the same target');
  });

  test('a new target needs both MinCapacity and MaxCapacity; an update may give one', async (t) => {
    const h = await withHarness(t);
    const f = await h.fail('RegisterScalableTarget', { ...target('ep'), MinCapacity: 1 });
    assert.equal(f.code, 'ValidationException');
    assert.match(f.message, /MinCapacity and MaxCapacity are required/);
    await register(h, 'ep', 1, 3);
    await h.call('RegisterScalableTarget', { ...target('ep'), MaxCapacity: 5 });
    const out = await h.call('DescribeScalableTargets', { ServiceNamespace: 'sagemaker' });
    const t0 = (out.ScalableTargets as Record<string, unknown>[])[0]!;
    assert.equal(t0.MinCapacity, 1);
    assert.equal(t0.MaxCapacity, 5);
  });

  test('MinCapacity above MaxCapacity is refused, also when only one bound changes', async (t) => {
    const h = await withHarness(t);
    const f = await h.fail('RegisterScalableTarget', { ...target('ep'), MinCapacity: 5, MaxCapacity: 2 });
    assert.deepEqual([f.status, f.code, f.message], [400, 'ValidationException', 'Minimum capacity cannot be greater than maximum capacity']);
    await register(h, 'ep', 1, 3);
    const g = await h.fail('RegisterScalableTarget', { ...target('ep'), MinCapacity: 4 });
    assert.equal(g.message, 'Minimum capacity cannot be greater than maximum capacity');
  });

  test('MinCapacity 0 only for an asynchronous endpoint', async (t) => {
    const h = await withHarness(t);
    h.capacity.addEndpoint('async-ep', [{}], { async: true });
    const f = await h.fail('RegisterScalableTarget', { ...target('ep'), MinCapacity: 0, MaxCapacity: 2 });
    assert.equal(f.code, 'ValidationException');
    assert.match(f.message, /must be at least 1: only an asynchronous inference endpoint can scale to 0 instances/);
    await h.call('RegisterScalableTarget', { ...target('async-ep'), MinCapacity: 0, MaxCapacity: 2 });
  });

  test('a missing endpoint or variant, a burstable instance, a wrong dimension: ValidationException', async (t) => {
    const h = await withHarness(t);
    h.capacity.addEndpoint('t2', [{ instanceType: 'ml.t2.medium' }]);
    h.capacity.addEndpoint('sls', [{ serverless: true, desiredInstanceCount: undefined, maxConcurrency: 10 }]);
    const cases: [Record<string, unknown>, RegExp][] = [
      [target('nope'), /^Could not find endpoint "arn:aws:sagemaker:us-east-1:123456789012:endpoint\/nope"\.$/],
      [target('ep', 'other'), /^The variant "other" does not exist in endpoint/],
      [
        target('t2'),
        /^You cannot register a variant with ml\.t2\.medium instance type as a scalable target\. This is because the burstable performance of these instances can lead to unpredictable behavior with Auto Scaling\.$/,
      ],
      [target('sls'), /has no instance count/],
      [target('ep', 'v0', CONCURRENCY), /is not serverless/],
      [target('sls', 'v0', CONCURRENCY), /has no provisioned concurrency to scale/],
      [{ ...target('ep'), ResourceId: 'endpoint/ep' }, /^Unsupported service namespace, resource type or scalable dimension$/],
      [{ ...target('ep'), ScalableDimension: 'ecs:service:DesiredCount' }, /^Unsupported service namespace, resource type or scalable dimension$/],
      [{ ...target('ep'), ScalableDimension: 'sagemaker:inference-component:DesiredCopyCount' }, /no inference components/],
      [{ ...target('ep'), ServiceNamespace: 'ecs' }, /scales SageMaker endpoint variants only/],
    ];
    for (const [input, message] of cases) {
      const f = await h.fail('RegisterScalableTarget', { ...input, MinCapacity: 1, MaxCapacity: 2 });
      assert.equal(f.code, 'ValidationException', JSON.stringify(input));
      assert.match(f.message, message);
    }
  });

  test('serverless provisioned concurrency: Max is bounded by MaxConcurrency', async (t) => {
    const h = await withHarness(t);
    h.capacity.addEndpoint('sls', [{ serverless: true, desiredInstanceCount: undefined, provisionedConcurrency: 2, maxConcurrency: 10 }]);
    const f = await h.fail('RegisterScalableTarget', { ...target('sls', 'v0', CONCURRENCY), MinCapacity: 1, MaxCapacity: 11 });
    assert.match(f.message, /cannot be greater than the MaxConcurrency \(10\)/);
    await h.call('RegisterScalableTarget', { ...target('sls', 'v0', CONCURRENCY), MinCapacity: 1, MaxCapacity: 10 });
  });

  test('an update that leaves the capacity outside [Min, Max] scales it in range, with AWS’s cause', async (t) => {
    const h = await withHarness(t);
    await register(h, 'ep', 1, 4);
    await h.call('RegisterScalableTarget', { ...target('ep'), MinCapacity: 2 });
    await h.aas.idle();
    assert.deepEqual(h.capacity.requests.map((r) => r.capacity), [2]);
    const [a] = await activities(h, 'ep');
    assert.equal(a!.Description, 'Setting desired instance count to 2.');
    assert.equal(a!.Cause, 'minimum capacity was set to 2');
    assert.equal(a!.StatusCode, 'Successful');
    assert.equal(a!.StatusMessage, 'Successfully set desired instance count to 2. Change successfully fulfilled by sagemaker.');
    await h.call('RegisterScalableTarget', { ...target('ep'), MinCapacity: 1, MaxCapacity: 1 });
    await h.aas.idle();
    const [b] = await activities(h, 'ep');
    assert.equal(b!.Cause, 'maximum capacity was set to 1');
    assert.equal(h.capacity.variant('ep').desiredInstanceCount, 1);
  });

  test('SuspendedState attributes given replace the old ones; missing ones stay', async (t) => {
    const h = await withHarness(t);
    await register(h, 'ep', 1, 4, { SuspendedState: { DynamicScalingInSuspended: true } });
    await h.call('RegisterScalableTarget', { ...target('ep'), SuspendedState: { ScheduledScalingSuspended: true } });
    const out = await h.call('DescribeScalableTargets', { ServiceNamespace: 'sagemaker' });
    assert.deepEqual((out.ScalableTargets as Record<string, unknown>[])[0]!.SuspendedState, {
      DynamicScalingInSuspended: true,
      DynamicScalingOutSuspended: false,
      ScheduledScalingSuspended: true,
    });
  });
});

describe('DeregisterScalableTarget', SUITE, () => {
  test('an unregistered target is the real ObjectNotFoundException', async (t) => {
    const h = await withHarness(t);
    const f = await h.fail('DeregisterScalableTarget', target('ep'));
    assert.equal(f.status, 400);
    assert.equal(f.code, 'ObjectNotFoundException');
    assert.equal(
      f.message,
      'No scalable target registered for service namespace: sagemaker, resource ID: endpoint/ep/variant/v0, scalable dimension: sagemaker:variant:DesiredInstanceCount',
    );
  });

  test('deletes the target with its policies, their alarms, its scheduled actions and tags', async (t) => {
    const h = await withHarness(t);
    const arn = await register(h, 'ep', 1, 4, { Tags: { team: 'ml' } });
    await h.call('PutScalingPolicy', {
      ...target('ep'),
      PolicyName: 'tt',
      PolicyType: 'TargetTrackingScaling',
      TargetTrackingScalingPolicyConfiguration: { TargetValue: 70, PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' } },
    });
    await h.call('PutScheduledAction', { ...target('ep'), ScheduledActionName: 's', Schedule: 'rate(5 minutes)', ScalableTargetAction: { MinCapacity: 2 } });
    assert.equal(h.alarms.alarms.size, 2);
    await h.call('DeregisterScalableTarget', target('ep'));
    assert.equal(h.alarms.alarms.size, 0);
    assert.equal(h.alarms.deleted.length, 2);
    for (const [op, key] of [
      ['DescribeScalableTargets', 'ScalableTargets'],
      ['DescribeScalingPolicies', 'ScalingPolicies'],
      ['DescribeScheduledActions', 'ScheduledActions'],
    ] as const) {
      assert.deepEqual((await h.call(op, { ServiceNamespace: 'sagemaker' }))[key], [], op);
    }
    assert.equal((await h.fail('ListTagsForResource', { ResourceARN: arn })).code, 'ResourceNotFoundException');
    h.clock.advance(600_000);
    await h.aas.idle();
    assert.deepEqual(h.capacity.requests, [], 'the scheduled action no longer runs');
  });

  test('deleting the endpoint deregisters its targets (endpointDeleted)', async (t) => {
    const h = await withHarness(t);
    await register(h, 'ep', 1, 4);
    h.aas.endpointDeleted('us-east-1', 'EP');
    assert.deepEqual((await h.call('DescribeScalableTargets', { ServiceNamespace: 'sagemaker' })).ScalableTargets, []);
  });
});

describe('DescribeScalableTargets', SUITE, () => {
  test('filters by ResourceIds and dimension; other namespaces have none', async (t) => {
    const h = await withHarness(t);
    h.capacity.addEndpoint('b');
    await register(h, 'ep', 1, 2);
    await h.call('RegisterScalableTarget', { ...target('b'), MinCapacity: 1, MaxCapacity: 3 });
    const only = await h.call('DescribeScalableTargets', { ServiceNamespace: 'sagemaker', ResourceIds: [resourceId('b')] });
    assert.deepEqual((only.ScalableTargets as Record<string, unknown>[]).map((x) => x.ResourceId), [resourceId('b')]);
    const dim = await h.call('DescribeScalableTargets', { ServiceNamespace: 'sagemaker', ScalableDimension: CONCURRENCY });
    assert.deepEqual(dim.ScalableTargets, []);
    assert.deepEqual((await h.call('DescribeScalableTargets', { ServiceNamespace: 'ecs' })).ScalableTargets, []);
  });

  test('pages by MaxResults (1..50) with NextToken; a foreign token is InvalidNextTokenException', async (t) => {
    const h = await withHarness(t);
    const names = ['a', 'b', 'c', 'd', 'e'];
    for (const n of names) {
      h.capacity.addEndpoint(n);
      await h.call('RegisterScalableTarget', { ...target(n), MinCapacity: 1, MaxCapacity: 2 });
      h.clock.advance(1000);
    }
    const seen: string[] = [];
    let token: string | undefined;
    for (let i = 0; i < 10; i++) {
      const out = await h.call('DescribeScalableTargets', { ServiceNamespace: 'sagemaker', MaxResults: 2, ...(token ? { NextToken: token } : {}) });
      seen.push(...(out.ScalableTargets as Record<string, unknown>[]).map((x) => String(x.ResourceId)));
      token = out.NextToken as string | undefined;
      if (!token) {
        break;
      }
    }
    assert.deepEqual(seen, names.map((n) => resourceId(n)));
    const first = await h.call('DescribeScalableTargets', { ServiceNamespace: 'sagemaker', MaxResults: 2 });
    const foreign = await h.fail('DescribeScalingPolicies', { ServiceNamespace: 'sagemaker', NextToken: first.NextToken });
    assert.equal(foreign.code, 'InvalidNextTokenException');
    assert.equal((await h.fail('DescribeScalableTargets', { ServiceNamespace: 'sagemaker', NextToken: 'garbage' })).code, 'InvalidNextTokenException');
    const tooMany = await h.fail('DescribeScalableTargets', { ServiceNamespace: 'sagemaker', MaxResults: 51 });
    assert.equal(tooMany.code, 'ValidationException');
    assert.match(tooMany.message, /Member must have value less than or equal to 50$/);
  });
});

describe('tags', SUITE, () => {
  test('Tags at creation, TagResource, UntagResource, ListTagsForResource', async (t) => {
    const h = await withHarness(t);
    const arn = await register(h, 'ep', 1, 2, { Tags: { team: 'ml' } });
    await h.call('TagResource', { ResourceARN: arn, Tags: { env: 'dev', team: 'platform' } });
    assert.deepEqual((await h.call('ListTagsForResource', { ResourceARN: arn })).Tags, { team: 'platform', env: 'dev' });
    await h.call('UntagResource', { ResourceARN: arn, TagKeys: ['team'] });
    assert.deepEqual((await h.call('ListTagsForResource', { ResourceARN: arn })).Tags, { env: 'dev' });
    await h.call('RegisterScalableTarget', { ...target('ep'), Tags: { ignored: 'on update' } });
    assert.deepEqual((await h.call('ListTagsForResource', { ResourceARN: arn })).Tags, { env: 'dev' });
  });

  test('an unknown ARN is ResourceNotFoundException with ResourceName; more than 50 tags is TooManyTagsException', async (t) => {
    const h = await withHarness(t);
    const arn = await register(h, 'ep', 1, 2);
    const missing = `arn:aws:application-autoscaling:us-east-1:${ACCOUNT}:scalable-target/${'0'.repeat(36)}`;
    const f = await h.fail('TagResource', { ResourceARN: missing, Tags: { a: 'b' } });
    assert.equal(f.code, 'ResourceNotFoundException');
    assert.equal(f.body.ResourceName, missing);
    const many = Object.fromEntries(Array.from({ length: 51 }, (_, i) => [`k${i}`, 'v']));
    const g = await h.fail('TagResource', { ResourceARN: arn, Tags: many });
    assert.equal(g.code, 'TooManyTagsException');
    assert.equal(g.body.ResourceName, arn);
    assert.equal((await h.fail('TagResource', { ResourceARN: arn, Tags: { 'aws:x': 'y' } })).code, 'ValidationException');
  });
});
