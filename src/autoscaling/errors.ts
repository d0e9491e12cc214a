import { AwsError } from '../protocol/aws-error.js';
import type { TargetRef } from './records.js';

/**
 * The errors of Application Auto Scaling (AWS JSON 1.1: the code is the
 * model's shape name, HTTP 400). Kept here rather than in the shared
 * catalogue (src/protocol/wire-errors.ts), which holds SageMaker's. Texts
 * whose wording could not be checked against a real answer say NOT VERIFIED.
 */

export const validation = (message: string) => new AwsError('ValidationException', message);

export const objectNotFound = (message: string) => new AwsError('ObjectNotFoundException', message);

/** TagResource / UntagResource / ListTagsForResource on an unknown ARN; the model carries the ARN as ResourceName. */
export const resourceNotFound = (arn: string) =>
  // NOT VERIFIED: the wording; the code and the ResourceName member are the model's.
  new AwsError('ResourceNotFoundException', `Scalable target with ARN ${arn} not found.`, { members: { ResourceName: arn } });

export const limitExceeded = (message: string) => new AwsError('LimitExceededException', message);

/** NOT VERIFIED: the text is the model's description of the exception. */
export const invalidNextToken = () => new AwsError('InvalidNextTokenException', 'The next token supplied was invalid.');

export const tooManyTags = (arn: string, count: number, limit: number) =>
  // NOT VERIFIED: the wording.
  new AwsError('TooManyTagsException', `The scalable target ${arn} would have ${count} tags; the limit is ${limit}.`, {
    members: { ResourceName: arn },
  });

const named = (ref: TargetRef) =>
  `service namespace: sagemaker, resource ID: ${ref.resourceId}, scalable dimension: ${ref.dimension}`;

/**
 * The real text of PutScalingPolicy, PutScheduledAction and DeregisterScalableTarget
 * on a target that is not registered (ansible/ansible#40237, hashicorp/terraform#10737).
 */
export const noScalableTarget = (ref: TargetRef) => objectNotFound(`No scalable target registered for ${named(ref)}`);

/** NOT VERIFIED: moto's wording (moto/applicationautoscaling/models.py), with the code the model lists. */
export const noScalingPolicy = (ref: TargetRef, policyName: string) =>
  objectNotFound(`No scaling policy found for ${named(ref)}, policy name: ${policyName}`);

/** NOT VERIFIED: modelled on the two texts above. */
export const noScheduledAction = (ref: TargetRef, actionName: string) =>
  objectNotFound(`No scheduled action found for ${named(ref)}, scheduled action name: ${actionName}`);

/** The real PutScheduledAction text when ScalableTargetAction has neither bound (community-registry-extensions#255). */
export const noMinOrMax = () => validation('At least one of minimum capacity and maximum capacity should be provided');

/** NOT VERIFIED: the wording AWS uses for Min > Max could not be found. */
export const minAboveMax = () => validation('Minimum capacity cannot be greater than maximum capacity');
