import { CreateInferenceRecommendationsJobCommand } from '@aws-sdk/client-sagemaker';
import { containerCaps } from '../src/hosting/instance-types.js';
import { createBucket, s3Client } from '../test/helpers/async-endpoint.js';
import { uniqueName } from '../test/helpers/emulator.js';
import { uploadPayloads, waitForRecommendationJob } from '../test/helpers/recommender.js';
import { createModel } from '../test/helpers/sagemaker.js';
import { startByHand } from './docker-baseline.js';
import { startEmulatorProcess } from './emulator-process.js';
import { table } from './stats.js';

/**
 * Inference Recommender accuracy: is a job's MaxInvocations what the same
 * container, with the same caps, really sustains at the same load? An
 * Advanced job (CreateInferenceRecommendationsJob) with one
 * EndpointConfiguration (ml.c5.large) and one PHASES phase of U users
 * (InitialNumberOfUsers U, SpawnRate 0), so its plan is a single level of U
 * users for S seconds (SME_RECOMMENDER_STEP_SECONDS), and the echo model's
 * sample payloads: `sleepMs` (I/O bound) and `burnMs` (CPU bound: the model
 * is one Node thread, so a request holds one core). Its MaxInvocations and
 * ModelLatency (DescribeInferenceRecommendationsJob) are compared with a
 * direct baseline of the same run: a fresh container of the same image by
 * hand (`docker run`, containerCaps(ml.c5.large): the caps the emulator gives
 * it on this machine), then U loops for S seconds on a keep-alive undici Pool,
 * each sending the same bodies in turn and its next request once the last is
 * answered, as the job's load clients do; requests per minute =
 * floor(count / elapsed × 60), the elapsed time running until the last answer.
 * What the job's figure holds beyond the baseline's: its emulator's request
 * path (the fleet's lease and its pool to the container). One job and one
 * baseline per case and U, job first; no assertions. Target: within 15%.
 */
const IMAGE = 'sagemaker-emulator/echo-model:latest';
const INSTANCE_TYPE = 'ml.c5.large';
const CONTENT_TYPE = 'application/json';
const TARGET = 0.15;

interface Case {
  label: string;
  /** The sample payloads, sent in turn (the job reads them in file-name order, which is this order). */
  payloads: Record<string, unknown>[];
}
const CASES: Case[] = [
  { label: 'I/O bound: {"sleepMs": 20}', payloads: [{ sleepMs: 20 }, { sleepMs: 20, features: [1, 2, 3] }] },
  { label: 'CPU bound: {"burnMs": 10}', payloads: [{ burnMs: 10 }, { burnMs: 10, features: [1, 2, 3] }] },
];

interface Load {
  perMinute: number;
  meanMs: number;
  requests: number;
  seconds: number;
}

/** `users` loops for `seconds` against a fresh container of the image with the instance type's caps; the container is removed in any case. */
async function directLoad(bodies: Buffer[], users: number, seconds: number): Promise<Load> {
  const c = await startByHand(IMAGE, INSTANCE_TYPE, { connections: users });
  try {
    const latencies: number[] = [];
    let next = 0;
    const started = performance.now();
    const deadline = started + seconds * 1000;
    const loop = async () => {
      while (performance.now() < deadline) {
        const body = bodies[next++ % bodies.length]!;
        const t0 = performance.now();
        const headers = { 'content-type': CONTENT_TYPE, 'content-length': String(body.length) };
        const res = await c.pool.request({ method: 'POST', path: '/invocations', body, headers });
        const text = await res.body.text();
        if (res.statusCode !== 200) {
          throw new Error(`the baseline container answered ${res.statusCode}: ${text.slice(0, 300)}`);
        }
        latencies.push(performance.now() - t0);
      }
    };
    await Promise.all(Array.from({ length: users }, loop));
    const elapsed = (performance.now() - started) / 1000;
    const meanMs = latencies.reduce((a, b) => a + b, 0) / Math.max(1, latencies.length);
    return { perMinute: Math.floor((latencies.length / elapsed) * 60), meanMs, requests: latencies.length, seconds: elapsed };
  } finally {
    await c.remove();
  }
}

interface JobFigures {
  maxInvocations: number;
  modelLatency: number;
  /** CreateInferenceRecommendationsJob → an end status seen by polling every 250 ms. */
  wallSeconds: number;
}

/** An Advanced job: one ml.c5.large configuration, one phase of `users` users; its one recommendation's figures. */
async function recommendationJob(emu: Awaited<ReturnType<typeof startEmulatorProcess>>, model: string, payloadUrl: string, users: number, seconds: number): Promise<JobFigures> {
  const name = uniqueName('rec-bench');
  const t0 = performance.now();
  await emu.sm.send(
    new CreateInferenceRecommendationsJobCommand({
      JobName: name,
      JobType: 'Advanced',
      RoleArn: 'arn:aws:iam::123456789012:role/bench',
      InputConfig: {
        ModelName: model,
        JobDurationInSeconds: 3600,
        ContainerConfig: { PayloadConfig: { SamplePayloadUrl: payloadUrl, SupportedContentTypes: [CONTENT_TYPE] } },
        EndpointConfigurations: [{ InstanceType: INSTANCE_TYPE }],
        TrafficPattern: { TrafficType: 'PHASES', Phases: [{ InitialNumberOfUsers: users, SpawnRate: 0, DurationInSeconds: seconds }] },
      },
    }),
  );
  // Bounded: the level, the endpoint's start and removal, and a margin.
  const d = await waitForRecommendationJob(emu.sm, name, (seconds + 120) * 1000);
  const metrics = d.InferenceRecommendations?.[0]?.Metrics;
  if (d.Status !== 'COMPLETED' || d.InferenceRecommendations?.length !== 1 || metrics?.MaxInvocations === undefined || metrics.ModelLatency === undefined) {
    throw new Error(`recommendation job ${name} ended ${d.Status ?? 'with no status'} with ${d.InferenceRecommendations?.length ?? 0} recommendations: ${d.FailureReason ?? ''}`);
  }
  return { maxInvocations: metrics.MaxInvocations, modelLatency: metrics.ModelLatency, wallSeconds: (performance.now() - t0) / 1000 };
}

/** Starts its own emulator: the step length is a process setting (SME_RECOMMENDER_STEP_SECONDS). */
export async function benchRecommenderAccuracy(stepSeconds: number, userCounts: number[]): Promise<string> {
  const emu = await startEmulatorProcess({ SME_RECOMMENDER_STEP_SECONDS: String(stepSeconds) });
  const s3 = s3Client(emu.url);
  const caps = containerCaps(INSTANCE_TYPE);
  const out = [
    `Inference Recommender accuracy: an Advanced job (1 × ${INSTANCE_TYPE}, one PHASES phase of U users, ${stepSeconds} s steps) vs the same load sent straight to a container of ${IMAGE} with the same caps (${caps.memoryBytes / 1024 ** 2} MiB, ${caps.nanoCpus / 1e9} CPUs), same run`,
  ];
  try {
    const bucket = await createBucket(s3, 'bench-recommender');
    const model = await createModel(emu.sm, { image: IMAGE });
    for (const [c, kase] of CASES.entries()) {
      const payloadUrl = await uploadPayloads(s3, bucket, `payloads-${c}.tar.gz`, kase.payloads);
      const bodies = kase.payloads.map((p) => Buffer.from(JSON.stringify(p)));
      const rows = [['U', 'S', 'job MaxInvocations (/min)', 'direct (/min, requests in s)', 'ratio (job / direct)', '|difference|', 'target', 'job ModelLatency', 'direct mean latency', 'job wall time']];
      for (const users of userCounts) {
        const job = await recommendationJob(emu, model, payloadUrl, users, stepSeconds);
        const direct = await directLoad(bodies, users, stepSeconds);
        const ratio = job.maxInvocations / direct.perMinute;
        const diff = Math.abs(ratio - 1);
        rows.push([
          String(users),
          `${stepSeconds} s`,
          String(job.maxInvocations),
          `${direct.perMinute} (${direct.requests} in ${direct.seconds.toFixed(2)} s)`,
          `${ratio.toFixed(3)}×`,
          `${(diff * 100).toFixed(1)}%`,
          `≤ ${TARGET * 100}% ${diff <= TARGET ? 'met' : 'MISSED'}`,
          `${job.modelLatency} ms`,
          `${direct.meanMs.toFixed(2)} ms`,
          `${job.wallSeconds.toFixed(1)} s`,
        ]);
      }
      out.push('', `${kase.label} (${kase.payloads.length} payloads in turn)`, '', table(rows));
    }
    out.push(
      '',
      'ModelLatency is the job\'s mean rounded down to whole ms; the direct mean is not rounded. The job wall time also holds its endpoint\'s start and removal.',
    );
    return out.join('\n');
  } finally {
    s3.destroy();
    await emu.stop();
  }
}
