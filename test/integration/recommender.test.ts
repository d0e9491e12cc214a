import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import {
  CreateInferenceRecommendationsJobCommand,
  type CreateInferenceRecommendationsJobCommandInput,
  DescribeInferenceRecommendationsJobCommand,
  type InferenceRecommendation,
  ListEndpointsCommand,
  ListInferenceRecommendationsJobStepsCommand,
  ListInferenceRecommendationsJobsCommand,
  StopInferenceRecommendationsJobCommand,
} from '@aws-sdk/client-sagemaker';
import { createBucket, s3Client } from '../helpers/async-endpoint.js';
import { TIMEOUT, pollUntil } from '../helpers/bounded.js';
import { managedContainers, requireDocker } from '../helpers/docker.js';
import { type TestEmulator, removeStateDir, startTestEmulator, uniqueName, stopAndClean } from '../helpers/emulator.js';
import { sample, scrape } from '../helpers/metrics.js';
import { uploadPayloads, waitForRecommendationJob } from '../helpers/recommender.js';
import { rejection } from '../helpers/rejection.js';
import { createModel } from '../helpers/sagemaker.js';

type LogLine = Record<string, unknown>;
/** The echo model sleeps this long on every sample payload: the model's own time. */
const MODEL_MS = 20;

/** The checks every recommendation must pass (the issue's "numbers are consistent"). */
export function assertConsistent(r: InferenceRecommendation, maxUsers: number): void {
  const m = r.Metrics!;
  assert.ok(m.ModelLatency! >= MODEL_MS, `ModelLatency ${m.ModelLatency} ms is at least the model's ${MODEL_MS} ms`);
  assert.ok(m.MaxInvocations! <= (maxUsers * 60_000) / m.ModelLatency!, `MaxInvocations ${m.MaxInvocations} within ${maxUsers} users × 60000 / ${m.ModelLatency} ms`);
  assert.ok(Math.abs(m.CostPerInference! - m.CostPerHour! / (m.MaxInvocations! * 60)) <= 1e-12, 'CostPerInference = CostPerHour / (MaxInvocations × 60)');
}

describe('Inference Recommender jobs', { timeout: TIMEOUT.suite }, () => {
  const logLines: LogLine[] = [];
  let t: TestEmulator;
  let model: string;
  let payloadUrl: string;
  before(async () => {
    requireDocker();
    t = await startTestEmulator({ SME_RECOMMENDER_STEP_SECONDS: '2' }, undefined, { logLines });
    const s3 = s3Client(t.url);
    const bucket = await createBucket(s3, 'recommender');
    payloadUrl = await uploadPayloads(s3, bucket, 'payloads.tar.gz', [{ sleepMs: MODEL_MS }, { sleepMs: MODEL_MS, features: [1, 2, 3] }]);
    model = await createModel(t.sm);
  });
  after(async () => {
    await stopAndClean(t);
  });
  const job = (more: Partial<CreateInferenceRecommendationsJobCommandInput> & { JobType: 'Default' | 'Advanced' }): CreateInferenceRecommendationsJobCommandInput => ({
    JobName: uniqueName('rec'),
    RoleArn: 'arn:aws:iam::123456789012:role/x',
    ...more,
    InputConfig: { ModelName: model, ContainerConfig: { PayloadConfig: { SamplePayloadUrl: payloadUrl, SupportedContentTypes: ['application/json'] } }, ...more.InputConfig },
  });
  const noBenchmarkEndpoints = async () => {
    const eps = await t.sm.send(new ListEndpointsCommand({ MaxResults: 100 }));
    assert.deepEqual(eps.Endpoints?.filter((e) => e.EndpointName?.startsWith('rec-')), [], 'the benchmark endpoints are deleted');
  };

  test('a Default job benchmarks two instance types and a serverless size, and recommends all three, cheapest first', { timeout: TIMEOUT.long }, async () => {
    const input = job({ JobType: 'Default', JobDescription: 'default job' });
    await t.sm.send(new CreateInferenceRecommendationsJobCommand(input));
    const d = await waitForRecommendationJob(t.sm, input.JobName!);
    assert.equal(d.Status, 'COMPLETED', d.FailureReason);
    const recs = d.InferenceRecommendations!;
    assert.equal(recs.length, 3);
    for (const r of recs) {
      assertConsistent(r, 4);
    }
    const costs = recs.map((r) => r.Metrics!.CostPerInference!);
    assert.deepEqual(costs, [...costs].sort((a, b) => a - b), 'cheapest per inference first');
    const serverless = recs.find((r) => r.EndpointConfiguration?.ServerlessConfig);
    assert.ok(serverless?.Metrics?.ModelSetupTime !== undefined && serverless.Metrics.ModelSetupTime > 0, 'serverless: the cold start as ModelSetupTime');
    assert.ok(recs.filter((r) => r.EndpointConfiguration?.InstanceType).every((r) => r.Metrics!.CpuUtilization !== undefined));
    assert.ok(d.CompletionTime! >= d.CreationTime!);

    const steps = await t.sm.send(new ListInferenceRecommendationsJobStepsCommand({ JobName: input.JobName }));
    assert.deepEqual(steps.Steps!.map((s) => [s.StepType, s.Status]), [['BENCHMARK', 'COMPLETED'], ['BENCHMARK', 'COMPLETED'], ['BENCHMARK', 'COMPLETED']]);
    assert.ok(steps.Steps!.every((s) => s.InferenceBenchmark?.EndpointMetrics?.MaxInvocations));

    const charts = logLines.find((l) => l.job === input.JobName && l.msg === 'recommendation charts written')?.charts as string[];
    assert.equal(charts.length, 2);
    assert.ok(charts.every((c) => existsSync(c) && readFileSync(c, 'utf8').startsWith('<svg')));
    const metrics = await scrape(t.url);
    assert.ok((sample(metrics, 'sagemaker_recommender_client_invocations_total', { job_name: input.JobName! }) ?? 0) > 100);
    await noBenchmarkEndpoints();
    assert.deepEqual(managedContainers(t.stateDir), []);

    const listed = await t.sm.send(new ListInferenceRecommendationsJobsCommand({ ModelNameEquals: model, StatusEquals: 'COMPLETED' }));
    assert.ok(listed.InferenceRecommendationsJobs!.some((j) => j.JobName === input.JobName && j.JobDescription === 'default job'));
  });

  test('an Advanced job: each configuration × environment value is one step; a broken latency threshold is reported', { timeout: TIMEOUT.long }, async () => {
    const input = job({
      JobType: 'Advanced',
      InputConfig: {
        EndpointConfigurations: [
          { InstanceType: 'ml.c5.large', EnvironmentParameterRanges: { CategoricalParameterRanges: [{ Name: 'MODEL_GREETING', Value: ['hello', 'bonjour'] }] } },
          { ServerlessConfig: { MemorySizeInMB: 1024, MaxConcurrency: 3 } },
        ],
        TrafficPattern: { TrafficType: 'PHASES', Phases: [{ InitialNumberOfUsers: 1, SpawnRate: 1, DurationInSeconds: 120 }] },
      },
      StoppingConditions: { ModelLatencyThresholds: [{ Percentile: 'P95', ValueInMilliseconds: 1000 }], MaxInvocations: 100_000 },
    });
    await t.sm.send(new CreateInferenceRecommendationsJobCommand(input));
    const d = await waitForRecommendationJob(t.sm, input.JobName!);
    assert.equal(d.Status, 'COMPLETED', d.FailureReason);
    assert.equal(d.InferenceRecommendations!.length, 3);
    for (const r of d.InferenceRecommendations!) {
      assertConsistent(r, 3);
    }
    const envs = d.InferenceRecommendations!.map((r) => r.ModelConfiguration?.EnvironmentParameters?.[0]?.Value).filter(Boolean).sort();
    assert.deepEqual(envs, ['bonjour', 'hello']);
    const steps = await t.sm.send(new ListInferenceRecommendationsJobStepsCommand({ JobName: input.JobName, Status: 'COMPLETED' }));
    assert.equal(steps.Steps!.length, 3);

    const strict = job({
      JobType: 'Advanced',
      InputConfig: { EndpointConfigurations: [{ InstanceType: 'ml.c5.large' }] },
      StoppingConditions: { ModelLatencyThresholds: [{ Percentile: 'P95', ValueInMilliseconds: 5 }] },
    });
    await t.sm.send(new CreateInferenceRecommendationsJobCommand(strict));
    const failed = await waitForRecommendationJob(t.sm, strict.JobName!);
    assert.equal(failed.Status, 'FAILED');
    const [step] = (await t.sm.send(new ListInferenceRecommendationsJobStepsCommand({ JobName: strict.JobName }))).Steps!;
    assert.equal(step!.Status, 'FAILED');
    assert.match(step!.InferenceBenchmark!.FailureReason!, /P95 latency \d+ ms exceeded ModelLatencyThresholds \(5 ms\)/);
    assert.match(failed.FailureReason!, /ml\.c5\.large: P95 latency/);
    await noBenchmarkEndpoints();
  });

  test('StopInferenceRecommendationsJob leaves no endpoint and no container', { timeout: TIMEOUT.long }, async () => {
    const slow = await startTestEmulator({ SME_RECOMMENDER_STEP_SECONDS: '30' });
    try {
      const s3 = s3Client(slow.url);
      const bucket = await createBucket(s3, 'recommender-stop');
      const url = await uploadPayloads(s3, bucket, 'p.tar.gz', [{ sleepMs: 5 }]);
      const m = await createModel(slow.sm);
      const name = uniqueName('rec-stop');
      await slow.sm.send(
        new CreateInferenceRecommendationsJobCommand({
          JobName: name,
          JobType: 'Default',
          RoleArn: 'arn:aws:iam::123456789012:role/x',
          InputConfig: { ModelName: m, ContainerConfig: { PayloadConfig: { SamplePayloadUrl: url } } },
        }),
      );
      await pollUntil('a benchmark container', () => (managedContainers(slow.stateDir).length > 0 ? true : undefined), { timeoutMs: 30_000, intervalMs: 100 });
      await slow.sm.send(new StopInferenceRecommendationsJobCommand({ JobName: name }));
      const d = await waitForRecommendationJob(slow.sm, name, 60_000);
      assert.equal(d.Status, 'STOPPED');
      assert.deepEqual(managedContainers(slow.stateDir), []);
      const eps = await slow.sm.send(new ListEndpointsCommand({}));
      assert.deepEqual(eps.Endpoints, []);
      const [step] = (await slow.sm.send(new ListInferenceRecommendationsJobStepsCommand({ JobName: name }))).Steps!;
      assert.equal(step!.Status, 'STOPPED');
    } finally {
      await slow.stop();
      removeStateDir(slow.stateDir);
    }
  });

  test('bad requests get the modelled errors', { timeout: TIMEOUT.test }, async () => {
    const missing = await rejection(t.sm.send(new DescribeInferenceRecommendationsJobCommand({ JobName: 'no-such-job' })));
    assert.equal(missing.name, 'ResourceNotFound');
    const pkg = await rejection(
      t.sm.send(new CreateInferenceRecommendationsJobCommand({ ...job({ JobType: 'Default' }), InputConfig: { ModelPackageVersionArn: 'arn:aws:sagemaker:us-east-1:123456789012:model-package/p/1' } })),
    );
    assert.equal(pkg.name, 'ValidationException');
    assert.match(pkg.message, /model packages are not emulated yet/);
    const noPayload = await rejection(t.sm.send(new CreateInferenceRecommendationsJobCommand({ ...job({ JobType: 'Default' }), InputConfig: { ModelName: model } })));
    assert.match(noPayload.message, /SamplePayloadUrl is required/);
    const noConfigs = await rejection(t.sm.send(new CreateInferenceRecommendationsJobCommand(job({ JobType: 'Advanced' }))));
    assert.match(noConfigs.message, /Advanced job needs InputConfig.EndpointConfigurations/);
    const name = uniqueName('rec-dup');
    await t.sm.send(new CreateInferenceRecommendationsJobCommand({ ...job({ JobType: 'Default', InputConfig: { ContainerConfig: { SupportedEndpointType: 'Serverless', PayloadConfig: { SamplePayloadUrl: payloadUrl } } } }), JobName: name }));
    const dup = await rejection(t.sm.send(new CreateInferenceRecommendationsJobCommand({ ...job({ JobType: 'Default' }), JobName: name })));
    assert.equal(dup.name, 'ResourceInUse');
    assert.equal((await waitForRecommendationJob(t.sm, name)).Status, 'COMPLETED');
    const stopEnded = await rejection(t.sm.send(new StopInferenceRecommendationsJobCommand({ JobName: name })));
    assert.equal(stopEnded.name, 'ValidationException');
  });
});
