import { recordPayload } from './binary-records.js';
import type { SplitType } from './split.js';

/** CreateTransformJob's BatchStrategy. */
export type BatchStrategy = 'SingleRecord' | 'MultiRecord';

/** One request to the container: records [first, first + count) of the file, as the body to send. */
export interface Batch {
  body: Buffer;
  first: number;
  count: number;
}

/** A record that does not fit in MaxPayloadInMB on its own; the job fails on it ("Use batch transform to run inference", errors). */
export class RecordTooLargeError extends Error {
  override name = this.constructor.name;
  constructor(
    readonly recordIndex: number,
    readonly size: number,
    readonly limit: number,
  ) {
    super(
      `Record ${recordIndex + 1} of the input file is ${size} bytes, more than MaxPayloadInMB allows (${limit} bytes). ` +
        'Raise MaxPayloadInMB, or split the file into smaller records with SplitType.',
    );
  }
}

/** MaxPayloadInMB's default, per the API reference ("The default value is 6 MB"). */
export const DEFAULT_MAX_PAYLOAD_MB = 6;

/** MaxPayloadInMB in bytes, MB taken as MiB (2^20 bytes, as the SageMaker Python SDK's local mode counts it); 0 stays 0, no limit. */
export function maxPayloadBytes(maxPayloadInMB: number | undefined): number {
  return (maxPayloadInMB ?? DEFAULT_MAX_PAYLOAD_MB) * 1024 * 1024;
}

/**
 * The requests for one file's records (CreateTransformJob, BatchStrategy and
 * MaxPayloadInMB). SingleRecord sends each record alone; MultiRecord "sends the
 * maximum number of records in each request, up to the MaxPayloadInMB limit",
 * whole records only, in order. Line records are joined with '\n' (no newline after
 * the last), and the joiners count toward the size; RecordIO/TFRecord records are
 * concatenated with their framing. A SingleRecord binary record goes without its
 * framing (recordPayload). With SplitType None there is one record, the file.
 * maxPayloadBytes 0 is MaxPayloadInMB 0: no limit (the payload would be streamed
 * with chunked encoding). The size checked is the body's, what goes on the wire.
 */
export function batchRecords(records: Buffer[], split: SplitType, strategy: BatchStrategy, maxPayloadBytes: number): Batch[] {
  const fits = (size: number) => maxPayloadBytes === 0 || size <= maxPayloadBytes;
  if (strategy === 'SingleRecord' || split === 'None') {
    return records.map((record, i) => {
      const body = split === 'RecordIO' || split === 'TFRecord' ? recordPayload(record, split) : record;
      if (!fits(body.length)) {
        throw new RecordTooLargeError(i, body.length, maxPayloadBytes);
      }
      return { body, first: i, count: 1 };
    });
  }
  const joiner = split === 'Line' ? 1 : 0;
  const batches: Batch[] = [];
  let first = 0;
  let size = 0;
  const close = (end: number) => {
    const parts = records.slice(first, end);
    batches.push({ body: joiner ? joinLines(parts) : Buffer.concat(parts), first, count: end - first });
  };
  records.forEach((record, i) => {
    if (!fits(record.length)) {
      throw new RecordTooLargeError(i, record.length, maxPayloadBytes);
    }
    if (i > first && !fits(size + joiner + record.length)) {
      close(i);
      first = i;
      size = 0;
    }
    size += (i > first ? joiner : 0) + record.length;
  });
  if (records.length > first) {
    close(records.length);
  }
  return batches;
}

function joinLines(lines: Buffer[]): Buffer {
  const parts: Buffer[] = [];
  lines.forEach((line, i) => {
    if (i > 0) {
      parts.push(NEWLINE);
    }
    parts.push(line);
  });
  return Buffer.concat(parts);
}

const NEWLINE = Buffer.from('\n');
