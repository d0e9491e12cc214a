import assert from 'node:assert/strict';
import { test } from 'node:test';
import {
  buildFailureNotification,
  buildSuccessNotification,
  NOTIFIED_RESPONSE_MAX_BYTES,
  RESPONSE_BODY_MESSAGE,
} from '../../src/async-inference/notification-message.js';
import { topicRegion } from '../../src/async-inference/notifier.js';

const request = {
  region: 'us-east-1',
  endpointName: 'my-ep',
  inferenceId: '11111111-2222-3333-4444-555555555555',
  inputLocation: 's3://bucket/in/input-data.csv',
  contentType: 'text/csv',
  receivedAt: new Date('2022-01-25T22:46:00.455Z'),
};

test('success: the developer guide example, key for key and in its order', () => {
  const m = buildSuccessNotification({
    ...request,
    completedAt: new Date('2022-01-25T22:46:00.608Z'),
    outputLocation: 's3://bucket/out/prediction.out',
    responseContentType: 'text/csv; charset=utf-8',
  });
  // The guide's example (docs/aws-contract.md §8.3), serialised as the service sends it.
  const documented =
    '{"awsRegion":"us-east-1","eventTime":"2022-01-25T22:46:00.608Z","receivedTime":"2022-01-25T22:46:00.455Z",' +
    '"invocationStatus":"Completed",' +
    '"requestParameters":{"contentType":"text/csv","endpointName":"my-ep","inputLocation":"s3://bucket/in/input-data.csv"},' +
    '"responseParameters":{"contentType":"text/csv; charset=utf-8","outputLocation":"s3://bucket/out/prediction.out"},' +
    '"inferenceId":"11111111-2222-3333-4444-555555555555","eventVersion":"1.0","eventSource":"aws:sagemaker","eventName":"InferenceResult"}';
  assert.equal(JSON.stringify(m), documented);
});

test('request parameters: accept and custom attributes when given, no key for an absent header', () => {
  const withAll = buildSuccessNotification({
    ...request,
    accept: 'application/json',
    customAttributes: 'trace=1',
    completedAt: new Date(0),
    outputLocation: 's3://b/o.out',
    responseContentType: 'application/json',
  });
  assert.deepEqual(Object.keys(withAll.requestParameters), ['accept', 'contentType', 'customAttributes', 'endpointName', 'inputLocation']);
  assert.equal(withAll.requestParameters.accept, 'application/json');
  assert.equal(withAll.requestParameters.customAttributes, 'trace=1');

  const bare = buildSuccessNotification({
    ...request,
    contentType: undefined,
    completedAt: new Date(0),
    outputLocation: 's3://b/o.out',
    responseContentType: 'application/json',
  });
  assert.deepEqual(bare.requestParameters, { endpointName: 'my-ep', inputLocation: 's3://bucket/in/input-data.csv' });
  assert.ok(!('responseBody' in bare), 'no response unless IncludeInferenceResponseIn asks for it');
});

test('failure: invocationStatus Failed with failureReason, no responseParameters without a failure location', () => {
  const reason = 'ClientError: Received server error (500) from model. See the SageMaker Endpoint logs in your account for more information.';
  const m = buildFailureNotification({ ...request, failedAt: new Date('2022-01-25T22:47:00.000Z'), failureReason: reason });
  assert.deepEqual(Object.keys(m), [
    'awsRegion',
    'eventTime',
    'receivedTime',
    'invocationStatus',
    'failureReason',
    'requestParameters',
    'inferenceId',
    'eventVersion',
    'eventSource',
    'eventName',
  ]);
  assert.equal(m.invocationStatus, 'Failed');
  assert.equal(m.failureReason, reason);
  assert.equal(m.eventTime, '2022-01-25T22:47:00.000Z');
  assert.equal(m.eventName, 'InferenceResult');
});

test('failure: the failure location (S3FailurePath) goes in responseParameters', () => {
  const m = buildFailureNotification({
    ...request,
    failedAt: new Date(0),
    failureReason: 'ModelError',
    failureLocation: 's3://bucket/failures/x.out',
    responseContentType: 'application/json',
  });
  assert.deepEqual(m.responseParameters, { contentType: 'application/json', failureLocation: 's3://bucket/failures/x.out' });
});

test('IncludeInferenceResponseIn: the response, base64, only for the topic it names', () => {
  const response = new TextEncoder().encode('{"label":"cat"}');
  const success = {
    ...request,
    completedAt: new Date(0),
    outputLocation: 's3://b/o.out',
    responseContentType: 'application/json',
    response,
  };
  const failure = { ...request, failedAt: new Date(0), failureReason: 'ModelError', response };

  const both = ['SUCCESS_NOTIFICATION_TOPIC', 'ERROR_NOTIFICATION_TOPIC'];
  const s = buildSuccessNotification({ ...success, includeInferenceResponseIn: both });
  assert.deepEqual(s.responseBody, {
    content: Buffer.from('{"label":"cat"}').toString('base64'),
    message: RESPONSE_BODY_MESSAGE,
    encoding: 'BASE64',
  });
  // Between responseParameters and inferenceId, as in the captured message.
  const keys = Object.keys(s);
  assert.equal(keys.indexOf('responseBody'), keys.indexOf('responseParameters') + 1);
  assert.ok(buildFailureNotification({ ...failure, includeInferenceResponseIn: both }).responseBody);

  assert.equal(buildSuccessNotification({ ...success, includeInferenceResponseIn: ['ERROR_NOTIFICATION_TOPIC'] }).responseBody, undefined);
  assert.equal(buildFailureNotification({ ...failure, includeInferenceResponseIn: ['SUCCESS_NOTIFICATION_TOPIC'] }).responseBody, undefined);
  assert.equal(buildSuccessNotification({ ...success, includeInferenceResponseIn: [] }).responseBody, undefined);
});

test('IncludeInferenceResponseIn: a response up to 128 KB is included, a byte more is not', () => {
  const base = {
    ...request,
    completedAt: new Date(0),
    outputLocation: 's3://b/o.out',
    responseContentType: 'application/octet-stream',
    includeInferenceResponseIn: ['SUCCESS_NOTIFICATION_TOPIC'],
  };
  assert.equal(NOTIFIED_RESPONSE_MAX_BYTES, 131_072);
  const atLimit = buildSuccessNotification({ ...base, response: new Uint8Array(NOTIFIED_RESPONSE_MAX_BYTES).fill(7) });
  assert.equal(Buffer.from(atLimit.responseBody!.content, 'base64').length, NOTIFIED_RESPONSE_MAX_BYTES);
  const over = buildSuccessNotification({ ...base, response: new Uint8Array(NOTIFIED_RESPONSE_MAX_BYTES + 1) });
  assert.equal(over.responseBody, undefined);
  // The message itself stays within SNS's 256 KB limit even at 128 KB of base64.
  assert.ok(Buffer.byteLength(JSON.stringify(atLimit)) < 256 * 1024);
});

test('IncludeInferenceResponseIn: a view into a larger buffer embeds only its own bytes', () => {
  const whole = new TextEncoder().encode('xxHELLOyy');
  const m = buildSuccessNotification({
    ...request,
    completedAt: new Date(0),
    outputLocation: 's3://b/o.out',
    responseContentType: 'text/plain',
    response: whole.subarray(2, 7),
    includeInferenceResponseIn: ['SUCCESS_NOTIFICATION_TOPIC'],
  });
  assert.equal(Buffer.from(m.responseBody!.content, 'base64').toString(), 'HELLO');
});

test('topicRegion reads the region from a topic ARN', () => {
  assert.equal(topicRegion('arn:aws:sns:eu-west-1:123456789012:done'), 'eu-west-1');
  assert.equal(topicRegion('arn:aws-cn:sns:cn-north-1:123456789012:done'), 'cn-north-1');
  assert.equal(topicRegion('not-an-arn'), undefined);
  assert.equal(topicRegion('arn:aws:sqs:us-east-1:123456789012:q'), undefined);
});
