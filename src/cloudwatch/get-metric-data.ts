/**
 * GetMetricData (API_GetMetricData.html): MetricStat queries and metric math
 * over one time window, newest first unless ScanBy says otherwise, paged by
 * MaxDatapoints (default 100,800) with an opaque NextToken.
 */
import type { CloudWatchOperation } from './context.js';
import { invalidNextToken, invalidParameterValue, missingParameter, validationError } from './errors.js';
import { MathError } from './metric-math-parser.js';
import { evaluateQueries, queryResults, type QueryResult } from './metric-queries.js';
import { checkQueries } from './metric-query-checks.js';
import { decodeToken, encodeToken, fingerprint } from '../protocol/page-token.js';
import { wireTime } from '../protocol/wire-time.js';
import { requestTimeMs } from './wire-values.js';
import type { MetricDataResult } from '../protocol/generated/cloudwatch-types.js';

const DEFAULT_MAX_DATAPOINTS = 100_800;
const MAX_QUERIES = 500;

export const getMetricData: CloudWatchOperation<'GetMetricData'> = (input, ctx) => {
  const startMs = requestTimeMs(input.StartTime, 'StartTime');
  const endMs = requestTimeMs(input.EndTime, 'EndTime');
  // moto's texts for GetMetricData (its CloudWatch tests are checked against AWS); a ValidationError.
  if (startMs > endMs) {
    throw validationError('The parameter EndTime must be greater than StartTime.');
  }
  if (startMs === endMs) {
    throw validationError('The parameter StartTime must not equal parameter EndTime.');
  }
  const queries = input.MetricDataQueries;
  if (queries.length === 0) {
    throw missingParameter('The parameter MetricDataQueries is required.');
  }
  if (queries.length > MAX_QUERIES) {
    // NOT VERIFIED: the text (the limit is the documented one).
    throw validationError(`The collection MetricDataQueries must not have a size greater than ${MAX_QUERIES}.`);
  }
  const maxDatapoints = input.MaxDatapoints ?? DEFAULT_MAX_DATAPOINTS;
  if (maxDatapoints < 1) {
    throw invalidParameterValue(`The value ${maxDatapoints} for parameter MaxDatapoints is invalid.`);
  }
  const periodSeconds = ctx.metrics.periodMs / 1000;
  const checked = checkQueries(queries, 'MetricDataQueries', periodSeconds);
  if (checked.problems.length > 0) {
    // CloudWatch lists every problem, one per line (moto: "AWS also returns the empty line").
    throw validationError(checked.problems.map((p) => `${p}\n`).join(''));
  }
  const scanBy = input.ScanBy ?? 'TimestampDescending';
  const print = fingerprint([queries, startMs, endMs, scanBy, maxDatapoints]);
  // NOT VERIFIED: the text of InvalidNextToken.
  const offset = decodeToken(input.NextToken, 'GetMetricData', print, () => invalidNextToken('The NextToken is invalid or expired.'));

  let results: QueryResult[];
  try {
    const window = { startMs: ctx.metrics.periodStart(startMs), endMs };
    results = queryResults(queries, evaluateQueries(queries, checked.expressions, window, ctx.metrics));
  } catch (err) {
    throw err instanceof MathError ? validationError(`${err.message}\n`) : err;
  }
  return page(results, scanBy === 'TimestampAscending', offset, maxDatapoints, print);
};

/** One page: the datapoints [offset, offset + max) of all results in order; a result cut short is PartialData. */
function page(results: QueryResult[], ascending: boolean, offset: number, max: number, print: string) {
  let position = 0;
  const end = offset + max;
  const out: MetricDataResult[] = results.map((r) => {
    const points = ascending ? r.points : [...r.points].reverse();
    const from = Math.max(0, offset - position);
    const to = Math.max(0, Math.min(points.length, end - position));
    position += points.length;
    const slice = points.slice(from, Math.max(from, to));
    return {
      Id: r.id,
      Label: r.label,
      Timestamps: slice.map(([ts]) => wireTime(ts)),
      Values: slice.map(([, v]) => v),
      StatusCode: to < points.length ? 'PartialData' : 'Complete',
      Messages: [],
    };
  });
  return {
    MetricDataResults: out,
    Messages: [],
    ...(position > end ? { NextToken: encodeTokenFor(end, print) } : {}),
  };
}

const encodeTokenFor = (offset: number, print: string) => encodeToken('GetMetricData', print, offset);
