import { mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { ECHO_IMAGE } from '../test/helpers/docker.js';
import { deployWithDirectUrl } from './deploy.js';
import { type EmulatorProcess, startEmulatorProcess } from './emulator-process.js';
import { closedLoop, runLoad } from './load.js';
import { cpuMs, metricSum, mib, openFds, rssBytes, sampleRss, scrapeMetrics } from './process-probe.js';
import { ms, percentile, table } from './stats.js';

const BODY = Buffer.from(JSON.stringify({ pad: 'x'.repeat(1010) })); // 1 KiB, as the warm-path benchmark
const CONCURRENCY = 32;
const WARM_UP = 1000;
/** After the run, before the second RSS reading: lets in-flight buffers go without forcing a GC in the emulator. */
const IDLE_MS = 5000;

interface SdkRun {
  latenciesMs: number[];
  throughput: number;
  failures: Map<string, number>;
  /** Calls each instance answered (the echo model answers with its container's hostname). */
  perInstance: Map<string, number>;
}

/**
 * `total` InvokeEndpoint calls with the JS SDK, `concurrency` in flight. maxAttempts 1: a retry would hide
 * a failure. Failures are counted by the SDK's error name (the wire error code).
 */
async function runSdk(rt: SageMakerRuntimeClient, endpoint: string, total: number, concurrency: number): Promise<SdkRun> {
  const failures = new Map<string, number>();
  const perInstance = new Map<string, number>();
  const { latenciesMs, throughput } = await closedLoop(total, concurrency, async () => {
    try {
      const out = await rt.send(new InvokeEndpointCommand({ EndpointName: endpoint, Body: BODY, ContentType: 'application/json' }));
      const host = (JSON.parse(Buffer.from(out.Body!).toString('utf8')) as { hostname?: string }).hostname ?? '?';
      perInstance.set(host, (perInstance.get(host) ?? 0) + 1);
    } catch (err) {
      const code = (err as { name?: string }).name ?? 'Error';
      failures.set(code, (failures.get(code) ?? 0) + 1);
    }
  });
  return { latenciesMs, throughput, failures, perInstance };
}

const pct = (v: number) => `${v >= 0 ? '+' : ''}${v.toFixed(1)}%`;
const count = (m: Map<string, number>) => [...m.values()].reduce((a, b) => a + b, 0);

/**
 * The load benchmark (issue: 10,000 InvokeEndpoint calls at concurrency 32 on a two-instance endpoint, 0
 * failures, gateway RSS growth ≤ 10% after warm-up). Four runs of the same calls, in the same emulator:
 * the JS SDK through the gateway (the figure), the same again (warm-up or leak?), undici through the
 * gateway (the SDK's own cost is the difference), and undici straight to one container's published port
 * (the baseline).
 */
export async function benchLoadRss(total: number): Promise<string> {
  // An emulator of its own (the RSS it measures is not that of other benchmarks), which writes a heap
  // snapshot on SIGUSR2: V8 collects all garbage first, so the heap used right after it is what is retained.
  const snapshotDir = mkdtempSync(path.join(os.tmpdir(), 'sme-bench-heap-'));
  const emu = await startEmulatorProcess({
    NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --heapsnapshot-signal=SIGUSR2 --diagnostic-dir=${snapshotDir}`.trim(),
  });
  try {
    return await measure(emu, total, snapshotDir);
  } finally {
    await emu.stop();
    rmSync(snapshotDir, { recursive: true, force: true });
  }
}

/** Sends SIGUSR2 and waits (bounded: 120 s) for the snapshot to be written; returns the heap used right after. */
async function retainedHeap(emu: EmulatorProcess, dir: string): Promise<number> {
  process.kill(emu.pid, 'SIGUSR2');
  for (let i = 0, size = -1; i < 240; i++) {
    await new Promise((r) => setTimeout(r, 500));
    const file = readdirSync(dir).find((f) => f.endsWith('.heapsnapshot'));
    if (file) {
      const now = statSync(path.join(dir, file)).size;
      if (now > 0 && now === size) {
        rmSync(path.join(dir, file));
        return metricSum(await scrapeMetrics(emu.url), 'nodejs_heap_size_used_bytes');
      }
      size = now;
    }
  }
  throw new Error('the emulator wrote no heap snapshot within 120 s');
}

async function measure(emu: EmulatorProcess, total: number, snapshotDir: string): Promise<string> {
  const name = 'load-two-instances';
  const direct = await deployWithDirectUrl(emu, name, {
    image: ECHO_IMAGE,
    variant: { InstanceType: 'ml.m5.large', InitialInstanceCount: 2 },
  });
  const config = { endpoint: emu.url, region: 'us-east-1', credentials: { accessKeyId: 'b', secretAccessKey: 'b' }, maxAttempts: 1 };
  const rt = new SageMakerRuntimeClient(config);
  const invokePath = `/endpoints/${name}/invocations`;
  try {
    await runSdk(rt, name, WARM_UP, CONCURRENCY);
    await runLoad(direct, '/invocations', BODY, WARM_UP, CONCURRENCY);
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const before = { rss: rssBytes(emu.pid), fds: openFds(emu.pid), metrics: await scrapeMetrics(emu.url) };

    const sampler = sampleRss(emu.pid);
    const gatewayCpu0 = cpuMs(emu.pid);
    const clientCpu0 = process.cpuUsage();
    let sdk: SdkRun;
    let sampled: { peak: number; samples: number };
    try {
      sdk = await runSdk(rt, name, total, CONCURRENCY);
    } finally {
      sampled = sampler.stop();
    }
    const { peak, samples } = sampled;
    const gatewayCpuSdk = cpuMs(emu.pid) - gatewayCpu0;
    const clientCpu = process.cpuUsage(clientCpu0);
    const clientCpuSdk = (clientCpu.user + clientCpu.system) / 1000;
    const fdsRightAfter = openFds(emu.pid);
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const after = { rss: rssBytes(emu.pid), fds: openFds(emu.pid), metrics: await scrapeMetrics(emu.url) };

    // The same run again: growth that goes on at the same pace is a leak; growth that stops was warm-up
    // (V8 sizes its old space to the load before its first major GCs; see the README).
    const again = await runSdk(rt, name, total, CONCURRENCY);
    await new Promise((r) => setTimeout(r, IDLE_MS));
    const second = { rss: rssBytes(emu.pid), fds: openFds(emu.pid), metrics: await scrapeMetrics(emu.url) };

    // The two baselines come after the RSS readings, so that they do not count in the growth.
    const gatewayCpu1 = cpuMs(emu.pid);
    const raw = await runLoad(emu.url, invokePath, BODY, total, CONCURRENCY);
    const gatewayCpuRaw = cpuMs(emu.pid) - gatewayCpu1;
    const straight = await runLoad(direct, '/invocations', BODY, total, CONCURRENCY);
    const final = { rss: rssBytes(emu.pid), fds: openFds(emu.pid) };
    const heapBeforeGc = metricSum(await scrapeMetrics(emu.url), 'nodejs_heap_size_used_bytes');
    const retained = await retainedHeap(emu, snapshotDir);

    const growth = (after.rss / before.rss - 1) * 100;
    const heap = (s: typeof before.metrics) => metricSum(s, 'nodejs_heap_size_used_bytes');
    const heapTotal = (s: typeof before.metrics) => metricSum(s, 'nodejs_heap_size_total_bytes');
    const ext = (s: typeof before.metrics) => metricSum(s, 'nodejs_external_memory_bytes');
    const failures = count(sdk.failures);
    const split = [...sdk.perInstance.entries()].map(([h, n]) => `${h.slice(0, 12)}: ${n}`).join(', ');
    const p = (v: number[], q: number) => ms(percentile(v, q));
    const rows = [
      ['figure', 'value'],
      ['calls (JS SDK, through the gateway)', String(sdk.latenciesMs.length)],
      ['concurrency', String(CONCURRENCY)],
      ['failures', failures === 0 ? '0' : `${failures} (${[...sdk.failures].map(([c, n]) => `${c}: ${n}`).join(', ')})`],
      ['req/s', sdk.throughput.toFixed(0)],
      ['p50 / p99', `${p(sdk.latenciesMs, 50)} / ${p(sdk.latenciesMs, 99)}`],
      ['split across instances', split],
      ['gateway RSS before (after warm-up) / after (+5 s idle)', `${mib(before.rss)} / ${mib(after.rss)}`],
      ['RSS peak during the run (sampled every 250 ms)', `${mib(peak)} (${samples} samples)`],
      ['RSS growth', `${pct(growth)}${growth > 10 ? '  ← over the 10% target' : ''}`],
      ['heap used before / after', `${mib(heap(before.metrics))} / ${mib(heap(after.metrics))}`],
      ['V8 heap total (committed) before / after', `${mib(heapTotal(before.metrics))} / ${mib(heapTotal(after.metrics))}`],
      ['external memory before / after', `${mib(ext(before.metrics))} / ${mib(ext(after.metrics))}`],
      ['open fds before / right after / +5 s idle', `${before.fds} / ${fdsRightAfter} / ${after.fds}`],
      ['undici through the gateway: req/s, p50 / p99, errors', `${raw.throughput.toFixed(0)}, ${p(raw.latenciesMs, 50)} / ${p(raw.latenciesMs, 99)}, ${raw.errors}`],
      ['undici direct to one container: req/s, p50 / p99, errors', `${straight.throughput.toFixed(0)}, ${p(straight.latenciesMs, 50)} / ${p(straight.latenciesMs, 99)}, ${straight.errors}`],
      ['gateway / direct req/s (SDK; undici)', `${(sdk.throughput / straight.throughput).toFixed(2)}×; ${(raw.throughput / straight.throughput).toFixed(2)}×`],
      [
        'the same run again: failures, RSS after, growth over the first run, heap used, fds',
        `${count(again.failures)}, ${mib(second.rss)}, ${pct((second.rss / after.rss - 1) * 100)}, ${mib(heap(second.metrics))}, ${second.fds}`,
      ],
      ['p50 difference, SDK − undici (mostly the client queue at c=32)', ms(percentile(sdk.latenciesMs, 50) - percentile(raw.latenciesMs, 50))],
      [
        'CPU per call: gateway with SDK calls / with undici calls; the SDK client itself',
        `${(gatewayCpuSdk / total).toFixed(2)} ms / ${(gatewayCpuRaw / total).toFixed(2)} ms; ${(clientCpuSdk / total).toFixed(2)} ms`,
      ],
      ['RSS / fds at the end', `${mib(final.rss)} / ${final.fds}`],
      ['heap used at the end: as found / after the full GC of a heap snapshot (retained)', `${mib(heapBeforeGc)} / ${mib(retained)}`],
    ];
    return [
      `Load: ${total} InvokeEndpoint calls of 1 KiB at c=${CONCURRENCY}, two-instance ml.m5.large echo endpoint, after ${WARM_UP} warm-up calls`,
      '',
      table(rows),
    ].join('\n');
  } finally {
    rt.destroy();
  }
}
