import { gzipSync } from 'node:zlib';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import {
  CreateModelCommand,
  CreateTransformJobCommand,
  type CreateTransformJobCommandInput,
  DescribeTransformJobCommand,
  type DescribeTransformJobCommandOutput,
  type SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { pollUntil } from './bounded.js';
import { uniqueName } from './emulator.js';

/** The sample batch model (containers/batch-model): one prediction (a sum) per CSV or JSON Lines record. */
export const BATCH_IMAGE = 'sagemaker-emulator/batch-model:latest';

/** `rows` CSV lines "a,b,c" whose sums are known: row i of file f is `f,i,1`. */
export function csvRows(file: number, rows: number): string[] {
  return Array.from({ length: rows }, (_, i) => `${file},${i},1`);
}

export async function putText(s3: S3Client, bucket: string, key: string, text: string, gzip = false): Promise<void> {
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: gzip ? gzipSync(text) : Buffer.from(text) }));
}

export async function createBatchModel(sm: SageMakerClient, environment: Record<string, string> = {}): Promise<string> {
  const name = uniqueName('batch-model');
  await sm.send(
    new CreateModelCommand({
      ModelName: name,
      ExecutionRoleArn: 'arn:aws:iam::123456789012:role/test',
      PrimaryContainer: { Image: BATCH_IMAGE, Environment: environment },
    }),
  );
  return name;
}

/** Creates a transform job over `input` (an S3 prefix) into `output`; `more` overrides anything. */
export async function createTransformJob(
  sm: SageMakerClient,
  model: string,
  input: string,
  output: string,
  more: Partial<CreateTransformJobCommandInput> = {},
): Promise<string> {
  const name = more.TransformJobName ?? uniqueName('tj');
  await sm.send(
    new CreateTransformJobCommand({
      TransformJobName: name,
      ModelName: model,
      TransformInput: { DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: input } }, ContentType: 'text/csv', SplitType: 'Line' },
      TransformOutput: { S3OutputPath: output, AssembleWith: 'Line' },
      TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 1 },
      ...more,
    }),
  );
  return name;
}

/** Polls DescribeTransformJob (bounded) until the job has ended; its description. */
export function waitForJobEnd(sm: SageMakerClient, name: string, timeoutMs = 60_000): Promise<DescribeTransformJobCommandOutput> {
  return pollUntil(
    `transform job ${name} to end`,
    async () => {
      const d = await sm.send(new DescribeTransformJobCommand({ TransformJobName: name }));
      return ['Completed', 'Failed', 'Stopped'].includes(d.TransformJobStatus ?? '') ? d : undefined;
    },
    { timeoutMs, intervalMs: 100 },
  );
}
