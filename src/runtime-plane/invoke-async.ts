import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AsyncInference } from '../async-inference/async-inference.js';
import { asyncSettingsOf } from '../async-inference/async-settings.js';
import { failureLocation, outputLocation, parseObjectUri } from '../async-inference/output-locations.js';
import type { Hosting } from '../hosting/hosting.js';
import { endpointNotFound, endpointNotInService, validationError } from '../protocol/wire-errors.js';
import type { Clock } from '../shared/clock.js';
import { isServing } from '../store/endpoint-lifecycle.js';
import type { Store } from '../store/store.js';
import { readAsyncHeaders } from './async-headers.js';

export interface InvokeAsyncDeps {
  store: Store;
  hosting: Hosting;
  asyncInference: AsyncInference;
  accountId: string;
  clock: Clock;
}

/** The inline body's limit: AsyncBodyBlob max (docs/aws-contract.md §3.2). */
export const ASYNC_MAX_INLINE_BODY = 128_000;

/**
 * InvokeEndpointAsync (`POST /endpoints/{name}/async-invocations`,
 * docs/aws-contract.md §3.2, §8.3): checks the request, commits it to the
 * persistent queue, and answers 202 with `{"InferenceId"}` and where its
 * output (and failure) will be written. The work happens later, in the
 * endpoint's worker (src/async-inference/endpoint-worker.ts).
 */
export async function invokeEndpointAsync(deps: InvokeAsyncDeps, req: IncomingMessage, res: ServerResponse, endpointName: string, region: string): Promise<void> {
  const h = readAsyncHeaders(req, endpointName);
  const body = await readInlineBody(req, res);
  if (body.length > 0 && h.inputLocation !== undefined) {
    throw validationError('Body and InputLocation are mutually exclusive: provide exactly one of them.');
  }
  if (body.length === 0 && h.inputLocation === undefined) {
    throw validationError('Provide exactly one of Body and InputLocation: the request has neither an inline body nor an X-Amzn-SageMaker-InputLocation header.');
  }
  if (h.inputLocation !== undefined && !parseObjectUri(h.inputLocation)) {
    throw validationError(`The input location ${h.inputLocation} is not a valid S3 URI: it must name a bucket and a key.`);
  }
  const record = deps.store.endpoints.get(region, endpointName);
  const deployment = deps.hosting.get(region, endpointName);
  if (!record || !deployment || deployment.status === 'Deleting') {
    throw endpointNotFound(endpointName, deps.accountId);
  }
  const settings = asyncSettingsOf(record);
  if (!settings) {
    // NOT VERIFIED: the real text for a real-time endpoint; the stream branch answers the converse in the same words.
    throw validationError(`Endpoint ${record.name} of account ${deps.accountId} is not an asynchronous inference endpoint: invoke it with InvokeEndpoint.`);
  }
  if (!isServing(deployment.status)) {
    throw endpointNotInService(record.name, deps.accountId, deployment.status);
  }
  const inferenceId = h.inferenceId ?? randomUUID();
  const naming = { inferenceId, s3OutputPathExtension: h.s3OutputPathExtension, filename: h.filename };
  const output = outputLocation(settings, naming);
  const failure = failureLocation(settings, naming);
  const now = deps.clock.now();
  deps.asyncInference.submit({
    region,
    endpoint: record.name,
    inferenceId,
    receivedAt: now,
    expiresAt: now + h.requestTtlSeconds * 1000,
    timeoutSeconds: h.invocationTimeoutSeconds,
    ...(h.inputLocation !== undefined ? { inputLocation: h.inputLocation } : { body }),
    ...(h.contentType !== undefined ? { contentType: h.contentType } : {}),
    ...(h.accept !== undefined ? { accept: h.accept } : {}),
    ...(h.customAttributes !== undefined ? { customAttributes: h.customAttributes } : {}),
    outputLocation: output,
    ...(failure ? { failureLocation: failure } : {}),
  });
  const payload = JSON.stringify({ InferenceId: inferenceId });
  res.statusCode = 202;
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Content-Length', Buffer.byteLength(payload));
  res.setHeader('X-Amzn-SageMaker-OutputLocation', output);
  if (failure) {
    res.setHeader('X-Amzn-SageMaker-FailureLocation', failure);
  }
  res.end(payload);
}

/** Reads the inline body, refusing it past 128,000 bytes without reading the rest. */
async function readInlineBody(req: IncomingMessage, res: ServerResponse): Promise<Buffer> {
  const tooBig = () => {
    res.setHeader('Connection', 'close');
    return validationError(
      `1 validation error detected: Value at 'body' failed to satisfy constraint: Member must have length less than or equal to ${ASYNC_MAX_INLINE_BODY}`,
    );
  };
  if (Number(req.headers['content-length'] ?? 0) > ASYNC_MAX_INLINE_BODY) {
    throw tooBig();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > ASYNC_MAX_INLINE_BODY) {
      throw tooBig();
    }
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
