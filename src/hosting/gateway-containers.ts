import os from 'node:os';
import type { ManagedNetwork } from '../docker/container-client.js';
import { labels } from '../docker/labels.js';
import type { HostingContext } from './hosting-context.js';

/**
 * Containers found by their labels rather than through a fleet: the labels
 * that say which gateway started a container, the clean-up of a dead
 * gateway's containers, and of this gateway's own strays.
 */

/** Labels that say which gateway owns a container (docs/architecture.md decision 5). */
export function gatewayLabels(gatewayId: string, stateDir: string): Record<string, string> {
  return {
    [labels.managed]: 'true',
    [labels.gateway]: gatewayId,
    [labels.gatewayPid]: String(process.pid),
    [labels.gatewayHost]: os.hostname(),
    [labels.stateDir]: stateDir,
  };
}

/**
 * Removes containers left by a gateway that is gone: one that used our
 * state directory, or one on this host whose process no longer exists.
 * Containers of another live gateway are left alone.
 */
export async function removeOrphans(ctx: HostingContext): Promise<number> {
  const containers = await ctx.docker.listManaged([]);
  const orphans = containers.filter((c) => isOrphan(ctx, c.labels));
  await Promise.all(orphans.map((c) => ctx.docker.remove(c.id, 0)));
  if (orphans.length > 0) {
    ctx.log.info({ removed: orphans.map((o) => o.name) }, 'removed containers of a previous gateway');
  }
  // The isolated networks of network-isolated models carry the same labels; their containers are gone by now.
  const networks = (await ctx.docker.listManagedNetworks([])).filter((n) => isOrphan(ctx, n.labels));
  await removeNetworks(ctx, networks, 'removed isolated networks of a previous gateway');
  return orphans.length;
}

/**
 * Removes this gateway's containers that belong to no live deployment (a
 * start that lost its fleet, a removal that failed). Returns how many.
 */
export async function removeStrays(ctx: HostingContext): Promise<number> {
  const mine = await ctx.docker.listManaged([`${labels.gateway}=${ctx.gatewayId}`]);
  const strays = mine.filter((c) => !ctx.registry.get(c.labels[labels.region] ?? '', c.labels[labels.endpoint] ?? ''));
  await Promise.all(strays.map((c) => ctx.docker.remove(c.id, 0)));
  if (strays.length > 0) {
    ctx.log.info({ removed: strays.map((s) => s.name) }, 'removed containers that belong to no endpoint');
  }
  const networks = (await ctx.docker.listManagedNetworks([`${labels.gateway}=${ctx.gatewayId}`])).filter(
    (n) => !ctx.registry.get(n.labels[labels.region] ?? '', n.labels[labels.endpoint] ?? ''),
  );
  await removeNetworks(ctx, networks, 'removed isolated networks that belong to no endpoint');
  return strays.length;
}

/** A container or network of a gateway that is gone: one that used our state directory, or one on this host whose process is dead. */
function isOrphan(ctx: HostingContext, l: Record<string, string>): boolean {
  if (l[labels.gateway] === ctx.gatewayId) {
    return false;
  }
  if (l[labels.stateDir] === ctx.config.stateDir) {
    return true;
  }
  return l[labels.gatewayHost] === os.hostname() && !processAlive(Number(l[labels.gatewayPid]));
}

/** Only networks with a gateway's labels: SME_DOCKER_NETWORK's shared network (managed, but no gateway) stays. */
async function removeNetworks(ctx: HostingContext, networks: ManagedNetwork[], message: string): Promise<void> {
  const owned = networks.filter((n) => n.labels[labels.gateway] !== undefined);
  const results = await Promise.allSettled(owned.map((n) => ctx.docker.removeNetwork(n.name)));
  results.forEach((r, i) => {
    if (r.status === 'rejected') {
      ctx.log.warn({ network: owned[i]!.name, err: r.reason as Error }, 'could not remove an isolated network');
    }
  });
  if (owned.length > 0) {
    ctx.log.info({ removed: owned.map((n) => n.name) }, message);
  }
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) {
    return false;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}
