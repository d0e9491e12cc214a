/** How the endpoint views write numbers, money and links (plain text: the templates escape it); times and statuses are in format.ts. */

/** A rate or count: whole numbers as they are, others with one decimal. */
export function formatCount(n: number): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(1);
}

/** Dollars: cents when large, four decimals while small (a minute of an ml.m5.large is $0.0019). */
export function formatUsd(usd: number): string {
  return `$${usd >= 100 ? usd.toFixed(2) : usd.toFixed(4)}`;
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
