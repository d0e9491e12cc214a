import { createEndpointConfig, deleteEndpointConfig } from '../control-plane/endpoint-configs.js';
import { createEndpoint, deleteEndpoint } from '../control-plane/endpoints.js';
import { createModel, deleteModel } from '../control-plane/models.js';
import type { OperationContext } from '../control-plane/context.js';
import type { VariantFleet } from '../hosting/fleet.js';
import { JobFailedError } from '../jobs/job-runner.js';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Candidate } from './candidates.js';

/** An endpoint a benchmark deployed for itself, as Inference Recommender does in the account. */
export interface TemporaryEndpoint {
  name: string;
  /** Set once the endpoint serves. */
  fleet?: VariantFleet;
  /** The model made for the candidate's environment, when it has one (deleted with the endpoint). */
  ownModel?: string;
  /** CreateEndpoint → InService, in milliseconds. */
  setupMs: number;
}

const VARIANT = 'AllTraffic';

/**
 * Creates the candidate's endpoint through the same operations a client
 * calls (so the usual validation, caps and logs apply), named after the job
 * (the job name cut at 40 characters, as SageMaker names what a job creates),
 * and waits for it to serve. A candidate with environment parameters gets a
 * copy of the model with them set.
 */
export async function deployTemporary(ops: OperationContext, t: TemporaryEndpoint, modelName: string, c: Candidate, signal: AbortSignal): Promise<void> {
  const { name } = t;
  let model = modelName;
  if (c.environment.length > 0) {
    const base = ops.store.models.get(ops.region, modelName)!;
    const container = base.spec.PrimaryContainer ?? base.spec.Containers?.[0];
    const env = Object.fromEntries(c.environment.map((e) => [e.Key, e.Value]));
    model = t.ownModel = name;
    await createModel({ ...base.spec, ModelName: model, PrimaryContainer: { ...container, Environment: { ...container?.Environment, ...env } }, Containers: undefined }, ops);
  }
  const variant = c.serverless
    ? { VariantName: VARIANT, ModelName: model, ServerlessConfig: c.serverless }
    : { VariantName: VARIANT, ModelName: model, InstanceType: c.instanceType as never, InitialInstanceCount: 1 };
  await createEndpointConfig({ EndpointConfigName: name, ProductionVariants: [variant] }, ops);
  const started = performance.now();
  await createEndpoint({ EndpointName: name, EndpointConfigName: name }, ops);
  for (;;) {
    const status = ops.store.endpoints.get(ops.region, name)?.status;
    if (status === 'InService') {
      break;
    }
    if (status !== 'Creating') {
      const reason = ops.store.endpoints.get(ops.region, name)?.failureReason ?? `its status is ${status}`;
      throw new JobFailedError(`The benchmark endpoint ${name} could not be created: ${reason}`);
    }
    await sleep(50, undefined, { signal });
  }
  t.setupMs = performance.now() - started;
  t.fleet = ops.hosting.get(ops.region, name)?.fleets.get(VARIANT);
  if (!t.fleet) {
    throw new JobFailedError(`The benchmark endpoint ${name} is InService but has no ${VARIANT} variant.`);
  }
}

/** Deletes whatever of the endpoint, its config and its own model exists, and waits until its containers are gone (bounded: 60 s). */
export async function removeTemporary(ops: OperationContext, t: TemporaryEndpoint): Promise<void> {
  for (let i = 0; i < 1200 && ops.store.endpoints.get(ops.region, t.name)?.status === 'Creating'; i++) {
    await sleep(50);
  }
  if (ops.store.endpoints.get(ops.region, t.name)) {
    try {
      await deleteEndpoint({ EndpointName: t.name }, ops);
    } catch (err) {
      ops.log.warn({ endpoint: t.name, err: (err as Error).message }, 'could not delete a benchmark endpoint');
    }
  }
  for (let i = 0; i < 1200 && ops.store.endpoints.get(ops.region, t.name); i++) {
    await sleep(50);
  }
  if (ops.store.endpointConfigs.get(ops.region, t.name)) {
    await deleteEndpointConfig({ EndpointConfigName: t.name }, ops);
  }
  if (t.ownModel && ops.store.models.get(ops.region, t.ownModel)) {
    await deleteModel({ ModelName: t.ownModel }, ops);
  }
}
