import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { HeadObjectCommand } from '@aws-sdk/client-s3';
import { DescribeTransformJobCommand } from '@aws-sdk/client-sagemaker';
import { createBucket, readObject } from '../helpers/async-endpoint.js';
import { TIMEOUT, pollUntil, within } from '../helpers/bounded.js';
import { type ChildEmulator, cleanUpChildren, startChild } from '../helpers/child-emulator.js';
import { managedContainers, requireDocker } from '../helpers/docker.js';
import { BATCH_IMAGE, createBatchModel, createTransformJob, csvRows, putText, waitForJobEnd } from '../helpers/transform-job.js';

/**
 * A transform job caught running by a SIGKILL is not left InProgress: the
 * next start resumes it, skipping the files whose output is already written,
 * and it completes with every output in place.
 */
describe('a transform job across a SIGKILL of the emulator', { timeout: TIMEOUT.suite }, () => {
  const children: ChildEmulator[] = [];
  const stateDirs: string[] = [];
  before(() => {
    requireDocker(BATCH_IMAGE);
  });
  after(async () => {
    const problems = await cleanUpChildren(children, stateDirs);
    assert.deepEqual(problems, []);
  });

  test('resumes after the restart and completes, each file transformed', { timeout: TIMEOUT.long }, async () => {
    const stateDir = mkdtempSync(path.join(os.tmpdir(), 'sme-transform-kill-'));
    stateDirs.push(stateDir);
    const first = await startChild(stateDir);
    children.push(first);
    const bucket = await createBucket(first.s3, 'batch-kill');
    for (const f of [0, 1, 2, 3]) {
      await putText(first.s3, bucket, `in/part-${f}.csv`, csvRows(f, 20).join('\n') + '\n');
    }
    // 20 records a file, one request each, 50 ms a request: about a second per file.
    const model = await createBatchModel(first.sm, { DELAY_MS: '50' });
    const job = await createTransformJob(first.sm, model, `s3://${bucket}/in/`, `s3://${bucket}/out/`, { BatchStrategy: 'SingleRecord' });
    await pollUntil('the first output file', () => readObject(first.s3, `s3://${bucket}/out/part-0.csv.out`), { timeoutMs: 30_000, intervalMs: 50 });
    first.child.kill('SIGKILL');
    await within('the SIGKILLed emulator to exit', 10_000, first.exited);
    const killedAt = Date.now();
    first.destroyClients();
    // S3 times have whole seconds: an output rewritten after the restart must show a later second.
    await new Promise((r) => setTimeout(r, 1100));

    const second = await startChild(stateDir);
    children.push(second);
    const d = await waitForJobEnd(second.sm, job, 60_000);
    assert.equal(d.TransformJobStatus, 'Completed', d.FailureReason);
    for (const f of [0, 1, 2, 3]) {
      const text = await readObject(second.s3, `s3://${bucket}/out/part-${f}.csv.out`);
      assert.deepEqual(text?.split('\n').slice(0, 20), csvRows(f, 20).map((_, i) => String(f + i + 1)), `part-${f}`);
    }
    // The file done before the kill was not transformed again.
    const head = await second.s3.send(new HeadObjectCommand({ Bucket: bucket, Key: 'out/part-0.csv.out' }));
    assert.ok(head.LastModified!.getTime() <= killedAt, `part-0.csv.out was written at ${head.LastModified!.toISOString()}, after the kill`);
    const described = await second.sm.send(new DescribeTransformJobCommand({ TransformJobName: job }));
    assert.ok(described.TransformEndTime! >= described.TransformStartTime!);
    await pollUntil('the job’s containers to go', () => (managedContainers(stateDir).length === 0 ? true : undefined), { timeoutMs: 20_000, intervalMs: 100 });
  });
});
