import type { ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import { type Admission, admit, containerHeaders, type InvokeDeps, type InvokeRequest } from './admission.js';
import { type CaptureBuffer, captureFor, captureInvocation, tapInput } from './capture-tap.js';
import { injectFaults } from './fault-injection.js';
import { callModel, recorder } from './model-call.js';
import { type InvocationSite, wireError } from './wire-mapping.js';

export type { InvokeDeps, InvokeRequest } from './admission.js';

/** Request headers the container sees (docs/aws-contract.md §3.1, §8.1: the supported headers pass through). */
const FORWARDED_HEADERS = [
  ['content-type', 'content-type'],
  ['accept', 'accept'],
  ['x-amzn-sagemaker-custom-attributes', 'x-amzn-sagemaker-custom-attributes'],
  ['x-amzn-sagemaker-target-model', 'x-amzn-sagemaker-target-model'],
  ['x-amzn-sagemaker-inference-id', 'x-amzn-sagemaker-inference-id'],
] as const;

/**
 * InvokeEndpoint (`POST /endpoints/{name}/invocations`), kept off Express:
 * no body parsing, the body streamed to the container and back through the
 * container's keep-alive pool (docs/architecture.md, "the hot path").
 * The front part (validation, variant, lease) is admission.ts, shared with
 * the streaming operation; hosting's domain errors become wire errors in one
 * place (wire-mapping.ts).
 */
export async function invokeEndpoint(deps: InvokeDeps, r: InvokeRequest): Promise<void> {
  const site: InvocationSite = { region: r.region, accountId: deps.accountId, endpointName: r.endpointName };
  try {
    const a = await admit(deps, r, site);
    try {
      await forward(deps, r, a, site);
    } finally {
      a.release();
    }
  } catch (err) {
    throw wireError(err, site);
  }
}

async function forward(deps: InvokeDeps, r: InvokeRequest, a: Admission, site: InvocationSite): Promise<void> {
  const { req, res } = r;
  const record = await injectFaults(deps, r, a, site, () => recorder(deps, r, a));
  const capture = captureFor(deps, r, a);
  const sent = capture?.settings.input ? { ...a, body: tapInput(a.body, capture) } : a;
  const answer = await callModel(deps, sent, site, containerHeaders(req, FORWARDED_HEADERS, a), record);
  res.statusCode = 200;
  res.setHeader('Content-Type', String(answer.headers['content-type'] ?? 'application/octet-stream'));
  res.setHeader('x-Amzn-Invoked-Production-Variant', a.fleet.variantName);
  const custom = answer.headers['x-amzn-sagemaker-custom-attributes'];
  if (custom !== undefined) {
    res.setHeader('X-Amzn-SageMaker-Custom-Attributes', String(custom));
  }
  if (answer.headers['content-length'] !== undefined) {
    res.setHeader('Content-Length', String(answer.headers['content-length']));
  }
  try {
    await relay(answer.body, res, capture?.settings.output ? capture.output : undefined);
  } catch (err) {
    // The answer broke off midway: nothing to do but cut the client's connection too.
    record(200, true);
    r.log().warn({ err: (err as Error).message }, 'response stream from the container broke');
    res.destroy();
    return;
  }
  record(200, true);
  if (capture) {
    // After the answer was sent: capturing never slows nor fails the invocation.
    captureInvocation(deps, r, a, capture, res.getHeader('Content-Type'));
  }
}

/**
 * Streams the container's answer to the client with backpressure: the body
 * pauses (and with it the container's socket) while the client's buffer is
 * full. Rejects if the answer breaks off before its end.
 */
function relay(body: Readable, res: ServerResponse, copy?: CaptureBuffer): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    body.on('data', (chunk: Buffer) => {
      copy?.push(chunk);
      if (!res.write(chunk)) {
        body.pause();
      }
    });
    res.on('drain', () => body.resume());
    body.once('end', () => {
      res.end();
      resolve();
    });
    body.once('error', reject);
    body.once('close', () => {
      if (!body.readableEnded) {
        reject(new Error('the answer stopped before its end'));
      }
    });
  });
}
