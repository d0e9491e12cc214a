import fs from 'node:fs/promises';
import { Readable } from 'node:stream';
import { S3Error } from '../s3/errors.js';
import type { S3Storage } from '../s3/storage.js';
import { type ObjectStore, ObjectStoreError, type ObjectStoreErrorCode } from './object-store.js';

/**
 * The ObjectStore over the S3 embedded on our own port, in-process: the same
 * index and data files the S3 routes serve (src/s3/storage.ts), without HTTP.
 * An object written here is visible at once to `aws s3 ls`, and the reverse.
 */
export function embeddedObjectStore(storage: S3Storage): ObjectStore {
  return {
    async get(bucket, key) {
      const row = wrap(() => storage.requireObject(bucket, key));
      // Opened before returning: a PUT that replaces the object later does not cut this read short.
      const file = await fs.open(storage.files.pathOf(row.file));
      return {
        body: file.createReadStream(),
        contentLength: row.size,
        contentType: row.meta.contentType,
      };
    },
    async put(bucket, key, body, contentType) {
      const source = Buffer.isBuffer(body) ? Readable.from([body]) : body;
      const row = await storage.put(bucket, key, source, { ...(contentType ? { contentType } : {}), headers: {}, user: {} }).catch((err: unknown) => {
        throw toStoreError(err);
      });
      return { etag: row.etag };
    },
    async list(bucket, prefix) {
      wrap(() => storage.requireBucket(bucket));
      const listed = [];
      for (const row of storage.scan(bucket, prefix, true)) {
        if (!row.key.startsWith(prefix)) {
          break;
        }
        listed.push({ key: row.key, size: row.size });
      }
      return listed;
    },
  };
}

function wrap<T>(fn: () => T): T {
  try {
    return fn();
  } catch (err) {
    throw toStoreError(err);
  }
}

function toStoreError(err: unknown): unknown {
  if (err instanceof S3Error && (err.code === 'NoSuchBucket' || err.code === 'NoSuchKey')) {
    return new ObjectStoreError(err.code as ObjectStoreErrorCode, err.message);
  }
  return err;
}
