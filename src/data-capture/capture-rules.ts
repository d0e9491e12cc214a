import type { CreateEndpointConfigInput } from '../protocol/generated/sagemaker-types.js';
import { validationException } from '../protocol/wire-errors.js';

/**
 * Rules on DataCaptureConfig that the service model cannot express. The
 * shape validator has already checked the required members,
 * InitialSamplingPercentage 0..100, DestinationS3Uri's length and pattern,
 * CaptureOptions 1..32 and the CaptureMode enum (botocore DataCaptureConfig);
 * serverless variants with data capture are refused in variant-rules.ts
 * (Serverless Inference does not support data capture).
 * The texts are ours: the real ones were not found in any source we searched.
 */
export function checkDataCaptureConfig(input: CreateEndpointConfigInput): void {
  const config = input.DataCaptureConfig;
  if (!config) {
    return;
  }
  // The model's pattern also lets https:// through; capture files are written to S3, so only s3://bucket[/prefix] works.
  if (!/^s3:\/\/[^/]+(\/.*)?$/.test(config.DestinationS3Uri)) {
    throw validationException(`DestinationS3Uri must be an S3 URI (s3://bucket/prefix); got "${config.DestinationS3Uri}".`);
  }
  const modes = config.CaptureOptions.map((o) => o.CaptureMode);
  if (new Set(modes).size !== modes.length) {
    throw validationException(`CaptureOptions must not name a CaptureMode twice: [${modes.join(', ')}].`);
  }
}
