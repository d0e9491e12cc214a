import { fork } from 'node:child_process';
import path from 'node:path';
import { ECHO_IMAGE } from '../test/helpers/docker.js';
import { deployWithDirectUrl } from './deploy.js';
import type { EmulatorProcess } from './emulator-process.js';
import { runLoad } from './load.js';
import { ms, percentile, table } from './stats.js';

const BODY = Buffer.from(JSON.stringify({ pad: 'x'.repeat(1010) })); // 1 KiB

interface Series {
  latencies: number[];
  rps: number[];
  errors: number;
}

interface Row {
  label: string;
  concurrency: number;
  direct: Series;
  floor: Series;
  gateway: Series;
}

const series = (): Series => ({ latencies: [], rps: [], errors: 0 });

/** Alternates direct, minimal proxy and gateway rounds, so that all three see the same machine state. */
async function compare(
  label: string,
  targets: { direct: string; floor: string; gateway: string; invokePath: string },
  concurrency: number,
  perRound: number,
  rounds: number,
): Promise<Row> {
  const row: Row = { label, concurrency, direct: series(), floor: series(), gateway: series() };
  const plan: [Series, string, string][] = [
    [row.direct, targets.direct, '/invocations'],
    [row.floor, targets.floor, '/invocations'],
    [row.gateway, targets.gateway, targets.invokePath],
  ];
  for (const [, origin, p] of plan) {
    await runLoad(origin, p, BODY, 500, concurrency);
  }
  for (let i = 0; i < rounds; i++) {
    for (const [s, origin, p] of plan) {
      const r = await runLoad(origin, p, BODY, perRound, concurrency);
      s.latencies.push(...r.latenciesMs);
      s.rps.push(r.throughput);
      s.errors += r.errors;
    }
  }
  return row;
}

async function startMinimalProxy(direct: string): Promise<{ origin: string; stop: () => void }> {
  const port = 20_000 + Math.floor(Math.random() * 20_000);
  const child = fork(path.join(path.dirname(new URL(import.meta.url).pathname), 'minimal-proxy.js'), [direct, String(port)]);
  await new Promise((resolve) => child.once('message', resolve));
  return { origin: `http://127.0.0.1:${port}`, stop: () => child.kill() };
}

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

export async function benchWarmPath(emu: EmulatorProcess, perRound: number, rounds: number): Promise<string> {
  const provisioned = await deployWithDirectUrl(emu, 'warm-provisioned', { image: ECHO_IMAGE });
  const serverless = await deployWithDirectUrl(emu, 'warm-serverless', {
    image: ECHO_IMAGE,
    variant: { ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 1, ProvisionedConcurrency: 1 } },
  });
  const floorP = await startMinimalProxy(provisioned);
  const floorS = await startMinimalProxy(serverless);
  const p = { direct: provisioned, floor: floorP.origin, gateway: emu.url, invokePath: '/endpoints/warm-provisioned/invocations' };
  const sl = { direct: serverless, floor: floorS.origin, gateway: emu.url, invokePath: '/endpoints/warm-serverless/invocations' };
  let rows: Row[];
  try {
    rows = [
      await compare('provisioned', p, 1, perRound, rounds),
      await compare('serverless (warm, PC=1)', sl, 1, perRound, rounds),
      await compare('provisioned', p, 16, perRound * 3, rounds),
    ];
  } finally {
    floorP.stop();
    floorS.stop();
  }
  const lines = [
    [
      'endpoint',
      'c',
      'direct p50',
      'gateway p50 (+added)',
      'minimal proxy p50 (+added)',
      'direct p99',
      'gateway p99 (+added)',
      'minimal proxy p99 (+added)',
      'gateway/direct req/s',
      'minimal proxy/direct req/s',
      'errors',
    ],
  ];
  const plus = (v: number, base: number) => `${ms(v)} (+${ms(v - base)})`;
  for (const r of rows) {
    const at = (s: Series, q: number) => percentile(s.latencies, q);
    lines.push([
      r.label,
      String(r.concurrency),
      ms(at(r.direct, 50)),
      plus(at(r.gateway, 50), at(r.direct, 50)),
      plus(at(r.floor, 50), at(r.direct, 50)),
      ms(at(r.direct, 99)),
      plus(at(r.gateway, 99), at(r.direct, 99)),
      plus(at(r.floor, 99), at(r.direct, 99)),
      `${(mean(r.gateway.rps) / mean(r.direct.rps)).toFixed(2)}× (${mean(r.gateway.rps).toFixed(0)}/${mean(r.direct.rps).toFixed(0)})`,
      `${(mean(r.floor.rps) / mean(r.direct.rps)).toFixed(2)}×`,
      String(r.direct.errors + r.gateway.errors + r.floor.errors),
    ]);
  }
  return [`Warm path: 1 KiB POST, ${rounds} alternating rounds of ${perRound} (c=1) / ${perRound * 3} (c=16) requests`, '', table(lines)].join('\n');
}
