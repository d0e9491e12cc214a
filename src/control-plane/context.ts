import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Hosting } from '../hosting/hosting.js';
import type { JobRunner } from '../jobs/job-runner.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { SageMakerOperationName, SageMakerOperations } from '../protocol/generated/sagemaker-types.js';
import type { Store } from '../store/store.js';

/** What every control-plane operation gets: the dependencies and the caller's identity. */
export interface OperationContext {
  store: Store;
  hosting: Hosting;
  /** Runs jobs (transform jobs) in the background. */
  jobs: JobRunner;
  /** Where s3:// URLs go (a transform job's input is listed at creation). */
  objects: ObjectStore;
  config: Config;
  region: string;
  accountId: string;
  requestId: string;
  log: Logger;
  now: () => number;
}

/**
 * A SageMaker operation, typed by the service model (src/protocol/generated/sagemaker-types.ts):
 * its input has been validated against the model and holds only modelled members.
 */
export type Operation<K extends SageMakerOperationName> = (
  input: SageMakerOperations[K]['input'],
  ctx: OperationContext,
) => SageMakerOperations[K]['output'] | Promise<SageMakerOperations[K]['output']>;

/** Every served operation, each with its own input and output types. */
export type OperationTable = { [K in SageMakerOperationName]: Operation<K> };
