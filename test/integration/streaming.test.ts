import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CreateEndpointCommand, CreateEndpointConfigCommand, waitUntilEndpointInService } from '@aws-sdk/client-sagemaker';
import {
  InvokeEndpointCommand,
  InvokeEndpointWithResponseStreamCommand,
  type InvokeEndpointWithResponseStreamCommandOutput,
} from '@aws-sdk/client-sagemaker-runtime';
import { pollUntil, TIMEOUT, within } from '../helpers/bounded.js';
import { managedContainers, requireDocker, STREAMING_IMAGE } from '../helpers/docker.js';
import { removeStateDir, startTestEmulator, type TestEmulator, uniqueName } from '../helpers/emulator.js';
import { sample, scrape } from '../helpers/metrics.js';
import { createEndpoint, createModel, createServerlessEndpoint } from '../helpers/sagemaker.js';
import { clientEnv, PYTHON_DIR, run } from '../helpers/external-clients.js';

/**
 * InvokeEndpointWithResponseStream (docs/aws-contract.md §3.3, §8.4) through
 * the three real clients, against containers/streaming-model. The emulator
 * runs with a 3 s invocation timeout, which bounds a whole streamed answer.
 */

const TIMEOUT_SECONDS = 3;

interface Part {
  at: number;
  text: string;
}

interface Streamed {
  response: InvokeEndpointWithResponseStreamCommandOutput;
  parts: Part[];
  error?: unknown;
}

/** Invokes and reads the whole stream, noting when each PayloadPart arrived; a stream error is kept, not thrown. */
async function stream(te: TestEmulator, endpoint: string, knobs: Record<string, unknown>, extra: Record<string, string> = {}): Promise<Streamed> {
  const response = await te.runtime.send(
    new InvokeEndpointWithResponseStreamCommand({ EndpointName: endpoint, Body: JSON.stringify(knobs), ContentType: 'application/json', ...extra }),
  );
  const parts: Part[] = [];
  try {
    for await (const event of response.Body!) {
      if (event.PayloadPart?.Bytes) {
        parts.push({ at: performance.now(), text: Buffer.from(event.PayloadPart.Bytes).toString('utf8') });
      }
    }
  } catch (error) {
    return { response, parts, error };
  }
  return { response, parts };
}

/** The SSE events of a whole answer, however the parts split them. */
function events(parts: Part[]): Record<string, unknown>[] {
  return parts
    .map((p) => p.text)
    .join('')
    .split('\n\n')
    .filter((e) => e.startsWith('data: '))
    .map((e) => JSON.parse(e.slice('data: '.length)) as Record<string, unknown>);
}

async function rejection(p: Promise<unknown>): Promise<Record<string, unknown>> {
  try {
    await p;
  } catch (err) {
    return err as Record<string, unknown>;
  }
  throw new Error('expected the call to fail');
}

describe('InvokeEndpointWithResponseStream', { timeout: TIMEOUT.suite }, () => {
  let te: TestEmulator;
  let endpoint: string;
  let scratch: string;
  let awsEnv: NodeJS.ProcessEnv;

  before(async () => {
    requireDocker(STREAMING_IMAGE);
    te = await startTestEmulator({ SME_INVOCATION_TIMEOUT_SECONDS: String(TIMEOUT_SECONDS) });
    ({ endpoint } = await createEndpoint(te.sm, { image: STREAMING_IMAGE }));
    scratch = mkdtempSync(path.join(os.tmpdir(), 'sme-stream-'));
    awsEnv = clientEnv(te.url, scratch, 'x');
  });

  after(async () => {
    await te?.stop();
    if (te) {
      assert.deepEqual(managedContainers(te.stateDir), [], 'containers left behind');
      removeStateDir(te.stateDir);
    }
    if (scratch) {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  test('JS SDK: each token arrives as its own PayloadPart, the first long before the last', { timeout: TIMEOUT.test }, async () => {
    const s = await stream(te, endpoint, { tokens: 6, delayMs: 150 }, { Accept: 'text/event-stream', CustomAttributes: 'trace=1', InferenceId: 'inf-42' });
    assert.equal(s.error, undefined);
    assert.ok(s.parts.length >= 6, `expected one part per token, got ${s.parts.length}`);
    // Six tokens 150 ms apart: the first part is out ~750 ms before the last; a buffered answer would arrive at once.
    const spread = s.parts.at(-1)!.at - s.parts[0]!.at;
    assert.ok(spread > 500, `first and last parts only ${spread.toFixed(0)} ms apart`);
    const ev = events(s.parts);
    assert.deepEqual(
      ev.filter((e) => 'token' in e).map((e) => e.token),
      ['t0', 't1', 't2', 't3', 't4', 't5'],
    );
    // What the container saw: Accept came as X-Amzn-SageMaker-Accept and reached it as Accept.
    assert.deepEqual(ev.at(-1), {
      done: true,
      tokens: 6,
      contentType: 'application/json',
      accept: 'text/event-stream',
      customAttributes: 'trace=1',
      inferenceId: 'inf-42',
    });
    assert.equal(s.response.ContentType, 'text/event-stream');
    assert.equal(s.response.InvokedProductionVariant, 'AllTraffic');
    assert.equal(s.response.CustomAttributes, 'trace=1');
  });

  test('the wire: 200, application/vnd.amazon.eventstream, X-Amzn-SageMaker-Content-Type', { timeout: TIMEOUT.test }, async () => {
    const res = await fetch(`${te.url}/endpoints/${endpoint}/invocations-response-stream`, {
      method: 'POST',
      body: '{"tokens":2}',
      signal: AbortSignal.timeout(10_000),
    });
    assert.equal(res.status, 200);
    assert.equal(res.headers.get('content-type'), 'application/vnd.amazon.eventstream');
    assert.equal(res.headers.get('x-amzn-sagemaker-content-type'), 'text/event-stream');
    assert.equal(res.headers.get('x-amzn-invoked-production-variant'), 'AllTraffic');
    assert.equal(res.headers.get('x-amzn-sagemaker-custom-attributes'), null);
    assert.ok((await res.arrayBuffer()).byteLength > 0);
  });

  test('errors before the first byte are REST-JSON errors', { timeout: TIMEOUT.test }, async () => {
    const modelErr = await rejection(stream(te, endpoint, { status: 500 }));
    assert.equal(modelErr.name, 'ModelError');
    assert.equal((modelErr.$metadata as { httpStatusCode: number }).httpStatusCode, 424);
    assert.equal(modelErr.OriginalStatusCode, 500);
    assert.equal(modelErr.OriginalMessage, 'streaming-model was told to answer 500');

    const missing = await rejection(stream(te, 'no-such-endpoint', {}));
    assert.equal(missing.name, 'ValidationError');
    assert.equal(missing.message, 'Endpoint no-such-endpoint of account 123456789012 not found.');

    const badName = await rejection(stream(te, 'bad_name', {}));
    assert.equal(badName.name, 'ValidationError');

    const badVariant = await rejection(stream(te, endpoint, {}, { TargetVariant: 'Nope' }));
    assert.equal(badVariant.name, 'ValidationError');
  });

  test('a container that dies mid-answer: ModelStreamError StreamBroken after the parts it sent', { timeout: TIMEOUT.test }, async () => {
    const s = await stream(te, endpoint, { tokens: 5, delayMs: 50, failAfter: 2 });
    assert.deepEqual(
      events(s.parts).map((e) => e.token),
      ['t0', 't1'],
    );
    const err = s.error as Record<string, unknown>;
    assert.ok(err, 'the stream should end in an error');
    assert.equal(err.name, 'ModelStreamError');
    assert.equal(err.ErrorCode, 'StreamBroken');
  });

  test('a model still streaming at the timeout: ModelInvocationTimeExceeded; before its status line: ModelError', { timeout: TIMEOUT.test }, async () => {
    const started = Date.now();
    const s = await stream(te, endpoint, { tokens: 1000, delayMs: 200 });
    const took = Date.now() - started;
    assert.ok(s.parts.length >= 3, `parts before the timeout: ${s.parts.length}`);
    const err = s.error as Record<string, unknown>;
    assert.equal(err?.name, 'ModelStreamError');
    assert.equal(err.ErrorCode, 'ModelInvocationTimeExceeded');
    assert.ok(took >= TIMEOUT_SECONDS * 1000 - 100 && took < TIMEOUT_SECONDS * 1000 + 2000, `took ${took} ms`);

    const late = await rejection(stream(te, endpoint, { firstByteDelayMs: 10_000 }));
    assert.equal(late.name, 'ModelError');
    assert.equal(late.OriginalStatusCode, 0);
  });

  test('a client that goes away mid-stream frees the instance at once', { timeout: TIMEOUT.test }, async () => {
    // MaxConcurrency 1: a lease that was not given back would throttle the next request.
    const sl = await createServerlessEndpoint(te.sm, { image: STREAMING_IMAGE, maxConcurrency: 1, provisionedConcurrency: 1 });
    const abort = new AbortController();
    const response = await te.runtime.send(
      new InvokeEndpointWithResponseStreamCommand({ EndpointName: sl.endpoint, Body: JSON.stringify({ tokens: 1000, delayMs: 100 }) }),
      { abortSignal: abort.signal },
    );
    const iterator = response.Body![Symbol.asyncIterator]();
    const first = await within('the first part', 5000, iterator.next());
    assert.ok(first.value?.PayloadPart?.Bytes);
    abort.abort();
    await iterator.return?.().catch(() => undefined);
    const labels = { endpoint_name: sl.endpoint, variant_name: 'AllTraffic' };
    await pollUntil('the in-flight gauge back at 0', async () => sample(await scrape(te.url), 'sagemaker_concurrent_requests', labels) === 0, {
      timeoutMs: 5000,
    });
    const started = Date.now();
    const next = await stream(te, sl.endpoint, { tokens: 2 });
    assert.equal(next.error, undefined);
    assert.equal(events(next.parts).filter((e) => 'token' in e).length, 2);
    assert.ok(Date.now() - started < 2000, `the next request took ${Date.now() - started} ms`);
  });

  test('metrics: Invocations and ModelLatency per stream, model errors for broken ones', { timeout: TIMEOUT.test }, async () => {
    const labels = { endpoint_name: endpoint, variant_name: 'AllTraffic' };
    const read = async () => {
      const text = await scrape(te.url);
      return {
        invocations: sample(text, 'sagemaker_invocations_total', labels) ?? 0,
        latency: sample(text, 'sagemaker_model_latency_seconds_count', labels) ?? 0,
        latencySum: sample(text, 'sagemaker_model_latency_seconds_sum', labels) ?? 0,
        modelErrors: sample(text, 'sagemaker_invocation_model_errors_total', labels) ?? 0,
        errors5xx: sample(text, 'sagemaker_invocation_5xx_errors_total', labels) ?? 0,
        inFlight: sample(text, 'sagemaker_concurrent_requests', labels),
      };
    };
    const before = await read();
    await stream(te, endpoint, { tokens: 4, delayMs: 100 });
    const afterOk = await read();
    assert.equal(afterOk.invocations, before.invocations + 1);
    assert.equal(afterOk.latency, before.latency + 1);
    // ModelLatency runs to the end of the stream: at least the 3 pauses of 100 ms.
    assert.ok(afterOk.latencySum - before.latencySum >= 0.29, `ModelLatency ${afterOk.latencySum - before.latencySum} s`);
    // (Should the error frame come first, the JS SDK throws from send() itself: either way it is counted.)
    await stream(te, endpoint, { tokens: 4, failAfter: 1 }).catch(() => undefined);
    await rejection(stream(te, endpoint, { status: 503 }));
    const afterErrors = await read();
    assert.equal(afterErrors.invocations, afterOk.invocations + 2);
    assert.equal(afterErrors.modelErrors, afterOk.modelErrors + 2);
    assert.equal(afterErrors.errors5xx, afterOk.errors5xx + 1);
    assert.equal(afterErrors.inFlight, 0);
  });

  test('boto3: iterates PayloadParts, raises EventStreamError(ModelStreamError) and ModelError', { timeout: TIMEOUT.long }, async () => {
    const r = await run('python3', [path.join(PYTHON_DIR, 'stream_invoke.py'), endpoint], awsEnv);
    assert.equal(r.code, 0, `stream_invoke.py exited ${r.code}\n${r.stderr}`);
    const doc = JSON.parse(r.stdout) as Record<string, Record<string, unknown>>;
    assert.ok((doc.ok!.parts as number) >= 3, JSON.stringify(doc.ok));
    assert.deepEqual(doc.ok!.tokens, ['a', 'b', 'c']);
    assert.equal(doc.ok!.contentType, 'text/event-stream');
    assert.equal(doc.ok!.variant, 'AllTraffic');
    const broken = doc.broken!;
    assert.deepEqual(
      { exception: broken.exception, code: broken.code, tokens: broken.tokens },
      { exception: 'EventStreamError', code: 'ModelStreamError', tokens: ['t0', 't1'] },
    );
    assert.match(broken.message as string, /broke before it was complete/);
    assert.deepEqual(doc.before, { exception: 'ModelError', code: 'ModelError', status: 424, originalStatusCode: 400 });
  });

  test('AWS CLI: v2 writes the streamed payload to the outfile; v1 has no such command', { timeout: TIMEOUT.long }, async () => {
    const version = execFileSync('aws', ['--version'], { encoding: 'utf8', env: awsEnv, timeout: 30_000 });
    const out = path.join(scratch, 'stream.out');
    const r = await run(
      'aws',
      ['sagemaker-runtime', 'invoke-endpoint-with-response-stream', '--endpoint-name', endpoint, '--cli-binary-format', 'raw-in-base64-out', '--body', '{"prompt":"x y"}', out],
      awsEnv,
    );
    if (!version.startsWith('aws-cli/2')) {
      // AWS CLI v1 removes every event-stream command (awscli/customizations/removals.py), so with
      // v1 the limit is the CLI's, not ours: check that it is that, and not a failed call to us.
      assert.notEqual(r.code, 0);
      assert.match(r.stderr, /Invalid choice/i, `${version.trim()}: ${r.stderr}`);
      return;
    }
    assert.equal(r.code, 0, r.stderr);
    const text = readFileSync(out, 'utf8');
    assert.match(text, /data: \{"token":"x"\}/);
    assert.match(text, /data: \{"token":"y"\}/);
  });

  test('an endpoint with AsyncInferenceConfig refuses InvokeEndpoint and the stream', { timeout: TIMEOUT.test }, async () => {
    const model = await createModel(te.sm, { image: STREAMING_IMAGE });
    const config = uniqueName('async-config');
    await te.sm.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: config,
        ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: model, InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }],
        AsyncInferenceConfig: { OutputConfig: { S3OutputPath: 's3://bucket/out' } },
      }),
    );
    const name = uniqueName('async-ep');
    await te.sm.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: config }));
    await waitUntilEndpointInService({ client: te.sm, maxWaitTime: 120, minDelay: 1, maxDelay: 1 }, { EndpointName: name });
    const sync = await rejection(te.runtime.send(new InvokeEndpointCommand({ EndpointName: name, Body: '{}' })));
    assert.equal(sync.name, 'ValidationError');
    assert.equal((sync.$metadata as { httpStatusCode: number }).httpStatusCode, 400);
    assert.match(sync.message as string, /asynchronous/);
    const streamed = await rejection(stream(te, name, {}));
    assert.equal(streamed.name, 'ValidationError');
    assert.equal((streamed.$metadata as { httpStatusCode: number }).httpStatusCode, 400);
  });
});
