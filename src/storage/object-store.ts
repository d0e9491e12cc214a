import type { Readable } from 'node:stream';

/**
 * Every s3:// URL the emulator itself reads or writes (model data, async
 * inference input, output and failure files; later transform jobs and data
 * capture) goes through one ObjectStore: the S3 embedded on our own port by
 * default, or an external S3-compatible server (SME_S3_ENDPOINT_URL,
 * AWS_ENDPOINT_URL_S3) through @aws-sdk/client-s3.
 */
export interface ObjectStore {
  /** Rejects with ObjectStoreError('NoSuchBucket' | 'NoSuchKey') when the object is not there. */
  get(bucket: string, key: string): Promise<StoredObject>;
  /** Writes the whole object (replacing any), creating nothing else: the bucket must exist. */
  put(bucket: string, key: string, body: Buffer | Readable, contentType?: string): Promise<{ etag: string }>;
  /** Every key under `prefix`, in S3's key order; rejects with ObjectStoreError('NoSuchBucket') when there is no bucket. */
  list(bucket: string, prefix: string): Promise<ListedObject[]>;
}

export interface ListedObject {
  key: string;
  size: number;
}

export interface StoredObject {
  body: Readable;
  contentLength: number;
  contentType: string | undefined;
}

export type ObjectStoreErrorCode = 'NoSuchBucket' | 'NoSuchKey' | 'AccessDenied' | 'InternalError';

export class ObjectStoreError extends Error {
  override name = 'ObjectStoreError';
  constructor(
    readonly code: ObjectStoreErrorCode,
    message: string,
  ) {
    super(message);
  }
}

/** `s3://bucket/key` → its parts; undefined for anything else (a bucket alone, another scheme). */
export function parseS3Url(url: string): { bucket: string; key: string } | undefined {
  const m = /^s3:\/\/([^/]+)\/(.+)$/.exec(url);
  return m ? { bucket: m[1]!, key: m[2]! } : undefined;
}
