import Docker from 'dockerode';
import { Pool } from 'undici';

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
