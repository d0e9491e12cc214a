import type { VariantInstances } from '../hosting/instance-views.js';
import { type Html, html } from './html.js';
import { page } from './layout.js';
import { endpointHref, formatCount } from './endpoint-format.js';
import { durationText, shownTime } from './format.js';
import { capacityText, endpointStatus, weightText } from './endpoint-list-view.js';
import { CHARTS, type ChartName } from './endpoint-metrics.js';
import { actionForms, invokeForm } from './endpoint-forms-view.js';
import type { EndpointSummary } from './endpoint-summary.js';

/**
 * An endpoint's page. Three parts refresh by themselves: the live section
 * (status, variants, containers, queue: polled every 2 s and swapped whole),
 * the charts (console.js fetches their JSON every 5 s), and the log tail
 * (polled every 5 s). The forms stay outside them, so a refresh never wipes
 * what the user is typing.
 */

/** The async queue, from the latest period of the CloudWatch metric store. */
export interface QueueState {
  size: number | undefined;
  oldestAgeSeconds: number | undefined;
  withoutCapacity: number | undefined;
}

export interface EndpointDetail {
  summary: EndpointSummary;
  defaultRegion: string;
  /** An update in progress: its config and start. */
  pending: { configName: string; startTime: number } | undefined;
  instances: VariantInstances[];
  queue: QueueState | undefined;
  now: number;
}

export interface LogTail {
  variant: string;
  instanceId: string;
  text: string;
}

export function endpointDetailPage(d: EndpointDetail, logs: readonly LogTail[]): Html {
  const { summary: e, defaultRegion } = d;
  const href = (suffix: string, params: Record<string, string> = {}) => endpointHref(e.name, e.region, defaultRegion, suffix, params);
  return page(
    e.name,
    'endpoints',
    html`<p><a href="/console/">← Endpoints</a></p>
<h1 data-testid="endpoint-name">${e.name}${e.region === defaultRegion ? '' : html` <span class="region">${e.region}</span>`}</h1>
${liveSection(d)}
<section aria-labelledby="charts-heading">
  <h2 id="charts-heading">Metrics (last 15 minutes)</h2>
  <div class="charts">
    ${(Object.keys(CHARTS) as ChartName[]).map(
      (c) => html`<div class="chart" id="chart-${c}" data-testid="chart-${c}" data-chart-src="${href('/metrics.json', { metric: c })}" data-chart-title="${CHARTS[c].title}"></div>`,
    )}
  </div>
</section>
${e.type === 'async' ? '' : invokeForm(e, href('/invoke'))}
${actionForms(e, href('/capacity'), href('/delete'))}
<section aria-labelledby="logs-heading">
  <h2 id="logs-heading">Container logs</h2>
  ${logsSection(logs, href('/logs'))}
</section>`,
  );
}

/** Status, variants, containers and queue: the part htmx polls (its own fragment route answers this). */
export function liveSection(d: EndpointDetail): Html {
  const { summary: e, defaultRegion } = d;
  return html`<section id="endpoint-live" hx-get="${endpointHref(e.name, e.region, defaultRegion, '/live')}" hx-trigger="every 2s" hx-swap="outerHTML" data-testid="endpoint-live" data-status="${e.status}">
<dl class="summary">
  <dt>Status</dt><dd>${endpointStatus(e)}</dd>
  <dt>Type</dt><dd data-testid="type">${e.type}</dd>
  <dt>Endpoint config</dt><dd data-testid="config-name">${e.configName}</dd>
  <dt>ARN</dt><dd><code>${e.arn}</code></dd>
  <dt>Created</dt><dd data-testid="created">${shownTime(e.creationTime)}</dd>
  <dt>Last modified</dt><dd data-testid="modified">${shownTime(e.lastModifiedTime)}</dd>
  ${lastUpdate(d)}
</dl>
<h2>Variants</h2>
<table data-testid="variants">
<thead><tr><th scope="col">Variant</th><th scope="col">Weight</th><th scope="col">Capacity</th><th scope="col">Invocations/min</th><th scope="col">Errors/min</th></tr></thead>
<tbody>${e.variants.map(
    (v) => html`<tr data-variant="${v.name}"><th scope="row">${v.name}</th><td data-testid="weight">${weightText(v)}</td><td data-testid="capacity">${capacityText(v)}</td><td>${formatCount(v.invocationsPerMinute)}</td><td>${formatCount(v.errorsPerMinute)}</td></tr>`,
  )}</tbody>
</table>
<h2>Containers</h2>
${containersTable(d)}
${d.queue ? queueList(d.queue) : ''}
</section>`;
}

/** What replaces the live section once the endpoint is gone: no trigger, so the polling stops. */
export function goneSection(name: string): Html {
  return html`<section id="endpoint-live" data-testid="endpoint-live" data-status="gone"><p class="muted">The endpoint ${name} no longer exists. <a href="/console/">Back to the endpoints</a>.</p></section>`;
}

function lastUpdate(d: EndpointDetail): Html {
  const e = d.summary;
  if (d.pending) {
    return html`<dt>Update</dt><dd data-testid="last-update">in progress since ${shownTime(d.pending.startTime)}, to config ${d.pending.configName}</dd>`;
  }
  if (e.failureReason && e.status !== 'Failed') {
    // InService with a FailureReason: the last update failed and was rolled back (hosting's roll-out).
    return html`<dt>Last update</dt><dd class="bad" data-testid="last-update">failed and rolled back: ${e.failureReason}</dd>`;
  }
  if (e.status === 'Failed' && e.failureReason) {
    return html`<dt>FailureReason</dt><dd class="bad" data-testid="failure-full"><pre class="reason">${e.failureReason}</pre></dd>`;
  }
  return html``;
}

function containersTable(d: EndpointDetail): Html {
  const rows = d.instances.flatMap((v) => v.instances.map((i) => ({ variant: v, i })));
  if (rows.length === 0) {
    return html`<p data-testid="no-containers" class="muted">${
      d.summary.type === 'serverless' ? 'No container is running: a serverless variant starts one on the next request.' : 'No container is running.'
    }</p>`;
  }
  const multiModel = d.summary.type === 'multi-model';
  return html`<table data-testid="containers">
<thead><tr><th scope="col">Variant</th><th scope="col">Instance</th><th scope="col">Container</th><th scope="col">State</th><th scope="col">Age</th><th scope="col">In flight</th>${
    multiModel ? html`<th scope="col">Loaded models</th>` : ''
  }</tr></thead>
<tbody>${rows.map(
    ({ variant, i }) => html`<tr data-testid="container" data-instance="${i.instanceId}" data-variant="${variant.variant}">
  <td>${variant.variant}${variant.incoming ? html` <span class="muted">(update)</span>` : ''}</td>
  <td><code>${i.instanceId}</code></td>
  <td><code data-testid="container-id">${i.containerId?.slice(0, 12) ?? '—'}</code></td>
  <td class="state-${i.status}" data-testid="container-state">${i.status}</td>
  <td data-testid="container-age">${durationText(d.now - i.createdAt)}</td>
  <td>${i.inFlight}</td>
  ${multiModel ? html`<td data-testid="loaded-models">${(i.loadedModels ?? []).join(', ') || '—'}</td>` : ''}
</tr>`,
  )}</tbody>
</table>`;
}

function queueList(q: QueueState): Html {
  const show = (n: number | undefined, unit = '') => (n === undefined ? '—' : `${n}${unit}`);
  return html`<h2>Async queue</h2>
<dl class="summary" data-testid="queue">
  <dt>ApproximateBacklogSize</dt><dd data-testid="backlog">${show(q.size)}</dd>
  <dt>ApproximateAgeOfOldestRequest</dt><dd>${show(q.oldestAgeSeconds, ' s')}</dd>
  <dt>HasBacklogWithoutCapacity</dt><dd>${show(q.withoutCapacity)}</dd>
</dl>
<p class="muted">Maxima of the latest metric period.</p>`;
}

/** The log tails, one block per container (the polled fragment). */
export function logsSection(logs: readonly LogTail[], href: string): Html {
  return html`<div id="endpoint-logs" hx-get="${href}" hx-trigger="every 5s" hx-swap="outerHTML" data-testid="logs">
${
  logs.length === 0
    ? html`<p class="muted">No container, no logs.</p>`
    : logs.map(
        (l) => html`<h3>${l.variant} · <code>${l.instanceId}</code></h3>
<pre class="logs" data-testid="log-tail" data-instance="${l.instanceId}">${l.text || '(nothing logged yet)'}</pre>`,
      )
}
</div>`;
}
