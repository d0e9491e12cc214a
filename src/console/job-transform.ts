import type { TransformJobRecord } from '../batch-transform/transform-job-record.js';
import type { JobStep } from '../jobs/job-record.js';
import { jobSummary, liveJob } from './job-detail.js';
import { type Html, html } from './html.js';
import { stepsTable } from './job-steps.js';

/** The live part of a transform job's page: what it reads and writes, and its input files as steps. */
export function transformJobLive(region: string, job: TransformJobRecord, liveHref: string): Html {
  const spec = job.spec;
  const input = spec.TransformInput;
  // The job's Environment goes to its containers like a model's: names only, values may be secrets.
  const envNames = Object.keys(spec.Environment ?? {}).sort();
  const body = html`${jobSummary(job, [
    ['Region', region],
    ['Model', spec.ModelName],
    ['Input', html`${input.DataSource.S3DataSource.S3Uri} <span class="muted">(${input.DataSource.S3DataSource.S3DataType}, ${input.ContentType ?? 'no content type'}, split ${input.SplitType ?? 'None'}${input.CompressionType && input.CompressionType !== 'None' ? html`, ${input.CompressionType}` : ''})</span>`],
    ['Output', spec.TransformOutput.S3OutputPath],
    ['Instances', `${spec.TransformResources.InstanceType} × ${spec.TransformResources.InstanceCount}`],
    ['Environment', envNames.length ? html`${envNames.map((n, i) => html`${i ? ', ' : ''}<code>${n}</code>`)} <span class="muted">(values hidden)</span>` : html`<span class="muted">none</span>`],
  ])}
<h2>Input files</h2>
${stepsTable(job.steps, 'File', fileResult)}`;
  return liveJob(liveHref, job.status, body);
}

/** What a transformed file gave: its records and requests, and where its output went. */
function fileResult(step: JobStep): Html {
  const d = step.detail ?? {};
  const parts: Html[] = [];
  if (typeof d.records === 'number') {
    parts.push(html`<span data-field="records">${d.records} records</span> in ${typeof d.requests === 'number' ? d.requests : '?'} requests`);
  }
  if (typeof d.output === 'string') {
    parts.push(html`→ ${d.output}`);
  } else if (typeof d.input === 'string') {
    parts.push(html`<span class="muted">${d.input}</span>`);
  }
  return html`${parts.map((p, i) => html`${i ? html`<br>` : ''}${p}`)}`;
}
