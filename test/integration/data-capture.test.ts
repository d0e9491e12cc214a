import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  type DataCaptureConfig,
  DescribeEndpointCommand,
  waitUntilEndpointInService,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { CreateBucketCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from '@aws-sdk/client-s3';
import { TIMEOUT, pollUntil } from '../helpers/bounded.js';
import { requireDocker } from '../helpers/docker.js';
import { type TestEmulator, credentials, startTestEmulator, stopAndClean, uniqueName } from '../helpers/emulator.js';
import { PYTHON_DIR, clientEnv, run } from '../helpers/external-clients.js';
import { createModel } from '../helpers/sagemaker.js';

interface CaptureLine {
  captureData: {
    endpointInput?: { observedContentType: string; mode: string; data: string; encoding: string };
    endpointOutput?: { observedContentType: string; mode: string; data: string; encoding: string };
  };
  eventMetadata: { eventId: string; inferenceId?: string; inferenceTime: string };
  eventVersion: string;
}

const BUCKET = 'capture-bucket';

describe('data capture (Model Monitor)', { timeout: TIMEOUT.suite }, () => {
  let t: TestEmulator;
  let s3: S3Client;
  let model: string;
  let scratch: string;
  const logLines: Record<string, unknown>[] = [];

  before(async () => {
    requireDocker();
    t = await startTestEmulator({ SME_DATA_CAPTURE_FLUSH_SECONDS: '1' }, undefined, { logLines });
    s3 = new S3Client({ endpoint: t.url, region: 'us-east-1', forcePathStyle: true, credentials, maxAttempts: 1 });
    await s3.send(new CreateBucketCommand({ Bucket: BUCKET }));
    model = await createModel(t.sm);
    scratch = mkdtempSync(path.join(os.tmpdir(), 'sme-capture-'));
  });
  after(async () => {
    s3?.destroy();
    await stopAndClean(t);
    rmSync(scratch, { recursive: true, force: true });
  });

  async function captureEndpoint(capture: Omit<DataCaptureConfig, 'DestinationS3Uri'> & { DestinationS3Uri?: string }): Promise<string> {
    const config = uniqueName('config');
    const endpoint = uniqueName('ep');
    await t.sm.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: config,
        ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: model, InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }],
        DataCaptureConfig: { DestinationS3Uri: `s3://${BUCKET}/capture`, ...capture },
      }),
    );
    await t.sm.send(new CreateEndpointCommand({ EndpointName: endpoint, EndpointConfigName: config }));
    await waitUntilEndpointInService({ client: t.sm, maxWaitTime: 120, minDelay: 1, maxDelay: 1 }, { EndpointName: endpoint });
    return endpoint;
  }

  const invoke = (endpoint: string, body: Buffer, contentType: string, inferenceId?: string) =>
    t.runtime.send(new InvokeEndpointCommand({ EndpointName: endpoint, Body: body, ContentType: contentType, ...(inferenceId ? { InferenceId: inferenceId } : {}) }));

  /** Every capture line under the endpoint's prefix, with the keys they came from. */
  async function captured(endpoint: string): Promise<{ keys: string[]; lines: CaptureLine[] }> {
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: BUCKET, Prefix: `capture/${endpoint}/` }));
    const keys = (listed.Contents ?? []).map((o) => o.Key!);
    const lines: CaptureLine[] = [];
    for (const key of keys) {
      const text = await (await s3.send(new GetObjectCommand({ Bucket: BUCKET, Key: key }))).Body!.transformToString();
      lines.push(...text.trimEnd().split('\n').map((l) => JSON.parse(l) as CaptureLine));
    }
    return { keys, lines };
  }

  test('100 % Input+Output: JSON lines at the documented keys; CSV and JSON as text, octet-stream as base64; inferenceId kept', { timeout: TIMEOUT.long }, async () => {
    const endpoint = await captureEndpoint({ InitialSamplingPercentage: 100, CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }] });
    const binary = Buffer.from([0, 1, 2, 250, 255]);
    assert.equal((await invoke(endpoint, Buffer.from('1,2,3'), 'text/csv', 'csv-1')).$metadata.httpStatusCode, 200);
    assert.equal((await invoke(endpoint, Buffer.from('{"a":1}'), 'application/json')).$metadata.httpStatusCode, 200);
    assert.equal((await invoke(endpoint, binary, 'application/octet-stream')).$metadata.httpStatusCode, 200);

    const { keys, lines } = await pollUntil('three capture lines in S3', async () => {
      const c = await captured(endpoint);
      return c.lines.length >= 3 ? c : undefined;
    });
    console.log(`captured ${lines.length} lines in ${keys.length} object(s): ${keys.join(', ')}`);
    assert.equal(lines.length, 3);
    for (const key of keys) {
      assert.match(key, new RegExp(`^capture/${endpoint}/AllTraffic/\\d{4}/\\d{2}/\\d{2}/\\d{2}/\\d{2}-\\d{2}-\\d{3}-[0-9a-f-]{36}\\.jsonl$`));
    }
    const csv = lines.find((l) => l.captureData.endpointInput?.observedContentType === 'text/csv')!;
    assert.deepEqual(csv.captureData.endpointInput, { observedContentType: 'text/csv', mode: 'INPUT', data: '1,2,3', encoding: 'CSV' });
    assert.equal(csv.captureData.endpointOutput?.mode, 'OUTPUT');
    assert.equal(csv.captureData.endpointOutput?.encoding, 'JSON');
    assert.equal((JSON.parse(csv.captureData.endpointOutput!.data) as { input: string }).input, '1,2,3');
    assert.equal(csv.eventMetadata.inferenceId, 'csv-1');
    assert.match(csv.eventMetadata.eventId, /^[0-9a-f-]{36}$/);
    assert.match(csv.eventMetadata.inferenceTime, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
    assert.equal(csv.eventVersion, '0');
    const json = lines.find((l) => l.captureData.endpointInput?.observedContentType === 'application/json')!;
    assert.deepEqual(json.captureData.endpointInput, { observedContentType: 'application/json', mode: 'INPUT', data: '{"a":1}', encoding: 'JSON' });
    assert.equal(json.eventMetadata.inferenceId, undefined);
    const bin = lines.find((l) => l.captureData.endpointInput?.observedContentType === 'application/octet-stream')!;
    assert.equal(bin.captureData.endpointInput!.encoding, 'BASE64');
    assert.deepEqual(Buffer.from(bin.captureData.endpointInput!.data, 'base64'), binary);

    const described = await t.sm.send(new DescribeEndpointCommand({ EndpointName: endpoint }));
    assert.deepEqual(described.DataCaptureConfig, {
      EnableCapture: true,
      CaptureStatus: 'Started',
      CurrentSamplingPercentage: 100,
      DestinationS3Uri: `s3://${BUCKET}/capture`,
      KmsKeyId: '',
    });
  });

  test('Input only has no endpointOutput; 0 % captures nothing', { timeout: TIMEOUT.long }, async () => {
    const inputOnly = await captureEndpoint({ InitialSamplingPercentage: 100, CaptureOptions: [{ CaptureMode: 'Input' }] });
    const none = await captureEndpoint({ InitialSamplingPercentage: 0, CaptureOptions: [{ CaptureMode: 'InputAndOutput' }] });
    for (let i = 0; i < 3; i++) {
      await invoke(none, Buffer.from('{}'), 'application/json');
    }
    await invoke(inputOnly, Buffer.from('{"b":2}'), 'application/json');
    const { lines } = await pollUntil('the input-only capture', async () => {
      const c = await captured(inputOnly);
      return c.lines.length >= 1 ? c : undefined;
    });
    assert.equal(lines.length, 1);
    assert.equal(lines[0]!.captureData.endpointOutput, undefined);
    assert.equal(lines[0]!.captureData.endpointInput?.data, '{"b":2}');
    // The 0 % endpoint's requests came first: a flush that wrote the later capture has passed them.
    assert.deepEqual((await captured(none)).keys, []);
  });

  test('a destination bucket that does not exist: logged and counted, invocations still answer 200', { timeout: TIMEOUT.long }, async () => {
    const endpoint = await captureEndpoint({
      InitialSamplingPercentage: 100,
      CaptureOptions: [{ CaptureMode: 'Input' }],
      DestinationS3Uri: 's3://no-such-capture-bucket/x',
    });
    for (let i = 0; i < 3; i++) {
      assert.equal((await invoke(endpoint, Buffer.from('{}'), 'application/json')).$metadata.httpStatusCode, 200);
    }
    const errors = await pollUntil('the write error counted', async () => {
      const text = await (await fetch(`${t.url}/metrics`)).text();
      const m = new RegExp(`^sagemaker_data_capture_write_errors_total\\{endpoint_name="${endpoint}",variant_name="AllTraffic"\\} (\\S+)$`, 'm').exec(text);
      return m && Number(m[1]) >= 1 ? Number(m[1]) : undefined;
    });
    assert.ok(errors >= 1);
    const logged = logLines.find((l) => l.msg === 'data capture could not be written; its records are lost' && l.endpoint === endpoint);
    assert.ok(logged, 'the failed write was logged');
    assert.match(String(logged.destination), /^s3:\/\/no-such-capture-bucket\/x\//);
  });

  test('boto3 creates a config with DataCaptureConfig and describes it; serverless with capture is refused', { timeout: TIMEOUT.long }, async () => {
    const r = await run('python3', [path.join(PYTHON_DIR, 'data_capture_boto3.py'), model, uniqueName('b3'), BUCKET], clientEnv(t.url, scratch));
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { described: unknown; sent: unknown; serverlessRefused: { Code: string; Message: string } | null };
    assert.deepEqual(out.described, out.sent);
    assert.equal(out.serverlessRefused?.Code, 'ValidationException');
    assert.match(out.serverlessRefused?.Message ?? '', /do not support data capture/);
  });
});
