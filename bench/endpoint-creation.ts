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
import { startTestEmulator } from '../test/helpers/emulator.js';
import { ECHO_IMAGE } from '../test/helpers/docker.js';
import { bareDockerStart } from './docker-baseline.js';
import { median, ms, percentile, table } from './stats.js';

/**
 * CreateEndpoint → InService (DescribeEndpoint polled every 5 ms) for the
 * minimal sample model, against a bare create+start+/ping of the same image.
 * Runs alternate so that both see the same machine state.
 */
export async function benchEndpointCreation(runs: number): Promise<string> {
  const t = await startTestEmulator();
  const modelDir = mkdtempSync(path.join(os.tmpdir(), 'sme-bench-model-'));
  await t.sm.send(new CreateModelCommand({ ModelName: 'bench', PrimaryContainer: { Image: ECHO_IMAGE, ModelDataUrl: modelDir } }));
  await t.sm.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: 'bench',
      ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: 'bench', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }],
    }),
  );
  const emulator: number[] = [];
  const bare: number[] = [];
  try {
    for (let i = 0; i < runs; i++) {
      const b = await bareDockerStart(ECHO_IMAGE, modelDir, 8 * 1024 ** 3);
      bare.push(b.ms);
      await b.stop();

      const name = `bench-${i}`;
      const t0 = performance.now();
      await t.sm.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: 'bench' }));
      for (;;) {
        const d = await t.sm.send(new DescribeEndpointCommand({ EndpointName: name }));
        if (d.EndpointStatus === 'InService') {
          break;
        }
        if (d.EndpointStatus === 'Failed') {
          throw new Error(d.FailureReason);
        }
        await new Promise((r) => setTimeout(r, 5));
      }
      emulator.push(performance.now() - t0);
      await t.sm.send(new DeleteEndpointCommand({ EndpointName: name }));
      await new Promise((r) => setTimeout(r, 300));
    }
  } finally {
    await t.stop();
  }
  return [
    `CreateEndpoint → InService, ${runs} runs (1 instance of ${ECHO_IMAGE})`,
    '',
    table([
      ['what', 'p50', 'p90', 'max'],
      ['bare docker create+start until /ping 200', ms(median(bare)), ms(percentile(bare, 90)), ms(Math.max(...bare))],
      ['emulator CreateEndpoint until InService', ms(median(emulator)), ms(percentile(emulator, 90)), ms(Math.max(...emulator))],
      ['added by the emulator', ms(median(emulator) - median(bare)), '', ''],
    ]),
  ].join('\n');
}
