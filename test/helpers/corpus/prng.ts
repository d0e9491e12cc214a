/**
 * A small seeded PRNG (mulberry32) for the hostile-input corpus: the same seed
 * gives the same cases, so a failure report's seed reproduces it
 * (`SME_CORPUS_SEED=<seed>`).
 */
export class Rng {
  private state: number;

  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  /** Lower-case letters and digits. */
  word(length: number): string {
    const alphabet = 'abcdefghijklmnopqrstuvwxyz0123456789';
    let s = '';
    for (let i = 0; i < length; i++) {
      s += alphabet[this.int(0, alphabet.length - 1)];
    }
    return s;
  }
}

/** The seed: SME_CORPUS_SEED when set (decimal or 0x hex), else a fresh one printed by the test. */
export function corpusSeed(env: NodeJS.ProcessEnv = process.env): number {
  const raw = env.SME_CORPUS_SEED;
  if (raw !== undefined && raw !== '') {
    const n = Number(raw);
    if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) {
      throw new Error(`SME_CORPUS_SEED must be an integer in 0..4294967295, not ${raw}`);
    }
    return n;
  }
  return Math.floor(Math.random() * 0x100000000) >>> 0;
}
