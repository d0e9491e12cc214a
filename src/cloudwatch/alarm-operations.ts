/**
 * The alarm operations: PutMetricAlarm, DescribeAlarms, DescribeAlarmsForMetric,
 * DeleteAlarms, SetAlarmState, Enable/DisableAlarmActions. They go through the
 * same Alarms methods as Application Auto Scaling's target-tracking alarms.
 */
import { metricAlarmOutput } from './alarm-output.js';
import type { CloudWatchOperation } from './context.js';
import { invalidFormat, invalidNextToken, invalidParameterCombination, validationError } from './errors.js';
import { sameDimensions } from './metric-key.js';
import { decodeToken, encodeToken, fingerprint } from '../protocol/page-token.js';
import { dimensionMap } from './wire-values.js';

const DEFAULT_MAX_RECORDS = 50;

export const putMetricAlarm: CloudWatchOperation<'PutMetricAlarm'> = (input, ctx) => {
  ctx.alarms.putAlarm(ctx.region, input);
  return {};
};

export const describeAlarms: CloudWatchOperation<'DescribeAlarms'> = (input, ctx) => {
  const family = input.ChildrenOfAlarmName ?? input.ParentsOfAlarmName;
  if (family !== undefined) {
    const others = [input.AlarmNames, input.AlarmNamePrefix, input.AlarmTypes, input.StateValue, input.ActionPrefix];
    if (others.some((v) => v !== undefined) || (input.ChildrenOfAlarmName !== undefined && input.ParentsOfAlarmName !== undefined)) {
      // "you cannot specify any other parameters … except for MaxRecords and NextToken. If you do so, you receive a validation error." NOT VERIFIED text.
      throw validationError('ChildrenOfAlarmName and ParentsOfAlarmName cannot be combined with other parameters except MaxRecords and NextToken.');
    }
    // No composite alarms here: no alarm has children or parents.
    return { MetricAlarms: [], CompositeAlarms: [] };
  }
  if (input.AlarmNames !== undefined && input.AlarmNamePrefix !== undefined) {
    // NOT VERIFIED: the text ("If this parameter is specified, you cannot specify AlarmNames.").
    throw invalidParameterCombination('The parameters AlarmNames and AlarmNamePrefix are mutually exclusive and you have specified both.');
  }
  // "If you omit this parameter, only metric alarms are returned."
  const types = input.AlarmTypes ?? ['MetricAlarm'];
  const names = input.AlarmNames ? new Set(input.AlarmNames) : undefined;
  const prefix = input.ActionPrefix;
  const matching = types.includes('MetricAlarm')
    ? ctx.alarms
        .list(ctx.region)
        .filter(
          (a) =>
            (names === undefined || names.has(a.name)) &&
            (input.AlarmNamePrefix === undefined || a.name.startsWith(input.AlarmNamePrefix)) &&
            (input.StateValue === undefined || a.state.value === input.StateValue) &&
            (prefix === undefined ||
              [...(a.spec.AlarmActions ?? []), ...(a.spec.OKActions ?? []), ...(a.spec.InsufficientDataActions ?? [])].some((arn) => arn.startsWith(prefix))),
        )
    : [];
  const max = input.MaxRecords ?? DEFAULT_MAX_RECORDS;
  const print = fingerprint([input.AlarmNames, input.AlarmNamePrefix, types, input.StateValue, prefix]);
  // NOT VERIFIED: the text of InvalidNextToken.
  const offset = decodeToken(input.NextToken, 'DescribeAlarms', print, () => invalidNextToken('The NextToken is invalid or expired.'));
  return {
    MetricAlarms: matching.slice(offset, offset + max).map(metricAlarmOutput),
    ...(types.includes('CompositeAlarm') ? { CompositeAlarms: [] } : {}),
    ...(offset + max < matching.length ? { NextToken: encodeToken('DescribeAlarms', print, offset + max) } : {}),
  };
};

/** Single-metric alarms on this metric (its exact dimension set), optionally by statistic, period and unit. */
export const describeAlarmsForMetric: CloudWatchOperation<'DescribeAlarmsForMetric'> = (input, ctx) => {
  const dims = input.Dimensions === undefined ? undefined : dimensionMap(input.Dimensions);
  const alarms = ctx.alarms.list(ctx.region).filter(({ spec: s }) => {
    return (
      s.Metrics === undefined &&
      s.MetricName === input.MetricName &&
      s.Namespace === input.Namespace &&
      (dims === undefined || sameDimensions(dimensionMap(s.Dimensions), dims)) &&
      (input.Statistic === undefined || s.Statistic === input.Statistic) &&
      (input.ExtendedStatistic === undefined || s.ExtendedStatistic === input.ExtendedStatistic) &&
      (input.Period === undefined || s.Period === input.Period) &&
      (input.Unit === undefined || s.Unit === input.Unit)
    );
  });
  return { MetricAlarms: alarms.map(metricAlarmOutput) };
};

export const deleteAlarms: CloudWatchOperation<'DeleteAlarms'> = (input, ctx) => {
  ctx.alarms.deleteAlarms(ctx.region, input.AlarmNames);
  return {};
};

export const setAlarmState: CloudWatchOperation<'SetAlarmState'> = (input, ctx) => {
  if (input.StateReasonData !== undefined) {
    try {
      JSON.parse(input.StateReasonData);
    } catch {
      // InvalidFormat is the model's error for it; NOT VERIFIED: the text.
      throw invalidFormat('StateReasonData is not valid JSON.');
    }
  }
  ctx.alarms.setState(ctx.region, input.AlarmName, input.StateValue, input.StateReason, input.StateReasonData);
  return {};
};

export const enableAlarmActions: CloudWatchOperation<'EnableAlarmActions'> = (input, ctx) => {
  ctx.alarms.setActionsEnabled(ctx.region, input.AlarmNames, true);
  return {};
};

export const disableAlarmActions: CloudWatchOperation<'DisableAlarmActions'> = (input, ctx) => {
  ctx.alarms.setActionsEnabled(ctx.region, input.AlarmNames, false);
  return {};
};
