import { splitRecordIO, splitTFRecord } from './binary-records.js';

export { RecordFormatError, recordPayload } from './binary-records.js';

/** TransformInput.SplitType (API reference "TransformInput"). */
export type SplitType = 'None' | 'Line' | 'RecordIO' | 'TFRecord';

/**
 * The records of one input file, already decompressed (CompressionType Gzip is
 * undone before this). "Use batch transform to run inference": with SplitType None
 * "SageMaker uses the entire input file in a single request", so the whole file is
 * one record, even an empty one. RecordIO and TFRecord records keep their framing
 * (binary-records.ts); a malformed file throws RecordFormatError.
 */
export function splitRecords(data: Buffer, split: SplitType): Buffer[] {
  switch (split) {
    case 'None':
      return [data];
    case 'Line':
      return splitLines(data);
    case 'RecordIO':
      return splitRecordIO(data);
    case 'TFRecord':
      return splitTFRecord(data);
  }
}

/**
 * SplitType Line: "split records on a newline character boundary". A line's
 * trailing '\r' is not part of it (CRLF files split like LF ones), and the empty
 * piece after a final '\n' is not a record. An empty line in the middle of a file
 * IS a record (an empty one): the guide says nothing of skipping lines, and keeping
 * it keeps record i of the input matched with line i of a joined output.
 */
export function splitLines(data: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  while (start < data.length) {
    const nl = data.indexOf(0x0a, start);
    const end = nl < 0 ? data.length : nl;
    lines.push(data.subarray(start, end > start && data[end - 1] === 0x0d ? end - 1 : end));
    start = end + 1;
  }
  return lines;
}
