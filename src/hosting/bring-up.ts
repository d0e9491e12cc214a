import type { EndpointRecord } from '../store/records.js';
import { EndpointDeployment } from './endpoint-deployment.js';
import { failureReason, failureText, settle, settledVariants } from './endpoint-outcome.js';
import type { HostingContext } from './hosting-context.js';

/**
 * Brings an endpoint up: builds and starts every variant's fleet, then routes
 * traffic to them and moves the endpoint to InService, or to Failed with a
 * FailureReason that says why. `status` is where it starts: Creating for
 * CreateEndpoint, InService for an endpoint restored after a restart (it
 * takes requests at once; they wait on `ready`).
 */
export async function bringUp(ctx: HostingContext, region: string, record: EndpointRecord, status: 'Creating' | 'InService'): Promise<void> {
  const deployment = new EndpointDeployment(region, record.name, status, record.config.spec.AsyncInferenceConfig !== undefined);
  ctx.registry.add(deployment);
  const log = ctx.log.child({ endpoint: record.name });
  let ready!: () => void;
  deployment.ready = new Promise<void>((r) => (ready = r));
  const started = ctx.clock.now();
  try {
    const { fleets, images } = await ctx.factory.startAll(region, record, record.variants, {
      reuseArtifacts: status === 'InService',
      cancelled: () => deployment.cancelled,
      onBuilt: (f) => deployment.fleets.set(f.variantName, f),
    });
    if (deployment.cancelled) {
      await Promise.all(fleets.map((f) => f.stop(0)));
      return;
    }
    deployment.route(fleets, record.variants);
    ctx.costs.startBilling(fleets);
    settle(ctx, deployment, 'InService', (e) => ({
      failureReason: undefined,
      // An update cut short by a restart is over: the endpoint serves the config it had.
      pending: undefined,
      variants: settledVariants(e.variants, deployment, images),
    }));
    log.info({ ms: ctx.clock.now() - started }, 'endpoint in service');
  } catch (err) {
    deployment.fleets.clear();
    const reason = failureText(err, 'creating the endpoint');
    log.error({ reason }, 'endpoint failed');
    settle(ctx, deployment, 'Failed', () => ({ failureReason: failureReason(reason) }));
  } finally {
    ready();
  }
}
