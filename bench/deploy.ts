import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { CreateEndpointCommand, CreateEndpointConfigCommand, CreateModelCommand, DescribeEndpointCommand } from '@aws-sdk/client-sagemaker';
import type { EmulatorProcess } from './emulator-process.js';

export interface BenchEndpoint {
  image: string;
  /** The production variant's sizing (the name and model are filled in); one ml.m5.large instance by default. */
  variant?: Record<string, unknown>;
  /** More of CreateEndpointConfig, e.g. AsyncInferenceConfig. */
  config?: Record<string, unknown>;
}

/**
 * Deploys `name` (model, config and endpoint of the same name, with an empty
 * model directory) in the benchmark's emulator, waits for InService (bounded:
 * 60 s), and returns the direct baseline every benchmark compares with: the
 * URL of the same container's published port.
 */
export async function deployWithDirectUrl(emu: EmulatorProcess, name: string, spec: BenchEndpoint): Promise<string> {
  const modelDir = mkdtempSync(path.join(os.tmpdir(), 'sme-bench-model-'));
  await emu.sm.send(new CreateModelCommand({ ModelName: name, PrimaryContainer: { Image: spec.image, ModelDataUrl: modelDir } }));
  const variant = spec.variant ?? { InstanceType: 'ml.m5.large', InitialInstanceCount: 1 };
  await emu.sm.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: name,
      ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: name, ...variant }],
      ...spec.config,
    }),
  );
  await emu.sm.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: name }));
  for (let i = 0; i < 1200; i++) {
    const d = await emu.sm.send(new DescribeEndpointCommand({ EndpointName: name }));
    if (d.EndpointStatus === 'InService') {
      const id = execFileSync('docker', ['ps', '-q', '--filter', `label=sagemaker-emulator.endpoint=${name}`], { encoding: 'utf8' }).trim().split('\n')[0]!;
      const port = execFileSync('docker', ['port', id, '8080/tcp'], { encoding: 'utf8' }).trim().split('\n')[0]!.split(':').pop();
      return `http://127.0.0.1:${port}`;
    }
    if (d.EndpointStatus === 'Failed') {
      throw new Error(`${name} failed: ${d.FailureReason ?? ''}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`${name} never came InService`);
}
