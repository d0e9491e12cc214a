import { AutoScalingTables } from '../autoscaling/tables.js';
import type { ConsoleDeps } from './console-context.js';
import { type Html, html } from './html.js';
import { livePanel, page } from './layout.js';
import { type ConsoleRoute, sendHtml } from './router.js';
import { activitiesTable, newestActivitiesFirst, SHOWN_ACTIVITIES } from './scaling-activities.js';
import { policiesTable } from './scaling-policies.js';
import { scheduledActionsTable, type TargetRow, targetsTable } from './scaling-targets.js';

/**
 * The scaling view (`GET /console/scaling`): Application Auto Scaling's
 * targets, policies (with their alarms' state), scheduled actions and recent
 * activities, in every region. The whole of it is refreshed by htmx from
 * `/scaling/live` every 2 s, so a scale-out shows as it happens.
 */
export function scalingRoutes(deps: ConsoleDeps): ConsoleRoute[] {
  const tables = new AutoScalingTables(deps.store);
  return [
    {
      method: 'GET',
      path: /^\/scaling$/,
      handle: (_req, res) => {
        const body = html`<h1>Scaling</h1>
${livePanel('scaling-live', '/console/scaling/live', scalingSections(deps, tables))}`;
        sendHtml(res, 200, page('Scaling', 'scaling', body));
      },
    },
    { method: 'GET', path: /^\/scaling\/live$/, handle: (_req, res) => sendHtml(res, 200, scalingSections(deps, tables)) },
  ];
}

function scalingSections(deps: ConsoleDeps, tables: AutoScalingTables): Html {
  const byResource = <T extends { resourceId: string }>(a: T, b: T) => a.resourceId.localeCompare(b.resourceId);
  const targets = tables.targets
    .all()
    .sort((a, b) => byResource(a.doc, b.doc))
    .map(({ region, doc }): TargetRow => {
      const endpoint = deps.store.endpoints.get(region, doc.endpointName);
      return { region, target: doc, ...(endpoint ? { endpoint } : {}) };
    });
  const policies = tables.policies
    .all()
    .sort((a, b) => byResource(a.doc, b.doc) || a.doc.name.localeCompare(b.doc.name))
    .map(({ region, doc }) => ({ region, policy: doc }));
  const actions = tables.actions
    .all()
    .map(({ doc }) => doc)
    .sort((a, b) => byResource(a, b) || a.name.localeCompare(b.name));
  const activities = tables.activities
    .all()
    .map(({ doc }) => doc)
    .sort(newestActivitiesFirst);
  return html`<section aria-labelledby="targets-heading">
<h2 id="targets-heading">Scalable targets</h2>
${targetsTable(targets)}
</section>
<section aria-labelledby="policies-heading">
<h2 id="policies-heading">Policies</h2>
${policiesTable(policies, deps.cloudWatch.alarms)}
</section>
<section aria-labelledby="scheduled-heading">
<h2 id="scheduled-heading">Scheduled actions</h2>
${scheduledActionsTable(actions)}
</section>
<section aria-labelledby="activities-heading">
<h2 id="activities-heading">Recent activities</h2>
${activitiesTable(activities.slice(0, SHOWN_ACTIVITIES), activities.length)}
</section>`;
}
