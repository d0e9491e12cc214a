/**
 * A metric's identity: namespace, name and the whole dimension set. As in
 * CloudWatch, {EndpointName} and {EndpointName, VariantName} are two
 * different metrics, and the order the dimensions were given in does not
 * matter (cloudwatch_concepts.html#Dimension).
 */
import type { Dimensions, MetricKey } from './metric-sink.js';

/** A string naming the metric exactly (used as a map key). */
export function metricId(key: MetricKey): string {
  const dims = Object.keys(key.dimensions)
    .sort()
    .map((name) => [name, key.dimensions[name]!]);
  return JSON.stringify([key.namespace, key.metricName, dims]);
}

/** Whether two dimension sets are the same set. */
export function sameDimensions(a: Dimensions, b: Dimensions): boolean {
  const ak = Object.keys(a);
  return ak.length === Object.keys(b).length && ak.every((k) => Object.hasOwn(b, k) && b[k] === a[k]);
}

/** A DimensionFilter: the metric has the dimension, with this value when one is given (ListMetrics). */
export interface DimensionFilter {
  name: string;
  value?: string;
}

export function matchesFilters(dimensions: Dimensions, filters: readonly DimensionFilter[]): boolean {
  return filters.every((f) => Object.hasOwn(dimensions, f.name) && (f.value === undefined || dimensions[f.name] === f.value));
}
