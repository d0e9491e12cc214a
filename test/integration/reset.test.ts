import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AddTagsCommand, ListEndpointConfigsCommand, ListEndpointsCommand, ListModelsCommand, ListTagsCommand } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import {
  ApplicationAutoScalingClient,
  DescribeScalableTargetsCommand,
  DescribeScalingPoliciesCommand,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand, GetMetricStatisticsCommand, PutMetricDataCommand } from '@aws-sdk/client-cloudwatch';
import { managedContainers, requireDocker } from '../helpers/docker.js';
import { credentials, startTestEmulator, type TestEmulator, stopAndClean } from '../helpers/emulator.js';
import { createEndpoint, createServerlessEndpoint } from '../helpers/sagemaker.js';

const post = (url: string, path: string, method = 'POST') => fetch(`${url}${path}`, { method, signal: AbortSignal.timeout(60_000) });

describe('POST /_emulator/reset', { timeout: 240_000 }, () => {
  let t: TestEmulator;
  before(async () => {
    requireDocker();
    t = await startTestEmulator();
  });
  after(async () => {
    await stopAndClean(t);
  });

  const counts = async () => ({
    models: (await t.sm.send(new ListModelsCommand({}))).Models!.length,
    configs: (await t.sm.send(new ListEndpointConfigsCommand({}))).EndpointConfigs!.length,
    endpoints: (await t.sm.send(new ListEndpointsCommand({}))).Endpoints!.length,
  });

  test('answers 200 once every resource is deleted and every container removed; other methods change nothing', { timeout: 180_000 }, async () => {
    const real = await createEndpoint(t.sm);
    const endpointArn = `arn:aws:sagemaker:us-east-1:123456789012:endpoint/${real.endpoint.toLowerCase()}`;
    await t.sm.send(new AddTagsCommand({ ResourceArn: endpointArn, Tags: [{ Key: 'team', Value: 'a' }] }));
    await createServerlessEndpoint(t.sm, { provisionedConcurrency: 1 });
    assert.ok(managedContainers(t.stateDir).length >= 2, 'containers are running');
    const before = await counts();
    assert.deepEqual(before, { models: 2, configs: 2, endpoints: 2 });

    for (const method of ['GET', 'PUT', 'DELETE']) {
      const r = await post(t.url, '/_emulator/reset', method);
      assert.equal(r.status, 405, method);
      assert.equal(r.headers.get('allow'), 'POST');
    }
    assert.deepEqual(await counts(), before, 'a GET changes nothing');

    const r = await post(t.url, '/_emulator/reset');
    assert.equal(r.status, 200);
    assert.deepEqual(await r.json(), { status: 'ok' });
    assert.deepEqual(await counts(), { models: 0, configs: 0, endpoints: 0 });
    assert.deepEqual(managedContainers(t.stateDir), [], 'every container is removed by the time reset answers');
    await assert.rejects(
      t.sm.send(new ListTagsCommand({ ResourceArn: endpointArn })),
      /Could not find resource/,
    );
    await assert.rejects(t.runtime.send(new InvokeEndpointCommand({ EndpointName: real.endpoint, Body: '{}' })), /not found/);

    // The same names can be used again at once, and the endpoint serves.
    const again = await createEndpoint(t.sm);
    const answer = await t.runtime.send(new InvokeEndpointCommand({ EndpointName: again.endpoint, Body: '{"x":1}', ContentType: 'application/json' }));
    assert.equal(answer.$metadata.httpStatusCode, 200);
  });

  test('scalable targets, scaling policies, their alarms and every datapoint go too', { timeout: 120_000 }, async () => {
    const clientConfig = { endpoint: t.url, region: 'us-east-1', credentials, maxAttempts: 1 };
    const aas = new ApplicationAutoScalingClient(clientConfig);
    const cw = new CloudWatchClient(clientConfig);
    try {
      const { endpoint } = await createEndpoint(t.sm);
      const target = { ServiceNamespace: 'sagemaker' as const, ResourceId: `endpoint/${endpoint}/variant/AllTraffic`, ScalableDimension: 'sagemaker:variant:DesiredInstanceCount' as const };
      await aas.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 1, MaxCapacity: 2 }));
      await aas.send(
        new PutScalingPolicyCommand({
          ...target,
          PolicyName: 'p',
          PolicyType: 'TargetTrackingScaling',
          TargetTrackingScalingPolicyConfiguration: { TargetValue: 10, PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' } },
        }),
      );
      const now = new Date();
      await cw.send(new PutMetricDataCommand({ Namespace: 'Custom/Reset', MetricData: [{ MetricName: 'm', Value: 1, Timestamp: now }] }));
      const state = async () => ({
        targets: (await aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'sagemaker' }))).ScalableTargets!.length,
        policies: (await aas.send(new DescribeScalingPoliciesCommand({ ServiceNamespace: 'sagemaker' }))).ScalingPolicies!.length,
        alarms: (await cw.send(new DescribeAlarmsCommand({}))).MetricAlarms!.length,
        datapoints: (
          await cw.send(
            new GetMetricStatisticsCommand({
              Namespace: 'Custom/Reset',
              MetricName: 'm',
              StartTime: new Date(now.getTime() - 3_600_000),
              EndTime: new Date(now.getTime() + 3_600_000),
              Period: 60,
              Statistics: ['Sum'],
            }),
          )
        ).Datapoints!.length,
      });
      assert.deepEqual(await state(), { targets: 1, policies: 1, alarms: 2, datapoints: 1 });
      assert.equal((await post(t.url, '/_emulator/reset')).status, 200);
      assert.deepEqual(await state(), { targets: 0, policies: 0, alarms: 0, datapoints: 0 });
    } finally {
      aas.destroy();
      cw.destroy();
    }
  });

  test("moto's /moto-api/reset is the same route", { timeout: 120_000 }, async () => {
    await createEndpoint(t.sm);
    const r = await post(t.url, '/moto-api/reset');
    assert.equal(r.status, 200);
    assert.deepEqual(await counts(), { models: 0, configs: 0, endpoints: 0 });
    assert.deepEqual(managedContainers(t.stateDir), []);
  });
});
