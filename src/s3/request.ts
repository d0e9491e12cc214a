import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { PassThrough, type Readable } from 'node:stream';
import type { RequestInfo } from '../protocol/dispatcher.js';
import { AwsChunkedDecoder, isAwsChunked } from './aws-chunked.js';
import { S3Error, internalError, malformedXml } from './errors.js';
import { parseXml, renderXml } from './xml.js';

/** One S3 request, path-style: /BUCKET/KEY?query. */
export interface S3Request {
  req: IncomingMessage;
  res: ServerResponse;
  info: RequestInfo;
  method: string;
  bucket: string;
  key: string;
  query: URLSearchParams;
}

export function parseS3Request(req: IncomingMessage, res: ServerResponse, info: RequestInfo): S3Request {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  const rawPath = q < 0 ? url : url.slice(0, q);
  const slash = rawPath.indexOf('/', 1);
  const rawBucket = slash < 0 ? rawPath.slice(1) : rawPath.slice(1, slash);
  const rawKey = slash < 0 ? '' : rawPath.slice(slash + 1);
  return {
    req,
    res,
    info,
    method: req.method ?? 'GET',
    bucket: safeDecode(rawBucket),
    key: safeDecode(rawKey),
    query: new URLSearchParams(q < 0 ? '' : url.slice(q + 1)),
  };
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/** Headers every S3 answer carries: its request id twice over (x-amz-id-2 is the "host id"). */
export function stampIds(res: ServerResponse, requestId: string): void {
  res.setHeader('x-amz-request-id', requestId);
  res.setHeader('x-amz-id-2', randomBytes(24).toString('base64'));
}

export function sendXml(res: ServerResponse, status: number, root: string, body: Parameters<typeof renderXml>[1]): void {
  const xml = renderXml(root, body);
  res.statusCode = status;
  res.setHeader('Content-Type', 'application/xml');
  res.setHeader('Content-Length', Buffer.byteLength(xml));
  res.end(xml);
}

export function sendEmpty(res: ServerResponse, status: number, headers: Record<string, string | number> = {}): void {
  res.statusCode = status;
  for (const [k, v] of Object.entries(headers)) {
    res.setHeader(k, v);
  }
  res.setHeader('Content-Length', 0);
  res.end();
}

/** S3's error document; HEAD answers carry the status alone (S3 sends no body to HEAD). */
export function sendS3Error(s3: S3Request, error: unknown): S3Error {
  const { res, req } = s3;
  const err = error instanceof S3Error ? error : internalError();
  if (res.headersSent) {
    res.destroy();
    return err;
  }
  res.statusCode = err.status;
  if (s3.method === 'HEAD') {
    res.setHeader('Content-Length', 0);
    res.end();
  } else {
    const xml = renderXml('Error', { Code: err.code, Message: err.message, ...err.members, RequestId: s3.info.requestId }, false);
    res.setHeader('Content-Type', 'application/xml');
    res.setHeader('Content-Length', Buffer.byteLength(xml));
    res.end(xml);
  }
  // An unread body must not be parsed as the next request on the connection.
  if (!req.readableEnded) {
    req.resume();
  }
  return err;
}

/** The request body as the client meant it: aws-chunked framing removed. */
export function bodyOf(req: IncomingMessage): { body: Readable; decoder?: AwsChunkedDecoder } {
  const encoding = req.headers['content-encoding'];
  const sha = req.headers['x-amz-content-sha256'];
  if (isAwsChunked(typeof encoding === 'string' ? encoding : undefined, typeof sha === 'string' ? sha : undefined)) {
    const decoder = new AwsChunkedDecoder();
    req.on('error', (e) => decoder.destroy(e));
    return { body: req.pipe(decoder), decoder };
  }
  return { body: req.pipe(new PassThrough()) };
}

/** A small XML request body (≤ 1 MiB), parsed; MalformedXML when it is not XML. */
export async function readXmlBody(req: IncomingMessage): Promise<Record<string, unknown> | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const c of bodyOf(req).body) {
    size += (c as Buffer).length;
    if (size > 1024 * 1024) {
      throw malformedXml();
    }
    chunks.push(c as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') {
    return undefined;
  }
  const doc = parseXml(text);
  if (!doc) {
    throw malformedXml();
  }
  return doc;
}

export const header = (req: IncomingMessage, name: string): string | undefined => {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
};
