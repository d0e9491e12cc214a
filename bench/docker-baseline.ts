import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import Docker from 'dockerode';
import { Pool } from 'undici';
import { containerCaps } from '../src/hosting/instance-types.js';
import { waitForPing } from '../src/hosting/readiness.js';
import { systemClock } from '../src/shared/clock.js';

const sh = promisify(execFile);

/**
 * The baseline every start-up figure is compared with: a bare dockerode
 * create + start of the same image, then GET /ping polled every 5 ms until it
 * answers 200 — what any tool must pay at least, without the emulator.
 */
export async function bareDockerStart(image: string, modelDir: string, memoryBytes: number): Promise<{ ms: number; stop: () => Promise<void> }> {
  const docker = new Docker();
  const t0 = performance.now();
  const c = await docker.createContainer({
    Image: image,
    Cmd: ['serve'],
    Labels: { 'sagemaker-emulator.bench': 'true' },
    ExposedPorts: { '8080/tcp': {} },
    HostConfig: {
      PortBindings: { '8080/tcp': [{ HostIp: '127.0.0.1', HostPort: '' }] },
      Memory: memoryBytes,
      Mounts: [{ Type: 'bind', Source: modelDir, Target: '/opt/ml/model', ReadOnly: true }],
    },
  });
  await c.start();
  const info = await c.inspect();
  const port = info.NetworkSettings.Ports['8080/tcp']?.[0]?.HostPort;
  const pool = new Pool(`http://127.0.0.1:${port}`);
  for (;;) {
    try {
      const r = await pool.request({ method: 'GET', path: '/ping', headersTimeout: 250 });
      await r.body.dump();
      if (r.statusCode === 200) {
        break;
      }
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 5));
  }
  const elapsed = performance.now() - t0;
  return {
    ms: elapsed,
    stop: async () => {
      await pool.destroy();
      await c.remove({ force: true });
    },
  };
}

/** A container of an image started by hand, as a benchmark's direct baseline. */
export interface HandStarted {
  pool: Pool;
  /** `docker run` → the first /ping 200, in milliseconds. */
  startMs: number;
  /** `docker stop -t graceSeconds`; resolves with the milliseconds it took. */
  stop(graceSeconds: number): Promise<number>;
  /** Closes the pool and removes the container (whether or not it was stopped); never rejects. */
  remove(): Promise<void>;
}

/**
 * `docker run` of `image` with the caps the emulator gives `instanceType` on
 * this machine (containerCaps, memory without swap), its port published on
 * the loopback, then the emulator's own readiness probe on /ping (bounded:
 * 30 s). Nothing is left running when it rejects.
 */
export async function startByHand(image: string, instanceType: string, opts: { env?: Record<string, string>; connections: number }): Promise<HandStarted> {
  const caps = containerCaps(instanceType);
  const limits = ['--memory', String(caps.memoryBytes), '--memory-swap', String(caps.memoryBytes), '--cpus', String(caps.nanoCpus / 1e9)];
  const env = Object.entries(opts.env ?? {}).flatMap(([k, v]) => ['-e', `${k}=${v}`]);
  const t0 = performance.now();
  const id = (await sh('docker', ['run', '-d', '--rm', '-p', '127.0.0.1::8080', ...env, ...limits, '--label', 'sagemaker-emulator.bench=true', image, 'serve'])).stdout.trim();
  const removeContainer = () => sh('docker', ['rm', '-f', id]).then(
    () => undefined,
    () => undefined,
  );
  let pool: Pool | undefined;
  try {
    const port = (await sh('docker', ['port', id, '8080/tcp'])).stdout.trim().split('\n')[0]!.split(':').pop();
    pool = new Pool(`http://127.0.0.1:${port}`, { connections: opts.connections, pipelining: 1, keepAliveTimeout: 30_000 });
    await waitForPing(pool, { timeoutMs: 30_000, signal: new AbortController().signal, clock: systemClock });
  } catch (err) {
    await pool?.destroy().catch(() => undefined);
    await removeContainer();
    throw err;
  }
  const ready = pool;
  const startMs = performance.now() - t0;
  return {
    pool: ready,
    startMs,
    async stop(graceSeconds) {
      await ready.destroy().catch(() => undefined);
      const s0 = performance.now();
      await sh('docker', ['stop', '-t', String(graceSeconds), id]);
      return performance.now() - s0;
    },
    async remove() {
      await ready.destroy().catch(() => undefined);
      await removeContainer();
    },
  };
}
