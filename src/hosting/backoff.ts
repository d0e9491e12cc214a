/**
 * The wait before the next attempt at starting a container that keeps
 * failing: 0.5 s, doubling with each failure in a row, at most 30 s, so that
 * a crash-looping image does not hammer Docker (docs/engine-design.md P7).
 */
export class Backoff {
  private failures = 0;

  constructor(
    private readonly firstMs = 500,
    private readonly maxMs = 30_000,
  ) {}

  /** Counts one more failure and says how long to wait before the next attempt. */
  next(): number {
    return Math.min(this.maxMs, this.firstMs * 2 ** this.failures++);
  }

  /** An attempt succeeded: the next failure starts from the first wait again. */
  reset(): void {
    this.failures = 0;
  }
}
