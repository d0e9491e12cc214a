import { logStreamArn } from '../shared/arn.js';
import { AwsError } from './aws-error.js';

/**
 * The catalogue of wire errors: every AWS error either plane answers is made
 * here, so that a code, its HTTP status and its text are written once. Hosting
 * never builds these: it throws its own domain errors, and the planes map them
 * to the entries below (docs/architecture.md decision 2).
 */

// ---- shared by every AWS JSON service ----

/** Control plane, bad input and "not found" alike (docs/aws-contract.md §2.4). */
export const validationException = (message: string) => new AwsError('ValidationException', message);

/** A job name already taken (modelled for CreateTransformJob and the other Create*Job operations, docs/aws-contract.md §2.4). */
export const resourceInUse = (message: string) => new AwsError('ResourceInUse', message);

/** A missing resource where the model says ResourceNotFound (the recommender's jobs, docs/aws-contract.md §2.4). */
export const resourceNotFound = (message: string) => new AwsError('ResourceNotFound', message);

export const serializationException = (message: string) => new AwsError('SerializationException', message);

export const unknownOperation = (message: string) => new AwsError('UnknownOperationException', message);

export const internalFailure = (message = 'An internal error occurred.') => new AwsError('InternalFailure', message, { status: 500 });

/** The real 413 of both planes: no error type, the status becomes the client's error code. */
export const payloadTooLarge = (limitBytes: number) =>
  new AwsError('413', `HTTP content length exceeded ${limitBytes} bytes.`, { status: 413, untyped: true });

// ---- the runtime (docs/aws-contract.md §3.4) ----

/** The runtime's own ValidationError (not the control plane's ValidationException). */
export const validationError = (message: string) => new AwsError('ValidationError', message);

export const endpointNotFound = (name: string, accountId: string) => validationError(`Endpoint ${name} of account ${accountId} not found.`);

export const endpointNotInService = (name: string, accountId: string, status: string) =>
  validationError(`Endpoint ${name} of account ${accountId} is not in service (its status is ${status}).`);

/** SageMaker throttles beyond a serverless MaxConcurrency at once, HTTP 400 (docs/aws-contract.md §3.4, §7). */
export const throttlingException = (message: string) => new AwsError('ThrottlingException', message);

/**
 * A multi-model endpoint still downloading or loading the target model
 * (docs/aws-contract.md §3.4): HTTP 429, which boto3 and the JS SDK retry.
 */
export const modelNotReady = (message: string) => new AwsError('ModelNotReadyException', message, { status: 429 });

/** TargetModel on an endpoint that is not multi-model: the real text (docs/aws-contract.md §3.4, amazon-sagemaker-examples#1026). */
export const targetModelNotSupported = (endpointName: string) =>
  validationError(`Endpoint ${endpointName} is not a multi-model endpoint and does not support target model header.`);

/**
 * A multi-model endpoint invoked without TargetModel. The text is the real
 * one as far as a user's report shows it (sagemaker-tensorflow-serving-container#166:
 * "Request <id> is missing a target model hea…", cut off there).
 */
export const targetModelMissing = (requestId: string) => validationError(`Request ${requestId} is missing a target model header.`);

export const serviceUnavailable = (message: string) => new AwsError('ServiceUnavailable', message, { status: 503 });

/** Where the model error happened, for the message and LogStreamArn (docs/aws-contract.md §3.4). */
export interface ModelErrorSite {
  region: string;
  accountId: string;
  endpointName: string;
  variantName: string;
  instanceId: string;
}

const seeLogs = (s: ModelErrorSite) =>
  `See https://${s.region}.console.aws.amazon.com/cloudwatch/home?region=${s.region}#logEventViewer:group=/aws/sagemaker/Endpoints/${s.endpointName} in account ${s.accountId} for more information.`;

/**
 * ModelError, HTTP 424: the container answered non-2xx, timed out (original
 * status 0) or could not be reached. The text copies the real one:
 * `Received client error (400) from primary with message "…". See … for more information.`
 */
export function modelError(site: ModelErrorSite, originalStatus: number, originalMessage: string): AwsError {
  const kind = originalStatus >= 400 && originalStatus < 500 ? 'client' : 'server';
  return new AwsError('ModelError', `Received ${kind} error (${originalStatus}) from primary with message "${originalMessage}". ${seeLogs(site)}`, {
    status: 424,
    fault: 'client',
    members: {
      OriginalStatusCode: originalStatus,
      OriginalMessage: originalMessage,
      LogStreamArn: logStreamArn(site.region, site.accountId, site.endpointName, site.variantName, site.instanceId),
    },
  });
}

export const invocationTimedOut = (site: ModelErrorSite) =>
  modelError(
    site,
    0,
    'Your invocation timed out while waiting for a response from container primary. Review the latency metrics for each container in Amazon CloudWatch, resolve the issue, and try again.',
  );

export const containerUnreachable = (site: ModelErrorSite, detail: string) =>
  modelError(site, 0, `Your invocation failed because container primary stopped responding (${detail}).`);

/** A request for an AWS service the emulator does not serve: the error names it, so the user sees what was asked. */
export const unknownService = (service: string, request: string) =>
  unknownOperation(
    `The service ${service} is not emulated (${request}). sagemaker-emulator serves SageMaker (X-Amz-Target: SageMaker.<Operation>) and the SageMaker runtime (POST /endpoints/<name>/invocations).`,
  );

// ---- SigV4 authentication (SME_AUTH=strict; src/auth/) ----
// The JSON services' front door answers these before any operation runs, HTTP 403
// (botocore's clock-skew retry looks for InvalidSignatureException with 403).
// https://docs.aws.amazon.com/sagemaker/latest/APIReference/CommonErrors.html

/** No Authorization header and no presigned query. */
export const missingAuthenticationToken = () => new AwsError('MissingAuthenticationTokenException', 'Missing Authentication Token', { status: 403 });

/** An access key id that is not configured. */
export const unrecognizedClient = () => new AwsError('UnrecognizedClientException', 'The security token included in the request is invalid.', { status: 403 });

export const SIGNATURE_MISMATCH_TEXT =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

/** A signature that does not match, or one signed too long ago or ahead ("Signature expired: …"). */
export const invalidSignature = (message = SIGNATURE_MISMATCH_TEXT) => new AwsError('InvalidSignatureException', message, { status: 403 });

/** An Authorization header that is not a whole SigV4 one (CommonErrors: IncompleteSignature, HTTP 400). */
export const incompleteSignature = (message: string) => new AwsError('IncompleteSignatureException', message, { status: 400 });

// The query protocol's names for the same (CloudWatch's query API,
// https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CommonErrors.html).
export const queryMissingAuthenticationToken = () =>
  new AwsError('MissingAuthenticationToken', 'Request is missing Authentication Token', { status: 403 });
export const queryInvalidClientTokenId = () =>
  new AwsError('InvalidClientTokenId', 'The security token included in the request is invalid.', { status: 403 });
export const querySignatureDoesNotMatch = (message = SIGNATURE_MISMATCH_TEXT) => new AwsError('SignatureDoesNotMatch', message, { status: 403 });
export const queryIncompleteSignature = (message: string) => new AwsError('IncompleteSignature', message, { status: 400 });
