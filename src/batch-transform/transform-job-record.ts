import { jobTransitions } from '../jobs/job-lifecycle.js';
import type { JobRecord } from '../jobs/job-record.js';
import type { CreateTransformJobRequest, TransformJobStatus } from '../protocol/generated/sagemaker-types.js';

/** The CreateTransformJob input without its name and tags: DescribeTransformJob echoes it. */
export type TransformJobSpec = Omit<CreateTransformJobRequest, 'TransformJobName' | 'Tags'>;

/** A transform job as stored: the job runner's fields, and the spec. Its steps are its input files. */
export interface TransformJobRecord extends JobRecord<TransformJobStatus> {
  spec: TransformJobSpec;
}

/**
 * TransformJobStatus as the API spells it. A new job is InProgress at once
 * (there is no pending status); it may wait there for a worker.
 */
export const transformJobLifecycle = jobTransitions<TransformJobStatus>({
  created: 'InProgress',
  running: 'InProgress',
  completed: 'Completed',
  failed: 'Failed',
  stopping: 'Stopping',
  stopped: 'Stopped',
});
