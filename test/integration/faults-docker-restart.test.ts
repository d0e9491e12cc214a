import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { pollUntil, TIMEOUT } from '../helpers/bounded.js';
import { managedContainers, requireDocker } from '../helpers/docker.js';
import { startTestEmulator, stopAndClean, type TestEmulator } from '../helpers/emulator.js';
import { runningContainers, untilConverged } from '../helpers/faults.js';
import { createEndpoint } from '../helpers/sagemaker.js';

/**
 * The Docker engine restarted under a running emulator: /health says Docker
 * is unreachable (HTTP 200, within a time box), invocations fail with an AWS
 * error meanwhile, and when the engine returns the endpoint's containers
 * (which went down with the engine) are replaced and it answers again. Only
 * where the suite started the engine itself (scripts/ensure-docker.sh: root,
 * a dockerd of its own, no systemd); elsewhere it skips, except in CI where
 * it must run. The engine is shared: run this file under the Docker lock.
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));

/** Why this machine's engine may not be restarted by the test, or undefined when it may. */
function whyNotRestartable(): string | undefined {
  if (process.getuid?.() !== 0) {
    return 'not running as root: the engine is not ours to restart';
  }
  if (existsSync('/run/systemd/system')) {
    return 'systemd manages this machine: its docker.service, not the suite, owns the engine';
  }
  if (dockerdPid() === undefined) {
    return 'no dockerd process found (a remote engine or Docker Desktop)';
  }
  return undefined;
}

function dockerdPid(): number | undefined {
  try {
    const out = execFileSync('pgrep', ['-x', 'dockerd'], { encoding: 'utf8', timeout: 10_000 }).trim().split('\n')[0];
    return out ? Number(out) : undefined;
  } catch {
    return undefined;
  }
}

/** Gone, or a zombie nobody reaped (a container's PID 1 may not reap): either way it holds nothing. */
function processGone(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).startsWith('Z');
  } catch {
    return true;
  }
}

function engineAnswers(): boolean {
  try {
    execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], { stdio: 'pipe', timeout: 5000 });
    return true;
  } catch {
    return false;
  }
}

function startEngine(): void {
  execFileSync('bash', [path.join(ROOT, 'scripts/ensure-docker.sh')], { stdio: 'pipe', timeout: 90_000 });
}

interface Health {
  status: string;
  docker: { reachable: boolean; error?: string };
}

async function health(url: string): Promise<{ status: number; body: Health; ms: number }> {
  const t0 = Date.now();
  const r = await fetch(`${url}/health`, { signal: AbortSignal.timeout(10_000) });
  return { status: r.status, body: (await r.json()) as Health, ms: Date.now() - t0 };
}

describe('faults: the Docker engine restarts under the emulator', { timeout: TIMEOUT.suite }, () => {
  let t: TestEmulator | undefined;
  before(() => requireDocker());
  after(async () => {
    if (!engineAnswers()) {
      startEngine();
    }
    if (t) {
      await stopAndClean(t);
    }
  });

  test('engine down: /health says unreachable; engine back: containers replaced, InvokeEndpoint answers', { timeout: TIMEOUT.long }, async (ctx) => {
    const why = whyNotRestartable();
    if (why !== undefined) {
      assert.notEqual(process.env.CI, 'true', `CI must run the Docker restart test, but ${why}`);
      ctx.skip(`the engine was not started by the suite: ${why}`);
      return;
    }
    t = await startTestEmulator();
    const emulator = t;
    const { endpoint } = await createEndpoint(emulator.sm, { instanceCount: 2 });
    const old = runningContainers(emulator.stateDir, endpoint);
    const t0 = Date.now();
    assert.equal(old.length, 2);
    const invoke = () =>
      emulator.runtime.send(new InvokeEndpointCommand({ EndpointName: endpoint, Body: new TextEncoder().encode('{}'), ContentType: 'application/json' }), {
        abortSignal: AbortSignal.timeout(15_000),
      });
    const step = (what: string) => console.log(`[faults] docker restart: ${what} (${Date.now() - t0} ms)`);

    const pid = dockerdPid()!;
    process.kill(pid, 'SIGTERM');
    await pollUntil('the engine to stop answering', () => !engineAnswers(), { timeoutMs: 60_000, intervalMs: 250 });
    step('engine stopped answering');
    const down = await pollUntil(
      '/health to report Docker unreachable',
      async () => {
        const h = await health(emulator.url);
        return h.body.docker.reachable ? undefined : h;
      },
      { timeoutMs: 30_000, intervalMs: 250 },
    );
    assert.equal(down.status, 200, '/health stays 200 (a probe must not kill the emulator)');
    assert.equal(down.body.status, 'ok');
    assert.ok(down.body.docker.error, 'the error says why');
    step('/health says unreachable');
    const outage: string[] = [];
    for (let i = 0; i < 3; i++) {
      const err = await invoke().then(
        () => undefined,
        (e: Error & { $metadata?: { httpStatusCode?: number } }) => `${e.name} ${e.$metadata?.httpStatusCode}`,
      );
      if (err) {
        outage.push(err);
      }
    }
    for (const e of outage) {
      assert.ok(['ModelError 424', 'ServiceUnavailable 503'].includes(e), `an invocation during the outage failed with ${e}`);
    }

    step(`outage invocations: ${JSON.stringify(outage)}`);
    // The old daemon closes its socket first and exits later; until it has, it holds /var/run/docker.pid
    // and a new dockerd refuses to start ("pid file found").
    await pollUntil('the old dockerd to exit', () => processGone(pid) || undefined, { timeoutMs: 60_000, intervalMs: 250 });
    step('the old dockerd exited');
    const t1 = Date.now();
    startEngine();
    step('engine started again');
    const back = await pollUntil(
      'InvokeEndpoint to answer after the engine returned',
      () => invoke().then((r) => r.$metadata.httpStatusCode === 200, () => false),
      { timeoutMs: 90_000, intervalMs: 500 },
    );
    assert.ok(back);
    const recoveredMs = Date.now() - t1;
    assert.equal(await untilConverged(emulator.sm, emulator.stateDir, endpoint), 2);
    // The containers that went down with the engine are replaced, and removed.
    const now = await pollUntil(
      'the old containers to be removed',
      () => {
        const ids = managedContainers(emulator.stateDir, endpoint);
        return ids.some((id) => old.some((o) => o.startsWith(id) || id.startsWith(o))) ? undefined : ids;
      },
      { timeoutMs: 30_000, intervalMs: 500 },
    );
    assert.equal(now.length, 2);
    assert.equal((await health(emulator.url)).body.docker.reachable, true);
    console.log(
      `[faults] docker restart: engine down after ${down.ms} ms /health answer (${t1 - t0} ms outage), outage invocations ${JSON.stringify(outage)}, ` +
        `InvokeEndpoint 200 again ${recoveredMs} ms after the engine start began, ${now.length} new containers`,
    );
  });
});
