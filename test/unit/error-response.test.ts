import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { after, before, describe, test } from 'node:test';
import { ListModelsCommand, SageMakerClient } from '@aws-sdk/client-sagemaker';
import { AwsError } from '../../src/protocol/aws-error.js';
import { modelError, payloadTooLarge, validationException } from '../../src/protocol/wire-errors.js';
import { type WireStyle, writeAwsError } from '../../src/protocol/error-response.js';
import { regionFromAuthorization } from '../../src/protocol/sigv4.js';

const REQUEST_ID = '6f1c2a3b-0000-4000-8000-000000000001';

interface Answer {
  status: number;
  headers: Headers;
  text: string;
  body: Record<string, unknown>;
}

/**
 * A real HTTP server whose every response is writeAwsError(next.error); the
 * value writeAwsError returns is kept in `returned`.
 */
let server: http.Server;
let baseUrl: string;
let next: { error: unknown; style: WireStyle; writeFirst?: boolean };
let returned: AwsError | undefined;

async function send(error: unknown, style: WireStyle): Promise<Answer> {
  next = { error, style };
  const res = await fetch(baseUrl, { method: 'POST', body: '{}' });
  const text = await res.text();
  return { status: res.status, headers: res.headers, text, body: JSON.parse(text) as Record<string, unknown> };
}

const site = {
  region: 'us-east-1',
  accountId: '123456789012',
  endpointName: 'my-ep',
  variantName: 'AllTraffic',
  instanceId: 'i-0123456789abcdef',
};

describe('writeAwsError', () => {
  before(async () => {
    server = http.createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        if (next.writeFirst) {
          res.writeHead(200, { 'Content-Type': 'text/plain' });
          res.write('partial');
        }
        returned = writeAwsError(res, next.error, REQUEST_ID, next.style);
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  test('JSON 1.1: __type, message, Message, error-type and request-id headers, 400', async () => {
    const err = validationException('Could not find endpoint "arn:aws:sagemaker:us-east-1:123456789012:endpoint/x".');
    const a = await send(err, 'json-1.1');
    assert.equal(a.status, 400);
    assert.equal(a.headers.get('content-type'), 'application/x-amz-json-1.1');
    assert.equal(a.headers.get('x-amzn-errortype'), 'ValidationException');
    assert.equal(a.headers.get('x-amzn-requestid'), REQUEST_ID);
    assert.equal(a.headers.get('content-length'), String(Buffer.byteLength(a.text)));
    assert.deepEqual(a.body, {
      __type: 'ValidationException',
      message: err.message,
      Message: err.message,
    });
    assert.equal(returned, err);
  });

  test('never a top-level code key (some JS SDK releases would prefer it)', async () => {
    const a = await send(validationException('bad'), 'json-1.1');
    assert.equal('code' in a.body, false);
    assert.equal('Code' in a.body, false);
  });

  test('rest-json uses application/json and the same body', async () => {
    const a = await send(new AwsError('ValidationError', 'Endpoint x of account 123456789012 not found.'), 'rest-json');
    assert.equal(a.status, 400);
    assert.equal(a.headers.get('content-type'), 'application/json');
    assert.equal(a.headers.get('x-amzn-errortype'), 'ValidationError');
    assert.equal(a.headers.get('x-amzn-requestid'), REQUEST_ID);
    assert.deepEqual(a.body, {
      __type: 'ValidationError',
      message: 'Endpoint x of account 123456789012 not found.',
      Message: 'Endpoint x of account 123456789012 not found.',
    });
  });

  test('ModelError: 424 with OriginalStatusCode, OriginalMessage and LogStreamArn at the top level', async () => {
    const err = modelError(site, 400, 'bad input');
    const a = await send(err, 'rest-json');
    assert.equal(a.status, 424);
    assert.equal(a.headers.get('x-amzn-errortype'), 'ModelError');
    assert.equal(a.headers.get('content-type'), 'application/json');
    assert.equal(a.body.__type, 'ModelError');
    assert.equal(a.body.OriginalStatusCode, 400);
    assert.equal(a.body.OriginalMessage, 'bad input');
    assert.equal(
      a.body.LogStreamArn,
      'arn:aws:logs:us-east-1:123456789012:log-group:/aws/sagemaker/Endpoints/my-ep:log-stream:AllTraffic/i-0123456789abcdef',
    );
    assert.match(String(a.body.message), /^Received client error \(400\) from primary with message "bad input"\. See https:\/\//);
    assert.equal(a.body.Message, a.body.message);
    assert.equal(err.fault, 'client');
  });

  test('ModelError for a 5xx from the container says "server error"', async () => {
    const a = await send(modelError(site, 503, 'overloaded'), 'rest-json');
    assert.equal(a.status, 424);
    assert.match(String(a.body.message), /^Received server error \(503\) from primary/);
    assert.equal(a.body.OriginalStatusCode, 503);
  });

  test('untyped 413: no __type, no x-amzn-ErrorType, only the message', async () => {
    const a = await send(payloadTooLarge(6_291_456), 'rest-json');
    assert.equal(a.status, 413);
    assert.equal(a.headers.get('x-amzn-errortype'), null);
    assert.equal(a.headers.get('x-amzn-requestid'), REQUEST_ID);
    assert.deepEqual(a.body, { message: 'HTTP content length exceeded 6291456 bytes.' });
  });

  test('nullMessage errors carry {"message":null} and no Message', async () => {
    const a = await send(new AwsError('ThrottlingException', 'ignored', { nullMessage: true }), 'rest-json');
    assert.equal(a.status, 400);
    assert.equal(a.headers.get('x-amzn-errortype'), 'ThrottlingException');
    assert.deepEqual(a.body, { __type: 'ThrottlingException', message: null });
  });

  test('an unknown error becomes InternalFailure 500 with a non-empty body and no leaked detail', async () => {
    const a = await send(new Error('secret database path /x/y'), 'json-1.1');
    assert.equal(a.status, 500);
    assert.equal(a.headers.get('x-amzn-errortype'), 'InternalFailure');
    assert.ok(a.text.length > 0);
    assert.equal(a.body.__type, 'InternalFailure');
    assert.ok(typeof a.body.message === 'string' && a.body.message.length > 0);
    assert.doesNotMatch(a.text, /secret/);
    assert.equal(returned?.code, 'InternalFailure');
    assert.equal(returned?.fault, 'server');
  });

  test('non-Error throwables also become InternalFailure', async () => {
    for (const thrown of ['a string', undefined, { code: 'ValidationException' }]) {
      const a = await send(thrown, 'rest-json');
      assert.equal(a.status, 500);
      assert.equal(a.body.__type, 'InternalFailure');
    }
  });

  test('once headers are sent, the response is destroyed rather than corrupted', async () => {
    next = { error: validationException('late'), style: 'rest-json', writeFirst: true };
    await assert.rejects(async () => {
      const res = await fetch(baseUrl, { method: 'POST', body: '{}' });
      await res.text();
    });
    assert.equal(returned?.code, 'ValidationException');
  });
});

describe('regionFromAuthorization', () => {
  test('reads the region of a SigV4 credential scope', () => {
    // The example of the AWS Signature Version 4 documentation.
    const header =
      'AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request, ' +
      'SignedHeaders=host;range;x-amz-content-sha256;x-amz-date, ' +
      'Signature=fe5f80f77d5fa3beca038a248ff027d0445342fe2855ddc963176630326f1024';
    assert.equal(regionFromAuthorization(header), 'us-east-1');
    assert.equal(
      regionFromAuthorization(
        'AWS4-HMAC-SHA256 Credential=AKID/20260101/ap-southeast-2/sagemaker/aws4_request,SignedHeaders=host,Signature=00',
      ),
      'ap-southeast-2',
    );
  });

  test('reads the region of a header the AWS SDK really signed', async () => {
    let authorization: string | undefined;
    const srv = http.createServer((req, res) => {
      authorization = req.headers.authorization;
      req.resume();
      res.setHeader('Content-Type', 'application/x-amz-json-1.1');
      res.end('{"Models":[]}');
    });
    await new Promise<void>((resolve) => srv.listen(0, '127.0.0.1', resolve));
    const client = new SageMakerClient({
      endpoint: `http://127.0.0.1:${(srv.address() as AddressInfo).port}`,
      region: 'eu-west-3',
      credentials: { accessKeyId: 'AKIDTEST', secretAccessKey: 'secret' },
      maxAttempts: 1,
    });
    try {
      await client.send(new ListModelsCommand({}));
    } finally {
      client.destroy();
      srv.closeAllConnections();
      await new Promise((resolve) => srv.close(resolve));
    }
    assert.match(authorization ?? '', /^AWS4-HMAC-SHA256 Credential=AKIDTEST\//);
    assert.equal(regionFromAuthorization(authorization), 'eu-west-3');
  });

  test('returns undefined for a missing or unparseable header', () => {
    for (const header of [
      undefined,
      '',
      'garbage',
      'Bearer eyJhbGciOiJIUzI1NiJ9.e30.x',
      'AWS AKIAIOSFODNN7EXAMPLE:frJIUN8DYpKDtOLCwo//yllqDzg=',
      'AWS4-HMAC-SHA256 Credential=AKID/notadate/us-east-1/s3/aws4_request',
      'AWS4-HMAC-SHA256 Credential=AKID/20130524/us-east-1/s3',
      'AWS4-HMAC-SHA256 Credential=AKID/20130524//s3/aws4_request',
    ]) {
      assert.equal(regionFromAuthorization(header), undefined, String(header));
    }
  });
});
