/**
 * Values as CloudWatch's wire carries them, both ways: timestamps, dimension
 * lists, and the Java-formatted numbers and dates of alarm texts.
 */
import { inputTime } from '../protocol/wire-time.js';
import { invalidParameterValue } from './errors.js';
import type { Dimensions as DimensionMap } from './metric-sink.js';
import type { Dimension } from '../protocol/generated/cloudwatch-types.js';

/** A required request timestamp in epoch ms, or the error for one that is not a time. */
export function requestTimeMs(value: number | string, name: string): number {
  const ms = inputTime(value);
  if (ms === undefined) {
    // NOT VERIFIED: the text for an unparseable timestamp string (the JSON protocols cannot send one).
    throw invalidParameterValue(`The value ${String(value)} for parameter ${name} is invalid.`);
  }
  return ms;
}

/** Dimensions as a map (a metric's identity), from the wire's list. */
export function dimensionMap(list: readonly Dimension[] | undefined): DimensionMap {
  const out: Record<string, string> = {};
  for (const d of list ?? []) {
    out[d.Name] = d.Value;
  }
  return out;
}

/** Dimensions as the wire lists them, sorted by name so that outputs are stable. */
export function dimensionList(map: DimensionMap): Dimension[] {
  return Object.keys(map)
    .sort()
    .map((Name) => ({ Name, Value: map[Name]! }));
}

/**
 * A number as CloudWatch's alarm texts print it: Java's Double.toString
 * (`30.0`, `0.35220499833424884`, `1.0E7`), as in "… were greater than the
 * threshold (30.0)" (docs/aws-contract.md; real StateReason texts).
 */
export function javaDouble(x: number): string {
  if (!Number.isFinite(x)) {
    return Number.isNaN(x) ? 'NaN' : x > 0 ? 'Infinity' : '-Infinity';
  }
  const abs = Math.abs(x);
  if (abs === 0 || (abs >= 1e-3 && abs < 1e7)) {
    const s = String(x);
    return s.includes('.') || s.includes('e') ? s : `${s}.0`;
  }
  // Scientific: Java writes 1.0E7, 1.5E-4 where JavaScript writes 1e+7, 1.5e-4.
  const [mantissa, exponent] = x.toExponential().split('e') as [string, string];
  return `${mantissa.includes('.') ? mantissa : `${mantissa}.0`}E${Number(exponent)}`;
}

const two = (n: number) => String(n).padStart(2, '0');

/** `dd/MM/yy HH:mm:ss` in UTC, the datapoint dates of StateReason ("1141.0 (09/10/20 21:24:00)"). */
export function reasonDate(ms: number): string {
  const d = new Date(ms);
  return `${two(d.getUTCDate())}/${two(d.getUTCMonth() + 1)}/${two(d.getUTCFullYear() % 100)} ${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())}`;
}

/** `2022-11-08T11:26:05.399+0000`, the dates inside StateReasonData. */
export function reasonDataDate(ms: number): string {
  return new Date(ms).toISOString().replace('Z', '+0000');
}
