import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TIMEOUT, pollUntil } from '../helpers/bounded.js';
import { requireDocker } from '../helpers/docker.js';
import { type TestEmulator, startTestEmulator, uniqueName, stopAndClean } from '../helpers/emulator.js';
import { PYTHON_DIR, clientEnv, run } from '../helpers/external-clients.js';
import { BATCH_IMAGE } from '../helpers/transform-job.js';

/**
 * Batch transform through unmodified clients configured only by the
 * environment: boto3 (create_transform_job, the
 * transform_job_completed_or_stopped waiter, list_transform_jobs, tags) and
 * the README's worked example with the AWS CLI, command for command.
 */
describe('batch transform: boto3 and the AWS CLI', { timeout: TIMEOUT.suite }, () => {
  let t: TestEmulator;
  let scratch: string;
  let env: NodeJS.ProcessEnv;
  const aws = async (...args: string[]): Promise<string> => {
    const r = await run('aws', args, env);
    assert.equal(r.code, 0, `aws ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };
  before(async () => {
    requireDocker(BATCH_IMAGE);
    assert.ok(existsSync(path.join(PYTHON_DIR, 'transform_boto3.py')), `python script missing under ${PYTHON_DIR}`);
    t = await startTestEmulator();
    scratch = mkdtempSync(path.join(os.tmpdir(), 'sme-transform-clients-'));
    env = clientEnv(t.url, scratch);
  });
  after(async () => {
    await stopAndClean(t);
    rmSync(scratch, { recursive: true, force: true });
  });

  test('boto3: create_transform_job, the waiter, the outputs, list_transform_jobs and tags', { timeout: TIMEOUT.long }, async () => {
    const bucket = uniqueName('boto3-batch').toLowerCase();
    await aws('s3', 'mb', `s3://${bucket}`);
    const r = await run('python3', [path.join(PYTHON_DIR, 'transform_boto3.py'), bucket, BATCH_IMAGE], env);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as {
      described: Record<string, unknown>;
      outputs: Record<string, string>;
      listed: { TransformJobStatus: string }[];
      tags: { Key: string; Value: string }[];
    };
    assert.equal(doc.described.TransformJobStatus, 'Completed');
    assert.equal(doc.described.BatchStrategy, 'MultiRecord');
    assert.ok(doc.described.TransformStartTime && doc.described.TransformEndTime);
    assert.deepEqual(doc.outputs, { 'a.csv': '3\n7\n', 'b.csv': '30\n' });
    assert.deepEqual(doc.listed.map((j) => j.TransformJobStatus), ['Completed']);
    assert.deepEqual(doc.tags, [{ Key: 'team', Value: 'batch' }]);
  });

  test('the README’s worked example with the AWS CLI', { timeout: TIMEOUT.long }, async () => {
    const bucket = uniqueName('batch-demo').toLowerCase();
    const job = uniqueName('batch-demo');
    const model = uniqueName('batch-demo-model');
    const data = path.join(scratch, 'data.csv');
    writeFileSync(data, '1,2,3\n4,5,6\n');
    await aws('s3', 'mb', `s3://${bucket}`);
    await aws('s3', 'cp', data, `s3://${bucket}/input/data.csv`);
    await aws('sagemaker', 'create-model', '--model-name', model, '--execution-role-arn', 'arn:aws:iam::123456789012:role/x', '--primary-container', `Image=${BATCH_IMAGE}`);
    await aws(
      'sagemaker', 'create-transform-job', '--transform-job-name', job, '--model-name', model,
      '--transform-input', JSON.stringify({ DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${bucket}/input/` } }, ContentType: 'text/csv', SplitType: 'Line' }),
      '--transform-output', JSON.stringify({ S3OutputPath: `s3://${bucket}/output/`, AssembleWith: 'Line' }),
      '--transform-resources', 'InstanceType=ml.m5.large,InstanceCount=1',
      '--batch-strategy', 'MultiRecord',
    );
    // The CLI's waiter polls every 60 s; poll describe-transform-job first so the wait returns at once.
    await pollUntil(
      'the job to end',
      async () => {
        const status = (await aws('sagemaker', 'describe-transform-job', '--transform-job-name', job, '--query', 'TransformJobStatus', '--output', 'text')).trim();
        return status === 'InProgress' ? undefined : status;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    await aws('sagemaker', 'wait', 'transform-job-completed-or-stopped', '--transform-job-name', job);
    assert.equal((await aws('s3', 'cp', `s3://${bucket}/output/data.csv.out`, '-')), '6\n15\n');
    assert.match(await aws('sagemaker', 'list-transform-jobs', '--status-equals', 'Completed'), new RegExp(job));
  });
});
