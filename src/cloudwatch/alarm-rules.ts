/**
 * What PutMetricAlarm accepts (API_PutMetricAlarm.html), checked before an
 * alarm is stored — by the operation and by AlarmDirectory.putAlarm alike.
 *
 * Texts: CloudWatch answers most of these as `ValidationError`; the ones here
 * come from emulators that copy the service's answers (noted where), the rest
 * are written in the same style and marked NOT VERIFIED.
 *
 * Not emulated, and refused as such: PromQL alarms (EvaluationCriteria),
 * anomaly-detection alarms (ThresholdMetricId and the band operators).
 */
import type { AlarmSpec } from './alarm-record.js';
import { invalidParameterValue, validationError } from './errors.js';
import { checkQueries } from './metric-query-checks.js';
import { parseStatistic } from './statistics.js';
import type { ComparisonOperator, PutMetricAlarmInput } from '../protocol/generated/cloudwatch-types.js';

export const THRESHOLD_OPERATORS: readonly ComparisonOperator[] = [
  'GreaterThanOrEqualToThreshold',
  'GreaterThanThreshold',
  'LessThanThreshold',
  'LessThanOrEqualToThreshold',
];
const TREAT_MISSING = ['breaching', 'notBreaching', 'ignore', 'missing'];
const DAY_SECONDS = 86_400;
const WEEK_SECONDS = 7 * DAY_SECONDS;
/** "A single PutMetricAlarm call can include up to 20 MetricDataQuery structures … as many as 10 … MetricStat … 10 … Expression." */
const MAX_METRIC_QUERIES = 10;
const MAX_EXPRESSION_QUERIES = 10;
const ARN = /^arn:[^:\s]+:[^:\s]+:[^:\s]*:[^:\s]*:\S+$/;

/** Checks an alarm's configuration; returns it without the name and tags, or throws the error AWS answers. */
export function checkAlarm(input: PutMetricAlarmInput, periodSeconds: number): AlarmSpec {
  if (input.EvaluationCriteria !== undefined || input.EvaluationInterval !== undefined) {
    throw invalidParameterValue('sagemaker-emulator does not evaluate PromQL alarms (EvaluationCriteria, EvaluationInterval).');
  }
  const operator = input.ComparisonOperator;
  if (input.ThresholdMetricId !== undefined || (operator !== undefined && !THRESHOLD_OPERATORS.includes(operator))) {
    throw invalidParameterValue('sagemaker-emulator does not evaluate anomaly detection alarms (ThresholdMetricId and the band comparison operators).');
  }
  // Wording of the "should have" family as other CloudWatch emulators record it; NOT VERIFIED.
  if (operator === undefined) {
    throw validationError('PutMetricAlarm request should have a valid ComparisonOperator parameter');
  }
  if (input.Threshold === undefined || !Number.isFinite(input.Threshold)) {
    throw validationError('PutMetricAlarm request should have valid Threshold parameter');
  }
  if (input.EvaluationPeriods === undefined) {
    throw validationError('PutMetricAlarm request should have an EvaluationPeriods parameter');
  }
  if (input.DatapointsToAlarm !== undefined && input.DatapointsToAlarm > input.EvaluationPeriods) {
    // The text CloudFormation users report from PutMetricAlarm.
    throw validationError('DatapointsToAlarm must be less than or equal to EvaluationPeriods');
  }
  if (input.TreatMissingData !== undefined && !TREAT_MISSING.includes(input.TreatMissingData)) {
    // LocalStack's text (marked there as to be checked against AWS): NOT VERIFIED.
    throw validationError(
      `The value ${input.TreatMissingData} is not supported for TreatMissingData parameter. Supported values are [breaching, notBreaching, ignore, missing].`,
    );
  }
  const lowSample = input.EvaluateLowSampleCountPercentile;
  if (lowSample !== undefined && lowSample !== 'evaluate' && lowSample !== 'ignore') {
    // moto and LocalStack agree on this text.
    throw validationError(`Option ${lowSample} is not supported. Supported options for parameter EvaluateLowSampleCountPercentile are evaluate and ignore.`);
  }
  for (const arn of [...(input.AlarmActions ?? []), ...(input.OKActions ?? []), ...(input.InsufficientDataActions ?? [])]) {
    if (!ARN.test(arn)) {
      throw validationError(`Invalid arn syntax: ${arn}`);
    }
  }
  const period = input.Metrics !== undefined ? checkMetricMath(input, periodSeconds) : checkSingleMetric(input, periodSeconds);
  checkEvaluationRange(period, input.EvaluationPeriods);
  const { AlarmName: _name, Tags: _tags, ...spec } = input;
  return spec;
}

function checkSingleMetric(input: PutMetricAlarmInput, periodSeconds: number): number {
  if (input.MetricName === undefined) {
    // NOT VERIFIED.
    throw validationError('PutMetricAlarm request should have a MetricName parameter or a Metrics parameter');
  }
  if (input.Namespace === undefined) {
    throw validationError('PutMetricAlarm request should have a Namespace parameter');
  }
  if (input.Statistic !== undefined && input.ExtendedStatistic !== undefined) {
    throw validationError('PutMetricAlarm request can not be made with both Statistic and ExtendedStatistic parameters. Only one of them should be present');
  }
  if (input.Statistic === undefined && input.ExtendedStatistic === undefined) {
    throw validationError('PutMetricAlarm request should have a Statistic parameter');
  }
  if (input.ExtendedStatistic !== undefined) {
    const parsed = parseStatistic(input.ExtendedStatistic);
    if (!parsed.ok || parsed.stat.kind !== 'percentile') {
      // moto and LocalStack: "The value {x} for parameter ExtendedStatistic is not supported."
      throw invalidParameterValue(`The value ${input.ExtendedStatistic} for parameter ExtendedStatistic is not supported.`);
    }
  } else if (input.EvaluateLowSampleCountPercentile !== undefined) {
    throw validationError(
      `Option evaluateLowSampleCountPercentile can not be applied with statistic ${input.Statistic!}. This option is enabled only for percentile statistics.`,
    );
  }
  if (input.Period === undefined) {
    throw validationError('PutMetricAlarm request should have a Period parameter');
  }
  return checkPeriodUnit(input.Period, periodSeconds);
}

function checkMetricMath(input: PutMetricAlarmInput, periodSeconds: number): number {
  const scalar = ['MetricName', 'Namespace', 'Dimensions', 'Period', 'Unit', 'Statistic', 'ExtendedStatistic'] as const;
  if (scalar.some((k) => input[k] !== undefined)) {
    throw validationError('Scalar metric parameters must not be set if list of Metrics is set.');
  }
  const metrics = input.Metrics!;
  const stats = metrics.filter((q) => q.MetricStat);
  if (stats.length > MAX_METRIC_QUERIES || metrics.length - stats.length > MAX_EXPRESSION_QUERIES) {
    throw validationError(`An alarm can use at most ${MAX_METRIC_QUERIES} metrics and ${MAX_EXPRESSION_QUERIES} expressions.`);
  }
  const returned = metrics.filter((q) => q.ReturnData !== false);
  if (returned.length !== 1) {
    // NOT VERIFIED: the text; "One item in the Metrics array is the math expression that the alarm watches … ReturnData set to true."
    throw validationError('Exactly one element of the Metrics list must have ReturnData set to true.');
  }
  const checked = checkQueries(metrics, 'Metrics', periodSeconds);
  if (checked.problems.length > 0) {
    throw validationError(checked.problems.map((p) => `${p}\n`).join(''));
  }
  const periods = new Set(stats.map((q) => q.MetricStat!.Period));
  if (periods.size > 1) {
    // "Each metric must be using the same period" (AlarmThatSendsEmail.html, Alarms on math expressions); NOT VERIFIED text.
    throw validationError('All metrics of a metric math alarm must use the same Period.');
  }
  const period = [...periods][0] ?? returned[0]!.Period;
  if (period === undefined) {
    throw validationError('PutMetricAlarm request should have a Period parameter');
  }
  return checkPeriodUnit(period, periodSeconds);
}

function checkPeriodUnit(period: number, periodSeconds: number): number {
  if (period % periodSeconds !== 0) {
    // AWS: "Period must be 10, 20, 30 or a multiple of 60" — here the periods the store can serve. NOT VERIFIED.
    throw validationError(`Period must be a multiple of ${periodSeconds}`);
  }
  return period;
}

/** "The maximum evaluation period is seven days for alarms with a period of at least one hour, one day for a shorter period." */
function checkEvaluationRange(period: number, evaluationPeriods: number): void {
  const total = period * evaluationPeriods;
  if (period < 3600 && total > DAY_SECONDS) {
    throw validationError('Metrics cannot be checked across more than a day (EvaluationPeriods * Period must be <= 86400) for alarms using period < 3600');
  }
  if (total > WEEK_SECONDS) {
    throw validationError('Metrics cannot be checked across more than a week (EvaluationPeriods * Period must be <= 604800) for alarms using period >= 3600');
  }
}

/** The period an accepted alarm evaluates with (its own, or its metric math's). */
export function alarmPeriod(spec: AlarmSpec): number {
  if (spec.Period !== undefined) {
    return spec.Period;
  }
  const metrics = spec.Metrics ?? [];
  return metrics.find((q) => q.MetricStat)?.MetricStat?.Period ?? metrics.find((q) => q.ReturnData !== false)?.Period ?? 60;
}
