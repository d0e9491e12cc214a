import type { AsyncSettings } from './async-settings.js';
import type { AsyncRequest } from './request-queue.js';

/**
 * What the async worker tells when a request ends: the success or error
 * notification to the config's SuccessTopic / ErrorTopic (docs/aws-contract.md §8.3).
 * Never rejects: a notification that could not be sent is counted
 * (NotificationFailures) and logged, and the request stays done.
 */
export interface NotificationSink {
  success(req: AsyncRequest, settings: AsyncSettings, variant: string, result: { responseContentType: string; response: Buffer }): Promise<void>;
  failure(
    req: AsyncRequest,
    settings: AsyncSettings,
    variant: string,
    failure: { reason: string; failureLocation?: string; responseContentType?: string; response?: Buffer },
  ): Promise<void>;
}
