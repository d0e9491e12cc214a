import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, test } from 'node:test';
import {
  ApplicationAutoScalingClient,
  DescribeScalingActivitiesCommand,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
  type ScalingActivity,
} from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient, DescribeAlarmsCommand, PutMetricAlarmCommand } from '@aws-sdk/client-cloudwatch';
import { DescribeEndpointCommand } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointAsyncCommand } from '@aws-sdk/client-sagemaker-runtime';
import { pollUntil, TIMEOUT } from '../helpers/bounded.js';
import { createAsyncEndpoint, createBucket, putJson, s3Client, waitForObject } from '../helpers/async-endpoint.js';
import { ECHO_IMAGE, managedContainers, requireDocker } from '../helpers/docker.js';
import { credentials, startTestEmulator, stopAndClean, type TestEmulator, uniqueName } from '../helpers/emulator.js';
import { clientEnv, run } from '../helpers/external-clients.js';
import { createEndpoint } from '../helpers/sagemaker.js';

/** examples/, from dist/test/integration/ (the scripts are not compiled). */
const EXAMPLES = fileURLToPath(new URL('../../../examples/', import.meta.url));

interface ExampleReport {
  counts: number[];
  requests: number;
  failed: number;
  errors: string[];
  alarms: string[];
  secondsToScaleOut: number;
  secondsToScaleIn: number;
  activities: { Description: string; Cause: string; StatusCode: string; StatusMessage: string }[];
}

/**
 * Application Auto Scaling acting on real endpoints through CloudWatch alarms
 * over the emulator's own datapoints, with SME_METRIC_PERIOD_SECONDS=1 so that
 * a whole loop (3 periods to scale out, 15 to scale in) takes seconds.
 */
describe('Application Auto Scaling on real endpoints', { timeout: 280_000 }, () => {
  let te: TestEmulator;
  let aas: ApplicationAutoScalingClient;
  let cw: CloudWatchClient;
  let scratch: string;

  before(async () => {
    requireDocker(ECHO_IMAGE);
    te = await startTestEmulator({ SME_METRIC_PERIOD_SECONDS: '1' });
    const clientConfig = { endpoint: te.url, region: 'us-east-1', credentials, maxAttempts: 1 };
    aas = new ApplicationAutoScalingClient(clientConfig);
    cw = new CloudWatchClient(clientConfig);
    scratch = mkdtempSync(path.join(os.tmpdir(), 'sme-aas-'));
  });

  after(async () => {
    aas.destroy();
    cw.destroy();
    rmSync(scratch, { recursive: true, force: true });
    await stopAndClean(te);
  });

  test('the README script (boto3): target tracking scales out under load with no failed request, and back in', { timeout: 200_000 }, async () => {
    const name = uniqueName('aas-demo');
    const r = await run('python3', [path.join(EXAMPLES, 'autoscaling_boto3.py'), name, '5', '40'], clientEnv(te.url, scratch), 180_000);
    assert.equal(r.code, 0, `${r.stdout}\n${r.stderr}`);
    const out = JSON.parse(r.stdout) as ExampleReport;
    assert.deepEqual(out.counts, [1, 3, 1]);
    assert.ok(out.requests > 100, `only ${out.requests} requests`);
    assert.equal(out.failed, 0, out.errors.join('\n'));
    assert.equal(out.alarms.length, 2);
    assert.match(out.alarms[0]!, new RegExp(`^TargetTracking-endpoint/${name}/variant/AllTraffic-AlarmHigh-`));
    assert.match(out.alarms[1]!, /-AlarmLow-/);
    // Newest first: the scale-in, then the scale-out(s), each successful and caused by its alarm.
    const [scaleIn, ...outs] = out.activities;
    assert.equal(scaleIn!.Description, 'Setting desired instance count to 1.');
    assert.match(scaleIn!.Cause, /^monitor alarm TargetTracking-.*-AlarmLow-.* in state ALARM triggered policy /);
    assert.equal(scaleIn!.StatusCode, 'Successful');
    assert.ok(outs.length >= 1);
    assert.equal(outs[0]!.Description, 'Setting desired instance count to 3.');
    assert.match(outs.at(-1)!.Cause, /-AlarmHigh-.* in state ALARM triggered policy /);
    assert.ok(outs.every((a) => a.StatusCode === 'Successful'), JSON.stringify(outs));
    assert.match(outs[0]!.StatusMessage, /^Successfully set desired instance count to 3\./);
    assert.equal(managedContainers(te.stateDir, name).length, 1, 'one container left after the scale-in');
  });

  test('refusals: unknown target, Min > Max, a missing endpoint (JS SDK, AWS JSON 1.1)', { timeout: TIMEOUT.test }, async () => {
    const { endpoint } = await createEndpoint(te.sm);
    const ResourceId = `endpoint/${endpoint}/variant/AllTraffic`;
    const target = { ServiceNamespace: 'sagemaker' as const, ResourceId, ScalableDimension: 'sagemaker:variant:DesiredInstanceCount' as const };
    await assert.rejects(
      aas.send(
        new PutScalingPolicyCommand({
          ...target,
          PolicyName: 'p',
          PolicyType: 'TargetTrackingScaling',
          TargetTrackingScalingPolicyConfiguration: { TargetValue: 10, PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' } },
        }),
      ),
      (err: Error) => {
        assert.equal(err.name, 'ObjectNotFoundException');
        assert.equal(
          err.message,
          `No scalable target registered for service namespace: sagemaker, resource ID: ${ResourceId}, scalable dimension: sagemaker:variant:DesiredInstanceCount`,
        );
        return true;
      },
    );
    await assert.rejects(aas.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 3, MaxCapacity: 2 })), { name: 'ValidationException' });
    await assert.rejects(
      aas.send(new RegisterScalableTargetCommand({ ...target, ResourceId: 'endpoint/no-such-endpoint/variant/AllTraffic', MinCapacity: 1, MaxCapacity: 2 })),
      { name: 'ValidationException' },
    );
    // A real-time variant cannot go to 0 instances; an async one can (the next test).
    await assert.rejects(aas.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 0, MaxCapacity: 2 })), { name: 'ValidationException' });
  });

  test('an async endpoint scales in to zero, and HasBacklogWithoutCapacity scales it out from zero (the async guide)', { timeout: 150_000 }, async () => {
    const s3 = s3Client(te.url);
    try {
      const bucket = await createBucket(s3, 'aas-async');
      const { endpoint } = await createAsyncEndpoint(te.sm, { OutputConfig: { S3OutputPath: `s3://${bucket}/out/` } });
      const ResourceId = `endpoint/${endpoint}/variant/AllTraffic`;
      const target = { ServiceNamespace: 'sagemaker' as const, ResourceId, ScalableDimension: 'sagemaker:variant:DesiredInstanceCount' as const };
      await aas.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 0, MaxCapacity: 1 }));
      // Scale in to zero: track the backlog per instance (an empty queue is below any target).
      await aas.send(
        new PutScalingPolicyCommand({
          ...target,
          PolicyName: 'backlog-per-instance',
          PolicyType: 'TargetTrackingScaling',
          TargetTrackingScalingPolicyConfiguration: {
            TargetValue: 5,
            CustomizedMetricSpecification: {
              MetricName: 'ApproximateBacklogSizePerInstance',
              Namespace: 'AWS/SageMaker',
              Dimensions: [{ Name: 'EndpointName', Value: endpoint }],
              Statistic: 'Average',
            },
            ScaleInCooldown: 1,
            ScaleOutCooldown: 1,
          },
        }),
      );
      // Scale out from zero: a step policy, and the guide's alarm on HasBacklogWithoutCapacity.
      const step = await aas.send(
        new PutScalingPolicyCommand({
          ...target,
          PolicyName: 'has-backlog-without-capacity',
          PolicyType: 'StepScaling',
          StepScalingPolicyConfiguration: {
            AdjustmentType: 'ChangeInCapacity',
            MetricAggregationType: 'Average',
            Cooldown: 1,
            StepAdjustments: [{ MetricIntervalLowerBound: 0, ScalingAdjustment: 1 }],
          },
        }),
      );
      const alarmName = `${endpoint}-has-backlog-without-capacity`;
      await cw.send(
        new PutMetricAlarmCommand({
          AlarmName: alarmName,
          MetricName: 'HasBacklogWithoutCapacity',
          Namespace: 'AWS/SageMaker',
          Statistic: 'Average',
          EvaluationPeriods: 2,
          DatapointsToAlarm: 2,
          Threshold: 1,
          ComparisonOperator: 'GreaterThanOrEqualToThreshold',
          TreatMissingData: 'missing',
          Dimensions: [{ Name: 'EndpointName', Value: endpoint }],
          Period: 1,
          AlarmActions: [step.PolicyARN!],
        }),
      );
      const instances = async () =>
        (await te.sm.send(new DescribeEndpointCommand({ EndpointName: endpoint }))).ProductionVariants![0]!.CurrentInstanceCount;
      await pollUntil('scale-in to zero instances', async () => (await instances()) === 0, { timeoutMs: 60_000, intervalMs: 500 });
      assert.equal(managedContainers(te.stateDir, endpoint).length, 0);

      const input = await putJson(s3, bucket, 'in/one.json', { from: 'zero' });
      const t0 = Date.now();
      const accepted = await te.runtime.send(new InvokeEndpointAsyncCommand({ EndpointName: endpoint, InputLocation: input, ContentType: 'application/json' }));
      const output = JSON.parse(await waitForObject(s3, accepted.OutputLocation!, 60_000)) as { input: unknown };
      assert.deepEqual(output.input, { from: 'zero' });
      assert.ok(Date.now() - t0 < 60_000);
      const alarm = (await cw.send(new DescribeAlarmsCommand({ AlarmNames: [alarmName] }))).MetricAlarms![0]!;
      assert.deepEqual(alarm.AlarmActions, [step.PolicyARN]);
      // Newest first; once the request is done, target tracking may already have scaled in again.
      const cause = `monitor alarm ${alarmName} in state ALARM triggered policy has-backlog-without-capacity`;
      let activities: ScalingActivity[] = [];
      const fromZero = await pollUntil(
        'the scale-out from zero to be Successful',
        async () => {
          activities = (await aas.send(new DescribeScalingActivitiesCommand({ ServiceNamespace: 'sagemaker', ResourceId }))).ScalingActivities!;
          const i = activities.findIndex((a) => a.Cause === cause);
          return i >= 0 && activities[i]!.StatusCode === 'Successful' ? i : undefined;
        },
        { timeoutMs: 15_000, intervalMs: 200 },
      );
      assert.equal(activities[fromZero]!.Description, 'Setting desired instance count to 1.');
      assert.equal(activities[fromZero]!.StatusCode, 'Successful');
      assert.equal(activities[fromZero + 1]!.Description, 'Setting desired instance count to 0.');
    } finally {
      s3.destroy();
    }
  });
});
