/**
 * GetMetricStatistics (API_GetMetricStatistics.html): one metric, its exact
 * dimension set, one datapoint per Period window that holds data, each with
 * the asked statistics and its unit.
 *
 * Windows start at StartTime rounded down to the store's period (as
 * CloudWatch rounds a recent StartTime down to the minute) and follow each
 * other by Period while they start before EndTime, which is exclusive. Each
 * window merges the store's periods exactly, so a Sum is the sum of what was
 * put. Datapoints are sorted by time: AWS does not promise an order, and a
 * sorted answer is a valid one that tests can rely on.
 */
import type { CloudWatchOperation } from './context.js';
import { invalidParameterCombination, invalidParameterValue } from './errors.js';
import type { WindowStats } from './metric-store.js';
import { notEmulatedText, type ParsedStatistic, parseStatistic, statisticValue } from './statistics.js';
import { wireTime } from '../protocol/wire-time.js';
import { dimensionMap, requestTimeMs } from './wire-values.js';
import type { Datapoint, StandardUnit } from '../protocol/generated/cloudwatch-types.js';

/** "The maximum number of data points returned from a single call is 1,440." */
const MAX_DATAPOINTS = 1440;

export const getMetricStatistics: CloudWatchOperation<'GetMetricStatistics'> = (input, ctx) => {
  const periodSeconds = ctx.metrics.periodMs / 1000;
  if (input.Period % periodSeconds !== 0) {
    // Real at 60 s: "The parameter Period must be a multiple of 60." — here with the store's period.
    throw invalidParameterValue(`The parameter Period must be a multiple of ${periodSeconds}.`);
  }
  const startMs = requestTimeMs(input.StartTime, 'StartTime');
  const endMs = requestTimeMs(input.EndTime, 'EndTime');
  if (startMs >= endMs) {
    throw invalidParameterValue('The parameter StartTime must be less than the parameter EndTime.');
  }
  const plain = input.Statistics ?? [];
  const extended = input.ExtendedStatistics ?? [];
  if (plain.length === 0 && extended.length === 0) {
    throw invalidParameterCombination('Must specify either Statistics or ExtendedStatistics.');
  }
  if (plain.length > 0 && extended.length > 0) {
    // NOT VERIFIED: the text (the rule is the documented "either … but not both").
    throw invalidParameterCombination('The parameters Statistics and ExtendedStatistics are mutually exclusive and you have specified both.');
  }
  const percentiles = extended.map((name, i) => percentileOf(name, i + 1));
  const windowMs = input.Period * 1000;
  const start = ctx.metrics.periodStart(startMs);
  // As Eucalyptus and LocalStack count it: whole periods between the times asked.
  const requested = Math.floor((endMs - startMs) / windowMs);
  if (requested > MAX_DATAPOINTS) {
    // Real (2022-2024): "You have requested up to 86400 datapoints, which exceeds the limit of 1440. You may reduce …"
    throw invalidParameterCombination(
      `You have requested up to ${requested} datapoints, which exceeds the limit of ${MAX_DATAPOINTS}. You may reduce the datapoints requested by increasing Period, or decreasing the time range.`,
    );
  }
  const query = {
    key: { namespace: input.Namespace, metricName: input.MetricName, dimensions: dimensionMap(input.Dimensions) },
    startMs: start,
    endMs,
    windowMs,
  };
  // A Unit filter keeps only data put with that unit; without one, each unit's data has its own datapoints.
  const byUnit = input.Unit ? [{ unit: input.Unit, windows: ctx.metrics.windows({ ...query, unit: input.Unit }) }] : ctx.metrics.windowsByUnit(query);
  const datapoints = byUnit
    .flatMap(({ unit, windows }) => windows.map((w) => datapoint(w, unit, plain, percentiles)))
    .sort((a, b) => Number(a.Timestamp) - Number(b.Timestamp));
  return { Label: input.MetricName, Datapoints: datapoints };
};

function percentileOf(name: string, member: number): ParsedStatistic {
  const parsed = parseStatistic(name);
  if (!parsed.ok || parsed.stat.kind !== 'percentile') {
    // NOT VERIFIED: the text, modelled on GetMetricData's real "… is not a valid statistic."
    throw invalidParameterValue(
      parsed.ok || parsed.reason === 'invalid' ? `The value ${name} for parameter ExtendedStatistics.member.${member} is not a valid statistic.` : notEmulatedText(name),
    );
  }
  return parsed.stat;
}

function datapoint(w: WindowStats, unit: StandardUnit, plain: readonly string[], percentiles: readonly ParsedStatistic[]): Datapoint {
  const d: Datapoint = { Timestamp: wireTime(w.startMs), Unit: unit };
  for (const name of plain) {
    const parsed = parseStatistic(name);
    if (parsed.ok) {
      Object.assign(d, { [name]: statisticValue(parsed.stat, w.stats) });
    }
  }
  if (percentiles.length > 0) {
    const values: Record<string, number> = {};
    for (const p of percentiles) {
      const v = statisticValue(p, w.stats);
      if (v !== undefined) {
        values[p.name] = v;
      }
    }
    d.ExtendedStatistics = values;
  }
  return d;
}
