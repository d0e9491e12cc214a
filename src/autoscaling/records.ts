/**
 * What Application Auto Scaling keeps in the store (one document table per
 * kind, src/resources/kinds.ts). Times are epoch milliseconds; the wire turns
 * them into epoch seconds. Policy configurations are kept as the caller sent
 * them, because DescribeScalingPolicies echoes them.
 */
import type {
  Alarm,
  NotScaledReason,
  ScalableTargetAction,
  ScalingActivityStatusCode,
  StepScalingPolicyConfiguration,
  TargetTrackingScalingPolicyConfiguration,
} from '../protocol/generated/application-autoscaling-types.js';

/** The two dimensions a SageMaker endpoint variant can be scaled on here. */
export type SageMakerDimension = 'sagemaker:variant:DesiredInstanceCount' | 'sagemaker:variant:DesiredProvisionedConcurrency';

/** A scalable target as the API names it: namespace `sagemaker`, a resource ID and a dimension. */
export interface TargetRef {
  resourceId: string;
  dimension: SageMakerDimension;
}

export interface SuspendedFlags {
  DynamicScalingInSuspended: boolean;
  DynamicScalingOutSuspended: boolean;
  ScheduledScalingSuspended: boolean;
}

/** What the cooldowns need to remember between alarm periods (and across a restart). */
export interface CooldownState {
  /** The last scale-out that succeeded: when it ended, from what capacity, to what capacity. */
  lastScaleOut?: { endedAt: number; from: number; to: number };
  /** When the last successful scaling activity of any kind ended. */
  lastActivityEndedAt?: number;
}

export interface ScalableTargetRecord extends TargetRef {
  /** The last part of ScalableTargetARN: 36 hex digits, as AWS writes it. */
  id: string;
  /** One UUID per target, shared by the ARNs of its policies and scheduled actions (as in AWS's examples). */
  uuid: string;
  arn: string;
  endpointName: string;
  variantName: string;
  minCapacity: number;
  maxCapacity: number;
  roleArn: string;
  suspended: SuspendedFlags;
  creationTime: number;
  cooldown: CooldownState;
}

export type SupportedPolicyType = 'StepScaling' | 'TargetTrackingScaling';

export interface ScalingPolicyRecord extends TargetRef {
  arn: string;
  name: string;
  policyType: SupportedPolicyType;
  step?: StepScalingPolicyConfiguration;
  targetTracking?: TargetTrackingScalingPolicyConfiguration;
  /**
   * Target tracking: the two alarms it created. Step scaling: the alarms seen
   * invoking it (AWS lists the alarms whose actions name the policy).
   */
  alarms: Alarm[];
  /** Target tracking: the action its alarms call, `<policy ARN>:createdBy/<uuid>` as on AWS. */
  actionArn?: string;
  creationTime: number;
}

export interface ScheduledActionRecord extends TargetRef {
  name: string;
  arn: string;
  schedule: string;
  timezone?: string;
  startTime?: number;
  endTime?: number;
  action: ScalableTargetAction;
  creationTime: number;
  /** When it last ran (the scheduler never runs it twice for one instant). */
  lastFiredAt?: number;
}

export interface ScalingActivityRecord extends TargetRef {
  activityId: string;
  description: string;
  cause: string;
  startTime: number;
  endTime?: number;
  statusCode: ScalingActivityStatusCode;
  statusMessage?: string;
  notScaledReasons?: NotScaledReason[];
  /** Insertion order: ties of StartTime stay newest first. */
  seq: number;
}
