import type { JobStep } from '../jobs/job-record.js';
import { type Html, html } from './html.js';
import { shownDuration, shownTime, statusBadge } from './format.js';

/**
 * A job's steps as the job runner keeps them (a transform job's input files,
 * a recommender job's benchmarks): status, times, failure reason, and what
 * the kind says about the step (`describe`).
 */
export function stepsTable(steps: readonly JobStep[], what: string, describe: (step: JobStep) => Html): Html {
  return html`<table data-testid="job-steps">
<caption class="visually-hidden">Steps</caption>
<thead><tr><th scope="col">${what}</th><th scope="col">Status</th><th scope="col">Started</th><th scope="col">Took</th><th scope="col">Result</th><th scope="col">Failure reason</th></tr></thead>
<tbody>
${
  steps.length === 0
    ? html`<tr><td colspan="6" class="muted">No steps yet.</td></tr>`
    : steps.map(
        (s) => html`<tr data-step="${s.name}">
<th scope="row">${s.name}</th>
<td>${statusBadge(s.status)}</td>
<td>${shownTime(s.startTime)}</td>
<td>${s.status === 'Pending' ? '' : shownDuration(s.startTime, s.endTime)}</td>
<td>${describe(s)}</td>
<td class="error">${s.failureReason ?? ''}</td>
</tr>`,
      )
}
</tbody>
</table>`;
}

/** "3 of 5 completed, 1 failed": a job's progress in the list. */
export function stepProgress(steps: readonly JobStep[]): Html {
  if (steps.length === 0) {
    return html`<span class="muted">—</span>`;
  }
  const count = (status: JobStep['status']) => steps.filter((s) => s.status === status).length;
  const failed = count('Failed');
  return html`<span data-field="progress">${count('Completed')} of ${steps.length} completed${failed ? html`, <span class="error">${failed} failed</span>` : ''}</span>`;
}
