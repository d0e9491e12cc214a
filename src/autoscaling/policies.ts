import { wireTime } from '../protocol/wire-time.js';
import type { Alarm, ScalingPolicy } from '../protocol/generated/application-autoscaling-types.js';
import type { AasOperation, AutoScalingContext } from './context.js';
import { limitExceeded, noScalableTarget, noScalingPolicy } from './errors.js';
import { describeMatching, page } from './paging.js';
import { checkStepScaling, checkTargetTracking, policyTypeOf } from './policy-rules.js';
import type { ScalableTargetRecord, ScalingPolicyRecord } from './records.js';
import { policyArn, targetRef } from './resource-id.js';
import { trackingAlarms } from './target-tracking-alarms.js';

/** NOT VERIFIED: the quota of scaling policies per scalable target (https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-limits.html). */
export const MAX_POLICIES_PER_TARGET = 50;

/**
 * PutScalingPolicy creates or replaces a policy. A target-tracking policy
 * gets its two alarms through the AlarmDirectory, as AAS creates them in
 * CloudWatch; replacing it creates the new alarms before deleting the old
 * ones. A step policy's alarms are the user's own (PutMetricAlarm with the
 * policy ARN as an action).
 */
export const putScalingPolicy: AasOperation<'PutScalingPolicy'> = (input, ctx) => {
  const ref = targetRef(input);
  const target = ctx.tables.getTarget(ctx.region, ref);
  if (!target) {
    throw noScalableTarget(ref);
  }
  const existing = ctx.tables.getPolicy(ctx.region, ref, input.PolicyName);
  const type = policyTypeOf(input, existing);
  if (!existing && ctx.tables.policiesOf(ctx.region, ref).length >= MAX_POLICIES_PER_TARGET) {
    throw limitExceeded(`A scalable target can have at most ${MAX_POLICIES_PER_TARGET} scaling policies.`);
  }
  const arn = existing?.arn ?? policyArn(ctx.region, ctx.accountId, target, input.PolicyName);
  const base = { ...ref, arn, name: input.PolicyName, creationTime: existing?.creationTime ?? ctx.now() };
  let record: ScalingPolicyRecord;
  if (type === 'TargetTrackingScaling') {
    const config = checkTargetTracking(
      input.TargetTrackingScalingPolicyConfiguration ?? (existing?.policyType === type ? existing.targetTracking : undefined),
      ref.dimension,
    );
    const alarms = createAlarms(ctx, target, arn, config);
    record = { ...base, policyType: type, targetTracking: config, alarms: alarms.list, actionArn: alarms.actionArn };
  } else {
    const config = checkStepScaling(input.StepScalingPolicyConfiguration ?? (existing?.policyType === type ? existing.step : undefined));
    record = { ...base, policyType: type, step: config, alarms: existing?.policyType === type ? existing.alarms : [] };
  }
  ctx.tables.putPolicy(ctx.region, record);
  deleteOwnAlarms(ctx, existing);
  ctx.log.info({ resourceId: ref.resourceId, policy: record.name, policyType: type, replaced: existing !== undefined }, 'scaling policy put');
  return { PolicyARN: arn, ...(type === 'TargetTrackingScaling' ? { Alarms: record.alarms } : {}) };
};

function createAlarms(ctx: AutoScalingContext, target: ScalableTargetRecord, arn: string, config: Parameters<typeof trackingAlarms>[2]) {
  const built = trackingAlarms(target, arn, config, ctx.config.metricPeriodSeconds);
  const list: Alarm[] = [];
  for (const alarm of built.low ? [built.high, built.low] : [built.high]) {
    list.push({ AlarmName: alarm.AlarmName, AlarmARN: ctx.alarms.putAlarm(ctx.region, alarm) });
  }
  return { actionArn: built.actionArn, list };
}

/** The alarms AAS made for a target-tracking policy; a step policy's alarms belong to the user and stay. */
function deleteOwnAlarms(ctx: AutoScalingContext, policy: ScalingPolicyRecord | undefined): void {
  if (policy?.policyType === 'TargetTrackingScaling' && policy.alarms.length > 0) {
    ctx.alarms.deleteAlarms(
      ctx.region,
      policy.alarms.map((a) => a.AlarmName),
    );
  }
}

export const deleteScalingPolicy: AasOperation<'DeleteScalingPolicy'> = (input, ctx) => {
  const ref = targetRef(input);
  const policy = ctx.tables.getPolicy(ctx.region, ref, input.PolicyName);
  if (!policy) {
    throw noScalingPolicy(ref, input.PolicyName);
  }
  ctx.tables.deletePolicy(ctx.region, policy);
  deleteOwnAlarms(ctx, policy);
  ctx.log.info({ resourceId: ref.resourceId, policy: policy.name }, 'scaling policy deleted');
  return {};
};

export const describeScalingPolicies: AasOperation<'DescribeScalingPolicies'> = (input, ctx) => {
  const matching = describeMatching(ctx.tables.policies.list(ctx.region), input, input.PolicyNames);
  const filters = [input.ServiceNamespace, input.PolicyNames, input.ResourceId, input.ScalableDimension];
  const { page: policies, NextToken } = page(matching, input, 'DescribeScalingPolicies', filters);
  return { ScalingPolicies: policies.map(wirePolicy), ...(NextToken ? { NextToken } : {}) };
};

function wirePolicy(p: ScalingPolicyRecord): ScalingPolicy {
  return {
    PolicyARN: p.arn,
    PolicyName: p.name,
    ServiceNamespace: 'sagemaker',
    ResourceId: p.resourceId,
    ScalableDimension: p.dimension,
    PolicyType: p.policyType,
    ...(p.step ? { StepScalingPolicyConfiguration: p.step } : {}),
    ...(p.targetTracking ? { TargetTrackingScalingPolicyConfiguration: p.targetTracking } : {}),
    Alarms: p.alarms,
    CreationTime: wireTime(p.creationTime),
  };
}
