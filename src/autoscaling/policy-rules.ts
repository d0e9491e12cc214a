import type {
  PutScalingPolicyRequest,
  StepAdjustment,
  StepScalingPolicyConfiguration,
  TargetTrackingScalingPolicyConfiguration,
} from '../protocol/generated/application-autoscaling-types.js';
import { validation } from './errors.js';
import type { SageMakerDimension, ScalingPolicyRecord, SupportedPolicyType } from './records.js';
import { PREDEFINED, STANDARD_UNITS } from './target-tracking-alarms.js';

/**
 * PutScalingPolicy's rules that the service model cannot express. Verified
 * texts: "Both lower and upper bounds of a step adjustment cannot be left
 * unspecified" (hashicorp/terraform-provider-aws#4812) and "There can be at
 * most 20 step adjustments per scaling policy" (aws/aws-cdk#27020). The step
 * rules follow https://docs.aws.amazon.com/autoscaling/application/APIReference/API_StepScalingPolicyConfiguration.html;
 * the other texts are NOT VERIFIED.
 */
export const MAX_STEP_ADJUSTMENTS = 20;

/** Which predefined metrics fit which dimension; the inference-component ones have nothing to measure here. */
const METRICS_BY_DIMENSION: Record<SageMakerDimension, readonly string[]> = {
  'sagemaker:variant:DesiredInstanceCount': ['SageMakerVariantInvocationsPerInstance', 'SageMakerVariantConcurrentRequestsPerModelHighResolution'],
  'sagemaker:variant:DesiredProvisionedConcurrency': ['SageMakerVariantProvisionedConcurrencyUtilization'],
};

/** The policy type: as given, else the existing policy's, else StepScaling (the API's original and default type). */
export function policyTypeOf(input: PutScalingPolicyRequest, existing: ScalingPolicyRecord | undefined): SupportedPolicyType {
  const type = input.PolicyType ?? existing?.policyType ?? 'StepScaling';
  if (type === 'PredictiveScaling') {
    // NOT VERIFIED: the API reference says predictive scaling is for Amazon ECS only.
    throw validation('PredictiveScaling policies are only supported for service namespace ecs.');
  }
  return type;
}

export function checkTargetTracking(config: TargetTrackingScalingPolicyConfiguration | undefined, dimension: SageMakerDimension): TargetTrackingScalingPolicyConfiguration {
  if (!config) {
    throw validation('TargetTrackingScalingPolicyConfiguration is required for a TargetTrackingScaling policy.');
  }
  const predefined = config.PredefinedMetricSpecification;
  const custom = config.CustomizedMetricSpecification;
  if ((predefined === undefined) === (custom === undefined)) {
    throw validation('Exactly one of PredefinedMetricSpecification and CustomizedMetricSpecification must be specified.');
  }
  if (predefined) {
    const type = predefined.PredefinedMetricType;
    if (!PREDEFINED[type] || !METRICS_BY_DIMENSION[dimension].includes(type)) {
      throw validation(`The predefined metric type ${type} is not supported for the scalable dimension ${dimension}.`);
    }
  }
  if (custom) {
    const single = custom.MetricName !== undefined || custom.Namespace !== undefined || custom.Statistic !== undefined;
    if (custom.Metrics !== undefined ? single || custom.Metrics.length === 0 : !(custom.MetricName && custom.Namespace && custom.Statistic)) {
      throw validation('A customized metric specification needs either MetricName, Namespace and Statistic, or a non-empty Metrics list.');
    }
    const units = [custom.Unit, ...(custom.Metrics ?? []).map((m) => m.MetricStat?.Unit)].filter((u): u is string => u !== undefined);
    const wrong = units.find((u) => !(STANDARD_UNITS as readonly string[]).includes(u));
    if (wrong !== undefined) {
      throw validation(`The unit ${wrong} is not a CloudWatch standard unit.`);
    }
    if (custom.Metrics && custom.Metrics.filter((m) => m.ReturnData !== false).length !== 1) {
      throw validation('Exactly one metric data query of a customized metric specification must return data.');
    }
  }
  if (!(config.TargetValue > 0)) {
    throw validation('The target value must be greater than 0.');
  }
  checkCooldown(config.ScaleInCooldown, 'ScaleInCooldown');
  checkCooldown(config.ScaleOutCooldown, 'ScaleOutCooldown');
  return config;
}

export function checkStepScaling(config: StepScalingPolicyConfiguration | undefined): StepScalingPolicyConfiguration {
  if (!config) {
    throw validation('StepScalingPolicyConfiguration is required for a StepScaling policy.');
  }
  if (config.AdjustmentType === undefined) {
    throw validation('AdjustmentType is required for a step scaling policy configuration.');
  }
  if (config.MinAdjustmentMagnitude !== undefined) {
    if (config.AdjustmentType !== 'PercentChangeInCapacity') {
      throw validation('MinAdjustmentMagnitude is only valid with AdjustmentType PercentChangeInCapacity.');
    }
    if (config.MinAdjustmentMagnitude < 1) {
      throw validation('MinAdjustmentMagnitude must be greater than or equal to 1.');
    }
  }
  checkCooldown(config.Cooldown, 'Cooldown');
  const steps = config.StepAdjustments ?? [];
  if (steps.length === 0) {
    throw validation('At least one step adjustment is required for a step scaling policy.');
  }
  if (steps.length > MAX_STEP_ADJUSTMENTS) {
    throw validation(`There can be at most ${MAX_STEP_ADJUSTMENTS} step adjustments per scaling policy`);
  }
  if (config.AdjustmentType === 'ExactCapacity' && steps.some((s) => s.ScalingAdjustment < 0)) {
    throw validation('The scaling adjustment of an ExactCapacity step adjustment cannot be negative.');
  }
  checkIntervals(steps);
  return config;
}

/** The intervals must tile the part of the number line they cover: no overlap, no gap, infinities only at the ends. */
function checkIntervals(steps: readonly StepAdjustment[]): void {
  for (const s of steps) {
    if (s.MetricIntervalLowerBound === undefined && s.MetricIntervalUpperBound === undefined) {
      throw validation('Both lower and upper bounds of a step adjustment cannot be left unspecified');
    }
    if (s.MetricIntervalLowerBound !== undefined && s.MetricIntervalUpperBound !== undefined && s.MetricIntervalLowerBound >= s.MetricIntervalUpperBound) {
      throw validation('The upper bound of a step adjustment must be greater than its lower bound.');
    }
  }
  const lo = (s: StepAdjustment) => s.MetricIntervalLowerBound ?? Number.NEGATIVE_INFINITY;
  const hi = (s: StepAdjustment) => s.MetricIntervalUpperBound ?? Number.POSITIVE_INFINITY;
  const sorted = [...steps].sort((a, b) => lo(a) - lo(b));
  for (let i = 1; i < sorted.length; i++) {
    const prev = hi(sorted[i - 1]!);
    const next = lo(sorted[i]!);
    if (prev > next) {
      throw validation('The step adjustments of a scaling policy cannot overlap.');
    }
    if (prev < next) {
      throw validation('The step adjustments of a scaling policy cannot have gaps between them.');
    }
  }
  if (sorted.some((s) => s.MetricIntervalUpperBound !== undefined && s.MetricIntervalUpperBound > 0) && hi(sorted.at(-1)!) !== Number.POSITIVE_INFINITY) {
    // The wording EC2 Auto Scaling uses for the same rule (hashicorp/terraform-provider-aws#9077).
    throw validation('There must be a StepAdjustment with an unspecified upper bound (i.e., upper bound is null) when one StepAdjustment has a positive upper bound');
  }
  const belowThreshold = (s: StepAdjustment) =>
    (s.MetricIntervalLowerBound !== undefined && s.MetricIntervalLowerBound < 0) || (s.MetricIntervalUpperBound !== undefined && s.MetricIntervalUpperBound < 0);
  if (sorted.some(belowThreshold) && lo(sorted[0]!) !== Number.NEGATIVE_INFINITY) {
    throw validation('There must be a StepAdjustment with an unspecified lower bound (i.e., lower bound is null) when one StepAdjustment has a negative lower bound');
  }
}

function checkCooldown(value: number | undefined, member: string): void {
  if (value !== undefined && value < 0) {
    throw validation(`${member} must be greater than or equal to 0.`);
  }
}
