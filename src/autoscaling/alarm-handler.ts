import type { Logger } from 'pino';
import type { AlarmActionHandler, AlarmInvocation } from '../cloudwatch/alarm-actions.js';
import type { Clock } from '../shared/clock.js';
import type { ActivityLog } from './activity-log.js';
import { activityTexts } from './activity-texts.js';
import { capacityOf, type CapacityAdapter } from './capacity.js';
import { decide } from './policy-decision.js';
import type { ScalingPolicyRecord } from './records.js';
import { policyArnOfAction } from './resource-id.js';
import type { ScalingEngine } from './scaling-engine.js';
import type { AutoScalingTables } from './tables.js';

export interface AlarmHandlerDeps {
  tables: AutoScalingTables;
  activities: ActivityLog;
  engine: ScalingEngine;
  capacity: CapacityAdapter;
  clock: Clock;
  log: Logger;
}

/** A step policy lists at most this many alarms seen invoking it. */
const MAX_REMEMBERED_ALARMS = 20;

/**
 * The action CloudWatch runs for an alarm whose actions name a scaling
 * policy: once on entering ALARM, then every period while it stays there, as
 * CloudWatch does for Auto Scaling actions. It never throws.
 */
export function alarmActionHandler(deps: AlarmHandlerDeps): AlarmActionHandler {
  return (actionArn, invocation) => {
    try {
      handle(deps, actionArn, invocation);
    } catch (err) {
      deps.log.error({ err, actionArn, alarm: invocation.alarmName }, 'scaling policy action failed');
    }
  };
}

function handle(deps: AlarmHandlerDeps, actionArn: string, inv: AlarmInvocation): void {
  const { tables, engine, capacity, activities, log } = deps;
  if (inv.state !== 'ALARM') {
    return;
  }
  const arn = policyArnOfAction(actionArn);
  const policy = tables.policies.list(inv.region).find((p) => p.arn === arn);
  if (!policy) {
    log.debug({ actionArn, alarm: inv.alarmName }, 'alarm action names no scaling policy');
    return;
  }
  remember(deps, inv, policy);
  const target = tables.getTarget(inv.region, policy);
  if (!target || engine.isBusy(inv.region, target)) {
    return;
  }
  const lookup = capacity.lookup(inv.region, target.endpointName, target.variantName);
  if (lookup.found !== 'yes') {
    log.warn({ endpoint: target.endpointName, variant: target.variantName, alarm: inv.alarmName }, 'scaling policy invoked for a variant that does not exist');
    return;
  }
  const current = capacityOf(lookup.variant, target.dimension);
  const decision = decide(policy, target, current, inv, deps.clock.now());
  const cause = activityTexts.alarmCause(inv.alarmName, policy.name);
  const where = { endpoint: target.endpointName, variant: target.variantName, policy: policy.name, alarm: inv.alarmName, metric: inv.metricValue };
  switch (decision.kind) {
    case 'ignore':
      log.debug({ ...where, from: current, why: decision.why }, 'not scaling');
      return;
    case 'not-scaled':
      log.debug({ ...where, from: current, why: decision.reasons[0]?.Code }, 'not scaling');
      activities.addNotScaled(inv.region, target, {
        description: activityTexts.attempting,
        cause,
        statusCode: 'Failed',
        notScaledReasons: decision.reasons,
      });
      return;
    case 'scale':
      engine.scale(inv.region, target, decision.to, cause);
  }
}

/** AWS lists, for a step policy, the alarms whose actions name it; the emulator learns them as they call. */
function remember(deps: AlarmHandlerDeps, inv: AlarmInvocation, policy: ScalingPolicyRecord): void {
  if (policy.policyType !== 'StepScaling' || policy.alarms.some((a) => a.AlarmName === inv.alarmName)) {
    return;
  }
  if (policy.alarms.length >= MAX_REMEMBERED_ALARMS) {
    return;
  }
  deps.tables.putPolicy(inv.region, { ...policy, alarms: [...policy.alarms, { AlarmName: inv.alarmName, AlarmARN: inv.alarmArn }] });
}
