/**
 * A metric alarm as it is stored (table `metric_alarms`, src/resources/kinds.ts):
 * its configuration as PutMetricAlarm accepted it, and its state. Alarms
 * survive a restart; what the evaluator keeps between ticks does not need to.
 */
import type { AlarmState } from './alarm-actions.js';
import type { PutMetricAlarmInput } from '../protocol/generated/cloudwatch-types.js';

/** The configuration: PutMetricAlarm's input without the name and tags (tags live in the tag table). */
export type AlarmSpec = Omit<PutMetricAlarmInput, 'AlarmName' | 'Tags'>;

export interface AlarmStateRecord {
  value: AlarmState;
  reason: string;
  /** JSON text, as DescribeAlarms returns it; absent until the first evaluation. */
  reasonData?: string;
  /** Epoch ms of the last change of the state (StateUpdatedTimestamp, StateTransitionedTimestamp). */
  updatedMs: number;
}

export interface MetricAlarmRecord {
  /** Case kept: CloudWatch alarm names are case-sensitive. */
  name: string;
  arn: string;
  spec: AlarmSpec;
  actionsEnabled: boolean;
  configurationUpdatedMs: number;
  state: AlarmStateRecord;
}

/**
 * The document table folds names to lower case (SageMaker's names are
 * case-insensitive), but `MyAlarm` and `myalarm` are two CloudWatch alarms:
 * the table key is the name in hex, which folding leaves intact.
 */
export const alarmTableKey = (name: string): string => Buffer.from(name, 'utf8').toString('hex');

/** `arn:aws:cloudwatch:<region>:<account>:alarm:<name>`, the name as given (not folded). */
export const alarmArn = (region: string, accountId: string, name: string): string =>
  `arn:aws:cloudwatch:${region}:${accountId}:alarm:${name}`;
