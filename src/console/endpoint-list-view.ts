import { statusBadge } from './format.js';
import { type Html, html } from './html.js';
import { page } from './layout.js';
import { endpointHref, formatCount, formatUsd } from './endpoint-format.js';
import type { EndpointSummary, VariantSummary } from './endpoint-summary.js';

/**
 * The console's home: every endpoint, one table body per endpoint and one
 * row per variant in it. The table is a fragment htmx fetches again every
 * 2 s and swaps whole (outerHTML), so statuses, counts and costs move without
 * a reload; the page keeps nothing else that the swap could lose.
 */

export const LIST_FRAGMENT_PATH = '/console/endpoints-table';

export function endpointsPage(endpoints: readonly EndpointSummary[], defaultRegion: string): Html {
  return page(
    'Endpoints',
    'endpoints',
    html`<h1>Endpoints</h1>
<p class="muted">Every endpoint of every region, newest first. Invocations and errors are the last 60 s of the CloudWatch metrics; the cost is <code>sagemaker_estimated_cost_usd_total</code>.</p>
${endpointsTable(endpoints, defaultRegion)}`,
  );
}

/** The live table (also the polled fragment). */
export function endpointsTable(endpoints: readonly EndpointSummary[], defaultRegion: string): Html {
  return html`<div id="endpoints-live" hx-get="${LIST_FRAGMENT_PATH}" hx-trigger="every 2s" hx-swap="outerHTML" data-testid="endpoints-live" data-count="${endpoints.length}">
${
  endpoints.length === 0
    ? html`<p data-testid="no-endpoints">No endpoints yet. Create one through the API (CreateEndpoint) and it appears here.</p>`
    : html`<table class="endpoints" data-testid="endpoints-table">
<thead><tr>
  <th scope="col">Endpoint</th><th scope="col">Status</th><th scope="col">Type</th><th scope="col">Variant</th>
  <th scope="col">Weight</th><th scope="col">Capacity</th><th scope="col">Invocations/min</th><th scope="col">Errors/min</th>
  <th scope="col">Cost so far</th>
</tr></thead>
${endpoints.map((e) => endpointRows(e, defaultRegion))}
</table>`
}
</div>`;
}

function endpointRows(e: EndpointSummary, defaultRegion: string): Html {
  const span = Math.max(1, e.variants.length);
  const first = html`<th scope="rowgroup" rowspan="${span}">
    <a href="${endpointHref(e.name, e.region, defaultRegion)}" data-testid="endpoint-link">${e.name}</a>
    ${e.region === defaultRegion ? '' : html` <span class="region" data-testid="region">${e.region}</span>`}
  </th>
  <td rowspan="${span}">${endpointStatus(e)}</td>
  <td rowspan="${span}" data-testid="type">${e.type}</td>`;
  const cost = html`<td rowspan="${span}" data-testid="cost" data-usd="${e.costUsd}">${formatUsd(e.costUsd)}</td>`;
  if (e.variants.length === 0) {
    return html`<tbody data-testid="endpoint-row" data-endpoint="${e.name}" data-region="${e.region}" data-status="${e.status}"><tr>${first}<td colspan="5"></td>${cost}</tr></tbody>`;
  }
  return html`<tbody data-testid="endpoint-row" data-endpoint="${e.name}" data-region="${e.region}" data-status="${e.status}">
${e.variants.map((v, i) => html`<tr data-variant="${v.name}">${i === 0 ? first : ''}${variantCells(v)}${i === 0 ? cost : ''}</tr>`)}
</tbody>`;
}

/** The status, with the FailureReason as a tooltip and, shortened, on a line of its own. */
export function endpointStatus(e: Pick<EndpointSummary, 'status' | 'failureReason'>): Html {
  const reason = e.failureReason;
  return html`${statusBadge(e.status, { testId: 'status', ...(reason ? { title: reason } : {}) })}${
    reason ? html`<div class="failure" data-testid="failure-reason">${reason.length > 160 ? `${reason.slice(0, 160)}…` : reason}</div>` : ''
  }`;
}

function variantCells(v: VariantSummary): Html {
  return html`<td data-testid="variant">${v.name}</td>
  <td data-testid="weight">${weightText(v)}</td>
  <td data-testid="capacity">${capacityText(v)}</td>
  <td data-testid="invocations" data-value="${v.invocationsPerMinute}">${formatCount(v.invocationsPerMinute)}</td>
  <td data-testid="errors" data-value="${v.errorsPerMinute}"${v.errorsPerMinute > 0 ? html` class="bad"` : ''}>${formatCount(v.errorsPerMinute)}</td>`;
}

export function weightText(v: Pick<VariantSummary, 'currentWeight' | 'desiredWeight'>): string {
  return v.currentWeight === v.desiredWeight ? String(v.currentWeight) : `${v.currentWeight} → ${v.desiredWeight}`;
}

/** `ml.m5.large × 1/2` (current/desired instances), or `serverless 2048 MB, max 5, provisioned 1`. */
export function capacityText(v: VariantSummary): string {
  if (v.serverless) {
    const s = v.serverless;
    const now = `serverless ${s.MemorySizeInMB} MB, max ${s.MaxConcurrency}${s.ProvisionedConcurrency ? `, provisioned ${s.ProvisionedConcurrency}` : ''}`;
    const d = v.desiredServerless;
    return d ? `${now} → max ${d.MaxConcurrency}${d.ProvisionedConcurrency ? `, provisioned ${d.ProvisionedConcurrency}` : ''}` : now;
  }
  return `${v.instanceType ?? '?'} × ${v.currentInstanceCount ?? 0}/${v.desiredInstanceCount ?? 0}`;
}
