import { Pool } from 'undici';

export interface LoadResult {
  latenciesMs: number[];
  throughput: number;
  errors: number;
}

/**
 * Calls `call` `total` times with `concurrency` calls in flight (a closed
 * loop: each worker starts its next call when its last one ends), and records
 * each call's latency. `call` counts its own failures; it must not throw.
 */
export async function closedLoop(total: number, concurrency: number, call: () => Promise<void>): Promise<{ latenciesMs: number[]; throughput: number }> {
  const latenciesMs: number[] = [];
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < total) {
        const start = performance.now();
        await call();
        latenciesMs.push(performance.now() - start);
      }
    }),
  );
  return { latenciesMs, throughput: latenciesMs.length / ((performance.now() - t0) / 1000) };
}

/**
 * Sends `total` POSTs of `body` to `origin + path` with `concurrency` requests
 * in flight, each on its own keep-alive connection, and records each latency.
 */
export async function runLoad(origin: string, path: string, body: Buffer, total: number, concurrency: number): Promise<LoadResult> {
  const pool = new Pool(origin, { connections: concurrency, pipelining: 1 });
  let errors = 0;
  const { latenciesMs, throughput } = await closedLoop(total, concurrency, async () => {
    try {
      const res = await pool.request({ method: 'POST', path, body, headers: { 'content-type': 'application/json' } });
      await res.body.dump();
      if (res.statusCode !== 200) {
        errors++;
      }
    } catch {
      errors++;
    }
  });
  await pool.close();
  return { latenciesMs, throughput, errors };
}
