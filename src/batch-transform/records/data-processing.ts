import { formatCsvRow, parseCsvRow } from './csv.js';
import { DataProcessingError } from './errors.js';
import { parseJsonPath, selectJsonPath, type JsonPath } from './jsonpath.js';

export { DataProcessingError } from './errors.js';

/**
 * CreateTransformJob's DataProcessing, applied as the guide describes it
 * ("Associate Prediction Results with Input Records",
 * https://docs.aws.amazon.com/sagemaker/latest/dg/batch-transform-data-processing.html):
 * InputFilter selects what the container gets from each record, JoinSource Input
 * joins the original record with the container's output for it, and OutputFilter
 * selects what of that (or of the output alone) is written. An absent or empty
 * filter is the default `$`, which changes nothing, byte for byte.
 */
export interface DataProcessing {
  InputFilter?: string;
  OutputFilter?: string;
  JoinSource?: 'Input' | 'None';
}

export type Format = 'csv' | 'json';

/**
 * The record format of a ContentType or Accept. The guide: "You can use input files
 * in JSON and CSV format only", ContentType and Accept set to "text/csv,
 * application/json, or application/jsonlines"; the other JSON Lines spellings in use
 * are taken too. Parameters (`; charset=utf-8`) are ignored.
 */
export function recordFormat(mediaType: string | undefined): Format | undefined {
  const type = mediaType?.split(';')[0]?.trim().toLowerCase();
  if (type === 'text/csv') {
    return 'csv';
  }
  const json = ['application/json', 'application/jsonlines', 'application/x-jsonlines', 'application/jsonl', 'application/json-lines'];
  return type !== undefined && json.includes(type) ? 'json' : undefined;
}

const isIdentity = (filter: string | undefined) => filter === undefined || filter === '' || filter === '$';

/** The filter's parsed path, or undefined when it is the identity `$`. */
const activeFilter = (filter: string | undefined, label: string) => (isIdentity(filter) ? undefined : parseJsonPath(filter!, label));

/** Checks DataProcessing at CreateTransformJob; throws JsonPathError (or DataProcessingError) with the message to answer. */
export function checkDataProcessing(dp: DataProcessing | undefined): void {
  if (dp?.InputFilter) {
    parseJsonPath(dp.InputFilter, 'InputFilter');
  }
  if (dp?.OutputFilter) {
    parseJsonPath(dp.OutputFilter, 'OutputFilter');
  }
  if (dp?.JoinSource !== undefined && dp.JoinSource !== 'Input' && dp.JoinSource !== 'None') {
    throw new DataProcessingError(`JoinSource must be Input or None, not ${String(dp.JoinSource)}.`);
  }
}

/** Whether each record's output is needed apart (a MultiRecord answer split per record, assemble.ts outputsOf). */
export function needsPerRecordOutputs(dp: DataProcessing | undefined): boolean {
  return dp?.JoinSource === 'Input' || !isIdentity(dp?.OutputFilter);
}

/** The record as the container gets it after InputFilter, in the job's ContentType ('text/csv' rows are arrays of column strings). */
export function filterInput(record: Buffer, contentType: string | undefined, dp: DataProcessing | undefined): Buffer {
  const path = activeFilter(dp?.InputFilter, 'InputFilter');
  if (!path) {
    return record;
  }
  const format = requireFormat(recordFormat(contentType), `ContentType ${contentType ?? '(none)'}`, 'InputFilter');
  return serialize(select(parse(record, format, 'input record'), path, 'InputFilter'), format);
}

/**
 * The output record as it is written. JoinSource Input joins the ORIGINAL input
 * record with the output: for CSV "the joined input data is followed by the
 * transformed data" (the output's columns appended to the row); for JSON the output
 * goes under "SageMakerOutput" in the input object (overwriting one already there,
 * as the guide warns), and an input that is not an object becomes
 * `{"SageMakerInput": input, "SageMakerOutput": output}`. The joined record is
 * written in the input's format. OutputFilter then applies to the joined record, or
 * to the output alone without a join (written in the Accept format). The output is
 * read in the Accept format, or in the ContentType's when there is no Accept.
 */
export function processOutput(
  input: Buffer,
  output: Buffer,
  contentType: string | undefined,
  accept: string | undefined,
  dp: DataProcessing | undefined,
): Buffer {
  const join = dp?.JoinSource === 'Input';
  const filter = activeFilter(dp?.OutputFilter, 'OutputFilter');
  if (!join) {
    if (!filter) {
      return output;
    }
    const format = outputFormat(accept, recordFormat(contentType), 'OutputFilter');
    return serialize(select(parse(output, format, "container's output"), filter, 'OutputFilter'), format);
  }
  const format = requireFormat(recordFormat(contentType), `ContentType ${contentType ?? '(none)'}`, 'JoinSource Input');
  const record = parse(input, format, 'input record');
  const result = parse(output, outputFormat(accept, format, 'JoinSource Input'), "container's output");
  let joined: unknown;
  if (format === 'csv') {
    joined = [...(record as string[]), ...(Array.isArray(result) ? result : [result])];
  } else if (typeof record === 'object' && record !== null && !Array.isArray(record)) {
    joined = { ...record, SageMakerOutput: result };
  } else {
    joined = { SageMakerInput: record, SageMakerOutput: result };
  }
  return serialize(filter ? select(joined, filter, 'OutputFilter') : joined, format);
}

/** The format the container's output is read in: the Accept's, or without an Accept the input's. */
function outputFormat(accept: string | undefined, inputFormat: Format | undefined, why: string): Format {
  if (accept === undefined) {
    return requireFormat(inputFormat, 'ContentType (with no Accept)', why);
  }
  return requireFormat(recordFormat(accept), `Accept ${accept}`, why);
}

function requireFormat(format: Format | undefined, what: string, why: string): Format {
  if (format === undefined) {
    throw new DataProcessingError(
      `${why} needs CSV or JSON records, but the job's ${what} is neither: use text/csv, application/json or application/jsonlines.`,
    );
  }
  return format;
}

/** A record as a CSV row or parsed JSON; one trailing newline (as container answers often end) is not part of it. */
function parse(record: Buffer, format: Format, what: string): unknown {
  const text = record.toString('utf8').replace(/\r?\n$/, '');
  if (format === 'csv') {
    if (/[\r\n]/.test(text)) {
      throw new DataProcessingError(`The ${what} holds more than one CSV line; data processing works on one row at a time (SplitType Line).`);
    }
    return parseCsvRow(text);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    const shown = text.length > 80 ? `${text.slice(0, 77)}...` : text;
    throw new DataProcessingError(`The ${what} is not valid JSON (${(err as Error).message}): ${shown}`);
  }
}

function select(value: unknown, path: JsonPath, filter: string): unknown {
  try {
    return selectJsonPath(value, path);
  } catch (err) {
    throw err instanceof DataProcessingError ? new DataProcessingError(`${filter} ${err.message}`) : err;
  }
}

/** CSV: an array is a row, anything else one column. JSON: compact, one line, as JSON Lines wants. */
function serialize(value: unknown, format: Format): Buffer {
  return Buffer.from(format === 'csv' ? formatCsvRow(Array.isArray(value) ? value : [value]) : JSON.stringify(value));
}
