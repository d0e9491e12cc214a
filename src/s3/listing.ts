/**
 * ListObjects (v1 and v2) paging over keys in S3's order, kept apart from HTTP
 * and SQL so that its rules are tested on their own (test/unit/s3-listing.test.ts):
 * - keys are compared as UTF-8 bytes, S3's order (JS string order is UTF-16's);
 * - with a delimiter, keys sharing the part up to the first delimiter after the
 *   prefix roll up into one CommonPrefix, which counts once against MaxKeys;
 * - a marker (v1 marker, v2 start-after or continuation token) excludes every
 *   key and every common prefix that sorts at or before it, so a page that
 *   ended on a common prefix does not repeat it.
 */
export interface ListInput {
  prefix: string;
  delimiter?: string;
  /** Exclusive: only what sorts after it. */
  after?: string;
  maxKeys: number;
}

export interface ListPage<T> {
  contents: T[];
  commonPrefixes: string[];
  isTruncated: boolean;
  /** The last key or common prefix of the page: the next page starts after it. */
  last?: string;
}

export const compareKeys = (a: string, b: string): number => (a === b ? 0 : Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8')));

/** `entries` are in S3's order and start at or before the first key the page can hold (see scanStart). */
export function listPage<T extends { key: string }>(entries: Iterable<T>, input: ListInput): ListPage<T> {
  const { prefix, delimiter, after, maxKeys } = input;
  const page: ListPage<T> = { contents: [], commonPrefixes: [], isTruncated: false };
  let count = 0;
  let lastPrefix: string | undefined;
  for (const e of entries) {
    if (!e.key.startsWith(prefix)) {
      if (compareKeys(e.key, prefix) > 0) {
        break; // past every key with the prefix
      }
      continue;
    }
    if (after !== undefined && compareKeys(e.key, after) <= 0) {
      continue;
    }
    const cut = delimiter ? e.key.indexOf(delimiter, prefix.length) : -1;
    const item = cut >= 0 ? e.key.slice(0, cut + delimiter!.length) : undefined;
    if (item !== undefined && (item === lastPrefix || (after !== undefined && compareKeys(item, after) <= 0))) {
      continue;
    }
    if (count >= maxKeys) {
      page.isTruncated = true;
      break;
    }
    count++;
    if (item !== undefined) {
      page.commonPrefixes.push(item);
      lastPrefix = item;
      page.last = item;
    } else {
      page.contents.push(e);
      page.last = e.key;
    }
  }
  return page;
}

/** Where the scan of the index begins: at the prefix, or just after the marker when that is further. */
export function scanStart(prefix: string, after: string | undefined): { from: string; inclusive: boolean } {
  return after !== undefined && compareKeys(after, prefix) >= 0 ? { from: after, inclusive: false } : { from: prefix, inclusive: true };
}

/** S3's `encoding-type=url`: keys percent-encoded, `/` left as is (botocore decodes with unquote_plus, so `+` must be escaped). */
export const urlEncodeKey = (key: string): string => encodeURIComponent(key).replace(/%2F/g, '/');

/** v2 continuation tokens are opaque to clients: the last key or prefix of the page, base64. */
export const encodeToken = (last: string): string => Buffer.from(last, 'utf8').toString('base64');

export function decodeToken(token: string): string | undefined {
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(token)) {
    return undefined;
  }
  return Buffer.from(token, 'base64').toString('utf8');
}
