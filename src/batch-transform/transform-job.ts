import pLimit from 'p-limit';
import type { Config } from '../config/schema.js';
import type { ArtifactSource } from '../hosting/artifacts.js';
import type { InstanceEnv } from '../hosting/model-instance.js';
import { type JobContext, type JobKind, JobFailedError } from '../jobs/job-runner.js';
import type { Metrics } from '../observability/metrics.js';
import { arnOf, modelKind, transformJobKind } from '../resources/kinds.js';
import type { TransformJobStatus } from '../protocol/generated/sagemaker-types.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { Store } from '../store/store.js';
import { transformFile } from './file-transform.js';
import { type InputFile, InputError, listInputFiles } from './input-files.js';
import { executionParameters, startTransformContainers, stopTransformContainers } from './transform-containers.js';
import { type TransformJobRecord, transformJobLifecycle } from './transform-job-record.js';
import { effectiveSettings } from './transform-settings.js';

export interface TransformJobDeps {
  store: Store;
  objects: ObjectStore;
  config: Config;
  instanceEnv: InstanceEnv;
  artifacts: ArtifactSource;
  metrics?: Metrics;
}

/**
 * Batch transform as a job kind of the job runner. A job's steps are its
 * input files: one caught by a restart resumes, and skips the files whose
 * output is already written.
 */
export function transformJobs(deps: TransformJobDeps): JobKind<TransformJobStatus, TransformJobRecord> {
  return {
    kind: transformJobKind,
    lifecycle: transformJobLifecycle,
    onRestart: 'resume',
    run: (ctx) => runTransformJob(deps, ctx),
  };
}

async function runTransformJob(deps: TransformJobDeps, ctx: JobContext<TransformJobRecord>): Promise<void> {
  const { job, region, log } = ctx;
  const model = deps.store.models.get(region, job.spec.ModelName);
  if (!model) {
    throw new JobFailedError(`Could not find model "${arnOf(modelKind, region, deps.config.accountId, job.spec.ModelName)}".`);
  }
  const source = job.spec.TransformInput.DataSource.S3DataSource;
  const files = await listInputFiles(deps.objects, source.S3DataType, source.S3Uri).catch((err: unknown) => {
    throw err instanceof InputError ? new JobFailedError(`ClientError: ${err.message}`) : err;
  });
  const done = new Set(job.steps.filter((s) => s.status === 'Completed').map((s) => s.name));
  const todo = files.filter((f) => !done.has(f.relative));
  for (const f of todo) {
    ctx.step(f.relative, { status: 'Pending', detail: { input: `s3://${f.bucket}/${f.key}` } });
  }
  if (ctx.resumed) {
    log.info({ done: done.size, todo: todo.length }, 'transform job resumes: files already transformed are skipped');
  }
  // The job's own stop signal, also pulled when one file fails: the other instances stop too.
  const abort = new AbortController();
  const onStop = () => abort.abort(ctx.signal.reason);
  ctx.signal.addEventListener('abort', onStop, { once: true });
  const instances = await startTransformContainers(deps, region, job, model, log, abort.signal);
  try {
    const settings = effectiveSettings(job.spec, await executionParameters(instances[0]!, abort.signal));
    log.info({ settings, files: files.length }, 'transform settings');
    const counted = (records: number, failed: boolean) => deps.metrics?.transformRecords(job.name, records, failed);
    const queue: InputFile[] = [...todo];
    // The instances share the files. On an instance, MaxConcurrentTransforms requests are in flight at
    // most, across files: as many files are open as there are slots, so that no slot idles at a file's end.
    const workers = instances.flatMap((instance) => {
      const slots = pLimit(settings.maxConcurrentTransforms);
      return Array.from({ length: settings.maxConcurrentTransforms }, () => ({ instance, slots }));
    });
    await Promise.all(
      workers.map(async ({ instance, slots }) => {
        for (let file = queue.shift(); file; file = queue.shift()) {
          abort.signal.throwIfAborted();
          const started = Date.now();
          ctx.step(file.relative, { status: 'InProgress', startTime: started });
          try {
            const result = await transformFile({ objects: deps.objects, spec: job.spec, settings, log, counted }, file, instance, slots, abort.signal);
            ctx.step(file.relative, { status: 'Completed', endTime: Date.now(), detail: { input: `s3://${file.bucket}/${file.key}`, ...result } });
          } catch (err) {
            if (!abort.signal.aborted) {
              ctx.step(file.relative, { status: 'Failed', endTime: Date.now(), failureReason: (err as Error).message.slice(0, 1024) });
              abort.abort(err);
            }
            throw err;
          }
        }
      }),
    ).catch((err: unknown) => {
      // The first failure is the job's reason; the others are its echoes.
      throw abort.signal.reason instanceof JobFailedError ? abort.signal.reason : err;
    });
  } finally {
    ctx.signal.removeEventListener('abort', onStop);
    await stopTransformContainers(instances);
  }
}
