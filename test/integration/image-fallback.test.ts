import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import { DescribeEndpointCommand, DescribeModelCommand, waitUntilEndpointInService } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { TIMEOUT, pollUntil } from '../helpers/bounded.js';
import { ECHO_IMAGE, dockerInspect, managedContainers, requireDocker } from '../helpers/docker.js';
import { type TestEmulator, startTestEmulator, stopAndClean, uniqueName } from '../helpers/emulator.js';
import { PYTHON_DIR, clientEnv, run } from '../helpers/external-clients.js';
import { createEndpoint } from '../helpers/sagemaker.js';

/**
 * SME_IMAGE_FALLBACK: a model image that is missing locally and cannot be
 * pulled (a placeholder ECR URI: no registry answers here; the pull fails at
 * its DNS lookup in a few tens of milliseconds) runs as the stand-in instead,
 * while Describe keeps showing the requested image.
 */

const PLACEHOLDER = '123456789012.dkr.ecr.us-east-1.amazonaws.com/my-model:latest';

describe('SME_IMAGE_FALLBACK set', { timeout: TIMEOUT.suite }, () => {
  let t: TestEmulator;
  const logLines: Record<string, unknown>[] = [];
  let scratch: string;

  before(async () => {
    requireDocker();
    scratch = mkdtempSync(path.join(os.tmpdir(), 'sme-fallback-'));
    t = await startTestEmulator({ SME_IMAGE_FALLBACK: ECHO_IMAGE }, undefined, { logLines });
  });
  after(async () => {
    if (t) {
      await stopAndClean(t);
    }
    rmSync(scratch, { recursive: true, force: true });
  });

  it('serves a placeholder ECR image with the stand-in (JS SDK); Describe shows the placeholder; the swap is logged', { timeout: TIMEOUT.test }, async () => {
    const { model, endpoint } = await createEndpoint(t.sm, { image: PLACEHOLDER });
    const out = await t.runtime.send(new InvokeEndpointCommand({ EndpointName: endpoint, ContentType: 'application/json', Body: Buffer.from('{"a":1}') }));
    assert.deepEqual((JSON.parse(Buffer.from(out.Body!).toString('utf8')) as { input: unknown }).input, { a: 1 });
    const described = await t.sm.send(new DescribeModelCommand({ ModelName: model }));
    assert.equal(described.PrimaryContainer?.Image, PLACEHOLDER);
    const ep = await t.sm.send(new DescribeEndpointCommand({ EndpointName: endpoint }));
    const deployed = ep.ProductionVariants?.[0]?.DeployedImages?.[0];
    assert.equal(deployed?.SpecifiedImage, PLACEHOLDER);
    assert.match(deployed?.ResolvedImage ?? '', /^123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/my-model@sha256:/);
    const [container] = managedContainers(t.stateDir, endpoint);
    assert.equal((dockerInspect(container!) as { Config: { Image: string } }).Config.Image, ECHO_IMAGE);
    const warning = logLines.find((l) => l.image === PLACEHOLDER && l.fallback === ECHO_IMAGE);
    assert.ok(warning, 'no log line about the stand-in');
    assert.equal(warning.level, 40);
    assert.match(String(warning.reason), /amazonaws\.com/);
  });

  it('asks the registry once per image, not at every start', { timeout: TIMEOUT.test }, async () => {
    const pullsBefore = logLines.filter((l) => l.image === PLACEHOLDER && l.msg === 'image not present locally; pulling it').length;
    const { endpoint } = await createEndpoint(t.sm, { image: PLACEHOLDER, instanceCount: 2 });
    assert.equal(managedContainers(t.stateDir, endpoint).length, 2);
    const pullsAfter = logLines.filter((l) => l.image === PLACEHOLDER && l.msg === 'image not present locally; pulling it').length;
    assert.equal(pullsBefore, 1);
    assert.equal(pullsAfter, 1);
  });

  it('serves a placeholder ECR image with the stand-in (boto3)', { timeout: TIMEOUT.long }, async () => {
    const r = await run('python3', [path.join(PYTHON_DIR, 'image_fallback.py'), uniqueName('boto3-fallback'), PLACEHOLDER], clientEnv(t.url, scratch));
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as { status: string; input: unknown; modelImage: string; deployedImages: { SpecifiedImage: string }[] };
    assert.equal(out.status, 'InService');
    assert.deepEqual(out.input, { from: 'boto3' });
    assert.equal(out.modelImage, PLACEHOLDER);
    assert.equal(out.deployedImages[0]?.SpecifiedImage, PLACEHOLDER);
  });

  it('runs a unittest suite written for moto’s server mode unchanged (placeholder URI, /moto-api/reset after each test)', { timeout: TIMEOUT.long }, async () => {
    const r = await run('python3', [path.join(PYTHON_DIR, 'moto_style_suite.py')], clientEnv(t.url, scratch));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /Ran 3 tests/);
    assert.match(r.stderr, /\nOK\s*$/);
  });
});

describe('SME_IMAGE_FALLBACK not set', { timeout: TIMEOUT.suite }, () => {
  let t: TestEmulator;
  before(async () => {
    requireDocker();
    t = await startTestEmulator();
  });
  after(async () => {
    if (t) {
      await stopAndClean(t);
    }
  });

  it('fails the endpoint with the pull error as its FailureReason', { timeout: TIMEOUT.test }, async () => {
    const { endpoint } = await createEndpoint(t.sm, { image: PLACEHOLDER, wait: false });
    await assert.rejects(waitUntilEndpointInService({ client: t.sm, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { EndpointName: endpoint }));
    const ep = await pollUntil('the endpoint to fail', async () => {
      const d = await t.sm.send(new DescribeEndpointCommand({ EndpointName: endpoint }));
      return d.EndpointStatus === 'Failed' ? d : undefined;
    });
    assert.match(
      ep.FailureReason ?? '',
      /^Image "123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/my-model:latest" was not found locally and could not be pulled \(.*amazonaws\.com.*\)\. Build or pull it first/s,
    );
  });
});
