import { randomBytes } from 'node:crypto';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { DescribeEndpointCommand } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { createEndpoint, createServerlessEndpoint } from '../test/helpers/sagemaker.js';
import { startEmulatorProcess } from './emulator-process.js';
import { emulatorContainers, metricSum, mib, openFds, rssBytes, scrapeMetrics } from './process-probe.js';

/**
 * The soak (issue: "a 30-minute soak mode that prints RSS, open file descriptors and event-loop lag every
 * minute"): a steady mixed load on one emulator for SME_SOAK_MINUTES (default 30), one line a minute, then
 * the growth of RSS and fds from minute 2 (after warm-up) to the end. Every loop stops at the deadline.
 */
const BODY = Buffer.from(JSON.stringify({ pad: 'x'.repeat(1010) }));
/** Serverless containers idle this long are removed: shorter than the gap between bursts, so each burst starts cold. */
const IDLE_TIMEOUT_SECONDS = 10;
const BURST_EVERY_MS = 30_000;
const BURST_CALLS = 40;
const REALTIME_WORKERS = 4;
/** Between two calls of one real-time worker: a steady load (≤ 200 req/s) rather than a saturating one. */
const REALTIME_PAUSE_MS = 20;
const S3_EVERY_MS = 2000;
const DESCRIBE_EVERY_MS = 2000;
const S3_OBJECT = randomBytes(64 * 1024);

type Kind = 'invoke' | 'serverless' | 's3' | 'describe';

class MinuteCounts {
  calls = 0;
  failures = new Map<string, number>();
  byKind = new Map<Kind, number>();

  ok(kind: Kind): void {
    this.calls++;
    this.byKind.set(kind, (this.byKind.get(kind) ?? 0) + 1);
  }

  failed(kind: Kind, err: unknown): void {
    this.ok(kind);
    const code = `${kind}:${(err as { name?: string }).name ?? 'Error'}`;
    this.failures.set(code, (this.failures.get(code) ?? 0) + 1);
  }
}

const sleep = (ms: number, until: number) => new Promise((r) => setTimeout(r, Math.max(0, Math.min(ms, until - Date.now()))));

export interface SoakMinute {
  minute: number;
  rss: number;
  fds: number;
}

export async function benchSoak(minutes: number): Promise<string> {
  const emu = await startEmulatorProcess({ SME_IDLE_TIMEOUT_SECONDS: String(IDLE_TIMEOUT_SECONDS) });
  const clientConfig = { endpoint: emu.url, region: 'us-east-1', credentials: { accessKeyId: 'b', secretAccessKey: 'b' }, maxAttempts: 1 };
  const rt = new SageMakerRuntimeClient(clientConfig);
  const s3 = new S3Client({ ...clientConfig, forcePathStyle: true });
  const history: SoakMinute[] = [];
  let leftover: string[];
  /** Set in `finally`: every loop stops at the deadline or as soon as the soak ends early. */
  let stopped = false;
  try {
    const realtime = (await createEndpoint(emu.sm, { instanceCount: 1 })).endpoint;
    const serverless = (await createServerlessEndpoint(emu.sm, { memory: 2048, maxConcurrency: 4 })).endpoint;
    const bucket = 'soak-bucket';
    await s3.send(new CreateBucketCommand({ Bucket: bucket }));

    let counts = new MinuteCounts();
    const t0 = Date.now();
    const until = t0 + minutes * 60_000;
    const running = () => !stopped && Date.now() < until;
    const invoke = async (kind: Kind, endpoint: string) => {
      try {
        await rt.send(new InvokeEndpointCommand({ EndpointName: endpoint, Body: BODY, ContentType: 'application/json' }));
        counts.ok(kind);
      } catch (err) {
        counts.failed(kind, err);
      }
    };
    const loops: Promise<void>[] = [];
    for (let w = 0; w < REALTIME_WORKERS; w++) {
      loops.push(
        (async () => {
          while (running()) {
            await invoke('invoke', realtime);
            await sleep(REALTIME_PAUSE_MS, until);
          }
        })(),
      );
    }
    loops.push(
      (async () => {
        while (running()) {
          // Two callers of 20 calls each; the container is gone again IDLE_TIMEOUT_SECONDS after the burst.
          await Promise.all(
            [0, 1].map(async () => {
              for (let i = 0; i < BURST_CALLS / 2 && running(); i++) {
                await invoke('serverless', serverless);
              }
            }),
          );
          await sleep(BURST_EVERY_MS, until);
        }
      })(),
    );
    loops.push(
      (async () => {
        for (let i = 0; running(); i++) {
          const Key = `soak/object-${i % 10}`;
          try {
            await s3.send(new PutObjectCommand({ Bucket: bucket, Key, Body: S3_OBJECT }));
            counts.ok('s3');
            const got = await s3.send(new GetObjectCommand({ Bucket: bucket, Key }));
            const bytes = await got.Body!.transformToByteArray();
            if (bytes.length !== S3_OBJECT.length) {
              throw Object.assign(new Error('short read'), { name: 'ShortRead' });
            }
            counts.ok('s3');
          } catch (err) {
            counts.failed('s3', err);
          }
          await sleep(S3_EVERY_MS, until);
        }
      })(),
    );
    loops.push(
      (async () => {
        while (running()) {
          for (const EndpointName of [realtime, serverless]) {
            try {
              await emu.sm.send(new DescribeEndpointCommand({ EndpointName }));
              counts.ok('describe');
            } catch (err) {
              counts.failed('describe', err);
            }
          }
          await sleep(DESCRIBE_EVERY_MS, until);
        }
      })(),
    );

    // The reporter: one scrape of /metrics a minute (prom-client resets its event-loop histogram at each
    // scrape, so the lag percentiles are those of the minute just ended).
    let coldStarts = metricSum(await scrapeMetrics(emu.url), 'sagemaker_cold_starts_total');
    // monitorEventLoopDelay samples every 10 ms (prom-client's default precision): an idle loop reads ~10 ms.
    console.log(
      'min | calls (invoke/serverless/s3/describe) | failures | RSS | heap used | fds | loop delay p50/p99/max (10 ms sampling) | containers | serverless cold starts',
    );
    for (let minute = 1; minute <= minutes; minute++) {
      await sleep(t0 + minute * 60_000 - Date.now(), t0 + minute * 60_000);
      const done = counts;
      counts = new MinuteCounts();
      const m = await scrapeMetrics(emu.url);
      const coldStartsBefore = coldStarts;
      coldStarts = metricSum(m, 'sagemaker_cold_starts_total');
      const row: SoakMinute = { minute, rss: rssBytes(emu.pid), fds: openFds(emu.pid) };
      history.push(row);
      const lag = (name: string) => `${(metricSum(m, name) * 1000).toFixed(1)}`;
      const kinds = (['invoke', 'serverless', 's3', 'describe'] as Kind[]).map((k) => done.byKind.get(k) ?? 0).join('/');
      const failed = [...done.failures.values()].reduce((a, b) => a + b, 0);
      const failures = failed === 0 ? '0' : `${failed} (${[...done.failures].map(([c, n]) => `${c} ${n}`).join(', ')})`;
      console.log(
        [
          String(minute).padStart(3),
          `${done.calls} (${kinds})`,
          failures,
          mib(row.rss),
          mib(metricSum(m, 'nodejs_heap_size_used_bytes')),
          String(row.fds),
          `${lag('nodejs_eventloop_lag_p50_seconds')}/${lag('nodejs_eventloop_lag_p99_seconds')}/${lag('nodejs_eventloop_lag_max_seconds')} ms`,
          String(emulatorContainers(emu.stateDir).length),
          String(coldStarts - coldStartsBefore),
        ].join(' | '),
      );
    }
    await Promise.all(loops);
  } finally {
    stopped = true;
    rt.destroy();
    s3.destroy();
    const stateDir = emu.stateDir;
    await emu.stop();
    leftover = emulatorContainers(stateDir);
  }
  return summary(history, leftover);
}

/** Growth from minute 2 (the first minute is warm-up: JIT, first containers, connection pools) to the last. */
function summary(history: SoakMinute[], leftover: string[]): string {
  const lines: string[] = [];
  const base = history.find((h) => h.minute === 2) ?? history[0];
  const last = history.at(-1);
  if (base && last && last !== base) {
    const rssGrowth = (last.rss / base.rss - 1) * 100;
    const fdGrowth = (last.fds / base.fds - 1) * 100;
    lines.push(
      `Soak: from minute ${base.minute} to ${last.minute}: RSS ${mib(base.rss)} → ${mib(last.rss)} (${rssGrowth.toFixed(1)}%), fds ${base.fds} → ${last.fds} (${fdGrowth.toFixed(1)}%)`,
    );
    if (rssGrowth > 10) {
      lines.push(`WARNING: RSS grew ${rssGrowth.toFixed(1)}% (more than 10%) from minute ${base.minute} to ${last.minute}`);
    }
    if (fdGrowth > 10) {
      lines.push(`WARNING: open fds grew ${fdGrowth.toFixed(1)}% (more than 10%) from minute ${base.minute} to ${last.minute}`);
    }
  } else {
    lines.push('Soak: too short to measure growth (needs at least 2 minutes)');
  }
  lines.push(leftover.length === 0 ? 'No container left after stop.' : `WARNING: ${leftover.length} container(s) left after stop: ${leftover.join(' ')}`);
  return lines.join('\n');
}
