import { type Html, html } from './html.js';

/**
 * How the jobs and scaling views show times and statuses (the configs view
 * uses the time too). Times are UTC, to the second, in a <time> element whose
 * datetime attribute keeps the exact instant for tests and tooltips.
 */
export function shownTime(ms: number | undefined): Html {
  if (ms === undefined) {
    return html`<span class="muted">—</span>`;
  }
  const iso = new Date(ms).toISOString();
  return html`<time datetime="${iso}">${iso.slice(0, 19).replace('T', ' ')}</time>`;
}

/** "3.2 s", "4 min 05 s": how long from start to end (or until now for what is still running). */
export function shownDuration(startMs: number | undefined, endMs: number | undefined, now = Date.now()): Html {
  if (startMs === undefined) {
    return html`<span class="muted">—</span>`;
  }
  const s = Math.max(0, ((endMs ?? now) - startMs) / 1000);
  const text = s < 60 ? `${s.toFixed(1)} s` : `${Math.floor(s / 60)} min ${String(Math.floor(s % 60)).padStart(2, '0')} s`;
  return html`<span${endMs === undefined ? html` class="running"` : ''}>${text}</span>`;
}

/** A status word, coloured by console.css's `.status-<Status>` rules; `data-status` is the test hook. */
export function statusBadge(status: string): Html {
  return html`<span class="status status-${status}" data-status="${status}">${status}</span>`;
}
