import type { JobRecord } from '../jobs/job-record.js';
import { type Html, html } from './html.js';
import { jobEnded } from './job-list.js';
import { shownDuration, shownTime, statusBadge } from './format.js';

/**
 * The live part of a job's page. While the job runs, htmx fetches it again
 * every 2 s and swaps the whole element (outerHTML); once the job has ended
 * the fresh copy comes without hx-trigger, so the polling stops by itself.
 */
export function liveJob(liveHref: string, status: string, body: Html): Html {
  const polling = jobEnded(status) ? '' : html` hx-get="${liveHref}" hx-trigger="every 2s" hx-swap="outerHTML"`;
  return html`<div id="job-live" data-testid="job-live" data-job-status="${status}"${polling}>
${body}
</div>`;
}

/** Status, times and failure reason of any job, with the kind's own facts after them. */
export function jobSummary(job: JobRecord, more: readonly [string, Html | string][]): Html {
  const rows: [string, Html | string][] = [
    ['Status', statusBadge(job.status)],
    ['Created', shownTime(job.creationTime)],
    ['Started', shownTime(job.startTime)],
    ['Ended', shownTime(job.endTime)],
    ['Took', shownDuration(job.startTime, job.endTime)],
    ...more,
  ];
  return html`<dl class="job-summary" data-testid="job-summary">
${rows.map(([k, v]) => html`<dt>${k}</dt><dd>${v}</dd>`)}
${job.failureReason ? html`<dt>Failure reason</dt><dd class="error" data-field="failure-reason">${job.failureReason}</dd>` : ''}
</dl>`;
}
