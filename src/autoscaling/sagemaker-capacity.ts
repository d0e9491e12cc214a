import { randomUUID } from 'node:crypto';
import type { OperationContext } from '../control-plane/context.js';
import { updateEndpointWeightsAndCapacities } from '../control-plane/endpoint-updates.js';
import { AwsError } from '../protocol/aws-error.js';
import { arnOf, endpointKind } from '../resources/kinds.js';
import { sleepOn, type Clock } from '../shared/clock.js';
import type { CapacityAdapter, RequestOutcome, SettledOutcome, VariantLookup } from './capacity.js';
import { isBusy } from './capacity.js';
import type { SageMakerDimension } from './records.js';

export interface SageMakerCapacityDeps {
  sageMakerContext: (region: string) => OperationContext;
  clock: Clock;
  /**
   * How often the store is read while an endpoint updates (default 100 ms: one
   * row read, and an activity ends within a tenth of a second of the endpoint
   * going InService, which matters at SME_METRIC_PERIOD_SECONDS=1).
   */
  pollMs?: number;
  /** How long an update may take before the activity is Unfulfilled (default 1 h). */
  timeoutMs?: number;
}

/**
 * Scales through the control plane's own UpdateEndpointWeightsAndCapacities
 * handler, so a scaling change is exactly what a user's call would be: the
 * endpoint goes Updating, keeps serving, and comes back InService.
 */
export class SageMakerCapacity implements CapacityAdapter {
  private readonly pollMs: number;
  private readonly timeoutMs: number;

  constructor(private readonly deps: SageMakerCapacityDeps) {
    this.pollMs = deps.pollMs ?? 100;
    this.timeoutMs = deps.timeoutMs ?? 3_600_000;
  }

  lookup(region: string, endpointName: string, variantName: string): VariantLookup {
    const ctx = this.deps.sageMakerContext(region);
    const e = ctx.store.endpoints.get(region, endpointName);
    const endpointArn = e?.arn ?? arnOf(endpointKind, region, ctx.accountId, endpointName);
    if (!e) {
      return { found: 'no-endpoint', endpointArn };
    }
    const state = e.variants.find((v) => v.VariantName === variantName);
    const spec = e.config.spec.ProductionVariants.find((v) => v.VariantName === variantName);
    if (!state || !spec) {
      return { found: 'no-variant', endpointArn };
    }
    const serverless = state.CurrentServerlessConfig !== undefined;
    const serverlessConfig = state.DesiredServerlessConfig ?? state.CurrentServerlessConfig;
    return {
      found: 'yes',
      variant: {
        endpointArn,
        endpointStatus: e.status,
        async: e.config.spec.AsyncInferenceConfig !== undefined,
        serverless,
        ...(spec.InstanceType ? { instanceType: spec.InstanceType } : {}),
        ...(state.DesiredInstanceCount !== undefined ? { desiredInstanceCount: state.DesiredInstanceCount } : {}),
        ...(serverlessConfig?.ProvisionedConcurrency !== undefined ? { provisionedConcurrency: serverlessConfig.ProvisionedConcurrency } : {}),
        ...(serverlessConfig ? { maxConcurrency: serverlessConfig.MaxConcurrency } : {}),
      },
    };
  }

  async request(region: string, endpointName: string, variantName: string, dimension: SageMakerDimension, capacity: number): Promise<RequestOutcome> {
    const ctx = this.deps.sageMakerContext(region);
    const e = ctx.store.endpoints.get(region, endpointName);
    if (e && isBusy(e.status)) {
      return { ok: false, unscalable: true, reason: `Endpoint ${endpointName} is in status ${e.status}.` };
    }
    try {
      await updateEndpointWeightsAndCapacities(
        {
          EndpointName: endpointName,
          DesiredWeightsAndCapacities: [
            dimension === 'sagemaker:variant:DesiredInstanceCount'
              ? { VariantName: variantName, DesiredInstanceCount: capacity }
              : { VariantName: variantName, ServerlessUpdateConfig: { ProvisionedConcurrency: capacity } },
          ],
        },
        { ...ctx, requestId: randomUUID() },
      );
      return { ok: true };
    } catch (err) {
      return { ok: false, unscalable: false, reason: sageMakerReason(err) };
    }
  }

  async settled(
    region: string,
    endpointName: string,
    variantName: string,
    dimension: SageMakerDimension,
    capacity: number,
    signal: AbortSignal,
  ): Promise<SettledOutcome> {
    const deadline = this.deps.clock.now() + this.timeoutMs;
    const store = this.deps.sageMakerContext(region).store;
    // Bounded: one read per poll until the deadline.
    for (let polls = 0; polls <= Math.ceil(this.timeoutMs / this.pollMs); polls++) {
      const e = store.endpoints.get(region, endpointName);
      if (!e || e.status === 'Deleting') {
        return { ok: false, timedOut: false, reason: `Endpoint ${endpointName} was deleted.` };
      }
      if (e.status === 'Failed') {
        return { ok: false, timedOut: false, reason: e.failureReason ?? `Endpoint ${endpointName} failed.` };
      }
      if (e.status === 'InService') {
        if (e.failureReason) {
          return { ok: false, timedOut: false, reason: e.failureReason };
        }
        const v = e.variants.find((x) => x.VariantName === variantName);
        const now =
          dimension === 'sagemaker:variant:DesiredInstanceCount'
            ? v?.CurrentInstanceCount
            : v?.CurrentServerlessConfig?.ProvisionedConcurrency;
        return now === capacity || (now === undefined && capacity === 0)
          ? { ok: true }
          : { ok: false, timedOut: false, reason: `Variant ${variantName} has capacity ${String(now)} instead of ${capacity}.` };
      }
      if (this.deps.clock.now() >= deadline) {
        break;
      }
      await sleepOn(this.deps.clock, this.pollMs, signal);
    }
    return { ok: false, timedOut: true, reason: `Endpoint ${endpointName} did not return to InService in time.` };
  }
}

/**
 * A SageMaker refusal as AAS quotes it in StatusMessage:
 * `<message> (Service: AmazonSageMaker; Status Code: 400; Error Code: <code>; Request ID: <id>).`
 * (https://docs.aws.amazon.com/sagemaker/latest/dg/endpoint-scaling-query-history.html).
 */
function sageMakerReason(err: unknown): string {
  if (err instanceof AwsError) {
    return `${err.message} (Service: AmazonSageMaker; Status Code: ${err.status}; Error Code: ${err.code}; Request ID: ${randomUUID()})`;
  }
  return err instanceof Error ? err.message : String(err);
}
