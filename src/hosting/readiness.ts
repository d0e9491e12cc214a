import type { Pool } from 'undici';
import { type Clock, sleepOn } from '../shared/clock.js';

/**
 * Readiness is an HTTP 200 from GET /ping (docs/aws-contract.md §8.1), polled fast so that
 * a cold start costs the model's own start time and little more: every 10 ms
 * for the first second, then backing off to 100 ms (docs/engine-design.md P6). A probe
 * gets 250 ms to answer; SageMaker gives it 2 s, but a probe that hangs must
 * not hold up the next one.
 */
export interface ReadinessOptions {
  timeoutMs: number;
  /** Aborted when the container exits: no need to wait for the timeout. */
  signal: AbortSignal;
  clock: Clock;
}

export class ReadinessTimeout extends Error {}

export async function waitForPing(pool: Pool, opts: ReadinessOptions): Promise<void> {
  const { clock } = opts;
  const started = clock.now();
  const deadline = started + opts.timeoutMs;
  let lastProblem = 'no answer yet';
  while (clock.now() < deadline) {
    opts.signal.throwIfAborted();
    try {
      const res = await pool.request({
        method: 'GET',
        path: '/ping',
        headersTimeout: 250,
        bodyTimeout: 250,
        signal: opts.signal,
      });
      await res.body.dump();
      if (res.statusCode === 200) {
        return;
      }
      lastProblem = `/ping answered ${res.statusCode}`;
    } catch (err) {
      opts.signal.throwIfAborted();
      lastProblem = (err as Error).message;
    }
    const elapsed = clock.now() - started;
    await sleepOn(clock, elapsed < 1000 ? 10 : Math.min(100, 10 + elapsed / 20), opts.signal);
  }
  throw new ReadinessTimeout(`last probe: ${lastProblem}`);
}
