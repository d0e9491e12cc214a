import { Client } from 'undici';
import { STREAMING_IMAGE } from '../test/helpers/docker.js';
import { deployWithDirectUrl } from './deploy.js';
import type { EmulatorProcess } from './emulator-process.js';
import { ms, percentile, table } from './stats.js';

/**
 * Time to first byte of a streamed answer: through the emulator
 * (InvokeEndpointWithResponseStream, the first PayloadPart frame) against
 * straight from the same container (its first chunk), same request,
 * alternating, one keep-alive connection each. The model streams 20 tokens
 * 2 ms apart, so the whole answer is ~40 ms and a buffering gateway would
 * show it in its TTFB.
 */
const BODY = JSON.stringify({ tokens: 20, delayMs: 2 });
const NAME = 'bench-stream';

/** One request: ms until the first body byte; the rest of the body is read to its end (the connection is reused). */
async function ttfb(client: Client, path: string): Promise<number> {
  const start = performance.now();
  const res = await client.request({ method: 'POST', path, body: BODY, headers: { 'content-type': 'application/json' } });
  let first = NaN;
  for await (const _chunk of res.body) {
    if (Number.isNaN(first)) {
      first = performance.now() - start;
    }
  }
  if (res.statusCode !== 200) {
    throw new Error(`${path} answered ${res.statusCode}`);
  }
  return first;
}

export async function benchStreamingTtfb(emu: EmulatorProcess, rounds: number): Promise<string> {
  const direct = await deployWithDirectUrl(emu, NAME, { image: STREAMING_IMAGE });
  const directClient = new Client(direct);
  const gatewayClient = new Client(emu.url);
  const targets: [string, Client, string, number[]][] = [
    ['direct', directClient, '/invocations', []],
    ['emulator', gatewayClient, `/endpoints/${NAME}/invocations-response-stream`, []],
    // The same chunked answer relayed by InvokeEndpoint: the hot path's own cost for this model.
    ['invoke', gatewayClient, `/endpoints/${NAME}/invocations`, []],
  ];
  try {
    for (let i = 0; i < rounds + 50; i++) {
      for (const [, client, path, samples] of targets) {
        const t = await ttfb(client, path);
        if (i >= 50) {
          samples.push(t); // the first 50 rounds warm both paths up
        }
      }
    }
  } finally {
    await directClient.close();
    await gatewayClient.close();
  }
  const [d, g, inv] = [targets[0]![3], targets[1]![3], targets[2]![3]];
  const rows = [
    ['path', 'TTFB p50', 'TTFB p99'],
    ['direct (container)', ms(percentile(d, 50)), ms(percentile(d, 99))],
    ['emulator (event stream)', ms(percentile(g, 50)), ms(percentile(g, 99))],
    ['emulator (InvokeEndpoint, same answer relayed)', ms(percentile(inv, 50)), ms(percentile(inv, 99))],
  ];
  const added50 = percentile(g, 50) - percentile(d, 50);
  const added99 = percentile(g, 99) - percentile(d, 99);
  return [
    `Streaming TTFB: ${rounds} alternating requests each (20 tokens, 2 ms apart)`,
    '',
    table(rows),
    '',
    `added at p50: ${added50.toFixed(2)} ms (target <= 1 ms), at p99: ${added99.toFixed(2)} ms; InvokeEndpoint adds ${(percentile(inv, 50) - percentile(d, 50)).toFixed(2)} ms at p50; ratio p50 ${(percentile(g, 50) / percentile(d, 50)).toFixed(2)}x`,
  ].join('\n');
}
