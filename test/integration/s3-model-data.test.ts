import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { DeleteEndpointCommand, DescribeEndpointCommand } from '@aws-sdk/client-sagemaker';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { managedContainers, requireDocker } from '../helpers/docker.js';
import { type TestEmulator, credentials, makeModelTarball, removeStateDir, startTestEmulator, stopAndClean } from '../helpers/emulator.js';
import { createEndpoint } from '../helpers/sagemaker.js';
import { TIMEOUT } from '../helpers/bounded.js';

/**
 * s3:// model data through an S3-compatible endpoint named by AWS_ENDPOINT_URL_S3.
 * The emulator's real S3 client (AWS SDK) talks to a minimal path-style
 * object server standing in for MinIO or LocalStack, which this machine lacks.
 */
describe('s3:// ModelDataUrl through AWS_ENDPOINT_URL_S3', { timeout: TIMEOUT.suite }, () => {
  const objects = new Map<string, Buffer>();
  const requests: string[] = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url} ${req.headers.authorization?.startsWith('AWS4-HMAC-SHA256') ? 'signed' : 'unsigned'}`);
    const body = objects.get(decodeURIComponent((req.url ?? '').split('?')[0]!));
    if (req.method === 'GET' && body) {
      res.writeHead(200, { 'content-type': 'application/gzip', 'content-length': body.length });
      res.end(body);
    } else {
      res.writeHead(404, { 'content-type': 'application/xml' });
      res.end('<?xml version="1.0" encoding="UTF-8"?><Error><Code>NoSuchKey</Code><Message>The specified key does not exist.</Message></Error>');
    }
  });
  let t: TestEmulator;
  before(async () => {
    requireDocker();
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    objects.set('/models/echo/model.tar.gz', readFileSync(makeModelTarball('from-s3')));
    // The SDK's default credential chain reads these, as it would for MinIO.
    process.env.AWS_ACCESS_KEY_ID ??= 'minio';
    process.env.AWS_SECRET_ACCESS_KEY ??= 'minio-secret';
    t = await startTestEmulator({ AWS_ENDPOINT_URL_S3: `http://127.0.0.1:${(server.address() as AddressInfo).port}` });
  });
  after(async () => {
    await t.stop();
    server.close();
    assert.deepEqual(managedContainers(t.stateDir), []);
    removeStateDir(t.stateDir);
  });

  test('the object is downloaded, extracted into /opt/ml/model and served', { timeout: TIMEOUT.test }, async () => {
    const { endpoint } = await createEndpoint(t.sm, { modelDataUrl: 's3://models/echo/model.tar.gz' });
    const r = await t.runtime.send(new InvokeEndpointCommand({ EndpointName: endpoint, Body: Buffer.from('{}'), ContentType: 'application/json' }));
    const answer = JSON.parse(Buffer.from(r.Body!).toString()) as { model: { version: string }; modelFiles: string[] };
    assert.equal(answer.model.version, 'from-s3');
    assert.deepEqual(answer.modelFiles, ['model.json']);
    assert.ok(requests.some((l) => l.startsWith('GET /models/echo/model.tar.gz') && l.endsWith('signed')), requests.join('\n'));
    await t.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
  });

  test('a missing object fails the endpoint with a reason naming the URL', { timeout: TIMEOUT.test }, async () => {
    const { endpoint } = await createEndpoint(t.sm, { modelDataUrl: 's3://models/nope.tar.gz', wait: false });
    let d = await t.sm.send(new DescribeEndpointCommand({ EndpointName: endpoint }));
    for (let i = 0; i < 100 && d.EndpointStatus === 'Creating'; i++) {
      await new Promise((r) => setTimeout(r, 100));
      d = await t.sm.send(new DescribeEndpointCommand({ EndpointName: endpoint }));
    }
    assert.equal(d.EndpointStatus, 'Failed');
    assert.match(d.FailureReason ?? '', /Could not download s3:\/\/models\/nope\.tar\.gz/);
    await t.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
  });
});

/** The default: the model tarball uploaded to the S3 on the emulator's own port, read back in-process. */
describe('s3:// ModelDataUrl from the embedded S3', { timeout: TIMEOUT.suite }, () => {
  let t: TestEmulator;
  before(async () => {
    requireDocker();
    t = await startTestEmulator();
  });
  after(async () => {
    await stopAndClean(t);
  });

  test('a tarball put with the S3 SDK is deployed and served', { timeout: TIMEOUT.test }, async () => {
    const s3 = new S3Client({ endpoint: t.url, region: 'us-east-1', forcePathStyle: true, credentials, maxAttempts: 1 });
    try {
      await s3.send(new CreateBucketCommand({ Bucket: 'embedded-models' }));
      await s3.send(new PutObjectCommand({ Bucket: 'embedded-models', Key: 'echo/model.tar.gz', Body: readFileSync(makeModelTarball('embedded-s3')) }));
    } finally {
      s3.destroy();
    }
    const { endpoint } = await createEndpoint(t.sm, { modelDataUrl: 's3://embedded-models/echo/model.tar.gz' });
    const r = await t.runtime.send(new InvokeEndpointCommand({ EndpointName: endpoint, Body: Buffer.from('{}'), ContentType: 'application/json' }));
    const answer = JSON.parse(Buffer.from(r.Body!).toString()) as { model: { version: string } };
    assert.equal(answer.model.version, 'embedded-s3');
    await t.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
  });
});
