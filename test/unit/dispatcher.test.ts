import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { decode } from 'cbor-x';
import { Dispatcher, type RequestInfo } from '../../src/protocol/dispatcher.js';
import { credentialScope } from '../../src/protocol/sigv4.js';
import { arnOf, endpointConfigKind, modelKind, parseArn, taggableNouns } from '../../src/resources/kinds.js';

/** A handler that answers which route took the request. */
const answer =
  (name: string) =>
  (_req: http.IncomingMessage, res: http.ServerResponse, info: RequestInfo): void => {
    res.setHeader('Content-Type', 'application/json');
    res.end(JSON.stringify({ name, region: info.region, signingService: info.signingService ?? null }));
  };

const scope = (service: string, region = 'eu-west-1') =>
  `AWS4-HMAC-SHA256 Credential=AKID/20260101/${region}/${service}/aws4_request, SignedHeaders=host, Signature=00`;

describe('the dispatcher', { timeout: 30_000 }, () => {
  let server: http.Server;
  let url: string;
  before(async () => {
    let n = 0;
    const d = new Dispatcher('us-east-1', () => `req-${++n}`, answer('fallback'))
      .signingService('s3', answer('s3'))
      .targetPrefix('SageMaker', 'sagemaker', answer('sagemaker'))
      .targetPrefix('AnyScaleFrontendService', 'application-autoscaling', answer('autoscaling'))
      .rpcV2Service('GraniteServiceVersion20100801', 'monitoring', answer('cloudwatch'))
      .route({ method: 'POST', path: /^\/endpoints\/([^/]+)\/invocations$/, handler: answer('runtime') }, 'sagemaker');
    server = http.createServer(d.listener);
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  after(() => new Promise<void>((r) => server.close(() => r())));

  const call = async (path: string, init: { method?: string; headers?: Record<string, string> } = {}) => {
    const res = await fetch(`${url}${path}`, { method: init.method ?? 'POST', headers: init.headers, signal: AbortSignal.timeout(5000) });
    return { status: res.status, requestId: res.headers.get('x-amzn-requestid'), body: (await res.json()) as Record<string, unknown> };
  };

  test('routes by signing service first: an S3 path-style request that looks like a runtime route is S3', async () => {
    const r = await call('/endpoints/x/invocations', { headers: { Authorization: scope('s3') } });
    assert.deepEqual(r.body, { name: 's3', region: 'eu-west-1', signingService: 's3' });
  });

  test('routes by X-Amz-Target prefix, RPC v2 path and REST route; the region comes from the scope', async () => {
    assert.equal((await call('/', { headers: { 'X-Amz-Target': 'SageMaker.ListModels', Authorization: scope('sagemaker') } })).body.name, 'sagemaker');
    assert.equal((await call('/', { headers: { 'X-Amz-Target': 'AnyScaleFrontendService.DescribeScalableTargets' } })).body.name, 'autoscaling');
    assert.equal((await call('/service/GraniteServiceVersion20100801/operation/GetMetricData')).body.name, 'cloudwatch');
    const runtime = await call('/endpoints/x/invocations', { headers: { Authorization: scope('sagemaker', 'ap-south-1') } });
    assert.deepEqual(runtime.body, { name: 'runtime', region: 'ap-south-1', signingService: 'sagemaker' });
    assert.deepEqual((await call('/health', { method: 'GET' })).body, { name: 'fallback', region: 'us-east-1', signingService: null });
  });

  test('every answer carries a request id', async () => {
    const a = await call('/health', { method: 'GET' });
    const b = await call('/health', { method: 'GET' });
    assert.ok(a.requestId && b.requestId && a.requestId !== b.requestId);
  });

  test('an unserved service asked for by RPC v2 path is named in a CBOR error: a CBOR client reads nothing else', async () => {
    const res = await fetch(`${url}/service/AmazonSQS/operation/ListQueues`, { method: 'POST', signal: AbortSignal.timeout(5000) });
    assert.equal(res.status, 400);
    assert.equal(res.headers.get('content-type'), 'application/cbor');
    assert.equal(res.headers.get('smithy-protocol'), 'rpc-v2-cbor');
    const body = decode(Buffer.from(await res.arrayBuffer())) as Record<string, unknown>;
    assert.equal(body.__type, 'UnknownOperationException');
    assert.match(String(body.message), /The service AmazonSQS is not emulated/);
  });

  test('an unserved service is named in a JSON AWS error, whichever other way it was asked for', async () => {
    for (const [path, headers, service] of [
      ['/', { 'X-Amz-Target': 'DynamoDB_20120810.ListTables' }, 'DynamoDB_20120810'],
      ['/', { 'X-Amz-Target': '__proto__.toString' }, '__proto__'],
      ['/', { Authorization: scope('sqs') }, 'sqs'],
    ] as const) {
      const r = await call(path, { headers });
      assert.equal(r.status, 400, service);
      assert.equal(r.body.__type, 'UnknownOperationException', service);
      assert.match(String(r.body.message), new RegExp(`The service ${service.replace(/_/g, '_')} is not emulated`), service);
    }
  });
});

describe('credentialScope', () => {
  const req = (headers: Record<string, string>, url = '/') => ({ headers, url }) as unknown as http.IncomingMessage;
  test('reads the Authorization header', () => {
    assert.deepEqual(credentialScope(req({ authorization: scope('s3', 'us-west-2') })), { region: 'us-west-2', service: 's3' });
  });
  test('reads a presigned URL', () => {
    const url = '/bucket/key?X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=AKID%2F20260101%2Feu-central-1%2Fs3%2Faws4_request&X-Amz-Signature=00';
    assert.deepEqual(credentialScope(req({}, url)), { region: 'eu-central-1', service: 's3' });
  });
  test('is undefined for unsigned or garbled requests', () => {
    assert.equal(credentialScope(req({})), undefined);
    assert.equal(credentialScope(req({ authorization: 'Bearer x' })), undefined);
    assert.equal(credentialScope(req({}, '/?X-Amz-Credential=%zz')), undefined);
  });
});

describe('the resource-kind registry', () => {
  test('makes and parses ARNs of every kind; names are case-folded', () => {
    const arn = arnOf(endpointConfigKind, 'us-east-1', '123456789012', 'My-Config');
    assert.equal(arn, 'arn:aws:sagemaker:us-east-1:123456789012:endpoint-config/my-config');
    const parsed = parseArn(arn);
    assert.equal(parsed?.kind, endpointConfigKind);
    assert.equal(parsed?.name, 'my-config');
    assert.equal(parseArn('arn:aws:sagemaker:us-east-1:123456789012:notebook-instance/x'), undefined);
    assert.equal(parseArn(arnOf(modelKind, 'eu-west-1', '123456789012', 'm'))?.kind, modelKind);
  });
  test('names the taggable kinds for messages', () => {
    assert.equal(taggableNouns(), 'model, endpoint configuration, endpoint, transform job or inference recommendations job');
  });
});
