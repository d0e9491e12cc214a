import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { createBucket, s3Client } from '../helpers/async-endpoint.js';
import { TIMEOUT } from '../helpers/bounded.js';
import { requireDocker } from '../helpers/docker.js';
import { type TestEmulator, startTestEmulator, stopAndClean } from '../helpers/emulator.js';
import { PYTHON_DIR, clientEnv, run } from '../helpers/external-clients.js';
import { uploadPayloads } from '../helpers/recommender.js';
import { createModel } from '../helpers/sagemaker.js';

interface Recommendation {
  Metrics: { CostPerHour: number; CostPerInference: number; MaxInvocations: number; ModelLatency: number };
  EndpointConfiguration: { InstanceType?: string; ServerlessConfig?: unknown };
}
interface Described {
  Status: string;
  FailureReason?: string;
  InferenceRecommendations?: Recommendation[];
}

/** The model's own time per request: the sample payloads ask the echo model to sleep this long. */
const MODEL_MS = 20;

function assertConsistent(r: Recommendation, maxUsers: number): void {
  const m = r.Metrics;
  assert.ok(m.ModelLatency >= MODEL_MS, `ModelLatency ${m.ModelLatency} ≥ ${MODEL_MS}`);
  assert.ok(m.MaxInvocations <= (maxUsers * 60_000) / m.ModelLatency, `MaxInvocations ${m.MaxInvocations} ≤ ${maxUsers} × 60000 / ${m.ModelLatency}`);
  assert.ok(Math.abs(m.CostPerInference - m.CostPerHour / (m.MaxInvocations * 60)) <= 1e-12);
}

/** A Default and an Advanced job created and read with boto3, configured only by the environment. */
describe('Inference Recommender: boto3', { timeout: TIMEOUT.suite }, () => {
  let t: TestEmulator;
  let scratch: string;
  before(async () => {
    requireDocker();
    assert.ok(existsSync(path.join(PYTHON_DIR, 'recommender_boto3.py')), `python script missing under ${PYTHON_DIR}`);
    t = await startTestEmulator({ SME_RECOMMENDER_STEP_SECONDS: '1' });
    scratch = mkdtempSync(path.join(os.tmpdir(), 'sme-rec-clients-'));
  });
  after(async () => {
    await stopAndClean(t);
    rmSync(scratch, { recursive: true, force: true });
  });

  test('a Default and an Advanced job complete, and every recommendation is consistent', { timeout: TIMEOUT.long }, async () => {
    const s3 = s3Client(t.url);
    const bucket = await createBucket(s3, 'rec-boto3');
    const url = await uploadPayloads(s3, bucket, 'payloads.tar.gz', [{ sleepMs: MODEL_MS }]);
    const model = await createModel(t.sm);
    const r = await run('python3', [path.join(PYTHON_DIR, 'recommender_boto3.py'), model, url], clientEnv(t.url, scratch));
    assert.equal(r.code, 0, r.stderr);
    const doc = JSON.parse(r.stdout) as { default: Described; advanced: Described; steps: { Status: string; StepType: string }[]; listed: string[] };
    assert.equal(doc.default.Status, 'COMPLETED', doc.default.FailureReason);
    assert.equal(doc.advanced.Status, 'COMPLETED', doc.advanced.FailureReason);
    assert.equal(doc.default.InferenceRecommendations?.length, 3);
    assert.equal(doc.advanced.InferenceRecommendations?.length, 2);
    doc.default.InferenceRecommendations!.forEach((rec) => assertConsistent(rec, 4));
    doc.advanced.InferenceRecommendations!.forEach((rec) => assertConsistent(rec, 4));
    assert.deepEqual(doc.steps.map((s) => [s.StepType, s.Status]), [['BENCHMARK', 'COMPLETED'], ['BENCHMARK', 'COMPLETED']]);
    assert.equal(doc.listed.length, 2);
  });
});
