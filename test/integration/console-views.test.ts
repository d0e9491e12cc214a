import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  ApplicationAutoScalingClient,
  PutScalingPolicyCommand,
  RegisterScalableTargetCommand,
} from '@aws-sdk/client-application-auto-scaling';
import type { S3Client } from '@aws-sdk/client-s3';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateInferenceRecommendationsJobCommand,
} from '@aws-sdk/client-sagemaker';
import type { Page } from 'playwright-core';
import { createBucket, s3Client } from '../helpers/async-endpoint.js';
import { pollUntil, TIMEOUT } from '../helpers/bounded.js';
import { type ConsoleBrowser, launchBrowser } from '../helpers/browser.js';
import { ECHO_IMAGE, requireDocker } from '../helpers/docker.js';
import { credentials, startTestEmulator, stopAndClean, type TestEmulator, uniqueName } from '../helpers/emulator.js';
import { uploadPayloads, waitForRecommendationJob } from '../helpers/recommender.js';
import { createEndpoint, createModel } from '../helpers/sagemaker.js';
import { BATCH_IMAGE, createBatchModel, createTransformJob, csvRows, putText, waitForJobEnd } from '../helpers/transform-job.js';

/** A value that looks like a credential: the configs page shows the variable's name, never this. */
const SECRET = 'sk-live-0123456789abcdef-DO-NOT-SHOW';

/** Marks the page's window; the mark survives htmx swaps but not a reload, so a test can tell them apart. */
const markPage = (page: Page) => page.evaluate(() => void ((globalThis as Record<string, unknown>).smeNotReloaded = true));
const stillSamePage = (page: Page) => page.evaluate(() => (globalThis as Record<string, unknown>).smeNotReloaded === true);

/** The text of the first element matching `selector`, or undefined while there is none. */
async function textOf(page: Page, selector: string): Promise<string | undefined> {
  const el = page.locator(selector).first();
  return (await el.count()) ? ((await el.textContent()) ?? '').trim() : undefined;
}

/**
 * The console's Configs & models, Jobs and Scaling views in Debian's chromium,
 * against the real emulator with real containers: what each page shows, that
 * the live parts change without a reload, that no secret is shown, and that
 * the browser reports no error on any page.
 */
describe('console: configs & models, jobs, scaling', { timeout: TIMEOUT.suite }, () => {
  let te: TestEmulator;
  let browser: ConsoleBrowser;
  let s3: S3Client;
  let aas: ApplicationAutoScalingClient;
  let bucket: string;

  before(async () => {
    requireDocker(ECHO_IMAGE, BATCH_IMAGE);
    te = await startTestEmulator({ SME_METRIC_PERIOD_SECONDS: '1', SME_RECOMMENDER_STEP_SECONDS: '1' });
    s3 = s3Client(te.url);
    aas = new ApplicationAutoScalingClient({ endpoint: te.url, region: 'us-east-1', credentials, maxAttempts: 1 });
    bucket = await createBucket(s3, 'console');
    browser = await launchBrowser();
  });

  after(async () => {
    await browser?.close();
    aas?.destroy();
    s3?.destroy();
    if (te) {
      await stopAndClean(te);
    }
  });

  test('configs & models: variants, serverless, async output, data capture, who uses what, environment names only', { timeout: TIMEOUT.test }, async () => {
    const model = await createModel(te.sm, { environment: { API_TOKEN: SECRET, MODEL_GREETING: 'hello' } });
    const provisioned = uniqueName('cfg-prov');
    await te.sm.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: provisioned,
        ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: model, InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }],
        DataCaptureConfig: { InitialSamplingPercentage: 50, DestinationS3Uri: `s3://${bucket}/capture`, CaptureOptions: [{ CaptureMode: 'Input' }, { CaptureMode: 'Output' }] },
      }),
    );
    const serverless = uniqueName('cfg-sls');
    await te.sm.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: serverless,
        ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: model, ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 3, ProvisionedConcurrency: 1 } }],
      }),
    );
    const asyncConfig = uniqueName('cfg-async');
    await te.sm.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: asyncConfig,
        ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: model, InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }],
        AsyncInferenceConfig: { OutputConfig: { S3OutputPath: `s3://${bucket}/async-out/` } },
      }),
    );
    // The endpoint uses the provisioned config from the moment it is created (no need to wait for InService).
    const endpoint = uniqueName('ep-cfg');
    await te.sm.send(new CreateEndpointCommand({ EndpointName: endpoint, EndpointConfigName: provisioned }));

    const page = await browser.open(`${te.url}/console/configs`);
    const row = (name: string) => `[data-testid="configs-table"] tr[data-config="${name}"]`;
    assert.equal(await textOf(page, `${row(provisioned)} [data-field="instances"]`), 'ml.m5.large × 1');
    assert.equal(await textOf(page, `${row(provisioned)} [data-field="model"]`), model);
    assert.match((await textOf(page, `${row(provisioned)} [data-field="data-capture"]`))!, new RegExp(`enabled: 50 % of Input, Output to s3://${bucket}/capture`));
    assert.equal(await page.locator(`${row(provisioned)} [data-field="used-by"] a[data-endpoint="${endpoint}"]`).getAttribute('href'), `/console/endpoints/${endpoint}`);
    assert.equal(await textOf(page, `${row(serverless)} [data-field="serverless"]`), 'serverless 2048 MB, MaxConcurrency 3, ProvisionedConcurrency 1');
    assert.equal(await textOf(page, `${row(serverless)} [data-field="used-by"]`), 'no endpoint');
    assert.equal(await textOf(page, `${row(asyncConfig)} [data-field="async-output"]`), `s3://${bucket}/async-out/`);

    const modelRow = `[data-testid="models-table"] tr[data-model="${model}"]`;
    assert.equal(await textOf(page, `${modelRow} [data-field="image"]`), ECHO_IMAGE);
    assert.equal(await textOf(page, `${modelRow} [data-field="mode"]`), 'SingleModel');
    assert.deepEqual(await page.locator(`${modelRow} [data-field="env-names"] code`).allTextContents(), ['API_TOKEN', 'MODEL_GREETING']);
    assert.deepEqual((await page.locator(`${modelRow} [data-field="used-by"] a`).allTextContents()).sort(), [asyncConfig, provisioned, serverless].sort());
    // Neither the rendered page nor the HTML on the wire holds the value.
    assert.ok(!(await page.content()).includes(SECRET), 'the page shows the secret');
    assert.ok(!(await (await fetch(`${te.url}/console/configs`)).text()).includes(SECRET), 'the HTML holds the secret');
    await browser.screenshot(page, 'configs');
    await page.close();
    assert.deepEqual(browser.problems, []);
  });

  test('jobs: the list follows a transform job and a recommender job to their end without a reload; the recommendation page shows both charts and marks the recommendation', { timeout: TIMEOUT.long }, async () => {
    const page = await browser.open(`${te.url}/console/jobs`);
    await markPage(page);

    await putText(s3, bucket, 'tj-in/part-0.csv', csvRows(0, 50).join('\n') + '\n');
    const transform = await createTransformJob(te.sm, await createBatchModel(te.sm, { BATCH_SECRET: SECRET }), `s3://${bucket}/tj-in/`, `s3://${bucket}/tj-out`);
    const payloads = await uploadPayloads(s3, bucket, 'payloads.tar.gz', [{ sleepMs: 20 }]);
    const recommendation = uniqueName('rec-console');
    await te.sm.send(
      new CreateInferenceRecommendationsJobCommand({
        JobName: recommendation,
        JobType: 'Advanced',
        RoleArn: 'arn:aws:iam::123456789012:role/x',
        InputConfig: {
          ModelName: await createModel(te.sm),
          ContainerConfig: { PayloadConfig: { SamplePayloadUrl: payloads, SupportedContentTypes: ['application/json'] } },
          EndpointConfigurations: [{ InstanceType: 'ml.c5.large' }, { InstanceType: 'ml.m5.large' }],
          TrafficPattern: { TrafficType: 'PHASES', Phases: [{ InitialNumberOfUsers: 1, SpawnRate: 1, DurationInSeconds: 60 }] },
        },
      }),
    );

    // Every status the list showed for the recommender job, sampled from the page while it polls.
    const recStatus = `[data-testid="recommendation-jobs"] tr[data-job="${recommendation}"] [data-status]`;
    const seen: string[] = [];
    await pollUntil(
      'the recommender job to show COMPLETED in the list',
      async () => {
        const s = await textOf(page, recStatus);
        if (s !== undefined && seen.at(-1) !== s) {
          seen.push(s);
        }
        return s === 'COMPLETED';
      },
      { timeoutMs: 90_000, intervalMs: 200 },
    );
    assert.ok(seen.some((s) => s === 'PENDING' || s === 'IN_PROGRESS'), `the list showed the job running first: ${seen.join(' → ')}`);
    const transformRow = `[data-testid="transform-jobs"] tr[data-job="${transform}"]`;
    await pollUntil('the transform job to show Completed in the list', async () => (await textOf(page, `${transformRow} [data-status]`)) === 'Completed', { timeoutMs: 30_000, intervalMs: 200 });
    assert.equal(await textOf(page, `${transformRow} [data-field="progress"]`), '1 of 1 completed');
    assert.ok(await stillSamePage(page), 'the list changed without a reload');
    await browser.screenshot(page, 'jobs');

    // The transform job's page: its input file as a step, with its records; the job's environment by name only.
    assert.equal((await waitForJobEnd(te.sm, transform)).TransformJobStatus, 'Completed');
    await page.click(`${transformRow} a`);
    await page.waitForURL(/\/console\/jobs\/transform\//);
    assert.equal(await textOf(page, '[data-testid="job-steps"] tr[data-step="part-0.csv"] [data-status]'), 'Completed');
    assert.equal(await textOf(page, '[data-testid="job-steps"] tr[data-step="part-0.csv"] [data-field="records"]'), '50 records');
    assert.ok(!(await page.content()).includes(SECRET), 'the transform job page shows the secret');

    // The recommender job's page: both SVG charts, the recommendation marked in the table, the callout and the charts.
    const d = await waitForRecommendationJob(te.sm, recommendation);
    const best = d.InferenceRecommendations![0]!.EndpointConfiguration!.InstanceType!;
    await page.goto(`${te.url}/console/jobs`);
    await page.click(`[data-testid="recommendation-jobs"] tr[data-job="${recommendation}"] a`);
    await page.waitForURL(/\/console\/jobs\/recommendation\//);
    assert.equal(await page.locator('[data-testid="latency-chart"] svg').count(), 1);
    assert.equal(await page.locator('[data-testid="cost-chart"] svg').count(), 1);
    assert.equal(await page.locator('[data-testid="latency-chart"] svg polyline').count(), 2, 'one curve per configuration');
    assert.equal(await page.locator('[data-testid="recommendations"] tbody tr').count(), 2);
    assert.equal(await page.locator('[data-testid="recommendations"] tr[data-recommended="true"]').getAttribute('data-recommendation'), best);
    assert.equal(await textOf(page, '[data-testid="recommended"] [data-field="recommended-configuration"]'), best);
    assert.ok((await page.locator('[data-testid="cost-chart"] svg text').allTextContents()).includes(`★ ${best}`), 'the cost chart marks the recommendation');
    assert.deepEqual(await page.locator('[data-testid="job-steps"] tbody [data-status]').allTextContents(), ['Completed', 'Completed']);
    assert.equal(await page.locator('#job-live').getAttribute('hx-trigger'), null, 'an ended job is not polled');
    await browser.screenshot(page, 'recommendation');
    await page.close();
    assert.deepEqual(browser.problems, []);
  });

  test('scaling: a target, its target-tracking policy and its two alarms; a scale-out activity appears without a reload', { timeout: TIMEOUT.test }, async () => {
    const { endpoint } = await createEndpoint(te.sm);
    const page = await browser.open(`${te.url}/console/scaling`);
    await markPage(page);

    const ResourceId = `endpoint/${endpoint}/variant/AllTraffic`;
    const target = { ServiceNamespace: 'sagemaker' as const, ResourceId, ScalableDimension: 'sagemaker:variant:DesiredInstanceCount' as const };
    await aas.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 1, MaxCapacity: 3 }));
    const policy = 'invocations-per-instance';
    await aas.send(
      new PutScalingPolicyCommand({
        ...target,
        PolicyName: policy,
        PolicyType: 'TargetTrackingScaling',
        TargetTrackingScalingPolicyConfiguration: {
          TargetValue: 70,
          PredefinedMetricSpecification: { PredefinedMetricType: 'SageMakerVariantInvocationsPerInstance' },
          ScaleOutCooldown: 30,
          ScaleInCooldown: 300,
        },
      }),
    );

    const targetRow = `[data-testid="scalable-targets"] tr[data-resource-id="${ResourceId}"]`;
    const policyRow = `[data-testid="scaling-policies"] tr[data-policy="${policy}"]`;
    await pollUntil('the policy and its two alarms on the page', async () => (await page.locator(`${policyRow} [data-alarm] [data-status]`).count()) === 2, { timeoutMs: 10_000, intervalMs: 200 });
    assert.equal(await textOf(page, `${targetRow} [data-field="min"]`), '1');
    assert.equal(await textOf(page, `${targetRow} [data-field="max"]`), '3');
    assert.equal(await textOf(page, `${targetRow} [data-field="current-capacity"]`), '1');
    assert.equal(await page.locator(`${targetRow} a[data-endpoint="${endpoint}"]`).getAttribute('href'), `/console/endpoints/${endpoint}`);
    assert.equal(await textOf(page, `${policyRow} [data-field="policy-type"]`), 'TargetTrackingScaling');
    assert.equal(await textOf(page, `${policyRow} [data-field="target-value"]`), '70');
    assert.match((await textOf(page, `${policyRow} [data-field="rule"]`))!, /SageMakerVariantInvocationsPerInstance/);
    assert.equal(await textOf(page, `${policyRow} [data-field="cooldowns"]`), 'out 30 s, in 300 s');
    const alarms = await page.locator(`${policyRow} [data-alarm]`).evaluateAll((els) => els.map((e) => e.getAttribute('data-alarm') ?? ''));
    assert.equal(alarms.length, 2);
    assert.ok(alarms.some((a) => a.startsWith(`TargetTracking-${ResourceId}-AlarmHigh-`)), alarms.join(', '));
    assert.ok(alarms.some((a) => a.startsWith(`TargetTracking-${ResourceId}-AlarmLow-`)), alarms.join(', '));
    for (const state of await page.locator(`${policyRow} [data-alarm] [data-status]`).allTextContents()) {
      assert.ok(['OK', 'ALARM', 'INSUFFICIENT_DATA'].includes(state), state);
    }

    // A minimum above the current count makes AAS scale out at once: the activity shows up by polling.
    await aas.send(new RegisterScalableTargetCommand({ ...target, MinCapacity: 2 }));
    const activity = `[data-testid="scaling-activities"] tr[data-resource-id="${ResourceId}"]`;
    await pollUntil(
      'the scale-out activity to show Successful',
      async () => {
        const rows = page.locator(activity).filter({ hasText: 'Setting desired instance count to 2.' });
        return (await rows.count()) > 0 && (await rows.first().locator('[data-status]').textContent()) === 'Successful';
      },
      { timeoutMs: 60_000, intervalMs: 250 },
    );
    await pollUntil('the current capacity to show 2', async () => (await textOf(page, `${targetRow} [data-field="current-capacity"]`)) === '2', { timeoutMs: 10_000, intervalMs: 250 });
    assert.equal(await textOf(page, `${targetRow} [data-field="min"]`), '2');
    assert.ok(await stillSamePage(page), 'the scaling page changed without a reload');
    await browser.screenshot(page, 'scaling');
    await page.close();
    assert.deepEqual(browser.problems, []);
  });
});
