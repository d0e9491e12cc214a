/**
 * PutMetricData (API_PutMetricData.html): custom metrics, so that users can
 * drive their own alarms. A datum is a Value, Values with Counts, or a
 * StatisticValues set; the whole request is checked before anything is put.
 * The `AWS/` namespaces are CloudWatch's own and refused, as on AWS.
 */
import type { CloudWatchContext, CloudWatchOperation } from './context.js';
import { invalidParameterCombination, invalidParameterValue, limitExceeded, missingParameter } from './errors.js';
import type { MetricKey, MetricUnit } from './metric-sink.js';
import type { Sample } from './metric-store.js';
import { inputTime } from '../protocol/wire-time.js';
import { dimensionMap } from './wire-values.js';
import type { MetricDatum } from '../protocol/generated/cloudwatch-types.js';

/** "Values must be in the range of -2^360 to 2^360." */
const MAX_MAGNITUDE = 2 ** 360;
const MAX_DATA = 1000;
const MAX_VALUES = 150;
const FUTURE_MS = 2 * 3600_000;

interface CheckedDatum {
  key: MetricKey;
  unit: MetricUnit;
  atMs: number;
  samples: Sample[];
}

export const putMetricData: CloudWatchOperation<'PutMetricData'> = (input, ctx) => {
  if (input.Namespace.startsWith('AWS/')) {
    // The real text (Eucalyptus's compatibility tests and its service answer it verbatim).
    throw invalidParameterValue('The value AWS/ for parameter Namespace is invalid.');
  }
  const data: { datum: MetricDatum; at: string }[] = [
    ...(input.MetricData ?? []).map((datum, i) => ({ datum, at: `MetricData.member.${i + 1}` })),
    ...(input.EntityMetricData ?? []).flatMap((e, i) =>
      (e.MetricData ?? []).map((datum, j) => ({ datum, at: `EntityMetricData.member.${i + 1}.MetricData.member.${j + 1}` })),
    ),
  ];
  if (data.length === 0) {
    throw missingParameter('The parameter MetricData is required.');
  }
  if (data.length > MAX_DATA) {
    // NOT VERIFIED: the text; the limit of 1000 metrics a request is documented.
    throw invalidParameterValue(`The collection MetricData must not have a size greater than ${MAX_DATA}.`);
  }
  const checked = data.map(({ datum, at }) => checkDatum(datum, at, input.Namespace, ctx));
  const needed = ctx.metrics.newSeries(checked);
  if (needed > ctx.metrics.freeSeries) {
    // The emulator's own bound (src/cloudwatch/metric-store.ts), not an AWS limit.
    throw limitExceeded(
      `sagemaker-emulator holds at most ${ctx.metrics.maxSeries} metric series (namespace, name, dimensions and unit); this request would add ${needed} to the ${ctx.metrics.maxSeries - ctx.metrics.freeSeries} held.`,
    );
  }
  for (const d of checked) {
    for (const sample of d.samples) {
      ctx.metrics.record(d.key, d.unit, d.atMs, sample);
    }
  }
  return {};
};

function checkDatum(d: MetricDatum, at: string, namespace: string, ctx: CloudWatchContext): CheckedDatum {
  const names = (d.Dimensions ?? []).map((x) => x.Name);
  const repeated = names.find((n, i) => names.indexOf(n) !== i);
  if (repeated !== undefined) {
    // NOT VERIFIED: the text.
    throw invalidParameterValue(`The dimension ${repeated} appears more than once in ${at}.Dimensions.`);
  }
  if (d.StorageResolution !== undefined && d.StorageResolution !== 1 && d.StorageResolution !== 60) {
    // NOT VERIFIED: the text ("Valid values are 1 and 60").
    throw invalidParameterValue(`The value ${d.StorageResolution} for parameter ${at}.StorageResolution is invalid.`);
  }
  return {
    key: { namespace, metricName: d.MetricName, dimensions: dimensionMap(d.Dimensions) },
    unit: d.Unit ?? 'None',
    atMs: checkTimestamp(d, at, ctx),
    samples: samplesOf(d, at),
  };
}

function checkTimestamp(d: MetricDatum, at: string, ctx: CloudWatchContext): number {
  const now = ctx.now();
  if (d.Timestamp === undefined) {
    return now;
  }
  const ms = inputTime(d.Timestamp);
  if (ms === undefined) {
    throw invalidParameterValue(`The value ${String(d.Timestamp)} for parameter ${at}.Timestamp is invalid.`);
  }
  if (ms < ctx.metrics.oldestKeptMs(now)) {
    // AWS: "The parameter MetricData.member.1.Timestamp must specify a time within the past two weeks." — with this store's retention.
    throw invalidParameterValue(`The parameter ${at}.Timestamp must specify a time within the past ${retentionText(ctx)}.`);
  }
  if (ms > now + FUTURE_MS) {
    // NOT VERIFIED: the text; the two hours are documented.
    throw invalidParameterValue(`The parameter ${at}.Timestamp must specify a time no more than two hours in the future.`);
  }
  return ms;
}

function samplesOf(d: MetricDatum, at: string): Sample[] {
  const given = [d.Value !== undefined && 'Value', d.Values !== undefined && 'Values', d.StatisticValues !== undefined && 'StatisticValues'].filter(
    (x): x is string => x !== false,
  );
  if (given.length > 1) {
    // LocalStack's texts, from its snapshot tests against AWS.
    throw invalidParameterCombination(`The parameters ${at}.${given[0]!} and ${at}.${given[1]!} are mutually exclusive and you have specified both.`);
  }
  if (d.Value !== undefined) {
    return [{ kind: 'value', value: checkValue(d.Value, `${at}.Value`), count: 1 }];
  }
  if (d.Values !== undefined) {
    if (d.Values.length > MAX_VALUES) {
      throw invalidParameterValue(`The collection ${at}.Values must not have a size greater than ${MAX_VALUES}.`);
    }
    if (d.Counts !== undefined && d.Counts.length !== d.Values.length) {
      throw invalidParameterValue(`The parameters ${at}.Values and ${at}.Counts must be of the same size.`);
    }
    return d.Values.map((v, i) => {
      const count = d.Counts?.[i] ?? 1;
      if (!Number.isFinite(count) || count < 0) {
        throw invalidParameterValue(`The value ${count} for parameter ${at}.Counts is invalid.`);
      }
      return { kind: 'value', value: checkValue(v, `${at}.Values`), count };
    });
  }
  if (d.StatisticValues !== undefined) {
    const s = d.StatisticValues;
    const prefix = `${at}.StatisticValues`;
    [s.SampleCount, s.Sum, s.Minimum, s.Maximum].forEach((v) => checkValue(v, prefix));
    // Eucalyptus's texts for these (it copies AWS's); NOT VERIFIED against AWS today.
    if (s.SampleCount <= 0) {
      throw invalidParameterValue(`The parameter ${prefix}.SampleCount must be greater than 0.`);
    }
    if (s.Maximum < s.Minimum) {
      throw invalidParameterValue(`The parameter ${prefix}.Maximum must be greater than ${prefix}.Minimum.`);
    }
    return [{ kind: 'set', sampleCount: s.SampleCount, sum: s.Sum, minimum: s.Minimum, maximum: s.Maximum }];
  }
  // NOT VERIFIED: Eucalyptus answers "At least one of the parameters X.Value or X.StatisticValues must be specified."
  throw missingParameter(`At least one of the parameters ${at}.Value, ${at}.Values or ${at}.StatisticValues must be specified.`);
}

function checkValue(v: number, param: string): number {
  if (!Number.isFinite(v) || Math.abs(v) > MAX_MAGNITUDE) {
    // moto's text for NaN ("The value NaN for parameter MetricData.member.1.Value is invalid.").
    throw invalidParameterValue(`The value ${String(v)} for parameter ${param} is invalid.`);
  }
  return v;
}

/** The retention in words: "two weeks" on AWS; here the store's, e.g. "24 hours". */
function retentionText(ctx: CloudWatchContext): string {
  const ms = ctx.metrics.retentionPeriods * ctx.metrics.periodMs;
  const units: [number, string][] = [
    [86_400_000, 'day'],
    [3_600_000, 'hour'],
    [60_000, 'minute'],
    [1000, 'second'],
  ];
  const [size, name] = units.find(([u]) => ms % u === 0) ?? [1000, 'second'];
  const n = ms / size;
  return `${n} ${name}${n === 1 ? '' : 's'}`;
}
