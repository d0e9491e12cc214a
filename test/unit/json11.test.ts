import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AwsError } from '../../src/protocol/aws-error.js';
import { checkContentType, parseBody, parseTarget } from '../../src/protocol/json11.js';

/** Asserts that fn throws an AwsError with this code and status 400; returns it. */
function awsError(fn: () => unknown, code: string): AwsError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof AwsError, `expected an AwsError, got ${String(err)}`);
    assert.equal(err.code, code);
    assert.equal(err.status, 400);
    assert.equal(err.fault, 'client');
    return err;
  }
  assert.fail(`expected ${code}`);
}

describe('parseTarget', () => {
  test('splits SageMaker.<Operation>', () => {
    assert.deepEqual(parseTarget('SageMaker.CreateModel'), { service: 'SageMaker', operation: 'CreateModel' });
  });

  test('splits at the last dot', () => {
    assert.deepEqual(parseTarget('com.amazonaws.sagemaker.ListModels'), {
      service: 'com.amazonaws.sagemaker',
      operation: 'ListModels',
    });
  });

  test('a missing target is UnknownOperationException', () => {
    const err = awsError(() => parseTarget(undefined), 'UnknownOperationException');
    assert.match(err.message, /Missing X-Amz-Target/);
    awsError(() => parseTarget(''), 'UnknownOperationException');
  });

  test('a malformed target is UnknownOperationException quoting it', () => {
    for (const target of ['SageMaker', '.CreateModel', 'SageMaker.']) {
      const err = awsError(() => parseTarget(target), 'UnknownOperationException');
      assert.match(err.message, /Malformed X-Amz-Target/);
      assert.ok(err.message.includes(`"${target}"`), err.message);
    }
  });
});

describe('checkContentType', () => {
  test('accepts the JSON content types, with parameters and in any case', () => {
    for (const ct of [
      'application/x-amz-json-1.1',
      'application/x-amz-json-1.0',
      'application/json',
      'application/x-amz-json-1.1; charset=utf-8',
      'Application/X-Amz-Json-1.1',
      ' application/json ;charset=UTF-8',
    ]) {
      assert.doesNotThrow(() => checkContentType(ct), ct);
    }
  });

  test('refuses a missing or foreign content type with SerializationException', () => {
    for (const ct of [undefined, '', 'text/plain', 'application/xml', 'application/x-www-form-urlencoded']) {
      const err = awsError(() => checkContentType(ct), 'SerializationException');
      assert.match(err.message, /Unsupported Content-Type/);
      assert.match(err.message, /application\/x-amz-json-1\.1/);
    }
  });

  test('names the content type it refused', () => {
    assert.match(awsError(() => checkContentType('text/csv'), 'SerializationException').message, /"text\/csv"/);
  });
});

describe('parseBody', () => {
  test('an empty body is an empty input', () => {
    assert.deepEqual(parseBody(Buffer.alloc(0)), {});
  });

  test('parses a JSON object, UTF-8 included', () => {
    assert.deepEqual(parseBody(Buffer.from('{"ModelName":"m","Tags":[{"Key":"k","Value":"é"}]}')), {
      ModelName: 'm',
      Tags: [{ Key: 'k', Value: 'é' }],
    });
  });

  test('malformed JSON is SerializationException', () => {
    for (const raw of ['{', '{"a":}', 'not json', '{"a":1}}']) {
      const err = awsError(() => parseBody(Buffer.from(raw)), 'SerializationException');
      assert.match(err.message, /^Malformed JSON in request body/);
    }
  });

  test('JSON that is not an object is SerializationException', () => {
    for (const raw of ['null', '[]', '[{"a":1}]', '"text"', '42', 'true']) {
      const err = awsError(() => parseBody(Buffer.from(raw)), 'SerializationException');
      assert.equal(err.message, 'The request body must be a JSON object.');
    }
  });
});
