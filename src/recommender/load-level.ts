import type { VariantFleet } from '../hosting/fleet.js';

/** What one load level measured: `users` request loops for `seconds`. */
export interface LevelResult {
  users: number;
  seconds: number;
  invocations: number;
  errors: number;
  /** Each successful request's time, in milliseconds, in completion order. */
  latenciesMs: number[];
  /** The first error's words, for a FailureReason. */
  firstError?: string;
}

export interface LevelEvents {
  /** One request done: its latency (ms), or undefined when it failed. */
  request(latencyMs: number | undefined): void;
}

/** A request may take this long before it counts as an error (SageMaker's 60 s invocation limit). */
const REQUEST_TIMEOUT_MS = 60_000;

/**
 * Drives `users` concurrent request loops against a variant's fleet for
 * `seconds`, cycling through the sample payloads, as Inference Recommender's
 * load clients do. Requests go to the containers through the same admission
 * as InvokeEndpoint (a serverless variant cold-starts and throttles as it
 * would); each loop sends its next request as soon as the last one is
 * answered. Stops early when `signal` aborts.
 */
export async function runLevel(
  fleet: VariantFleet,
  payloads: Buffer[],
  contentType: string,
  users: number,
  seconds: number,
  signal: AbortSignal,
  events: LevelEvents,
): Promise<LevelResult> {
  const result: LevelResult = { users, seconds, invocations: 0, errors: 0, latenciesMs: [] };
  const started = performance.now();
  const deadline = started + seconds * 1000;
  let next = 0;
  const loop = async () => {
    while (performance.now() < deadline && !signal.aborted) {
      const body = payloads[next++ % payloads.length]!;
      const t0 = performance.now();
      let problem: string | undefined;
      try {
        const lease = await fleet.acquire(signal);
        try {
          const answer = await lease.instance.call({
            method: 'POST',
            path: '/invocations',
            headers: { 'content-type': contentType, 'content-length': String(body.length) },
            body,
            timeoutMs: REQUEST_TIMEOUT_MS,
            signal,
          });
          for await (const _ of answer.body) {
            // drained: the request is done when its answer has arrived
          }
          if (answer.status < 200 || answer.status >= 300) {
            problem = `the model answered ${answer.status}`;
          }
        } finally {
          lease.release();
        }
      } catch (err) {
        if (signal.aborted) {
          return;
        }
        problem = (err as Error).message;
      }
      const ms = performance.now() - t0;
      if (problem === undefined) {
        result.invocations++;
        result.latenciesMs.push(ms);
        events.request(ms);
      } else {
        result.errors++;
        result.firstError ??= problem;
        events.request(undefined);
      }
    }
  };
  await Promise.all(Array.from({ length: users }, loop));
  // Requests sent before the deadline are waited for: the level lasts until the last one is answered.
  result.seconds = Math.max(0.001, (performance.now() - started) / 1000);
  return result;
}

/** Requests per minute the level sustained. */
export const perMinute = (r: LevelResult) => Math.floor((r.invocations / r.seconds) * 60);

/**
 * The mean latency in whole ms, rounded down: with N users each waiting for
 * its answer before the next request, requests per minute can never exceed
 * N × 60000 / mean, and rounding down keeps that true of the reported figure.
 */
export const meanLatencyMs = (r: LevelResult) => (r.latenciesMs.length ? Math.floor(r.latenciesMs.reduce((a, b) => a + b, 0) / r.latenciesMs.length) : 0);

export function percentileMs(r: LevelResult, p: number): number {
  const sorted = [...r.latenciesMs].sort((a, b) => a - b);
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]! : 0;
}
