/**
 * The statistics of one period of one series: SampleCount, Sum, Minimum,
 * Maximum exactly, and what percentiles need.
 *
 * Percentiles are exact while the period holds few distinct samples (up to
 * EXACT_LIMIT values, each with its weight): tests and light traffic get the
 * exact answer. Beyond that the values go into a DDSketch with 1 % relative
 * accuracy (@datadog/sketches-js, the bin count bounded): an endpoint under
 * load puts thousands of latencies a minute, and keeping every one of them
 * for every period of the retention would cost unbounded memory, while a
 * sketch is a few KB whatever the traffic and merges exactly across periods.
 *
 * CloudWatch itself gives no percentile for data with negative values, nor
 * for statistic sets whose SampleCount is above 1 with Minimum ≠ Maximum
 * (API_GetMetricStatistics); such a period reports none here either.
 */
import { LogCollapsingLowestDenseDDSketch } from '@datadog/sketches-js';

/** How many distinct values a period keeps before it switches to a sketch. */
export const EXACT_LIMIT = 64;
const SKETCH_ACCURACY = 0.01;
const SKETCH_BINS = 2048;

type Sketch = LogCollapsingLowestDenseDDSketch;
const newSketch = (): Sketch => new LogCollapsingLowestDenseDDSketch({ relativeAccuracy: SKETCH_ACCURACY, binLimit: SKETCH_BINS });

export class PeriodStats {
  sampleCount = 0;
  sum = 0;
  minimum = Number.POSITIVE_INFINITY;
  maximum = Number.NEGATIVE_INFINITY;
  /**
   * Exact values and their weights, interleaved ([v, w, v, w, …]) in one array
   * made on the first value (a literal, so no spare capacity: most periods of
   * a counter hold one distinct value). Up to EXACT_LIMIT values; then
   * undefined, and `sketch` holds them.
   */
  private exact: number[] | undefined;
  private sketch: Sketch | undefined;
  /** False once a value percentiles cannot account for arrived (a negative one, a spread statistic set). */
  private percentilesValid = true;

  /** One value, `weight` times (PutMetricData's Values with Counts). */
  add(value: number, weight = 1): void {
    if (weight <= 0) {
      return;
    }
    this.sampleCount += weight;
    this.sum += value * weight;
    this.minimum = Math.min(this.minimum, value);
    this.maximum = Math.max(this.maximum, value);
    if (value < 0) {
      this.percentilesValid = false;
    }
    this.keep(value, weight);
  }

  /** A statistic set: percentiles stay available only when it is one value (SampleCount 1 or Minimum = Maximum). */
  addSet(sampleCount: number, sum: number, minimum: number, maximum: number): void {
    if (sampleCount <= 0) {
      return;
    }
    this.sampleCount += sampleCount;
    this.sum += sum;
    this.minimum = Math.min(this.minimum, minimum);
    this.maximum = Math.max(this.maximum, maximum);
    if (minimum < 0) {
      this.percentilesValid = false;
    }
    if (sampleCount === 1) {
      this.keep(sum, 1);
    } else if (minimum === maximum) {
      this.keep(minimum, sampleCount);
    } else {
      this.percentilesValid = false;
    }
  }

  /** Adds another period's statistics into this one (a longer Period, or merged units). */
  merge(other: PeriodStats): void {
    if (other.sampleCount === 0) {
      return;
    }
    this.sampleCount += other.sampleCount;
    this.sum += other.sum;
    this.minimum = Math.min(this.minimum, other.minimum);
    this.maximum = Math.max(this.maximum, other.maximum);
    this.percentilesValid &&= other.percentilesValid;
    if (!this.percentilesValid) {
      return;
    }
    if (other.sketch) {
      this.toSketch().merge(other.sketch);
    } else {
      other.eachExact((v, w) => this.keep(v, w));
    }
  }

  get average(): number {
    return this.sum / this.sampleCount;
  }

  /** Whether the percentile comes from a sketch (±1 %) rather than the exact values. */
  get sketched(): boolean {
    return this.sketch !== undefined;
  }

  /**
   * The p-th percentile (0..100), undefined when this period cannot give one.
   * Exact values use the nearest rank over the weighted samples. NOT VERIFIED:
   * which interpolation CloudWatch uses is not documented.
   */
  percentile(p: number): number | undefined {
    if (this.sampleCount === 0 || !this.percentilesValid || p < 0 || p > 100) {
      return undefined;
    }
    if (p === 0) {
      return this.minimum;
    }
    if (p === 100) {
      return this.maximum;
    }
    if (this.sketch) {
      // The sketch's answer is within 1 %; the true extremes bound it.
      return Math.min(this.maximum, Math.max(this.minimum, this.sketch.getValueAtQuantile(p / 100)));
    }
    const order: [number, number][] = [];
    this.eachExact((v, w) => order.push([v, w]));
    order.sort((a, b) => a[0] - b[0]);
    const rank = Math.ceil((p / 100) * this.sampleCount);
    let seen = 0;
    for (const [v, w] of order) {
      seen += w;
      if (seen >= rank) {
        return v;
      }
    }
    return this.maximum;
  }

  /** The sample count below which a percentile is "not statistically significant" (EvaluateLowSampleCountPercentile). */
  static significantCount(p: number): number {
    const q = p / 100;
    return q >= 0.5 ? 10 / (1 - q) : 10 / q;
  }

  private keep(value: number, weight: number): void {
    if (!this.percentilesValid) {
      return;
    }
    if (this.sketch) {
      this.sketch.accept(value, weight);
      return;
    }
    const exact = this.exact;
    if (!exact) {
      this.exact = [value, weight];
      return;
    }
    for (let i = 0; i < exact.length; i += 2) {
      if (exact[i] === value) {
        exact[i + 1]! += weight;
        return;
      }
    }
    if (exact.length < 2 * EXACT_LIMIT) {
      exact.push(value, weight);
    } else {
      this.toSketch().accept(value, weight);
    }
  }

  private eachExact(fn: (value: number, weight: number) => void): void {
    const exact = this.exact ?? [];
    for (let i = 0; i < exact.length; i += 2) {
      fn(exact[i]!, exact[i + 1]!);
    }
  }

  private toSketch(): Sketch {
    if (!this.sketch) {
      const sketch = newSketch();
      this.eachExact((v, w) => sketch.accept(v, w));
      this.sketch = sketch;
      this.exact = undefined;
    }
    return this.sketch;
  }
}
