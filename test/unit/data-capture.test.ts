import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pino from 'pino';
import { captureKey, captureLine, encodingOf } from '../../src/data-capture/capture-record.js';
import { checkDataCaptureConfig } from '../../src/data-capture/capture-rules.js';
import { captureSettings, captureSummary } from '../../src/data-capture/capture-settings.js';
import { DataCapture, MAX_BUFFERED_BYTES } from '../../src/data-capture/data-capture.js';
import { Metrics } from '../../src/observability/metrics.js';
import type { CreateEndpointConfigInput, DataCaptureConfig } from '../../src/protocol/generated/sagemaker-types.js';
import { ObjectStoreError, type ObjectStore } from '../../src/storage/object-store.js';
import type { Store } from '../../src/store/store.js';
import { TIMEOUT } from '../helpers/bounded.js';

const config = (over: Partial<DataCaptureConfig> = {}): DataCaptureConfig => ({
  EnableCapture: true,
  InitialSamplingPercentage: 100,
  DestinationS3Uri: 's3://bucket/capture/',
  CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }],
  ...over,
});

/** An in-memory ObjectStore: one bucket, `bucket`; any other is NoSuchBucket, as S3 says. */
function memoryStore(): ObjectStore & { objects: Map<string, string> } {
  const objects = new Map<string, string>();
  return {
    objects,
    get: () => Promise.reject(new ObjectStoreError('NoSuchKey', 'no')),
    list: () => Promise.resolve([]),
    put(bucket, key, body) {
      if (bucket !== 'bucket') {
        return Promise.reject(new ObjectStoreError('NoSuchBucket', 'The specified bucket does not exist'));
      }
      objects.set(key, (body as Buffer).toString('utf8'));
      return Promise.resolve({ etag: '"x"' });
    },
  };
}

const live = { variants: () => [], accrueCost: () => undefined };

describe('data capture (Model Monitor)', { timeout: TIMEOUT.test }, () => {
  test('encoding: CSV and JSON families as text, anything else base64; parameters ignored', () => {
    const s = { csvTypes: ['text/csv'], jsonTypes: ['application/json'] };
    assert.equal(encodingOf('text/csv', s), 'CSV');
    assert.equal(encodingOf('text/csv; charset=utf-8', s), 'CSV');
    assert.equal(encodingOf('Application/JSON', s), 'JSON');
    assert.equal(encodingOf('application/octet-stream', s), 'BASE64');
    assert.equal(encodingOf('application/jsonlines', { csvTypes: ['text/csv'], jsonTypes: ['application/jsonlines'] }), 'JSON');
  });

  test('settings: Input/Output/InputAndOutput, defaults, and what captures nothing', () => {
    const s = captureSettings(config())!;
    assert.deepEqual([s.bucket, s.prefix, s.input, s.output], ['bucket', 'capture', true, true]);
    assert.deepEqual([s.csvTypes, s.jsonTypes], [['text/csv'], ['application/json']]);
    const inputOnly = captureSettings(config({ CaptureOptions: [{ CaptureMode: 'Input' }] }))!;
    assert.deepEqual([inputOnly.input, inputOnly.output], [true, false]);
    const both = captureSettings(config({ CaptureOptions: [{ CaptureMode: 'InputAndOutput' }], DestinationS3Uri: 's3://b' }))!;
    assert.deepEqual([both.input, both.output, both.prefix], [true, true, '']);
    assert.equal(captureSettings(config({ EnableCapture: false })), undefined);
    assert.equal(captureSettings(config({ InitialSamplingPercentage: 0 })), undefined);
    assert.equal(captureSettings(undefined), undefined);
  });

  test('the JSON line has the documented members', () => {
    const s = captureSettings(config())!;
    const line = JSON.parse(
      captureLine(
        {
          endpoint: 'ep',
          variant: 'AllTraffic',
          time: Date.UTC(2022, 1, 14, 17, 25, 49, 123),
          inferenceId: 'abc',
          input: { contentType: 'text/csv', body: Buffer.from('1,2,3') },
          output: { contentType: 'application/octet-stream', body: Buffer.from([0, 255]) },
        },
        s,
      ),
    ) as {
      captureData: Record<string, unknown>;
      eventMetadata: { eventId: string; inferenceId: string; inferenceTime: string };
      eventVersion: string;
    };
    assert.deepEqual(line.captureData.endpointInput, { observedContentType: 'text/csv', mode: 'INPUT', data: '1,2,3', encoding: 'CSV' });
    assert.deepEqual(line.captureData.endpointOutput, { observedContentType: 'application/octet-stream', mode: 'OUTPUT', data: 'AP8=', encoding: 'BASE64' });
    assert.match(line.eventMetadata.eventId, /^[0-9a-f-]{36}$/);
    assert.equal(line.eventMetadata.inferenceId, 'abc');
    assert.equal(line.eventMetadata.inferenceTime, '2022-02-14T17:25:49Z');
    assert.equal(line.eventVersion, '0');
  });

  test('the key layout: <prefix>/<endpoint>/<variant>/yyyy/mm/dd/hh/<mm>-<ss>-<ms>-<uuid>.jsonl in UTC', () => {
    const key = captureKey({ prefix: 'capture' }, 'ep', 'AllTraffic', Date.UTC(2022, 1, 4, 7, 5, 9, 12));
    assert.match(key, /^capture\/ep\/AllTraffic\/2022\/02\/04\/07\/05-09-012-[0-9a-f-]{36}\.jsonl$/);
    assert.match(captureKey({ prefix: '' }, 'ep', 'v', 0), /^ep\/v\/1970\/01\/01\/00\//);
  });

  test('DescribeEndpoint summary', () => {
    assert.deepEqual(captureSummary(config({ KmsKeyId: 'k' })), {
      EnableCapture: true,
      CaptureStatus: 'Started',
      CurrentSamplingPercentage: 100,
      DestinationS3Uri: 's3://bucket/capture/',
      KmsKeyId: 'k',
    });
    assert.equal(captureSummary(config({ EnableCapture: false })).CaptureStatus, 'Stopped');
  });

  test('CreateEndpointConfig rules: s3:// only, no duplicate modes', () => {
    const input = (dc: DataCaptureConfig): CreateEndpointConfigInput => ({
      EndpointConfigName: 'c',
      ProductionVariants: [{ VariantName: 'v', ModelName: 'm', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }],
      DataCaptureConfig: dc,
    });
    checkDataCaptureConfig(input(config()));
    assert.throws(() => checkDataCaptureConfig(input(config({ DestinationS3Uri: 'https://x/y' }))), { name: 'ValidationException' });
    assert.throws(() => checkDataCaptureConfig(input(config({ CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Input' }] }))), {
      name: 'ValidationException',
    });
  });

  test('batches are one object per flush; a missing bucket is counted, not thrown; a full buffer drops', async () => {
    const objects = memoryStore();
    const metrics = new Metrics(live);
    const capture = new DataCapture({ store: {} as Store, objects, metrics, log: pino({ level: 'silent' }), flushMs: 3_600_000 });
    try {
      const s = captureSettings(config())!;
      const one = (n: number) => ({ endpoint: 'ep', variant: 'v', time: Date.now(), inferenceId: undefined, input: { contentType: 'text/csv', body: Buffer.from(String(n)) } });
      capture.add(s, one(1));
      capture.add(s, one(2));
      capture.add(captureSettings(config({ DestinationS3Uri: 's3://missing/x' }))!, one(3));
      await capture.flush();
      assert.equal(objects.objects.size, 1);
      const [body] = [...objects.objects.values()];
      assert.deepEqual(
        body!.trimEnd().split('\n').map((l) => (JSON.parse(l) as { captureData: { endpointInput: { data: string } } }).captureData.endpointInput.data),
        ['1', '2'],
      );
      capture.add(s, { ...one(4), input: { contentType: 'application/octet-stream', body: Buffer.alloc(MAX_BUFFERED_BYTES + 1) } });
      const text = await metrics.registry.metrics();
      assert.match(text, /sagemaker_data_capture_records_total\{endpoint_name="ep",variant_name="v"\} 2/);
      assert.match(text, /sagemaker_data_capture_write_errors_total\{endpoint_name="ep",variant_name="v"\} 1/);
      assert.match(text, /sagemaker_data_capture_dropped_records_total\{endpoint_name="ep",variant_name="v"\} 1/);
    } finally {
      await capture.close();
    }
  });
});
