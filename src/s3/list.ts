import { S3Error } from './errors.js';
import type { ObjectRow } from './index-db.js';
import { decodeToken, encodeToken, listPage, scanStart, urlEncodeKey } from './listing.js';
import { OWNER } from './owner.js';
import { type S3Request, sendXml } from './request.js';
import type { S3Storage } from './storage.js';
import { type XmlNode, xmlTime } from './xml.js';

/** ListObjectsV2 (list-type=2) and ListObjects (v1, marker). The paging rules are in ./listing.ts. */

function maxKeysOf(query: URLSearchParams): number {
  const raw = query.get('max-keys');
  if (raw === null) {
    return 1000;
  }
  if (!/^\d+$/.test(raw)) {
    throw new S3Error('InvalidArgument', 400, 'Provided max-keys not an integer or within integer range', { ArgumentName: 'max-keys', ArgumentValue: raw });
  }
  return Math.min(Number(raw), 1000);
}

function encodingOf(query: URLSearchParams): (s: string) => string {
  const e = query.get('encoding-type');
  if (e !== null && e !== 'url') {
    throw new S3Error('InvalidArgument', 400, 'Invalid Encoding Method specified in Request', { ArgumentName: 'encoding-type', ArgumentValue: e });
  }
  return e === 'url' ? urlEncodeKey : (s) => s;
}

function page(s3: S3Request, storage: S3Storage, after: string | undefined) {
  storage.requireBucket(s3.bucket);
  const prefix = s3.query.get('prefix') ?? '';
  const delimiter = s3.query.get('delimiter') || undefined;
  const maxKeys = maxKeysOf(s3.query);
  const start = scanStart(prefix, after);
  // The whole page is read in one synchronous pass: the index statement never stays open across an await.
  const result = listPage(storage.scan(s3.bucket, start.from, start.inclusive), { prefix, delimiter, after, maxKeys });
  return { prefix, delimiter, maxKeys, result };
}

const contents = (rows: ObjectRow[], enc: (s: string) => string, owner: boolean): XmlNode[] =>
  rows.map((r) => ({
    Key: enc(r.key),
    LastModified: xmlTime(r.modified),
    ETag: r.etag,
    ...(r.meta.checksum ? { ChecksumAlgorithm: r.meta.checksum.algorithm.toUpperCase() } : {}),
    Size: r.size,
    ...(owner ? { Owner: OWNER } : {}),
    StorageClass: 'STANDARD',
  }));

export function listObjectsV2(s3: S3Request, storage: S3Storage): void {
  const enc = encodingOf(s3.query);
  const token = s3.query.get('continuation-token');
  const startAfter = s3.query.get('start-after') ?? undefined;
  let after = startAfter;
  if (token !== null) {
    after = decodeToken(token);
    if (after === undefined) {
      throw new S3Error('InvalidArgument', 400, 'The continuation token provided is incorrect', { ArgumentName: 'continuation-token', ArgumentValue: token });
    }
  }
  const { prefix, delimiter, maxKeys, result } = page(s3, storage, after);
  sendXml(s3.res, 200, 'ListBucketResult', {
    Name: s3.bucket,
    Prefix: enc(prefix),
    ...(delimiter ? { Delimiter: enc(delimiter) } : {}),
    MaxKeys: maxKeys,
    ...(s3.query.has('encoding-type') ? { EncodingType: 'url' } : {}),
    KeyCount: result.contents.length + result.commonPrefixes.length,
    ...(token !== null ? { ContinuationToken: token } : {}),
    ...(startAfter !== undefined ? { StartAfter: enc(startAfter) } : {}),
    IsTruncated: result.isTruncated,
    ...(result.isTruncated && result.last !== undefined ? { NextContinuationToken: encodeToken(result.last) } : {}),
    Contents: contents(result.contents, enc, s3.query.get('fetch-owner') === 'true'),
    CommonPrefixes: result.commonPrefixes.map((p) => ({ Prefix: enc(p) })),
  });
}

/** v1: NextMarker only with a delimiter (without one, clients page from the last key, as S3 documents). */
export function listObjectsV1(s3: S3Request, storage: S3Storage): void {
  const enc = encodingOf(s3.query);
  const marker = s3.query.get('marker') ?? '';
  const { prefix, delimiter, maxKeys, result } = page(s3, storage, marker || undefined);
  sendXml(s3.res, 200, 'ListBucketResult', {
    Name: s3.bucket,
    Prefix: enc(prefix),
    Marker: enc(marker),
    ...(delimiter && result.isTruncated && result.last !== undefined ? { NextMarker: enc(result.last) } : {}),
    MaxKeys: maxKeys,
    ...(delimiter ? { Delimiter: enc(delimiter) } : {}),
    ...(s3.query.has('encoding-type') ? { EncodingType: 'url' } : {}),
    IsTruncated: result.isTruncated,
    Contents: contents(result.contents, enc, true),
    CommonPrefixes: result.commonPrefixes.map((p) => ({ Prefix: enc(p) })),
  });
}
