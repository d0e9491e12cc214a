import { bringUp } from './bring-up.js';
import type { HostingContext } from './hosting-context.js';
import { tearDown } from './tear-down.js';

/**
 * After a restart: endpoints that were serving come back without anyone
 * asking, ones caught mid-creation are created again, ones caught
 * mid-deletion finish deleting. Each piece of work goes to `run`, which
 * keeps track of it.
 */
export function restoreAll(ctx: HostingContext, run: (work: Promise<void>) => void): void {
  for (const { region, doc } of ctx.store.endpoints.all()) {
    if (doc.status === 'InService' || doc.status === 'Updating' || doc.status === 'SystemUpdating') {
      ctx.log.info({ endpoint: doc.name }, 'restoring endpoint');
      // An update cut short by the restart is dropped: the endpoint comes back on the config it served.
      run(bringUp(ctx, region, { ...doc, pending: undefined }, 'InService'));
    } else if (doc.status === 'Creating') {
      run(bringUp(ctx, region, doc, 'Creating'));
    } else if (doc.status === 'Deleting') {
      run(tearDown(ctx, region, doc.name));
    }
  }
}
