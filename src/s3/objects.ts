import fs from 'node:fs/promises';
import { pipeline } from 'node:stream/promises';
import { AwsChunkedError } from './aws-chunked.js';
import { checkConditions, parseRange } from './conditions.js';
import { S3Error, badDigest, incompleteBody, invalidDigest, invalidRange, malformedXml, noSuchKey } from './errors.js';
import type { ObjectMeta, ObjectRow } from './index-db.js';
import { checksumHeader, metaFromHeaders, writeObjectHeaders } from './object-headers.js';
import { type S3Request, bodyOf, header, readXmlBody, sendEmpty, sendXml } from './request.js';
import type { S3Storage } from './storage.js';
import { type XmlNode, xmlTime } from './xml.js';

/** PutObject, GetObject, HeadObject, DeleteObject, DeleteObjects, CopyObject. */

/** Content-MD5, checked for shape before the body is read (InvalidDigest) and against it after (BadDigest). */
export function contentMd5(s3: S3Request): string | undefined {
  const v = header(s3.req, 'content-md5');
  if (v === undefined) {
    return undefined;
  }
  const bytes = Buffer.from(v, 'base64');
  if (bytes.length !== 16 || !/^[A-Za-z0-9+/]{22}==$/.test(v.trim())) {
    throw invalidDigest(v);
  }
  return bytes.toString('hex');
}

/**
 * Reads the body (aws-chunked or not) into `write`, checking what the client
 * declared: x-amz-decoded-content-length (IncompleteBody), Content-MD5 (BadDigest).
 * The checksum it sent, as a header or an aws-chunked trailer, is kept and echoed.
 */
export async function receiveBody<T>(
  s3: S3Request,
  write: (body: ReturnType<typeof bodyOf>['body'], check: (md5: string, size: number) => void) => Promise<T>,
  meta?: ObjectMeta,
): Promise<{ result: T; checksum: ReturnType<typeof checksumHeader> }> {
  const md5 = contentMd5(s3);
  const declared = header(s3.req, 'x-amz-decoded-content-length');
  const { body, decoder } = bodyOf(s3.req);
  let checksum = checksumHeader(s3.req.headers);
  try {
    const result = await write(body, (hex, size) => {
      if (decoder && declared !== undefined && Number(declared) !== size) {
        throw incompleteBody();
      }
      if (md5 !== undefined && md5 !== hex) {
        throw badDigest();
      }
      checksum ??= decoder ? checksumHeader(decoder.trailers) : undefined;
      if (meta && checksum) {
        meta.checksum = checksum; // stored with the object: the row is written after this check
      }
    });
    return { result, checksum };
  } catch (err) {
    if (err instanceof AwsChunkedError) {
      throw new S3Error('IncompleteBody', 400, err.message);
    }
    throw err;
  }
}

export async function putObject(s3: S3Request, storage: S3Storage): Promise<void> {
  storage.requireBucket(s3.bucket); // before the body: a missing bucket fails at once
  const meta = metaFromHeaders(s3.req);
  const { result: row, checksum } = await receiveBody(s3, (body, check) => storage.put(s3.bucket, s3.key, body, meta, check), meta);
  sendEmpty(s3.res, 200, { ETag: row.etag, ...(checksum ? { [`x-amz-checksum-${checksum.algorithm}`]: checksum.value } : {}) });
}

/** GetObject and HeadObject: Range (206, 416 InvalidRange), preconditions (304, 412). */
export async function getObject(s3: S3Request, storage: S3Storage): Promise<void> {
  const head = s3.method === 'HEAD';
  let row = storage.requireObject(s3.bucket, s3.key);
  if (checkConditions(s3.req, row) === 'not-modified') {
    writeObjectHeaders(s3.res, row, s3.query);
    s3.res.removeHeader('Content-Type');
    sendEmpty(s3.res, 304);
    return;
  }
  const rangeHeader = header(s3.req, 'range');
  const range = parseRange(rangeHeader, row.size);
  if (range === 'unsatisfiable') {
    throw invalidRange(rangeHeader!, row.size);
  }
  const span = range === 'whole' ? { start: 0, end: row.size - 1 } : range;
  // A concurrent PUT may replace the file between the lookup and the open: look again once.
  let file = await fs.open(storage.files.pathOf(row.file)).catch(() => undefined);
  if (!file) {
    row = storage.requireObject(s3.bucket, s3.key);
    file = await fs.open(storage.files.pathOf(row.file));
  }
  try {
    writeObjectHeaders(s3.res, row, s3.query);
    s3.res.statusCode = range === 'whole' ? 200 : 206;
    if (range !== 'whole') {
      s3.res.setHeader('Content-Range', `bytes ${span.start}-${span.end}/${row.size}`);
    }
    s3.res.setHeader('Content-Length', Math.max(0, span.end - span.start + 1));
    if (head || row.size === 0) {
      s3.res.end();
      return;
    }
  } catch (err) {
    await file.close();
    throw err;
  }
  await pipeline(file.createReadStream({ start: span.start, end: span.end }), s3.res);
}

export async function deleteObject(s3: S3Request, storage: S3Storage): Promise<void> {
  s3.req.resume();
  storage.requireBucket(s3.bucket);
  await storage.delete(s3.bucket, s3.key);
  sendEmpty(s3.res, 204);
}

/** POST /bucket?delete: up to 1000 keys; Quiet leaves out what was deleted. */
export async function deleteObjects(s3: S3Request, storage: S3Storage): Promise<void> {
  storage.requireBucket(s3.bucket);
  const doc = (await readXmlBody(s3.req))?.Delete as Record<string, unknown> | undefined;
  const objects = (doc?.Object ?? []) as Array<Record<string, unknown>>;
  if (!doc || objects.length === 0 || objects.length > 1000 || objects.some((o) => typeof o.Key !== 'string')) {
    throw malformedXml();
  }
  const quiet = String(doc.Quiet ?? '').trim() === 'true';
  const deleted: XmlNode[] = [];
  for (const o of objects) {
    await storage.delete(s3.bucket, o.Key as string);
    deleted.push({ Key: o.Key as string });
  }
  sendXml(s3.res, 200, 'DeleteResult', quiet ? {} : { Deleted: deleted });
}

/** `x-amz-copy-source: /bucket/key` or `bucket/key`, URL-encoded, maybe with `?versionId=`. */
export function parseCopySource(value: string): { bucket: string; key: string } {
  const raw = value.replace(/^\//, '').replace(/\?versionId=.*$/, '');
  const slash = raw.indexOf('/');
  let decoded: string[] | undefined;
  try {
    decoded = slash > 0 ? [decodeURIComponent(raw.slice(0, slash)), decodeURIComponent(raw.slice(slash + 1))] : undefined;
  } catch {
    decoded = undefined;
  }
  if (!decoded || decoded[1] === '') {
    throw new S3Error('InvalidArgument', 400, 'Invalid copy source object key', { ArgumentName: 'x-amz-copy-source', ArgumentValue: value });
  }
  return { bucket: decoded[0]!, key: decoded[1]! };
}

export function copySourceRow(s3: S3Request, storage: S3Storage): ObjectRow {
  const src = parseCopySource(header(s3.req, 'x-amz-copy-source')!);
  const row = storage.head(src.bucket, src.key);
  if (!row) {
    storage.requireBucket(src.bucket);
    throw noSuchKey(src.key);
  }
  return row;
}

/** CopyObject: metadata copied (COPY, the default) or taken from this request (REPLACE). */
export async function copyObject(s3: S3Request, storage: S3Storage): Promise<void> {
  s3.req.resume();
  const src = copySourceRow(s3, storage);
  const directive = (header(s3.req, 'x-amz-metadata-directive') ?? 'COPY').toUpperCase();
  if (directive !== 'COPY' && directive !== 'REPLACE') {
    throw new S3Error('InvalidArgument', 400, 'Unknown metadata directive.', { ArgumentName: 'x-amz-metadata-directive', ArgumentValue: directive });
  }
  if (directive === 'COPY' && src.bucket === s3.bucket && src.key === s3.key) {
    throw new S3Error(
      'InvalidRequest',
      400,
      "This copy request is illegal because it is trying to copy an object to itself without changing the object's metadata, storage class, website redirect location or encryption attributes.",
    );
  }
  const meta = directive === 'REPLACE' ? metaFromHeaders(s3.req) : src.meta;
  const row = await storage.copy(src, s3.bucket, s3.key, meta);
  sendXml(s3.res, 200, 'CopyObjectResult', { LastModified: xmlTime(row.modified), ETag: row.etag });
}
