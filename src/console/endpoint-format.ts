/** How the endpoint views write numbers, times and links (plain text: the templates escape it). */

/** A rate or count: whole numbers as they are, others with one decimal. */
export function formatCount(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** Dollars: cents when large, four decimals while small (a minute of an ml.m5.large is $0.0019). */
export function formatUsd(usd: number): string {
  return `$${usd >= 100 ? usd.toFixed(2) : usd.toFixed(4)}`;
}

/** An epoch-ms time in UTC, to the second: `2026-11-22 10:03:04 UTC`. */
export function formatTime(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

/** A duration as the largest two units: `45s`, `3m 12s`, `2h 5m`. */
export function formatAge(ms: number): string {
  const s = Math.max(0, Math.floor(ms / 1000));
  if (s < 60) {
    return `${s}s`;
  }
  if (s < 3600) {
    return `${Math.floor(s / 60)}m ${s % 60}s`;
  }
  return `${Math.floor(s / 3600)}h ${Math.floor((s % 3600) / 60)}m`;
}

/**
 * A URL of an endpoint's pages: the detail page, or one of its sub-routes
 * (`/live`, `/metrics.json`…), with `params`, and the region when it is not
 * the default one.
 */
export function endpointHref(name: string, region: string, defaultRegion: string, suffix = '', params: Record<string, string> = {}): string {
  const query = new URLSearchParams(params);
  if (region !== defaultRegion) {
    query.set('region', region);
  }
  const q = query.toString();
  return `/console/endpoints/${encodeURIComponent(name)}${suffix}${q ? `?${q}` : ''}`;
}
