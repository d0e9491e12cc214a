/**
 * Timestamps on the AWS JSON wire, for every service the emulator serves
 * (SageMaker, Application Auto Scaling, CloudWatch): epoch seconds out, and
 * epoch seconds (fractions allowed) or ISO-8601 strings in
 * (docs/aws-contract.md §2.1, §2.2). The CBOR and query protocols are turned
 * into the same form before the operations see them.
 */

/** A request timestamp in epoch ms, or undefined when it is neither a number nor a date string. */
export function inputTime(value: unknown): number | undefined {
  if (typeof value === 'number') {
    return value * 1000;
  }
  if (typeof value === 'string') {
    const ms = Date.parse(value);
    return Number.isNaN(ms) ? undefined : ms;
  }
  return undefined;
}


/** Epoch milliseconds to the epoch seconds the JSON protocols write. */
export const wireTime = (ms: number) => ms / 1000;
