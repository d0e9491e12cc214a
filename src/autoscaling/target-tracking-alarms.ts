import { randomUUID } from 'node:crypto';
import type { MetricDataQuery, PutMetricAlarmInput, StandardUnit, Statistic } from '../protocol/generated/cloudwatch-types.js';
import type { CustomizedMetricSpecification, MetricType, TargetTrackingScalingPolicyConfiguration } from '../protocol/generated/application-autoscaling-types.js';
import { SAGEMAKER_NAMESPACE } from '../cloudwatch/metric-sink.js';
import type { ScalableTargetRecord } from './records.js';

/**
 * The two alarms AAS creates for a target-tracking policy
 * (https://docs.aws.amazon.com/autoscaling/application/userguide/target-tracking-scaling-policy-overview.html),
 * with the fields real ones have in exports of accounts' alarms (public terraformer outputs):
 * - `TargetTracking-<resource ID>-AlarmHigh-<uuid>`: GreaterThanThreshold the
 *   target, 3 of 3 periods;
 * - `TargetTracking-<resource ID>-AlarmLow-<uuid>`: LessThanThreshold 90 % of
 *   the target, 15 of 15 periods (the ratio is verified on ECS and ALB metrics;
 *   NOT VERIFIED for SageMaker's);
 * both with TreatMissingData missing, AlarmActions the policy's
 * `<policy ARN>:createdBy/<uuid>` and the description
 * `DO NOT EDIT OR DELETE. For TargetTrackingScaling policy <that ARN>.`
 * The period is the emulator's metric period (SME_METRIC_PERIOD_SECONDS, 60 as on AWS).
 */
export const LOW_RATIO = 0.9;

export interface PredefinedMetric {
  metricName: string;
  statistic: Statistic;
}

/**
 * SageMaker's predefined metrics (AWS/SageMaker, dimensions EndpointName and VariantName):
 * https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-auto-scaling-add-code-define.html.
 * NOT VERIFIED: the statistic of the high-resolution concurrency metric.
 */
export const PREDEFINED: Partial<Record<MetricType, PredefinedMetric>> = {
  SageMakerVariantInvocationsPerInstance: { metricName: 'InvocationsPerInstance', statistic: 'Sum' },
  SageMakerVariantProvisionedConcurrencyUtilization: { metricName: 'ServerlessProvisionedConcurrencyUtilization', statistic: 'Average' },
  SageMakerVariantConcurrentRequestsPerModelHighResolution: { metricName: 'ConcurrentRequestsPerModel', statistic: 'Average' },
};

export const STANDARD_UNITS: readonly StandardUnit[] = [
  'Seconds', 'Microseconds', 'Milliseconds', 'Bytes', 'Kilobytes', 'Megabytes', 'Gigabytes', 'Terabytes', 'Bits', 'Kilobits',
  'Megabits', 'Gigabits', 'Terabits', 'Percent', 'Count', 'Bytes/Second', 'Kilobytes/Second', 'Megabytes/Second',
  'Gigabytes/Second', 'Terabytes/Second', 'Bits/Second', 'Kilobits/Second', 'Megabits/Second', 'Gigabits/Second',
  'Terabits/Second', 'Count/Second', 'None',
];

const isStandardUnit = (u: string): u is StandardUnit => (STANDARD_UNITS as readonly string[]).includes(u);

export interface TrackingAlarms {
  actionArn: string;
  high: PutMetricAlarmInput;
  low?: PutMetricAlarmInput;
}

/** Builds the alarms of a (validated) target-tracking configuration; no AlarmLow when scale-in is disabled. */
export function trackingAlarms(
  target: ScalableTargetRecord,
  policyArn: string,
  config: TargetTrackingScalingPolicyConfiguration,
  periodSeconds: number,
): TrackingAlarms {
  const actionArn = `${policyArn}:createdBy/${randomUUID()}`;
  const metric = alarmMetric(target, config, periodSeconds);
  const common = {
    AlarmDescription: `DO NOT EDIT OR DELETE. For TargetTrackingScaling policy ${actionArn}.`,
    ActionsEnabled: true,
    AlarmActions: [actionArn],
    TreatMissingData: 'missing',
    ...metric,
  };
  const name = (side: 'High' | 'Low') => `TargetTracking-${target.resourceId}-Alarm${side}-${randomUUID()}`;
  const high: PutMetricAlarmInput = {
    AlarmName: name('High'),
    ComparisonOperator: 'GreaterThanThreshold',
    Threshold: config.TargetValue,
    EvaluationPeriods: 3,
    DatapointsToAlarm: 3,
    ...common,
  };
  if (config.DisableScaleIn) {
    return { actionArn, high };
  }
  const low: PutMetricAlarmInput = {
    AlarmName: name('Low'),
    ComparisonOperator: 'LessThanThreshold',
    Threshold: config.TargetValue * LOW_RATIO,
    EvaluationPeriods: 15,
    DatapointsToAlarm: 15,
    ...common,
  };
  return { actionArn, high, low };
}

type AlarmMetric = Pick<PutMetricAlarmInput, 'Namespace' | 'MetricName' | 'Dimensions' | 'Statistic' | 'Unit' | 'Period' | 'Metrics'>;

function alarmMetric(target: ScalableTargetRecord, config: TargetTrackingScalingPolicyConfiguration, period: number): AlarmMetric {
  const predefined = config.PredefinedMetricSpecification;
  if (predefined) {
    const m = PREDEFINED[predefined.PredefinedMetricType]!;
    return {
      Namespace: SAGEMAKER_NAMESPACE,
      MetricName: m.metricName,
      Dimensions: [
        { Name: 'EndpointName', Value: target.endpointName },
        { Name: 'VariantName', Value: target.variantName },
      ],
      Statistic: m.statistic,
      Period: period,
    };
  }
  const custom: CustomizedMetricSpecification = config.CustomizedMetricSpecification ?? {};
  if (custom.Metrics) {
    return { Metrics: custom.Metrics.map((q) => metricQuery(q, period)) };
  }
  return {
    Namespace: custom.Namespace,
    MetricName: custom.MetricName,
    ...(custom.Dimensions ? { Dimensions: custom.Dimensions.map((d) => ({ Name: d.Name, Value: d.Value })) } : {}),
    Statistic: custom.Statistic,
    ...(custom.Unit !== undefined && isStandardUnit(custom.Unit) ? { Unit: custom.Unit } : {}),
    Period: period,
  };
}

function metricQuery(q: NonNullable<CustomizedMetricSpecification['Metrics']>[number], period: number): MetricDataQuery {
  const stat = q.MetricStat;
  return {
    Id: q.Id,
    ...(q.Expression !== undefined ? { Expression: q.Expression } : {}),
    ...(q.Label !== undefined ? { Label: q.Label } : {}),
    ...(q.ReturnData !== undefined ? { ReturnData: q.ReturnData } : {}),
    ...(stat
      ? {
          MetricStat: {
            Metric: {
              Namespace: stat.Metric.Namespace,
              MetricName: stat.Metric.MetricName,
              ...(stat.Metric.Dimensions ? { Dimensions: stat.Metric.Dimensions.map((d) => ({ Name: d.Name, Value: d.Value })) } : {}),
            },
            Period: period,
            Stat: stat.Stat,
            ...(stat.Unit !== undefined && isStandardUnit(stat.Unit) ? { Unit: stat.Unit } : {}),
          },
        }
      : {}),
  };
}
