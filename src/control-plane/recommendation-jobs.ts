import { isEnded } from '../jobs/job-lifecycle.js';
import type { StepStatus } from '../jobs/job-record.js';
import type { InferenceRecommendationsJobStep, RecommendationJobStatus } from '../protocol/generated/sagemaker-types.js';
import { validationException } from '../protocol/wire-errors.js';
import { type RecommendationJobRecord, recommendationJobLifecycle } from '../recommender/recommendation-job-record.js';
import { arnOf, recommendationJobKind } from '../resources/kinds.js';
import type { Operation } from './context.js';
import { insertWithTags } from './create-resource.js';
import { wireTime } from '../protocol/wire-time.js';
import { paginate } from './list-paging.js';
import { getOrNotFound } from './not-found.js';
import { checkRecommendationInput } from './recommendation-rules.js';

export const createInferenceRecommendationsJob: Operation<'CreateInferenceRecommendationsJob'> = (input, ctx) => {
  const { JobName: name, Tags: tags = [], ...spec } = input;
  checkRecommendationInput(spec, ctx);
  const arn = arnOf(recommendationJobKind, ctx.region, ctx.accountId, name);
  const now = ctx.now();
  const record: RecommendationJobRecord = { name, arn, status: recommendationJobLifecycle.created, creationTime: now, lastModifiedTime: now, steps: [], spec };
  insertWithTags(ctx, recommendationJobKind, name, record, tags);
  ctx.jobs.submit(recommendationJobKind, ctx.region, name);
  ctx.log.info({ job: name, jobType: spec.JobType }, 'inference recommendations job created');
  return { JobArn: arn };
};

export const describeInferenceRecommendationsJob: Operation<'DescribeInferenceRecommendationsJob'> = (input, ctx) => {
  const j = getOrNotFound(recommendationJobKind, input.JobName, ctx);
  const { spec } = j;
  return {
    JobName: j.name,
    ...(spec.JobDescription !== undefined ? { JobDescription: spec.JobDescription } : {}),
    JobType: spec.JobType,
    JobArn: j.arn,
    RoleArn: spec.RoleArn,
    Status: j.status,
    CreationTime: wireTime(j.creationTime),
    ...(j.endTime !== undefined ? { CompletionTime: wireTime(j.endTime) } : {}),
    LastModifiedTime: wireTime(j.lastModifiedTime),
    ...(j.failureReason ? { FailureReason: j.failureReason } : {}),
    InputConfig: spec.InputConfig,
    ...(spec.StoppingConditions ? { StoppingConditions: spec.StoppingConditions } : {}),
    ...(j.recommendations?.length ? { InferenceRecommendations: j.recommendations } : {}),
    ...(j.endpointPerformances?.length ? { EndpointPerformances: j.endpointPerformances } : {}),
  };
};

export const listInferenceRecommendationsJobs: Operation<'ListInferenceRecommendationsJobs'> = (input, ctx) => {
  const jobs = ctx.store
    .table(recommendationJobKind)
    .list(ctx.region)
    .filter((j) => input.ModelNameEquals === undefined || j.spec.InputConfig.ModelName === input.ModelNameEquals)
    .filter((j) => input.ModelPackageVersionArnEquals === undefined || j.spec.InputConfig.ModelPackageVersionArn === input.ModelPackageVersionArnEquals);
  const { page, NextToken } = paginate(jobs, input);
  return {
    InferenceRecommendationsJobs: page.map((j) => ({
      JobName: j.name,
      JobDescription: j.spec.JobDescription ?? '',
      JobType: j.spec.JobType,
      JobArn: j.arn,
      Status: j.status,
      CreationTime: wireTime(j.creationTime),
      RoleArn: j.spec.RoleArn,
      LastModifiedTime: wireTime(j.lastModifiedTime),
      ...(j.endTime !== undefined ? { CompletionTime: wireTime(j.endTime) } : {}),
      ...(j.failureReason ? { FailureReason: j.failureReason } : {}),
      ...(j.spec.InputConfig.ModelName ? { ModelName: j.spec.InputConfig.ModelName } : {}),
      ...(j.spec.InputConfig.ContainerConfig?.PayloadConfig?.SamplePayloadUrl ? { SamplePayloadUrl: j.spec.InputConfig.ContainerConfig.PayloadConfig.SamplePayloadUrl } : {}),
    })),
    ...(NextToken ? { NextToken } : {}),
  };
};

const STEP_STATUS: Record<StepStatus, RecommendationJobStatus> = {
  Pending: 'PENDING',
  InProgress: 'IN_PROGRESS',
  Completed: 'COMPLETED',
  Failed: 'FAILED',
  Stopped: 'STOPPED',
};

/** One BENCHMARK step per endpoint configuration, with its metrics as they stand. */
export const listInferenceRecommendationsJobSteps: Operation<'ListInferenceRecommendationsJobSteps'> = (input, ctx) => {
  const j = getOrNotFound(recommendationJobKind, input.JobName, ctx);
  const steps: InferenceRecommendationsJobStep[] = j.steps
    .map((s) => ({
      StepType: 'BENCHMARK' as const,
      JobName: j.name,
      Status: STEP_STATUS[s.status],
      InferenceBenchmark: { ModelConfiguration: {}, ...(s.detail?.benchmark as object | undefined) },
    }))
    .filter((s) => (input.Status === undefined || s.Status === input.Status) && (input.StepType === undefined || s.StepType === input.StepType));
  const offset = input.NextToken === undefined ? 0 : Number(Buffer.from(input.NextToken, 'base64url').toString('utf8'));
  if (!Number.isInteger(offset) || offset < 0) {
    throw validationException('Invalid pagination token.');
  }
  const max = input.MaxResults ?? 50;
  const next = offset + max < steps.length ? Buffer.from(String(offset + max)).toString('base64url') : undefined;
  return { Steps: steps.slice(offset, offset + max), ...(next ? { NextToken: next } : {}) };
};

/**
 * StopInferenceRecommendationsJob: STOPPING, then STOPPED once the benchmark
 * endpoints are deleted. NOT VERIFIED: the text for a job that has ended.
 */
export const stopInferenceRecommendationsJob: Operation<'StopInferenceRecommendationsJob'> = (input, ctx) => {
  const j = getOrNotFound(recommendationJobKind, input.JobName, ctx);
  if (isEnded(recommendationJobLifecycle, j.status)) {
    throw validationException(`The request was rejected because the inference recommendations job is in status ${j.status}.`);
  }
  ctx.jobs.stop(recommendationJobKind, ctx.region, j.name);
  ctx.log.info({ job: j.name }, 'inference recommendations job stopping');
  return {};
};
