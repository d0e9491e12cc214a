import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  DescribeEndpointCommand,
  ListEndpointsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import type { Page } from 'playwright-core';
import { createAsyncEndpoint, createBucket, s3Client } from '../helpers/async-endpoint.js';
import { pollUntil, TIMEOUT } from '../helpers/bounded.js';
import { type ConsoleBrowser, launchBrowser } from '../helpers/browser.js';
import { ECHO_IMAGE, managedContainers, requireDocker } from '../helpers/docker.js';
import { credentials, startTestEmulator, stopAndClean, type TestEmulator, uniqueName } from '../helpers/emulator.js';
import { createMultiModelEndpoint, MULTI_MODEL_IMAGE, uploadModels } from '../helpers/multi-model.js';
import { createEndpoint, createModel, createServerlessEndpoint } from '../helpers/sagemaker.js';

/** A serverless endpoint, not waited for (it is InService without a container). */
async function startServerlessEndpoint(sm: SageMakerClient): Promise<string> {
  const model = await createModel(sm);
  const config = uniqueName('config');
  const ServerlessConfig = { MemorySizeInMB: 1024, MaxConcurrency: 1 };
  await sm.send(new CreateEndpointConfigCommand({ EndpointConfigName: config, ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: model, ServerlessConfig }] }));
  const endpoint = uniqueName('perf');
  await sm.send(new CreateEndpointCommand({ EndpointName: endpoint, EndpointConfigName: config }));
  return endpoint;
}

/** Long enough for a few 2 s polls of the page, short enough to fail fast. */
const UI_WAIT = 30_000;

/**
 * The console's Endpoints views in a real browser against a real emulator
 * with real containers: what the list and the detail page show is checked
 * against state made through the API, and the actions against what the API
 * then describes. SME_METRIC_PERIOD_SECONDS=1, so the charts fill at once.
 */
describe('console: the Endpoints views', { timeout: TIMEOUT.suite }, () => {
  let te: TestEmulator;
  let browser: ConsoleBrowser;
  let euWest: SageMakerClient;
  /** A provisioned endpoint (1 instance), a serverless one, an async one and a serverless one in eu-west-1. */
  let provisioned: string;
  let serverless: string;
  let asynchronous: string;
  let elsewhere: string;
  /** A bucket of the embedded S3: async outputs, multi-model models. */
  let bucket: string;

  before(async () => {
    requireDocker(ECHO_IMAGE, MULTI_MODEL_IMAGE);
    te = await startTestEmulator({ SME_METRIC_PERIOD_SECONDS: '1' });
    browser = await launchBrowser();
    euWest = new SageMakerClient({ endpoint: te.url, region: 'eu-west-1', credentials, maxAttempts: 1 });
    const s3 = s3Client(te.url);
    bucket = await createBucket(s3, 'console');
    s3.destroy();
    [{ endpoint: provisioned }, { endpoint: serverless }, { endpoint: asynchronous }, { endpoint: elsewhere }] = await Promise.all([
      createEndpoint(te.sm),
      createServerlessEndpoint(te.sm, { memory: 2048, maxConcurrency: 3 }),
      createAsyncEndpoint(te.sm, { OutputConfig: { S3OutputPath: `s3://${bucket}/out/` } }),
      createServerlessEndpoint(euWest, { memory: 1024, maxConcurrency: 2 }),
    ]);
  });

  after(async () => {
    await browser?.close();
    euWest?.destroy();
    await stopAndClean(te);
  });

  const row = (page: Page, name: string) => page.locator(`[data-testid="endpoint-row"][data-endpoint="${name}"]`);
  const cell = (page: Page, name: string, testid: string) => row(page, name).locator(`[data-testid="${testid}"]`).first();

  test('the list shows each endpoint as the API made it: status, type, variant, capacity, region', { timeout: TIMEOUT.test }, async () => {
    const page = await browser.open(`${te.url}/console/`);
    assert.equal(await row(page, provisioned).getAttribute('data-status'), 'InService');
    assert.equal(await cell(page, provisioned, 'type').textContent(), 'provisioned');
    assert.equal(await cell(page, provisioned, 'variant').textContent(), 'AllTraffic');
    assert.equal(await cell(page, provisioned, 'weight').textContent(), '1');
    assert.equal(await cell(page, provisioned, 'capacity').textContent(), 'ml.m5.large × 1/1');
    assert.equal(await cell(page, serverless, 'type').textContent(), 'serverless');
    assert.equal(await cell(page, serverless, 'capacity').textContent(), 'serverless 2048 MB, max 3');
    assert.equal(await cell(page, asynchronous, 'type').textContent(), 'async');
    assert.equal(await cell(page, provisioned, 'status').textContent(), 'InService');
    // The default region is not shown; another one is, and the link carries it.
    assert.equal(await row(page, provisioned).locator('[data-testid="region"]').count(), 0);
    assert.equal(await cell(page, elsewhere, 'region').textContent(), 'eu-west-1');
    assert.equal(await cell(page, elsewhere, 'endpoint-link').getAttribute('href'), `/console/endpoints/${elsewhere}?region=eu-west-1`);
    // A provisioned instance costs by the second: the list reads the Prometheus counter.
    assert.ok(Number(await cell(page, provisioned, 'cost').getAttribute('data-usd')) > 0);
    await browser.screenshot(page, 'endpoints');
    await page.close();
    assert.deepEqual(browser.problems, []);
  });

  test('a new endpoint appears and goes from Creating to InService without a reload', { timeout: TIMEOUT.test }, async () => {
    const page = await browser.open(`${te.url}/console/`);
    // Survives only if the page is never reloaded.
    await page.evaluate('window.notReloaded = true');
    // The echo model delays its first /ping 200: the endpoint stays Creating across a few polls.
    const { endpoint } = await createEndpoint(te.sm, { environment: { PING_DELAY_MS: '5000' }, wait: false });
    await row(page, endpoint).and(page.locator('[data-status="Creating"]')).waitFor({ timeout: UI_WAIT });
    await row(page, endpoint).and(page.locator('[data-status="InService"]')).waitFor({ timeout: UI_WAIT });
    assert.equal(await page.evaluate('window.notReloaded'), true);
    await page.close();
    assert.deepEqual(browser.problems, []);
  });

  test('a Failed endpoint shows its FailureReason in the list (line and tooltip) and in full on its page', { timeout: TIMEOUT.test }, async () => {
    const { endpoint } = await createEndpoint(te.sm, { environment: { EXIT_AT_START: '3' }, wait: false });
    await pollUntil(
      'the endpoint Failed',
      async () => (await te.sm.send(new DescribeEndpointCommand({ EndpointName: endpoint }))).EndpointStatus === 'Failed',
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    const { FailureReason } = await te.sm.send(new DescribeEndpointCommand({ EndpointName: endpoint }));
    const page = await browser.open(`${te.url}/console/`);
    assert.equal(await cell(page, endpoint, 'status').getAttribute('title'), FailureReason);
    assert.match((await cell(page, endpoint, 'failure-reason').textContent()) ?? '', /exited with code 3/);
    await page.goto(`${te.url}/console/endpoints/${endpoint}`);
    assert.equal(await page.locator('[data-testid="failure-full"]').textContent(), FailureReason);
    await page.close();
    assert.deepEqual(browser.problems, []);
  });

  test('a multi-model endpoint: the invoke form names the target model, and the container lists it as loaded', { timeout: TIMEOUT.test }, async () => {
    const s3 = s3Client(te.url);
    const prefix = await uploadModels(s3, bucket, 'mme/', { 'a.tar.gz': { answer: 'from a' } });
    s3.destroy();
    const { endpoint } = await createMultiModelEndpoint(te.sm, { prefix });
    const page = await browser.open(`${te.url}/console/endpoints/${endpoint}`);
    assert.equal(await page.locator('[data-testid="endpoint-live"] [data-testid="type"]').textContent(), 'multi-model');
    assert.equal(await page.locator('[data-testid="loaded-models"]').textContent(), '—');
    await page.fill('#invoke-target-model', 'a.tar.gz');
    await page.click('[data-testid="invoke-submit"]');
    await page.locator('#invoke-result[data-status]').waitFor({ timeout: UI_WAIT });
    assert.equal(await page.locator('[data-testid="invoke-status"]').textContent(), '200');
    assert.match((await page.locator('[data-testid="invoke-body"]').textContent()) ?? '', /from a/);
    await page.locator('[data-testid="loaded-models"]', { hasText: 'a.tar.gz' }).waitFor({ timeout: UI_WAIT });
    await page.close();
    assert.deepEqual(browser.problems, []);
  });

  test('the detail page: summary, containers, charts drawn after invocations, the log tail', { timeout: TIMEOUT.test }, async () => {
    for (let i = 0; i < 5; i++) {
      await te.runtime.send(new InvokeEndpointCommand({ EndpointName: provisioned, ContentType: 'application/json', Body: JSON.stringify({ i }) }));
    }
    const page = await browser.open(`${te.url}/console/endpoints/${provisioned}`);
    assert.equal(await page.locator('[data-testid="endpoint-name"]').textContent(), provisioned);
    assert.equal(await page.locator('[data-testid="endpoint-live"] [data-testid="status"]').textContent(), 'InService');
    const { EndpointConfigName } = await te.sm.send(new DescribeEndpointCommand({ EndpointName: provisioned }));
    assert.equal(await page.locator('[data-testid="config-name"]').textContent(), EndpointConfigName);
    // One container, Ready, the one Docker runs for this endpoint.
    const containers = page.locator('[data-testid="container"]');
    assert.equal(await containers.count(), 1);
    assert.equal(await containers.locator('[data-testid="container-state"]').textContent(), 'Ready');
    const [dockerId] = managedContainers(te.stateDir, provisioned);
    assert.equal(await containers.locator('[data-testid="container-id"]').textContent(), dockerId!.slice(0, 12));
    // Every chart is drawn (uPlot puts a canvas in it).
    for (const chart of ['invocations', 'latency', 'concurrency', 'coldstarts']) {
      await page.locator(`[data-testid="chart-${chart}"] canvas`).waitFor({ timeout: UI_WAIT });
    }
    const series = (await (await fetch(`${te.url}/console/endpoints/${provisioned}/metrics.json?metric=invocations`)).json()) as {
      x: number[];
      series: { label: string; values: (number | null)[] }[];
    };
    assert.equal(series.series[0]!.label, 'AllTraffic');
    assert.equal(series.series[0]!.values.reduce<number>((n, v) => n + (v ?? 0), 0), 5);
    // The echo model logs each invocation; the tail shows the container's own lines.
    assert.match((await page.locator('[data-testid="log-tail"]').textContent()) ?? '', /"event":"invocation"/);
    await browser.screenshot(page, 'endpoint-detail');
    // The list counts them too: the last 60 s of Invocations, no model error.
    await page.goto(`${te.url}/console/`);
    assert.equal(Number(await cell(page, provisioned, 'invocations').getAttribute('data-value')), 5);
    assert.equal(Number(await cell(page, provisioned, 'errors').getAttribute('data-value')), 0);
    await page.close();
    assert.deepEqual(browser.problems, []);
  });

  test('the invoke form: the answer (escaped, truncated at 64 KB), the status and the variant', { timeout: TIMEOUT.test }, async () => {
    const page = await browser.open(`${te.url}/console/endpoints/${provisioned}`);
    const hostile = '<img src=x onerror="window.pwned=1">';
    await page.fill('#invoke-body', JSON.stringify({ inputs: hostile }));
    await page.click('[data-testid="invoke-submit"]');
    const result = page.locator('#invoke-result[data-status]');
    await result.waitFor({ timeout: UI_WAIT });
    assert.equal(await page.locator('[data-testid="invoke-status"]').textContent(), '200');
    assert.equal(await page.locator('[data-testid="invoke-variant"]').textContent(), 'AllTraffic');
    const answer = JSON.parse((await page.locator('[data-testid="invoke-body"]').textContent()) ?? '') as { input: { inputs: string } };
    assert.equal(answer.input.inputs, hostile, 'the answer is shown as text');
    assert.equal(await page.locator('#invoke-result img').count(), 0, 'nothing in the answer became markup');
    assert.equal(await page.evaluate('window.pwned'), undefined);
    // A large answer: its first 64 KB only.
    await page.fill('#invoke-body', JSON.stringify({ echoBytes: 100_000 }));
    await page.click('[data-testid="invoke-submit"]');
    await page.locator('#invoke-result[data-status] p.muted').waitFor({ timeout: UI_WAIT });
    assert.equal(((await page.locator('[data-testid="invoke-body"]').textContent()) ?? '').length, 64 * 1024);
    await page.close();
    assert.deepEqual(browser.problems, []);
  });

  test('weight and instance count changed from the page: DescribeEndpoint agrees; a second change while Updating shows the error', { timeout: TIMEOUT.test }, async () => {
    const page = await browser.open(`${te.url}/console/endpoints/${provisioned}`);
    const form = page.locator('[data-testid="capacity-form"][data-variant="AllTraffic"]');
    await form.locator('[data-testid="weight-input"]').fill('2');
    await form.locator('[data-testid="instance-count-input"]').fill('2');
    await form.locator('[data-testid="capacity-submit"]').click();
    await page.locator('#action-result[data-ok="true"]').waitFor({ timeout: UI_WAIT });
    // At once, while the endpoint is Updating: the operation's own refusal, shown in the page.
    await form.locator('[data-testid="capacity-submit"]').click();
    await page.locator('#action-result[data-ok="false"]').waitFor({ timeout: UI_WAIT });
    assert.match((await page.locator('#action-result').textContent()) ?? '', /ValidationException: Cannot update in-progress endpoint/);
    const described = await pollUntil(
      'the endpoint InService with 2 instances',
      async () => {
        const d = await te.sm.send(new DescribeEndpointCommand({ EndpointName: provisioned }));
        return d.EndpointStatus === 'InService' && d;
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    const v = described.ProductionVariants![0]!;
    assert.equal(v.CurrentWeight, 2);
    assert.equal(v.CurrentInstanceCount, 2);
    // The live section follows: two containers, without a reload.
    await page.locator('[data-testid="endpoint-live"][data-status="InService"] [data-testid="container"]:nth-of-type(2)').waitFor({ timeout: UI_WAIT });
    assert.equal(await page.locator('[data-testid="endpoint-live"] [data-testid="capacity"]').textContent(), 'ml.m5.large × 2/2');
    await page.close();
    assert.deepEqual(browser.problems, []);
  });

  test('a foreign origin cannot act (403, nothing changes); a name that is not an endpoint name is a 400 page', { timeout: TIMEOUT.test }, async () => {
    const evil = { 'content-type': 'application/x-www-form-urlencoded', origin: 'http://evil.example' };
    const del = await fetch(`${te.url}/console/endpoints/${serverless}/delete`, { method: 'POST', headers: evil, body: '' });
    assert.equal(del.status, 403);
    const resize = await fetch(`${te.url}/console/endpoints/${provisioned}/capacity`, {
      method: 'POST',
      headers: evil,
      body: new URLSearchParams({ variant: 'AllTraffic', weight: '9' }).toString(),
    });
    assert.equal(resize.status, 403);
    const d = await te.sm.send(new DescribeEndpointCommand({ EndpointName: serverless }));
    assert.equal(d.EndpointStatus, 'InService');
    const p = await te.sm.send(new DescribeEndpointCommand({ EndpointName: provisioned }));
    assert.equal(p.ProductionVariants![0]!.DesiredWeight, 2);
    const bad = await fetch(`${te.url}/console/endpoints/${encodeURIComponent('not_a<name>')}`);
    assert.equal(bad.status, 400);
    const text = await bad.text();
    assert.match(text, /is not an endpoint name/);
    assert.doesNotMatch(text, /not_a<name>/, 'the name is escaped');
    const missing = await fetch(`${te.url}/console/endpoints/no-such-endpoint`);
    assert.equal(missing.status, 400);
    assert.match(await missing.text(), /Could not find endpoint/);
  });

  test('the async endpoint shows its queue; the other region\'s endpoint has its own page', { timeout: TIMEOUT.test }, async () => {
    const page = await browser.open(`${te.url}/console/endpoints/${asynchronous}`);
    await page.locator('[data-testid="queue"] [data-testid="backlog"]').waitFor({ timeout: UI_WAIT });
    assert.equal(await page.locator('[data-testid="invoke-form"]').count(), 0, 'an async endpoint takes no synchronous call');
    await page.goto(`${te.url}/console/endpoints/${elsewhere}?region=eu-west-1`);
    assert.equal(await page.locator('[data-testid="endpoint-live"] [data-testid="type"]').textContent(), 'serverless');
    assert.equal(await page.locator('[data-testid="no-containers"]').count(), 1);
    await page.close();
    assert.deepEqual(browser.problems, []);
  });

  test('deleting from the page: back to the list, and the endpoint goes', { timeout: TIMEOUT.test }, async () => {
    const page = await browser.open(`${te.url}/console/endpoints/${serverless}`);
    page.once('dialog', (dialog) => void dialog.accept());
    await page.click('[data-testid="delete-submit"]');
    await page.waitForURL(`${te.url}/console/`, { timeout: UI_WAIT });
    await row(page, serverless).waitFor({ state: 'detached', timeout: UI_WAIT });
    await assert.rejects(te.sm.send(new DescribeEndpointCommand({ EndpointName: serverless })), /Could not find endpoint/);
    await page.close();
    assert.deepEqual(browser.problems, []);
  });

  test('performance: the list of 50 more serverless endpoints renders fast', { timeout: TIMEOUT.long }, async () => {
    const created: string[] = [];
    // Ten at a time: serverless endpoints are InService without a container.
    for (let batch = 0; batch < 5; batch++) {
      created.push(...(await Promise.all(Array.from({ length: 10 }, () => startServerlessEndpoint(te.sm)))));
    }
    await pollUntil(
      '50 serverless endpoints InService',
      async () => {
        const { Endpoints } = await te.sm.send(new ListEndpointsCommand({ MaxResults: 100 }));
        return created.every((n) => Endpoints!.some((e) => e.EndpointName === n && e.EndpointStatus === 'InService'));
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    const total = (await te.sm.send(new ListEndpointsCommand({ MaxResults: 100 }))).Endpoints!.length;
    const page = await browser.context.newPage();
    // Records when the 50th row enters the DOM (the rows are server-rendered: while the document parses).
    // (Browser code as strings: the tests compile without the DOM's types.)
    await page.addInitScript(`
      new MutationObserver((_m, observer) => {
        if (document.querySelectorAll('[data-testid="endpoint-row"]').length >= 50) {
          window.row50At = performance.now();
          observer.disconnect();
        }
      }).observe(document, { childList: true, subtree: true });`);
    page.on('console', (m) => void (m.type() === 'error' && browser.problems.push(`console error: ${m.text()}`)));
    page.on('pageerror', (err) => browser.problems.push(`page error: ${err.message}`));
    await page.goto(`${te.url}/console/`, { waitUntil: 'load' });
    const timing = (await page.evaluate(`(() => {
      const nav = performance.getEntriesByType('navigation')[0];
      return {
        responseEnd: nav.responseEnd,
        domContentLoaded: nav.domContentLoadedEventEnd,
        load: nav.loadEventEnd,
        row50At: window.row50At,
        rows: document.querySelectorAll('[data-testid="endpoint-row"]').length,
      };
    })()`)) as { responseEnd: number; domContentLoaded: number; load: number; row50At?: number; rows: number };
    // The polled fragment, as htmx fetches it every 2 s: the server's share.
    const fragmentMs: number[] = [];
    for (let i = 0; i < 10; i++) {
      const t0 = performance.now();
      await (await fetch(`${te.url}/console/endpoints-table`, { headers: { 'hx-request': 'true' } })).text();
      fragmentMs.push(performance.now() - t0);
    }
    fragmentMs.sort((a, b) => a - b);
    console.log(
      `console endpoints list, ${timing.rows} endpoints (${total} in us-east-1): response end ${timing.responseEnd.toFixed(0)} ms, ` +
        `50th row in the DOM ${timing.row50At?.toFixed(0)} ms, DOMContentLoaded ${timing.domContentLoaded.toFixed(0)} ms, load ${timing.load.toFixed(0)} ms; ` +
        `the table fragment: median ${fragmentMs[5]!.toFixed(1)} ms`,
    );
    assert.ok(timing.rows >= 50);
    assert.ok(timing.row50At !== undefined && timing.row50At < 5_000, `50th row at ${timing.row50At} ms`);
    assert.ok(timing.load < 5_000, `load at ${timing.load} ms`);
    await page.close();
    assert.deepEqual(browser.problems, []);
  });
});
