import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { ContainerResponse } from '../hosting/container-call.js';
import { ContainerCallTimeoutError, ContainerUnreachableError, InstanceStoppedError } from '../hosting/errors.js';
import type { Lease, VariantFleet } from '../hosting/fleet.js';
import type { Hosting } from '../hosting/hosting.js';
import { serverlessInvocationCost } from '../hosting/pricing.js';
import type { Metrics } from '../observability/metrics.js';
import { endpointNotFound, modelError, payloadTooLarge, validationError } from '../protocol/wire-errors.js';
import { limitBytes } from './payload-limit.js';
import { type InvocationSite, wireError } from './wire-mapping.js';

export interface InvokeDeps {
  hosting: Hosting;
  metrics: Metrics;
  accountId: string;
  invocationTimeoutMs: number;
}

export interface InvokeRequest {
  req: IncomingMessage;
  res: ServerResponse;
  endpointName: string;
  region: string;
  requestId: string;
  /** The request's logger, made on first use: building one per request costs the hot path. */
  log: () => Logger;
}

/** Request headers the container sees (docs/aws-contract.md §8.1: the supported headers pass through). */
const FORWARDED_HEADERS = [
  'content-type',
  'accept',
  'x-amzn-sagemaker-custom-attributes',
  'x-amzn-sagemaker-target-model',
  'x-amzn-sagemaker-inference-id',
];

/** An endpoint serves while InService and while an update runs beside its live fleet (docs/aws-contract.md §4.4). */
const SERVING = new Set(['InService', 'Updating']);
const ENDPOINT_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/;
/** The longest container error body kept for ModelError's OriginalMessage. */
const MAX_ERROR_BODY = 64 * 1024;

/**
 * InvokeEndpoint (`POST /endpoints/{name}/invocations`), kept off Express:
 * no body parsing, the body streamed to the container and back through the
 * container's keep-alive pool (docs/architecture.md, "the hot path").
 * Hosting's domain errors become wire errors in one place (wire-mapping.ts).
 */
export async function invokeEndpoint(deps: InvokeDeps, r: InvokeRequest): Promise<void> {
  const site: InvocationSite = { region: r.region, accountId: deps.accountId, endpointName: r.endpointName };
  try {
    await invoke(deps, r, site);
  } catch (err) {
    throw wireError(err, site);
  }
}

async function invoke(deps: InvokeDeps, r: InvokeRequest, site: InvocationSite): Promise<void> {
  const started = performance.now();
  const { req, res, endpointName } = r;
  if (endpointName.length > 63 || !ENDPOINT_NAME.test(endpointName)) {
    throw validationError(
      `1 validation error detected: Value '${endpointName}' at 'endpointName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9])*`,
    );
  }
  const deployment = deps.hosting.get(r.region, endpointName);
  if (!deployment || deployment.status === 'Deleting') {
    throw endpointNotFound(endpointName, deps.accountId);
  }
  if (!SERVING.has(deployment.status)) {
    throw validationError(`Endpoint ${endpointName} of account ${deps.accountId} is not in service (its status is ${deployment.status}).`);
  }
  // A restored endpoint is InService before its fleets are built: wait for them, then look again.
  await deployment.ready;
  if (!SERVING.has(deployment.status)) {
    throw validationError(`Endpoint ${endpointName} of account ${deps.accountId} is not in service (its status is ${deployment.status}).`);
  }
  const fleet = deployment.pickFleet(headerValue(req, 'x-amzn-sagemaker-target-variant'));
  site.variantName = fleet.variantName;
  const declared = Number(req.headers['content-length'] ?? NaN);
  if (declared > fleet.maxPayloadBytes) {
    res.setHeader('Connection', 'close');
    throw payloadTooLarge(fleet.maxPayloadBytes);
  }

  // The client going away cancels the wait for capacity and the call to the container.
  const abort = new AbortController();
  const onClose = () => {
    if (!res.writableFinished) {
      abort.abort(new Error('client disconnected'));
    }
  };
  res.once('close', onClose);
  let lease: Lease;
  try {
    lease = await fleet.acquire(abort.signal);
  } catch (err) {
    res.off('close', onClose);
    throw err;
  }
  try {
    site.instanceId = lease.instance.instanceId;
    await forward(deps, r, fleet, lease, abort.signal, Number.isNaN(declared), started, site);
  } finally {
    lease.release();
    res.off('close', onClose);
  }
}

async function forward(
  deps: InvokeDeps,
  r: InvokeRequest,
  fleet: VariantFleet,
  lease: Lease,
  signal: AbortSignal,
  unknownLength: boolean,
  started: number,
  site: InvocationSite,
): Promise<void> {
  const { req, res } = r;
  const instance = lease.instance;
  const headers: Record<string, string> = {};
  for (const h of FORWARDED_HEADERS) {
    const v = headerValue(req, h);
    if (v !== undefined) {
      headers[h] = v;
    }
  }
  if (!unknownLength) {
    headers['content-length'] = String(req.headers['content-length']);
  }
  // Metrics count a request where CloudWatch does: once it was sent to the model (docs/aws-contract.md §9.1).
  const modelStarted = performance.now();
  const record = (status: number, answered: boolean) => {
    const end = performance.now();
    const modelSeconds = answered ? (end - modelStarted) / 1000 : undefined;
    deps.metrics.invocation({
      endpoint: r.endpointName,
      variant: fleet.variantName,
      modelSeconds,
      totalSeconds: (end - started) / 1000,
      status,
      instances: fleet.instanceCount(),
    });
    if (fleet.billing.kind === 'serverless' && modelSeconds !== undefined) {
      // Serverless bills the inference duration, rounded up to the millisecond (docs/aws-contract.md §12).
      deps.metrics.addCost(r.endpointName, fleet.variantName, serverlessInvocationCost(modelSeconds, fleet.billing.perSecond));
    }
  };
  let answer: ContainerResponse;
  let errorText: string | undefined;
  try {
    answer = await instance.call({
      method: 'POST',
      path: '/invocations',
      headers,
      body: unknownLength ? req.pipe(limitBytes(fleet.maxPayloadBytes)) : req,
      timeoutMs: deps.invocationTimeoutMs,
      signal,
    });
    if (answer.status < 200 || answer.status >= 300) {
      errorText = await readUpTo(answer.body, MAX_ERROR_BODY);
    }
  } catch (err) {
    if (err instanceof ContainerCallTimeoutError || err instanceof InstanceStoppedError || err instanceof ContainerUnreachableError) {
      // Each is a ModelError on the wire: the request reached the model's side and failed there.
      record(0, false);
    }
    if (err instanceof ContainerUnreachableError) {
      // Find out why (an exit, an OOM kill) for OriginalMessage; a dead instance is replaced.
      throw new ContainerUnreachableError(await fleet.reportUnreachable(instance, err.transportError));
    }
    throw err;
  }
  if (errorText !== undefined) {
    record(answer.status, true);
    throw modelError({ ...site, variantName: fleet.variantName, instanceId: instance.instanceId }, answer.status, errorText);
  }
  res.statusCode = 200;
  res.setHeader('Content-Type', String(answer.headers['content-type'] ?? 'application/octet-stream'));
  res.setHeader('x-Amzn-Invoked-Production-Variant', fleet.variantName);
  const custom = answer.headers['x-amzn-sagemaker-custom-attributes'];
  if (custom !== undefined) {
    res.setHeader('X-Amzn-SageMaker-Custom-Attributes', String(custom));
  }
  if (answer.headers['content-length'] !== undefined) {
    res.setHeader('Content-Length', String(answer.headers['content-length']));
  }
  try {
    await relay(answer.body, res);
  } catch (err) {
    // The answer broke off midway: nothing to do but cut the client's connection too.
    record(200, true);
    r.log().warn({ err: (err as Error).message }, 'response stream from the container broke');
    res.destroy();
    return;
  }
  record(200, true);
}

/**
 * Streams the container's answer to the client with backpressure: the body
 * pauses (and with it the container's socket) while the client's buffer is
 * full. Rejects if the answer breaks off before its end.
 */
function relay(body: Readable, res: ServerResponse): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    body.on('data', (chunk: Buffer) => {
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

/** Reads a body to its end, keeping its first `limit` bytes as text. */
async function readUpTo(body: Readable, limit: number): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body) {
    if (size < limit) {
      chunks.push(chunk as Buffer);
    }
    size += (chunk as Buffer).length;
  }
  return Buffer.concat(chunks).subarray(0, limit).toString('utf8');
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}
