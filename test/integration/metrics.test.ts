import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { DeleteEndpointCommand } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { serverlessPricePerSecond } from '../../src/hosting/pricing.js';
import { requireDocker } from '../helpers/docker.js';
import { type TestEmulator, startTestEmulator, stopAndClean } from '../helpers/emulator.js';
import { sample, scrape } from '../helpers/metrics.js';
import { createEndpoint, createServerlessEndpoint } from '../helpers/sagemaker.js';
import { TIMEOUT, pollUntil } from '../helpers/bounded.js';

describe('Prometheus metrics mirror CloudWatch', { timeout: TIMEOUT.suite }, () => {
  let t: TestEmulator;
  const logLines: Record<string, unknown>[] = [];
  before(async () => {
    requireDocker();
    t = await startTestEmulator({ SME_METRICS_SAMPLE_SECONDS: '1' }, undefined, { logLines });
  });
  after(async () => {
    await stopAndClean(t);
  });

  const invoke = (endpoint: string, body: unknown) =>
    t.runtime.send(new InvokeEndpointCommand({ EndpointName: endpoint, Body: Buffer.from(JSON.stringify(body)), ContentType: 'application/json' }));

  test('a known sequence gives exactly those numbers for that endpoint and variant', { timeout: TIMEOUT.test }, async () => {
    const { endpoint } = await createServerlessEndpoint(t.sm, { memory: 2048, maxConcurrency: 2 });
    // k = 3 successes (the first is cold start 1), m = 2 model errors.
    for (let i = 0; i < 3; i++) {
      await invoke(endpoint, { i });
    }
    for (let i = 0; i < 2; i++) {
      await invoke(endpoint, { status: 500, errorText: 'boom' }).catch(() => undefined);
    }
    await invoke(endpoint, { status: 404 }).catch(() => undefined);
    // 2 slow requests in parallel (one warm, one cold start 2), then t = 2 throttled while they run.
    const slow = [invoke(endpoint, { sleepMs: 1500 }), invoke(endpoint, { sleepMs: 1500 })];
    await new Promise((r) => setTimeout(r, 500));
    const throttled = await Promise.all([invoke(endpoint, {}), invoke(endpoint, {})].map((p) => p.then(() => 'ok', (e: Error) => e.name)));
    assert.deepEqual(throttled, ['ThrottlingException', 'ThrottlingException']);
    await Promise.all(slow);

    const text = await scrape(t.url);
    const labels = { endpoint_name: endpoint, variant_name: 'AllTraffic' };
    const value = (name: string) => sample(text, name, labels);
    assert.equal(value('sagemaker_invocations_total'), 8, 'k + m + 1 + 2 requests reached the model');
    assert.equal(value('sagemaker_invocation_model_errors_total'), 3);
    assert.equal(value('sagemaker_invocation_5xx_errors_total'), 2);
    assert.equal(value('sagemaker_invocation_4xx_errors_total'), 1);
    assert.equal(value('sagemaker_throttled_requests_total'), 2);
    assert.equal(value('sagemaker_cold_starts_total'), 2);
    assert.equal(value('sagemaker_model_setup_time_seconds_count'), 2);
    assert.equal(value('sagemaker_model_latency_seconds_count'), 8);
    assert.equal(value('sagemaker_overhead_latency_seconds_count'), 8);
    assert.ok((value('sagemaker_overhead_latency_seconds_sum') ?? 0) >= (value('sagemaker_model_setup_time_seconds_sum') ?? 0) * 0.9,
      'OverheadLatency includes the cold-start time');
    assert.equal(value('sagemaker_concurrent_requests'), 0);
    assert.equal(value('sagemaker_serverless_concurrent_executions_utilization'), 0);
    assert.equal(sample(text, 'sagemaker_containers', { ...labels, state: 'ready' }), 2);
    assert.match(text, /# HELP sagemaker_model_latency_seconds CloudWatch ModelLatency/);
    assert.match(text, /process_cpu_seconds_total/);

    // Cost, by hand: each request's model time rounded up to the ms, at 2048 MB's price per second.
    const cost = value('sagemaker_estimated_cost_usd_total') ?? 0;
    const billedSeconds = value('sagemaker_model_latency_seconds_sum') ?? 0;
    const perSecond = serverlessPricePerSecond(2048);
    assert.equal(perSecond, 0.00004);
    assert.ok(cost >= billedSeconds * perSecond - 1e-12, `${cost} ≥ ${billedSeconds} s × ${perSecond}`);
    assert.ok(cost <= (billedSeconds + 8 * 0.001) * perSecond + 1e-12, 'at most 1 ms rounding per request');

    await t.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
    await pollUntil('a deleted endpoint’s series to disappear', async () => !(await scrape(t.url)).includes(`endpoint_name="${endpoint}"`), {
      timeoutMs: 10_000,
    });
  });

  test('provisioned cost accrues as instance-seconds × the hourly price', { timeout: TIMEOUT.test }, async () => {
    const { endpoint } = await createEndpoint(t.sm, { instanceCount: 2, variant: { InstanceType: 'ml.m5.large' } });
    const labels = { endpoint_name: endpoint, variant_name: 'AllTraffic' };
    await invoke(endpoint, {});
    const t1 = Date.now();
    const c1 = sample(await scrape(t.url), 'sagemaker_estimated_cost_usd_total', labels) ?? 0;
    await new Promise((r) => setTimeout(r, 1500));
    const c2 = sample(await scrape(t.url), 'sagemaker_estimated_cost_usd_total', labels) ?? 0;
    const t2 = Date.now();
    // 2 instances × elapsed seconds × USD 0.115 per hour; the scrapes bracket the elapsed time.
    const perSecond = (2 * 0.115) / 3600;
    assert.ok(c2 - c1 > 0);
    assert.ok(c2 - c1 <= ((t2 - t1) / 1000) * perSecond * 1.0001, `${c2 - c1} ≤ ${((t2 - t1) / 1000) * perSecond}`);
    assert.ok(c2 - c1 >= 1.4 * perSecond, `${c2 - c1} ≥ 1.4 s of two instances`);
    assert.equal(sample(await scrape(t.url), 'sagemaker_invocations_per_instance_total', labels), 0.5);
    // CPU and memory are sampled from Docker every second here (SME_METRICS_SAMPLE_SECONDS=1).
    const memory = await pollUntil(
      'a memory utilisation sample',
      async () => {
        const m = sample(await scrape(t.url), 'sagemaker_memory_utilization_percent', labels) ?? 0;
        return m > 0 && m;
      },
      { timeoutMs: 10_000, intervalMs: 250 },
    );
    assert.ok(memory < 100, `memory utilisation ${memory}%`);
    // One container keeps a core busy for 5 s: a few samples see it (averaged over the two instances).
    const cpuSamples: number[] = [];
    const burn = invoke(endpoint, { burnMs: 5000 });
    try {
      const busy = await pollUntil(
        'a CPU utilisation sample above 0 while a container burns CPU',
        async () => {
          const cpu = sample(await scrape(t.url), 'sagemaker_cpu_utilization_percent', labels) ?? 0;
          cpuSamples.push(cpu);
          return cpu > 10 && cpu;
        },
        { timeoutMs: 4500, intervalMs: 250 },
      ).catch((e: Error) => assert.fail(`${e.message}; samples: ${cpuSamples.join(', ')}`));
      assert.ok(busy <= 100 * 2, `CPU utilisation ${busy}% (100 per core)`);
    } finally {
      await burn.catch(() => undefined);
    }
    await t.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
  });

  test('container stdout and stderr are in the emulator log, labelled with endpoint, variant and container', { timeout: TIMEOUT.test }, async () => {
    const { endpoint } = await createEndpoint(t.sm);
    await invoke(endpoint, { hello: 'logs' });
    const fromContainer = () => logLines.filter((l) => l.endpoint === endpoint && typeof l.container === 'string' && l.stream);
    // Container output reaches the log through Docker's attach stream, after the answer: wait for the
    // invocation line itself, not for a count of lines (start-up may print more than one).
    const isInvocation = (l: (typeof logLines)[number]) => String(l.msg).includes('"event":"invocation"');
    const lines = await pollUntil(
      'the container’s start-up and invocation lines in the log',
      () => fromContainer().length >= 2 && fromContainer().some(isInvocation) && fromContainer(),
      { timeoutMs: 10_000, intervalMs: 50 },
    );
    assert.ok(lines.every((l) => l.variant === 'AllTraffic' && /^i-[0-9a-f]+$/.test(String(l.instance))));
    const requestLines = logLines.filter((l) => l.endpoint === endpoint && l.msg === 'endpoint in service');
    assert.equal(requestLines.length, 1);
    await t.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
  });
});
