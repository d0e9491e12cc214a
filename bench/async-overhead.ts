import { CreateBucketCommand, S3Client } from '@aws-sdk/client-s3';
import { Client, Pool } from 'undici';
import { ECHO_IMAGE } from '../test/helpers/docker.js';
import { deployWithDirectUrl } from './deploy.js';
import type { EmulatorProcess } from './emulator-process.js';
import { runLoad } from './load.js';
import { ms, percentile, table } from './stats.js';

/**
 * Asynchronous inference (InvokeEndpointAsync, inline bodies) against the same
 * container called directly, in the bench's emulator process:
 *
 * (a) overhead per request beyond the model's own time: one request at a time
 *     with {"sleepMs": 50}. Completion is taken two ways: the client's view
 *     (submit → the output object answers HeadObject, polled every 2 ms, so
 *     ±2–3 ms of resolution), and the server's own TotalProcessingTime
 *     (acceptance → output written), read per request as the delta of the
 *     sagemaker_async_total_processing_time_seconds histogram's sum (the
 *     emulator's clock is in whole ms). The direct baseline is the container's
 *     latency for the same body; both subtract the 50 ms of sleep.
 * (b) throughput: N requests with {"sleepMs": 20}, C submitters, the endpoint's
 *     MaxConcurrentInvocationsPerInstance = C, until the processed counter
 *     reaches N; against N direct calls at concurrency C.
 */
const NAME = 'bench-async';
const BUCKET = 'bench-async';
const CONCURRENCY = 4;
const SLEEP_A = 50;
const SLEEP_B = 20;
/** The embedded S3 answers requests signed for `s3`; signatures are not checked (docs/aws-contract.md §1). */
const S3_AUTH = 'AWS4-HMAC-SHA256 Credential=bench/20260101/us-east-1/s3/aws4_request, SignedHeaders=host, Signature=0';

const sleep = (msec: number) => new Promise((r) => setTimeout(r, msec));

/** The bucket for outputs, then the async endpoint; the direct URL of its container. */
async function deploy(emu: EmulatorProcess): Promise<string> {
  const s3 = new S3Client({ endpoint: emu.url, region: 'us-east-1', credentials: { accessKeyId: 'b', secretAccessKey: 'b' }, forcePathStyle: true });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
  } finally {
    s3.destroy();
  }
  return deployWithDirectUrl(emu, NAME, {
    image: ECHO_IMAGE,
    config: {
      AsyncInferenceConfig: {
        OutputConfig: { S3OutputPath: `s3://${BUCKET}/out`, S3FailurePath: `s3://${BUCKET}/failed` },
        ClientConfig: { MaxConcurrentInvocationsPerInstance: CONCURRENCY },
      },
    },
  });
}

/** InvokeEndpointAsync with an inline body, as the SDK sends it; returns the output's path in the embedded S3. */
async function submit(client: Client | Pool, body: string): Promise<string> {
  const res = await client.request({
    method: 'POST',
    path: `/endpoints/${NAME}/async-invocations`,
    body,
    headers: { 'content-type': 'application/octet-stream', 'x-amzn-sagemaker-content-type': 'application/json' },
  });
  await res.body.dump();
  if (res.statusCode !== 202) {
    throw new Error(`InvokeEndpointAsync answered ${res.statusCode}`);
  }
  const location = String(res.headers['x-amzn-sagemaker-outputlocation']);
  return `/${location.replace(/^s3:\/\//, '')}`;
}

/** HeadObject every 2 ms until the object exists; the time it was first seen. */
async function waitForOutput(s3: Client, objectPath: string): Promise<number> {
  for (let i = 0; i < 15_000; i++) {
    const res = await s3.request({ method: 'HEAD', path: objectPath, headers: { authorization: S3_AUTH } });
    await res.body.dump();
    if (res.statusCode === 200) {
      return performance.now();
    }
    await sleep(2);
  }
  throw new Error(`${objectPath} never appeared`);
}

/** One metric's value for this endpoint (summed over variants), from a /metrics scrape. */
async function metric(emu: Client, name: string): Promise<number> {
  const res = await emu.request({ method: 'GET', path: '/metrics' });
  const text = await res.body.text();
  let total = 0;
  for (const line of text.split('\n')) {
    if (line.startsWith(`${name}{`) && line.includes(`endpoint_name="${NAME}"`)) {
      total += Number(line.slice(line.lastIndexOf(' ') + 1));
    }
  }
  return total;
}

/** Waits until the metric has moved past `base` (the output is written just before the histogram is observed). */
async function metricAbove(emu: Client, name: string, base: number, target = base): Promise<number> {
  for (let i = 0; i < 30_000; i++) {
    const v = await metric(emu, name);
    if (v > target) {
      return v;
    }
    await sleep(1);
  }
  throw new Error(`${name} never passed ${target}`);
}

async function timeDirect(client: Client, body: string): Promise<number> {
  const start = performance.now();
  const res = await client.request({ method: 'POST', path: '/invocations', body, headers: { 'content-type': 'application/json' } });
  await res.body.dump();
  if (res.statusCode !== 200) {
    throw new Error(`the container answered ${res.statusCode}`);
  }
  return performance.now() - start;
}

const TOTAL = 'sagemaker_async_total_processing_time_seconds';
const PROCESSED = 'sagemaker_async_invocations_processed_total';

export async function benchAsyncOverhead(emu: EmulatorProcess, rounds: number, total: number): Promise<string> {
  const direct = await deploy(emu);
  const directClient = new Client(direct);
  const gateway = new Client(emu.url);
  const s3 = new Client(emu.url);
  const scrape = new Client(emu.url);
  const bodyA = JSON.stringify({ sleepMs: SLEEP_A });
  const bodyB = JSON.stringify({ sleepMs: SLEEP_B });
  const d: number[] = [];
  const accepted: number[] = [];
  const seen: number[] = [];
  const server: number[] = [];
  let throughput: { direct: number[]; async: number[]; errors: number };
  try {
    // (a) alternating, one at a time; the first 10 rounds warm both paths up.
    for (let i = 0; i < rounds + 10; i++) {
      const directMs = await timeDirect(directClient, bodyA);
      const sumBefore = await metric(scrape, `${TOTAL}_sum`);
      const countBefore = await metric(scrape, `${TOTAL}_count`);
      const t0 = performance.now();
      const output = await submit(gateway, bodyA);
      const t202 = performance.now();
      const tSeen = await waitForOutput(s3, output);
      await metricAbove(scrape, `${TOTAL}_count`, countBefore);
      const serverMs = ((await metric(scrape, `${TOTAL}_sum`)) - sumBefore) * 1000;
      if (i >= 10) {
        d.push(directMs);
        accepted.push(t202 - t0);
        seen.push(tSeen - t0);
        server.push(serverMs);
      }
    }

    // (b) throughput at concurrency C, alternating direct and async rounds.
    throughput = { direct: [], async: [], errors: 0 };
    const pool = new Pool(emu.url, { connections: CONCURRENCY, pipelining: 1 });
    try {
      await runLoad(direct, '/invocations', Buffer.from(bodyB), 50, CONCURRENCY);
      for (let r = 0; r < 2; r++) {
        const dr = await runLoad(direct, '/invocations', Buffer.from(bodyB), total, CONCURRENCY);
        throughput.direct.push(dr.throughput);
        throughput.errors += dr.errors;

        const base = await metric(scrape, PROCESSED);
        let next = 0;
        const t0 = performance.now();
        await Promise.all(
          Array.from({ length: CONCURRENCY }, async () => {
            while (next++ < total) {
              await submit(pool, bodyB);
            }
          }),
        );
        for (;;) {
          if ((await metric(scrape, PROCESSED)) >= base + total) {
            break;
          }
          await sleep(2);
        }
        throughput.async.push(total / ((performance.now() - t0) / 1000));
      }
    } finally {
      await pool.close();
    }
  } finally {
    await Promise.all([directClient.close(), gateway.close(), s3.close(), scrape.close()]);
  }

  const over = (v: number[]) => v.map((x) => x - SLEEP_A);
  const [dO, seenO, serverO] = [over(d), over(seen), over(server)];
  const rows = [
    ['path', 'latency p50', 'latency p99', `overhead p50 (− ${SLEEP_A} ms)`, 'overhead p99'],
    ['direct (container)', ms(percentile(d, 50)), ms(percentile(d, 99)), ms(percentile(dO, 50)), ms(percentile(dO, 99))],
    ['async, server TotalProcessingTime (metric)', ms(percentile(server, 50)), ms(percentile(server, 99)), ms(percentile(serverO, 50)), ms(percentile(serverO, 99))],
    ['async, client: submit → output seen (HEAD /2 ms)', ms(percentile(seen, 50)), ms(percentile(seen, 99)), ms(percentile(seenO, 50)), ms(percentile(seenO, 99))],
    ['async, submit → 202', ms(percentile(accepted, 50)), ms(percentile(accepted, 99)), '', ''],
  ];
  const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;
  const [tpD, tpA] = [mean(throughput.direct), mean(throughput.async)];
  const tpRows = [
    ['path', 'req/s (mean of 2 rounds)', 'rounds'],
    [`direct (container), c=${CONCURRENCY}`, tpD.toFixed(0), throughput.direct.map((x) => x.toFixed(0)).join(', ')],
    [`async, ${CONCURRENCY} submitters, MaxConcurrentInvocationsPerInstance=${CONCURRENCY}`, tpA.toFixed(0), throughput.async.map((x) => x.toFixed(0)).join(', ')],
  ];
  const addedServer = percentile(serverO, 50) - percentile(dO, 50);
  const addedClient = percentile(seenO, 50) - percentile(dO, 50);
  return [
    `Async inference: (a) ${rounds} alternating requests one at a time, {"sleepMs": ${SLEEP_A}}, inline body; (b) ${total} requests {"sleepMs": ${SLEEP_B}} at c=${CONCURRENCY}, 2 rounds`,
    '',
    table(rows),
    '',
    `(a) async overhead at p50 beyond the model's time: ${ms(percentile(serverO, 50))} server-side (target <= 5 ms), ${ms(percentile(seenO, 50))} as the client sees it with 2 ms polling; added over a direct call: ${addedServer.toFixed(2)} ms server-side, ${addedClient.toFixed(2)} ms client-side (p99 ${ms(percentile(serverO, 99))} / ${ms(percentile(seenO, 99))})`,
    '',
    table(tpRows),
    '',
    `(b) async/direct throughput: ${(tpA / tpD).toFixed(2)}x (target >= 0.8x); direct errors ${throughput.errors}`,
  ].join('\n');
}
