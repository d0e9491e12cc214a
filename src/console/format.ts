import { type Html, html } from './html.js';

/**
 * How every view of the console shows times, durations and statuses, so that
 * they read the same on every page. Times are UTC, to the second, in a <time>
 * element whose datetime attribute keeps the exact instant for tests and
 * tooltips.
 */
export function shownTime(ms: number | undefined): Html {
  if (ms === undefined) {
    return html`<span class="muted">—</span>`;
  }
  const iso = new Date(ms).toISOString();
  return html`<time datetime="${iso}">${iso.slice(0, 19).replace('T', ' ')} UTC</time>`;
}

/** "3.2 s", "4 min 05 s", "2 h 05 min": a duration in its largest two units. */
export function durationText(ms: number): string {
  const s = Math.max(0, ms / 1000);
  if (s < 60) {
    return `${s.toFixed(1)} s`;
  }
  const two = (n: number) => String(Math.floor(n)).padStart(2, '0');
  return s < 3600 ? `${Math.floor(s / 60)} min ${two(s % 60)} s` : `${Math.floor(s / 3600)} h ${two((s % 3600) / 60)} min`;
}

/** How long from start to end (or until now for what is still running). */
export function shownDuration(startMs: number | undefined, endMs: number | undefined, now = Date.now()): Html {
  if (startMs === undefined) {
    return html`<span class="muted">—</span>`;
  }
  return html`<span${endMs === undefined ? html` class="running"` : ''}>${durationText((endMs ?? now) - startMs)}</span>`;
}

/**
 * A status word, coloured by console.css's `.status-<Status>` rules;
 * `data-status` is the test hook, and `title` a tooltip (a FailureReason).
 */
export function statusBadge(status: string, extra: { title?: string; testId?: string } = {}): Html {
  return html`<span class="status status-${status}" data-status="${status}"${extra.testId ? html` data-testid="${extra.testId}"` : ''}${
    extra.title ? html` title="${extra.title}"` : ''
  }>${status}</span>`;
}
