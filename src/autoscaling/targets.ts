import { wireTime } from '../protocol/wire-time.js';
import type { ScalableTarget } from '../protocol/generated/application-autoscaling-types.js';
import type { AasOperation, AutoScalingContext } from './context.js';
import { noScalableTarget } from './errors.js';
import { page } from './paging.js';
import type { ScalableTargetRecord } from './records.js';
import { newTargetIdentity, parseVariantId, sageMakerServiceRole, targetRef } from './resource-id.js';
import { checkTags, toList } from './tags.js';
import { checkBounds, checkVariant, mergeSuspended, missingBounds } from './target-rules.js';

/**
 * RegisterScalableTarget creates or updates a target; when the variant's
 * capacity is then outside [Min, Max] it is brought inside, as AWS does
 * (https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html).
 * Tags count only when the target is created.
 */
export const registerScalableTarget: AasOperation<'RegisterScalableTarget'> = (input, ctx) => {
  const ref = targetRef(input);
  const { endpointName, variantName } = parseVariantId(ref.resourceId);
  const existing = ctx.tables.getTarget(ctx.region, ref);
  const variant = checkVariant(ctx.capacity.lookup(ctx.region, endpointName, variantName), ref, variantName);
  if (!existing && (input.MinCapacity === undefined || input.MaxCapacity === undefined)) {
    throw missingBounds();
  }
  const min = input.MinCapacity ?? existing!.minCapacity;
  const max = input.MaxCapacity ?? existing!.maxCapacity;
  checkBounds(min, max, variant, ref, variantName);
  const suspended = mergeSuspended(existing?.suspended, input.SuspendedState);
  const record: ScalableTargetRecord = existing
    ? { ...existing, minCapacity: min, maxCapacity: max, suspended, ...(input.RoleARN ? { roleArn: input.RoleARN } : {}) }
    : {
        ...ref,
        ...newTargetIdentity(ctx.region, ctx.accountId),
        endpointName,
        variantName,
        minCapacity: min,
        maxCapacity: max,
        roleArn: input.RoleARN ?? sageMakerServiceRole(ctx.accountId),
        suspended,
        creationTime: ctx.now(),
        cooldown: {},
      };
  const tags = !existing && input.Tags ? input.Tags : undefined;
  if (tags) {
    checkTags(ctx, record.arn, tags);
  }
  ctx.tables.store.transaction(() => {
    ctx.tables.putTarget(ctx.region, record);
    if (tags) {
      ctx.tables.store.tags.add(record.arn, toList(tags));
    }
  });
  ctx.log.info({ resourceId: ref.resourceId, dimension: ref.dimension, min, max, suspended, created: !existing }, 'scalable target registered');
  ctx.engine.enforceRange(ctx.region, ref);
  return { ScalableTargetARN: record.arn };
};

/** Deregistering deletes the target's policies (with their alarms) and scheduled actions, as on AWS. */
export const deregisterScalableTarget: AasOperation<'DeregisterScalableTarget'> = (input, ctx) => {
  const ref = targetRef(input);
  const target = ctx.tables.getTarget(ctx.region, ref);
  if (!target) {
    throw noScalableTarget(ref);
  }
  removeTarget(ctx, target);
  ctx.log.info({ resourceId: ref.resourceId, dimension: ref.dimension }, 'scalable target deregistered');
  return {};
};

/** Removes a target and everything hanging off it: policies, their alarms, scheduled actions and their timers, tags. */
export function removeTarget(ctx: Pick<AutoScalingContext, 'tables' | 'alarms' | 'scheduler' | 'region'>, target: ScalableTargetRecord): void {
  const alarmNames = ctx.tables.policiesOf(ctx.region, target).flatMap((p) => (p.policyType === 'TargetTrackingScaling' ? p.alarms.map((a) => a.AlarmName) : []));
  for (const a of ctx.tables.actionsOf(ctx.region, target)) {
    ctx.scheduler.disarm(ctx.region, a, a.name);
  }
  ctx.tables.deleteTarget(ctx.region, target);
  if (alarmNames.length > 0) {
    ctx.alarms.deleteAlarms(ctx.region, alarmNames);
  }
}

export const describeScalableTargets: AasOperation<'DescribeScalableTargets'> = (input, ctx) => {
  const ids = input.ResourceIds && input.ResourceIds.length > 0 ? new Set(input.ResourceIds) : undefined;
  const matching =
    input.ServiceNamespace !== 'sagemaker'
      ? []
      : ctx.tables.targets
          .list(ctx.region)
          .filter((t) => (!ids || ids.has(t.resourceId)) && (!input.ScalableDimension || t.dimension === input.ScalableDimension))
          .sort((a, b) => a.creationTime - b.creationTime || a.arn.localeCompare(b.arn));
  const { page: targets, NextToken } = page(matching, input, 'DescribeScalableTargets', [input.ServiceNamespace, input.ResourceIds, input.ScalableDimension]);
  return { ScalableTargets: targets.map(wireTarget), ...(NextToken ? { NextToken } : {}) };
};

function wireTarget(t: ScalableTargetRecord): ScalableTarget {
  return {
    ServiceNamespace: 'sagemaker',
    ResourceId: t.resourceId,
    ScalableDimension: t.dimension,
    MinCapacity: t.minCapacity,
    MaxCapacity: t.maxCapacity,
    RoleARN: t.roleArn,
    CreationTime: wireTime(t.creationTime),
    SuspendedState: t.suspended,
    ScalableTargetARN: t.arn,
  };
}
