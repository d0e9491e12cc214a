import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pollUntil, TIMEOUT } from '../helpers/bounded.js';
import { createAsyncEndpoint, subscribedQueue } from '../helpers/async-endpoint.js';
import { managedContainers, requireDocker } from '../helpers/docker.js';
import { removeStateDir, startTestEmulator, type TestEmulator, uniqueName } from '../helpers/emulator.js';
import { type SnsServer, startSnsServer } from '../helpers/moto-server.js';
import { clientEnv, PYTHON_DIR, run } from '../helpers/external-clients.js';

/**
 * InvokeEndpointAsync through unmodified clients configured only by the
 * environment: the AWS CLI v1 (`aws s3`, `aws sagemaker-runtime
 * invoke-endpoint-async --input-location`) and boto3 (invoke_endpoint_async).
 * Inputs go to the embedded S3 on the emulator's port; outputs and failure
 * files are read back from where the 202 said. One endpoint for the file.
 * Its success and error notifications go to a real SNS server (moto's server
 * mode; a recording server when moto is absent), and each client reads them
 * from an SQS queue subscribed to the topic: the CLI with `aws sqs
 * receive-message`, boto3 with receive_message.
 */

interface AsyncAnswer {
  InferenceId: string;
  OutputLocation: string;
  FailureLocation?: string;
}

interface EchoOutput {
  input: unknown;
  contentType: string | null;
  accept: string | null;
}

describe('InvokeEndpointAsync: AWS CLI and boto3', { timeout: TIMEOUT.suite }, () => {
  let te: TestEmulator;
  let scratch: string;
  let env: NodeJS.ProcessEnv;
  let endpoint: string;
  let bucket: string;
  let sns: SnsServer;
  /** One subscribed queue per client (each queue gets every message), when the server is moto. */
  const queues: { cli?: string; boto3?: string } = {};
  let topicArn = 'arn:aws:sns:us-east-1:123456789012:async-clients';

  const aws = async (...args: string[]): Promise<string> => {
    const r = await run('aws', args, env);
    assert.equal(r.code, 0, `aws ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };

  /** `aws s3 cp URI -` until it succeeds (bounded); the object's text. */
  const awsWaitForObject = (uri: string): Promise<string> => {
    let last = '';
    return pollUntil(
      `${uri} through aws s3 cp`,
      async () => {
        const r = await run('aws', ['s3', 'cp', uri, '-'], env, 30_000);
        if (r.code === 0) {
          return r.stdout;
        }
        last = r.stderr;
        assert.match(r.stderr, /404|Not Found|NoSuchKey|does not exist/i, `aws s3 cp ${uri} - failed otherwise:\n${r.stderr}`);
        return undefined;
      },
      { timeoutMs: 40_000, intervalMs: 300 },
    ).catch((err: Error) => {
      throw new Error(`${err.message}; last stderr: ${last}`);
    });
  };

  before(async () => {
    requireDocker();
    assert.ok(existsSync(path.join(PYTHON_DIR, 'async_boto3.py')), `python script missing under ${PYTHON_DIR}`);
    sns = await startSnsServer();
    te = await startTestEmulator({ SME_SNS_ENDPOINT_URL: sns.url });
    scratch = mkdtempSync(path.join(os.tmpdir(), 'sme-async-clients-'));
    env = clientEnv(te.url, scratch);
    bucket = uniqueName('async-cli').toLowerCase();
    await aws('s3', 'mb', `s3://${bucket}`);
    if (sns.kind === 'moto') {
      const name = uniqueName('async-clients');
      const cli = await subscribedQueue(sns.url, name);
      topicArn = cli.topicArn;
      // A second queue on the same topic: subscribedQueue creates the topic again (idempotent in SNS).
      const boto3 = await subscribedQueue(sns.url, name, `${name}-boto3`);
      queues.cli = cli.queueUrl;
      queues.boto3 = boto3.queueUrl;
      cli.close();
      boto3.close();
    }
    ({ endpoint } = await createAsyncEndpoint(te.sm, {
      OutputConfig: {
        S3OutputPath: `s3://${bucket}/out/`,
        S3FailurePath: `s3://${bucket}/failed`,
        NotificationConfig: { SuccessTopic: topicArn, ErrorTopic: topicArn },
      },
    }));
  });

  after(async () => {
    await te?.stop();
    await sns?.stop();
    if (te) {
      assert.deepEqual(managedContainers(te.stateDir), [], 'containers left behind');
      removeStateDir(te.stateDir);
    }
    if (scratch) {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  test('aws CLI: s3 cp the input, invoke-endpoint-async --input-location, s3 cp the output; a model error → the failure file', { timeout: TIMEOUT.long }, async () => {
    const okFile = path.join(scratch, 'ok.json');
    writeFileSync(okFile, JSON.stringify({ from: 'aws-cli', values: [3, 1, 4] }));
    await aws('s3', 'cp', okFile, `s3://${bucket}/cli/in-ok.json`);

    const ok = JSON.parse(
      await aws(
        'sagemaker-runtime', 'invoke-endpoint-async',
        '--endpoint-name', endpoint,
        '--input-location', `s3://${bucket}/cli/in-ok.json`,
        '--content-type', 'application/json',
        '--accept', 'application/json',
      ),
    ) as AsyncAnswer;
    assert.match(ok.InferenceId, /\S/);
    assert.equal(ok.OutputLocation, `s3://${bucket}/out/${ok.InferenceId}.out`);
    assert.equal(ok.FailureLocation, `s3://${bucket}/failed/${ok.InferenceId}-error.out`);
    const output = JSON.parse(await awsWaitForObject(ok.OutputLocation)) as EchoOutput;
    assert.deepEqual(output.input, { from: 'aws-cli', values: [3, 1, 4] }, 'echo-model echoed the S3 input');
    assert.equal(output.contentType, 'application/json');
    assert.equal(output.accept, 'application/json');
    // The output is listed where the CLI expects it.
    assert.match(await aws('s3', 'ls', `s3://${bucket}/out/`), new RegExp(`${ok.InferenceId}\\.out`));

    const badFile = path.join(scratch, 'bad.json');
    writeFileSync(badFile, JSON.stringify({ status: 500 }));
    await aws('s3', 'cp', badFile, `s3://${bucket}/cli/in-bad.json`);
    const bad = JSON.parse(
      await aws('sagemaker-runtime', 'invoke-endpoint-async', '--endpoint-name', endpoint, '--input-location', `s3://${bucket}/cli/in-bad.json`, '--content-type', 'application/json'),
    ) as AsyncAnswer;
    assert.notEqual(bad.InferenceId, ok.InferenceId);
    assert.equal(bad.FailureLocation, `s3://${bucket}/failed/${bad.InferenceId}-error.out`);
    assert.match(await awsWaitForObject(bad.FailureLocation), /requested status 500/);
    const noOutput = await run('aws', ['s3', 'cp', bad.OutputLocation, '-'], env);
    assert.notEqual(noOutput.code, 0, 'a failed request writes no output');

    // Both notifications, read from the subscribed queue with the CLI (`aws sqs`, against the SNS server).
    const notes = await notificationsFor(
      [ok.InferenceId, bad.InferenceId],
      queues.cli,
      async (queueUrl) => {
        const out = await aws('sqs', 'receive-message', '--endpoint-url', sns.url, '--queue-url', queueUrl, '--max-number-of-messages', '10', '--wait-time-seconds', '1');
        return out.trim() === '' ? [] : ((JSON.parse(out) as { Messages?: { Body: string }[] }).Messages ?? []).map((m) => m.Body);
      },
    );
    assert.equal(notes.get(ok.InferenceId)?.invocationStatus, 'Completed');
    assert.equal((notes.get(ok.InferenceId)?.responseParameters as { outputLocation?: string }).outputLocation, ok.OutputLocation);
    assert.equal(notes.get(bad.InferenceId)?.invocationStatus, 'Failed');
    assert.match(String(notes.get(bad.InferenceId)?.failureReason), /500/);

    // A missing endpoint is refused by the CLI with SageMaker's error.
    const missing = await run('aws', ['sagemaker-runtime', 'invoke-endpoint-async', '--endpoint-name', 'no-such-async-ep', '--input-location', `s3://${bucket}/cli/in-ok.json`], env);
    assert.notEqual(missing.code, 0);
    assert.match(missing.stderr, /ValidationError/);
    assert.match(missing.stderr, /Endpoint no-such-async-ep of account 123456789012 not found/);
  });

  test('boto3: put_object, invoke_endpoint_async(InputLocation), get_object on OutputLocation; a model error → the failure file', { timeout: TIMEOUT.long }, async () => {
    const r = await run('python3', [path.join(PYTHON_DIR, 'async_boto3.py'), bucket, endpoint, ...(queues.boto3 ? [sns.url, queues.boto3] : [])], env);
    assert.equal(r.code, 0, `async_boto3.py exited ${r.code}\n${r.stdout}\n${r.stderr}`);
    const out = JSON.parse(r.stdout) as {
      ok: AsyncAnswer & { status: number; output: EchoOutput | null };
      bad: AsyncAnswer & { failure: string | null; outputExists: boolean };
      missingEndpoint: { Code: string; Status: number } | null;
      notifications?: Record<string, { invocationStatus: string; failureReason?: string }>;
    };
    assert.equal(out.ok.status, 202);
    assert.equal(out.ok.OutputLocation, `s3://${bucket}/out/${out.ok.InferenceId}.out`);
    assert.equal(out.ok.FailureLocation, `s3://${bucket}/failed/${out.ok.InferenceId}-error.out`);
    assert.ok(out.ok.output, `no output at ${out.ok.OutputLocation} within the script's 30 s`);
    assert.deepEqual(out.ok.output.input, { from: 'boto3', n: 7 });
    assert.equal(out.ok.output.contentType, 'application/json');
    assert.equal(out.ok.output.accept, 'application/json');

    assert.equal(out.bad.FailureLocation, `s3://${bucket}/failed/${out.bad.InferenceId}-error.out`);
    assert.ok(out.bad.failure, `no failure file at ${out.bad.FailureLocation} within the script's 30 s`);
    assert.match(out.bad.failure, /requested status 500/);
    assert.equal(out.bad.outputExists, false, 'a failed request writes no output');
    assert.deepEqual(out.missingEndpoint, { Code: 'ValidationError', Status: 400 });
    assert.equal(out.notifications !== undefined, sns.kind === 'moto', 'boto3 reads the queue when the SNS server is moto');
    if (out.notifications) {
      // boto3 read both notifications from its subscribed queue.
      assert.equal(out.notifications[out.ok.InferenceId]?.invocationStatus, 'Completed');
      assert.equal(out.notifications[out.bad.InferenceId]?.invocationStatus, 'Failed');
      assert.match(String(out.notifications[out.bad.InferenceId]?.failureReason), /500/);
    } else {
      await notificationsFor([out.ok.InferenceId, out.bad.InferenceId], undefined, () => Promise.resolve([]));
    }
  });

  /**
   * The notifications of `ids`, by inference id: read from `queueUrl` with
   * `receive` (bounded; messages are not deleted, each client has its own
   * queue), or, on the recording server, from what it recorded.
   */
  async function notificationsFor(
    ids: string[],
    queueUrl: string | undefined,
    receive: (queueUrl: string) => Promise<string[]>,
  ): Promise<Map<string, Record<string, unknown>>> {
    const found = new Map<string, Record<string, unknown>>();
    await pollUntil(
      `notifications for ${ids.join(', ')}`,
      async () => {
        const bodies = queueUrl ? await receive(queueUrl) : sns.kind === 'recording' ? sns.published.map((p) => p.message) : [];
        for (const body of bodies) {
          const m = JSON.parse(body) as Record<string, unknown>;
          found.set(String(m.inferenceId), m);
        }
        return ids.every((id) => found.has(id));
      },
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    return found;
  }
});
