import { controlPlaneCases } from './control-plane.js';
import { Rng } from './prng.js';
import { s3Cases } from './s3-cases.js';
import { injectionCases, type RawTextCase, sigv4Cases } from './sigv4-and-injection.js';
import { runtimeCases, targetCases } from './target-and-runtime.js';
import { traversalCases } from './traversal-cases.js';
import type { Answer, CorpusCase, CorpusContext, RawRequest } from './types.js';

export type { Answer, CorpusCase, CorpusContext, RawRequest } from './types.js';
export type { RawTextCase } from './sigv4-and-injection.js';

/** How many cases of each family one run generates (1,160 in all). */
export const FAMILY_SIZES = { controlPlane: 460, target: 80, runtime: 170, s3: 220, sigv4: 110, injection: 60, traversal: 60 } as const;

/** Header text Node's HTTP parser refuses before any handler runs (control characters, non-token names): a bare 400 is then right too. */
function unparseable(r: RawRequest): boolean {
  return r.headers.some(([k, v]) => !/^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/.test(k) || [...v].some((ch) => (ch < ' ' && ch !== '\t') || ch === '\u007f'));
}

/**
 * The whole corpus for a seed: the same seed and marker give the same
 * requests in the same order (each family has its own stream, so that adding
 * cases to one family does not change the others).
 */
export function generateCorpus(seed: number, ctx: CorpusContext): RawTextCase[] {
  const stream = (n: number) => new Rng((seed ^ Math.imul(n + 1, 0x9e3779b1)) >>> 0);
  const all: CorpusCase[] = [
    ...controlPlaneCases(stream(0), ctx, FAMILY_SIZES.controlPlane),
    ...targetCases(stream(1), FAMILY_SIZES.target),
    ...runtimeCases(stream(2), ctx, FAMILY_SIZES.runtime),
    ...s3Cases(stream(3), ctx, FAMILY_SIZES.s3),
    ...sigv4Cases(stream(4), ctx, FAMILY_SIZES.sigv4),
    ...injectionCases(stream(5), ctx, FAMILY_SIZES.injection),
    ...traversalCases(stream(6), ctx, FAMILY_SIZES.traversal),
  ];
  // Interleave the families so that a slow family (S3, the runtime's 6 MB bodies) does not run alone.
  const order = new Rng(seed);
  for (let i = all.length - 1; i > 0; i--) {
    const j = order.int(0, i);
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all.map((c) => {
    if (!unparseable(c.request)) {
      return c;
    }
    const expect = c.expect;
    const bare = (a: Answer) => a.status === 0 || ((a.status === 400 || a.status === 431) && a.headers['x-amzn-requestid'] === undefined && a.body.length === 0);
    return { ...c, expect: (a: Answer) => (bare(a) ? undefined : expect(a)) };
  });
}
