import type { StepAdjustment, StepScalingPolicyConfiguration } from '../protocol/generated/application-autoscaling-types.js';

/** Pure arithmetic of scaling decisions; no store, no clock. */

export const clamp = (n: number, min: number, max: number) => Math.min(max, Math.max(min, n));

/** Absorbs floating-point noise such as 3 × 70 / 70 = 3.0000000000000004 before rounding up. */
const EPSILON = 1e-9;

/**
 * Target tracking: the capacity that brings the metric back to the target,
 * proportionally (https://docs.aws.amazon.com/autoscaling/application/userguide/target-tracking-scaling-policy-overview.html).
 * At zero capacity the metric is taken as one instance's: an async endpoint
 * scaled to zero scales out once its backlog exceeds the target
 * (https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference-autoscale.html).
 */
export function targetTrackingCapacity(current: number, metric: number, target: number): number {
  return Math.max(0, Math.ceil((Math.max(current, 1) * metric) / target - EPSILON));
}

/**
 * The step whose interval holds the breach (metric − threshold). Above the
 * threshold the lower bound is inclusive and the upper exclusive; below it,
 * the other way round; a missing bound is infinite
 * (https://docs.aws.amazon.com/autoscaling/application/APIReference/API_StepAdjustment.html).
 */
export function findStep(steps: readonly StepAdjustment[], breach: number): StepAdjustment | undefined {
  const above = breach >= 0;
  return steps.find((s) => {
    const lo = s.MetricIntervalLowerBound ?? Number.NEGATIVE_INFINITY;
    const hi = s.MetricIntervalUpperBound ?? Number.POSITIVE_INFINITY;
    return above ? breach >= lo && breach < hi : breach > lo && breach <= hi;
  });
}

/**
 * PercentChangeInCapacity: the change is rounded as AWS documents it (above 1
 * down, between 0 and 1 to 1, between −1 and 0 to −1, below −1 up), then
 * raised to MinAdjustmentMagnitude
 * (https://docs.aws.amazon.com/autoscaling/application/APIReference/API_StepScalingPolicyConfiguration.html).
 */
export function percentChange(current: number, percent: number, minMagnitude?: number): number {
  const raw = (current * percent) / 100;
  let change = raw > 1 ? Math.floor(raw) : raw > 0 ? 1 : raw < -1 ? Math.ceil(raw) : raw < 0 ? -1 : 0;
  if (minMagnitude !== undefined && change !== 0 && Math.abs(change) < minMagnitude) {
    change = Math.sign(change) * minMagnitude;
  }
  return change;
}

/** Step scaling: the new capacity from `base` for a breach; undefined when no step holds the breach. */
export function stepCapacity(base: number, breach: number, config: StepScalingPolicyConfiguration): number | undefined {
  const step = findStep(config.StepAdjustments ?? [], breach);
  if (!step) {
    return undefined;
  }
  switch (config.AdjustmentType) {
    case 'ExactCapacity':
      return step.ScalingAdjustment;
    case 'PercentChangeInCapacity':
      return base + percentChange(base, step.ScalingAdjustment, config.MinAdjustmentMagnitude);
    default:
      return base + step.ScalingAdjustment;
  }
}
