import { setTimeout as sleep } from 'node:timers/promises';
import type { VariantFleet } from '../hosting/fleet.js';
import { internalFailure, modelError, serviceUnavailable, throttlingException } from '../protocol/wire-errors.js';
import { type Faults, faultLabel, faultsFromTags, tagGeneration } from '../shared/fault-tags.js';
import type { Store } from '../store/store.js';
import type { Admission, InvokeDeps, InvokeRequest } from './admission.js';
import type { Recorder } from './model-call.js';
import type { InvocationSite } from './wire-mapping.js';

/**
 * The sme:fault-* tags of the endpoint a fleet serves (endpoint tags over
 * the config's, as the config's were when the endpoint was created or
 * updated). Cached per fleet and re-read only after a tag change anywhere
 * (tagGeneration): an UpdateEndpoint rolls out new fleets, which read afresh.
 * An endpoint without fault tags costs one WeakMap lookup per request.
 */
export class FaultTags {
  private readonly cache = new WeakMap<VariantFleet, { generation: number; faults: Faults | undefined }>();

  constructor(private readonly store: Store) {}

  of(fleet: VariantFleet, region: string, endpointName: string): Faults | undefined {
    const generation = tagGeneration();
    const hit = this.cache.get(fleet);
    if (hit && hit.generation === generation) {
      return hit.faults;
    }
    const record = this.store.endpoints.get(region, endpointName);
    const faults = record ? faultsFromTags(record.configTags ?? [], this.store.tags.list(record.arn)) : undefined;
    this.cache.set(fleet, { generation, faults });
    return faults;
  }
}

/** The text an injected error carries, so nobody mistakes it for a real failure in a log. */
const INJECTED = 'Fault injected by the sme:fault-error-rate tag.';

/**
 * Applies the endpoint's fault tags to one admitted request, before its
 * container call (so that it counts like a real one): the latency tag delays
 * every request (in OverheadLatency), and with probability `errorRate` the
 * request fails with the real wire shape of the chosen error, without
 * reaching the container. `record` is the request's recorder, made after the
 * delay. Resolves when the request may go on to the container.
 */
export async function injectFaults(
  deps: InvokeDeps,
  r: InvokeRequest,
  a: Admission,
  site: InvocationSite,
  makeRecorder: () => Recorder,
): Promise<Recorder> {
  const faults = deps.faults?.of(a.fleet, r.region, r.endpointName);
  if (faults === undefined) {
    return makeRecorder();
  }
  const variant = a.fleet.variantName;
  if (faults.latencyMs > 0) {
    deps.metrics.injectedFault(r.endpointName, variant, 'latency');
    await sleep(faults.latencyMs, undefined, { signal: a.signal });
  }
  const record = makeRecorder();
  if (faults.errorRate === 0 || Math.random() >= faults.errorRate) {
    return record;
  }
  const code = faults.errorCode;
  const fault = faultLabel(code);
  r.log().info({ endpoint: r.endpointName, variant, fault }, 'fault injected');
  if (code.kind === 'ModelError') {
    // Counted and shaped as a real model error: InvocationModelErrors and 4XX/5XX by the status (model-call.ts).
    record(code.status, false);
    deps.metrics.injectedFault(r.endpointName, variant, fault);
    throw modelError({ ...site, variantName: variant, instanceId: a.lease.instance.instanceId }, code.status, INJECTED);
  }
  // Invocations and OverheadLatency as any request, and a 4XX or 5XX error by the status the client sees (not a model error).
  deps.metrics.injectedFault(r.endpointName, variant, fault);
  switch (code.kind) {
    case 'ThrottlingException':
      record(200, false, 4);
      throw throttlingException(`Rate exceeded. ${INJECTED}`);
    case 'ServiceUnavailable':
      record(200, false, 5);
      throw serviceUnavailable(`The service is unavailable. ${INJECTED}`);
    case 'InternalFailure':
      record(200, false, 5);
      throw internalFailure(`An internal error occurred. ${INJECTED}`);
  }
}
