/**
 * CloudWatch errors that src/cloudwatch/errors.ts (the modelled ones, by query
 * code) does not make:
 * - `ValidationError`: not in the service model, yet what CloudWatch answers for
 *   a malformed GetMetricData query ("The value None for parameter
 *   MetricDataQueries.member.223.MetricStat.Stat is not a valid statistic.",
 *   prometheus-community/yet-another-cloudwatch-exporter#385) and for alarms it
 *   cannot accept ("Cannot delete abc,xyz as there are composite alarm(s)
 *   depending on them.", cloud-custodian#7763). HTTP 400.
 * - `ResourceNotFoundException`: the tagging operations' own "not found"
 *   (modelled with ResourceType and ResourceId members, HTTP 404), distinct
 *   from the alarms' `ResourceNotFound`.
 */
import { AwsError } from '../protocol/aws-error.js';

export const validationError = (message: string) => new AwsError('ValidationError', message);

/** NOT VERIFIED: the text; the code, status and members are the model's. */
export const resourceNotFoundException = (resourceType: string, resourceId: string) =>
  new AwsError('ResourceNotFoundException', `The ${resourceType} ${resourceId} does not exist.`, {
    status: 404,
    members: { ResourceType: resourceType, ResourceId: resourceId },
  });
