import type { TransformJobRecord } from '../batch-transform/transform-job-record.js';
import type { RecommendationJobRecord } from '../recommender/recommendation-job-record.js';
import { recommendationJobKind, transformJobKind } from '../resources/kinds.js';
import type { Store } from '../store/store.js';
import { type Html, html } from './html.js';
import { stepProgress } from './job-steps.js';
import { shownDuration, shownTime, statusBadge } from './format.js';

export type JobKindPath = 'transform' | 'recommendation';

/**
 * Where a job's page is (or, with `/live`, its live part): its kind, its name,
 * and its region, since names are unique per region only.
 */
export const jobHref = (kind: JobKindPath, region: string, name: string, part: '' | '/live' = '') =>
  `/console/jobs/${kind}/${encodeURIComponent(name)}${part}?region=${encodeURIComponent(region)}`;

/** The statuses after which a job changes no more (both kinds' spellings). */
const ENDED = new Set(['Completed', 'Failed', 'Stopped', 'COMPLETED', 'FAILED', 'STOPPED']);
export const jobEnded = (status: string) => ENDED.has(status);

/** Jobs listed at most per kind, newest first: the list is sent again every 2 s. */
export const SHOWN_JOBS = 100;

const newestFirst = <T extends { doc: { creationTime: number } }>(rows: T[]) => rows.sort((a, b) => b.doc.creationTime - a.doc.creationTime);

/** "The 100 newest of 250 jobs." under a list that was cut. */
const cut = (total: number) => (total > SHOWN_JOBS ? html`<p class="muted">The ${SHOWN_JOBS} newest of ${total} jobs.</p>` : '');

/** The two lists, read from the store at each call: what `GET /console/jobs/live` sends every 2 s. */
export function jobLists(store: Store): Html {
  const transforms = newestFirst(store.table(transformJobKind).all());
  const recommendations = newestFirst(store.table(recommendationJobKind).all());
  return html`<section aria-labelledby="transform-jobs-heading">
<h2 id="transform-jobs-heading">Transform jobs</h2>
<table data-testid="transform-jobs">
<thead><tr><th scope="col">Name</th><th scope="col">Region</th><th scope="col">Status</th><th scope="col">Model</th><th scope="col">Input files</th><th scope="col">Created</th><th scope="col">Took</th><th scope="col">Failure reason</th></tr></thead>
<tbody>
${transforms.length === 0 ? html`<tr><td colspan="8" class="muted">No transform jobs.</td></tr>` : transforms.slice(0, SHOWN_JOBS).map(({ region, doc }) => transformRow(region, doc))}
</tbody>
</table>
${cut(transforms.length)}
</section>
<section aria-labelledby="recommendation-jobs-heading">
<h2 id="recommendation-jobs-heading">Inference Recommender jobs</h2>
<table data-testid="recommendation-jobs">
<thead><tr><th scope="col">Name</th><th scope="col">Region</th><th scope="col">Status</th><th scope="col">Type</th><th scope="col">Model</th><th scope="col">Benchmarks</th><th scope="col">Created</th><th scope="col">Took</th><th scope="col">Failure reason</th></tr></thead>
<tbody>
${recommendations.length === 0 ? html`<tr><td colspan="9" class="muted">No Inference Recommender jobs.</td></tr>` : recommendations.slice(0, SHOWN_JOBS).map(({ region, doc }) => recommendationRow(region, doc))}
</tbody>
</table>
${cut(recommendations.length)}
</section>`;
}

function transformRow(region: string, job: TransformJobRecord): Html {
  return html`<tr data-job="${job.name}" data-kind="transform" data-region="${region}">
<th scope="row"><a href="${jobHref('transform', region, job.name)}">${job.name}</a></th>
<td>${region}</td>
<td>${statusBadge(job.status)}</td>
<td>${job.spec.ModelName}</td>
<td>${stepProgress(job.steps)}</td>
<td>${shownTime(job.creationTime)}</td>
<td>${shownDuration(job.startTime, job.endTime)}</td>
<td class="error">${job.failureReason ?? ''}</td>
</tr>`;
}

function recommendationRow(region: string, job: RecommendationJobRecord): Html {
  return html`<tr data-job="${job.name}" data-kind="recommendation" data-region="${region}">
<th scope="row"><a href="${jobHref('recommendation', region, job.name)}">${job.name}</a></th>
<td>${region}</td>
<td>${statusBadge(job.status)}</td>
<td>${job.spec.JobType}</td>
<td>${job.spec.InputConfig.ModelName ?? job.spec.InputConfig.ModelPackageVersionArn ?? '—'}</td>
<td>${stepProgress(job.steps)}</td>
<td>${shownTime(job.creationTime)}</td>
<td>${shownDuration(job.startTime, job.endTime)}</td>
<td class="error">${job.failureReason ?? ''}</td>
</tr>`;
}
