import type { NotScaledReason } from '../protocol/generated/application-autoscaling-types.js';
import type { AlarmInvocation } from '../cloudwatch/alarm-actions.js';
import { clamp, stepCapacity, targetTrackingCapacity } from './capacity-math.js';
import type { ScalableTargetRecord, ScalingPolicyRecord } from './records.js';

/** What a policy decides when one of its alarms is in ALARM. */
export type Decision =
  | { kind: 'ignore'; why: string }
  | { kind: 'not-scaled'; reasons: NotScaledReason[] }
  | { kind: 'scale'; to: number; direction: 'out' | 'in' };

/** SageMaker variants' default cooldowns, for both policy types (API_TargetTrackingScalingPolicyConfiguration, API_StepScalingPolicyConfiguration). */
export const DEFAULT_COOLDOWN_SECONDS = 300;

/**
 * Decides the new capacity for a policy invoked by an alarm, given the
 * variant's current capacity:
 * - target tracking: proportional, ceil(current × metric / target);
 * - step scaling: the step holding metric − threshold, applied per AdjustmentType;
 * then suspension, cooldowns and [Min, Max].
 *
 * Cooldowns (https://docs.aws.amazon.com/autoscaling/application/userguide/target-tracking-scaling-policy-overview.html#target-tracking-cooldown):
 * while a scale-out cooldown runs, the capacity the last scale-out added counts
 * as already there, so the policy scales out again only past what that
 * scale-out set; a scale-in waits for the scale-in cooldown after the last
 * scaling activity.
 */
export function decide(policy: ScalingPolicyRecord, target: ScalableTargetRecord, current: number, inv: AlarmInvocation, now: number): Decision {
  if (inv.metricValue === undefined) {
    return { kind: 'ignore', why: 'the alarm had no datapoint' };
  }
  const cooldowns = cooldownSeconds(policy);
  const last = target.cooldown.lastScaleOut;
  const inScaleOutCooldown = last !== undefined && now < last.endedAt + cooldowns.out * 1000;
  let desired: number;
  if (policy.policyType === 'TargetTrackingScaling') {
    desired = targetTrackingCapacity(current, inv.metricValue, policy.targetTracking!.TargetValue);
  } else {
    // During the scale-out cooldown the step applies to the capacity before the last scale-out.
    const base = inScaleOutCooldown && last.to === current ? last.from : current;
    const computed = stepCapacity(base, inv.metricValue - inv.threshold, policy.step!);
    if (computed === undefined) {
      // The text AAS reports in that case (mapbox/ecs-watchbot#187).
      return { kind: 'ignore', why: `No step adjustment found for metric value [${inv.metricValue}] and breach threshold ${inv.threshold}` };
    }
    desired = computed;
  }
  const to = clamp(desired, target.minCapacity, target.maxCapacity);
  if (to === current) {
    return { kind: 'not-scaled', reasons: [notScaledReason(desired, current, target)] };
  }
  const direction = to > current ? 'out' : 'in';
  // A target-tracking alarm acts in its own direction only: AlarmLow never adds
  // capacity (at zero instances an async variant's backlog per instance would
  // otherwise make it), AlarmHigh never removes it.
  const alarmDirection = inv.comparisonOperator.startsWith('Less') ? 'in' : 'out';
  if (policy.policyType === 'TargetTrackingScaling' && direction !== alarmDirection) {
    return { kind: 'ignore', why: `an alarm ${inv.comparisonOperator} its threshold only scales ${alarmDirection}` };
  }
  if (direction === 'out') {
    if (target.suspended.DynamicScalingOutSuspended) {
      return { kind: 'ignore', why: 'dynamic scale-out is suspended' };
    }
    if (inScaleOutCooldown && to <= last.to) {
      return { kind: 'ignore', why: `scale-out cooldown: capacity ${last.to} was set less than ${cooldowns.out} s ago` };
    }
    return { kind: 'scale', to, direction };
  }
  if (target.suspended.DynamicScalingInSuspended) {
    return { kind: 'ignore', why: 'dynamic scale-in is suspended' };
  }
  if (policy.targetTracking?.DisableScaleIn) {
    return { kind: 'ignore', why: 'the policy has DisableScaleIn' };
  }
  const lastEnded = target.cooldown.lastActivityEndedAt;
  if (lastEnded !== undefined && now < lastEnded + cooldowns.in * 1000) {
    return { kind: 'ignore', why: `scale-in cooldown: the last scaling activity ended less than ${cooldowns.in} s ago` };
  }
  return { kind: 'scale', to, direction };
}

function cooldownSeconds(policy: ScalingPolicyRecord): { out: number; in: number } {
  if (policy.targetTracking) {
    return {
      out: policy.targetTracking.ScaleOutCooldown ?? DEFAULT_COOLDOWN_SECONDS,
      in: policy.targetTracking.ScaleInCooldown ?? DEFAULT_COOLDOWN_SECONDS,
    };
  }
  const c = policy.step?.Cooldown ?? DEFAULT_COOLDOWN_SECONDS;
  return { out: c, in: c };
}

/** The codes of https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-scaling-activities.html. */
function notScaledReason(desired: number, current: number, target: ScalableTargetRecord): NotScaledReason {
  if (desired > current && current >= target.maxCapacity) {
    return { Code: 'AlreadyAtMaxCapacity', MaxCapacity: target.maxCapacity };
  }
  if (desired < current && current <= target.minCapacity) {
    return { Code: 'AlreadyAtMinCapacity', MinCapacity: target.minCapacity };
  }
  return { Code: 'AlreadyAtDesiredCapacity', CurrentCapacity: current };
}
