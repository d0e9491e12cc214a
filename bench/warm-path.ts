import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateEndpointCommand, CreateEndpointConfigCommand, CreateModelCommand, DescribeEndpointCommand } from '@aws-sdk/client-sagemaker';
import { ECHO_IMAGE } from '../test/helpers/docker.js';
import type { EmulatorProcess } from './emulator-process.js';
import { runLoad } from './load.js';
import { ms, percentile, table } from './stats.js';

const BODY = Buffer.from(JSON.stringify({ pad: 'x'.repeat(1010) })); // 1 KiB

async function deploy(emu: EmulatorProcess, name: string, variant: Record<string, unknown>): Promise<string> {
  const modelDir = mkdtempSync(path.join(os.tmpdir(), 'sme-bench-model-'));
  await emu.sm.send(new CreateModelCommand({ ModelName: name, PrimaryContainer: { Image: ECHO_IMAGE, ModelDataUrl: modelDir } }));
  await emu.sm.send(
    new CreateEndpointConfigCommand({ EndpointConfigName: name, ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: name, ...variant }] }),
  );
  await emu.sm.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: name }));
  for (;;) {
    const d = await emu.sm.send(new DescribeEndpointCommand({ EndpointName: name }));
    if (d.EndpointStatus === 'InService') {
      break;
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  // The direct baseline: the same container's published port.
  const id = execFileSync('docker', ['ps', '-q', '--filter', `label=sagemaker-emulator.endpoint=${name}`], { encoding: 'utf8' }).trim().split('\n')[0]!;
  const port = execFileSync('docker', ['port', id, '8080/tcp'], { encoding: 'utf8' }).trim().split('\n')[0]!.split(':').pop();
  return `http://127.0.0.1:${port}`;
}

interface Row {
  label: string;
  concurrency: number;
  direct: number[];
  gateway: number[];
  directRps: number[];
  gatewayRps: number[];
  errors: number;
}

async function compare(label: string, direct: string, gateway: string, invokePath: string, concurrency: number, perRound: number, rounds: number): Promise<Row> {
  const row: Row = { label, concurrency, direct: [], gateway: [], directRps: [], gatewayRps: [], errors: 0 };
  await runLoad(direct, '/invocations', BODY, 500, concurrency);
  await runLoad(gateway, invokePath, BODY, 500, concurrency);
  // Alternate the two so both see the same machine state.
  for (let i = 0; i < rounds; i++) {
    const d = await runLoad(direct, '/invocations', BODY, perRound, concurrency);
    const g = await runLoad(gateway, invokePath, BODY, perRound, concurrency);
    row.direct.push(...d.latenciesMs);
    row.gateway.push(...g.latenciesMs);
    row.directRps.push(d.throughput);
    row.gatewayRps.push(g.throughput);
    row.errors += d.errors + g.errors;
  }
  return row;
}

const mean = (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length;

export async function benchWarmPath(emu: EmulatorProcess, perRound: number, rounds: number): Promise<string> {
  const provisioned = await deploy(emu, 'warm-provisioned', { InstanceType: 'ml.m5.large', InitialInstanceCount: 1 });
  const serverless = await deploy(emu, 'warm-serverless', {
    ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 1, ProvisionedConcurrency: 1 },
  });
  const rows = [
    await compare('provisioned', provisioned, emu.url, '/endpoints/warm-provisioned/invocations', 1, perRound, rounds),
    await compare('serverless (warm, PC=1)', serverless, emu.url, '/endpoints/warm-serverless/invocations', 1, perRound, rounds),
    await compare('provisioned', provisioned, emu.url, '/endpoints/warm-provisioned/invocations', 16, perRound * 3, rounds),
  ];
  const lines = [
    ['endpoint', 'c', 'direct p50', 'gateway p50', 'added p50', 'direct p99', 'gateway p99', 'added p99', 'direct req/s', 'gateway req/s', 'ratio', 'errors'],
  ];
  for (const r of rows) {
    const [d50, g50, d99, g99] = [percentile(r.direct, 50), percentile(r.gateway, 50), percentile(r.direct, 99), percentile(r.gateway, 99)];
    lines.push([
      r.label,
      String(r.concurrency),
      ms(d50),
      ms(g50),
      ms(g50 - d50),
      ms(d99),
      ms(g99),
      ms(g99 - d99),
      mean(r.directRps).toFixed(0),
      mean(r.gatewayRps).toFixed(0),
      `${(mean(r.gatewayRps) / mean(r.directRps)).toFixed(2)}×`,
      String(r.errors),
    ]);
  }
  return [`Warm path: 1 KiB POST, ${rounds} alternating rounds of ${perRound} (c=1) / ${perRound * 3} (c=16) requests`, '', table(lines)].join('\n');
}
