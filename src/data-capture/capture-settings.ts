import type { DataCaptureConfig } from '../protocol/generated/sagemaker-types.js';

/** One variant's DataCaptureConfig, resolved once per fleet for the hot path. */
export interface CaptureSettings {
  samplingPercentage: number;
  bucket: string;
  /** The destination's key prefix, without a trailing slash ('' at the bucket's root). */
  prefix: string;
  destination: string;
  input: boolean;
  output: boolean;
  csvTypes: string[];
  jsonTypes: string[];
}

/**
 * The content types captured as text when CaptureContentTypeHeader names
 * none. SageMaker's CaptureContentTypeHeader doc: "If this value is not set,
 * Amazon SageMaker uses CSV/JSON ... text/csv and application/json" (API
 * reference, CaptureContentTypeHeader); anything else is base64.
 */
export const DEFAULT_CSV_TYPES = ['text/csv'];
export const DEFAULT_JSON_TYPES = ['application/json'];

/** Capture settings, or undefined when the config captures nothing (absent, EnableCapture false, or 0 %). */
export function captureSettings(config: DataCaptureConfig | undefined): CaptureSettings | undefined {
  if (!config || config.EnableCapture === false || config.InitialSamplingPercentage <= 0) {
    return undefined;
  }
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(config.DestinationS3Uri);
  if (!m) {
    return undefined;
  }
  const modes = new Set(config.CaptureOptions.map((o) => o.CaptureMode));
  const header = config.CaptureContentTypeHeader;
  return {
    samplingPercentage: config.InitialSamplingPercentage,
    bucket: m[1]!,
    prefix: m[2]!.replace(/\/+$/, ''),
    destination: config.DestinationS3Uri,
    input: modes.has('Input') || modes.has('InputAndOutput'),
    output: modes.has('Output') || modes.has('InputAndOutput'),
    csvTypes: header?.CsvContentTypes ?? DEFAULT_CSV_TYPES,
    jsonTypes: header?.JsonContentTypes ?? DEFAULT_JSON_TYPES,
  };
}

/** DescribeEndpoint's DataCaptureConfigSummary (botocore: all five members required). */
export function captureSummary(config: DataCaptureConfig) {
  const enabled = config.EnableCapture !== false;
  return {
    EnableCapture: enabled,
    CaptureStatus: enabled ? ('Started' as const) : ('Stopped' as const),
    CurrentSamplingPercentage: config.InitialSamplingPercentage,
    DestinationS3Uri: config.DestinationS3Uri,
    KmsKeyId: config.KmsKeyId ?? '',
  };
}
