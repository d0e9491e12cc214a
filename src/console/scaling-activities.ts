import type { ScalingActivityRecord } from '../autoscaling/records.js';
import { type Html, html } from './html.js';
import { shownTime, statusBadge } from './format.js';

/** Activities shown at most: the newest; DescribeScalingActivities has the rest. */
export const SHOWN_ACTIVITIES = 50;

/** Newest first, as DescribeScalingActivities orders them (insertion order breaks ties of StartTime). */
export function newestActivitiesFirst(a: ScalingActivityRecord, b: ScalingActivityRecord): number {
  return b.startTime - a.startTime || b.seq - a.seq;
}

/** The recent scaling activities of every target: what was set, why, and how it went. */
export function activitiesTable(activities: readonly ScalingActivityRecord[], total: number): Html {
  return html`<table data-testid="scaling-activities">
<caption class="visually-hidden">Scaling activities, newest first</caption>
<thead><tr><th scope="col">Started</th><th scope="col">Resource</th><th scope="col">Description</th><th scope="col">Cause</th><th scope="col">Status</th><th scope="col">Ended</th></tr></thead>
<tbody>
${
  activities.length === 0
    ? html`<tr><td colspan="6" class="muted">No scaling activities yet.</td></tr>`
    : activities.map(
        (a) => html`<tr data-activity="${a.activityId}" data-resource-id="${a.resourceId}">
<td>${shownTime(a.startTime)}</td>
<td>${a.resourceId}</td>
<th scope="row" data-field="description">${a.description}</th>
<td data-field="cause">${a.cause}</td>
<td>${statusBadge(a.statusCode)}${a.statusMessage ? html`<br><span class="muted" data-field="status-message">${a.statusMessage}</span>` : ''}${
          a.notScaledReasons?.length ? html`<br><span class="muted">not scaled: ${a.notScaledReasons.map((r) => r.Code).join(', ')}</span>` : ''
        }</td>
<td>${shownTime(a.endTime)}</td>
</tr>`,
      )
}
</tbody>
</table>
${total > activities.length ? html`<p class="muted">The ${activities.length} newest of ${total} activities.</p>` : ''}`;
}
