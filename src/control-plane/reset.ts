import type { Logger } from 'pino';
import type { AsyncInference } from '../async-inference/async-inference.js';
import type { Hosting } from '../hosting/hosting.js';
import type { JobRunner } from '../jobs/job-runner.js';
import type { RestRoute } from '../protocol/dispatcher.js';
import type { Store } from '../store/store.js';

export interface ResetDeps {
  store: Store;
  hosting: Hosting;
  /** Its queued requests are dropped with the endpoints. */
  asyncInference?: AsyncInference;
  /** Running jobs are aborted (their containers removed) before their records go. */
  jobs?: JobRunner;
  log: Logger;
  /** The embedded S3: reset deletes every bucket (an external S3 is not ours to empty). */
  s3?: { clear(): Promise<void> };
  /**
   * Application Auto Scaling and CloudWatch: they stop acting and forget their
   * in-memory state (timers, datapoints) before the endpoints go, so that no
   * scaling activity runs against an endpoint being deleted.
   */
  services?: readonly { reset(): void | Promise<void> }[];
}

/**
 * `POST /_emulator/reset` (and `POST /moto-api/reset`, moto's server-mode
 * route, so suites written for moto reset between tests unchanged): answers
 * 200 once every container is removed and every resource of every registered
 * kind is deleted with its tags. Any other method changes nothing.
 */
export function resetRoute(deps: ResetDeps): RestRoute['handler'] {
  let running: Promise<void> | undefined;
  const reset = async (): Promise<void> => {
    const started = Date.now();
    for (const service of deps.services ?? []) {
      await service.reset();
    }
    // Async workers stop first: their requests are dropped, not finished against removed containers.
    await deps.asyncInference?.clear();
    await deps.jobs?.reset();
    // Hosting forgets each live endpoint's metrics as it stops it.
    await deps.hosting.resetAll();
    deps.store.clear();
    await deps.s3?.clear();
    deps.log.info({ ms: Date.now() - started }, 'emulator reset: every resource deleted, every container removed');
  };
  return (req, res) => {
    if (req.method !== 'POST') {
      req.resume();
      res.statusCode = 405;
      res.setHeader('Allow', 'POST');
      res.setHeader('Content-Type', 'application/json');
      res.end(JSON.stringify({ message: `Use POST to reset the emulator; ${req.method ?? ''} changes nothing.` }));
      return;
    }
    req.resume();
    // Two resets at once share one: the second answers when the first is done.
    running ??= reset().finally(() => (running = undefined));
    running.then(
      () => {
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ status: 'ok' }));
      },
      (err: Error) => {
        deps.log.error({ err }, 'emulator reset failed');
        res.statusCode = 500;
        res.setHeader('Content-Type', 'application/json');
        res.end(JSON.stringify({ status: 'error', message: err.message }));
      },
    );
  };
}
