import type { InvokeOutcome } from './endpoint-actions.js';
import { type Html, html } from './html.js';
import { formatCount } from './endpoint-format.js';
import type { EndpointSummary, VariantSummary } from './endpoint-summary.js';

/**
 * The detail page's forms and what their routes answer. Each form posts with
 * htmx and swaps the answer into its result element (outerHTML: the answer
 * is the element); without JavaScript it posts as a plain form. Failures
 * come back as 200 fragments with the AWS error's text, since htmx swaps
 * nothing of a 4xx answer.
 */

export function invokeForm(e: EndpointSummary, action: string): Html {
  const multiModel = e.type === 'multi-model';
  return html`<section aria-labelledby="invoke-heading">
<h2 id="invoke-heading">Invoke</h2>
<form id="invoke-form" class="stacked" method="post" action="${action}" hx-post="${action}" hx-target="#invoke-result" hx-swap="outerHTML" data-testid="invoke-form">
  <label for="invoke-content-type">Content type</label>
  <input id="invoke-content-type" name="contentType" value="application/json" required maxlength="1024">
  ${
    multiModel
      ? html`<label for="invoke-target-model">Target model</label>
  <input id="invoke-target-model" name="targetModel" required maxlength="1024" placeholder="model.tar.gz">`
      : ''
  }
  ${
    e.variants.length > 1
      ? html`<label for="invoke-target-variant">Target variant</label>
  <select id="invoke-target-variant" name="targetVariant"><option value="">by weight</option>${e.variants.map((v) => html`<option>${v.name}</option>`)}</select>`
      : ''
  }
  <label for="invoke-body">Body</label>
  <textarea id="invoke-body" name="body" rows="5">{"inputs": "hello"}</textarea>
  <div><button type="submit" data-testid="invoke-submit">Invoke</button></div>
</form>
${invokeResult(undefined)}
</section>`;
}

export function invokeResult(r: InvokeOutcome | undefined): Html {
  if (!r) {
    return html`<div id="invoke-result" data-testid="invoke-result"></div>`;
  }
  if (r.kind === 'failed') {
    return html`<div id="invoke-result" data-testid="invoke-result"><p class="error" role="alert">${r.error}</p></div>`;
  }
  const ok = r.status >= 200 && r.status < 300;
  return html`<div id="invoke-result" data-testid="invoke-result" data-status="${r.status}">
<dl class="summary">
  <dt>HTTP status</dt><dd data-testid="invoke-status" class="${ok ? 'good' : 'bad'}">${r.status}</dd>
  <dt>Variant</dt><dd data-testid="invoke-variant">${r.variant ?? '—'}</dd>
  <dt>Content type</dt><dd>${r.contentType ?? '—'}</dd>
  <dt>Time</dt><dd>${r.ms.toFixed(1)} ms</dd>
</dl>
<pre class="answer" data-testid="invoke-body">${r.body}</pre>
${r.truncated ? html`<p class="muted">The answer is longer: only its first 64 KB are shown.</p>` : ''}
</div>`;
}

export function actionForms(e: EndpointSummary, capacityAction: string, deleteAction: string): Html {
  return html`<section aria-labelledby="actions-heading">
<h2 id="actions-heading">Actions</h2>
<div class="capacity-forms">${e.variants.map((v) => capacityForm(e, v, capacityAction))}</div>
<form method="post" action="${deleteAction}" hx-post="${deleteAction}" hx-confirm="${`Delete the endpoint ${e.name}? Its containers stop.`}" hx-target="#action-result" hx-swap="outerHTML" data-testid="delete-form">
  <button type="submit" class="danger" data-testid="delete-submit">Delete endpoint</button>
</form>
${actionResult(undefined)}
</section>`;
}

/** UpdateEndpointWeightsAndCapacities for one variant: its weight and instance count, or its serverless concurrency. */
function capacityForm(e: EndpointSummary, v: VariantSummary, action: string): Html {
  const id = (field: string) => `${field}-${v.name}`;
  const minInstances = e.type === 'async' ? 0 : 1;
  return html`<form class="capacity" method="post" action="${action}" hx-post="${action}" hx-target="#action-result" hx-swap="outerHTML" data-testid="capacity-form" data-variant="${v.name}">
<fieldset>
  <legend>Variant ${v.name}</legend>
  <input type="hidden" name="variant" value="${v.name}">
  <label for="${id('weight')}">Weight</label>
  <input id="${id('weight')}" name="weight" type="number" min="0" step="any" required value="${formatCount(v.desiredWeight)}" data-testid="weight-input">
  ${
    v.serverless
      ? html`<label for="${id('max')}">MaxConcurrency</label>
  <input id="${id('max')}" name="maxConcurrency" type="number" min="1" max="200" step="1" value="${(v.desiredServerless ?? v.serverless).MaxConcurrency}" data-testid="max-concurrency-input">
  <label for="${id('provisioned')}">ProvisionedConcurrency</label>
  <input id="${id('provisioned')}" name="provisionedConcurrency" type="number" min="1" max="200" step="1" placeholder="unchanged" value="${(v.desiredServerless ?? v.serverless).ProvisionedConcurrency ?? ''}" data-testid="provisioned-concurrency-input">`
      : html`<label for="${id('count')}">Instance count</label>
  <input id="${id('count')}" name="instanceCount" type="number" min="${minInstances}" step="1" required value="${v.desiredInstanceCount ?? 1}" data-testid="instance-count-input">`
  }
  <button type="submit" data-testid="capacity-submit">Apply</button>
</fieldset>
</form>`;
}

/** The answer of an action: what was asked, or the error the operation threw. */
export function actionResult(outcome: { ok: boolean; text: string } | undefined): Html {
  if (!outcome) {
    return html`<div id="action-result" data-testid="action-result"></div>`;
  }
  return html`<div id="action-result" data-testid="action-result" data-ok="${outcome.ok ? 'true' : 'false'}">
<p class="${outcome.ok ? 'good' : 'error'}" role="${outcome.ok ? 'status' : 'alert'}">${outcome.text}</p></div>`;
}
