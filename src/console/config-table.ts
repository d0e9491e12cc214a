import type { EndpointConfigRecord, VariantSpec } from '../store/records.js';
import { type Html, html } from './html.js';
import { shownTime } from './format.js';

/** One endpoint config as the page shows it: the record, its region, and the endpoints that use it. */
export interface ConfigRow {
  region: string;
  config: EndpointConfigRecord;
  /** Endpoints (same region) whose current config, or whose update in progress, is this one. */
  endpoints: string[];
}

/** An anchor for a config on the page: the models table links its "used by" to it. */
export const configAnchor = (region: string, name: string) => `config-${region}-${name}`;

/** The endpoint configs: what each variant runs on, async output, data capture, and who uses it. */
export function configsTable(rows: readonly ConfigRow[]): Html {
  return html`<table data-testid="configs-table">
<caption class="visually-hidden">Endpoint configurations</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Region</th><th scope="col">Variants</th><th scope="col">Async output</th><th scope="col">Data capture</th><th scope="col">Used by</th><th scope="col">Created</th></tr></thead>
<tbody>
${rows.length === 0 ? html`<tr><td colspan="7" class="muted">No endpoint configurations.</td></tr>` : rows.map(configRow)}
</tbody>
</table>`;
}

function configRow({ region, config, endpoints }: ConfigRow): Html {
  const spec = config.spec;
  const variants = [
    ...spec.ProductionVariants.map((v) => variantItem(v, false)),
    ...(spec.ShadowProductionVariants ?? []).map((v) => variantItem(v, true)),
  ];
  const output = spec.AsyncInferenceConfig?.OutputConfig;
  return html`<tr id="${configAnchor(region, config.name)}" data-config="${config.name}" data-region="${region}">
<th scope="row">${config.name}</th>
<td>${region}</td>
<td data-field="variants"><ul class="plain">${variants}</ul></td>
<td data-field="async">${
    output
      ? html`<span data-field="async-output">${output.S3OutputPath ?? '—'}</span>${output.S3FailurePath ? html`<br><span class="muted">failures:</span> ${output.S3FailurePath}` : ''}`
      : html`<span class="muted">—</span>`
  }</td>
<td data-field="data-capture">${dataCapture(spec.DataCaptureConfig)}</td>
<td data-field="used-by">${
    endpoints.length
      ? html`<ul class="plain">${endpoints.map((e) => html`<li><a href="/console/endpoints/${encodeURIComponent(e)}" data-endpoint="${e}">${e}</a></li>`)}</ul>`
      : html`<span class="muted">no endpoint</span>`
  }</td>
<td>${shownTime(config.creationTime)}</td>
</tr>`;
}

/** "AllTraffic: model m · ml.m5.large × 2 · weight 1", or the serverless settings in place of the instances. */
function variantItem(v: VariantSpec, shadow: boolean): Html {
  const s = v.ServerlessConfig;
  const capacity = s
    ? html`<span data-field="serverless">serverless ${s.MemorySizeInMB} MB, MaxConcurrency ${s.MaxConcurrency}${
        s.ProvisionedConcurrency !== undefined ? html`, ProvisionedConcurrency ${s.ProvisionedConcurrency}` : ''
      }</span>`
    : html`<span data-field="instances">${v.InstanceType ?? '?'} × ${v.InitialInstanceCount ?? '?'}</span>`;
  return html`<li data-variant="${v.VariantName}"><strong>${v.VariantName}</strong>${shadow ? html` <span class="tag">shadow</span>` : ''}:
model <span data-field="model">${v.ModelName ?? '—'}</span> · ${capacity}${v.InitialVariantWeight !== undefined ? html` · weight ${v.InitialVariantWeight}` : ''}</li>`;
}

function dataCapture(c: EndpointConfigRecord['spec']['DataCaptureConfig']): Html {
  if (!c) {
    return html`<span class="muted">—</span>`;
  }
  const modes = c.CaptureOptions.map((o) => o.CaptureMode).join(', ');
  return html`${c.EnableCapture === false ? 'disabled' : 'enabled'}: ${c.InitialSamplingPercentage} % of ${modes || 'requests'} to ${c.DestinationS3Uri}`;
}
