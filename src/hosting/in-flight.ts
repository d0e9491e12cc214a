import type { Clock } from '../shared/clock.js';

/**
 * Requests in flight on an instance or a fleet. Draining waits on the moment
 * the count reaches zero (an event, not a poll), or on a timeout.
 */
export class InFlightCounter {
  private n = 0;
  private idle: (() => void)[] = [];

  constructor(private readonly clock: Clock) {}

  get count(): number {
    return this.n;
  }

  enter(): void {
    this.n++;
  }

  leave(): void {
    if (this.n > 0 && --this.n === 0 && this.idle.length > 0) {
      for (const wake of this.idle.splice(0)) {
        wake();
      }
    }
  }

  /** Resolves when no request is in flight, or once `timeoutMs` has passed, whichever comes first. */
  untilIdle(timeoutMs = Number.POSITIVE_INFINITY): Promise<void> {
    if (this.n === 0) {
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      let timer: { cancel(): void } | undefined;
      const wake = () => {
        timer?.cancel();
        resolve();
      };
      this.idle.push(wake);
      if (Number.isFinite(timeoutMs)) {
        timer = this.clock.setTimeout(() => {
          this.idle = this.idle.filter((w) => w !== wake);
          resolve();
        }, timeoutMs);
      }
    });
  }
}
