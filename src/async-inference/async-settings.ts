import type { EndpointRecord } from '../store/records.js';
import type { ResultPaths } from './output-locations.js';

/**
 * An async endpoint's settings, read from the config it was created with
 * (EndpointRecord.config: the real service keeps serving after the config is
 * deleted, docs/aws-contract.md §4.4).
 */
export interface AsyncSettings extends ResultPaths {
  maxConcurrentPerInstance: number;
  successTopic?: string;
  errorTopic?: string;
  includeInferenceResponseIn?: string[];
}

/**
 * MaxConcurrentInvocationsPerInstance when the config leaves it out ("SageMaker
 * chooses an optimal value", [SM AsyncInferenceClientConfig]). We choose 1: a model
 * server that handles one request at a time is never overloaded, and a config
 * that wants more says so.
 */
export const DEFAULT_MAX_CONCURRENT_PER_INSTANCE = 1;

/** The endpoint's async settings; undefined when the endpoint is not async. */
export function asyncSettingsOf(endpoint: EndpointRecord): AsyncSettings | undefined {
  const c = endpoint.config.spec.AsyncInferenceConfig;
  if (!c) {
    return undefined;
  }
  const out = c.OutputConfig;
  const n = out.NotificationConfig;
  return {
    // The control plane refuses a config without S3OutputPath (async-config-rules.ts).
    s3OutputPath: out.S3OutputPath ?? '',
    ...(out.S3FailurePath ? { s3FailurePath: out.S3FailurePath } : {}),
    maxConcurrentPerInstance: c.ClientConfig?.MaxConcurrentInvocationsPerInstance ?? DEFAULT_MAX_CONCURRENT_PER_INSTANCE,
    ...(n?.SuccessTopic ? { successTopic: n.SuccessTopic } : {}),
    ...(n?.ErrorTopic ? { errorTopic: n.ErrorTopic } : {}),
    ...(n?.IncludeInferenceResponseIn ? { includeInferenceResponseIn: [...n.IncludeInferenceResponseIn] } : {}),
  };
}
