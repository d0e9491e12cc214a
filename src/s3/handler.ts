import type { Logger } from 'pino';
import type { RequestHandler } from '../protocol/dispatcher.js';
import { createBucket, deleteBucket, getAcl, getBucketLocation, getBucketVersioning, headBucket, listBuckets } from './buckets.js';
import { S3Error, methodNotAllowed, notImplemented } from './errors.js';
import { listObjectsV1, listObjectsV2 } from './list.js';
import { multipartOperation } from './multipart.js';
import { copyObject, deleteObject, deleteObjects, getObject, putObject } from './objects.js';
import { type S3Request, parseS3Request, sendS3Error, stampIds } from './request.js';
import type { S3Storage } from './storage.js';

/**
 * S3 on the emulator's own port (docs/architecture.md, "Product interface,
 * second round"): the dispatcher hands over every request signed for `s3`.
 * Path-style only: /BUCKET/KEY. Sub-resources the emulator does not keep
 * (?policy, ?cors, ?lifecycle…) answer 501 NotImplemented rather than
 * pretending; the few that clients read on every run are answered.
 */
const SUB_RESOURCES = [
  'accelerate', 'acl', 'analytics', 'attributes', 'cors', 'encryption', 'intelligent-tiering', 'inventory', 'legal-hold',
  'lifecycle', 'logging', 'metrics', 'notification', 'object-lock', 'ownershipControls', 'policy', 'policyStatus',
  'publicAccessBlock', 'replication', 'requestPayment', 'restore', 'retention', 'select', 'tagging', 'torrent',
  'versioning', 'versions', 'website',
];

type Operation = (s3: S3Request, storage: S3Storage) => void | Promise<void>;

function subResource(query: URLSearchParams): string | undefined {
  return SUB_RESOURCES.find((name) => query.has(name));
}

function serviceOperation(s3: S3Request): Operation {
  if (s3.method === 'GET') {
    return listBuckets;
  }
  throw methodNotAllowed(s3.method, 'SERVICE');
}

function bucketOperation(s3: S3Request): Operation {
  const { method, query } = s3;
  const sub = subResource(query);
  if (method === 'GET' && query.has('location')) {
    return getBucketLocation;
  }
  if (method === 'GET' && sub === 'versioning') {
    return getBucketVersioning;
  }
  if (method === 'GET' && sub === 'acl') {
    return (r, storage) => (storage.requireBucket(r.bucket), getAcl(r));
  }
  if (sub) {
    throw notImplemented(`?${sub}`);
  }
  const mp = multipartOperation(s3);
  if (mp) {
    return mp;
  }
  switch (method) {
    case 'GET':
      return query.get('list-type') === '2' ? listObjectsV2 : listObjectsV1;
    case 'PUT':
      return createBucket;
    case 'HEAD':
      return headBucket;
    case 'DELETE':
      return deleteBucket;
    case 'POST':
      if (query.has('delete')) {
        return deleteObjects;
      }
      break;
  }
  throw methodNotAllowed(method, 'BUCKET');
}

function objectOperation(s3: S3Request): Operation {
  const { method, query } = s3;
  const sub = subResource(query);
  if (method === 'GET' && sub === 'acl') {
    return (r, storage) => (storage.requireObject(r.bucket, r.key), getAcl(r));
  }
  if (sub) {
    throw notImplemented(`?${sub}`);
  }
  const mp = multipartOperation(s3);
  if (mp) {
    return mp;
  }
  switch (method) {
    case 'PUT':
      return s3.req.headers['x-amz-copy-source'] ? copyObject : putObject;
    case 'GET':
    case 'HEAD':
      return getObject;
    case 'DELETE':
      return deleteObject;
  }
  throw methodNotAllowed(method, 'OBJECT');
}

export function s3Handler(storage: S3Storage, log: Logger): RequestHandler {
  return (req, res, info) => {
    const s3 = parseS3Request(req, res, info);
    stampIds(res, info.requestId);
    Promise.resolve()
      .then(() => (s3.bucket === '' ? serviceOperation(s3) : s3.key === '' ? bucketOperation(s3) : objectOperation(s3))(s3, storage))
      .catch((err: unknown) => {
        if (res.destroyed) {
          return; // the client went away mid-transfer
        }
        const sent = sendS3Error(s3, err);
        if (!(err instanceof S3Error)) {
          log.error({ err, requestId: info.requestId, method: s3.method, bucket: s3.bucket, key: s3.key }, 's3 request failed');
        } else if (log.isLevelEnabled('debug')) {
          log.debug({ requestId: info.requestId, code: sent.code, status: sent.status }, 's3 request refused');
        }
      });
  };
}
