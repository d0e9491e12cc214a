/**
 * The one timer of the emulated CloudWatch: it fires shortly after each
 * period boundary — a settle delay of min(10 % of the period, 2 s) lets
 * samples of requests that ended just before the boundary land — and hands
 * the tick to its listener (zero fill of the ended period, then alarm
 * evaluation: src/cloudwatch/cloudwatch.ts). Time comes from the injected
 * Clock, so tests drive it with a fake one.
 */
import type { Clock } from '../shared/clock.js';

export interface PeriodTick {
  /** Start of the period that just ended. */
  endedPeriodStartMs: number;
  /** The boundary: end of that period, start of the current one. */
  boundaryMs: number;
}

export class PeriodClock {
  readonly settleMs: number;
  private timer: { cancel(): void } | undefined;

  constructor(
    private readonly clock: Clock,
    private readonly periodMs: number,
    private readonly onTick: (tick: PeriodTick) => void,
  ) {
    this.settleMs = Math.min(Math.floor(periodMs / 10), 2000);
  }

  get running(): boolean {
    return this.timer !== undefined;
  }

  start(): void {
    if (!this.timer) {
      this.schedule();
    }
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  private schedule(): void {
    const now = this.clock.now();
    // The boundary whose settle delay is still ahead (a tick due exactly now would run twice otherwise).
    let boundary = Math.floor(now / this.periodMs) * this.periodMs;
    if (boundary + this.settleMs <= now) {
      boundary += this.periodMs;
    }
    this.timer = this.clock.setTimeout(() => this.fire(boundary), boundary + this.settleMs - now);
  }

  private fire(boundaryMs: number): void {
    try {
      this.onTick({ endedPeriodStartMs: boundaryMs - this.periodMs, boundaryMs });
    } finally {
      if (this.timer) {
        this.schedule();
      }
    }
  }
}
