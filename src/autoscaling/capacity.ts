import type { EndpointStatus } from '../store/records.js';
import type { SageMakerDimension } from './records.js';

/**
 * What Application Auto Scaling needs from SageMaker: read a variant's
 * capacity, ask for a new one, and learn when the change is done. The real
 * adapter (sagemaker-capacity.ts) goes through the control plane's own
 * UpdateEndpointWeightsAndCapacities; unit tests of the policy logic use a fake.
 */
export interface VariantView {
  endpointArn: string;
  endpointStatus: EndpointStatus;
  /** The endpoint's config has AsyncInferenceConfig: it may scale to 0 instances. */
  async: boolean;
  serverless: boolean;
  instanceType?: string;
  /** DesiredInstanceCount (instance variants). */
  desiredInstanceCount?: number;
  /** The desired serverless ProvisionedConcurrency; undefined when the variant has none. */
  provisionedConcurrency?: number;
  /** Serverless MaxConcurrency: provisioned concurrency cannot exceed it. */
  maxConcurrency?: number;
}

export type VariantLookup =
  | { found: 'no-endpoint'; endpointArn: string }
  | { found: 'no-variant'; endpointArn: string }
  | { found: 'yes'; variant: VariantView };

/** `unscalable`: the endpoint is busy (an update in progress) and the change may succeed later. */
export type RequestOutcome = { ok: true } | { ok: false; unscalable: boolean; reason: string };

/** `timedOut`: the endpoint never came back InService within the adapter's bound. */
export type SettledOutcome = { ok: true } | { ok: false; timedOut: boolean; reason: string };

export interface CapacityAdapter {
  lookup(region: string, endpointName: string, variantName: string): VariantLookup;
  /** Asks SageMaker for the new capacity; resolves once the request is accepted or refused. */
  request(region: string, endpointName: string, variantName: string, dimension: SageMakerDimension, capacity: number): Promise<RequestOutcome>;
  /** Resolves when the endpoint is done with the change (or never will be); rejects only when `signal` aborts. */
  settled(
    region: string,
    endpointName: string,
    variantName: string,
    dimension: SageMakerDimension,
    capacity: number,
    signal: AbortSignal,
  ): Promise<SettledOutcome>;
}

/** The capacity a dimension reads: the desired instance count, or the desired provisioned concurrency (0 when none). */
export function capacityOf(view: VariantView, dimension: SageMakerDimension): number {
  return dimension === 'sagemaker:variant:DesiredInstanceCount' ? (view.desiredInstanceCount ?? 0) : (view.provisionedConcurrency ?? 0);
}

/** Statuses in which SageMaker is busy with the endpoint: a scaling request would be refused for now, not for good. */
const BUSY: ReadonlySet<EndpointStatus> = new Set<EndpointStatus>(['Creating', 'Updating', 'SystemUpdating', 'RollingBack']);

export const isBusy = (status: EndpointStatus) => BUSY.has(status);
