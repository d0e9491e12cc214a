/**
 * The SNS messages SageMaker publishes when an asynchronous inference ends
 * (AsyncInferenceConfig.OutputConfig.NotificationConfig). Pure builders: the
 * caller owns the clock, the S3 locations and the publishing.
 *
 * Where each key comes from (docs/aws-contract.md §8.3):
 * - success: the developer guide's example (async-inference-check-predictions):
 *   awsRegion, eventTime, receivedTime, invocationStatus "Completed",
 *   requestParameters {contentType, endpointName, inputLocation},
 *   responseParameters {contentType, outputLocation}, inferenceId,
 *   eventVersion "1.0", eventSource "aws:sagemaker", eventName "InferenceResult".
 *   Messages captured from the real service add requestParameters.accept when the
 *   request had an Accept, and leave contentType out when it had none.
 * - failure: invocationStatus "Failed" and a top-level failureReason such as
 *   "ClientError: Received server error (500) from model. See the SageMaker
 *   Endpoint logs in your account for more information." (AWS-authored example in
 *   awslabs/osml-model-runner); requestParameters as on success, no
 *   responseParameters. failureLocation (when S3FailurePath is set) is inferred,
 *   not seen in an AWS example.
 * - responseBody (IncludeInferenceResponseIn): {content, message, encoding
 *   "BASE64"}, as in a message captured from the service; the API reference says
 *   the response is included only when it is at most 128 KB.
 */

/** Keys are written in the order AWS's examples show them, so a logged message reads like a real one. */
export interface InferenceNotificationRequestParameters {
  accept?: string;
  contentType?: string;
  customAttributes?: string;
  endpointName: string;
  inputLocation: string;
}

export interface InferenceResponseBody {
  /** The model's answer, base64. */
  content: string;
  message: string;
  encoding: 'BASE64';
}

interface NotificationEnvelope {
  awsRegion: string;
  eventTime: string;
  receivedTime: string;
}

interface NotificationTrailer {
  inferenceId: string;
  eventVersion: '1.0';
  eventSource: 'aws:sagemaker';
  eventName: 'InferenceResult';
}

export interface InferenceSuccessNotification extends NotificationEnvelope, NotificationTrailer {
  invocationStatus: 'Completed';
  requestParameters: InferenceNotificationRequestParameters;
  responseParameters: { contentType: string; outputLocation: string };
  responseBody?: InferenceResponseBody;
}

export interface InferenceFailureNotification extends NotificationEnvelope, NotificationTrailer {
  invocationStatus: 'Failed';
  failureReason: string;
  requestParameters: InferenceNotificationRequestParameters;
  /** Inferred (no AWS example shows it): where the failure was written, when S3FailurePath is set. */
  responseParameters?: { contentType?: string; failureLocation: string };
  responseBody?: InferenceResponseBody;
}

export type InferenceNotification = InferenceSuccessNotification | InferenceFailureNotification;

/** AsyncInferenceNotificationConfig.IncludeInferenceResponseIn's values. */
export type IncludeInferenceResponseIn = 'SUCCESS_NOTIFICATION_TOPIC' | 'ERROR_NOTIFICATION_TOPIC';

/** "The inference response is included only if the response size is less than or equal to 128 KB." */
export const NOTIFIED_RESPONSE_MAX_BYTES = 128 * 1024;

/** The text the service puts beside the content (seen in a captured message). */
export const RESPONSE_BODY_MESSAGE = 'Check S3 path location(if configured) or Cloudwatch for additional details.';

/** What the async engine knows about a request from the moment it was accepted. */
export interface AsyncInferenceFacts {
  region: string;
  endpointName: string;
  inferenceId: string;
  /** The request's input in S3 (InputLocation, or where an inline body was stored). */
  inputLocation: string;
  contentType?: string;
  accept?: string;
  customAttributes?: string;
  /** When InvokeEndpointAsync accepted the request. */
  receivedAt: Date;
  /** The endpoint config's NotificationConfig.IncludeInferenceResponseIn, as given (absent = never). */
  includeInferenceResponseIn?: readonly string[];
}

export interface InferenceSuccess extends AsyncInferenceFacts {
  /** When the answer was written: the message's eventTime. */
  completedAt: Date;
  outputLocation: string;
  /** The container's Content-Type. */
  responseContentType: string;
  /** The container's answer; embedded only when asked for and small enough. */
  response?: Uint8Array;
}

export interface InferenceFailure extends AsyncInferenceFacts {
  failedAt: Date;
  failureReason: string;
  failureLocation?: string;
  responseContentType?: string;
  /** What the container answered, if it answered at all. */
  response?: Uint8Array;
}

export function buildSuccessNotification(s: InferenceSuccess): InferenceSuccessNotification {
  const responseBody = embeddedResponse(s, 'SUCCESS_NOTIFICATION_TOPIC');
  return {
    awsRegion: s.region,
    eventTime: s.completedAt.toISOString(),
    receivedTime: s.receivedAt.toISOString(),
    invocationStatus: 'Completed',
    requestParameters: requestParameters(s),
    responseParameters: { contentType: s.responseContentType, outputLocation: s.outputLocation },
    ...(responseBody ? { responseBody } : {}),
    ...trailer(s.inferenceId),
  };
}

export function buildFailureNotification(f: InferenceFailure): InferenceFailureNotification {
  const responseBody = embeddedResponse(f, 'ERROR_NOTIFICATION_TOPIC');
  const responseParameters =
    f.failureLocation === undefined
      ? undefined
      : {
          ...(f.responseContentType !== undefined ? { contentType: f.responseContentType } : {}),
          failureLocation: f.failureLocation,
        };
  return {
    awsRegion: f.region,
    eventTime: f.failedAt.toISOString(),
    receivedTime: f.receivedAt.toISOString(),
    invocationStatus: 'Failed',
    failureReason: f.failureReason,
    requestParameters: requestParameters(f),
    ...(responseParameters ? { responseParameters } : {}),
    ...(responseBody ? { responseBody } : {}),
    ...trailer(f.inferenceId),
  };
}

function requestParameters(r: AsyncInferenceFacts): InferenceNotificationRequestParameters {
  // Absent headers are absent keys, not nulls: that is what captured messages show.
  return {
    ...(r.accept !== undefined ? { accept: r.accept } : {}),
    ...(r.contentType !== undefined ? { contentType: r.contentType } : {}),
    ...(r.customAttributes !== undefined ? { customAttributes: r.customAttributes } : {}),
    endpointName: r.endpointName,
    inputLocation: r.inputLocation,
  };
}

function embeddedResponse(
  r: AsyncInferenceFacts & { response?: Uint8Array },
  topic: IncludeInferenceResponseIn,
): InferenceResponseBody | undefined {
  if (!r.response || !r.includeInferenceResponseIn?.includes(topic) || r.response.byteLength > NOTIFIED_RESPONSE_MAX_BYTES) {
    return undefined;
  }
  return { content: Buffer.from(r.response.buffer, r.response.byteOffset, r.response.byteLength).toString('base64'), message: RESPONSE_BODY_MESSAGE, encoding: 'BASE64' };
}

function trailer(inferenceId: string): NotificationTrailer {
  return { inferenceId, eventVersion: '1.0', eventSource: 'aws:sagemaker', eventName: 'InferenceResult' };
}
