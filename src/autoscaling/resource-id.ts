import { randomBytes, randomUUID } from 'node:crypto';
import type { ScalableDimension, ServiceNamespace } from '../protocol/generated/application-autoscaling-types.js';
import { validation } from './errors.js';
import type { SageMakerDimension, ScalableTargetRecord, TargetRef } from './records.js';

/**
 * Resource IDs, dimensions and ARNs of SageMaker scalable targets
 * (https://docs.aws.amazon.com/autoscaling/application/APIReference/API_RegisterScalableTarget.html):
 * `endpoint/<endpoint>/variant/<variant>` on `sagemaker:variant:DesiredInstanceCount`
 * or `sagemaker:variant:DesiredProvisionedConcurrency`.
 */

export const INSTANCE_COUNT: SageMakerDimension = 'sagemaker:variant:DesiredInstanceCount';
export const PROVISIONED_CONCURRENCY: SageMakerDimension = 'sagemaker:variant:DesiredProvisionedConcurrency';

/** The emulator scales SageMaker endpoint variants and nothing else. NOT VERIFIED: an emulator text, not AWS's. */
export function requireSageMaker(namespace: ServiceNamespace): void {
  if (namespace !== 'sagemaker') {
    throw validation(
      `sagemaker-emulator scales SageMaker endpoint variants only (ServiceNamespace sagemaker); service namespace ${namespace} is not emulated.`,
    );
  }
}

/** moto's text for a dimension or resource ID the namespace does not have (moto/applicationautoscaling/models.py); NOT VERIFIED against AWS. */
const unsupported = () => validation('Unsupported service namespace, resource type or scalable dimension');

export function sageMakerDimension(dimension: ScalableDimension): SageMakerDimension {
  if (dimension === INSTANCE_COUNT || dimension === PROVISIONED_CONCURRENCY) {
    return dimension;
  }
  if (dimension === 'sagemaker:inference-component:DesiredCopyCount') {
    // NOT VERIFIED: an emulator text; the emulator has no inference components.
    throw validation('sagemaker-emulator has no inference components: sagemaker:inference-component:DesiredCopyCount cannot be scaled.');
  }
  throw unsupported();
}

const VARIANT_ID = /^endpoint\/([^/]+)\/variant\/([^/]+)$/;

export interface VariantId {
  endpointName: string;
  variantName: string;
}

export function parseVariantId(resourceId: string): VariantId {
  const m = VARIANT_ID.exec(resourceId);
  if (!m) {
    throw unsupported();
  }
  return { endpointName: m[1]!, variantName: m[2]! };
}

/** The target a request names, checked: namespace, dimension and resource ID. */
export function targetRef(input: { ServiceNamespace: ServiceNamespace; ResourceId: string; ScalableDimension: ScalableDimension }): TargetRef {
  requireSageMaker(input.ServiceNamespace);
  const dimension = sageMakerDimension(input.ScalableDimension);
  parseVariantId(input.ResourceId);
  return { resourceId: input.ResourceId, dimension };
}

/** `arn:aws:application-autoscaling:<region>:<account>:scalable-target/<36 hex digits>` (the API reference's example). */
export function newTargetIdentity(region: string, accountId: string): { id: string; uuid: string; arn: string } {
  const id = randomBytes(18).toString('hex');
  return { id, uuid: randomUUID(), arn: `arn:aws:application-autoscaling:${region}:${accountId}:scalable-target/${id}` };
}

/** `arn:aws:autoscaling:<region>:<account>:scalingPolicy:<uuid>:resource/sagemaker/<resource ID>:policyName/<name>`. */
export function policyArn(region: string, accountId: string, target: ScalableTargetRecord, name: string): string {
  return `arn:aws:autoscaling:${region}:${accountId}:scalingPolicy:${target.uuid}:resource/sagemaker/${target.resourceId}:policyName/${name}`;
}

/**
 * `arn:aws:autoscaling:<region>:<account>:scheduledAction:<uuid>:resource/sagemaker/<resource ID>:scheduledActionName/<name>`,
 * as in https://docs.aws.amazon.com/autoscaling/application/userguide/scheduled-scaling-additional-cli-commands.html.
 */
export function scheduledActionArn(region: string, accountId: string, target: ScalableTargetRecord, name: string): string {
  return `arn:aws:autoscaling:${region}:${accountId}:scheduledAction:${target.uuid}:resource/sagemaker/${target.resourceId}:scheduledActionName/${name}`;
}

/**
 * Target-tracking alarms call `<policy ARN>:createdBy/<uuid>` (what real
 * TargetTracking-* alarms list in AlarmActions); the policy ARN is what is before it.
 */
export function policyArnOfAction(actionArn: string): string {
  const at = actionArn.lastIndexOf(':createdBy/');
  return at < 0 ? actionArn : actionArn.slice(0, at);
}

/** The service-linked role AAS uses for SageMaker variants when RoleARN is not given. */
export const sageMakerServiceRole = (accountId: string) =>
  `arn:aws:iam::${accountId}:role/aws-service-role/sagemaker.application-autoscaling.amazonaws.com/AWSServiceRoleForApplicationAutoScaling_SageMakerEndpoint`;
