import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import {
  CreateModelCommand,
  DescribeTransformJobCommand,
  ListTransformJobsCommand,
  StopTransformJobCommand,
  waitUntilTransformJobCompletedOrStopped,
} from '@aws-sdk/client-sagemaker';
import type { S3Client } from '@aws-sdk/client-s3';
import { createBucket, readObject, s3Client } from '../helpers/async-endpoint.js';
import { TIMEOUT, pollUntil } from '../helpers/bounded.js';
import { rejection } from '../helpers/rejection.js';
import { managedContainers, requireDocker } from '../helpers/docker.js';
import { type TestEmulator, removeStateDir, startTestEmulator, uniqueName, stopAndClean } from '../helpers/emulator.js';
import { sample, scrape } from '../helpers/metrics.js';
import { BATCH_IMAGE, createBatchModel, createTransformJob, csvRows, putText, waitForJobEnd } from '../helpers/transform-job.js';

type LogLine = Record<string, unknown>;

/** Batch transform on real containers (containers/batch-model), with the JS SDK and our S3. */
describe('batch transform jobs', { timeout: TIMEOUT.suite }, () => {
  const logLines: LogLine[] = [];
  let t: TestEmulator;
  let s3: S3Client;
  let bucket: string;
  let model: string;
  before(async () => {
    requireDocker(BATCH_IMAGE);
    t = await startTestEmulator({ SME_MAX_CONCURRENT_JOBS: '2' }, undefined, { logLines });
    s3 = s3Client(t.url);
    bucket = await createBucket(s3, 'batch');
    model = await createBatchModel(t.sm, { MODEL_VAR: 'from-the-model' });
    // Three files of 300 lines; the second gzipped under its own prefix.
    for (const f of [0, 1, 2]) {
      await putText(s3, bucket, `in/part-${f}.csv`, csvRows(f, 300).join('\n') + '\n');
    }
    await putText(s3, bucket, 'gz/part-0.csv', csvRows(7, 50).join('\n') + '\n', true);
  });
  after(async () => {
    await stopAndClean(t);
  });
  const requestsOf = (job: string) =>
    logLines.filter((l) => l.job === job && l.msg === 'transformed input file').reduce((n, l) => n + Number(l.requests), 0);
  const outputOf = async (key: string) => (await readObject(s3, `s3://${bucket}/${key}`))?.split('\n');

  test('MultiRecord over three files of 300 lines: the right .out files, one line per record, in order', { timeout: TIMEOUT.test }, async () => {
    const job = await createTransformJob(t.sm, model, `s3://${bucket}/in/`, `s3://${bucket}/out-multi`, { BatchStrategy: 'MultiRecord' });
    const { reason } = await waitUntilTransformJobCompletedOrStopped({ client: t.sm, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { TransformJobName: job });
    const d = reason as { TransformJobStatus: string; CreationTime: Date; TransformStartTime: Date; TransformEndTime: Date };
    assert.equal(d.TransformJobStatus, 'Completed');
    assert.ok(d.CreationTime <= d.TransformStartTime && d.TransformStartTime <= d.TransformEndTime);
    for (const f of [0, 1, 2]) {
      const lines = await outputOf(`out-multi/part-${f}.csv.out`);
      assert.equal(lines?.length, 301, 'one line per record, and a final newline');
      assert.deepEqual(lines!.slice(0, 300), csvRows(f, 300).map((_, i) => String(f + i + 1)));
    }
    assert.equal(requestsOf(job), 3, 'each file fits in one request of 6 MB');
    const metrics = await scrape(t.url);
    assert.equal(sample(metrics, 'sagemaker_transform_records_total', { job_name: job }), 900);
    assert.deepEqual(managedContainers(t.stateDir).length, 0, 'the job’s containers are gone');
  });

  test('a model with EnableNetworkIsolation transforms behind its relay, and leaves no container or network', { timeout: TIMEOUT.test }, async () => {
    const isolated = uniqueName('batch-iso');
    await t.sm.send(
      new CreateModelCommand({
        ModelName: isolated,
        ExecutionRoleArn: 'arn:aws:iam::123456789012:role/test',
        PrimaryContainer: { Image: BATCH_IMAGE },
        EnableNetworkIsolation: true,
      }),
    );
    await putText(s3, bucket, 'iso/one.csv', csvRows(7, 20).join('\n'));
    const job = await createTransformJob(t.sm, isolated, `s3://${bucket}/iso/`, `s3://${bucket}/out-iso`);
    const d = await waitForJobEnd(t.sm, job);
    assert.equal(d.TransformJobStatus, 'Completed', d.FailureReason);
    const lines = await outputOf('out-iso/one.csv.out');
    assert.deepEqual(lines!.slice(0, 20), csvRows(7, 20).map((_, i) => String(7 + i + 1)));
    const relays = logLines.filter((l) => l.job === job && l.msg === 'network-isolated container started behind its relay');
    assert.equal(relays.length, 1, 'the job’s one instance ran behind a relay');
    assert.deepEqual(managedContainers(t.stateDir).length, 0, 'the job’s container and relay are gone');
    const networks = execFileSync('docker', ['network', 'ls', '-q', '--filter', `label=sagemaker-emulator.state-dir=${t.stateDir}`], {
      encoding: 'utf8',
      timeout: 30_000,
    }).trim();
    assert.equal(networks, '', 'the isolated network is gone');
  });

  test('SingleRecord sends one record per request; Gzip input is decompressed', { timeout: TIMEOUT.test }, async () => {
    const job = await createTransformJob(t.sm, model, `s3://${bucket}/gz/`, `s3://${bucket}/out-single/`, {
      BatchStrategy: 'SingleRecord',
      MaxConcurrentTransforms: 4,
      TransformInput: {
        DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${bucket}/gz/` } },
        ContentType: 'text/csv',
        SplitType: 'Line',
        CompressionType: 'Gzip',
      },
    });
    assert.equal((await waitForJobEnd(t.sm, job)).TransformJobStatus, 'Completed');
    const lines = await outputOf('out-single/part-0.csv.out');
    assert.deepEqual(lines!.slice(0, 50), csvRows(7, 50).map((_, i) => String(7 + i + 1)));
    assert.equal(requestsOf(job), 50);
  });

  test('JSON Lines with InputFilter, JoinSource Input and OutputFilter give the documented output', { timeout: TIMEOUT.test }, async () => {
    const records = [
      { id: 'a', features: [1, 2], extra: true },
      { id: 'b', features: [3, 4], extra: false },
    ];
    await putText(s3, bucket, 'json/records.jsonl', records.map((r) => JSON.stringify(r)).join('\n') + '\n');
    const job = await createTransformJob(t.sm, model, `s3://${bucket}/json/`, `s3://${bucket}/out-json/`, {
      TransformInput: { DataSource: { S3DataSource: { S3DataType: 'S3Prefix', S3Uri: `s3://${bucket}/json/` } }, ContentType: 'application/jsonlines', SplitType: 'Line' },
      TransformOutput: { S3OutputPath: `s3://${bucket}/out-json/`, AssembleWith: 'Line', Accept: 'application/jsonlines' },
      DataProcessing: { InputFilter: '$.features', JoinSource: 'Input', OutputFilter: "$['id','SageMakerOutput']" },
    });
    const d = await waitForJobEnd(t.sm, job);
    assert.equal(d.TransformJobStatus, 'Completed', d.FailureReason);
    const lines = (await outputOf('out-json/records.jsonl.out'))!.filter(Boolean).map((l) => JSON.parse(l) as unknown);
    assert.deepEqual(lines, [
      { id: 'a', SageMakerOutput: { prediction: 3 } },
      { id: 'b', SageMakerOutput: { prediction: 7 } },
    ]);
  });

  test('CSV with InputFilter dropping the id column, joined with the input', { timeout: TIMEOUT.test }, async () => {
    await putText(s3, bucket, 'csv-join/rows.csv', 'id1,1,2\nid2,10,20\n');
    const job = await createTransformJob(t.sm, model, `s3://${bucket}/csv-join/`, `s3://${bucket}/out-csv-join`, {
      DataProcessing: { InputFilter: '$[1:]', JoinSource: 'Input', OutputFilter: '$[0,3:]' },
    });
    const d = await waitForJobEnd(t.sm, job);
    assert.equal(d.TransformJobStatus, 'Completed', d.FailureReason);
    assert.deepEqual((await outputOf('out-csv-join/rows.csv.out'))!.filter(Boolean), ['id1,3', 'id2,30']);
  });

  test('the container gets the batch variables, the job’s Environment and the model’s', { timeout: TIMEOUT.test }, async () => {
    const names = ['SAGEMAKER_BATCH', 'SAGEMAKER_BATCH_STRATEGY', 'SAGEMAKER_MAX_PAYLOAD_IN_MB', 'SAGEMAKER_MAX_CONCURRENT_TRANSFORMS', 'JOB_VAR', 'MODEL_VAR'];
    await putText(s3, bucket, 'env/env.csv', names.map((n) => `env:${n}`).join('\n') + '\n');
    const job = await createTransformJob(t.sm, model, `s3://${bucket}/env/`, `s3://${bucket}/out-env`, {
      BatchStrategy: 'SingleRecord',
      MaxPayloadInMB: 2,
      MaxConcurrentTransforms: 3,
      Environment: { JOB_VAR: 'from-the-job' },
    });
    assert.equal((await waitForJobEnd(t.sm, job)).TransformJobStatus, 'Completed');
    assert.deepEqual((await outputOf('out-env/env.csv.out'))!.slice(0, names.length), ['true', 'SINGLE_RECORD', '2', '3', 'from-the-job', 'from-the-model']);
  });

  test('a manifest file names the inputs; two instances share the files', { timeout: TIMEOUT.test }, async () => {
    await putText(s3, bucket, 'manifests/two.json', JSON.stringify([{ prefix: `s3://${bucket}/in/` }, 'part-1.csv', 'part-2.csv']));
    const job = await createTransformJob(t.sm, model, `s3://${bucket}/manifests/two.json`, `s3://${bucket}/out-manifest`, {
      TransformInput: { DataSource: { S3DataSource: { S3DataType: 'ManifestFile', S3Uri: `s3://${bucket}/manifests/two.json` } }, ContentType: 'text/csv', SplitType: 'Line' },
      TransformResources: { InstanceType: 'ml.m5.large', InstanceCount: 2 },
    });
    assert.equal((await waitForJobEnd(t.sm, job)).TransformJobStatus, 'Completed');
    for (const f of [1, 2]) {
      assert.equal((await outputOf(`out-manifest/part-${f}.csv.out`))?.[0], String(f + 0 + 1));
    }
    assert.equal(await outputOf('out-manifest/part-0.csv.out'), undefined, 'part-0 is not in the manifest');
    const instances = new Set(logLines.filter((l) => l.job === job && typeof l.container === 'string').map((l) => l.instance));
    assert.equal(instances.size, 2, 'each instance took a file');
  });

  test('the container’s /execution-parameters set what the job leaves unset', { timeout: TIMEOUT.test }, async () => {
    const tuned = await createBatchModel(t.sm, { EXECUTION_PARAMETERS: JSON.stringify({ BatchStrategy: 'SingleRecord', MaxConcurrentTransforms: 2 }) });
    const job = await createTransformJob(t.sm, tuned, `s3://${bucket}/in/part-0.csv`, `s3://${bucket}/out-params`);
    assert.equal((await waitForJobEnd(t.sm, job)).TransformJobStatus, 'Completed');
    assert.equal(requestsOf(job), 300, 'SingleRecord, from the container');
    const settings = logLines.find((l) => l.job === job && l.msg === 'transform settings')?.settings as Record<string, unknown>;
    assert.equal(settings.maxConcurrentTransforms, 2);
    const own = await createTransformJob(t.sm, tuned, `s3://${bucket}/in/part-0.csv`, `s3://${bucket}/out-params-own`, { BatchStrategy: 'MultiRecord' });
    assert.equal((await waitForJobEnd(t.sm, own)).TransformJobStatus, 'Completed');
    assert.equal(requestsOf(own), 1, 'the job’s own BatchStrategy wins');
  });

  test('a failing record fails the job with a reason naming the file and the container’s answer', { timeout: TIMEOUT.test }, async () => {
    await putText(s3, bucket, 'bad/rows.csv', '1,2\n3,fail\n5,6\n');
    const job = await createTransformJob(t.sm, model, `s3://${bucket}/bad/`, `s3://${bucket}/out-bad`, {
      BatchStrategy: 'SingleRecord',
      ModelClientConfig: { InvocationsMaxRetries: 1, InvocationsTimeoutInSeconds: 5 },
    });
    const d = await waitForJobEnd(t.sm, job);
    assert.equal(d.TransformJobStatus, 'Failed');
    assert.match(d.FailureReason ?? '', new RegExp(`s3://${bucket}/bad/rows\\.csv \\(record 2\\)`));
    assert.match(d.FailureReason ?? '', /400/);
    assert.match(d.FailureReason ?? '', /cannot score record: 3,fail/);
    assert.match(d.FailureReason ?? '', /after 2 attempts/);
    const metrics = await scrape(t.url);
    assert.equal(sample(metrics, 'sagemaker_transform_record_errors_total', { job_name: job }), 1, 'one record failed (after its retry)');
    assert.deepEqual(managedContainers(t.stateDir), []);
  });

  test('ModelClientConfig: a request slower than InvocationsTimeoutInSeconds is retried, then fails the job', { timeout: TIMEOUT.test }, async () => {
    const slow = await createBatchModel(t.sm, { DELAY_MS: '1500' });
    const job = await createTransformJob(t.sm, slow, `s3://${bucket}/in/part-0.csv`, `s3://${bucket}/out-slow`, {
      ModelClientConfig: { InvocationsTimeoutInSeconds: 1, InvocationsMaxRetries: 1 },
    });
    const d = await waitForJobEnd(t.sm, job);
    assert.equal(d.TransformJobStatus, 'Failed');
    assert.match(d.FailureReason ?? '', /did not answer within 1000 ms \(after 2 attempts\)/);
  });

  test('a record larger than MaxPayloadInMB fails the job clearly', { timeout: TIMEOUT.test }, async () => {
    await putText(s3, bucket, 'huge/rows.csv', `1,2\n${'9,'.repeat(600_000)}9\n`);
    const job = await createTransformJob(t.sm, model, `s3://${bucket}/huge/`, `s3://${bucket}/out-huge`, { MaxPayloadInMB: 1 });
    const d = await waitForJobEnd(t.sm, job);
    assert.equal(d.TransformJobStatus, 'Failed');
    assert.match(d.FailureReason ?? '', /huge\/rows\.csv/);
    assert.match(d.FailureReason ?? '', /record 2/i);
  });

  test('StopTransformJob: Stopping, then Stopped with no container left', { timeout: TIMEOUT.test }, async () => {
    const slow = await createBatchModel(t.sm, { DELAY_MS: '100' });
    const job = await createTransformJob(t.sm, slow, `s3://${bucket}/in/part-0.csv`, `s3://${bucket}/out-stopped`, { BatchStrategy: 'SingleRecord' });
    await pollUntil('the job’s container', () => (managedContainers(t.stateDir).length > 0 ? true : undefined), { timeoutMs: 30_000, intervalMs: 50 });
    await t.sm.send(new StopTransformJobCommand({ TransformJobName: job }));
    const status = (await t.sm.send(new DescribeTransformJobCommand({ TransformJobName: job }))).TransformJobStatus;
    assert.ok(status === 'Stopping' || status === 'Stopped', status);
    const { reason } = await waitUntilTransformJobCompletedOrStopped({ client: t.sm, maxWaitTime: 30, minDelay: 1, maxDelay: 1 }, { TransformJobName: job });
    assert.equal((reason as { TransformJobStatus: string }).TransformJobStatus, 'Stopped');
    assert.deepEqual(managedContainers(t.stateDir), []);
    const again = await rejection(t.sm.send(new StopTransformJobCommand({ TransformJobName: job })));
    assert.equal(again.name, 'ValidationException');
  });

  test('bad requests get the real errors; ListTransformJobs filters, sorts and pages', { timeout: TIMEOUT.test }, async () => {
    const missing = await rejection(t.sm.send(new DescribeTransformJobCommand({ TransformJobName: 'no-such-job' })));
    assert.equal(missing.name, 'ValidationException');
    assert.equal(missing.message, 'Could not find requested job with name no-such-job');
    const noInput = await rejection(createTransformJob(t.sm, model, `s3://${bucket}/nothing-here/`, `s3://${bucket}/o`));
    assert.equal(noInput.name, 'ValidationException');
    assert.match(noInput.message, /^No S3 objects found under S3 URL "s3:\/\/.+\/nothing-here\/" given in input data source\./);
    const noModel = await rejection(createTransformJob(t.sm, 'no-such-model', `s3://${bucket}/in/`, `s3://${bucket}/o`));
    assert.equal(noModel.name, 'ValidationException');
    assert.match(noModel.message, /Could not find model/);
    const tooBig = await rejection(createTransformJob(t.sm, model, `s3://${bucket}/in/`, `s3://${bucket}/o`, { MaxPayloadInMB: 101 }));
    assert.equal(tooBig.name, 'ValidationException');
    const badPath = await rejection(createTransformJob(t.sm, model, `s3://${bucket}/in/`, `s3://${bucket}/o`, { DataProcessing: { InputFilter: 'features' } }));
    assert.equal(badPath.name, 'ValidationException');

    const name = uniqueName('tj-dup');
    await createTransformJob(t.sm, model, `s3://${bucket}/env/`, `s3://${bucket}/out-dup`, { TransformJobName: name });
    const dup = await rejection(createTransformJob(t.sm, model, `s3://${bucket}/env/`, `s3://${bucket}/out-dup`, { TransformJobName: name }));
    assert.equal(dup.name, 'ResourceInUse');
    await waitForJobEnd(t.sm, name);

    const all = await t.sm.send(new ListTransformJobsCommand({ MaxResults: 100 }));
    assert.ok(all.TransformJobSummaries!.length >= 8);
    const failed = await t.sm.send(new ListTransformJobsCommand({ StatusEquals: 'Failed' }));
    assert.ok(failed.TransformJobSummaries!.every((j) => j.TransformJobStatus === 'Failed' && j.FailureReason));
    const byName = await t.sm.send(new ListTransformJobsCommand({ NameContains: 'tj-dup', SortBy: 'Name', SortOrder: 'Ascending' }));
    assert.deepEqual(byName.TransformJobSummaries!.map((j) => j.TransformJobName), [name]);
    const first = await t.sm.send(new ListTransformJobsCommand({ MaxResults: 1 }));
    assert.ok(first.NextToken);
    const second = await t.sm.send(new ListTransformJobsCommand({ MaxResults: 1, NextToken: first.NextToken }));
    assert.notEqual(second.TransformJobSummaries![0]!.TransformJobName, first.TransformJobSummaries![0]!.TransformJobName);
  });
});

describe('reset with a transform job running', { timeout: TIMEOUT.suite }, () => {
  test('POST /_emulator/reset stops the job, removes its containers and forgets it', { timeout: TIMEOUT.test }, async () => {
    requireDocker(BATCH_IMAGE);
    const t = await startTestEmulator();
    try {
      const s3 = s3Client(t.url);
      const bucket = await createBucket(s3, 'batch-reset');
      await putText(s3, bucket, 'in/rows.csv', csvRows(0, 200).join('\n'));
      const slow = await createBatchModel(t.sm, { DELAY_MS: '100' });
      const job = await createTransformJob(t.sm, slow, `s3://${bucket}/in/`, `s3://${bucket}/out/`, { BatchStrategy: 'SingleRecord' });
      await pollUntil('the job’s container', () => (managedContainers(t.stateDir).length > 0 ? true : undefined), { timeoutMs: 30_000, intervalMs: 50 });
      const res = await fetch(`${t.url}/_emulator/reset`, { method: 'POST' });
      assert.equal(res.status, 200);
      assert.deepEqual(managedContainers(t.stateDir), []);
      const gone = await rejection(t.sm.send(new DescribeTransformJobCommand({ TransformJobName: job })));
      assert.equal(gone.name, 'ValidationException');
    } finally {
      await t.stop();
      removeStateDir(t.stateDir);
    }
  });
});
