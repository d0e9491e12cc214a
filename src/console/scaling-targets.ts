import type { ScalableTargetRecord, ScheduledActionRecord } from '../autoscaling/records.js';
import type { EndpointRecord } from '../store/records.js';
import { type Html, html } from './html.js';
import { shownTime } from './format.js';

export interface TargetRow {
  region: string;
  target: ScalableTargetRecord;
  /** The endpoint the target scales, when it still exists: its variant has the current capacity. */
  endpoint?: EndpointRecord;
}

const endpointLink = (name: string) => html`<a href="/console/endpoints/${encodeURIComponent(name)}" data-endpoint="${name}">${name}</a>`;

/** The scalable targets: resource, dimension, [Min, Max], and the capacity the variant has now. */
export function targetsTable(rows: readonly TargetRow[]): Html {
  return html`<table data-testid="scalable-targets">
<caption class="visually-hidden">Scalable targets</caption>
<thead><tr><th scope="col">Resource</th><th scope="col">Region</th><th scope="col">Dimension</th><th scope="col">Min</th><th scope="col">Max</th><th scope="col">Current capacity</th><th scope="col">Suspended</th><th scope="col">Registered</th></tr></thead>
<tbody>
${
  rows.length === 0
    ? html`<tr><td colspan="8" class="muted">No scalable targets.</td></tr>`
    : rows.map(
        ({ region, target: t, endpoint }) => html`<tr data-resource-id="${t.resourceId}" data-dimension="${t.dimension}">
<th scope="row">endpoint/${endpointLink(t.endpointName)}/variant/${t.variantName}</th>
<td>${region}</td>
<td>${t.dimension}</td>
<td data-field="min">${t.minCapacity}</td>
<td data-field="max">${t.maxCapacity}</td>
<td data-field="current">${currentCapacity(t, endpoint)}</td>
<td>${suspended(t)}</td>
<td>${shownTime(t.creationTime)}</td>
</tr>`,
      )
}
</tbody>
</table>`;
}

/** The variant's instance count (or provisioned concurrency), with where it is going when that differs. */
function currentCapacity(t: ScalableTargetRecord, endpoint: EndpointRecord | undefined): Html {
  const variant =
    endpoint?.variants.find((v) => v.VariantName === t.variantName) ??
    endpoint?.variants.find((v) => v.VariantName.toLowerCase() === t.variantName.toLowerCase());
  if (!variant) {
    return html`<span class="muted">no such variant now</span>`;
  }
  const [current, desired] =
    t.dimension === 'sagemaker:variant:DesiredInstanceCount'
      ? [variant.CurrentInstanceCount, variant.DesiredInstanceCount]
      : [variant.CurrentServerlessConfig?.ProvisionedConcurrency, variant.DesiredServerlessConfig?.ProvisionedConcurrency];
  return html`<span data-field="current-capacity">${current ?? '—'}</span>${desired !== undefined && desired !== current ? html` <span class="muted">→ ${desired}</span>` : ''}`;
}

function suspended(t: ScalableTargetRecord): Html {
  const s = t.suspended;
  const which = [
    s.DynamicScalingInSuspended ? 'scale-in' : '',
    s.DynamicScalingOutSuspended ? 'scale-out' : '',
    s.ScheduledScalingSuspended ? 'scheduled' : '',
  ].filter(Boolean);
  return which.length ? html`${which.join(', ')}` : html`<span class="muted">no</span>`;
}

/** The scheduled actions: when they run, what [Min, Max] they set, and when they last ran. */
export function scheduledActionsTable(rows: readonly ScheduledActionRecord[]): Html {
  return html`<table data-testid="scheduled-actions">
<caption class="visually-hidden">Scheduled actions</caption>
<thead><tr><th scope="col">Action</th><th scope="col">Resource</th><th scope="col">Schedule</th><th scope="col">Window</th><th scope="col">Sets Min</th><th scope="col">Sets Max</th><th scope="col">Last ran</th></tr></thead>
<tbody>
${
  rows.length === 0
    ? html`<tr><td colspan="7" class="muted">No scheduled actions.</td></tr>`
    : rows.map(
        (a) => html`<tr data-scheduled-action="${a.name}" data-resource-id="${a.resourceId}">
<th scope="row">${a.name}</th>
<td>${a.resourceId}</td>
<td><code>${a.schedule}</code>${a.timezone ? html` <span class="muted">(${a.timezone})</span>` : ''}</td>
<td>${a.startTime === undefined && a.endTime === undefined ? html`<span class="muted">always</span>` : html`${shownTime(a.startTime)} – ${shownTime(a.endTime)}`}</td>
<td>${a.action.MinCapacity ?? '—'}</td>
<td>${a.action.MaxCapacity ?? '—'}</td>
<td>${shownTime(a.lastFiredAt)}</td>
</tr>`,
      )
}
</tbody>
</table>`;
}
