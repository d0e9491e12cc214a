import type { Logger } from 'pino';
import type { ModelInstance } from '../hosting/model-instance.js';
import { JobFailedError } from '../jobs/job-runner.js';
import type { ObjectStore } from '../storage/object-store.js';
import { type InputFile, outputLocation, readInputFile } from './input-files.js';
import { assembleOutput, outputsOf } from './records/assemble.js';
import { type Batch, batchRecords } from './records/batch.js';
import { filterInput, needsPerRecordOutputs, processOutput } from './records/data-processing.js';
import { splitRecords } from './records/split.js';
import type { LimitFunction } from 'p-limit';
import type { TransformJobSpec } from './transform-job-record.js';
import type { TransformSettings } from './transform-settings.js';

const MiB = 1024 * 1024;
/** The longest container answer quoted in a FailureReason. */
const QUOTED = 300;

export interface FileTransformDeps {
  objects: ObjectStore;
  spec: TransformJobSpec;
  settings: TransformSettings;
  log: Logger;
  /** Counts records sent (and failed) for the transform metrics. */
  counted(records: number, failed: boolean): void;
}

/** What one input file produced. */
export interface FileResult {
  records: number;
  requests: number;
  output: string;
}

/**
 * One input file through one instance ([DG:batch-transform]): read (and
 * gunzip), split into records (SplitType), InputFilter each, pack into
 * requests (BatchStrategy, MaxPayloadInMB), send them with at most
 * MaxConcurrentTransforms in flight on the instance (`slots`), retrying each
 * failing request InvocationsMaxRetries times, then join and OutputFilter
 * per record and write `<S3OutputPath>/<file>.out` (AssembleWith). The first
 * request that still fails fails the job, naming the file and the answer.
 */
export async function transformFile(deps: FileTransformDeps, file: InputFile, instance: ModelInstance, slots: LimitFunction, signal: AbortSignal): Promise<FileResult> {
  const { spec, settings } = deps;
  const source = `s3://${file.bucket}/${file.key}`;
  const contentType = spec.TransformInput.ContentType;
  const accept = spec.TransformOutput.Accept;
  const dp = spec.DataProcessing;
  const split = spec.TransformInput.SplitType ?? 'None';
  const data = await readInputFile(deps.objects, file, spec.TransformInput.CompressionType).catch(fail(source));
  let records: Buffer[];
  let batches: Batch[];
  try {
    records = splitRecords(data, split);
    const filtered = records.map((r) => filterInput(r, contentType, dp));
    batches = batchRecords(filtered, split, settings.batchStrategy, settings.maxPayloadInMB * MiB);
  } catch (err) {
    throw new JobFailedError(`ClientError: ${source}: ${(err as Error).message}`);
  }
  const perRecord = needsPerRecordOutputs(dp);
  // One failure stops the file's other requests: the job is over.
  const abort = new AbortController();
  const onAbort = () => abort.abort(signal.reason);
  signal.addEventListener('abort', onAbort, { once: true });
  try {
    const answers = await Promise.all(
      batches.map((b) =>
        slots(async () => {
          abort.signal.throwIfAborted();
          const which = b.count === 1 ? `record ${b.first + 1}` : `records ${b.first + 1}–${b.first + b.count}`;
          try {
            return await invoke(deps, instance, b, `${source} (${which})`, abort.signal);
          } catch (err) {
            abort.abort(err);
            throw err;
          }
        }),
      ),
    );
    const outputs: Buffer[] = [];
    answers.forEach((answer, i) => {
      const b = batches[i]!;
      const pieces = outputsOf(answer, b.count, perRecord);
      if (!perRecord) {
        outputs.push(...pieces);
        return;
      }
      pieces.forEach((out, j) => outputs.push(processOutput(records[b.first + j]!, out, contentType, accept, dp)));
    });
    const body = assembleOutput(outputs, spec.TransformOutput.AssembleWith ?? 'None');
    const out = outputLocation(spec.TransformOutput.S3OutputPath, file.relative);
    await deps.objects.put(out.bucket, out.key, body, accept).catch(fail(out.uri));
    deps.log.info({ input: source, output: out.uri, records: records.length, requests: batches.length }, 'transformed input file');
    return { records: records.length, requests: batches.length, output: out.uri };
  } catch (err) {
    if (err instanceof Error && !(err instanceof JobFailedError) && !signal.aborted && err.name !== 'AbortError') {
      throw new JobFailedError(`ClientError: ${source}: ${err.message}`);
    }
    throw err;
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

/**
 * One request to the container, retried InvocationsMaxRetries times; the
 * answer's body on a 2xx. Its records are counted as sent, or as failed once
 * the retries are spent (a request cut short by the job's end is neither).
 * `where` names the file and records for the FailureReason.
 */
async function invoke(deps: FileTransformDeps, instance: ModelInstance, batch: Batch, where: string, signal: AbortSignal): Promise<Buffer> {
  const { spec, settings } = deps;
  const headers: Record<string, string> = { 'content-length': String(batch.body.length) };
  if (spec.TransformInput.ContentType) {
    headers['content-type'] = spec.TransformInput.ContentType;
  }
  if (spec.TransformOutput.Accept) {
    headers.accept = spec.TransformOutput.Accept;
  }
  let problem = '';
  for (let attempt = 0; attempt <= settings.maxRetries; attempt++) {
    signal.throwIfAborted();
    try {
      const answer = await instance.call({ method: 'POST', path: '/invocations', headers, body: batch.body, timeoutMs: settings.invocationsTimeoutMs, signal });
      const chunks: Buffer[] = [];
      for await (const c of answer.body) {
        chunks.push(c as Buffer);
      }
      const body = Buffer.concat(chunks);
      if (answer.status >= 200 && answer.status < 300) {
        deps.counted(batch.count, false);
        return body;
      }
      problem = `the container answered ${answer.status}: ${JSON.stringify(body.toString('utf8').slice(0, QUOTED))}`;
    } catch (err) {
      if (signal.aborted) {
        throw err;
      }
      problem = `the request failed: ${(err as Error).message}`;
    }
    deps.log.warn({ attempt: attempt + 1, of: settings.maxRetries + 1, problem }, 'transform request failed');
  }
  deps.counted(batch.count, true);
  throw new JobFailedError(`ClientError: ${where}: ${problem} (after ${settings.maxRetries + 1} attempts). See the job's logs for more information.`);
}

function fail(uri: string) {
  return (err: Error): never => {
    throw new JobFailedError(`ClientError: ${uri}: ${err.message}`);
  };
}
