/**
 * CloudWatch's errors. CloudWatch is `awsQueryCompatible`: its operations
 * throw AwsErrors whose code is the **query code** (the `error.code` of the
 * error shape in aws-models/cloudwatch/2010-08-01/service-2.json), with the
 * shape's HTTP status; src/protocol/query-compatible-errors.ts writes them in
 * each protocol (`__type` = `com.amazonaws.cloudwatch#<Shape>` and
 * `x-amzn-query-error: <code>;Sender` in JSON and CBOR, `<Code>` in query).
 * docs/aws-contract.md, "CloudWatch protocols".
 */
import { AwsError } from '../protocol/aws-error.js';
import type { QueryErrorTable } from '../protocol/query-compatible-errors.js';

/** The smithy namespace of CloudWatch's shapes (the JS SDK's `defaultNamespace`). */
export const CLOUDWATCH_NAMESPACE = 'com.amazonaws.cloudwatch';

/**
 * Query code → error shape, from the model's error shapes (checked against it
 * by test/unit/cloudwatch-protocols.test.ts). `ResourceNotFound` is also the
 * code of DashboardNotFoundError; the alarm operations model `ResourceNotFound`.
 * `ValidationError` ↔ `ValidationException` is in CloudWatch's current model
 * (the JS SDK's schema: awsQueryError ValidationError, HTTP 400), not yet in
 * the botocore model this repository holds. Shapes whose message member is
 * `Message` say so (InternalServiceFault; ResourceNotFoundException and
 * LimitExceededException per the JS SDK's schema).
 */
export const CLOUDWATCH_QUERY_ERRORS: QueryErrorTable = new Map([
  ['InvalidParameterValue', { shape: 'InvalidParameterValueException' }],
  ['InvalidParameterCombination', { shape: 'InvalidParameterCombinationException' }],
  ['MissingParameter', { shape: 'MissingRequiredParameterException' }],
  ['ResourceNotFound', { shape: 'ResourceNotFound' }],
  ['ResourceNotFoundException', { shape: 'ResourceNotFoundException', messageMember: 'Message' }],
  ['LimitExceeded', { shape: 'LimitExceededFault' }],
  ['LimitExceededException', { shape: 'LimitExceededException', messageMember: 'Message' }],
  ['InvalidNextToken', { shape: 'InvalidNextToken' }],
  ['InvalidFormat', { shape: 'InvalidFormatFault' }],
  ['InternalServiceError', { shape: 'InternalServiceFault', messageMember: 'Message' }],
  ['ValidationError', { shape: 'ValidationException' }],
] as const);

/** A value out of its allowed set or range (InvalidParameterValueException, HTTP 400). */
export const invalidParameterValue = (message: string) => new AwsError('InvalidParameterValue', message);

/** Parameters that cannot be used together (InvalidParameterCombinationException, HTTP 400). */
export const invalidParameterCombination = (message: string) => new AwsError('InvalidParameterCombination', message);

/** A parameter an operation needs in this case (MissingRequiredParameterException, HTTP 400). */
export const missingParameter = (message: string) => new AwsError('MissingParameter', message);

/** A named alarm that does not exist (ResourceNotFound, HTTP 404). */
export const resourceNotFound = (message: string) => new AwsError('ResourceNotFound', message, { status: 404 });

/** Too many alarms (LimitExceededFault, HTTP 400). */
export const limitExceeded = (message: string) => new AwsError('LimitExceeded', message);

/** A NextToken this service did not issue (InvalidNextToken, HTTP 400). */
export const invalidNextToken = (message: string) => new AwsError('InvalidNextToken', message);

/** StateReasonData that is not valid JSON (InvalidFormatFault, HTTP 400). */
export const invalidFormat = (message: string) => new AwsError('InvalidFormat', message);

/**
 * A request the operation's own rules refuse, where CloudWatch answers the
 * common ValidationError (HTTP 400; shape ValidationException), e.g. GetMetricData's
 * "The parameter StartTime must not equal parameter EndTime."
 * (https://github.com/elastic/beats/issues/32687) or "The value for parameter
 * MetricDataQueries.member.37.MetricStat.Stat is not a valid statistic."
 * (https://github.com/prometheus-community/yet-another-cloudwatch-exporter/issues/1435).
 */
export const validationError = (message: string) => new AwsError('ValidationError', message);

/**
 * The tagging operations' own "not found" (ResourceNotFoundException, HTTP 404,
 * with the modelled ResourceType and ResourceId members), distinct from the
 * alarms' ResourceNotFound. NOT VERIFIED: the text.
 */
export const resourceNotFoundException = (resourceType: string, resourceId: string) =>
  new AwsError('ResourceNotFoundException', `The ${resourceType} ${resourceId} does not exist.`, {
    status: 404,
    members: { ResourceType: resourceType, ResourceId: resourceId },
  });

/** InternalServiceFault, HTTP 500; the text is the model's documentation of the shape. */
export const internalServiceError = () =>
  new AwsError('InternalServiceError', 'Request processing has failed due to some unknown error, exception, or failure.', { status: 500 });
