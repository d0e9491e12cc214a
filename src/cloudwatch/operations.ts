/** The CloudWatch operation table: `GraniteServiceVersion20100801.<Operation>` → handler. */
import {
  deleteAlarms,
  describeAlarms,
  describeAlarmsForMetric,
  disableAlarmActions,
  enableAlarmActions,
  putMetricAlarm,
  setAlarmState,
} from './alarm-operations.js';
import { listTagsForResource, tagResource, untagResource } from './alarm-tags.js';
import type { CloudWatchContext, CloudWatchOperationTable } from './context.js';
import { getMetricData } from './get-metric-data.js';
import { getMetricStatistics } from './get-metric-statistics.js';
import { listMetrics } from './list-metrics.js';
import { putMetricData } from './put-metric-data.js';
import type { JsonOperation } from '../protocol/json-service.js';

const table: CloudWatchOperationTable = {
  GetMetricData: getMetricData,
  GetMetricStatistics: getMetricStatistics,
  ListMetrics: listMetrics,
  PutMetricData: putMetricData,
  PutMetricAlarm: putMetricAlarm,
  DescribeAlarms: describeAlarms,
  DescribeAlarmsForMetric: describeAlarmsForMetric,
  DeleteAlarms: deleteAlarms,
  SetAlarmState: setAlarmState,
  EnableAlarmActions: enableAlarmActions,
  DisableAlarmActions: disableAlarmActions,
  TagResource: tagResource,
  UntagResource: untagResource,
  ListTagsForResource: listTagsForResource,
};

/**
 * As the protocol layer sees it: any input. The decoder has checked each
 * input against its operation's shape before the handler runs, which is what
 * makes the typed table above sound (as in src/control-plane/operations.ts).
 */
export const cloudWatchOperations: ReadonlyMap<string, JsonOperation<CloudWatchContext>> = new Map(
  Object.entries(table) as [string, JsonOperation<CloudWatchContext>][],
);
