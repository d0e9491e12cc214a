import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import type { Lease, VariantFleet } from '../hosting/fleet.js';
import type { Hosting } from '../hosting/hosting.js';
import type { Metrics } from '../observability/metrics.js';
import type { ModelUse } from '../hosting/multi-model/instance-models.js';
import {
  endpointNotFound,
  endpointNotInService,
  payloadTooLarge,
  targetModelMissing,
  targetModelNotSupported,
  validationError,
} from '../protocol/wire-errors.js';
import { drainRequest } from '../protocol/request-body.js';
import { isServing } from '../store/endpoint-lifecycle.js';
import type { DataCapture } from '../data-capture/data-capture.js';
import type { FaultTags } from './fault-injection.js';
import { limitBytes } from './payload-limit.js';
import type { InvocationSite } from './wire-mapping.js';

/**
 * The front part every synchronous invocation shares (InvokeEndpoint and
 * InvokeEndpointWithResponseStream): the endpoint name, the deployment and
 * its status, the variant, the payload limit, and a lease on one instance
 * that the client going away gives back. What each operation then does with
 * the instance is its own (invoke-endpoint.ts, invoke-stream.ts).
 */

export interface InvokeDeps {
  hosting: Hosting;
  metrics: Metrics;
  accountId: string;
  invocationTimeoutMs: number;
  /** The sme:fault-* tags (fault-injection.ts); absent, nothing is injected. */
  faults?: FaultTags;
  /** Data capture (src/data-capture/); absent, nothing is captured. */
  capture?: DataCapture;
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

/** A request that holds an instance: release() it once the answer is written (or abandoned). */
export interface Admission {
  readonly fleet: VariantFleet;
  readonly lease: Lease;
  /** The request body as the container gets it: counted against the limit when its length was not declared. */
  readonly body: Readable;
  /** The request's Content-Length, when it declared one. */
  readonly contentLength: string | undefined;
  /** Aborted when the client goes away, or by abort(): the wait, the container call and its body all stop. */
  readonly signal: AbortSignal;
  /** When the request arrived (performance.now()), for OverheadLatency. */
  readonly started: number;
  /** Where the container takes this request: /invocations, or a multi-model endpoint's /models/<name>/invoke. */
  readonly invokePath: string;
  /** The multi-model request's TargetModel. */
  readonly targetModel: string | undefined;
  abort(reason: Error): void;
  release(): void;
}

const ENDPOINT_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/;

/**
 * Validates the request and waits for an instance of the variant it goes to.
 * `site` learns the variant and the instance as they are known, for the
 * errors wire-mapping.ts writes. Rejects with a wire error or a hosting
 * domain error (the caller maps it).
 */
export async function admit(deps: InvokeDeps, r: InvokeRequest, site: InvocationSite): Promise<Admission> {
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
  if (deployment.asyncInference) {
    // SageMaker refuses synchronous and streaming calls to an endpoint whose config has
    // AsyncInferenceConfig (only InvokeEndpointAsync serves it). NOT VERIFIED: the real
    // message was not found in any source we could search; this text is our own.
    throw validationError(
      `Endpoint ${endpointName} of account ${deps.accountId} is an asynchronous inference endpoint: invoke it with InvokeEndpointAsync.`,
    );
  }
  if (!isServing(deployment.status)) {
    throw endpointNotInService(endpointName, deps.accountId, deployment.status);
  }
  // A restored endpoint is InService before its fleets are built: wait for them, then look again.
  await deployment.ready;
  if (!isServing(deployment.status)) {
    throw endpointNotInService(endpointName, deps.accountId, deployment.status);
  }
  const fleet = deployment.pickFleet(headerValue(req, 'x-amzn-sagemaker-target-variant'));
  site.variantName = fleet.variantName;
  const targetModel = checkTargetModel(req, fleet, endpointName, r.requestId);
  const contentLength = req.headers['content-length'];
  const declared = Number(contentLength ?? NaN);
  if (declared > fleet.maxPayloadBytes) {
    res.setHeader('Connection', 'close');
    // The client is still sending: read the body first, or closing resets the connection and the 413 is lost.
    await drainRequest(req);
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
  let lease: Lease | undefined;
  let model: ModelUse | undefined;
  try {
    lease = await fleet.acquire(abort.signal, targetModel);
    site.instanceId = lease.instance.instanceId;
    if (targetModel !== undefined) {
      // Downloaded and loaded on this instance if need be; concurrent first requests share the work.
      model = await lease.instance.models!.use(targetModel, abort.signal);
    }
  } catch (err) {
    lease?.release();
    res.off('close', onClose);
    throw err;
  }
  const held = lease;
  return {
    fleet,
    lease,
    body: Number.isNaN(declared) ? req.pipe(limitBytes(fleet.maxPayloadBytes)) : req,
    contentLength: Number.isNaN(declared) ? undefined : String(contentLength),
    signal: abort.signal,
    started,
    invokePath: model?.invokePath ?? '/invocations',
    targetModel,
    abort: (reason) => abort.abort(reason),
    release() {
      model?.release();
      held.release();
      res.off('close', onClose);
    },
  };
}

/** TargetModel's constraints in the runtime model: 1..1024 characters, `\A\S[\p{Print}]*\z` (Java's \p{Print} is printable ASCII). */
const TARGET_MODEL = /^[\x21-\x7e][\x20-\x7e]*$/;

/**
 * The request's TargetModel: required by a multi-model variant, refused by
 * any other (docs/aws-contract.md §3.4, §8.2), with the runtime's texts.
 */
function checkTargetModel(req: IncomingMessage, fleet: VariantFleet, endpointName: string, requestId: string): string | undefined {
  const target = headerValue(req, 'x-amzn-sagemaker-target-model');
  if (target === undefined) {
    if (fleet.multiModel) {
      throw targetModelMissing(requestId);
    }
    return undefined;
  }
  if (target.length > 1024) {
    throw validationError(
      `1 validation error detected: Value '${target}' at 'targetModel' failed to satisfy constraint: Member must have length less than or equal to 1024`,
    );
  }
  if (!TARGET_MODEL.test(target)) {
    throw validationError(
      `1 validation error detected: Value '${target}' at 'targetModel' failed to satisfy constraint: Member must satisfy regular expression pattern: \\A\\S[\\p{Print}]*\\z`,
    );
  }
  if (!fleet.multiModel) {
    throw targetModelNotSupported(endpointName);
  }
  return target;
}

/**
 * The headers the container sees: each `[request header, container header]`
 * pair that the request carries (docs/aws-contract.md §8.1: the supported
 * headers pass through), and the body's length when it was declared.
 */
export function containerHeaders(req: IncomingMessage, forwarded: readonly (readonly [string, string])[], a: Admission): Record<string, string> {
  const headers: Record<string, string> = {};
  for (const [from, to] of forwarded) {
    const v = headerValue(req, from);
    if (v !== undefined) {
      headers[to] = v;
    }
  }
  if (a.contentLength !== undefined) {
    headers['content-length'] = a.contentLength;
  }
  return headers;
}

export function headerValue(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v.join(', ') : v;
}
