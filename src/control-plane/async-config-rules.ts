import { validationException } from '../protocol/wire-errors.js';
import type { CreateEndpointConfigInput } from '../protocol/generated/sagemaker-types.js';

/**
 * Rules on AsyncInferenceConfig that the service model cannot express
 * (docs/aws-contract.md §4.3). The shape validator has already checked each
 * member's pattern and range (S3 URIs, SNS topic ARNs, KmsKeyId,
 * MaxConcurrentInvocationsPerInstance 1..1000, IncludeInferenceResponseIn's
 * enum and length); serverless + async is refused in variant-rules.ts.
 */
export function checkAsyncInferenceConfig(input: CreateEndpointConfigInput): void {
  const config = input.AsyncInferenceConfig;
  if (!config) {
    return;
  }
  const out = config.OutputConfig;
  // The model marks S3OutputPath optional; the service needs somewhere to put every result.
  if (!out.S3OutputPath) {
    throw validationException('S3OutputPath is required in AsyncInferenceConfig.OutputConfig: asynchronous inference writes every result there.');
  }
  const n = out.NotificationConfig;
  const include = n?.IncludeInferenceResponseIn ?? [];
  if (new Set(include).size !== include.length) {
    throw validationException(`IncludeInferenceResponseIn must not name a topic type twice: [${include.join(', ')}].`);
  }
  if (include.includes('SUCCESS_NOTIFICATION_TOPIC') && !n?.SuccessTopic) {
    throw validationException('IncludeInferenceResponseIn names SUCCESS_NOTIFICATION_TOPIC, but NotificationConfig has no SuccessTopic.');
  }
  if (include.includes('ERROR_NOTIFICATION_TOPIC') && !n?.ErrorTopic) {
    throw validationException('IncludeInferenceResponseIn names ERROR_NOTIFICATION_TOPIC, but NotificationConfig has no ErrorTopic.');
  }
}
