import type { TransformJobSpec } from './transform-job-record.js';

/** The settings a job runs with: its own, else the container's /execution-parameters, else SageMaker's defaults. */
export interface TransformSettings {
  batchStrategy: 'SingleRecord' | 'MultiRecord';
  maxPayloadInMB: number;
  /** Requests in flight per instance. */
  maxConcurrentTransforms: number;
  invocationsTimeoutMs: number;
  maxRetries: number;
}

/** What GET /execution-parameters may answer ([DG:your-algorithms-batch-code]). */
export interface ExecutionParameters {
  MaxConcurrentTransforms?: number;
  BatchStrategy?: string;
  MaxPayloadInMB?: number;
}

/**
 * Defaults from the API reference: MaxPayloadInMB 6, MaxConcurrentTransforms
 * 1, InvocationsTimeoutInSeconds 600, InvocationsMaxRetries 3; BatchStrategy
 * MultiRecord, as SageMaker's own local mode defaults it
 * (sagemaker-python-sdk `_LocalTransformJob._get_required_defaults`).
 * A MaxConcurrentTransforms of 0 means "not set", as for the container's answer.
 */
export function effectiveSettings(spec: TransformJobSpec, fromContainer: ExecutionParameters | undefined): TransformSettings {
  const strategy = spec.BatchStrategy ?? fromContainer?.BatchStrategy;
  const positive = (n: number | undefined) => (typeof n === 'number' && Number.isInteger(n) && n > 0 ? n : undefined);
  return {
    batchStrategy: strategy === 'SingleRecord' ? 'SingleRecord' : 'MultiRecord',
    maxPayloadInMB: spec.MaxPayloadInMB ?? (typeof fromContainer?.MaxPayloadInMB === 'number' && fromContainer.MaxPayloadInMB >= 0 ? fromContainer.MaxPayloadInMB : 6),
    maxConcurrentTransforms: positive(spec.MaxConcurrentTransforms) ?? positive(fromContainer?.MaxConcurrentTransforms) ?? 1,
    invocationsTimeoutMs: (spec.ModelClientConfig?.InvocationsTimeoutInSeconds ?? 600) * 1000,
    maxRetries: spec.ModelClientConfig?.InvocationsMaxRetries ?? 3,
  };
}

/**
 * The environment a transform container starts with: the model's, the job's
 * Environment over it, and the variables SageMaker sets for batch
 * ([DG:your-algorithms-batch-code]: SAGEMAKER_BATCH is always "true";
 * SAGEMAKER_BATCH_STRATEGY is SINGLE_RECORD or MULTI_RECORD). Set before the
 * container answers /execution-parameters, so they carry the job's own
 * values, or the defaults.
 */
export function transformEnvironment(modelEnv: Record<string, string> | undefined, spec: TransformJobSpec): Record<string, string> {
  const settings = effectiveSettings(spec, undefined);
  return {
    ...modelEnv,
    ...spec.Environment,
    SAGEMAKER_BATCH: 'true',
    SAGEMAKER_MAX_PAYLOAD_IN_MB: String(settings.maxPayloadInMB),
    SAGEMAKER_BATCH_STRATEGY: settings.batchStrategy === 'SingleRecord' ? 'SINGLE_RECORD' : 'MULTI_RECORD',
    SAGEMAKER_MAX_CONCURRENT_TRANSFORMS: String(settings.maxConcurrentTransforms),
  };
}
