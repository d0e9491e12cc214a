import { jobTransitions } from '../jobs/job-lifecycle.js';
import type { JobRecord } from '../jobs/job-record.js';
import type {
  CreateInferenceRecommendationsJobRequest,
  EndpointPerformance,
  InferenceRecommendation,
  RecommendationJobStatus,
} from '../protocol/generated/sagemaker-types.js';

/** The CreateInferenceRecommendationsJob input without its name and tags: Describe echoes it. */
export type RecommendationJobSpec = Omit<CreateInferenceRecommendationsJobRequest, 'JobName' | 'Tags'>;

/**
 * An Inference Recommender job as stored: the job runner's fields, the spec,
 * and the results. Its steps are its benchmarks, one per endpoint
 * configuration (ListInferenceRecommendationsJobSteps' BENCHMARK steps): a
 * step's `detail` holds the InferenceBenchmark shown for it.
 */
export interface RecommendationJobRecord extends JobRecord<RecommendationJobStatus> {
  spec: RecommendationJobSpec;
  recommendations?: InferenceRecommendation[];
  endpointPerformances?: EndpointPerformance[];
  /** Where the job's SVG charts were written (S3 URIs or local paths). */
  charts?: string[];
}

/** RecommendationJobStatus as the API spells it: a new job is PENDING until a worker takes it. */
export const recommendationJobLifecycle = jobTransitions<RecommendationJobStatus>({
  created: 'PENDING',
  running: 'IN_PROGRESS',
  completed: 'COMPLETED',
  failed: 'FAILED',
  stopping: 'STOPPING',
  stopped: 'STOPPED',
});
