import type { IncomingMessage } from 'node:http';
import { preconditionFailed } from './errors.js';
import type { ObjectRow } from './index-db.js';

/**
 * GET and HEAD preconditions, in RFC 7232's order as S3 applies them:
 * If-Match / If-Unmodified-Since fail with 412 PreconditionFailed;
 * If-None-Match / If-Modified-Since answer 304 Not Modified.
 */
export function checkConditions(req: IncomingMessage, row: ObjectRow): 'ok' | 'not-modified' {
  const etagList = (v: string) => v.split(',').map((s) => s.trim().replace(/^W\//, ''));
  const matches = (v: string) => etagList(v).some((e) => e === '*' || e === row.etag || `"${e}"` === row.etag);
  const modifiedSecond = Math.floor(row.modified / 1000) * 1000;
  const ifMatch = req.headers['if-match'];
  if (ifMatch && !matches(ifMatch)) {
    throw preconditionFailed('If-Match');
  }
  const ifUnmodified = req.headers['if-unmodified-since'];
  if (!ifMatch && ifUnmodified) {
    const t = Date.parse(ifUnmodified);
    if (!Number.isNaN(t) && modifiedSecond > t) {
      throw preconditionFailed('If-Unmodified-Since');
    }
  }
  const ifNoneMatch = req.headers['if-none-match'];
  if (ifNoneMatch) {
    return matches(ifNoneMatch) ? 'not-modified' : 'ok';
  }
  const ifModified = req.headers['if-modified-since'];
  if (ifModified) {
    const t = Date.parse(ifModified);
    if (!Number.isNaN(t) && modifiedSecond <= t) {
      return 'not-modified';
    }
  }
  return 'ok';
}

/**
 * A single `bytes=` range against an object of `size` bytes: the inclusive
 * span, 'whole' for a header S3 ignores (malformed, several ranges), or
 * 'unsatisfiable' (416 InvalidRange).
 */
export function parseRange(value: string | undefined, size: number): { start: number; end: number } | 'whole' | 'unsatisfiable' {
  const m = value ? /^bytes=(\d*)-(\d*)$/.exec(value.trim()) : null;
  if (!m || (m[1] === '' && m[2] === '')) {
    return 'whole';
  }
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0 || size === 0) {
      return 'unsatisfiable';
    }
    return { start: Math.max(0, size - suffix), end: size - 1 };
  }
  const start = Number(m[1]);
  const end = m[2] === '' ? size - 1 : Math.min(Number(m[2]), size - 1);
  if (m[2] !== '' && Number(m[2]) < start) {
    return 'whole'; // syntactically invalid: RFC 7233 says ignore it
  }
  if (start >= size) {
    return 'unsatisfiable';
  }
  return { start, end };
}
