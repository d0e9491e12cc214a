import { S3Error, invalidArgument, malformedXml, invalidRange } from './errors.js';
import type { ObjectMeta } from './index-db.js';
import { MultipartStore } from './multipart-store.js';
import { metaFromHeaders } from './object-headers.js';
import { copySourceRow, receiveBody } from './objects.js';
import { OWNER } from './owner.js';
import { type S3Request, header, readXmlBody, sendEmpty, sendXml } from './request.js';
import type { S3Storage } from './storage.js';
import { xmlTime } from './xml.js';
import { Readable } from 'node:stream';
import { createReadStream } from 'node:fs';

/**
 * Multipart uploads: CreateMultipartUpload, UploadPart, UploadPartCopy,
 * CompleteMultipartUpload, AbortMultipartUpload, ListParts, ListMultipartUploads.
 * The AWS CLI switches to these above 8 MB, lib-storage's Upload above 5 MB.
 */
type Op = (s3: S3Request, storage: S3Storage) => Promise<void> | void;

const stores = new WeakMap<S3Storage, MultipartStore>();
const multipart = (storage: S3Storage) => stores.get(storage) ?? stores.set(storage, new MultipartStore(storage)).get(storage)!;

/** The operation a request names, if it is a multipart one. */
export function multipartOperation(s3: S3Request): Op | undefined {
  const { method, query, key } = s3;
  if (key === '') {
    return method === 'GET' && query.has('uploads') ? listUploads : undefined;
  }
  if (method === 'POST' && query.has('uploads')) {
    return createUpload;
  }
  if (!query.has('uploadId')) {
    return undefined;
  }
  switch (method) {
    case 'PUT':
      return s3.req.headers['x-amz-copy-source'] ? uploadPartCopy : uploadPart;
    case 'GET':
      return listParts;
    case 'DELETE':
      return abortUpload;
    case 'POST':
      return completeUpload;
  }
  return undefined;
}

const uploadOf = (s3: S3Request, storage: S3Storage) => multipart(storage).upload(s3.bucket, s3.key, s3.query.get('uploadId') ?? '');

function partNumberOf(s3: S3Request): number {
  const raw = s3.query.get('partNumber') ?? '';
  const n = /^\d{1,5}$/.test(raw) ? Number(raw) : NaN;
  if (!(n >= 1 && n <= 10_000)) {
    throw invalidArgument('Part number must be an integer between 1 and 10000, inclusive', 'partNumber', raw);
  }
  return n;
}

async function createUpload(s3: S3Request, storage: S3Storage): Promise<void> {
  s3.req.resume();
  const meta: ObjectMeta = metaFromHeaders(s3.req);
  const uploadId = multipart(storage).create(s3.bucket, s3.key, meta);
  sendXml(s3.res, 200, 'InitiateMultipartUploadResult', { Bucket: s3.bucket, Key: s3.key, UploadId: uploadId });
}

async function uploadPart(s3: S3Request, storage: S3Storage): Promise<void> {
  const partNumber = partNumberOf(s3);
  const upload = uploadOf(s3, storage);
  const { result: part, checksum } = await receiveBody(s3, (body, check) => multipart(storage).putPart(upload, partNumber, body, check));
  sendEmpty(s3.res, 200, { ETag: part.etag, ...(checksum ? { [`x-amz-checksum-${checksum.algorithm}`]: checksum.value } : {}) });
}

/** UploadPartCopy: a part from (a byte range of) an existing object. */
async function uploadPartCopy(s3: S3Request, storage: S3Storage): Promise<void> {
  s3.req.resume();
  const partNumber = partNumberOf(s3);
  const upload = uploadOf(s3, storage);
  const src = copySourceRow(s3, storage);
  const rangeHeader = header(s3.req, 'x-amz-copy-source-range');
  let span = { start: 0, end: src.size - 1 };
  if (rangeHeader !== undefined) {
    const m = /^bytes=(\d+)-(\d+)$/.exec(rangeHeader);
    if (!m) {
      throw invalidArgument('The x-amz-copy-source-range value must be of the form bytes=first-last where first and last are the zero-based offsets of the first and last bytes to copy', 'x-amz-copy-source-range', rangeHeader);
    }
    span = { start: Number(m[1]), end: Number(m[2]) };
    if (span.end < span.start || span.end >= src.size) {
      throw invalidRange(rangeHeader, src.size);
    }
  }
  const body = src.size === 0 ? Readable.from([]) : createReadStream(storage.files.pathOf(src.file), span);
  const part = await multipart(storage).putPart(upload, partNumber, body);
  sendXml(s3.res, 200, 'CopyPartResult', { LastModified: xmlTime(part.modified), ETag: part.etag });
}

async function completeUpload(s3: S3Request, storage: S3Storage): Promise<void> {
  const upload = uploadOf(s3, storage);
  const doc = (await readXmlBody(s3.req))?.CompleteMultipartUpload as Record<string, unknown> | undefined;
  const parts = (doc?.Part ?? []) as Array<Record<string, unknown>>;
  const requested = parts.map((p) => ({ partNumber: Number(p.PartNumber), etag: String(p.ETag ?? '') }));
  if (!doc || requested.some((p) => !Number.isInteger(p.partNumber))) {
    throw malformedXml();
  }
  const row = await multipart(storage).complete(upload, requested);
  sendXml(s3.res, 200, 'CompleteMultipartUploadResult', {
    Location: `http://${s3.req.headers.host ?? 'localhost'}/${s3.bucket}/${encodeURIComponent(s3.key).replace(/%2F/g, '/')}`,
    Bucket: s3.bucket,
    Key: s3.key,
    ETag: row.etag,
  });
}

async function abortUpload(s3: S3Request, storage: S3Storage): Promise<void> {
  s3.req.resume();
  const upload = uploadOf(s3, storage);
  await multipart(storage).abort(upload.upload_id);
  sendEmpty(s3.res, 204);
}

function listParts(s3: S3Request, storage: S3Storage): void {
  const upload = uploadOf(s3, storage);
  const marker = Number(s3.query.get('part-number-marker') ?? 0) || 0;
  const max = Math.min(Number(s3.query.get('max-parts') ?? 1000) || 1000, 1000);
  const all = multipart(storage).parts(upload.upload_id).filter((p) => p.part_number > marker);
  const page = all.slice(0, max);
  sendXml(s3.res, 200, 'ListPartsResult', {
    Bucket: s3.bucket,
    Key: s3.key,
    UploadId: upload.upload_id,
    Initiator: OWNER,
    Owner: OWNER,
    StorageClass: 'STANDARD',
    PartNumberMarker: marker,
    ...(page.length > 0 ? { NextPartNumberMarker: page[page.length - 1]!.part_number } : {}),
    MaxParts: max,
    IsTruncated: all.length > page.length,
    Part: page.map((p) => ({ PartNumber: p.part_number, LastModified: xmlTime(p.modified), ETag: p.etag, Size: p.size })),
  });
}

/** Basic: every unfinished upload of the bucket, optionally under a prefix, in one page. */
function listUploads(s3: S3Request, storage: S3Storage): void {
  storage.requireBucket(s3.bucket);
  const prefix = s3.query.get('prefix') ?? '';
  const uploads = multipart(storage)
    .uploads(s3.bucket)
    .filter((u) => u.key.startsWith(prefix));
  if (s3.query.has('encoding-type') && s3.query.get('encoding-type') !== 'url') {
    throw new S3Error('InvalidArgument', 400, 'Invalid Encoding Method specified in Request');
  }
  sendXml(s3.res, 200, 'ListMultipartUploadsResult', {
    Bucket: s3.bucket,
    KeyMarker: '',
    UploadIdMarker: '',
    Prefix: prefix,
    MaxUploads: 1000,
    IsTruncated: false,
    Upload: uploads.map((u) => ({
      Key: u.key,
      UploadId: u.upload_id,
      Initiator: OWNER,
      Owner: OWNER,
      StorageClass: 'STANDARD',
      Initiated: xmlTime(u.initiated),
    })),
  });
}
