import assert from 'node:assert/strict';
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { s3Client } from './async-endpoint.js';
import { pollUntil, within } from './bounded.js';
import { managedContainers } from './docker.js';
import { credentials, removeStateDir } from './emulator.js';
import { freePort } from './free-port.js';

/**
 * The installed command (bin/sagemaker-emulator.js, on the compiled dist/) as
 * a child process, for tests that SIGKILL or SIGTERM the emulator and start
 * it again on the same state directory.
 */

// dist/test/helpers/ → the repository root.
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'sagemaker-emulator.js');

export interface ChildEmulator {
  child: ChildProcess;
  url: string;
  stateDir: string;
  sm: SageMakerClient;
  runtime: SageMakerRuntimeClient;
  s3: S3Client;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** The last 20,000 characters the child wrote, for failure messages. */
  output(): string;
  destroyClients(): void;
}

/** Starts the child on `stateDir`; resolves once /health answers with Docker reachable (bounded: 60 s). */
export async function startChild(stateDir: string): Promise<ChildEmulator> {
  const port = await freePort();
  // Nothing of the parent's emulator settings leaks into the child.
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SME_') && !k.startsWith('AWS_ENDPOINT_URL')));
  const child = spawn(process.execPath, [BIN], {
    cwd: ROOT,
    env: { ...env, SME_PORT: String(port), SME_STATE_DIR: stateDir, SME_LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (c: Buffer) => (out = (out + c.toString('utf8')).slice(-20_000)));
  child.stderr!.on('data', (c: Buffer) => (out = (out + c.toString('utf8')).slice(-20_000)));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  let exit: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  void exited.then((e) => (exit = e));
  const url = `http://127.0.0.1:${port}`;
  try {
    const health = await pollUntil(
      'the child emulator to answer /health',
      async () => {
        assert.equal(exit, undefined, `the child emulator exited (${JSON.stringify(exit)}) before answering /health:\n${out}`);
        return fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) }).then(
          (r) => (r.ok ? (r.json() as Promise<{ status: string; docker: { reachable: boolean } }>) : undefined),
          () => undefined,
        );
      },
      { timeoutMs: 60_000, intervalMs: 100 },
    );
    assert.equal(health.status, 'ok');
    assert.equal(health.docker.reachable, true, `the child emulator cannot reach Docker:\n${out}`);
  } catch (err) {
    child.kill('SIGKILL');
    throw err;
  }
  const clientConfig = { endpoint: url, region: 'us-east-1', credentials, maxAttempts: 1 };
  const sm = new SageMakerClient(clientConfig);
  const runtime = new SageMakerRuntimeClient(clientConfig);
  const s3 = s3Client(url);
  return {
    child,
    url,
    stateDir,
    sm,
    runtime,
    s3,
    exited,
    output: () => out,
    destroyClients() {
      sm.destroy();
      runtime.destroy();
      s3.destroy();
    },
  };
}

/** Asserts that no managed container of stateDir is left, removing any that are (so that none leaks past the run). */
export function assertNoContainersLeft(stateDir: string, what: string): void {
  const left = managedContainers(stateDir);
  if (left.length > 0) {
    execFileSync('docker', ['rm', '-f', ...left], { stdio: 'pipe', timeout: 60_000 });
  }
  assert.deepEqual(left, [], `${what}: containers left behind`);
}

/**
 * A suite's after(): kills the children still running (bounded), then checks
 * each state directory for containers left behind and removes it. The
 * problems found, for one assertion once everything is cleaned.
 */
export async function cleanUpChildren(children: Iterable<ChildEmulator>, stateDirs: Iterable<string>): Promise<string[]> {
  await killRunning([...children]);
  const problems: string[] = [];
  for (const dir of stateDirs) {
    try {
      assertNoContainersLeft(dir, dir);
    } catch (err) {
      problems.push((err as Error).message);
    }
    removeStateDir(dir);
  }
  return problems;
}

/** SIGKILLs each child still running and waits for it to exit (bounded), removing it from `running` when given: a test's finally. */
export async function killRunning(children: (ChildEmulator | undefined)[], running?: Set<ChildEmulator>): Promise<void> {
  for (const c of children) {
    if (c && c.child.exitCode === null && c.child.signalCode === null) {
      c.destroyClients();
      c.child.kill('SIGKILL');
      await within('the SIGKILLed child emulator to exit', 10_000, c.exited);
      running?.delete(c);
    }
  }
}

/** SIGTERM: the child must remove its containers and exit 0 (bounded: 60 s). */
export async function stopChildGracefully(c: ChildEmulator, stateDir: string, running: Set<ChildEmulator>): Promise<void> {
  c.destroyClients();
  c.child.kill('SIGTERM');
  assert.deepEqual(await within('the emulator to exit on SIGTERM', 60_000, c.exited), { code: 0, signal: null }, c.output());
  running.delete(c);
  assertNoContainersLeft(stateDir, 'after SIGTERM');
}

/** A test's failure with the last lines each child emulator wrote, for the report. */
export function withChildLogs(err: unknown, children: (ChildEmulator | undefined)[]): Error {
  const logs = children.map((c) => c?.output().slice(-4000) ?? '').join('\n--- restarted ---\n');
  return new Error(`${(err as Error).message}\n--- child logs ---\n${logs}`, { cause: err });
}
