import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  type SageMakerClient,
  waitUntilEndpointInService,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, type SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { uniqueName } from './emulator.js';

/** The sample multi-model container (containers/multi-model). */
export const MULTI_MODEL_IMAGE = 'sagemaker-emulator/multi-model:latest';

/** What containers/multi-model reads from a model's model.json; `padBytes` adds a file of that size. */
export interface SampleModel {
  answer?: unknown;
  loadDelayMs?: number;
  sizeMb?: number;
  padBytes?: number;
}

/** The sample container's answer to /models/<name>/invoke. */
export interface ModelAnswer {
  modelName: string;
  targetModel: string | null;
  answer: unknown;
  modelFiles: string[];
  loads: number;
  loadedModels: number;
  hostname: string;
  input: unknown;
}

/** Writes one model.tar.gz per entry (the key is its path under the returned directory, which the caller removes). */
export function writeModelTarballs(models: Record<string, SampleModel>): string {
  const root = mkdtempSync(path.join(os.tmpdir(), 'sme-mme-'));
  for (const [name, m] of Object.entries(models)) {
    const src = mkdtempSync(path.join(os.tmpdir(), 'sme-mme-src-'));
    const { padBytes, ...json } = m;
    writeFileSync(path.join(src, 'model.json'), JSON.stringify(json));
    if (padBytes) {
      writeFileSync(path.join(src, 'weights.bin'), Buffer.alloc(padBytes, 7));
    }
    const file = path.join(root, name);
    mkdirSync(path.dirname(file), { recursive: true });
    execFileSync('tar', ['czf', file, '-C', src, '.']);
    rmSync(src, { recursive: true, force: true });
  }
  return root;
}

/** Uploads the models' tarballs under `s3://bucket/prefix`; returns that prefix. */
export async function uploadModels(s3: S3Client, bucket: string, prefix: string, models: Record<string, SampleModel>): Promise<string> {
  const dir = writeModelTarballs(models);
  for (const name of Object.keys(models)) {
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${prefix}${name}`, Body: readFileSync(path.join(dir, name)) }));
  }
  return `s3://${bucket}/${prefix}`;
}

export interface MultiModelOptions {
  prefix: string;
  instanceCount?: number;
  cacheSetting?: 'Enabled' | 'Disabled';
  environment?: Record<string, string>;
}

/** Creates a MultiModel model, a provisioned config and an endpoint, and waits for InService. */
export async function createMultiModelEndpoint(sm: SageMakerClient, opts: MultiModelOptions): Promise<{ model: string; config: string; endpoint: string }> {
  const model = uniqueName('mme');
  await sm.send(
    new CreateModelCommand({
      ModelName: model,
      ExecutionRoleArn: 'arn:aws:iam::123456789012:role/test',
      PrimaryContainer: {
        Image: MULTI_MODEL_IMAGE,
        Mode: 'MultiModel',
        ModelDataUrl: opts.prefix,
        ...(opts.cacheSetting ? { MultiModelConfig: { ModelCacheSetting: opts.cacheSetting } } : {}),
        ...(opts.environment ? { Environment: opts.environment } : {}),
      },
    }),
  );
  const config = uniqueName('mme-config');
  await sm.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: config,
      ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: model, InstanceType: 'ml.m5.large', InitialInstanceCount: opts.instanceCount ?? 1 }],
    }),
  );
  const endpoint = uniqueName('mme-ep');
  await sm.send(new CreateEndpointCommand({ EndpointName: endpoint, EndpointConfigName: config }));
  await waitUntilEndpointInService({ client: sm, maxWaitTime: 120, minDelay: 1, maxDelay: 1 }, { EndpointName: endpoint });
  return { model, config, endpoint };
}

/** InvokeEndpoint with TargetModel; the sample container's answer, parsed. */
export async function invokeModel(runtime: SageMakerRuntimeClient, endpoint: string, target: string, body: unknown = {}): Promise<ModelAnswer> {
  const r = await runtime.send(
    new InvokeEndpointCommand({ EndpointName: endpoint, TargetModel: target, ContentType: 'application/json', Body: Buffer.from(JSON.stringify(body)) }),
  );
  return JSON.parse(Buffer.from(r.Body!).toString()) as ModelAnswer;
}
