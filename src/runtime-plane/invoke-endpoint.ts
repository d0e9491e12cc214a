import { containerUnreachable, endpointNotFound, invocationTimedOut, modelError, payloadTooLarge, type ModelErrorSite, validationError } from '../protocol/wire-errors.js';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { Transform } from 'node:stream';
import type { Logger } from 'pino';
import { errors as undiciErrors } from 'undici';
import { AwsError } from '../protocol/aws-error.js';
import type { Hosting } from '../hosting/hosting.js';
import type { Metrics } from '../observability/metrics.js';
import type { Lease, VariantFleet } from '../hosting/fleet.js';
import { serverlessInvocationCost } from '../hosting/pricing.js';
import { ColdStartError } from '../hosting/serverless-fleet.js';
import { type ContainerAnswer, callContainer } from './container-call.js';

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

/**
 * InvokeEndpoint (`POST /endpoints/{name}/invocations`), kept off Express:
 * no body parsing, the body streamed to the container and back through the
 * container's keep-alive pool (docs/architecture.md, "the hot path").
 */
export async function invokeEndpoint(deps: InvokeDeps, r: InvokeRequest): Promise<void> {
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
    throw validationError(
      `Endpoint ${endpointName} of account ${deps.accountId} is not in service (its status is ${deployment.status}).`,
    );
  }
  // A restored endpoint is InService before its fleets are built: wait for them, then look again.
  await deployment.ready;
  if (!SERVING.has(deployment.status)) {
    throw validationError(
      `Endpoint ${endpointName} of account ${deps.accountId} is not in service (its status is ${deployment.status}).`,
    );
  }
  const fleet = deployment.pickFleet(headerValue(req, 'x-amzn-sagemaker-target-variant'));
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
  const lease = await fleet.acquire(abort.signal).catch((err: unknown) => {
    res.off('close', onClose);
    if (err instanceof ColdStartError) {
      // The container this request waited for could not start (docs/aws-contract.md §3.4: a model failure).
      throw modelError(
        { region: r.region, accountId: deps.accountId, endpointName, variantName: fleet.variantName, instanceId: err.instanceId },
        0,
        `The container for this request failed to start: ${err.message}`,
      );
    }
    throw err;
  });
  try {
    await forward(deps, r, fleet, lease, abort.signal, Number.isNaN(declared), started);
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
): Promise<void> {
  const { req, res } = r;
  const instance = lease.instance;
  const site: ModelErrorSite = {
    region: r.region,
    accountId: deps.accountId,
    endpointName: r.endpointName,
    variantName: fleet.variantName,
    instanceId: instance.instanceId,
  };
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
  const pool = instance.pool;
  if (!pool) {
    throw containerUnreachable(site, 'the instance was stopped');
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
  let answer: ContainerAnswer;
  try {
    answer = await callContainer(pool, res, {
      headers,
      body: unknownLength ? req.pipe(limitBytes(fleet.maxPayloadBytes)) : req,
      timeoutMs: deps.invocationTimeoutMs,
      signal,
      onSuccess: (h) => {
        res.statusCode = 200;
        res.setHeader('Content-Type', String(h['content-type'] ?? 'application/octet-stream'));
        res.setHeader('x-Amzn-Invoked-Production-Variant', fleet.variantName);
        const custom = h['x-amzn-sagemaker-custom-attributes'];
        if (custom !== undefined) {
          res.setHeader('X-Amzn-SageMaker-Custom-Attributes', String(custom));
        }
        if (h['content-length'] !== undefined) {
          res.setHeader('Content-Length', String(h['content-length']));
        }
      },
    });
  } catch (err) {
    if (res.headersSent) {
      // The answer broke off midway: nothing to do but cut the client's connection too.
      record(200, true);
      r.log().warn({ err: (err as Error).message }, 'response stream from the container broke');
      res.destroy();
      return;
    }
    const mapped = await mapTransportError(err, site, (transportError) => fleet.reportUnreachable(instance, transportError));
    if (mapped instanceof AwsError && mapped.code === 'ModelError') {
      record(0, false);
    }
    throw mapped;
  }
  if (answer.kind === 'error') {
    record(answer.status, true);
    throw modelError(site, answer.status, answer.body);
  }
  record(200, true);
}

async function mapTransportError(
  err: unknown,
  site: ModelErrorSite,
  investigate: (transportError: string) => Promise<string>,
): Promise<Error> {
  if (err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError) {
    return invocationTimedOut(site);
  }
  if (err instanceof PayloadLimitError) {
    return payloadTooLarge(err.limit);
  }
  if ((err as Error).name === 'AbortError' || err instanceof undiciErrors.RequestAbortedError) {
    return err as Error;
  }
  const code = (err as NodeJS.ErrnoException).code ?? (err as Error).message;
  return containerUnreachable(site, await investigate(code));
}

class PayloadLimitError extends Error {
  constructor(readonly limit: number) {
    super(`payload over ${limit} bytes`);
  }
}

/** A body without Content-Length (chunked) is counted as it streams. */
function limitBytes(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      cb(seen > limit ? new PayloadLimitError(limit) : null, chunk);
    },
  });
}

function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}
