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
  /** Brings the fleet to its initial size; rejects with a StartupError if it cannot. */
  start(): Promise<void>;
  /** An instance to send one request to; waits while capacity is coming, rejects when there is none. */
  acquire(signal: AbortSignal): Promise<Lease>;
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
  /** Ids of the containers that are up (ready or busy). */
  containerIds(): string[];
  stop(graceSeconds: number): Promise<void>;
}

export interface FleetStats {
  inFlight: number;
  maxConcurrency?: number;
  containers: { starting: number; ready: number; busy: number };
}
