import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { CloudWatchClient, GetMetricDataCommand, GetMetricStatisticsCommand, ListMetricsCommand } from '@aws-sdk/client-cloudwatch';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { AwsQueryProtocol, AwsSmithyRpcV2CborProtocol } from '@aws-sdk/core/protocols';
import { pollUntil, TIMEOUT } from '../helpers/bounded.js';
import { ECHO_IMAGE, requireDocker } from '../helpers/docker.js';
import { credentials, startTestEmulator, stopAndClean, type TestEmulator } from '../helpers/emulator.js';
import { clientEnv, PYTHON_DIR, run } from '../helpers/external-clients.js';
import { createEndpoint } from '../helpers/sagemaker.js';

/**
 * CloudWatch's read side over real invocations of a real container, read by
 * real clients in the three protocols: boto3 and the AWS CLI (AWS JSON 1.0,
 * what they send by default), the JS SDK in JSON 1.0 (its default in
 * 3.1162), smithy RPC v2 CBOR (the model's first protocol, which newer SDKs
 * choose) and query.
 * With SME_METRIC_PERIOD_SECONDS=1 the test's window holds a few periods; the
 * sum over it must be exactly the invocations made in it.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Boto3Report {
  invocations: { sum: number; datapoints: number; units: string[]; label: string; timestampType: string | null };
  wholeWindowSum: number;
  modelLatency: { SampleCount: number; Average: number; Maximum: number; Unit: string }[];
  percentiles: Record<string, number>[];
  listed: string[];
  metricData: { id: string; label: string; sum: number; status: string };
  reversedWindow: { error?: { Error: { Code: string; Message: string }; HTTPStatusCode: number } };
  noStatistics: { error?: { Error: { Code: string; Message: string }; HTTPStatusCode: number } };
}

describe('CloudWatch read side over real invocations', { timeout: TIMEOUT.suite }, () => {
  let te: TestEmulator;
  /** The JS SDK in each protocol it can speak. */
  let clients: { name: string; cw: CloudWatchClient }[];
  let cw: CloudWatchClient;
  let endpoint: string;
  let scratch: string;
  /** The window of the invocations, in whole epoch seconds, and how many were made in it. */
  let window: { start: number; end: number; made: number; failed: number };

  before(async () => {
    requireDocker(ECHO_IMAGE);
    te = await startTestEmulator({ SME_METRIC_PERIOD_SECONDS: '1' });
    const clientConfig = { endpoint: te.url, region: 'us-east-1', credentials, maxAttempts: 1 };
    cw = new CloudWatchClient(clientConfig);
    clients = [
      { name: 'JSON 1.0', cw },
      { name: 'RPC v2 CBOR', cw: new CloudWatchClient({ ...clientConfig, protocol: AwsSmithyRpcV2CborProtocol }) },
      { name: 'query', cw: new CloudWatchClient({ ...clientConfig, protocol: AwsQueryProtocol }) },
    ];
    scratch = mkdtempSync(path.join(os.tmpdir(), 'sme-cw-'));
    ({ endpoint } = await createEndpoint(te.sm));
    // The window starts on a whole second, so that its periods are whole.
    const start = Math.ceil(Date.now() / 1000) + 1;
    await sleep(start * 1000 - Date.now());
    let made = 0;
    let failed = 0;
    for (let i = 0; i < 23; i++) {
      // Every fifth request makes the model answer 500: still an invocation, and a 5XX error.
      const body = i % 5 === 4 ? { status: 500 } : { n: i };
      try {
        await te.runtime.send(new InvokeEndpointCommand({ EndpointName: endpoint, ContentType: 'application/json', Body: JSON.stringify(body) }));
      } catch {
        failed++;
      }
      made++;
      if (i % 8 === 7) {
        await sleep(400); // spread over a few periods
      }
    }
    const end = Math.ceil(Date.now() / 1000) + 1;
    await sleep(end * 1000 - Date.now() + 300);
    window = { start, end, made, failed };
  });

  after(async () => {
    for (const c of clients) {
      c.cw.destroy();
    }
    rmSync(scratch, { recursive: true, force: true });
    await stopAndClean(te);
  });

  test('boto3 (JSON 1.0): get_metric_statistics sums exactly the invocations of the window', { timeout: TIMEOUT.long }, async () => {
    const r = await run('python3', [path.join(PYTHON_DIR, 'cloudwatch_boto3.py'), endpoint, String(window.start), String(window.end)], clientEnv(te.url, scratch));
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Boto3Report;
    assert.equal(window.failed, 4);
    assert.equal(out.invocations.sum, window.made);
    assert.equal(out.wholeWindowSum, window.made);
    assert.deepEqual(out.invocations.units, ['None']);
    assert.equal(out.invocations.label, 'Invocations');
    assert.equal(out.invocations.timestampType, 'datetime');
    assert.equal(out.modelLatency.length, 1);
    const latency = out.modelLatency[0]!;
    assert.equal(latency.Unit, 'Microseconds');
    assert.equal(latency.SampleCount, window.made);
    // The echo model answers in well under a second and over 10 µs: the unit is microseconds, not seconds or ms.
    assert.ok(latency.Average > 10 && latency.Average < 1e6, `ModelLatency average ${latency.Average}`);
    assert.ok(latency.Maximum >= latency.Average);
    assert.ok(out.percentiles[0]!.p50! <= out.percentiles[0]!.p99!);
    for (const m of ['Invocations', 'InvocationsPerInstance', 'Invocation5XXErrors', 'ModelLatency', 'OverheadLatency']) {
      assert.ok(out.listed.includes(m), `${m} listed: ${out.listed.join(', ')}`);
    }
    assert.deepEqual(out.metricData, { id: 'total', label: 'all', sum: window.made, status: 'Complete' });
    assert.equal(out.reversedWindow.error?.Error.Code, 'InvalidParameterValue');
    assert.equal(out.reversedWindow.error?.HTTPStatusCode, 400);
    assert.equal(out.noStatistics.error?.Error.Code, 'InvalidParameterCombination');
  });

  test('the AWS CLI: get-metric-statistics gives the same sum, and the 5XX errors', { timeout: TIMEOUT.long }, async () => {
    const iso = (s: number) => new Date(s * 1000).toISOString();
    const stats = async (metric: string) => {
      const r = await run(
        'aws',
        [
          'cloudwatch', 'get-metric-statistics', '--namespace', 'AWS/SageMaker', '--metric-name', metric,
          '--dimensions', `Name=EndpointName,Value=${endpoint}`, 'Name=VariantName,Value=AllTraffic',
          '--start-time', iso(window.start), '--end-time', iso(window.end), '--period', '1', '--statistics', 'Sum', '--output', 'json',
        ],
        clientEnv(te.url, scratch),
      );
      assert.equal(r.code, 0, r.stderr);
      return (JSON.parse(r.stdout) as { Datapoints: { Sum: number }[] }).Datapoints.reduce((n, d) => n + d.Sum, 0);
    };
    assert.equal(await stats('Invocations'), window.made);
    assert.equal(await stats('Invocation5XXErrors'), window.failed);
    assert.equal(await stats('InvocationModelErrors'), window.failed);
  });

  test('the JS SDK in JSON 1.0, RPC v2 CBOR and query: GetMetricStatistics, GetMetricData and ListMetrics', { timeout: TIMEOUT.test }, async (t) => {
    for (const { name, cw } of clients) {
      await t.test(name, () => jsSdkReads(cw));
    }
  });

  async function jsSdkReads(cw: CloudWatchClient): Promise<void> {
    const Dimensions = [
      { Name: 'EndpointName', Value: endpoint },
      { Name: 'VariantName', Value: 'AllTraffic' },
    ];
    const StartTime = new Date(window.start * 1000);
    const EndTime = new Date(window.end * 1000);
    const stats = await cw.send(
      new GetMetricStatisticsCommand({ Namespace: 'AWS/SageMaker', MetricName: 'Invocations', Dimensions, StartTime, EndTime, Period: 1, Statistics: ['Sum'] }),
    );
    assert.equal(stats.Datapoints!.reduce((n, d) => n + d.Sum!, 0), window.made);
    assert.ok(stats.Datapoints!.every((d) => d.Timestamp instanceof Date && d.Timestamp.getTime() >= StartTime.getTime()));
    const data = await cw.send(
      new GetMetricDataCommand({
        StartTime,
        EndTime,
        MetricDataQueries: [
          { Id: 'inv', MetricStat: { Metric: { Namespace: 'AWS/SageMaker', MetricName: 'Invocations', Dimensions }, Period: 1, Stat: 'Sum' } },
          { Id: 'err', MetricStat: { Metric: { Namespace: 'AWS/SageMaker', MetricName: 'Invocation5XXErrors', Dimensions }, Period: 1, Stat: 'Sum' } },
          { Id: 'ok', Expression: 'inv - err' },
        ],
      }),
    );
    const sum = (id: string) => data.MetricDataResults!.find((r) => r.Id === id)!.Values!.reduce((n, v) => n + v, 0);
    assert.equal(sum('inv'), window.made);
    assert.equal(sum('err'), window.failed);
    assert.equal(sum('ok'), window.made - window.failed);
    const listed = await pollUntil('ListMetrics to list the endpoint', async () => {
      const out = await cw.send(new ListMetricsCommand({ Namespace: 'AWS/SageMaker', MetricName: 'Invocations' }));
      return out.Metrics?.find((m) => m.Dimensions?.some((d) => d.Value === endpoint));
    });
    assert.deepEqual(
      [...listed.Dimensions!].sort((a, b) => a.Name!.localeCompare(b.Name!)),
      Dimensions,
    );
  }

  test('an idle InService variant publishes 0 invocations per period, as SageMaker does', { timeout: TIMEOUT.test }, async () => {
    const idleStart = Math.ceil(Date.now() / 1000) + 1;
    await sleep(idleStart * 1000 - Date.now() + 3300);
    const stats = await cw.send(
      new GetMetricStatisticsCommand({
        Namespace: 'AWS/SageMaker',
        MetricName: 'Invocations',
        Dimensions: [
          { Name: 'EndpointName', Value: endpoint },
          { Name: 'VariantName', Value: 'AllTraffic' },
        ],
        StartTime: new Date(idleStart * 1000),
        EndTime: new Date((idleStart + 3) * 1000),
        Period: 1,
        Statistics: ['Sum', 'SampleCount'],
      }),
    );
    assert.equal(stats.Datapoints!.length, 3);
    assert.ok(stats.Datapoints!.every((d) => d.Sum === 0 && d.SampleCount === 1));
  });
});
