import { type ChildProcess, spawn } from 'node:child_process';

/**
 * A server the tests start as a child process (moto, Prometheus): its output
 * kept for error messages, a readiness probe bounded in rounds as well as
 * time, and a stop that escalates from SIGTERM to SIGKILL.
 */
export interface ServerProcess {
  /** The last 20,000 characters it wrote, stdout and stderr together. */
  output(): string;
  /** SIGTERM, then SIGKILL after the grace; waits for it to exit. Safe to call twice. */
  stop(): Promise<void>;
}

export interface ServerProcessOptions {
  /** Names it in error messages. */
  name: string;
  /** What readiness is checked at, for the error message. */
  probeUrl: string;
  /** True once the server answers; called every 100 ms. */
  ready(): Promise<boolean>;
  timeoutMs: number;
  graceMs: number;
  /** Kill it with SIGKILL should the test process exit without stopping it (a crash, --test-force-exit). */
  killOnTestExit?: boolean;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const PROBE_EVERY_MS = 100;

/**
 * Spawns `command` and resolves once `ready()` says so. Rejects, with the
 * server's output in the message and nothing left running, when it exits
 * first or is not ready within `timeoutMs` (and at most timeoutMs / 100 probes).
 */
export async function startServerProcess(command: string, args: string[], o: ServerProcessOptions): Promise<ServerProcess> {
  const child: ChildProcess = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-20_000);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited: { code: number | null; signal: NodeJS.Signals | null } | undefined;
  const exit = new Promise<void>((resolve) =>
    child.once('exit', (code, signal) => {
      exited = { code, signal };
      resolve();
    }),
  );
  const killOnExit = () => child.kill('SIGKILL');
  if (o.killOnTestExit) {
    process.once('exit', killOnExit);
  }
  const stop = async () => {
    process.removeListener('exit', killOnExit);
    if (!exited) {
      child.kill('SIGTERM');
      const ended = await Promise.race([exit.then(() => true), sleep(o.graceMs).then(() => false)]);
      if (!ended) {
        child.kill('SIGKILL');
        await exit;
      }
    }
  };
  try {
    const deadline = Date.now() + o.timeoutMs;
    for (let round = 0; ; round++) {
      if (exited) {
        throw new Error(`${o.name} exited (code ${exited.code}, signal ${exited.signal}) before it was ready:\n${output}`);
      }
      if (await o.ready()) {
        return { output: () => output, stop };
      }
      if (Date.now() > deadline || round >= o.timeoutMs / PROBE_EVERY_MS) {
        throw new Error(`${o.name} was not ready at ${o.probeUrl} within ${o.timeoutMs / 1000} s:\n${output}`);
      }
      await sleep(PROBE_EVERY_MS);
    }
  } catch (err) {
    await stop();
    throw err;
  }
}

/** True when GET `url` answers 200 within 2 s. */
export const answers200 = (url: string) => (): Promise<boolean> =>
  fetch(url, { signal: AbortSignal.timeout(2000) }).then(
    (r) => r.status === 200,
    () => false,
  );
