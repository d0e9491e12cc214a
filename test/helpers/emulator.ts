import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { loadConfig } from '../../src/config/load.js';
import { createLogger } from '../../src/observability/logger.js';
import { type RunningEmulator, startEmulator } from '../../src/server.js';
import { managedContainers } from './docker.js';

export interface TestEmulator {
  emulator: RunningEmulator;
  url: string;
  stateDir: string;
  sm: SageMakerClient;
  runtime: SageMakerRuntimeClient;
  /** Stops the emulator (removing its containers); the state directory stays. */
  stop(): Promise<void>;
  /** Starts a new emulator on the same state directory (a restart). */
  restart(): Promise<TestEmulator>;
}

export const credentials = { accessKeyId: 'test', secretAccessKey: 'test' };

/** Runs the real emulator in-process on port 0 with its own state directory. */
export async function startTestEmulator(
  env: Record<string, string> = {},
  stateDir?: string,
  options: { logLines?: Record<string, unknown>[] } = {},
): Promise<TestEmulator> {
  const dir = stateDir ?? mkdtempSync(path.join(os.tmpdir(), 'sme-test-'));
  const level = options.logLines ? 'info' : (process.env.SME_TEST_LOG_LEVEL ?? 'silent');
  const config = loadConfig({ SME_PORT: '0', SME_STATE_DIR: dir, SME_LOG_LEVEL: level, ...env });
  // With logLines, every log entry is kept (parsed) for the test to inspect.
  const destination = options.logLines
    ? { write: (line: string) => void options.logLines!.push(JSON.parse(line) as Record<string, unknown>) }
    : undefined;
  const emulator = await startEmulator(config, createLogger(config.logLevel, false, destination));
  const clientConfig = { endpoint: emulator.url, region: 'us-east-1', credentials, maxAttempts: 1 };
  const sm = new SageMakerClient(clientConfig);
  const runtime = new SageMakerRuntimeClient(clientConfig);
  return {
    emulator,
    url: emulator.url,
    stateDir: dir,
    sm,
    runtime,
    async stop() {
      sm.destroy();
      runtime.destroy();
      await emulator.close();
    },
    restart: () => startTestEmulator(env, dir, options),
  };
}

export function removeStateDir(dir: string): void {
  rmSync(dir, { recursive: true, force: true });
}

/** A suite's after(): stops the emulator, checks that it left no container behind, and removes its state directory. */
export async function stopAndClean(t: TestEmulator): Promise<void> {
  await t.stop();
  assert.deepEqual(managedContainers(t.stateDir), [], 'containers left behind');
  removeStateDir(t.stateDir);
}

/** A model.tar.gz holding model.json with the given version: the echo model answers with it. */
export function makeModelTarball(version: string): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sme-model-'));
  mkdirSync(path.join(dir, 'src'));
  writeFileSync(path.join(dir, 'src', 'model.json'), JSON.stringify({ name: 'echo', version }));
  const file = path.join(dir, 'model.tar.gz');
  execFileSync('tar', ['czf', file, '-C', path.join(dir, 'src'), '.']);
  return file;
}

let counter = 0;
/** A name unique within the test run, valid for every SageMaker resource. */
export function uniqueName(prefix: string): string {
  return `${prefix}-${process.pid}-${++counter}`;
}
