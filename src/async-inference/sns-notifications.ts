import type { Metrics } from '../observability/metrics.js';
import { buildFailureNotification, buildSuccessNotification, type AsyncInferenceFacts } from './notification-message.js';
import type { NotificationSink } from './notification-sink.js';
import type { Notifier } from './notifier.js';
import type { AsyncSettings } from './async-settings.js';
import type { AsyncRequest } from './request-queue.js';

/**
 * Success and error notifications to the config's SuccessTopic / ErrorTopic
 * (docs/aws-contract.md §8.3), built by notification-message.ts and published
 * by the Notifier; a publish that fails counts as NotificationFailures (§9.5).
 * No topic, no notification.
 */
export function snsNotifications(notifier: Notifier, metrics: Metrics, now: () => number): NotificationSink {
  const facts = (req: AsyncRequest, settings: AsyncSettings): AsyncInferenceFacts => ({
    region: req.region,
    endpointName: req.endpoint,
    inferenceId: req.inferenceId,
    // An inline body is kept in the queue, not in S3: it has no input location (a known deviation).
    inputLocation: req.inputLocation ?? '',
    ...(req.contentType !== undefined ? { contentType: req.contentType } : {}),
    ...(req.accept !== undefined ? { accept: req.accept } : {}),
    ...(req.customAttributes !== undefined ? { customAttributes: req.customAttributes } : {}),
    receivedAt: new Date(req.receivedAt),
    ...(settings.includeInferenceResponseIn ? { includeInferenceResponseIn: settings.includeInferenceResponseIn } : {}),
  });
  const publish = async (topic: string | undefined, message: object, req: AsyncRequest, variant: string) => {
    if (topic === undefined) {
      return;
    }
    if (!(await notifier.publish(topic, message, { endpoint: req.endpoint, inferenceId: req.inferenceId }))) {
      metrics.asyncEvent(req.endpoint, variant, 'notificationFailed');
    }
  };
  return {
    success: (req, settings, variant, result) =>
      publish(
        settings.successTopic,
        buildSuccessNotification({
          ...facts(req, settings),
          completedAt: new Date(now()),
          outputLocation: req.outputLocation,
          responseContentType: result.responseContentType,
          response: result.response,
        }),
        req,
        variant,
      ),
    failure: (req, settings, variant, f) =>
      publish(
        settings.errorTopic,
        buildFailureNotification({
          ...facts(req, settings),
          failedAt: new Date(now()),
          failureReason: f.reason,
          ...(f.failureLocation ? { failureLocation: f.failureLocation } : {}),
          ...(f.responseContentType ? { responseContentType: f.responseContentType } : {}),
          ...(f.response ? { response: f.response } : {}),
        }),
        req,
        variant,
      ),
  };
}
