import type { JsonOperation } from '../protocol/json-service.js';
import { describeScalingActivities } from './activities.js';
import type { AasOperationTable, AutoScalingContext } from './context.js';
import { deleteScalingPolicy, describeScalingPolicies, putScalingPolicy } from './policies.js';
import { deleteScheduledAction, describeScheduledActions, putScheduledAction } from './scheduled-actions.js';
import { listTagsForResource, tagResource, untagResource } from './tags.js';
import { deregisterScalableTarget, describeScalableTargets, registerScalableTarget } from './targets.js';

/** `AnyScaleFrontendService.<Operation>` → handler; every operation of AUTOSCALING_OPERATIONS (scripts/generate-services.ts). */
const table: AasOperationTable = {
  RegisterScalableTarget: registerScalableTarget,
  DeregisterScalableTarget: deregisterScalableTarget,
  DescribeScalableTargets: describeScalableTargets,
  PutScalingPolicy: putScalingPolicy,
  DeleteScalingPolicy: deleteScalingPolicy,
  DescribeScalingPolicies: describeScalingPolicies,
  DescribeScalingActivities: describeScalingActivities,
  PutScheduledAction: putScheduledAction,
  DeleteScheduledAction: deleteScheduledAction,
  DescribeScheduledActions: describeScheduledActions,
  TagResource: tagResource,
  UntagResource: untagResource,
  ListTagsForResource: listTagsForResource,
};

/** As the JSON service sees it: the decoder has checked each input against its shape first, which makes the typed table sound. */
export const autoScalingOperations: ReadonlyMap<string, JsonOperation<AutoScalingContext>> = new Map(
  // AAS inputs have required members, so a typed operation is not comparable to JsonOperation without going through unknown.
  Object.entries(table) as unknown as [string, JsonOperation<AutoScalingContext>][],
);
