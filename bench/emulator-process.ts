import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { freePort } from '../test/helpers/free-port.js';

/** The emulator as users run it: its own process, so the benchmark client does not share its event loop. */
export interface EmulatorProcess {
  url: string;
  port: number;
  /** The emulator's own process id, for /proc readings (RSS, open fds) that do not go through its event loop. */
  pid: number;
  /** Its SME_STATE_DIR: the label on every container it starts. */
  stateDir: string;
  sm: SageMakerClient;
  runtime: SageMakerRuntimeClient;
  stop(): Promise<void>;
}


export async function startEmulatorProcess(env: Record<string, string> = {}): Promise<EmulatorProcess> {
  const root = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'sme-bench-'));
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [path.join(root, 'bin/sagemaker-emulator.js')], {
    env: { ...process.env, SME_PORT: String(port), SME_STATE_DIR: stateDir, SME_LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const url = `http://127.0.0.1:${port}`;
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/health`)).ok) {
        break;
      }
    } catch {
      // not listening yet
    }
    if (i > 200) {
      child.kill('SIGKILL');
      throw new Error('the emulator did not start');
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  const config = { endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'b', secretAccessKey: 'b' } };
  const sm = new SageMakerClient(config);
  const runtime = new SageMakerRuntimeClient(config);
  return {
    url,
    port,
    pid: child.pid!,
    stateDir,
    sm,
    runtime,
    async stop() {
      sm.destroy();
      runtime.destroy();
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
      rmSync(stateDir, { recursive: true, force: true });
    },
  };
}
