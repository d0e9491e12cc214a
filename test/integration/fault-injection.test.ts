import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import {
  AddTagsCommand,
  CreateEndpointConfigCommand,
  DeleteTagsCommand,
  DescribeEndpointCommand,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, InvokeEndpointWithResponseStreamCommand } from '@aws-sdk/client-sagemaker-runtime';
import { CloudWatchClient, GetMetricStatisticsCommand } from '@aws-sdk/client-cloudwatch';
import { TIMEOUT } from '../helpers/bounded.js';
import { requireDocker } from '../helpers/docker.js';
import { type TestEmulator, credentials, startTestEmulator, stopAndClean, uniqueName } from '../helpers/emulator.js';
import { PYTHON_DIR, clientEnv, run } from '../helpers/external-clients.js';
import { createEndpoint, createModel } from '../helpers/sagemaker.js';

type ServiceError = Error & { $metadata: { httpStatusCode?: number }; OriginalStatusCode?: number; OriginalMessage?: string; LogStreamArn?: string };

describe('fault injection tags (sme:fault-*)', { timeout: TIMEOUT.suite }, () => {
  let t: TestEmulator;
  let endpoint: string;
  let arn: string;
  let scratch: string;
  /** What the test injected, to compare with the metrics scrape at the end. */
  const injected = new Map<string, number>();
  const count = (fault: string, n = 1) => injected.set(fault, (injected.get(fault) ?? 0) + n);

  before(async () => {
    requireDocker();
    t = await startTestEmulator();
    scratch = mkdtempSync(path.join(os.tmpdir(), 'sme-faults-'));
    ({ endpoint } = await createEndpoint(t.sm));
    arn = (await t.sm.send(new DescribeEndpointCommand({ EndpointName: endpoint }))).EndpointArn!;
  });
  after(async () => {
    await stopAndClean(t);
    rmSync(scratch, { recursive: true, force: true });
  });

  const setFaults = (tags: Record<string, string>) =>
    t.sm.send(new AddTagsCommand({ ResourceArn: arn, Tags: Object.entries(tags).map(([Key, Value]) => ({ Key, Value })) }));
  const clearFaults = () =>
    t.sm.send(new DeleteTagsCommand({ ResourceArn: arn, TagKeys: ['sme:fault-error-rate', 'sme:fault-error-code', 'sme:fault-latency-ms'] }));
  const invoke = () => t.runtime.send(new InvokeEndpointCommand({ EndpointName: endpoint, Body: Buffer.from('{"x":1}'), ContentType: 'application/json' }));
  const invokeError = async (): Promise<ServiceError> => {
    const err = await invoke().then(
      () => assert.fail('expected an injected error'),
      (e: unknown) => e as ServiceError,
    );
    assert.ok('$metadata' in err, `expected a service error, got ${err.message}`);
    return err;
  };

  test('bad tag values are refused with ValidationException at CreateEndpointConfig and AddTags', { timeout: TIMEOUT.test }, async () => {
    const model = await createModel(t.sm);
    const refused = await t.sm
      .send(
        new CreateEndpointConfigCommand({
          EndpointConfigName: uniqueName('config'),
          ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: model, InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }],
          Tags: [{ Key: 'sme:fault-error-rate', Value: '2' }],
        }),
      )
      .then(
        () => assert.fail('expected ValidationException'),
        (e: unknown) => e as ServiceError,
      );
    assert.equal(refused.name, 'ValidationException');
    assert.equal(refused.$metadata.httpStatusCode, 400);
    assert.equal(refused.message, 'Tag sme:fault-error-rate must be a number from 0 to 1; got "2".');
    const badCode = await setFaults({ 'sme:fault-error-code': 'ModelError:200' }).then(
      () => assert.fail('expected ValidationException'),
      (e: unknown) => e as ServiceError,
    );
    assert.equal(badCode.name, 'ValidationException');
    assert.match(badCode.message, /^Tag sme:fault-error-code must be ThrottlingException, ServiceUnavailable, InternalFailure or ModelError/);
  });

  test('rate 1: each code answers its exact wire error, live after AddTags, gone after DeleteTags', { timeout: TIMEOUT.test }, async () => {
    assert.equal((await invoke()).$metadata.httpStatusCode, 200);

    await setFaults({ 'sme:fault-error-rate': '1', 'sme:fault-error-code': 'ThrottlingException' });
    const throttled = await invokeError();
    count('ThrottlingException');
    assert.equal(throttled.name, 'ThrottlingException');
    assert.equal(throttled.$metadata.httpStatusCode, 400);

    await setFaults({ 'sme:fault-error-code': 'ModelError:503' });
    const model = await invokeError();
    count('ModelError:503');
    assert.equal(model.name, 'ModelError');
    assert.equal(model.$metadata.httpStatusCode, 424);
    assert.equal(model.OriginalStatusCode, 503);
    assert.equal(model.OriginalMessage, 'Fault injected by the sme:fault-error-rate tag.');
    assert.match(model.message, /^Received server error \(503\) from primary with message "Fault injected/);
    assert.match(model.LogStreamArn ?? '', /^arn:aws:logs:us-east-1:123456789012:log-group:\/aws\/sagemaker\/Endpoints\/.+:log-stream:AllTraffic\/i-[0-9a-f]+$/);

    await setFaults({ 'sme:fault-error-code': 'ServiceUnavailable' });
    const unavailable = await invokeError();
    count('ServiceUnavailable');
    assert.equal(unavailable.name, 'ServiceUnavailable');
    assert.equal(unavailable.$metadata.httpStatusCode, 503);

    await setFaults({ 'sme:fault-error-code': 'InternalFailure' });
    const internal = await invokeError();
    count('InternalFailure');
    assert.equal(internal.name, 'InternalFailure');
    assert.equal(internal.$metadata.httpStatusCode, 500);

    // The streaming operation injects the same way.
    await setFaults({ 'sme:fault-error-code': 'ThrottlingException' });
    const streamed = await t.runtime
      .send(new InvokeEndpointWithResponseStreamCommand({ EndpointName: endpoint, Body: Buffer.from('{}'), ContentType: 'application/json' }))
      .then(
        () => assert.fail('expected ThrottlingException'),
        (e: unknown) => e as ServiceError,
      );
    count('ThrottlingException');
    assert.equal(streamed.name, 'ThrottlingException');
    assert.equal(streamed.$metadata.httpStatusCode, 400);

    await clearFaults();
    assert.equal((await invoke()).$metadata.httpStatusCode, 200);
  });

  test('rate 0.5 over 200 requests fails about half of them', { timeout: TIMEOUT.long }, async () => {
    await setFaults({ 'sme:fault-error-rate': '0.5', 'sme:fault-error-code': 'ServiceUnavailable' });
    let failed = 0;
    let answered = 0;
    try {
      for (let i = 0; i < 200; i++) {
        await invoke().then(
          () => answered++,
          (e: unknown) => {
            assert.equal((e as ServiceError).name, 'ServiceUnavailable');
            failed++;
          },
        );
      }
    } finally {
      await clearFaults();
    }
    count('ServiceUnavailable', failed);
    console.log(`rate 0.5: ${failed} of 200 failed, ${answered} answered`);
    // Binomial(200, 0.5): sd ≈ 7; 60..140 is more than 5 sd either side.
    assert.ok(failed >= 60 && failed <= 140, `${failed} of 200 failed`);
  });

  test('sme:fault-latency-ms delays every request by at least that long', { timeout: TIMEOUT.test }, async () => {
    await setFaults({ 'sme:fault-latency-ms': '400' });
    try {
      for (let i = 0; i < 3; i++) {
        const started = performance.now();
        assert.equal((await invoke()).$metadata.httpStatusCode, 200);
        const ms = performance.now() - started;
        console.log(`latency tag 400 ms: request took ${ms.toFixed(0)} ms`);
        assert.ok(ms >= 400, `took ${ms} ms`);
        count('latency');
      }
    } finally {
      await clearFaults();
    }
  });

  test("boto3's standard retry mode retries the injected ThrottlingException", { timeout: TIMEOUT.long }, async () => {
    await setFaults({ 'sme:fault-error-rate': '1', 'sme:fault-error-code': 'ThrottlingException' });
    try {
      const r = await run('python3', [path.join(PYTHON_DIR, 'fault_retry_boto3.py'), endpoint], clientEnv(t.url, scratch));
      assert.equal(r.code, 0, r.stderr);
      const out = JSON.parse(r.stdout) as { code: string; status: number; retryAttempts: number };
      // botocore's `max_attempts` counts retries after the first call (`total_max_attempts` would count all): 1 + 3 calls.
      assert.deepEqual(out, { code: 'ThrottlingException', status: 400, retryAttempts: 3 });
      count('ThrottlingException', 4);
    } finally {
      await clearFaults();
    }
  });

  test('the metrics scrape counts the injected faults and their error classes', { timeout: TIMEOUT.test }, async () => {
    const text = await (await fetch(`${t.url}/metrics`)).text();
    const value = (name: string, extra = '') => {
      const m = new RegExp(`^${name}\\{endpoint_name="${endpoint}",variant_name="AllTraffic"${extra}\\} (\\S+)$`, 'm').exec(text);
      return m ? Number(m[1]) : 0;
    };
    for (const [fault, n] of injected) {
      assert.equal(value('sagemaker_injected_faults_total', `,fault="${fault}"`), n, fault);
    }
    const throttles = injected.get('ThrottlingException') ?? 0;
    const fiveXx = (injected.get('ServiceUnavailable') ?? 0) + (injected.get('InternalFailure') ?? 0) + (injected.get('ModelError:503') ?? 0);
    assert.equal(value('sagemaker_invocation_4xx_errors_total'), throttles);
    assert.equal(value('sagemaker_invocation_5xx_errors_total'), fiveXx);
    assert.equal(value('sagemaker_invocation_model_errors_total'), injected.get('ModelError:503') ?? 0);
    // CloudWatch's datapoints count them the same way: a throttle is a 4XX error, not a model error.
    const cw = new CloudWatchClient({ endpoint: t.url, region: 'us-east-1', credentials });
    const sum = async (metric: string) => {
      const r = await cw.send(
        new GetMetricStatisticsCommand({
          Namespace: 'AWS/SageMaker',
          MetricName: metric,
          Dimensions: [
            { Name: 'EndpointName', Value: endpoint },
            { Name: 'VariantName', Value: 'AllTraffic' },
          ],
          StartTime: new Date(Date.now() - 3_600_000),
          EndTime: new Date(Date.now() + 120_000),
          Period: 60,
          Statistics: ['Sum'],
        }),
      );
      return (r.Datapoints ?? []).reduce((a, d) => a + (d.Sum ?? 0), 0);
    };
    assert.equal(await sum('Invocation4XXErrors'), throttles);
    assert.equal(await sum('Invocation5XXErrors'), fiveXx);
    assert.equal(await sum('InvocationModelErrors'), injected.get('ModelError:503') ?? 0);
    console.log(`injected: ${JSON.stringify(Object.fromEntries(injected))}; invocations ${value('sagemaker_invocations_total')}`);
  });
});
