import type { SuspendedState } from '../protocol/generated/application-autoscaling-types.js';
import type { VariantLookup, VariantView } from './capacity.js';
import { minAboveMax, validation } from './errors.js';
import type { SuspendedFlags, TargetRef } from './records.js';
import { INSTANCE_COUNT } from './resource-id.js';

/**
 * RegisterScalableTarget's rules for SageMaker variants. Verified: the
 * burstable-instance refusal (a user's capture of the real
 * ValidationException). NOT VERIFIED: the other texts; they follow what
 * SageMaker itself answers where it has a close one.
 */
export function checkVariant(lookup: VariantLookup, ref: TargetRef, variantName: string): VariantView {
  if (lookup.found === 'no-endpoint') {
    // SageMaker's own "not found" text, as AAS relays the target service's refusal.
    throw validation(`Could not find endpoint "${lookup.endpointArn}".`);
  }
  if (lookup.found === 'no-variant') {
    throw validation(`The variant "${variantName}" does not exist in endpoint "${lookup.endpointArn}".`);
  }
  const v = lookup.variant;
  if (ref.dimension === INSTANCE_COUNT) {
    if (v.serverless) {
      throw validation(
        `The serverless variant "${variantName}" of endpoint "${v.endpointArn}" has no instance count; scale its provisioned concurrency (sagemaker:variant:DesiredProvisionedConcurrency) instead.`,
      );
    }
    if (v.instanceType?.startsWith('ml.t2.')) {
      throw validation(
        `You cannot register a variant with ${v.instanceType} instance type as a scalable target. This is because the burstable performance of these instances can lead to unpredictable behavior with Auto Scaling.`,
      );
    }
  } else {
    if (!v.serverless) {
      throw validation(
        `The variant "${variantName}" of endpoint "${v.endpointArn}" is not serverless; scale its instance count (sagemaker:variant:DesiredInstanceCount) instead.`,
      );
    }
    if (v.provisionedConcurrency === undefined) {
      throw validation(`The serverless variant "${variantName}" of endpoint "${v.endpointArn}" has no provisioned concurrency to scale.`);
    }
  }
  return v;
}

/**
 * Min and Max: both needed for a new target
 * (https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html),
 * Min ≤ Max, and at least 1 instance except for an asynchronous endpoint, which
 * may scale to 0 (https://docs.aws.amazon.com/sagemaker/latest/dg/async-inference-autoscale.html).
 */
export function checkBounds(min: number, max: number, v: VariantView, ref: TargetRef, variantName: string): void {
  if (min < 0 || max < 0) {
    throw validation('Minimum and maximum capacity must be greater than or equal to 0.');
  }
  if (min > max) {
    throw minAboveMax();
  }
  if (ref.dimension === INSTANCE_COUNT && min < 1 && !v.async) {
    throw validation(
      `The minimum capacity of variant "${variantName}" of endpoint "${v.endpointArn}" must be at least 1: only an asynchronous inference endpoint can scale to 0 instances.`,
    );
  }
  if (ref.dimension !== INSTANCE_COUNT && v.maxConcurrency !== undefined && max > v.maxConcurrency) {
    throw validation(
      `The maximum capacity (${max}) cannot be greater than the MaxConcurrency (${v.maxConcurrency}) of the serverless variant "${variantName}".`,
    );
  }
}

/** NOT VERIFIED: the wording; a new target needs both bounds. */
export const missingBounds = () => validation('MinCapacity and MaxCapacity are required when registering a new scalable target.');

/** SuspendedState: given attributes replace the old ones, missing ones stay (false for a new target). */
export function mergeSuspended(old: SuspendedFlags | undefined, given: SuspendedState | undefined): SuspendedFlags {
  return {
    DynamicScalingInSuspended: given?.DynamicScalingInSuspended ?? old?.DynamicScalingInSuspended ?? false,
    DynamicScalingOutSuspended: given?.DynamicScalingOutSuspended ?? old?.DynamicScalingOutSuspended ?? false,
    ScheduledScalingSuspended: given?.ScheduledScalingSuspended ?? old?.ScheduledScalingSuspended ?? false,
  };
}
