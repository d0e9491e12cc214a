/**
 * What connects CloudWatch alarms to Application Auto Scaling, both ways:
 * - a scaling policy is an alarm action: the alarm evaluator calls the handler
 *   registered for the action's ARN prefix (`arn:aws:autoscaling:`);
 * - a target-tracking policy creates and deletes its own alarms through an
 *   AlarmDirectory, as on AWS (they are listed by DescribeAlarms).
 */
import type { PutMetricAlarmInput } from '../protocol/generated/cloudwatch-types.js';

export type AlarmState = 'OK' | 'ALARM' | 'INSUFFICIENT_DATA';

/** One call of an alarm action. */
export interface AlarmInvocation {
  region: string;
  alarmName: string;
  alarmArn: string;
  /** The state the alarm is in (actions run on entering a state; scaling actions again every period it stays). */
  state: AlarmState;
  /** The newest datapoint the alarm evaluated, aggregated with its statistic; undefined when it had none. */
  metricValue: number | undefined;
  threshold: number;
  comparisonOperator: string;
  /** CloudWatch's StateReason, e.g. `Threshold Crossed: 3 datapoints [...] were greater than the threshold (70.0).` */
  reason: string;
  /** When the alarm was evaluated, epoch ms. */
  atMs: number;
}

/** Runs one action ARN of an alarm; must not throw (failures are the handler's to log or record). */
export type AlarmActionHandler = (actionArn: string, invocation: AlarmInvocation) => void;

/** Alarms owned by another service (target tracking's AlarmHigh and AlarmLow). */
export interface AlarmDirectory {
  /** Creates or replaces an alarm, as PutMetricAlarm does; returns its ARN. */
  putAlarm(region: string, alarm: PutMetricAlarmInput): string;
  deleteAlarms(region: string, names: readonly string[]): void;
}
