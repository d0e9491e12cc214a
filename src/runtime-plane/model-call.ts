import type { Readable } from 'node:stream';
import type { ContainerResponse } from '../hosting/container-call.js';
import { ContainerCallTimeoutError, ContainerUnreachableError, InstanceStoppedError } from '../hosting/errors.js';
import { serverlessInvocationCost } from '../hosting/pricing.js';
import { modelError } from '../protocol/wire-errors.js';
import type { Admission, InvokeDeps, InvokeRequest } from './admission.js';
import type { InvocationSite } from './wire-mapping.js';

/** The longest container error body kept for ModelError's OriginalMessage. */
const MAX_ERROR_BODY = 64 * 1024;

/**
 * Records one invocation in the metrics: `status` is the model's (0 when it
 * never answered properly), `answered` whether ModelLatency has a sample,
 * `gatewayError` an error the gateway answered itself (an injected fault).
 */
export type Recorder = (status: number, answered: boolean, gatewayError?: 4 | 5) => void;

/**
 * A recorder whose ModelLatency runs from now: metrics count a request where
 * CloudWatch does, once it was sent to the model (docs/aws-contract.md §9.1).
 */
export function recorder(deps: InvokeDeps, r: InvokeRequest, a: Admission): Recorder {
  const modelStarted = performance.now();
  const { fleet, started } = a;
  return (status, answered, gatewayError) => {
    const end = performance.now();
    const modelSeconds = answered ? (end - modelStarted) / 1000 : undefined;
    deps.metrics.invocation({
      endpoint: r.endpointName,
      variant: fleet.variantName,
      modelSeconds,
      totalSeconds: (end - started) / 1000,
      status,
      instances: fleet.instanceCount(),
      gatewayError,
    });
    if (fleet.billing.kind === 'serverless' && modelSeconds !== undefined) {
      // Serverless bills the inference duration, rounded up to the millisecond (docs/aws-contract.md §12).
      deps.metrics.addCost(r.endpointName, fleet.variantName, serverlessInvocationCost(modelSeconds, fleet.billing.perSecond));
    }
  };
}

/**
 * POST /invocations (or a multi-model endpoint's /models/<name>/invoke) to the leased instance; resolves with a 2xx answer whose
 * body is still streaming. A non-2xx answer is ModelError (424) with the
 * container's text (docs/aws-contract.md §3.4); a timeout, a stopped instance
 * or an unreachable container are recorded and rethrown for wire-mapping.ts.
 */
export async function callModel(
  deps: InvokeDeps,
  a: Admission,
  site: InvocationSite,
  headers: Record<string, string>,
  record: Recorder,
): Promise<ContainerResponse> {
  const instance = a.lease.instance;
  let answer: ContainerResponse;
  let errorText: string | undefined;
  try {
    answer = await instance.call({
      method: 'POST',
      path: a.invokePath,
      headers,
      body: a.body,
      timeoutMs: deps.invocationTimeoutMs,
      signal: a.signal,
    });
    if (answer.status < 200 || answer.status >= 300) {
      errorText = await readUpTo(answer.body, MAX_ERROR_BODY);
      if (answer.status === 404 && a.targetModel !== undefined) {
        // The container does not have the model (docs/aws-contract.md §8.2): the next request loads it again.
        instance.models?.forget(a.targetModel);
      }
    }
  } catch (err) {
    if (err instanceof ContainerCallTimeoutError || err instanceof InstanceStoppedError || err instanceof ContainerUnreachableError) {
      // Each is a ModelError on the wire: the request reached the model's side and failed there.
      record(0, false);
    }
    if (err instanceof ContainerUnreachableError) {
      // Find out why (an exit, an OOM kill) for OriginalMessage; a dead instance is replaced.
      throw new ContainerUnreachableError(await a.fleet.reportUnreachable(instance, err.transportError));
    }
    throw err;
  }
  if (errorText !== undefined) {
    record(answer.status, true);
    throw modelError({ ...site, variantName: a.fleet.variantName, instanceId: instance.instanceId }, answer.status, errorText);
  }
  return answer;
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
