import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  waitUntilEndpointInService,
} from '@aws-sdk/client-sagemaker';
import { ECHO_IMAGE, requireDocker } from '../helpers/docker.js';
import { type TestEmulator, startTestEmulator, uniqueName, stopAndClean } from '../helpers/emulator.js';
import { createEndpoint, createModel } from '../helpers/sagemaker.js';
import { TIMEOUT } from '../helpers/bounded.js';

const ACCOUNT = '123456789012';
const arn = (kind: string, name: string) => `arn:aws:sagemaker:us-east-1:${ACCOUNT}:${kind}/${name.toLowerCase()}`;

/** A raw JSON 1.1 call, for inputs an SDK would refuse to send. */
async function raw(url: string, target: string | undefined, body: string, contentType = 'application/x-amz-json-1.1') {
  const res = await fetch(`${url}/`, {
    method: 'POST',
    headers: { 'content-type': contentType, ...(target ? { 'x-amz-target': target } : {}) },
    body,
  });
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: JSON.parse(text) as Record<string, unknown> };
}

describe('control-plane errors, as the real service gives them', { timeout: TIMEOUT.suite }, () => {
  let t: TestEmulator;
  before(async () => {
    requireDocker();
    t = await startTestEmulator({ SME_STARTUP_TIMEOUT_SECONDS: '3' });
  });
  after(async () => {
    await stopAndClean(t);
  });

  test('missing resources are ValidationException "Could not find …" with the ARN', { timeout: TIMEOUT.test }, async () => {
    await assert.rejects(t.sm.send(new DescribeModelCommand({ ModelName: 'Nope' })), {
      name: 'ValidationException',
      message: `Could not find model "${arn('model', 'Nope')}".`,
    });
    await assert.rejects(t.sm.send(new DeleteModelCommand({ ModelName: 'nope' })), { name: 'ValidationException' });
    await assert.rejects(t.sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: 'nope' })), {
      name: 'ValidationException',
      message: `Could not find endpoint configuration "${arn('endpoint-config', 'nope')}".`,
    });
    await assert.rejects(t.sm.send(new DeleteEndpointConfigCommand({ EndpointConfigName: 'nope' })), { name: 'ValidationException' });
    await assert.rejects(t.sm.send(new DescribeEndpointCommand({ EndpointName: 'nope' })), {
      name: 'ValidationException',
      message: `Could not find endpoint "${arn('endpoint', 'nope')}".`,
    });
    await assert.rejects(t.sm.send(new DeleteEndpointCommand({ EndpointName: 'nope' })), { name: 'ValidationException' });
    await assert.rejects(t.sm.send(new CreateEndpointCommand({ EndpointName: uniqueName('e'), EndpointConfigName: 'nope' })), {
      name: 'ValidationException',
      message: `Could not find endpoint configuration "${arn('endpoint-config', 'nope')}".`,
    });
    await assert.rejects(
      t.sm.send(
        new CreateEndpointConfigCommand({
          EndpointConfigName: uniqueName('c'),
          ProductionVariants: [{ VariantName: 'v', ModelName: 'no-model', InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }],
        }),
      ),
      { name: 'ValidationException', message: `Could not find model "${arn('model', 'no-model')}".` },
    );
  });

  test('duplicate names (case-insensitive, as the lower-cased ARN implies)', { timeout: TIMEOUT.test }, async () => {
    const model = await createModel(t.sm);
    await assert.rejects(
      t.sm.send(new CreateModelCommand({ ModelName: model.toUpperCase(), PrimaryContainer: { Image: ECHO_IMAGE } })),
      { name: 'ValidationException', message: `Cannot create already existing model "${arn('model', model)}".` },
    );
    const config = uniqueName('c');
    const variants = [{ VariantName: 'v', ModelName: model, InstanceType: 'ml.m5.large' as const, InitialInstanceCount: 1 }];
    await t.sm.send(new CreateEndpointConfigCommand({ EndpointConfigName: config, ProductionVariants: variants }));
    await assert.rejects(t.sm.send(new CreateEndpointConfigCommand({ EndpointConfigName: config, ProductionVariants: variants })), {
      name: 'ValidationException',
      message: `Cannot create already existing endpoint configuration "${arn('endpoint-config', config)}".`,
    });
    const { endpoint, config: c2 } = await createEndpoint(t.sm);
    await assert.rejects(t.sm.send(new CreateEndpointCommand({ EndpointName: endpoint, EndpointConfigName: c2 })), {
      name: 'ValidationException',
      message: `Cannot create already existing endpoint "${arn('endpoint', endpoint)}".`,
    });
    await t.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
  });

  test('constraint violations use the Coral message format, every violation listed', { timeout: TIMEOUT.test }, async () => {
    await assert.rejects(t.sm.send(new DescribeEndpointCommand({ EndpointName: 'bad_name!' })), {
      name: 'ValidationException',
      message:
        "1 validation error detected: Value 'bad_name!' at 'endpointName' failed to satisfy constraint: Member must satisfy regular expression pattern: [a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}",
    });
    const r = await raw(
      t.url,
      'SageMaker.CreateEndpointConfig',
      JSON.stringify({
        EndpointConfigName: 'ok',
        ProductionVariants: [{ VariantName: 'v', ModelName: 'm', InstanceType: 'ml.nope', InitialInstanceCount: 0 }],
      }),
    );
    assert.equal(r.status, 400);
    assert.equal(r.body.__type, 'ValidationException');
    assert.equal(r.headers.get('x-amzn-errortype'), 'ValidationException');
    assert.match(String(r.body.message), /^2 validation errors detected: /);
    assert.match(String(r.body.message), /at 'productionVariants\.1\.member\.initialInstanceCount' failed to satisfy constraint: Member must have value greater than or equal to 1/);
    assert.match(String(r.body.message), /at 'productionVariants\.1\.member\.instanceType' failed to satisfy constraint: Member must satisfy enum value set/);
    const missing = await raw(t.url, 'SageMaker.CreateModel', '{}');
    assert.equal(
      missing.body.message,
      "1 validation error detected: Value null at 'modelName' failed to satisfy constraint: Member must not be null",
    );
    const noContainer = await raw(t.url, 'SageMaker.CreateModel', JSON.stringify({ ModelName: 'x' }));
    assert.equal(noContainer.body.__type, 'ValidationException');
    // The model exists: the request can only fail on the serverless-plus-instance rule.
    const model = await createModel(t.sm);
    const serverlessAndInstance = await raw(
      t.url,
      'SageMaker.CreateEndpointConfig',
      JSON.stringify({
        EndpointConfigName: uniqueName('sc'),
        ProductionVariants: [
          { VariantName: 'v', ModelName: model, InstanceType: 'ml.m5.large', InitialInstanceCount: 1, ServerlessConfig: { MemorySizeInMB: 1024, MaxConcurrency: 1 } },
        ],
      }),
    );
    assert.equal(serverlessAndInstance.status, 400);
    assert.equal(serverlessAndInstance.body.__type, 'ValidationException');
    assert.equal(
      serverlessAndInstance.body.message,
      'Production variant "v" cannot specify InstanceType or InitialInstanceCount together with ServerlessConfig.',
    );
    await t.sm.send(new DeleteModelCommand({ ModelName: model }));
  });

  test('wire-level garbage gets AWS-style JSON errors, never a crash or an HTML page', { timeout: TIMEOUT.test }, async () => {
    const unknown = await raw(t.url, 'SageMaker.CreateTrainingJob', '{}');
    assert.equal(unknown.status, 400);
    assert.equal(unknown.body.__type, 'UnknownOperationException');
    assert.match(String(unknown.body.message), /SageMaker\.CreateTrainingJob/);
    const noTarget = await raw(t.url, undefined, '{}');
    assert.equal(noTarget.body.__type, 'UnknownOperationException');
    const malformed = await raw(t.url, 'SageMaker.ListModels', '{"MaxResults":');
    assert.equal(malformed.status, 400);
    assert.equal(malformed.body.__type, 'SerializationException');
    const notObject = await raw(t.url, 'SageMaker.ListModels', '[1,2]');
    assert.equal(notObject.body.__type, 'SerializationException');
    const wrongType = await raw(t.url, 'SageMaker.ListModels', '{"MaxResults":"ten"}');
    assert.equal(wrongType.body.__type, 'SerializationException');
    const badContentType = await raw(t.url, 'SageMaker.ListModels', '{}', 'text/plain');
    assert.equal(badContentType.status, 400);
    assert.equal(badContentType.body.__type, 'SerializationException');
    const huge = await raw(t.url, 'SageMaker.ListModels', JSON.stringify({ pad: 'x'.repeat(6 * 1024 * 1024) }));
    assert.equal(huge.status, 413);
    assert.match(String(huge.body.message), /^HTTP content length exceeded \d+ bytes\.$/);
    const get = await fetch(`${t.url}/some/path`);
    assert.equal(get.headers.get('content-type'), 'application/x-amz-json-1.1');
    assert.equal(((await get.json()) as Record<string, unknown>).__type, 'UnknownOperationException');
    // …and the emulator still answers.
    const health = await fetch(`${t.url}/health`);
    assert.equal(((await health.json()) as { docker: { reachable: boolean } }).docker.reachable, true);
  });

  test('Failed endpoints: missing image, container exiting at start, health-check timeout', { timeout: TIMEOUT.test }, async () => {
    const cases: [string, Parameters<typeof createEndpoint>[1], RegExp][] = [
      ['missing image', { image: 'sagemaker-emulator/no-such-image:latest' }, /Image "sagemaker-emulator\/no-such-image:latest" was not found locally/],
      ['exit at start', { environment: { EXIT_AT_START: '3' } }, /exited with code 3[\s\S]*model failed to load/],
      ['never healthy', { environment: { PING_STATUS: '500' } }, /did not pass the ping health check within 3 seconds/],
    ];
    await Promise.all(
      cases.map(async ([label, opts, reason]) => {
        const { endpoint } = await createEndpoint(t.sm, { ...opts, wait: false });
        const waited = await waitUntilEndpointInService({ client: t.sm, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { EndpointName: endpoint }).catch(
          (err: Error) => err,
        );
        assert.ok(waited instanceof Error, `${label}: the waiter fails on Failed`);
        const d = await t.sm.send(new DescribeEndpointCommand({ EndpointName: endpoint }));
        assert.equal(d.EndpointStatus, 'Failed', label);
        assert.match(d.FailureReason ?? '', reason, label);
        assert.ok((d.FailureReason ?? '').length <= 1024);
        // DeleteEndpoint is the only operation on a failed endpoint.
        await t.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
      }),
    );
  });

  test('an endpoint that is still creating cannot be deleted', { timeout: TIMEOUT.test }, async () => {
    const { endpoint } = await createEndpoint(t.sm, { environment: { PING_DELAY_MS: '1500' }, wait: false });
    await assert.rejects(t.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint })), {
      name: 'ValidationException',
      message: `Cannot update in-progress endpoint "${arn('endpoint', endpoint)}".`,
    });
    await waitUntilEndpointInService({ client: t.sm, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { EndpointName: endpoint });
    await t.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
  });
});
