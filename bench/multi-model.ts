import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointCommand,
  waitUntilEndpointInService,
} from '@aws-sdk/client-sagemaker';
import { Client } from 'undici';
import { containerModelName } from '../src/hosting/multi-model/model-names.js';
import { ECHO_IMAGE } from '../test/helpers/docker.js';
import { sample, scrape } from '../test/helpers/metrics.js';
import { MULTI_MODEL_IMAGE, type SampleModel, writeModelTarballs } from '../test/helpers/multi-model.js';
import { deployWithDirectUrl } from './deploy.js';
import type { EmulatorProcess } from './emulator-process.js';
import { ms, percentile, table } from './stats.js';

/**
 * Multi-model endpoints (MME), each figure against a baseline of the same run:
 *
 * 1. Cache hit: what the MME path (TargetModel routing, the per-instance model
 *    cache) adds over a single-model endpoint. Both gateways and both
 *    containers called directly, interleaved, one keep-alive connection each;
 *    the figure is (MME gateway − MME direct) − (echo gateway − echo direct)
 *    at p50, so each container's own speed cancels out.
 * 2. Cache miss: a first call per model does a download (tar extraction of a
 *    ~1 MiB model) and a container load (50 ms sleep). Those are the model's
 *    costs, read from the emulator's own histograms; what remains of a miss
 *    beyond them and beyond a hit is the emulator's bookkeeping.
 * 3. Affinity: 20 models round robin on 2 instances; each model should load
 *    once, on one instance, however many rounds follow.
 */
const BODY = JSON.stringify({ x: 1 });
const VARIANT = 'AllTraffic';
const HIT = 'hit.tar.gz';
const AFFINITY_MODELS = 20;
const MiB = 1024 * 1024;

/** One sequential call; its latency in ms and its answer's text. */
async function call(client: Client, route: string, target?: string): Promise<[number, string]> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (target !== undefined) {
    headers['x-amzn-sagemaker-target-model'] = target;
  }
  const start = performance.now();
  const res = await client.request({ method: 'POST', path: route, body: BODY, headers });
  const text = await res.body.text();
  const took = performance.now() - start;
  if (res.statusCode !== 200) {
    throw new Error(`${route} (${target ?? 'no target'}) answered ${res.statusCode}: ${text.slice(0, 300)}`);
  }
  return [took, text];
}

/** The published port of the endpoint's (first) container: the direct baseline. */
function directUrl(endpoint: string): string {
  const id = execFileSync('docker', ['ps', '-q', '--filter', `label=sagemaker-emulator.endpoint=${endpoint}`], { encoding: 'utf8' }).trim().split('\n')[0]!;
  const port = execFileSync('docker', ['port', id, '8080/tcp'], { encoding: 'utf8' }).trim().split('\n')[0]!.split(':').pop();
  return `http://127.0.0.1:${port}`;
}

/** deployWithDirectUrl's model has a plain ModelDataUrl; a MultiModel one needs its own CreateModel. */
async function deployMultiModel(emu: EmulatorProcess, name: string, prefix: string, instances: number): Promise<string> {
  await emu.sm.send(new CreateModelCommand({ ModelName: name, PrimaryContainer: { Image: MULTI_MODEL_IMAGE, Mode: 'MultiModel', ModelDataUrl: prefix } }));
  const variant = { VariantName: VARIANT, ModelName: name, InstanceType: 'ml.m5.large' as const, InitialInstanceCount: instances };
  await emu.sm.send(new CreateEndpointConfigCommand({ EndpointConfigName: name, ProductionVariants: [variant] }));
  await emu.sm.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: name }));
  await waitUntilEndpointInService({ client: emu.sm, maxWaitTime: 120, minDelay: 1, maxDelay: 1 }, { EndpointName: name });
  return directUrl(name);
}

/** The endpoint's MME counters and histogram sums/counts, read from one scrape. */
async function mmeMetrics(emu: EmulatorProcess, endpoint: string): Promise<Record<string, number>> {
  const text = await scrape(emu.url);
  const labels = { endpoint_name: endpoint, variant_name: VARIANT };
  const at = (name: string) => sample(text, name, labels) ?? 0;
  const out: Record<string, number> = { hits: at('sagemaker_model_cache_hits_total'), misses: at('sagemaker_model_cache_misses_total') };
  out.loaded = at('sagemaker_loaded_model_count');
  for (const [key, name] of [
    ['download', 'sagemaker_model_downloading_time_seconds'],
    ['load', 'sagemaker_model_loading_time_seconds'],
    ['wait', 'sagemaker_model_loading_wait_time_seconds'],
  ]) {
    out[`${key}Sum`] = at(`${name}_sum`);
    out[`${key}Count`] = at(`${name}_count`);
  }
  return out;
}

const delta = (after: Record<string, number>, before: Record<string, number>) =>
  Object.fromEntries(Object.keys(after).map((k) => [k, after[k]! - (before[k] ?? 0)])) as Record<string, number>;
/** Mean of a histogram over an interval, in ms. */
const meanMs = (d: Record<string, number>, key: string) => (d[`${key}Sum`]! / d[`${key}Count`]!) * 1000;

export async function benchMultiModel(emu: EmulatorProcess, calls: number, misses: number, rounds: number): Promise<string> {
  const models: Record<string, SampleModel> = { [HIT]: { answer: 'hit' } };
  for (let i = 0; i < misses; i++) {
    models[`miss-${i}.tar.gz`] = { answer: i, loadDelayMs: 50, padBytes: MiB };
  }
  for (let i = 0; i < AFFINITY_MODELS; i++) {
    models[`aff-${i}.tar.gz`] = { answer: i, loadDelayMs: 10 };
  }
  // writeModelTarballs leaves its tarballs (1 MiB each here, extracted) in os.tmpdir(): point that at one we remove.
  const scratch = mkdtempSync(path.join(os.tmpdir(), 'sme-bench-mme-'));
  const [echo, mme, affinity] = ['bench-mme-echo', 'bench-mme', 'bench-mme-affinity'];
  const deployed: string[] = [];
  const clients: Client[] = [];
  const client = (origin: string) => (clients.push(new Client(origin)), clients.at(-1)!);
  try {
    const tmpdir = process.env.TMPDIR;
    process.env.TMPDIR = scratch;
    const prefix = pathToFileURL(writeModelTarballs(models)).href;
    if (tmpdir === undefined) {
      delete process.env.TMPDIR;
    } else {
      process.env.TMPDIR = tmpdir;
    }
    deployed.push(echo);
    const echoDirect = await deployWithDirectUrl(emu, echo, { image: ECHO_IMAGE });
    deployed.push(mme);
    const mmeDirect = await deployMultiModel(emu, mme, prefix, 1);
    deployed.push(affinity);
    await deployMultiModel(emu, affinity, prefix, 2);

    // 1. Cache hits. The gateway's first call loads the model, so the direct one finds it.
    const mmeGw = client(emu.url);
    await call(mmeGw, `/endpoints/${mme}/invocations`, HIT);
    // The container gets the TargetModel header from the gateway: the direct call sends it too, for the same work.
    const targets: [string, Client, string, string | undefined, number[]][] = [
      ['single-model (echo) direct', client(echoDirect), '/invocations', undefined, []],
      ['single-model (echo) gateway', client(emu.url), `/endpoints/${echo}/invocations`, undefined, []],
      ['MME direct (/models/<name>/invoke)', client(mmeDirect), `/models/${encodeURIComponent(containerModelName(HIT))}/invoke`, HIT, []],
      ['MME gateway (cache hit)', mmeGw, `/endpoints/${mme}/invocations`, HIT, []],
    ];
    const warmup = Math.min(200, calls);
    for (let i = 0; i < calls + warmup; i++) {
      for (const [, c, route, target, samples] of targets) {
        const [took] = await call(c, route, target);
        if (i >= warmup) {
          samples.push(took);
        }
      }
    }
    const p = (i: number, q: number) => percentile(targets[i]![4], q);
    const single50 = p(1, 50) - p(0, 50);
    const multi50 = p(3, 50) - p(2, 50);
    const hitRows = [['path', 'p50', 'p99'], ...targets.map(([label], i) => [label, ms(p(i, 50)), ms(p(i, 99))])];

    // 2. Misses, each followed by a hit so that the hit baseline sees the same machine state.
    const missMs: number[] = [];
    const hitMs: number[] = [];
    const before = await mmeMetrics(emu, mme);
    for (let i = 0; i < misses; i++) {
      missMs.push((await call(mmeGw, `/endpoints/${mme}/invocations`, `miss-${i}.tar.gz`))[0]);
      hitMs.push((await call(mmeGw, `/endpoints/${mme}/invocations`, HIT))[0]);
    }
    const d = delta(await mmeMetrics(emu, mme), before);
    const [missP50, hitP50, download, load, wait] = [percentile(missMs, 50), percentile(hitMs, 50), meanMs(d, 'download'), meanMs(d, 'load'), meanMs(d, 'wait')];
    // A miss is a hit plus a download plus a load: whatever is left is the emulator's own work on a miss.
    const added = missP50 - download - load - hitP50;
    const missRows = [
      ['what', 'value'],
      ['miss latency p50 / p99 (client)', `${ms(missP50)} / ${ms(percentile(missMs, 99))}`],
      ['hit latency p50 (interleaved with the misses)', ms(hitP50)],
      ['mean download (sagemaker_model_downloading_time_seconds)', ms(download)],
      ['mean load (sagemaker_model_loading_time_seconds; 50 ms of it is the model sleeping)', ms(load)],
      ['mean wait − download − load (server-side view of the same)', ms(wait - download - load)],
      ['misses / hits counted', `${d.misses} / ${d.hits}`],
      ['added by the emulator on a miss = p50 miss − mean download − mean load − p50 hit', `${ms(added)} (target <= 20 ms)`],
    ];

    // 3. Affinity: which instance answers is the container's hostname.
    const aff = client(emu.url);
    const hosts = new Map<string, Set<string>>();
    const before3 = await mmeMetrics(emu, affinity);
    for (let r = 0; r < rounds; r++) {
      for (let i = 0; i < AFFINITY_MODELS; i++) {
        const [, text] = await call(aff, `/endpoints/${affinity}/invocations`, `aff-${i}.tar.gz`);
        const host = (JSON.parse(text) as { hostname: string }).hostname;
        hosts.set(String(i), (hosts.get(String(i)) ?? new Set()).add(host));
      }
    }
    const after3 = await mmeMetrics(emu, affinity);
    const d3 = delta(after3, before3);
    const total = rounds * AFFINITY_MODELS;
    const instancesUsed = new Set([...hosts.values()].flatMap((s) => [...s])).size;
    const affRows = [
      ['calls', 'loads', 'loads/calls (ideal)', 'misses / hits', 'models served by >1 instance', 'instances used', 'loaded models (gauge)'],
      [
        String(total),
        String(d3.loadCount),
        `${(d3.loadCount! / total).toFixed(3)} (${(AFFINITY_MODELS / total).toFixed(3)})`,
        `${d3.misses} / ${d3.hits}`,
        String([...hosts.values()].filter((s) => s.size > 1).length),
        String(instancesUsed),
        String(after3.loaded),
      ],
    ];

    return [
      `MME cache hit vs single-model endpoint: ${calls} interleaved sequential calls each (+${warmup} warm-up), small JSON body, one keep-alive connection each`,
      '',
      table(hitRows),
      '',
      `gateway overhead p50 (gateway − direct): single-model ${ms(single50)}, MME ${ms(multi50)}; MME − single-model: ${(multi50 - single50).toFixed(3)} ms (target <= 0.1 ms)`,
      '',
      `MME cache miss: ${misses} fresh models (1 MiB of weights, loadDelayMs 50), one call each; added = p50 miss − mean download − mean load − p50 hit`,
      '',
      table(missRows),
      '',
      `MME affinity: 2 instances, ${AFFINITY_MODELS} models round robin, ${rounds} rounds`,
      '',
      table(affRows),
    ].join('\n');
  } finally {
    await Promise.all(clients.map((c) => c.close()));
    for (const name of deployed) {
      await emu.sm.send(new DeleteEndpointCommand({ EndpointName: name })).catch(() => undefined);
    }
    rmSync(scratch, { recursive: true, force: true });
  }
}
