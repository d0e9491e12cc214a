import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ObjectMeta, ObjectRow } from './index-db.js';
import { httpTime } from './xml.js';

/** Headers S3 stores with an object and gives back on GET and HEAD. */
const STORED = ['cache-control', 'content-disposition', 'content-language', 'expires'];
const CHECKSUMS = ['crc32', 'crc32c', 'crc64nvme', 'sha1', 'sha256'];

/** S3's default when the client names no Content-Type. */
export const DEFAULT_CONTENT_TYPE = 'binary/octet-stream';

export function metaFromHeaders(req: IncomingMessage): ObjectMeta {
  const headers: Record<string, string> = {};
  const user: Record<string, string> = {};
  for (const name of STORED) {
    const v = req.headers[name];
    if (typeof v === 'string') {
      headers[name] = v;
    }
  }
  // aws-chunked is how the body travelled, not how the object is encoded.
  const encoding = (req.headers['content-encoding'] ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s !== '' && s.toLowerCase() !== 'aws-chunked');
  if (encoding.length > 0) {
    headers['content-encoding'] = encoding.join(', ');
  }
  for (const [name, v] of Object.entries(req.headers)) {
    if (name.startsWith('x-amz-meta-') && typeof v === 'string') {
      user[name.slice('x-amz-meta-'.length)] = v;
    }
  }
  const contentType = req.headers['content-type'];
  return { ...(contentType ? { contentType } : {}), headers, user };
}

/** The flexible checksum sent as a header (x-amz-checksum-crc32: …), if any. */
export function checksumHeader(headers: Record<string, string | string[] | undefined>): ObjectMeta['checksum'] {
  for (const algorithm of CHECKSUMS) {
    const v = headers[`x-amz-checksum-${algorithm}`];
    if (typeof v === 'string') {
      return { algorithm, value: v };
    }
  }
  return undefined;
}

/** Sets what GET and HEAD answer about an object; `response-*` query parameters override (presigned downloads use them). */
export function writeObjectHeaders(res: ServerResponse, row: ObjectRow, query: URLSearchParams): void {
  res.setHeader('Content-Type', query.get('response-content-type') ?? row.meta.contentType ?? DEFAULT_CONTENT_TYPE);
  res.setHeader('ETag', row.etag);
  res.setHeader('Last-Modified', httpTime(row.modified));
  res.setHeader('Accept-Ranges', 'bytes');
  for (const [name, v] of Object.entries(row.meta.headers)) {
    res.setHeader(name, v);
  }
  for (const [name, v] of Object.entries(row.meta.user)) {
    res.setHeader(`x-amz-meta-${name}`, v);
  }
  for (const name of ['cache-control', 'content-disposition', 'content-encoding', 'content-language', 'expires']) {
    const v = query.get(`response-${name}`);
    if (v !== null) {
      res.setHeader(name, v);
    }
  }
  const parts = /-(\d+)"$/.exec(row.etag);
  if (parts) {
    res.setHeader('x-amz-mp-parts-count', parts[1]!);
  }
}
