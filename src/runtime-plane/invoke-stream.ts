import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { ContainerCallTimeoutError } from '../hosting/errors.js';
import { type Admission, admit, containerHeaders, type InvokeDeps, type InvokeRequest } from './admission.js';
import { EVENT_STREAM_CONTENT_TYPE, internalStreamFailureFrame, modelStreamErrorFrame, payloadPartFrame } from './event-stream.js';
import { injectFaults } from './fault-injection.js';
import { callModel, recorder } from './model-call.js';
import { type InvocationSite, wireError } from './wire-mapping.js';

/**
 * Request headers the container sees. Unlike InvokeEndpoint, Accept travels
 * as X-Amzn-SageMaker-Accept and reaches the container as Accept; there is no
 * TargetModel (docs/aws-contract.md §3.3).
 */
const FORWARDED_HEADERS = [
  ['content-type', 'content-type'],
  ['x-amzn-sagemaker-accept', 'accept'],
  ['x-amzn-sagemaker-custom-attributes', 'x-amzn-sagemaker-custom-attributes'],
  ['x-amzn-sagemaker-inference-id', 'x-amzn-sagemaker-inference-id'],
] as const;

/**
 * InvokeEndpointWithResponseStream
 * (`POST /endpoints/{name}/invocations-response-stream`, docs/aws-contract.md §3.3, §8.4).
 *
 * - Until the container's status line arrives, failures are ordinary REST-JSON
 *   errors, mapped like InvokeEndpoint's (a non-2xx answer is ModelError 424).
 * - Then we answer 200 at once, and each chunk the container sends becomes one
 *   PayloadPart frame, written as it arrives; the container's socket pauses
 *   while the client's buffer is full.
 * - After the 200, a failure is a ModelStreamError frame and a clean end:
 *   `StreamBroken` when the container's answer breaks off,
 *   `ModelInvocationTimeExceeded` when it is not finished in time.
 *
 * The timeout rule (SME_INVOCATION_TIMEOUT_SECONDS): it bounds the whole
 * answer, from the request sent to the container to the last chunk. Before
 * the status line that is InvokeEndpoint's ModelError (original status 0);
 * after it, ModelInvocationTimeExceeded. AWS does not document its own stream
 * limits (docs/aws-contract.md §8.4), so this is our choice, not a copy.
 */
export async function invokeEndpointWithResponseStream(deps: InvokeDeps, r: InvokeRequest): Promise<void> {
  const site: InvocationSite = { region: r.region, accountId: deps.accountId, endpointName: r.endpointName };
  try {
    const a = await admit(deps, r, site);
    try {
      await stream(deps, r, a, site);
    } finally {
      a.release();
    }
  } catch (err) {
    if (!r.res.headersSent) {
      throw wireError(err, site);
    }
    // A bug of ours after the 200: the stream's own InternalFailure, not a second status line.
    r.log().error({ err }, 'response stream failed');
    if (!r.res.destroyed) {
      r.res.end(internalStreamFailureFrame('An internal error occurred while streaming the response.'));
    }
  }
}

async function stream(deps: InvokeDeps, r: InvokeRequest, a: Admission, site: InvocationSite): Promise<void> {
  const { req, res } = r;
  const record = await injectFaults(deps, r, a, site, () => recorder(deps, r, a));
  const deadline = setTimeout(() => a.abort(new ContainerCallTimeoutError(deps.invocationTimeoutMs)), deps.invocationTimeoutMs);
  try {
    const answer = await callModel(deps, a, site, containerHeaders(req, FORWARDED_HEADERS, a), record);
    res.statusCode = 200;
    res.setHeader('Content-Type', EVENT_STREAM_CONTENT_TYPE);
    res.setHeader('X-Amzn-SageMaker-Content-Type', String(answer.headers['content-type'] ?? 'application/octet-stream'));
    res.setHeader('x-Amzn-Invoked-Production-Variant', a.fleet.variantName);
    const custom = answer.headers['x-amzn-sagemaker-custom-attributes'];
    if (custom !== undefined) {
      res.setHeader('X-Amzn-SageMaker-Custom-Attributes', String(custom));
    }
    // The client learns at once that the model has started answering.
    res.flushHeaders();
    const broke = await relayFrames(answer.body, res);
    if (broke === undefined) {
      record(200, true);
      res.end();
      return;
    }
    const reason: unknown = a.signal.reason;
    if (a.signal.aborted && !(reason instanceof ContainerCallTimeoutError)) {
      // The client went away: the container call is already cut and nobody is left to tell.
      record(200, true);
      return;
    }
    // The model's side failed mid-answer: counted like InvokeEndpoint's timeouts and broken connections.
    record(0, true);
    const frame =
      reason instanceof ContainerCallTimeoutError
        ? modelStreamErrorFrame(
            'ModelInvocationTimeExceeded',
            `Your invocation timed out after ${deps.invocationTimeoutMs / 1000} seconds while container primary was still streaming its response.`,
          )
        : modelStreamErrorFrame('StreamBroken', `The response stream from container primary broke before it was complete (${broke.message}).`);
    r.log().info({ error: broke.message }, 'response stream ended with ModelStreamError');
    res.end(frame);
  } finally {
    clearTimeout(deadline);
  }
}

/**
 * Writes each chunk of the container's answer as one PayloadPart frame, with
 * backpressure. Resolves with undefined at the answer's end, or with the
 * error that broke it off (the container's, or the abort's reason).
 */
function relayFrames(body: Readable, res: ServerResponse): Promise<Error | undefined> {
  return new Promise<Error | undefined>((resolve) => {
    const onDrain = () => body.resume();
    const settle = (err: Error | undefined) => {
      res.off('drain', onDrain);
      resolve(err);
    };
    body.on('data', (chunk: Buffer) => {
      if (chunk.length > 0 && !res.write(payloadPartFrame(chunk))) {
        body.pause();
      }
    });
    res.on('drain', onDrain);
    body.once('end', () => settle(undefined));
    body.once('error', settle);
    body.once('close', () => {
      if (!body.readableEnded) {
        settle(body.errored ?? new Error('the answer stopped before its end'));
      }
    });
  });
}
