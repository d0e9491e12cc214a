import { moveLiveStatus } from '../store/endpoint-lifecycle.js';
import type { VariantState } from '../store/records.js';
import { failureReason, failureText, settle, settledVariants } from './endpoint-outcome.js';
import type { HostingContext } from './hosting-context.js';
import { ProvisionedFleet } from './provisioned-fleet.js';
import { ServerlessFleet } from './serverless-fleet.js';

/**
 * UpdateEndpointWeightsAndCapacities: instance counts and serverless
 * concurrency change in place (new instances start before old ones drain),
 * then the new weights take effect and the endpoint is InService again. If
 * capacity cannot be reached, the variant goes back to what it had.
 */
export async function resize(ctx: HostingContext, region: string, name: string, variants: VariantState[]): Promise<void> {
  const deployment = ctx.registry.get(region, name);
  const before = ctx.store.endpoints.get(region, name)?.variants;
  if (!deployment || !before) {
    return;
  }
  // The control plane stored Updating; the mirror follows (the fleets keep serving).
  moveLiveStatus(deployment.live, 'Updating');
  const log = ctx.log.child({ endpoint: name });
  try {
    await Promise.all(
      variants.map(async (v) => {
        const fleet = deployment.fleets.get(v.VariantName);
        if (fleet instanceof ProvisionedFleet && v.DesiredInstanceCount !== undefined) {
          await fleet.scaleTo(v.DesiredInstanceCount);
        } else if (fleet instanceof ServerlessFleet && v.DesiredServerlessConfig) {
          await fleet.reconfigure({
            maxConcurrency: v.DesiredServerlessConfig.MaxConcurrency,
            provisionedConcurrency: v.DesiredServerlessConfig.ProvisionedConcurrency ?? 0,
          });
        }
      }),
    );
    for (const v of variants) {
      deployment.weights.set(v.VariantName, v.DesiredWeight);
    }
    settle(ctx, deployment, 'InService', () => ({ variants: settledVariants(variants, deployment) }));
    log.info('endpoint weights and capacities updated');
  } catch (err) {
    const reason = failureText(err, 'changing capacity');
    log.error({ reason }, 'capacity change failed; rolling back');
    await Promise.all(
      before.map(async (v) => {
        const fleet = deployment.fleets.get(v.VariantName);
        // Back to the count it was asked to hold, not the one it happened to have (a replacement
        // may have been starting: rolling back to that count would leave the fleet short for good).
        const target = v.DesiredInstanceCount ?? v.CurrentInstanceCount;
        if (fleet instanceof ProvisionedFleet && target !== undefined) {
          await fleet.scaleTo(target).catch(() => undefined);
        }
      }),
    );
    settle(ctx, deployment, 'InService', () => ({
      variants: before,
      failureReason: failureReason(`Updating the weights and capacities failed and was rolled back: ${reason}`),
    }));
  }
}
