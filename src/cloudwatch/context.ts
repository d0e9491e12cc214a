/**
 * What every CloudWatch operation gets, and the type of the operation table
 * (src/cloudwatch/operations.ts), as src/control-plane/context.ts does for
 * SageMaker.
 */
import type { Logger } from 'pino';
import type { Alarms } from './alarms.js';
import type { MetricStore } from './metric-store.js';
import type { CloudWatchOperationName, CloudWatchOperations } from '../protocol/generated/cloudwatch-types.js';
import type { Store } from '../store/store.js';

export interface CloudWatchContext {
  region: string;
  accountId: string;
  requestId: string;
  now: () => number;
  metrics: MetricStore;
  alarms: Alarms;
  /** The tag table (store.tags) holds alarms' tags by ARN. */
  store: Store;
  log: Logger;
}

/** A CloudWatch operation, typed by the service model; its input has been validated against it. */
export type CloudWatchOperation<K extends CloudWatchOperationName> = (
  input: CloudWatchOperations[K]['input'],
  ctx: CloudWatchContext,
) => CloudWatchOperations[K]['output'] | Promise<CloudWatchOperations[K]['output']>;

/** Every served operation, each with its own input and output types. */
export type CloudWatchOperationTable = { [K in CloudWatchOperationName]: CloudWatchOperation<K> };
