/** A stored alarm as DescribeAlarms and DescribeAlarmsForMetric return it (the MetricAlarm shape). */
import type { MetricAlarmRecord } from './alarm-record.js';
import { wireTime } from '../protocol/wire-time.js';
import type { MetricAlarm } from '../protocol/generated/cloudwatch-types.js';

export function metricAlarmOutput(alarm: MetricAlarmRecord): MetricAlarm {
  const s = alarm.spec;
  const out: MetricAlarm = {
    AlarmName: alarm.name,
    AlarmArn: alarm.arn,
    ...(s.AlarmDescription !== undefined ? { AlarmDescription: s.AlarmDescription } : {}),
    AlarmConfigurationUpdatedTimestamp: wireTime(alarm.configurationUpdatedMs),
    ActionsEnabled: alarm.actionsEnabled,
    // The action lists and Dimensions are always there, empty when unset, as DescribeAlarms shows them.
    OKActions: s.OKActions ?? [],
    AlarmActions: s.AlarmActions ?? [],
    InsufficientDataActions: s.InsufficientDataActions ?? [],
    StateValue: alarm.state.value,
    StateReason: alarm.state.reason,
    ...(alarm.state.reasonData !== undefined ? { StateReasonData: alarm.state.reasonData } : {}),
    StateUpdatedTimestamp: wireTime(alarm.state.updatedMs),
    MetricName: s.MetricName,
    Namespace: s.Namespace,
    Statistic: s.Statistic,
    ExtendedStatistic: s.ExtendedStatistic,
    Dimensions: s.Dimensions ?? [],
    Period: s.Period,
    Unit: s.Unit,
    EvaluationPeriods: s.EvaluationPeriods,
    DatapointsToAlarm: s.DatapointsToAlarm,
    Threshold: s.Threshold,
    ComparisonOperator: s.ComparisonOperator,
    TreatMissingData: s.TreatMissingData,
    EvaluateLowSampleCountPercentile: s.EvaluateLowSampleCountPercentile,
    Metrics: s.Metrics,
    StateTransitionedTimestamp: wireTime(alarm.state.updatedMs),
  };
  // Members the alarm does not have are left out, not written as null.
  return Object.fromEntries(Object.entries(out).filter(([, v]) => v !== undefined)) as MetricAlarm;
}
