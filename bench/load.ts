import { Pool } from 'undici';

export interface LoadResult {
  latenciesMs: number[];
  throughput: number;
  errors: number;
}

/**
 * Sends `total` POSTs of `body` to `origin + path` with `concurrency` requests
 * in flight, each on its own keep-alive connection, and records each latency.
 */
export async function runLoad(origin: string, path: string, body: Buffer, total: number, concurrency: number): Promise<LoadResult> {
  const pool = new Pool(origin, { connections: concurrency, pipelining: 1 });
  const latenciesMs: number[] = [];
  let errors = 0;
  let next = 0;
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next++ < total) {
        const start = performance.now();
        try {
          const res = await pool.request({ method: 'POST', path, body, headers: { 'content-type': 'application/json' } });
          await res.body.dump();
          if (res.statusCode !== 200) {
            errors++;
          }
        } catch {
          errors++;
        }
        latenciesMs.push(performance.now() - start);
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  await pool.close();
  return { latenciesMs, throughput: latenciesMs.length / elapsed, errors };
}
