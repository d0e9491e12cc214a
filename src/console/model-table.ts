import type { ContainerDefinition } from '../protocol/generated/sagemaker-types.js';
import type { ModelRecord } from '../store/records.js';
import { configAnchor } from './config-table.js';
import { type Html, html } from './html.js';
import { shownTime } from './format.js';

/** One model as the page shows it: the record, its region, and the configs whose variants name it. */
export interface ModelRow {
  region: string;
  model: ModelRecord;
  configs: string[];
}

/**
 * The models: image, where the model data comes from, the mode, and the
 * NAMES of the environment variables. Never their values: a model's
 * environment is where users put tokens and passwords.
 */
export function modelsTable(rows: readonly ModelRow[]): Html {
  return html`<table data-testid="models-table">
<caption class="visually-hidden">Models</caption>
<thead><tr><th scope="col">Name</th><th scope="col">Region</th><th scope="col">Containers</th><th scope="col">Used by configs</th><th scope="col">Created</th></tr></thead>
<tbody>
${rows.length === 0 ? html`<tr><td colspan="5" class="muted">No models.</td></tr>` : rows.map(modelRow)}
</tbody>
</table>`;
}

function modelRow({ region, model, configs }: ModelRow): Html {
  const containers = model.spec.PrimaryContainer ? [model.spec.PrimaryContainer] : (model.spec.Containers ?? []);
  return html`<tr data-model="${model.name}" data-region="${region}">
<th scope="row">${model.name}</th>
<td>${region}</td>
<td>${containers.length ? containers.map(containerBlock) : html`<span class="muted">—</span>`}</td>
<td data-field="used-by">${
    configs.length
      ? html`<ul class="plain">${configs.map((c) => html`<li><a href="#${configAnchor(region, c)}" data-config-link="${c}">${c}</a></li>`)}</ul>`
      : html`<span class="muted">no config</span>`
  }</td>
<td>${shownTime(model.creationTime)}</td>
</tr>`;
}

function containerBlock(c: ContainerDefinition): Html {
  const envNames = Object.keys(c.Environment ?? {}).sort();
  return html`<dl class="container" data-field="container">
<dt>Image</dt><dd data-field="image">${c.Image ?? (c.ModelPackageName ? html`model package ${c.ModelPackageName}` : '—')}</dd>
<dt>Model data</dt><dd data-field="model-data">${modelData(c)}</dd>
<dt>Mode</dt><dd data-field="mode">${c.Mode ?? 'SingleModel'}</dd>
<dt>Environment</dt><dd data-field="env-names">${
    envNames.length
      ? html`${envNames.map((n, i) => html`${i ? ', ' : ''}<code>${n}</code>`)} <span class="muted">(values hidden)</span>`
      : html`<span class="muted">none</span>`
  }</dd>
</dl>`;
}

function modelData(c: ContainerDefinition): Html {
  const s3 = c.ModelDataSource?.S3DataSource;
  if (s3) {
    return html`${s3.S3Uri} <span class="muted">(ModelDataSource: ${s3.S3DataType}, ${s3.CompressionType})</span>`;
  }
  return c.ModelDataUrl ? html`${c.ModelDataUrl}` : html`<span class="muted">none</span>`;
}
