import {
  ApplicationAutoScalingClient,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointCommand,
  DescribeEndpointCommand,
  UpdateEndpointWeightsAndCapacitiesCommand,
} from '@aws-sdk/client-sagemaker';
import { Pool } from 'undici';
import { ECHO_IMAGE } from '../test/helpers/docker.js';
import { type EmulatorProcess, startEmulatorProcess } from './emulator-process.js';
import { median, ms, table } from './stats.js';

/** Invocations per instance per period the policy tracks, and the load step's rate (4× one instance's share). */
const TARGET = 10;
const RATE = 40;
const PERIOD_SECONDS = 1;
const credentials = { accessKeyId: 'b', secretAccessKey: 'b' };

/**
 * How fast target tracking reacts, with SME_METRIC_PERIOD_SECONDS=1: a load
 * step on a one-instance variant (1 to 2 instances), and the time from the
 * threshold being crossed (the end of the first period whose
 * InvocationsPerInstance sum is over the target, read back with
 * GetMetricStatistics) to the first answer from the new instance (the echo
 * model answers with its container's hostname). The target is 3 periods (the
 * AlarmHigh datapoints) plus one container start; the container start is the
 * baseline, measured in the same run as the time from
 * UpdateEndpointWeightsAndCapacities 1 → 2 to the new instance's first answer.
 */
export async function benchAutoscalingReaction(runs: number): Promise<string> {
  const emu = await startEmulatorProcess({ SME_METRIC_PERIOD_SECONDS: String(PERIOD_SECONDS) });
  const clientConfig = { endpoint: emu.url, region: 'us-east-1', credentials };
  const aas = new ApplicationAutoScalingClient(clientConfig);
  const cw = new CloudWatchClient(clientConfig);
  const pool = new Pool(emu.url, { connections: 16 });
  const reactions: number[] = [];
  const starts: number[] = [];
  try {
    await emu.sm.send(new CreateModelCommand({ ModelName: 'aas', PrimaryContainer: { Image: ECHO_IMAGE } }));
    await emu.sm.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: 'aas',
        ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'aas', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }],
      }),
    );
    for (let i = 0; i < runs; i++) {
      // Baseline: one container start, as the emulator does it, from the API call to the new instance's first answer.
      const manual = await deploy(emu, `manual-${i}`);
      const hosts = await hostnames(pool, manual, 10);
      const t0 = performance.now();
      await emu.sm.send(
        new UpdateEndpointWeightsAndCapacitiesCommand({
          EndpointName: manual,
          DesiredWeightsAndCapacities: [{ VariantName: 'AllTraffic', DesiredInstanceCount: 2 }],
        }),
      );
      starts.push((await firstNewHost(pool, manual, hosts, 5, 60_000)) - t0);
      await emu.sm.send(new DeleteEndpointCommand({ EndpointName: manual }));

      // Target tracking: register, put the policy, then the load step.
      const name = `tracked-${i}`;
      await deploy(emu, name);
      const target = { ServiceNamespace: 'sagemaker' as const, ResourceId: `endpoint/${name}/variant/AllTraffic`, ScalableDimension: 'sagemaker:variant:DesiredInstanceCount' as const };
      await aas.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 1, MaxCapacity: 2 }));
      await aas.send(
        new PutScalingPolicyCommand({
          ...target,
          PolicyName: 'invocations',
          PolicyType: 'TargetTrackingScaling',
          TargetTrackingScalingPolicyConfiguration: {
            TargetValue: TARGET,
            PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' },
            ScaleOutCooldown: 0,
            ScaleInCooldown: 600,
          },
        }),
      );
      const before = await hostnames(pool, name, 3);
      const loadStart = Date.now();
      const seen = (await firstNewHost(pool, name, before, RATE, 60_000)) - performance.now() + Date.now();
      const crossed = await thresholdCrossedAt(cw, name, loadStart);
      reactions.push(seen - crossed);
      await emu.sm.send(new DeleteEndpointCommand({ EndpointName: name }));
    }
  } finally {
    await pool.close();
    aas.destroy();
    cw.destroy();
    await emu.stop();
  }
  const start = median(starts);
  const budget = 3 * PERIOD_SECONDS * 1000 + start;
  const reaction = median(reactions);
  return [
    `Target tracking reaction, ${runs} runs (period ${PERIOD_SECONDS} s, target ${TARGET}/instance/period, load step 0 → ${RATE} req/s, 1 → 2 instances)`,
    table([
      ['', 'median', 'runs'],
      ['threshold crossed → new instance answers', ms(reaction), reactions.map((r) => r.toFixed(0)).join(', ')],
      ['baseline: one container start (UpdateEndpointWeightsAndCapacities → first answer)', ms(start), starts.map((r) => r.toFixed(0)).join(', ')],
      ['budget: 3 periods + one container start', ms(budget), ''],
    ]),
    `reaction / budget: ${(reaction / budget).toFixed(2)}× (target ≤ 1.00×)`,
  ].join('\n');
}

async function deploy(emu: EmulatorProcess, name: string): Promise<string> {
  await emu.sm.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: 'aas' }));
  for (let i = 0; i < 2400; i++) {
    const d = await emu.sm.send(new DescribeEndpointCommand({ EndpointName: name }));
    if (d.EndpointStatus === 'InService') {
      return name;
    }
    if (d.EndpointStatus === 'Failed') {
      throw new Error(d.FailureReason);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${name} did not come InService`);
}

async function invoke(pool: Pool, endpoint: string): Promise<string> {
  const res = await pool.request({ method: 'POST', path: `/endpoints/${endpoint}/invocations`, body: '{}', headers: { 'content-type': 'application/json' } });
  const body = (await res.body.json()) as { hostname?: string };
  if (res.statusCode !== 200) {
    throw new Error(`invocation answered ${res.statusCode}: ${JSON.stringify(body)}`);
  }
  return body.hostname ?? '';
}

async function hostnames(pool: Pool, endpoint: string, n: number): Promise<Set<string>> {
  const seen = new Set<string>();
  for (let i = 0; i < n; i++) {
    seen.add(await invoke(pool, endpoint));
  }
  return seen;
}

/** Sends `rate` requests per second until one is answered by a host not in `known`; returns that moment (performance.now()). */
async function firstNewHost(pool: Pool, endpoint: string, known: Set<string>, rate: number, timeoutMs: number): Promise<number> {
  const deadline = performance.now() + timeoutMs;
  let found: number | undefined;
  const inFlight = new Set<Promise<void>>();
  while (found === undefined && performance.now() < deadline) {
    const p: Promise<void> = invoke(pool, endpoint).then((host) => {
      if (!known.has(host) && found === undefined) {
        found = performance.now();
      }
    });
    inFlight.add(p);
    void p.finally(() => inFlight.delete(p));
    await new Promise((r) => setTimeout(r, 1000 / rate));
  }
  await Promise.all(inFlight);
  if (found === undefined) {
    throw new Error(`no new instance of ${endpoint} answered within ${timeoutMs} ms`);
  }
  return found;
}

/** The end of the first period from `fromMs` whose InvocationsPerInstance sum is over the target (epoch ms). */
async function thresholdCrossedAt(cw: CloudWatchClient, endpoint: string, fromMs: number): Promise<number> {
  const out = await cw.send(
    new GetMetricStatisticsCommand({
      Namespace: 'AWS/SageMaker',
      MetricName: 'InvocationsPerInstance',
      Dimensions: [
        { Name: 'EndpointName', Value: endpoint },
        { Name: 'VariantName', Value: 'AllTraffic' },
      ],
      StartTime: new Date(Math.floor(fromMs / 1000) * 1000),
      EndTime: new Date(Date.now() + 1000),
      Period: PERIOD_SECONDS,
      Statistics: ['Sum'],
    }),
  );
  const over = (out.Datapoints ?? [])
    .filter((d) => (d.Sum ?? 0) > TARGET)
    .map((d) => d.Timestamp!.getTime())
    .sort((a, b) => a - b);
  if (over.length === 0) {
    throw new Error(`no period of ${endpoint} went over the target`);
  }
  return over[0]! + PERIOD_SECONDS * 1000;
}
