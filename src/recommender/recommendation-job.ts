import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Config } from '../config/schema.js';
import type { OperationContext } from '../control-plane/context.js';
import type { ContainerClient } from '../docker/container-client.js';
import type { ArtifactSource } from '../hosting/artifacts.js';
import type { Hosting } from '../hosting/hosting.js';
import { type JobContext, type JobKind, JobFailedError, type JobRunner } from '../jobs/job-runner.js';
import type { Metrics } from '../observability/metrics.js';
import type {
  InferenceRecommendation,
  RecommendationJobInferenceBenchmark,
  RecommendationJobStatus,
} from '../protocol/generated/sagemaker-types.js';
import { recommendationJobKind } from '../resources/kinds.js';
import type { ObjectStore } from '../storage/object-store.js';
import { parseS3Url } from '../storage/object-store.js';
import type { Store } from '../store/store.js';
import { benchmark } from './benchmark.js';
import { advancedCandidates, candidateLabel, defaultCandidates } from './candidates.js';
import { costPerInferenceSvg, latencyThroughputSvg, type Series } from './charts.js';
import { meanLatencyMs, perMinute } from './load-level.js';
import { defaultPlan, trafficPlan } from './load-plan.js';
import { loadPayloads } from './payloads.js';
import { type RecommendationJobRecord, recommendationJobLifecycle } from './recommendation-job-record.js';
import { recommendationMetrics } from './recommendation-metrics.js';
import { deployTemporary, removeTemporary, type TemporaryEndpoint } from './temporary-endpoint.js';

export interface RecommendationJobDeps {
  store: Store;
  hosting: Hosting;
  objects: ObjectStore;
  artifacts: ArtifactSource;
  docker: ContainerClient;
  config: Config;
  metrics?: Metrics;
  /** The runner itself, for the operations the benchmarks call (they need a full context). */
  jobs: () => JobRunner;
}

/** A job without JobDurationInSeconds stops benchmarking after this long (AWS's default job runs up to 2 hours). */
const DEFAULT_JOB_SECONDS = 7200;
const MAX_RECOMMENDATIONS = 10;

/**
 * Inference Recommender as a job kind of the job runner. Each candidate
 * configuration is one BENCHMARK step: a temporary endpoint with the real caps,
 * the load plan with the job's sample payloads, then the endpoint deleted. A
 * job caught running by a restart ends FAILED (a half-measured benchmark
 * cannot be trusted): the runner says so in its FailureReason.
 */
export function recommendationJobs(deps: RecommendationJobDeps): JobKind<RecommendationJobStatus, RecommendationJobRecord> {
  return {
    kind: recommendationJobKind,
    lifecycle: recommendationJobLifecycle,
    onRestart: 'fail',
    run: (ctx) => runRecommendationJob(deps, ctx),
  };
}

async function runRecommendationJob(deps: RecommendationJobDeps, ctx: JobContext<RecommendationJobRecord>): Promise<void> {
  const { job, region, log, signal } = ctx;
  const input = job.spec.InputConfig;
  const deadline = Date.now() + (input.JobDurationInSeconds ?? DEFAULT_JOB_SECONDS) * 1000;
  const stepSeconds = deps.config.recommenderStepSeconds;
  const payloadConfig = input.ContainerConfig?.PayloadConfig;
  const payloads = await loadPayloads(deps.artifacts, payloadConfig?.SamplePayloadUrl ?? '', path.join(deps.config.stateDir, 'recommender', region, job.name.toLowerCase(), 'payloads'));
  const contentType = payloadConfig?.SupportedContentTypes?.[0] ?? 'application/json';
  const candidates = job.spec.JobType === 'Advanced' ? advancedCandidates(job.spec) : defaultCandidates(job.spec);
  const plan = job.spec.JobType === 'Advanced' ? trafficPlan(input.TrafficPattern, stepSeconds) : defaultPlan(stepSeconds);
  const ops: OperationContext = {
    store: deps.store,
    hosting: deps.hosting,
    jobs: deps.jobs(),
    objects: deps.objects,
    config: deps.config,
    region,
    accountId: deps.config.accountId,
    requestId: `recommender-${job.name}`,
    log,
    now: Date.now,
  };
  const events = { request: (ms: number | undefined) => deps.metrics?.recommenderRequest(job.name, ms) };
  const prefix = `${job.name.slice(0, 40).replace(/-+$/, '')}-${randomBytes(3).toString('hex')}`;
  log.info({ candidates: candidates.map(candidateLabel), levels: plan, payloads: payloads.length }, 'recommendation job plan');

  const recommendations: InferenceRecommendation[] = [];
  const series: Series[] = [];
  const failures: string[] = [];
  for (const [i, c] of candidates.entries()) {
    signal.throwIfAborted();
    const stepName = `benchmark-${i + 1}`;
    const startTime = Date.now();
    const endpointName = `${prefix}-${i + 1}`;
    const endpointConfiguration = {
      EndpointName: endpointName,
      VariantName: 'AllTraffic',
      ...(c.instanceType ? { InstanceType: c.instanceType as never, InitialInstanceCount: 1 } : {}),
      ...(c.serverless ? { ServerlessConfig: c.serverless } : {}),
    };
    const modelConfiguration = c.environment.length ? { EnvironmentParameters: c.environment } : {};
    ctx.step(stepName, { status: 'InProgress', startTime, detail: { benchmark: { ModelConfiguration: modelConfiguration, EndpointConfiguration: endpointConfiguration } } });
    // Created before anything is deployed: whatever part of it exists is removed, however the benchmark ends.
    const t: TemporaryEndpoint = { name: endpointName, setupMs: 0 };
    try {
      await deployTemporary(ops, t, input.ModelName!, c, signal);
      const outcome = await benchmark(t.fleet!, deps.docker, plan, payloads, contentType, job.spec.StoppingConditions, deadline, signal, events);
      const endTime = Date.now();
      series.push({ label: candidateLabel(c), points: outcome.levels.filter((l) => l.invocations > 0).map((l) => ({ invocationsPerMinute: perMinute(l), latencyMs: meanLatencyMs(l) })) });
      const base: RecommendationJobInferenceBenchmark = {
        ModelConfiguration: modelConfiguration,
        EndpointConfiguration: endpointConfiguration,
        InvocationStartTime: startTime / 1000,
        InvocationEndTime: endTime / 1000,
      };
      const reason = outcome.thresholdBroken ?? (outcome.best ? undefined : `No load level completed without errors: ${outcome.stoppedBecause ?? 'no level ran'}.`);
      if (reason || !outcome.best) {
        failures.push(`${candidateLabel(c)}: ${reason}`);
        ctx.step(stepName, { status: 'Failed', endTime, failureReason: reason, detail: { benchmark: { ...base, FailureReason: reason }, levels: series.at(-1)?.points } });
        log.warn({ candidate: candidateLabel(c), reason }, 'benchmark did not qualify');
        continue;
      }
      const metrics = recommendationMetrics(c, outcome.best, outcome);
      const benchmarkResult = { ...base, Metrics: metrics, EndpointMetrics: { MaxInvocations: metrics.MaxInvocations!, ModelLatency: metrics.ModelLatency! } };
      ctx.step(stepName, { status: 'Completed', endTime, detail: { benchmark: benchmarkResult, levels: series.at(-1)?.points, stoppedBecause: outcome.stoppedBecause } });
      recommendations.push({
        RecommendationId: `${job.name}/${randomBytes(4).toString('hex')}`,
        Metrics: metrics,
        EndpointConfiguration: endpointConfiguration,
        ModelConfiguration: modelConfiguration,
        InvocationStartTime: startTime / 1000,
        InvocationEndTime: endTime / 1000,
      });
      log.info({ candidate: candidateLabel(c), metrics, stoppedBecause: outcome.stoppedBecause }, 'benchmark done');
    } catch (err) {
      if (signal.aborted) {
        ctx.step(stepName, { status: 'Stopped', endTime: Date.now() });
        throw err;
      }
      const reason = (err as Error).message;
      failures.push(`${candidateLabel(c)}: ${reason}`);
      ctx.step(stepName, { status: 'Failed', endTime: Date.now(), failureReason: reason.slice(0, 1024) });
      log.warn({ candidate: candidateLabel(c), reason }, 'benchmark failed');
    } finally {
      await removeTemporary(ops, t);
    }
  }
  if (recommendations.length === 0) {
    throw new JobFailedError(`No endpoint configuration produced a recommendation. ${failures.join(' ')}`.slice(0, 1024));
  }
  // Cheapest per inference first, then the fastest: what the console's default sort puts on top.
  recommendations.sort((a, b) => a.Metrics!.CostPerInference! - b.Metrics!.CostPerInference! || a.Metrics!.ModelLatency! - b.Metrics!.ModelLatency!);
  ctx.update({ recommendations: recommendations.slice(0, MAX_RECOMMENDATIONS) });
  await writeCharts(deps, ctx, series, recommendations);
}

/** The two SVGs, under OutputConfig's S3OutputUri when given, else in the state directory; the log says where. */
async function writeCharts(deps: RecommendationJobDeps, ctx: JobContext<RecommendationJobRecord>, series: Series[], recs: InferenceRecommendation[]): Promise<void> {
  const { job } = ctx;
  const label = (r: InferenceRecommendation) =>
    r.EndpointConfiguration.InstanceType ?? `serverless ${r.EndpointConfiguration.ServerlessConfig?.MemorySizeInMB} MB`;
  const files = {
    'latency-vs-throughput.svg': latencyThroughputSvg(job.name, series),
    'cost-per-inference.svg': costPerInferenceSvg(job.name, recs.map((r) => ({ label: label(r), costPerInference: r.Metrics!.CostPerInference! }))),
  };
  const s3Uri = job.spec.OutputConfig?.CompiledOutputConfig?.S3OutputUri;
  // `s3://b/p` and `s3://b/p/` both mean the folder p/: the charts go to p/<job>/.
  const s3 = s3Uri ? parseS3Url(`${s3Uri.replace(/\/?$/, '/')}${job.name}`) : undefined;
  const where: string[] = [];
  try {
    if (s3) {
      for (const [name, svg] of Object.entries(files)) {
        await deps.objects.put(s3.bucket, `${s3.key}/${name}`, Buffer.from(svg), 'image/svg+xml');
        where.push(`s3://${s3.bucket}/${s3.key}/${name}`);
      }
    } else {
      const dir = path.join(deps.config.stateDir, 'recommender', ctx.region, job.name.toLowerCase());
      await fs.mkdir(dir, { recursive: true });
      for (const [name, svg] of Object.entries(files)) {
        await fs.writeFile(path.join(dir, name), svg);
        where.push(path.join(dir, name));
      }
    }
    ctx.update({ charts: where });
    ctx.log.info({ charts: where }, 'recommendation charts written');
  } catch (err) {
    ctx.log.warn({ err: (err as Error).message }, 'could not write the recommendation charts');
  }
}

