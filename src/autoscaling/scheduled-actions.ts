import { inputTime, wireTime } from '../protocol/wire-time.js';
import type { ScalableTargetAction, ScheduledAction } from '../protocol/generated/application-autoscaling-types.js';
import type { AasOperation } from './context.js';
import { limitExceeded, minAboveMax, noMinOrMax, noScalableTarget, noScheduledAction, validation } from './errors.js';
import { describeMatching, page } from './paging.js';
import type { ScheduledActionRecord } from './records.js';
import { scheduledActionArn, targetRef } from './resource-id.js';
import { checkTimezone, parseSchedule } from './schedule.js';

/** NOT VERIFIED: the quota of scheduled actions per scalable target (https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-limits.html). */
export const MAX_ACTIONS_PER_TARGET = 200;

/**
 * PutScheduledAction creates an action or changes the members given
 * ("Any parameters that you don't specify are not changed by this update
 * request", https://docs.aws.amazon.com/autoscaling/application/APIReference/API_PutScheduledAction.html),
 * then (re)arms its timer.
 */
export const putScheduledAction: AasOperation<'PutScheduledAction'> = (input, ctx) => {
  const ref = targetRef(input);
  const target = ctx.tables.getTarget(ctx.region, ref);
  if (!target) {
    throw noScalableTarget(ref);
  }
  const existing = ctx.tables.getAction(ctx.region, ref, input.ScheduledActionName);
  if (!existing && ctx.tables.actionsOf(ctx.region, ref).length >= MAX_ACTIONS_PER_TARGET) {
    throw limitExceeded(`A scalable target can have at most ${MAX_ACTIONS_PER_TARGET} scheduled actions.`);
  }
  const schedule = input.Schedule ?? existing?.schedule;
  if (schedule === undefined) {
    // NOT VERIFIED: the wording.
    throw validation('Schedule is required when creating a scheduled action.');
  }
  const timezone = input.Timezone ?? existing?.timezone;
  checkTimezone(timezone);
  parseSchedule(schedule, timezone);
  const action = input.ScalableTargetAction ?? existing?.action;
  checkAction(action);
  const startTime = input.StartTime !== undefined ? inputTime(input.StartTime) : existing?.startTime;
  const endTime = input.EndTime !== undefined ? inputTime(input.EndTime) : existing?.endTime;
  if (startTime !== undefined && endTime !== undefined && endTime < startTime) {
    // NOT VERIFIED: the wording.
    throw validation('EndTime cannot be earlier than StartTime.');
  }
  const record: ScheduledActionRecord = {
    ...ref,
    name: input.ScheduledActionName,
    arn: existing?.arn ?? scheduledActionArn(ctx.region, ctx.accountId, target, input.ScheduledActionName),
    schedule,
    ...(timezone !== undefined ? { timezone } : {}),
    ...(startTime !== undefined ? { startTime } : {}),
    ...(endTime !== undefined ? { endTime } : {}),
    action: action!,
    creationTime: existing?.creationTime ?? ctx.now(),
    ...(existing?.lastFiredAt !== undefined ? { lastFiredAt: existing.lastFiredAt } : {}),
  };
  ctx.tables.putAction(ctx.region, record);
  ctx.scheduler.arm(ctx.region, record);
  ctx.log.info({ resourceId: ref.resourceId, scheduledAction: record.name, schedule, timezone }, 'scheduled action put');
  return {};
};

function checkAction(action: ScalableTargetAction | undefined): asserts action is ScalableTargetAction {
  if (!action || (action.MinCapacity === undefined && action.MaxCapacity === undefined)) {
    throw noMinOrMax();
  }
  if ((action.MinCapacity ?? 0) < 0 || (action.MaxCapacity ?? 0) < 0) {
    throw validation('Minimum and maximum capacity must be greater than or equal to 0.');
  }
  if (action.MinCapacity !== undefined && action.MaxCapacity !== undefined && action.MinCapacity > action.MaxCapacity) {
    throw minAboveMax();
  }
}

export const deleteScheduledAction: AasOperation<'DeleteScheduledAction'> = (input, ctx) => {
  const ref = targetRef(input);
  const action = ctx.tables.getAction(ctx.region, ref, input.ScheduledActionName);
  if (!action) {
    throw noScheduledAction(ref, input.ScheduledActionName);
  }
  ctx.scheduler.disarm(ctx.region, action, action.name);
  ctx.tables.deleteAction(ctx.region, action);
  return {};
};

export const describeScheduledActions: AasOperation<'DescribeScheduledActions'> = (input, ctx) => {
  const matching = describeMatching(ctx.tables.actions.list(ctx.region), input, input.ScheduledActionNames);
  const filters = [input.ServiceNamespace, input.ScheduledActionNames, input.ResourceId, input.ScalableDimension];
  const { page: actions, NextToken } = page(matching, input, 'DescribeScheduledActions', filters);
  return { ScheduledActions: actions.map(wireAction), ...(NextToken ? { NextToken } : {}) };
};

function wireAction(a: ScheduledActionRecord): ScheduledAction {
  return {
    ScheduledActionName: a.name,
    ScheduledActionARN: a.arn,
    ServiceNamespace: 'sagemaker',
    Schedule: a.schedule,
    ...(a.timezone !== undefined ? { Timezone: a.timezone } : {}),
    ResourceId: a.resourceId,
    ScalableDimension: a.dimension,
    ...(a.startTime !== undefined ? { StartTime: wireTime(a.startTime) } : {}),
    ...(a.endTime !== undefined ? { EndTime: wireTime(a.endTime) } : {}),
    ScalableTargetAction: a.action,
    CreationTime: wireTime(a.creationTime),
  };
}
