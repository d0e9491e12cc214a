import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import { ApplicationAutoScalingClient, DescribeScalableTargetsCommand } from '@aws-sdk/client-application-auto-scaling';
import { CloudWatchClient, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { ListModelsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { AwsQueryProtocol, AwsSmithyRpcV2CborProtocol } from '@aws-sdk/core/protocols';
import { Upload } from '@aws-sdk/lib-storage';
import { SignatureV4 } from '@smithy/signature-v4';
import { NodeSha256 } from '../../src/auth/sha256.js';
import { TIMEOUT } from '../helpers/bounded.js';
import { ECHO_IMAGE, managedContainers, requireDocker } from '../helpers/docker.js';
import { removeStateDir, startTestEmulator, type TestEmulator, uniqueName } from '../helpers/emulator.js';
import { clientEnv, PYTHON_DIR, run } from '../helpers/external-clients.js';
import { createEndpoint } from '../helpers/sagemaker.js';

/**
 * SME_AUTH=strict against real clients: the JS SDK v3 (every service and
 * protocol), boto3 and the AWS CLI get through with a configured key, and get
 * AWS's own errors (code and 403) with a wrong secret, an unknown key, no
 * signature or a skewed clock. /health and /metrics stay open; the console
 * asks for HTTP Basic credentials, and its invoke form signs its call.
 */

const GOOD = { accessKeyId: 'AKIDGOOD', secretAccessKey: 'secret1' };
const SECOND = { accessKeyId: 'AKID2', secretAccessKey: 'secret2' };
const WRONG_SECRET = { accessKeyId: 'AKIDGOOD', secretAccessKey: 'not-the-secret' };
const UNKNOWN = { accessKeyId: 'AKIDNOPE', secretAccessKey: 'secret1' };
type Creds = typeof GOOD & { sessionToken?: string };

interface Clients {
  sm: SageMakerClient;
  runtime: SageMakerRuntimeClient;
  s3: S3Client;
  aas: ApplicationAutoScalingClient;
  cwJson: CloudWatchClient;
  cwCbor: CloudWatchClient;
  cwQuery: CloudWatchClient;
}

/** What a failed SDK call says: its error name and HTTP status. */
async function failure(p: Promise<unknown>): Promise<{ name: string; status: number | undefined }> {
  try {
    await p;
  } catch (err) {
    const e = err as { name: string; $metadata?: { httpStatusCode?: number } };
    return { name: e.name, status: e.$metadata?.httpStatusCode };
  }
  assert.fail('the call should have been refused');
}

describe('strict SigV4 authentication (SME_AUTH=strict)', { timeout: TIMEOUT.suite }, () => {
  let te: TestEmulator;
  let scratch: string;
  let endpoint: string;
  const bucket = uniqueName('strict');
  const made: Clients[] = [];

  function clients(credentials: Creds): Clients {
    const base = { endpoint: te.url, region: 'us-east-1', credentials, maxAttempts: 1 };
    const c: Clients = {
      sm: new SageMakerClient(base),
      runtime: new SageMakerRuntimeClient(base),
      s3: new S3Client({ ...base, forcePathStyle: true }),
      aas: new ApplicationAutoScalingClient(base),
      cwJson: new CloudWatchClient(base),
      cwCbor: new CloudWatchClient({ ...base, protocol: AwsSmithyRpcV2CborProtocol }),
      cwQuery: new CloudWatchClient({ ...base, protocol: AwsQueryProtocol }),
    };
    made.push(c);
    return c;
  }

  before(async () => {
    requireDocker(ECHO_IMAGE);
    te = await startTestEmulator({ SME_AUTH: 'strict', SME_CREDENTIALS: 'AKIDGOOD:secret1,AKID2:secret2' });
    scratch = mkdtempSync(path.join(os.tmpdir(), 'sme-strict-'));
    const good = clients(GOOD);
    ({ endpoint } = await createEndpoint(good.sm));
    await good.s3.send(new CreateBucketCommand({ Bucket: bucket }));
    await good.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'shared/presigned.txt', Body: 'presigned body' }));
  });

  after(async () => {
    for (const c of made) {
      for (const client of Object.values(c)) {
        (client as { destroy(): void }).destroy();
      }
    }
    if (te) {
      await te.stop();
      assert.deepEqual(managedContainers(te.stateDir), [], 'containers left behind');
      removeStateDir(te.stateDir);
    }
    if (scratch) {
      rmSync(scratch, { recursive: true, force: true });
    }
  });

  test('the JS SDK with a configured key: SageMaker, the runtime, S3 (chunked and multipart), Application Auto Scaling, CloudWatch in JSON, CBOR and query', { timeout: TIMEOUT.long }, async () => {
    // A session token rides along with a configured key id (X-Amz-Security-Token, signed).
    for (const creds of [GOOD, SECOND, { ...GOOD, sessionToken: 'IQoJb3JpZ2luX2VjEXAMPLE+/=' }] as Creds[]) {
      const c = clients(creds);
      const models = await c.sm.send(new ListModelsCommand({}));
      assert.ok((models.Models ?? []).length >= 1);
      const answer = await c.runtime.send(new InvokeEndpointCommand({ EndpointName: endpoint, Body: JSON.stringify({ who: creds.accessKeyId }), ContentType: 'application/json' }));
      assert.equal(answer.$metadata.httpStatusCode, 200);
      assert.match(Buffer.from(answer.Body!).toString(), new RegExp(creds.accessKeyId));
      const shared = await c.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'shared/presigned.txt' }));
      assert.equal(await shared.Body!.transformToString(), 'presigned body');
      const targets = await c.aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'sagemaker' }));
      assert.ok(Array.isArray(targets.ScalableTargets));
      for (const cw of [c.cwJson, c.cwCbor, c.cwQuery]) {
        const metrics = await cw.send(new ListMetricsCommand({ Namespace: 'AWS/SageMaker' }));
        assert.equal(metrics.$metadata.httpStatusCode, 200);
      }
    }
    const c = clients(GOOD);
    // A stream: the SDK sends it aws-chunked (a STREAMING-… payload hash, with a trailing checksum).
    const key = 'js/chunked file+1.bin';
    const chunked = Buffer.alloc(300_000, 7);
    await c.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: Readable.from([chunked.subarray(0, 100_000), chunked.subarray(100_000)]), ContentLength: chunked.length }));
    const got = await c.s3.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
    assert.equal(Buffer.from(await got.Body!.transformToByteArray()).equals(chunked), true);
    // Multipart: three parts of an 11 MiB body.
    const big = Buffer.alloc(11 * 1024 * 1024, 3);
    await new Upload({ client: c.s3, params: { Bucket: bucket, Key: 'js/multipart.bin', Body: big }, partSize: 5 * 1024 * 1024, queueSize: 1 }).done();
    const back = await c.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'js/multipart.bin' }));
    assert.equal(back.ContentLength, big.length);
    await back.Body!.transformToByteArray();
  });

  test('the JS SDK with a wrong secret or an unknown key gets each service\'s own error, 403', { timeout: TIMEOUT.test }, async () => {
    const wrong = clients(WRONG_SECRET);
    const unknown = clients(UNKNOWN);
    const expect = async (c: Clients, sagemaker: string, s3: string, query: string) => {
      assert.deepEqual(await failure(c.sm.send(new ListModelsCommand({}))), { name: sagemaker, status: 403 });
      assert.deepEqual(
        await failure(c.runtime.send(new InvokeEndpointCommand({ EndpointName: endpoint, Body: '{}', ContentType: 'application/json' }))),
        { name: sagemaker, status: 403 },
      );
      assert.deepEqual(await failure(c.s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'shared/presigned.txt' }))), { name: s3, status: 403 });
      assert.deepEqual(await failure(c.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'nope', Body: 'x' }))), { name: s3, status: 403 });
      assert.deepEqual(await failure(c.aas.send(new DescribeScalableTargetsCommand({ ServiceNamespace: 'sagemaker' }))), { name: sagemaker, status: 403 });
      assert.deepEqual(await failure(c.cwJson.send(new ListMetricsCommand({}))), { name: sagemaker, status: 403 });
      assert.deepEqual(await failure(c.cwCbor.send(new ListMetricsCommand({}))), { name: sagemaker, status: 403 });
      assert.deepEqual(await failure(c.cwQuery.send(new ListMetricsCommand({}))), { name: query, status: 403 });
    };
    await expect(wrong, 'InvalidSignatureException', 'SignatureDoesNotMatch', 'SignatureDoesNotMatch');
    await expect(unknown, 'UnrecognizedClientException', 'InvalidAccessKeyId', 'InvalidClientTokenId');
    // Nothing was written by the refused PutObject.
    assert.deepEqual(await failure(clients(GOOD).s3.send(new GetObjectCommand({ Bucket: bucket, Key: 'nope' }))), { name: 'NoSuchKey', status: 404 });
  });

  test('unsigned requests: MissingAuthenticationToken for the JSON services, AccessDenied for S3', { timeout: TIMEOUT.test }, async () => {
    const sm = await fetch(`${te.url}/`, { method: 'POST', headers: { 'x-amz-target': 'SageMaker.ListModels', 'content-type': 'application/x-amz-json-1.1' }, body: '{}' });
    assert.equal(sm.status, 403);
    assert.equal(sm.headers.get('x-amzn-errortype'), 'MissingAuthenticationTokenException');
    assert.equal(((await sm.json()) as { message: string }).message, 'Missing Authentication Token');
    const invoke = await fetch(`${te.url}/endpoints/${endpoint}/invocations`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
    assert.equal(invoke.status, 403);
    assert.equal(((await invoke.json()) as { __type: string }).__type, 'MissingAuthenticationTokenException');
    const s3 = await fetch(`${te.url}/${bucket}/shared/presigned.txt`);
    assert.equal(s3.status, 403);
    assert.match(await s3.text(), /<Code>AccessDenied<\/Code>/);
    const query = await fetch(`${te.url}/`, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: 'Action=ListMetrics&Version=2010-08-01' });
    assert.equal(query.status, 403);
    assert.match(await query.text(), /<Code>MissingAuthenticationToken<\/Code>/);
    const reset = await fetch(`${te.url}/_emulator/reset`, { method: 'POST' });
    assert.equal(reset.status, 401);
    await reset.text();
  });

  test('a clock 20 minutes off: Signature expired (JSON services), RequestTimeTooSkewed (S3)', { timeout: TIMEOUT.test }, async () => {
    const skewed = new Date(Date.now() - 20 * 60_000);
    const sign = async (service: string, method: string, pathName: string, headers: Record<string, string>, body: string) => {
      const url = new URL(te.url);
      const signer = new SignatureV4({ credentials: GOOD, region: 'us-east-1', service, sha256: NodeSha256, uriEscapePath: service !== 's3' });
      const signed = await signer.sign(
        { method, protocol: 'http:', hostname: url.hostname, port: Number(url.port), path: pathName, query: {}, headers: { ...headers, host: url.host }, body },
        { signingDate: skewed },
      );
      const { host: _host, ...sent } = signed.headers;
      return fetch(`${te.url}${pathName}`, { method, headers: sent, ...(method === 'GET' ? {} : { body }) });
    };
    const sm = await sign('sagemaker', 'POST', '/', { 'x-amz-target': 'SageMaker.ListModels', 'content-type': 'application/x-amz-json-1.1' }, '{}');
    assert.equal(sm.status, 403);
    const body = (await sm.json()) as { __type: string; message: string };
    assert.equal(body.__type, 'InvalidSignatureException');
    assert.match(body.message, /^Signature expired: \d{8}T\d{6}Z is now earlier than \d{8}T\d{6}Z \(\d{8}T\d{6}Z - 5 min\.\)$/);
    const s3 = await sign('s3', 'GET', `/${bucket}/shared/presigned.txt`, {}, '');
    assert.equal(s3.status, 403);
    const xml = await s3.text();
    assert.match(xml, /<Code>RequestTimeTooSkewed<\/Code>/);
    assert.match(xml, /<MaxAllowedSkewMilliseconds>900000<\/MaxAllowedSkewMilliseconds>/);
  });

  test('/health and /metrics stay open; the console asks for Basic credentials and its invoke form signs its call', { timeout: TIMEOUT.test }, async () => {
    assert.equal((await fetch(`${te.url}/health`)).status, 200);
    const metrics = await fetch(`${te.url}/metrics`);
    assert.equal(metrics.status, 200);
    await metrics.text();
    const anonymous = await fetch(`${te.url}/console/`);
    assert.equal(anonymous.status, 401);
    assert.equal(anonymous.headers.get('www-authenticate'), 'Basic realm="sagemaker-emulator", charset="UTF-8"');
    await anonymous.text();
    const basic = (user: string, pass: string) => `Basic ${Buffer.from(`${user}:${pass}`).toString('base64')}`;
    const wrong = await fetch(`${te.url}/console/`, { headers: { authorization: basic('AKIDGOOD', 'secret2') } });
    assert.equal(wrong.status, 401);
    await wrong.text();
    const page = await fetch(`${te.url}/console/`, { headers: { authorization: basic('AKIDGOOD', 'secret1') } });
    assert.equal(page.status, 200);
    assert.match(await page.text(), new RegExp(endpoint));
    // The invoke form, as the page posts it (same origin), signed in as the second key.
    const invoked = await fetch(`${te.url}/console/endpoints/${endpoint}/invoke`, {
      method: 'POST',
      headers: { authorization: basic('AKID2', 'secret2'), 'content-type': 'application/x-www-form-urlencoded', origin: te.url, 'hx-request': 'true' },
      body: new URLSearchParams({ body: JSON.stringify({ from: 'console' }), contentType: 'application/json' }).toString(),
    });
    assert.equal(invoked.status, 200);
    const fragment = await invoked.text();
    assert.match(fragment, /data-testid="invoke-status"[^>]*>200</);
    assert.match(fragment, /console/);
  });

  test('boto3 and the AWS CLI: through with a configured key (presigned GET included, until it expires), refused with a wrong secret or key', { timeout: TIMEOUT.long }, async () => {
    const script = path.join(PYTHON_DIR, 'strict_auth_boto3.py');
    type Outcome = { ok?: unknown; code?: string; status?: number };
    type Out = Record<string, Outcome> & { presignedV2: { status: number; body: string }; presigned: { status: number; body: string }; presignedExpired: { status: number; body: string } };
    const python = async (key: string, secret: string): Promise<Out> => {
      const env = { ...clientEnv(te.url, scratch, key), AWS_SECRET_ACCESS_KEY: secret };
      const r = await run('python3', [script, endpoint, bucket], env);
      assert.equal(r.code, 0, `strict_auth_boto3.py exited ${r.code}\n${r.stdout}\n${r.stderr}`);
      return JSON.parse(r.stdout) as Out;
    };
    const good = await python('AKIDGOOD', 'secret1');
    for (const call of ['listModels', 'invoke', 'putObject', 'getObject', 'listMetrics', 'scalableTargets']) {
      assert.ok(good[call]!.ok !== undefined, `${call}: ${JSON.stringify(good[call])}`);
    }
    assert.equal(good.getObject!.ok, 'from boto3');
    assert.deepEqual(good.presigned, { status: 200, body: 'presigned body' });
    assert.equal(good.presignedV2.status, 400);
    assert.match(good.presignedV2.body, /<Code>InvalidRequest<\/Code><Message>The authorization mechanism you have provided is not supported. Please use AWS4-HMAC-SHA256.<\/Message>/);
    assert.equal(good.presignedExpired.status, 403);
    assert.match(good.presignedExpired.body, /<Code>AccessDenied<\/Code><Message>Request has expired<\/Message>/);

    const wrong = await python('AKIDGOOD', 'nope');
    assert.deepEqual(wrong.listModels, { code: 'InvalidSignatureException', status: 403 });
    assert.deepEqual(wrong.invoke, { code: 'InvalidSignatureException', status: 403 });
    assert.deepEqual(wrong.putObject, { code: 'SignatureDoesNotMatch', status: 403 });
    assert.deepEqual(wrong.scalableTargets, { code: 'InvalidSignatureException', status: 403 });
    assert.equal(wrong.listMetrics!.status, 403);
    assert.equal(wrong.presigned.status, 403);
    assert.match(wrong.presigned.body, /<Code>SignatureDoesNotMatch<\/Code>/);
    const unknown = await python('AKIDNOPE', 'secret1');
    assert.deepEqual(unknown.listModels, { code: 'UnrecognizedClientException', status: 403 });
    assert.deepEqual(unknown.getObject, { code: 'InvalidAccessKeyId', status: 403 });

    const cli = (key: string, secret: string, args: string[]) =>
      run('aws', [...args, '--endpoint-url', te.url], { ...clientEnv(te.url, scratch, key), AWS_SECRET_ACCESS_KEY: secret, AWS_MAX_ATTEMPTS: '1' });
    const listed = await cli('AKID2', 'secret2', ['sagemaker', 'list-endpoints']);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, new RegExp(endpoint));
    const s3ls = await cli('AKID2', 'secret2', ['s3', 'ls', `s3://${bucket}/shared/`]);
    assert.equal(s3ls.code, 0, s3ls.stderr);
    assert.match(s3ls.stdout, /presigned\.txt/);
    const refused = await cli('AKID2', 'secret1', ['sagemaker', 'list-endpoints']);
    assert.notEqual(refused.code, 0);
    assert.match(refused.stderr, /\(InvalidSignatureException\)/);
    const s3Refused = await cli('AKIDNOPE', 'x', ['s3api', 'list-objects-v2', '--bucket', bucket]);
    assert.notEqual(s3Refused.code, 0);
    assert.match(s3Refused.stderr, /\(InvalidAccessKeyId\)/);
  });
});
