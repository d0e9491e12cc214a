import type { ContainerExitEvent } from '../docker/container-client.js';
import type { ModelInstance } from './model-instance.js';
import type { Billing } from './pricing.js';

/** A request's hold on one instance; release it when the answer is written. */
export interface Lease {
  instance: ModelInstance;
  release(): void;
}

/** The containers of one production variant. Provisioned and serverless variants differ in how they grow. */
export interface VariantFleet {
  readonly variantName: string;
  /** Payload limit for this variant's requests (6 MB real-time, 4 MB serverless: docs/aws-contract.md §7). */
  readonly maxPayloadBytes: number;
  /** Brings the fleet to its initial size; rejects with a StartupError if it cannot (and stops what it started). */
  start(): Promise<void>;
  /** The variant's model is a multi-model container: requests name a TargetModel (docs/aws-contract.md §8.2). */
  readonly multiModel: boolean;
  /**
   * An instance to send one request to; waits while capacity is coming.
   * `targetModel` (multi-model variants) prefers an instance that has that
   * model. Rejects with NoCapacityError when there is none, ThrottledError
   * beyond a serverless MaxConcurrency, ColdStartError when the container it
   * waited for could not start, or the signal's reason when the caller gives up.
   */
  acquire(signal: AbortSignal, targetModel?: string): Promise<Lease>;
  /**
   * A request could not reach the instance: find out why (for the error the
   * caller gets), and remove and replace the instance if it is gone.
   */
  reportUnreachable(instance: ModelInstance, transportError: string): Promise<string>;
  /** Docker said one of our containers exited; true when it was one of this fleet's. */
  containerExited(event: ContainerExitEvent): boolean;
  instanceCount(): number;
  /** How the variant is billed (for the cost metric). */
  readonly billing: Billing;
  /** Requests in flight, MaxConcurrency (serverless) and containers by state, for the gauges. */
  stats(): FleetStats;
  /** Resolves once no request is in flight (an event, not a poll), or after `timeoutMs`. */
  untilIdle(timeoutMs?: number): Promise<void>;
  /** Ids of the containers that are up (ready or busy). */
  containerIds(): string[];
  /** Every instance the fleet holds now, whatever its state (read-only use: the console's detail page). */
  listInstances(): readonly ModelInstance[];
  stop(graceSeconds: number): Promise<void>;
}

export interface FleetStats {
  inFlight: number;
  maxConcurrency?: number;
  /** Serverless variants with provisioned concurrency: how much (ServerlessProvisionedConcurrencyUtilization). */
  provisionedConcurrency?: number;
  /** Multi-model variants: models loaded, summed over the instances (LoadedModelCount). */
  loadedModels?: number;
  containers: { starting: number; ready: number; busy: number };
}

/**
 * Takes a fleet out of service gently: waits for its requests in flight to
 * finish (at most `idleTimeoutMs`), then stops its containers, each getting
 * `graceSeconds` between SIGTERM and SIGKILL.
 */
export async function drainFleet(fleet: VariantFleet, idleTimeoutMs: number, graceSeconds: number): Promise<void> {
  await fleet.untilIdle(idleTimeoutMs);
  await fleet.stop(graceSeconds);
}
