import { InputError, listInputFiles } from '../batch-transform/input-files.js';
import { checkDataProcessing } from '../batch-transform/records/data-processing.js';
import type { TransformJobRecord } from '../batch-transform/transform-job-record.js';
import { transformJobLifecycle } from '../batch-transform/transform-job-record.js';
import { isEnded } from '../jobs/job-lifecycle.js';
import { validationException } from '../protocol/wire-errors.js';
import { arnOf, modelKind, transformJobKind } from '../resources/kinds.js';
import type { Operation, OperationContext } from './context.js';
import { insertWithTags } from './create-resource.js';
import { wireTime } from '../protocol/wire-time.js';
import { paginate } from './list-paging.js';
import { getOrNotFound, notFound } from './not-found.js';

/** The largest payload batch transform takes, alone and times MaxConcurrentTransforms (API reference, MaxPayloadInMB). */
const MAX_PAYLOAD_MB = 100;

export const createTransformJob: Operation<'CreateTransformJob'> = async (input, ctx) => {
  const { TransformJobName: name, Tags: tags = [], ...spec } = input;
  if (!ctx.store.models.get(ctx.region, spec.ModelName)) {
    throw notFound(modelKind, spec.ModelName, ctx);
  }
  checkPayloadLimits(spec.MaxPayloadInMB, spec.MaxConcurrentTransforms);
  try {
    checkDataProcessing(spec.DataProcessing);
  } catch (err) {
    throw validationException((err as Error).message);
  }
  // As on SageMaker, an input that names no object is refused at once, not by a failed job.
  const source = spec.TransformInput.DataSource.S3DataSource;
  await listInputFiles(ctx.objects, source.S3DataType, source.S3Uri).catch((err: unknown) => {
    throw err instanceof InputError ? validationException(err.message) : err;
  });
  const arn = arnOf(transformJobKind, ctx.region, ctx.accountId, name);
  const now = ctx.now();
  const record: TransformJobRecord = { name, arn, status: transformJobLifecycle.created, creationTime: now, lastModifiedTime: now, steps: [], spec };
  insertWithTags(ctx, transformJobKind, name, record, tags);
  ctx.jobs.submit(transformJobKind, ctx.region, name);
  ctx.log.info({ job: name }, 'transform job created');
  return { TransformJobArn: arn };
};

function checkPayloadLimits(maxPayload: number | undefined, concurrency: number | undefined): void {
  if (maxPayload !== undefined && maxPayload > MAX_PAYLOAD_MB) {
    throw validationException(`MaxPayloadInMB (${maxPayload}) cannot be greater than ${MAX_PAYLOAD_MB} MB.`);
  }
  if (maxPayload !== undefined && concurrency !== undefined && concurrency > 0 && maxPayload * concurrency > MAX_PAYLOAD_MB) {
    throw validationException(
      `MaxConcurrentTransforms × MaxPayloadInMB (${concurrency} × ${maxPayload}) cannot be greater than ${MAX_PAYLOAD_MB} MB.`,
    );
  }
}

export const describeTransformJob: Operation<'DescribeTransformJob'> = (input, ctx) => {
  const j = getOrNotFound(transformJobKind, input.TransformJobName, ctx);
  return {
    TransformJobName: j.name,
    TransformJobArn: j.arn,
    TransformJobStatus: j.status,
    ...(j.failureReason ? { FailureReason: j.failureReason } : {}),
    ...j.spec,
    CreationTime: wireTime(j.creationTime),
    ...(j.startTime !== undefined ? { TransformStartTime: wireTime(j.startTime) } : {}),
    ...(j.endTime !== undefined ? { TransformEndTime: wireTime(j.endTime) } : {}),
  };
};

export const listTransformJobs: Operation<'ListTransformJobs'> = (input, ctx) => {
  const jobs = ctx.store.table(transformJobKind).list(ctx.region);
  const { page, NextToken } = paginate(jobs, input);
  return {
    TransformJobSummaries: page.map((j) => ({
      TransformJobName: j.name,
      TransformJobArn: j.arn,
      CreationTime: wireTime(j.creationTime),
      LastModifiedTime: wireTime(j.lastModifiedTime),
      TransformJobStatus: j.status,
      ...(j.endTime !== undefined ? { TransformEndTime: wireTime(j.endTime) } : {}),
      ...(j.failureReason ? { FailureReason: j.failureReason } : {}),
    })),
    ...(NextToken ? { NextToken } : {}),
  };
};

/**
 * StopTransformJob: InProgress → Stopping → Stopped once its containers are
 * gone. A job that has ended cannot be stopped. NOT VERIFIED: the text
 * follows SageMaker's answer for a training job in the same case.
 */
export const stopTransformJob: Operation<'StopTransformJob'> = (input, ctx) => {
  const j = getOrNotFound(transformJobKind, input.TransformJobName, ctx);
  if (isEnded(transformJobLifecycle, j.status)) {
    throw validationException(`The request was rejected because the transform job is in status ${j.status}.`);
  }
  ctx.jobs.stop(transformJobKind, ctx.region, j.name);
  ctx.log.info({ job: j.name }, 'transform job stopping');
  return {};
};

export type { OperationContext };
