/**
 * How events reach the emulated CloudWatch: the same events that feed
 * Prometheus (src/observability/metrics.ts) are put here as samples, and the
 * metric store aggregates them per SME_METRIC_PERIOD_SECONDS period.
 */

/** A metric's dimensions: name → value (EndpointName, VariantName, …). */
export type Dimensions = Readonly<Record<string, string>>;

/** The namespaces SageMaker publishes endpoint metrics in (docs/aws-contract.md §9). */
export const SAGEMAKER_NAMESPACE = 'AWS/SageMaker';
export const ENDPOINT_INSTANCE_NAMESPACE = '/aws/sagemaker/Endpoints';

/** A CloudWatch StandardUnit, as the service model spells it. */
export type MetricUnit =
  | 'Seconds' | 'Microseconds' | 'Milliseconds' | 'Bytes' | 'Kilobytes' | 'Megabytes' | 'Gigabytes' | 'Terabytes'
  | 'Bits' | 'Kilobits' | 'Megabits' | 'Gigabits' | 'Terabits' | 'Percent' | 'Count' | 'Bytes/Second'
  | 'Kilobytes/Second' | 'Megabytes/Second' | 'Gigabytes/Second' | 'Terabytes/Second' | 'Bits/Second'
  | 'Kilobits/Second' | 'Megabits/Second' | 'Gigabits/Second' | 'Terabits/Second' | 'Count/Second' | 'None';

/** One metric: its namespace, name and dimensions. */
export interface MetricKey {
  namespace: string;
  metricName: string;
  dimensions: Dimensions;
}

export interface MetricSink {
  /** Adds one sample to the period holding `atMs` (default: now). */
  put(key: MetricKey, value: number, unit: MetricUnit, atMs?: number): void;
}

/** A sink that drops everything: for code run without a metric store (unit tests). */
export const nullMetricSink: MetricSink = { put: () => {} };
