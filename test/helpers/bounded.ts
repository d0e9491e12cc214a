/**
 * Loops in tests that cannot outlive their test. A request loop that nobody
 * stops (an assertion failed before `running = false`) spins on against a
 * stopped emulator, fails each request at once, and keeps the test process at
 * 100 % CPU forever. So every loop here ends by itself after a number of rounds
 * and a time limit, whichever comes first, and background loops are stopped in
 * the test's `finally`.
 */

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface LoopLimits {
  /** Rounds at most. */
  maxRounds: number;
  /** Milliseconds at most, from the start. */
  maxMs: number;
}

export interface LoopResult {
  rounds: number;
  ms: number;
  /** What ended it: stop() (the test is done with it), or one of its limits. */
  endedBy: 'stop' | 'rounds' | 'time';
}

export interface BackgroundLoop {
  /** Aborted when the loop is asked to stop: pass it to the requests that may be in flight. */
  readonly signal: AbortSignal;
  /** Asks the loop to stop and waits for its last round to end. Safe to call twice. */
  stop(): Promise<LoopResult>;
}

/**
 * Runs `round` again and again in the background until stop(), maxRounds or
 * maxMs. `round` should catch what it expects to fail; an error it throws ends
 * the loop (and is thrown again by stop()). Use it as
 *
 *     const load = backgroundLoop(() => invoke(...).then(ok, failed), { maxRounds: 5000, maxMs: 60_000 });
 *     try { ...assertions... } finally { result = await load.stop(); }
 */
export function backgroundLoop(round: (signal: AbortSignal) => Promise<unknown>, limits: LoopLimits): BackgroundLoop {
  const controller = new AbortController();
  const started = Date.now();
  const done = (async (): Promise<LoopResult> => {
    let rounds = 0;
    for (;;) {
      if (controller.signal.aborted) {
        return { rounds, ms: Date.now() - started, endedBy: 'stop' };
      }
      if (rounds >= limits.maxRounds) {
        return { rounds, ms: Date.now() - started, endedBy: 'rounds' };
      }
      if (Date.now() - started >= limits.maxMs) {
        return { rounds, ms: Date.now() - started, endedBy: 'time' };
      }
      rounds++;
      await round(controller.signal);
    }
  })();
  // Until stop() is awaited, an error must not surface as an unhandled rejection.
  done.catch(() => undefined);
  return {
    signal: controller.signal,
    stop() {
      controller.abort(new Error('the test stopped its background loop'));
      return done;
    },
  };
}

export interface PollOptions {
  /** Give up after this long (default 30 s). */
  timeoutMs?: number;
  /** Pause between probes (default 100 ms); the number of probes is bounded by timeoutMs / intervalMs too. */
  intervalMs?: number;
}

/**
 * Probes until `probe` returns something other than undefined/false, and returns it;
 * fails with `what` and the last probe's value when it never does.
 */
export async function pollUntil<T>(
  what: string,
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  options: PollOptions = {},
): Promise<T> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const intervalMs = options.intervalMs ?? 100;
  const maxProbes = Math.ceil(timeoutMs / intervalMs) + 1;
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  for (let i = 0; i < maxProbes; i++) {
    const value = await probe();
    if (value !== undefined && value !== false) {
      return value;
    }
    last = value;
    if (Date.now() >= deadline) {
      break;
    }
    await sleep(intervalMs);
  }
  throw new Error(`timed out after ${timeoutMs} ms waiting for ${what} (last probe: ${String(last)})`);
}

/** Resolves with `promise`, or rejects once `ms` have passed: for waits on a child process or an event. */
export async function within<T>(what: string, ms: number, promise: Promise<T>): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what}: nothing after ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * Timeouts for node:test (`{ timeout }`), so that a stuck test fails instead of holding up the run.
 * The slowest test takes about 15 s and the slowest file 25 s on 2 cores: several times that, and
 * still small enough that even every file stuck at its suite limit ends well within CI's 90 minutes.
 */
export const TIMEOUT = {
  /** One integration test: a few endpoints created, invoked and deleted. */
  test: 90_000,
  /** A test that drives traffic through updates or restarts, or runs external clients. */
  long: 150_000,
  /** One describe block of an integration file; below the run's --test-timeout (300 s per file). */
  suite: 240_000,
} as const;
