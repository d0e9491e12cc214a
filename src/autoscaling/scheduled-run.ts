import type { Logger } from 'pino';
import type { ActivityLog } from './activity-log.js';
import { activityTexts } from './activity-texts.js';
import type { ScheduledActionRecord } from './records.js';
import type { ScalingEngine } from './scaling-engine.js';
import type { AutoScalingTables } from './tables.js';

export interface ScheduledRunDeps {
  tables: AutoScalingTables;
  activities: ActivityLog;
  engine: ScalingEngine;
  log: Logger;
  now: () => number;
}

/**
 * A scheduled action at its time: the target's Min/Max become the action's,
 * recorded as an activity (`Setting min capacity to 15 and max capacity to 20`,
 * cause `scheduled action name <n> was triggered`, Successful, no EndTime, as in
 * https://docs.aws.amazon.com/autoscaling/application/userguide/scheduled-scaling-additional-cli-commands.html),
 * then the capacity is brought into the new range by a second activity.
 * Nothing happens while ScheduledScalingSuspended is set.
 */
export function runScheduledAction(deps: ScheduledRunDeps, region: string, action: ScheduledActionRecord): void {
  const { tables, activities, engine, log } = deps;
  const target = tables.getTarget(region, action);
  if (!target) {
    return;
  }
  tables.putAction(region, { ...action, lastFiredAt: deps.now() });
  const where = { endpoint: target.endpointName, variant: target.variantName, scheduledAction: action.name };
  if (target.suspended.ScheduledScalingSuspended) {
    log.info(where, 'scheduled action skipped: scheduled scaling is suspended');
    return;
  }
  const min = action.action.MinCapacity ?? target.minCapacity;
  const max = action.action.MaxCapacity ?? target.maxCapacity;
  const base = { description: activityTexts.scheduledSetting(action.action), cause: activityTexts.scheduledCause(action.name) };
  if (min > max) {
    // NOT VERIFIED: what AWS records when the action's bounds cross the target's.
    activities.add(region, target, {
      ...base,
      statusCode: 'Failed',
      statusMessage: activityTexts.scheduledFailed(action.action, 'Minimum capacity cannot be greater than maximum capacity'),
      ended: true,
    });
    log.warn({ ...where, min, max }, 'scheduled action failed: minimum above maximum');
    return;
  }
  tables.putTarget(region, { ...target, minCapacity: min, maxCapacity: max });
  activities.add(region, target, { ...base, statusCode: 'Successful', statusMessage: activityTexts.scheduledSucceeded(action.action) });
  log.info({ ...where, min, max }, 'scheduled action ran');
  engine.enforceRange(region, target);
}
