import { decode } from 'cbor-x';
import assert from 'node:assert/strict';
import http from 'node:http';
import { after, before, describe, test } from 'node:test';
import zlib from 'node:zlib';
import { DescribeModelCommand } from '@aws-sdk/client-sagemaker';
import { requireDocker } from '../helpers/docker.js';
import { removeStateDir, startTestEmulator, type TestEmulator, uniqueName } from '../helpers/emulator.js';

/**
 * Requests a corpus of generated bad input found to crash the emulator or to
 * answer 500. Each one must get a 4xx AWS error (or be served), and the
 * process must go on answering.
 */
interface Answer {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Record<string, unknown>;
}

function send(url: string, path: string, headers: Record<string, string>, body: Buffer | string = ''): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = http.request(`${url}${path}`, { method: 'POST', headers, timeout: 10_000 }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const raw = Buffer.concat(chunks);
        // An RPC v2 CBOR request is answered in CBOR, errors included.
        const cbor = res.headers['content-type'] === 'application/cbor';
        const text = raw.toString('utf8');
        const body = cbor ? (decode(raw) as Record<string, unknown>) : text ? (JSON.parse(text) as Record<string, unknown>) : {};
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body });
      });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer to ${path} within 10 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

const SIGNED = 'AWS4-HMAC-SHA256 Credential=AKID/20260101/us-east-1/sagemaker/aws4_request, SignedHeaders=host, Signature=00';
const json11 = (target: string) => ({ 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': target, Authorization: SIGNED });

describe('hostile input never reaches a crash', { timeout: 120_000 }, () => {
  let t: TestEmulator;
  const alive = async () => {
    const r = await send(t.url, '/', json11('SageMaker.ListModels'), '{}');
    assert.equal(r.status, 200, 'the emulator still answers');
  };

  before(async () => {
    requireDocker();
    t = await startTestEmulator();
  });
  after(async () => {
    await t.stop();
    removeStateDir(t.stateDir);
  });

  test('malformed percent-escapes in the endpoint name are a ValidationError', { timeout: 30_000 }, async () => {
    for (const name of ['%zz', '%ff%fe', '%E0%A4%A', '%', 'rel-%C0%AFbase']) {
      const r = await send(t.url, `/endpoints/${name}/invocations`, { 'Content-Type': 'application/json', Authorization: SIGNED }, '{}');
      assert.equal(r.status, 400, name);
      assert.equal(r.headers['x-amzn-errortype'], 'ValidationError', name);
      assert.match(String(r.body.message), /failed to satisfy constraint: Member must satisfy regular expression pattern/, name);
    }
    await alive();
  });

  test('a Content-Encoding the body does not have is a SerializationException', { timeout: 30_000 }, async () => {
    for (const encoding of ['gzip', 'deflate', 'br']) {
      const r = await send(t.url, '/', { ...json11('SageMaker.ListModels'), 'Content-Encoding': encoding }, '{"MaxResults": 5}');
      assert.equal(r.status, 400, encoding);
      assert.equal(r.body.__type, 'SerializationException', encoding);
    }
    // A body that really is compressed is decoded (the SDKs compress some requests).
    const gz = await send(t.url, '/', { ...json11('SageMaker.ListModels'), 'Content-Encoding': 'gzip' }, zlib.gzipSync('{"MaxResults": 5}'));
    assert.equal(gz.status, 200);
    assert.deepEqual(gz.body.Models, []);
    await alive();
  });

  test('operation names that are Object.prototype members are unknown operations', { timeout: 30_000 }, async () => {
    for (const op of ['__proto__', 'valueOf', 'hasOwnProperty', '__defineGetter__', 'toString', 'constructor']) {
      const r = await send(t.url, '/', json11(`SageMaker.${op}`), '{"ModelName":"x"}');
      assert.equal(r.status, 400, op);
      assert.equal(r.body.__type, 'UnknownOperationException', op);
      assert.match(String(r.body.message), new RegExp(`SageMaker\\.${op.replace(/\$/g, '\\$')} is not supported`), op);
    }
    await alive();
  });

  test('an unknown member nested 100,000 levels deep is ignored, as the real service ignores unknown members', { timeout: 30_000 }, async () => {
    const name = uniqueName('deep');
    const depth = 100_000;
    const deep = '{"x":'.repeat(depth) + '1' + '}'.repeat(depth);
    const body = `{"ModelName":"${name}","ExecutionRoleArn":"arn:aws:iam::123456789012:role/r","PrimaryContainer":{"Image":"img:1","Unknown":${deep}}}`;
    const r = await send(t.url, '/', json11('SageMaker.CreateModel'), body);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    const described = await t.sm.send(new DescribeModelCommand({ ModelName: name }));
    assert.deepEqual(described.PrimaryContainer, { Image: 'img:1' });
    await alive();
  });

  test('a service that is not served gets an AWS error naming it (JSON, or CBOR for an RPC v2 CBOR request)', { timeout: 30_000 }, async () => {
    const dynamo = await send(t.url, '/', { 'Content-Type': 'application/x-amz-json-1.0', 'X-Amz-Target': 'DynamoDB_20120810.ListTables' }, '{}');
    assert.equal(dynamo.status, 400);
    assert.equal(dynamo.body.__type, 'UnknownOperationException');
    assert.match(String(dynamo.body.message), /The service DynamoDB_20120810 is not emulated/);

    const rpc = await send(t.url, '/service/AmazonSQS/operation/ListQueues', { 'Content-Type': 'application/cbor' }, '');
    assert.equal(rpc.status, 400);
    assert.equal(rpc.headers['content-type'], 'application/cbor');
    assert.match(String(rpc.body.message), /The service AmazonSQS is not emulated/);

    const signed = await send(
      t.url,
      '/',
      {
        'Content-Type': 'application/x-www-form-urlencoded',
        Authorization: 'AWS4-HMAC-SHA256 Credential=AKID/20260101/eu-west-1/sqs/aws4_request, SignedHeaders=host, Signature=00',
      },
      'Action=ListQueues',
    );
    assert.equal(signed.status, 400);
    assert.match(String(signed.body.message), /The service sqs is not emulated/);
    await alive();
  });
});
