import fs from 'node:fs/promises';
import { endpointKind } from '../resources/kinds.js';
import { moveLiveStatus } from '../store/endpoint-lifecycle.js';
import { drainFleet } from './fleet.js';
import { type HostingContext, STOP_GRACE_SECONDS } from './hosting-context.js';

/**
 * DeleteEndpoint's work (the record is Deleting already): new requests are
 * refused from the first step, the ones in flight finish before the
 * containers go; then the artifacts, the record and its tags are removed.
 */
export async function tearDown(ctx: HostingContext, region: string, name: string): Promise<void> {
  const deployment = ctx.registry.get(region, name);
  if (deployment) {
    deployment.cancelled = true;
    moveLiveStatus(deployment.live, 'Deleting');
    await Promise.all([...deployment.fleets.values()].map((f) => drainFleet(f, ctx.config.invocationTimeoutMs + 1000, STOP_GRACE_SECONDS)));
    ctx.registry.remove(deployment);
  }
  const record = ctx.store.endpoints.get(region, name);
  // Metrics carry the name as the user spelled it, not the case-folded key.
  ctx.metrics?.forgetEndpoint(record?.name ?? name);
  await fs.rm(ctx.factory.artifactRoot(region, name), { recursive: true, force: true });
  if (record) {
    ctx.store.deleteResource(endpointKind, region, name, record.arn);
  }
  ctx.log.info({ endpoint: name }, 'endpoint deleted');
}
