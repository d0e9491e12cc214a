import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { DeleteEndpointCommand } from '@aws-sdk/client-sagemaker';
import { createBucket, s3Client } from '../helpers/async-endpoint.js';
import { TIMEOUT } from '../helpers/bounded.js';
import { requireDocker } from '../helpers/docker.js';
import { startTestEmulator, type TestEmulator, stopAndClean } from '../helpers/emulator.js';
import { clientEnv, PYTHON_DIR, run } from '../helpers/external-clients.js';
import { MULTI_MODEL_IMAGE, createMultiModelEndpoint, uploadModels } from '../helpers/multi-model.js';

interface Invoked {
  answer: string;
  targetModel: string;
  loads: number;
  variant: string;
  retries: number;
}
type Captured<T> = { ok: T } | { error: { Error: { Code: string; Message: string }; HTTPStatusCode: number } };

/**
 * A multi-model endpoint through unmodified clients configured only by the
 * environment: boto3 (create_model with Mode MultiModel, invoke_endpoint with
 * TargetModel, its default retries on ModelNotReadyException) and the AWS CLI
 * (`invoke-endpoint --target-model`). The emulator's wait for a load is 1 s
 * here, so a 2.5 s load makes the first attempt answer ModelNotReadyException.
 */
describe('multi-model endpoints: boto3 and the AWS CLI', { timeout: TIMEOUT.suite }, () => {
  let t: TestEmulator;
  let scratch: string;
  let env: NodeJS.ProcessEnv;
  let prefix: string;
  before(async () => {
    requireDocker(MULTI_MODEL_IMAGE);
    assert.ok(existsSync(path.join(PYTHON_DIR, 'mme_boto3.py')), `python script missing under ${PYTHON_DIR}`);
    t = await startTestEmulator({ SME_MME_LOAD_WAIT_SECONDS: '1' });
    scratch = mkdtempSync(path.join(os.tmpdir(), 'sme-mme-clients-'));
    env = clientEnv(t.url, scratch);
    const s3 = s3Client(t.url);
    const bucket = await createBucket(s3, 'mme-clients');
    prefix = await uploadModels(s3, bucket, 'models/', {
      'a.tar.gz': { answer: 'I am a' },
      'b.tar.gz': { answer: 'I am b' },
      'team-x/e.tar.gz': { answer: 'I am e' },
      'slow.tar.gz': { answer: 'I am slow', loadDelayMs: 2500 },
    });
  });
  after(async () => {
    await stopAndClean(t);
    rmSync(scratch, { recursive: true, force: true });
  });

  test('boto3: three models answer as themselves; ModelNotReadyException is retried; errors are ValidationError', { timeout: TIMEOUT.long }, async () => {
    const r = await run('python3', [path.join(PYTHON_DIR, 'mme_boto3.py'), prefix, MULTI_MODEL_IMAGE], env);
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as Record<string, Captured<Invoked>> & { model: Record<string, unknown> };
    assert.equal(doc.model.Mode, 'MultiModel');
    assert.deepEqual(doc.model.MultiModelConfig, { ModelCacheSetting: 'Enabled' });
    const ok = (k: string) => {
      const c = doc[k]!;
      assert.ok('ok' in c, `${k}: ${JSON.stringify(c)}`);
      return c.ok;
    };
    assert.equal(ok('a').answer, 'I am a');
    assert.equal(ok('b').answer, 'I am b');
    assert.equal(ok('e').answer, 'I am e');
    assert.equal(ok('e').targetModel, 'team-x/e.tar.gz');
    assert.equal(ok('a_again').loads, 1, 'a stayed loaded');
    assert.equal(ok('a').variant, 'AllTraffic');
    assert.equal(ok('slow').answer, 'I am slow');
    assert.ok(ok('slow').retries >= 1, `boto3 retried ModelNotReadyException (${ok('slow').retries} retries)`);
    for (const k of ['missing', 'none']) {
      const c = doc[k]!;
      assert.ok('error' in c, `${k}: ${JSON.stringify(c)}`);
      assert.equal(c.error.Error.Code, 'ValidationError');
      assert.equal(c.error.HTTPStatusCode, 400);
    }
    assert.match((doc.missing as { error: { Error: { Message: string } } }).error.Error.Message, /key: models\/missing\.tar\.gz/);
  });

  test('AWS CLI: invoke-endpoint --target-model', { timeout: TIMEOUT.test }, async () => {
    const { endpoint } = await createMultiModelEndpoint(t.sm, { prefix });
    for (const [target, answer] of [['b.tar.gz', 'I am b'], ['team-x/e.tar.gz', 'I am e']]) {
      const out = path.join(scratch, 'out.json');
      const r = await run(
        'aws',
        ['sagemaker-runtime', 'invoke-endpoint', '--endpoint-name', endpoint, '--target-model', target!, '--content-type', 'application/json', '--body', '{"via":"cli"}', out],
        env,
      );
      assert.equal(r.code, 0, r.stderr);
      assert.equal((JSON.parse(r.stdout) as { InvokedProductionVariant: string }).InvokedProductionVariant, 'AllTraffic');
      const body = JSON.parse(readFileSync(out, 'utf8')) as { answer: string; input: unknown };
      assert.equal(body.answer, answer);
      assert.deepEqual(body.input, { via: 'cli' });
    }
    await t.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
  });
});
