import type { Logger } from 'pino';
import type { AlarmDirectory } from '../cloudwatch/alarm-actions.js';
import type { Config } from '../config/schema.js';
import type {
  ApplicationAutoScalingOperationName,
  ApplicationAutoScalingOperations,
} from '../protocol/generated/application-autoscaling-types.js';
import type { ActivityLog } from './activity-log.js';
import type { CapacityAdapter } from './capacity.js';
import type { ScalingEngine } from './scaling-engine.js';
import type { ActionScheduler } from './scheduler.js';
import type { AutoScalingTables } from './tables.js';

/** What lives as long as the service: built once by the AutoScaling facade. */
export interface AutoScalingServices {
  config: Config;
  tables: AutoScalingTables;
  activities: ActivityLog;
  alarms: AlarmDirectory;
  capacity: CapacityAdapter;
  engine: ScalingEngine;
  scheduler: ActionScheduler;
  now: () => number;
}

/** What every operation gets: the services and the caller's identity. */
export interface AutoScalingContext extends AutoScalingServices {
  region: string;
  accountId: string;
  requestId: string;
  log: Logger;
}

type Ops = ApplicationAutoScalingOperations;

/** An operation, typed by the service model: its input has been validated and holds only modelled members. */
export type AasOperation<K extends ApplicationAutoScalingOperationName> = (
  input: Ops[K]['input'],
  ctx: AutoScalingContext,
) => Ops[K]['output'] | Promise<Ops[K]['output']>;

/** Every served operation; a generated operation without a handler does not compile. */
export type AasOperationTable = { [K in ApplicationAutoScalingOperationName]: AasOperation<K> };
