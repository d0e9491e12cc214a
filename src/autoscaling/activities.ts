import { wireTime } from '../protocol/wire-time.js';
import type { ScalingActivity } from '../protocol/generated/application-autoscaling-types.js';
import type { AasOperation } from './context.js';
import { page } from './paging.js';
import type { ScalingActivityRecord } from './records.js';

/**
 * DescribeScalingActivities: newest first; activities that decided not to
 * scale (those with NotScaledReasons) only with IncludeNotScaledActivities
 * (https://docs.aws.amazon.com/autoscaling/application/userguide/application-auto-scaling-scaling-activities.html).
 */
export const describeScalingActivities: AasOperation<'DescribeScalingActivities'> = (input, ctx) => {
  const all =
    input.ServiceNamespace !== 'sagemaker'
      ? []
      : ctx.activities
          .list(ctx.region, input.ResourceId !== undefined ? { resourceId: input.ResourceId } : undefined)
          .filter((a) => input.ScalableDimension === undefined || a.dimension === input.ScalableDimension)
          .filter((a) => input.IncludeNotScaledActivities === true || a.notScaledReasons === undefined);
  const filters = [input.ServiceNamespace, input.ResourceId, input.ScalableDimension, input.IncludeNotScaledActivities];
  const { page: activities, NextToken } = page(all, input, 'DescribeScalingActivities', filters);
  return { ScalingActivities: activities.map(wireActivity), ...(NextToken ? { NextToken } : {}) };
};

function wireActivity(a: ScalingActivityRecord): ScalingActivity {
  return {
    ActivityId: a.activityId,
    ServiceNamespace: 'sagemaker',
    ResourceId: a.resourceId,
    ScalableDimension: a.dimension,
    Description: a.description,
    Cause: a.cause,
    StartTime: wireTime(a.startTime),
    ...(a.endTime !== undefined ? { EndTime: wireTime(a.endTime) } : {}),
    StatusCode: a.statusCode,
    ...(a.statusMessage !== undefined ? { StatusMessage: a.statusMessage } : {}),
    ...(a.notScaledReasons ? { NotScaledReasons: a.notScaledReasons } : {}),
  };
}
