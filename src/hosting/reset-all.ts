import fs from 'node:fs/promises';
import { drainFleet } from './fleet.js';
import { removeStrays } from './gateway-containers.js';
import type { HostingContext } from './hosting-context.js';

/** How long requests in flight get to finish when everything is reset; then they are cut. */
const RESET_GRACE_MS = 1000;

/**
 * POST /_emulator/reset's hosting side: every deployment is forgotten at once
 * (a new request finds no endpoint), requests in flight get a short grace,
 * every container this gateway started is removed, and the artifact
 * directories go. The store is the caller's to clear; afterwards, endpoints
 * deploy as on a fresh start. `inProgress` is the work still running
 * (bring-ups, roll-outs…): it sees its deployment cancelled and stops what it
 * started.
 */
export async function resetAll(ctx: HostingContext, inProgress: () => Promise<unknown>[]): Promise<void> {
  const deployments = ctx.registry.takeAll();
  for (const d of deployments) {
    d.cancelled = true;
  }
  await Promise.all(deployments.flatMap((d) => d.allFleets().map((f) => drainFleet(f, RESET_GRACE_MS, 0))));
  await Promise.allSettled(inProgress());
  for (const d of deployments) {
    ctx.metrics?.forgetEndpoint(d.name);
  }
  await removeStrays(ctx);
  await fs.rm(ctx.factory.artifactsHome(), { recursive: true, force: true });
  ctx.log.info({ endpoints: deployments.length }, 'hosting reset: every endpoint stopped and forgotten');
}
