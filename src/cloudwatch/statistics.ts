/**
 * CloudWatch's statistics by name, and their value over a period's
 * statistics. The five plain ones and percentiles (`p99`, `p99.9`, `p0.0` to
 * `p100`) are computed; the other extended statistics CloudWatch knows
 * (trimmed means, percentile ranks, …: Statistics-definitions.html) are
 * recognised and refused as not emulated, rather than called invalid.
 */
import type { PeriodStats } from './period-stats.js';

export type PlainStatistic = 'SampleCount' | 'Average' | 'Sum' | 'Minimum' | 'Maximum';

export type ParsedStatistic = { kind: 'plain'; name: PlainStatistic } | { kind: 'percentile'; name: string; p: number };

const PLAIN: readonly string[] = ['SampleCount', 'Average', 'Sum', 'Minimum', 'Maximum'];
const PERCENTILE = /^p(\d{1,3}(?:\.\d{1,10})?)$/;
/** https://docs.aws.amazon.com/AmazonCloudWatch/latest/monitoring/Statistics-definitions.html */
const OTHER_EXTENDED = /^(tm|wm|pr|tc|ts|iqm)/i;

export type StatisticCheck = { ok: true; stat: ParsedStatistic } | { ok: false; reason: 'invalid' | 'not-emulated' };

export function parseStatistic(name: string): StatisticCheck {
  if (PLAIN.includes(name)) {
    return { ok: true, stat: { kind: 'plain', name: name as PlainStatistic } };
  }
  const m = PERCENTILE.exec(name);
  if (m) {
    const p = Number(m[1]);
    return p <= 100 ? { ok: true, stat: { kind: 'percentile', name, p } } : { ok: false, reason: 'invalid' };
  }
  return { ok: false, reason: OTHER_EXTENDED.test(name) ? 'not-emulated' : 'invalid' };
}

export const notEmulatedText = (name: string) =>
  `sagemaker-emulator does not compute the statistic ${name}: it computes SampleCount, Average, Sum, Minimum, Maximum and percentiles (p0 to p100).`;

/** The statistic's value over a period; undefined when the period cannot give it (a percentile of spread statistic sets). */
export function statisticValue(stat: ParsedStatistic, stats: PeriodStats): number | undefined {
  if (stats.sampleCount === 0) {
    return undefined;
  }
  if (stat.kind === 'percentile') {
    return stats.percentile(stat.p);
  }
  switch (stat.name) {
    case 'SampleCount':
      return stats.sampleCount;
    case 'Average':
      return stats.average;
    case 'Sum':
      return stats.sum;
    case 'Minimum':
      return stats.minimum;
    case 'Maximum':
      return stats.maximum;
  }
}
