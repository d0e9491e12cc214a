import type { Clock } from '../../src/shared/clock.js';

/** A clock that only moves when the test says so: no real sleeps in unit tests. */
export class FakeClock implements Clock {
  private time = 1_000_000;
  private timers: { at: number; fn: () => void; cancelled: boolean }[] = [];

  now(): number {
    return this.time;
  }

  setTimeout(fn: () => void, ms: number): { cancel(): void } {
    const timer = { at: this.time + ms, fn, cancelled: false };
    this.timers.push(timer);
    return { cancel: () => (timer.cancelled = true) };
  }

  /** Moves time forward, firing due timers in order. */
  advance(ms: number): void {
    const until = this.time + ms;
    for (;;) {
      const due = this.timers.filter((t) => !t.cancelled && t.at <= until).sort((a, b) => a.at - b.at)[0];
      if (!due) {
        break;
      }
      this.time = due.at;
      due.cancelled = true;
      due.fn();
    }
    this.time = until;
    this.timers = this.timers.filter((t) => !t.cancelled);
  }

  pending(): number {
    return this.timers.filter((t) => !t.cancelled).length;
  }
}
