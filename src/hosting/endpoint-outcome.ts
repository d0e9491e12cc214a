import { EndpointTransitionError, type EndpointChange, moveLiveStatus, transitionEndpoint } from '../store/endpoint-lifecycle.js';
import type { DeployedImage, EndpointRecord, EndpointStatus, VariantState } from '../store/records.js';
import type { EndpointDeployment } from './endpoint-deployment.js';
import { StartupError } from './errors.js';
import type { HostingContext } from './hosting-context.js';

/** FailureReason is at most 1024 characters (DescribeEndpointOutput). */
const MAX_FAILURE_REASON = 1024;

/**
 * A workflow's outcome: the endpoint's live mirror and stored record move to
 * `to` together, through the endpoint lifecycle. A deployment that was
 * cancelled meanwhile (deleted, reset, shut down) writes nothing; a move the
 * lifecycle refuses (the record went to Deleting meanwhile) is logged and
 * dropped.
 */
export function settle(
  ctx: HostingContext,
  deployment: EndpointDeployment,
  to: EndpointStatus,
  change: (current: EndpointRecord) => EndpointChange,
): void {
  if (deployment.cancelled) {
    return;
  }
  try {
    moveLiveStatus(deployment.live, to);
    transitionEndpoint(ctx.store, deployment.region, deployment.name, to, (e) => ({ ...change(e), lastModifiedTime: ctx.clock.now() }));
  } catch (err) {
    if (!(err instanceof EndpointTransitionError)) {
      throw err;
    }
    ctx.log.warn({ endpoint: deployment.name, err: err.message }, 'endpoint status change dropped');
  }
}

/** A FailureReason cut to the length DescribeEndpoint allows. */
export const failureReason = (text: string) => text.slice(0, MAX_FAILURE_REASON);

/** Why a workflow failed: a StartupError says it in its own words, anything else is an internal error. */
export function failureText(err: unknown, doing: string): string {
  return err instanceof StartupError ? err.message : `Internal error while ${doing}: ${(err as Error).message}`;
}

/** Variant states once the fleets run: the desired values became the current ones. */
export function settledVariants(states: VariantState[], deployment: EndpointDeployment, images?: Map<string, DeployedImage[]>): VariantState[] {
  return states.map((v) => ({
    ...v,
    CurrentWeight: v.DesiredWeight,
    ...(v.DesiredInstanceCount !== undefined ? { CurrentInstanceCount: deployment.fleets.get(v.VariantName)?.instanceCount() ?? 0 } : {}),
    ...(v.DesiredServerlessConfig ? { CurrentServerlessConfig: v.DesiredServerlessConfig } : {}),
    ...(images?.get(v.VariantName) ? { DeployedImages: images.get(v.VariantName) } : {}),
  }));
}
