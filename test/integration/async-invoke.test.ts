import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DescribeEndpointCommand, DescribeEndpointConfigCommand } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointAsyncCommand } from '@aws-sdk/client-sagemaker-runtime';
import type { S3Client } from '@aws-sdk/client-s3';
import { backgroundLoop, TIMEOUT } from '../helpers/bounded.js';
import { createAsyncEndpoint, createBucket, putJson, readObject, receiveMatching, s3Client, subscribedQueue, waitForObject } from '../helpers/async-endpoint.js';
import { requireDocker } from '../helpers/docker.js';
import { startTestEmulator, removeStateDir, type TestEmulator, uniqueName } from '../helpers/emulator.js';
import { sample, scrape } from '../helpers/metrics.js';
import { startSnsServer, type SnsServer } from '../helpers/moto-server.js';
import { createEndpoint } from '../helpers/sagemaker.js';

/**
 * InvokeEndpointAsync through the JS SDK (docs/aws-contract.md §3.2, §8.3):
 * inputs in the embedded S3, outputs and failure files where the 202 said,
 * SNS notifications in a real SNS server's subscribed queue, validation
 * errors, and MaxConcurrentInvocationsPerInstance.
 */
describe('InvokeEndpointAsync (JS SDK)', { timeout: TIMEOUT.suite }, () => {
  let emu: TestEmulator;
  let sns: SnsServer;
  let s3: S3Client;
  let bucket: string;

  before(async () => {
    requireDocker();
    sns = await startSnsServer();
    emu = await startTestEmulator({ SME_SNS_ENDPOINT_URL: sns.url });
    s3 = s3Client(emu.url);
    bucket = await createBucket(s3);
  });

  after(async () => {
    s3?.destroy();
    await emu?.stop();
    await sns?.stop();
    if (emu) {
      removeStateDir(emu.stateDir);
    }
  });

  test('output in S3, failure file for a model error, success and error notifications', { timeout: TIMEOUT.long }, async (t) => {
    if (sns.kind !== 'moto') {
      t.diagnostic('moto is not installed: notifications are checked on the recording server');
    }
    const topics = sns.kind === 'moto' ? await subscribedQueue(sns.url, uniqueName('async-topic')) : undefined;
    const topicArn = topics?.topicArn ?? 'arn:aws:sns:us-east-1:123456789012:async-topic';
    try {
      const { endpoint, config } = await createAsyncEndpoint(emu.sm, {
        OutputConfig: {
          S3OutputPath: `s3://${bucket}/out`,
          S3FailurePath: `s3://${bucket}/failed/`,
          NotificationConfig: { SuccessTopic: topicArn, ErrorTopic: topicArn, IncludeInferenceResponseIn: ['SUCCESS_NOTIFICATION_TOPIC'] },
        },
        ClientConfig: { MaxConcurrentInvocationsPerInstance: 4 },
      });
      const described = await emu.sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: config }));
      assert.equal(described.AsyncInferenceConfig?.OutputConfig?.S3OutputPath, `s3://${bucket}/out`);
      assert.equal(described.AsyncInferenceConfig?.ClientConfig?.MaxConcurrentInvocationsPerInstance, 4);
      const live = await emu.sm.send(new DescribeEndpointCommand({ EndpointName: endpoint }));
      assert.equal(live.AsyncInferenceConfig?.OutputConfig?.S3FailurePath, `s3://${bucket}/failed/`, 'DescribeEndpoint shows the async settings');

      const input = await putJson(s3, bucket, 'in/ok.json', { features: [1, 2, 3] });
      const ok = await emu.runtime.send(
        new InvokeEndpointAsyncCommand({ EndpointName: endpoint, InputLocation: input, ContentType: 'application/json', Accept: 'application/json' }),
      );
      assert.ok(ok.InferenceId);
      assert.equal(ok.OutputLocation, `s3://${bucket}/out/${ok.InferenceId}.out`);
      assert.equal(ok.FailureLocation, `s3://${bucket}/failed/${ok.InferenceId}-error.out`);
      const output = JSON.parse(await waitForObject(s3, ok.OutputLocation)) as { input: unknown; contentType: string; accept: string };
      assert.deepEqual(output.input, { features: [1, 2, 3] });
      assert.equal(output.contentType, 'application/json', 'X-Amzn-SageMaker-Content-Type reaches the container as Content-Type');
      assert.equal(output.accept, 'application/json');

      // The caller's own id, an inline body, and the S3OutputPathExtension/Filename form.
      const named = await emu.runtime.send(
        new InvokeEndpointAsyncCommand({
          EndpointName: endpoint,
          InferenceId: 'my-id-1',
          Body: Buffer.from('{"inline":true}'),
          ContentType: 'application/json',
          S3OutputPathExtension: 'batch/7',
          Filename: 'result.json',
        }),
      );
      assert.equal(named.InferenceId, 'my-id-1');
      assert.equal(named.OutputLocation, `s3://${bucket}/out/batch/7/result.json`);
      assert.deepEqual((JSON.parse(await waitForObject(s3, named.OutputLocation!)) as { input: unknown }).input, { inline: true });

      const bad = await putJson(s3, bucket, 'in/bad.json', { status: 500 });
      const failed = await emu.runtime.send(new InvokeEndpointAsyncCommand({ EndpointName: endpoint, InputLocation: bad, ContentType: 'application/json' }));
      assert.match(await waitForObject(s3, failed.FailureLocation!), /requested status 500/);
      assert.equal(await readObject(s3, failed.OutputLocation!), undefined, 'a failed request writes no output');

      // A missing input is a failure too (RequestDownloadFailures).
      const missing = await emu.runtime.send(
        new InvokeEndpointAsyncCommand({ EndpointName: endpoint, InputLocation: `s3://${bucket}/in/nothing-here.json` }),
      );
      assert.match(await waitForObject(s3, missing.FailureLocation!), /NoSuchKey/);

      if (topics) {
        // One inbox for both waits: the first reads (and deletes) every message that has arrived.
        const inbox: Record<string, unknown>[] = [];
        const success = await receiveMatching(topics.sqs, topics.queueUrl, (m) => m.inferenceId === ok.InferenceId, inbox);
        assert.equal(success.invocationStatus, 'Completed');
        assert.deepEqual((success.responseParameters as { outputLocation: string }).outputLocation, ok.OutputLocation);
        assert.ok(success.responseBody, 'IncludeInferenceResponseIn SUCCESS_NOTIFICATION_TOPIC embeds the answer');
        const error = await receiveMatching(topics.sqs, topics.queueUrl, (m) => m.inferenceId === failed.InferenceId, inbox);
        assert.equal(error.invocationStatus, 'Failed');
        assert.match(String(error.failureReason), /500/);
      } else if (sns.kind === 'recording') {
        const recorded = sns.published;
        await waitForObject(s3, failed.FailureLocation!);
        assert.ok(recorded.some((p) => p.message.includes(ok.InferenceId!)));
      }

      const metrics = await scrape(emu.url);
      const labels = { endpoint_name: endpoint, variant_name: 'AllTraffic' };
      assert.equal(sample(metrics, 'sagemaker_async_invocations_processed_total', labels), 2);
      assert.equal(sample(metrics, 'sagemaker_async_invocation_failures_total', labels), 2);
      assert.equal(sample(metrics, 'sagemaker_async_request_download_failures_total', labels), 1);
      assert.equal(sample(metrics, 'sagemaker_invocation_5xx_errors_total', labels), 1);
      assert.equal(sample(metrics, 'sagemaker_invocations_total', labels), undefined, 'async endpoints publish no Invocations (§9.5)');
      assert.equal(sample(metrics, 'sagemaker_approximate_backlog_size', { endpoint_name: endpoint }), 0);
      assert.equal(sample(metrics, 'sagemaker_async_time_in_backlog_seconds_count', labels), 4);
    } finally {
      topics?.close();
    }
  });

  test('validation errors: both or neither input, too big a body, bad headers, a real-time endpoint', { timeout: TIMEOUT.test }, async () => {
    const { endpoint } = await createAsyncEndpoint(emu.sm, { OutputConfig: { S3OutputPath: `s3://${bucket}/v` } });
    const input = await putJson(s3, bucket, 'in/v.json', { a: 1 });
    const refused = async (cmd: InvokeEndpointAsyncCommand, message: RegExp) => {
      await assert.rejects(emu.runtime.send(cmd), (err: Error & { $metadata?: { httpStatusCode?: number } }) => {
        assert.equal(err.name, 'ValidationError');
        assert.equal(err.$metadata?.httpStatusCode, 400);
        assert.match(err.message, message);
        return true;
      });
    };
    await refused(new InvokeEndpointAsyncCommand({ EndpointName: endpoint, InputLocation: input, Body: Buffer.from('{}') }), /mutually exclusive/);
    await refused(new InvokeEndpointAsyncCommand({ EndpointName: endpoint }), /exactly one of Body and InputLocation/);
    await refused(
      new InvokeEndpointAsyncCommand({ EndpointName: endpoint, Body: Buffer.alloc(128_001, 'a') }),
      /^1 validation error detected: Value at 'body' failed to satisfy constraint: Member must have length less than or equal to 128000$/,
    );
    await refused(
      new InvokeEndpointAsyncCommand({ EndpointName: endpoint, InputLocation: input, RequestTTLSeconds: 30 }),
      /^1 validation error detected: Value '30' at 'requestTTLSeconds' failed to satisfy constraint: Member must have value greater than or equal to 60$/,
    );
    await refused(
      new InvokeEndpointAsyncCommand({ EndpointName: endpoint, InputLocation: input, RequestTTLSeconds: 21_601, InvocationTimeoutSeconds: 0 }),
      /^2 validation errors detected: .*requestTTLSeconds.*less than or equal to 21600; .*invocationTimeoutSeconds.*greater than or equal to 1$/,
    );
    await refused(new InvokeEndpointAsyncCommand({ EndpointName: endpoint, InputLocation: input, Filename: 'a.b.c' }), /at 'filename'/);
    // Exactly 128,000 bytes inline is accepted.
    const max = await emu.runtime.send(new InvokeEndpointAsyncCommand({ EndpointName: endpoint, Body: Buffer.alloc(128_000, 'a') }));
    assert.ok(max.InferenceId);

    const realtime = await createEndpoint(emu.sm);
    await refused(new InvokeEndpointAsyncCommand({ EndpointName: realtime.endpoint, InputLocation: input }), /not an asynchronous inference endpoint/);
    await refused(new InvokeEndpointAsyncCommand({ EndpointName: 'no-such-endpoint', InputLocation: input }), /^Endpoint no-such-endpoint of account 123456789012 not found\.$/);
  });

  test('MaxConcurrentInvocationsPerInstance 2: never more than 2 requests in flight on the instance', { timeout: TIMEOUT.long }, async () => {
    const { endpoint } = await createAsyncEndpoint(emu.sm, {
      OutputConfig: { S3OutputPath: `s3://${bucket}/c` },
      ClientConfig: { MaxConcurrentInvocationsPerInstance: 2 },
    });
    const input = await putJson(s3, bucket, 'in/slow.json', { sleepMs: 700 });
    const labels = { endpoint_name: endpoint, variant_name: 'AllTraffic' };
    let peak = 0;
    const watch = backgroundLoop(
      async () => {
        const v = sample(await scrape(emu.url), 'sagemaker_concurrent_requests', labels) ?? 0;
        peak = Math.max(peak, v);
        await new Promise((r) => setTimeout(r, 50));
      },
      { maxRounds: 2000, maxMs: 60_000 },
    );
    const started = Date.now();
    try {
      const submitted = await Promise.all(
        Array.from({ length: 6 }, () => emu.runtime.send(new InvokeEndpointAsyncCommand({ EndpointName: endpoint, InputLocation: input, ContentType: 'application/json' }))),
      );
      await Promise.all(submitted.map((s) => waitForObject(s3, s.OutputLocation!)));
    } finally {
      await watch.stop();
    }
    const ms = Date.now() - started;
    assert.equal(peak, 2, `the instance had at most 2 in flight, and reached 2 (peak ${peak})`);
    assert.ok(ms >= 3 * 700, `6 requests of 700 ms, 2 at a time, take at least 2.1 s (took ${ms} ms)`);
  });
});
