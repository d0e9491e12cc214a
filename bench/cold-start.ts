import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointCommand,
  DescribeEndpointCommand,
} from '@aws-sdk/client-sagemaker';
import { Pool } from 'undici';
import { ECHO_IMAGE } from '../test/helpers/docker.js';
import { bareDockerStart } from './docker-baseline.js';
import type { EmulatorProcess } from './emulator-process.js';
import { median, ms, percentile, table } from './stats.js';

/**
 * Time to first response on a cold serverless endpoint (no injected delay)
 * against a bare dockerode create + start + first /ping 200 of the same image
 * with the same memory cap. Runs alternate.
 */
export async function benchColdStart(emu: EmulatorProcess, runs: number): Promise<string> {
  const modelDir = mkdtempSync(path.join(os.tmpdir(), 'sme-bench-model-'));
  await emu.sm.send(new CreateModelCommand({ ModelName: 'cold', PrimaryContainer: { Image: ECHO_IMAGE, ModelDataUrl: modelDir } }));
  await emu.sm.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: 'cold',
      ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'cold', ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 1 } }],
    }),
  );
  const pool = new Pool(emu.url, { connections: 1 });
  const bare: number[] = [];
  const cold: number[] = [];
  for (let i = 0; i < runs; i++) {
    const b = await bareDockerStart(ECHO_IMAGE, modelDir, 2048 * 1024 * 1024);
    bare.push(b.ms);
    await b.stop();

    const name = `cold-${i}`;
    await emu.sm.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: 'cold' }));
    while ((await emu.sm.send(new DescribeEndpointCommand({ EndpointName: name }))).EndpointStatus !== 'InService') {
      await new Promise((r) => setTimeout(r, 20));
    }
    const t0 = performance.now();
    const res = await pool.request({ method: 'POST', path: `/endpoints/${name}/invocations`, body: '{}', headers: { 'content-type': 'application/json' } });
    await res.body.dump();
    cold.push(performance.now() - t0);
    if (res.statusCode !== 200) {
      throw new Error(`cold invocation answered ${res.statusCode}`);
    }
    await emu.sm.send(new DeleteEndpointCommand({ EndpointName: name }));
    await new Promise((r) => setTimeout(r, 300));
  }
  await pool.close();
  return [
    `Cold start: serverless (2048 MB), ${runs} alternating runs, no injected delay`,
    '',
    table([
      ['what', 'p50', 'p90', 'max'],
      ['bare dockerode create+start until /ping 200', ms(median(bare)), ms(percentile(bare, 90)), ms(Math.max(...bare))],
      ['first InvokeEndpoint on a cold endpoint', ms(median(cold)), ms(percentile(cold, 90)), ms(Math.max(...cold))],
      ['added by the emulator', ms(median(cold) - median(bare)), ms(percentile(cold, 90) - percentile(bare, 90)), ''],
    ]),
  ].join('\n');
}
