import os from 'node:os';
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
  const orphans = containers.filter((c) => {
    const l = c.labels;
    if (l[labels.gateway] === ctx.gatewayId) {
      return false;
    }
    if (l[labels.stateDir] === ctx.config.stateDir) {
      return true;
    }
    return l[labels.gatewayHost] === os.hostname() && !processAlive(Number(l[labels.gatewayPid]));
  });
  await Promise.all(orphans.map((c) => ctx.docker.remove(c.id, 0)));
  if (orphans.length > 0) {
    ctx.log.info({ removed: orphans.map((o) => o.name) }, 'removed containers of a previous gateway');
  }
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
  return strays.length;
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
