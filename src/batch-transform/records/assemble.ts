import { DataProcessingError } from './errors.js';
import { splitLines } from './split.js';

/** TransformOutput.AssembleWith. */
export type AssembleWith = 'None' | 'Line';

/**
 * The container's answer to a batch of `count` records, as one output per record
 * when a join or an OutputFilter needs them (needPerRecord): the answer's lines
 * (split like SplitType Line input: a trailing '\r' and the empty piece after a
 * final '\n' do not count). A single-record answer is its one output whatever its
 * lines (less the newline ending a one-line answer), so pretty-printed JSON still joins.
 * The guide ties records to lines ("If you set input and output formats to text/csv,
 * you must also set the SplitType and AssemblyType parameters to line"); a line
 * count other than `count` cannot be matched with the records and fails the job.
 * Without per-record processing the answer stays one piece, untouched.
 */
export function outputsOf(answer: Buffer, count: number, needPerRecord: boolean): Buffer[] {
  if (!needPerRecord) {
    return [answer];
  }
  const lines = splitLines(answer);
  if (count === 1) {
    return [lines.length === 1 ? lines[0] : answer];
  }
  if (lines.length !== count) {
    throw new DataProcessingError(
      `The container answered a batch of ${count} records with ${lines.length} line${lines.length === 1 ? '' : 's'}; ` +
        'to join or filter each record\'s output it must answer one line per record, in order.',
    );
  }
  return lines;
}

/**
 * The .out file from the outputs in input order. The API reference
 * (TransformOutput.AssembleWith): "To concatenate the results in binary format,
 * specify None. To add a newline character at the end of every transformed record,
 * specify Line." So Line ends every output with '\n', the last one too; an output
 * that already ends with '\n' (a MultiRecord answer's own lines) gets no second one,
 * which would otherwise leave an empty line between batches. None concatenates.
 */
export function assembleOutput(outputs: Buffer[], assembleWith: AssembleWith): Buffer {
  if (assembleWith === 'None') {
    return Buffer.concat(outputs);
  }
  const parts: Buffer[] = [];
  for (const output of outputs) {
    parts.push(output);
    if (output.length === 0 || output[output.length - 1] !== 0x0a) {
      parts.push(NEWLINE);
    }
  }
  return Buffer.concat(parts);
}

const NEWLINE = Buffer.from('\n');
