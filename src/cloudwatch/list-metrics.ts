/**
 * ListMetrics (API_ListMetrics.html): the metrics that hold data, filtered by
 * namespace, name and dimension filters (a filter names a dimension the
 * metric must have, with this value when it gives one; other dimensions may
 * be there too), 500 a page. RecentlyActive=PT3H keeps the metrics put to in
 * the last three hours (zero fill counts: SageMaker publishes those zeros).
 */
import type { CloudWatchOperation } from './context.js';
import { invalidParameterValue } from './errors.js';
import { matchesFilters, metricId } from './metric-key.js';
import { decodeToken, encodeToken, fingerprint } from '../protocol/page-token.js';
import { dimensionList } from './wire-values.js';

const PAGE_SIZE = 500;
const RECENT_MS = 3 * 3600_000;

export const listMetrics: CloudWatchOperation<'ListMetrics'> = (input, ctx) => {
  const filters = (input.Dimensions ?? []).map((f) => ({ name: f.Name, value: f.Value }));
  const recentSince = input.RecentlyActive === 'PT3H' ? ctx.now() - RECENT_MS : undefined;
  const matching = ctx.metrics
    .listMetrics()
    .filter(
      (m) =>
        (input.Namespace === undefined || m.key.namespace === input.Namespace) &&
        (input.MetricName === undefined || m.key.metricName === input.MetricName) &&
        matchesFilters(m.key.dimensions, filters) &&
        (recentSince === undefined || m.lastPutMs >= recentSince),
    )
    .map((m) => ({ key: m.key, id: metricId(m.key) }))
    .sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  const print = fingerprint([input.Namespace, input.MetricName, filters, input.RecentlyActive]);
  // moto's text; the model lists InvalidParameterValue (not InvalidNextToken) for ListMetrics.
  const offset = decodeToken(input.NextToken, 'ListMetrics', print, () => invalidParameterValue('Request parameter NextToken is invalid'));
  const page = matching.slice(offset, offset + PAGE_SIZE);
  return {
    Metrics: page.map(({ key }) => ({ Namespace: key.namespace, MetricName: key.metricName, Dimensions: dimensionList(key.dimensions) })),
    ...(offset + PAGE_SIZE < matching.length ? { NextToken: encodeToken('ListMetrics', print, offset + PAGE_SIZE) } : {}),
  };
};
