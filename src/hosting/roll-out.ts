import fs from 'node:fs/promises';
import { moveLiveStatus } from '../store/endpoint-lifecycle.js';
import type { EndpointRecord } from '../store/records.js';
import { failureReason, failureText, settle, settledVariants } from './endpoint-outcome.js';
import { drainFleet } from './fleet.js';
import { type HostingContext, STOP_GRACE_SECONDS } from './hosting-context.js';

/** What UpdateEndpoint brings: the new config, its models and their live state. */
export type EndpointUpdate = Pick<EndpointRecord, 'config' | 'models' | 'configTags' | 'variants'>;

/**
 * UpdateEndpoint, blue/green: the new config's fleets start beside the old
 * ones, which keep serving; once every new container is healthy, traffic
 * switches in one step and the old fleets drain (their requests finish) and
 * are removed. If the new fleets cannot start, the endpoint stays on its old
 * config and ends InService with a FailureReason that says why.
 */
export async function rollOut(ctx: HostingContext, region: string, name: string, next: EndpointUpdate): Promise<void> {
  const deployment = ctx.registry.get(region, name);
  const current = ctx.store.endpoints.get(region, name);
  if (!deployment || !current) {
    return;
  }
  const log = ctx.log.child({ endpoint: current.name, endpointConfig: next.config.name });
  // The control plane stored Updating; the mirror follows (the old fleets keep serving).
  moveLiveStatus(deployment.live, 'Updating');
  const source = { ...current, ...next };
  try {
    const { fleets, images } = await ctx.factory.startAll(region, source, next.variants, {
      reuseArtifacts: false,
      cancelled: () => deployment.cancelled,
      onBuilt: (f) => deployment.incoming.add(f),
    });
    deployment.incoming.clear();
    if (deployment.cancelled) {
      await Promise.all(fleets.map((f) => f.stop(0)));
      return;
    }
    const old = [...deployment.fleets.values()];
    deployment.route(fleets, next.variants);
    ctx.costs.startBilling(fleets);
    settle(ctx, deployment, 'InService', () => ({
      ...next,
      configName: next.config.name,
      failureReason: undefined,
      pending: undefined,
      variants: settledVariants(next.variants, deployment, images),
    }));
    log.info('endpoint updated: traffic switched to the new fleet; draining the old one');
    await Promise.all(old.map((f) => drainFleet(f, ctx.config.invocationTimeoutMs + 1000, STOP_GRACE_SECONDS)));
    const oldDir = ctx.factory.artifactDir(region, current, '');
    if (oldDir !== ctx.factory.artifactDir(region, source, '')) {
      await fs.rm(oldDir, { recursive: true, force: true });
    }
  } catch (err) {
    deployment.incoming.clear();
    const reason = failureText(err, 'updating the endpoint');
    log.error({ reason }, 'endpoint update failed; rolled back');
    settle(ctx, deployment, 'InService', (e) => ({
      pending: undefined,
      failureReason: failureReason(
        `The update to endpoint configuration "${next.config.name}" failed and the endpoint was rolled back to "${e.configName}": ${reason}`,
      ),
    }));
  }
}
