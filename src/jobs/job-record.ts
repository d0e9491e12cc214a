/**
 * What every job kind stores (transform jobs, Inference Recommender jobs):
 * its status, its times and its steps, beside the kind's own spec. Times are
 * epoch milliseconds, as for every record (src/store/records.ts).
 */
export interface JobRecord<Status extends string = string> {
  name: string;
  arn: string;
  status: Status;
  failureReason?: string;
  creationTime: number;
  lastModifiedTime: number;
  /** When a worker started running it (DescribeTransformJob's TransformStartTime). */
  startTime?: number;
  /** When it reached an end status. */
  endTime?: number;
  /** The units of work, persisted as they go, so that a restarted job can skip what is done. */
  steps: JobStep[];
}

export type StepStatus = 'Pending' | 'InProgress' | 'Completed' | 'Failed' | 'Stopped';

export interface JobStep {
  /** Unique within the job: an input file's key, a benchmark's candidate. */
  name: string;
  status: StepStatus;
  startTime?: number;
  endTime?: number;
  /** What the kind wants to remember of the step (records processed, the output written, a measurement). */
  detail?: Record<string, unknown>;
  failureReason?: string;
}
