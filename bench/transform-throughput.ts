import { GetObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DescribeTransformJobCommand, type DescribeTransformJobCommandOutput, StopTransformJobCommand } from '@aws-sdk/client-sagemaker';
import type { Pool } from 'undici';
import { type BatchStrategy, batchRecords, maxPayloadBytes } from '../src/batch-transform/records/batch.js';
import { splitRecords } from '../src/batch-transform/records/split.js';
import { createBucket, s3Client } from '../test/helpers/async-endpoint.js';
import { BATCH_IMAGE, createBatchModel, createTransformJob, putText } from '../test/helpers/transform-job.js';
import { startByHand } from './docker-baseline.js';
import type { EmulatorProcess } from './emulator-process.js';
import { median, table } from './stats.js';

/**
 * Batch transform throughput: a transform job (CreateTransformJob, S3Prefix
 * over `files` CSV files of `lines` lines of ~1 KiB, one ml.m5.large instance,
 * MaxConcurrentTransforms 4, the batch-model container with DELAY_MS 5 per
 * request) against a direct baseline of the same run: the same request bodies
 * (splitRecords + batchRecords on the same files) POSTed straight to a
 * container of the same image (`docker run` by hand, the same caps), 4 in
 * flight on a keep-alive undici Pool. Two modes: SingleRecord, and MultiRecord
 * with MaxPayloadInMB 1 (the lines are ~1 KiB so that a file makes several
 * requests).
 *
 * What each side includes. Baseline: sending every batch and reading every
 * answer (the split/batching is done before the clock starts; no S3). The
 * emulator: the job's own TransformStartTime → TransformEndTime, which also
 * holds its container's start (docker run → /ping 200) and stop; those are
 * measured on the baseline's container (`docker run` CLI → /ping 200, and
 * `docker stop -t 2`, the median of 3: the baseline's and two bare ones)
 * and subtracted: what is left is listing, reading, splitting, sending,
 * joining and writing the files. The client's view,
 * CreateTransformJob → the end status seen by DescribeTransformJob every
 * 50 ms, is printed too. One run per mode, baseline first; no assertions.
 */
const DELAY_MS = 5;
const CONCURRENCY = 4;
const INSTANCE_TYPE = 'ml.m5.large';
/** `f,i,1` and this many `,0.5`: ~1 KiB a line, ~1000 lines a 1 MiB MultiRecord request. */
const PAD_COLUMNS = 250;
const POLL_MS = 50;
const sleep = (msec: number) => new Promise((r) => setTimeout(r, msec));

interface Mode {
  label: string;
  strategy: BatchStrategy;
  maxPayloadInMB?: number;
}
const MODES: Mode[] = [
  { label: 'SingleRecord', strategy: 'SingleRecord' },
  { label: 'MultiRecord, MaxPayloadInMB 1', strategy: 'MultiRecord', maxPayloadInMB: 1 },
];

function fileText(file: number, lines: number): string {
  const pad = ',0.5'.repeat(PAD_COLUMNS);
  return Array.from({ length: lines }, (_, i) => `${file},${i},1${pad}\n`).join('');
}

/** Every body POSTed to /invocations, CONCURRENCY in flight, answers read; seconds taken. */
async function sendAll(pool: Pool, bodies: Buffer[]): Promise<number> {
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      for (let i = next++; i < bodies.length; i = next++) {
        const body = bodies[i]!;
        const headers = { 'content-type': 'text/csv', 'content-length': String(body.length) };
        const res = await pool.request({ method: 'POST', path: '/invocations', body, headers });
        const answer = Buffer.from(await res.body.arrayBuffer());
        if (res.statusCode !== 200) {
          throw new Error(`the baseline container answered ${res.statusCode}: ${answer.toString('utf8').slice(0, 300)}`);
        }
      }
    }),
  );
  return (performance.now() - t0) / 1000;
}

/** A container of the image by hand: its start to /ping 200, `bodies` sent (if any), its stop; removed in any case. */
async function byHand(bodies: Buffer[] = []): Promise<{ sendS: number; startMs: number; stopMs: number }> {
  const c = await startByHand(BATCH_IMAGE, INSTANCE_TYPE, { env: { DELAY_MS: String(DELAY_MS) }, connections: CONCURRENCY });
  try {
    const sendS = bodies.length > 0 ? await sendAll(c.pool, bodies) : 0;
    return { sendS, startMs: c.startMs, stopMs: await c.stop(2) };
  } finally {
    await c.remove();
  }
}

interface JobRun {
  clientS: number;
  jobS: number;
  outputLines: number;
}

/** The transform job, from CreateTransformJob to its end status seen by polling every 50 ms (bounded: 10 min). */
async function transformJob(emu: EmulatorProcess, s3: S3Client, model: string, bucket: string, files: number, mode: Mode, tag: string): Promise<JobRun> {
  const out = `s3://${bucket}/out-${tag}`;
  const t0 = performance.now();
  const name = await createTransformJob(emu.sm, model, `s3://${bucket}/in/`, out, {
    BatchStrategy: mode.strategy,
    MaxConcurrentTransforms: CONCURRENCY,
    ...(mode.maxPayloadInMB !== undefined ? { MaxPayloadInMB: mode.maxPayloadInMB } : {}),
  });
  let d: DescribeTransformJobCommandOutput | undefined;
  try {
    for (let i = 0; i < (10 * 60_000) / POLL_MS && !['Completed', 'Failed', 'Stopped'].includes(d?.TransformJobStatus ?? ''); i++) {
      if (i > 0) {
        await sleep(POLL_MS);
      }
      d = await emu.sm.send(new DescribeTransformJobCommand({ TransformJobName: name }));
    }
  } finally {
    if (d?.TransformJobStatus === 'InProgress' || d === undefined) {
      await emu.sm.send(new StopTransformJobCommand({ TransformJobName: name })).catch(() => undefined);
    }
  }
  const clientS = (performance.now() - t0) / 1000;
  if (d?.TransformJobStatus !== 'Completed') {
    throw new Error(`transform job ${name} did not complete: ${d?.TransformJobStatus ?? 'no status'} ${d?.FailureReason ?? ''}`);
  }
  let outputLines = 0;
  for (let f = 0; f < files; f++) {
    const o = await s3.send(new GetObjectCommand({ Bucket: bucket, Key: `out-${tag}/part-${f}.csv.out` }));
    outputLines += (await o.Body!.transformToString()).split('\n').filter((l) => l !== '').length;
  }
  return { clientS, jobS: (d.TransformEndTime!.getTime() - d.TransformStartTime!.getTime()) / 1000, outputLines };
}

export async function benchTransformThroughput(emu: EmulatorProcess, files: number, lines: number): Promise<string> {
  const s3 = s3Client(emu.url);
  try {
    const bucket = await createBucket(s3, 'bench-transform');
    const texts = Array.from({ length: files }, (_, f) => fileText(f, lines));
    for (const [f, text] of texts.entries()) {
      await putText(s3, bucket, `in/part-${f}.csv`, text);
    }
    const model = await createBatchModel(emu.sm, { DELAY_MS: String(DELAY_MS) });
    const records = files * lines;
    const s = (v: number) => `${v.toFixed(2)} s`;
    const rate = (seconds: number) => `${Math.round(records / seconds)} rec/s`;
    const main = [['mode', 'records', 'requests', 'emulator s (job − container start/stop)', 'baseline s (direct)', 'ratio (baseline s / emulator s)', 'target']];
    const parts = [['mode', 'Create → end seen (client)', 'TransformStart → End (job)', 'container start / stop (median of 3)', 'output lines', 'ratio incl. container (baseline s / job s)']];
    for (const [m, mode] of MODES.entries()) {
      const bodies = texts.flatMap((t) => batchRecords(splitRecords(Buffer.from(t), 'Line'), 'Line', mode.strategy, maxPayloadBytes(mode.maxPayloadInMB)).map((b) => b.body));
      const base = await byHand(bodies);
      const bare = [base, await byHand(), await byHand()];
      const [startMs, stopMs] = [median(bare.map((b) => b.startMs)), median(bare.map((b) => b.stopMs))];
      const sums = bare.map((b) => b.startMs + b.stopMs);
      const job = await transformJob(emu, s3, model, bucket, files, mode, `m${m}`);
      const transformingS = job.jobS - (startMs + stopMs) / 1000;
      const ratio = base.sendS / transformingS;
      main.push([mode.label, String(records), String(bodies.length), `${s(transformingS)} (${rate(transformingS)})`, `${s(base.sendS)} (${rate(base.sendS)})`, `${ratio.toFixed(2)}×`, `>= 0.8× ${ratio >= 0.8 ? 'met' : 'MISSED'}`]);
      const fmtMs = (v: number) => `${Math.round(v)} ms`;
      parts.push([
        mode.label,
        `${s(job.clientS)} (${rate(job.clientS)})`,
        `${s(job.jobS)} (${rate(job.jobS)})`,
        `${fmtMs(startMs)} / ${fmtMs(stopMs)} (spread ${fmtMs(Math.max(...sums) - Math.min(...sums))})`,
        `${job.outputLines} of ${records}`,
        `${(base.sendS / job.jobS).toFixed(2)}×`,
      ]);
    }
    return [
      `Batch transform throughput: ${files} CSV files × ${lines} lines (~1 KiB each), 1 × ${INSTANCE_TYPE}, MaxConcurrentTransforms ${CONCURRENCY}, batch-model DELAY_MS ${DELAY_MS}; baseline: the same bodies straight to one container, ${CONCURRENCY} in flight`,
      '',
      table(main),
      '',
      'The emulator figure is the job time less an estimate of its container start and stop: when it is under ~1 s, that estimate (see its spread below) dominates it.',
      '',
      'What the emulator time is made of (container start = `docker run` CLI → /ping 200, stop = `docker stop -t 2`, each with ~20 ms of CLI; the job polled every 50 ms):',
      '',
      table(parts),
    ].join('\n');
  } finally {
    s3.destroy();
  }
}
