import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { PutObjectCommand, type S3Client } from '@aws-sdk/client-s3';
import { DescribeInferenceRecommendationsJobCommand, type DescribeInferenceRecommendationsJobCommandOutput, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import { pollUntil } from './bounded.js';

/** Uploads a tar.gz of sample payloads (one JSON file each) and returns its s3:// URL. */
export async function uploadPayloads(s3: S3Client, bucket: string, key: string, payloads: unknown[]): Promise<string> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sme-payloads-'));
  try {
    payloads.forEach((p, i) => writeFileSync(path.join(dir, `payload-${i}.json`), JSON.stringify(p)));
    const file = path.join(os.tmpdir(), `sme-payloads-${process.pid}-${Date.now()}.tar.gz`);
    execFileSync('tar', ['czf', file, '-C', dir, '.']);
    await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: readFileSync(file) }));
    rmSync(file, { force: true });
    return `s3://${bucket}/${key}`;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Polls DescribeInferenceRecommendationsJob (bounded) until the job has ended. */
export function waitForRecommendationJob(sm: SageMakerClient, name: string, timeoutMs = 120_000): Promise<DescribeInferenceRecommendationsJobCommandOutput> {
  return pollUntil(
    `recommendation job ${name} to end`,
    async () => {
      const d = await sm.send(new DescribeInferenceRecommendationsJobCommand({ JobName: name }));
      return ['COMPLETED', 'FAILED', 'STOPPED'].includes(d.Status ?? '') ? d : undefined;
    },
    { timeoutMs, intervalMs: 250 },
  );
}
