import { randomUUID } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { S3Client } from '@aws-sdk/client-s3';
import { type ObjectStore, ObjectStoreError } from './object-store.js';

/**
 * The ObjectStore over an S3-compatible server (MinIO, LocalStack, moto, or
 * AWS itself), named by SME_S3_ENDPOINT_URL or AWS_ENDPOINT_URL_S3; path-style
 * addressing, which every S3-compatible server accepts. Credentials come from
 * the SDK's default chain. The SDK is loaded on first use: runs that never
 * touch s3:// do not pay for it at start-up.
 */
export function externalObjectStore(endpoint: string | undefined, region: string): ObjectStore {
  let client: Promise<S3Client> | undefined;
  const s3 = () =>
    (client ??= import('@aws-sdk/client-s3').then(({ S3Client }) => new S3Client({ region, ...(endpoint ? { endpoint, forcePathStyle: true } : {}) })));
  return {
    async get(bucket, key) {
      const { GetObjectCommand } = await import('@aws-sdk/client-s3');
      const out = await (await s3()).send(new GetObjectCommand({ Bucket: bucket, Key: key })).catch((err: unknown) => {
        throw toStoreError(err);
      });
      return { body: out.Body as Readable, contentLength: out.ContentLength ?? 0, contentType: out.ContentType };
    },
    async put(bucket, key, body, contentType) {
      const { PutObjectCommand } = await import('@aws-sdk/client-s3');
      const client = await s3();
      const send = (Body: Buffer | Readable, ContentLength: number) =>
        client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body, ContentLength, ContentType: contentType })).catch((err: unknown) => {
          throw toStoreError(err);
        });
      if (Buffer.isBuffer(body)) {
        return { etag: (await send(body, body.length)).ETag ?? '' };
      }
      // PutObject needs the length up front: a stream of unknown length is spooled to a temporary file first.
      const spool = path.join(os.tmpdir(), `sme-put-${randomUUID()}`);
      try {
        await pipeline(body, createWriteStream(spool));
        const { size } = await fs.stat(spool);
        return { etag: (await send(createReadStream(spool), size)).ETag ?? '' };
      } finally {
        await fs.rm(spool, { force: true });
      }
    },
    async list(bucket, prefix) {
      const { ListObjectsV2Command } = await import('@aws-sdk/client-s3');
      const client = await s3();
      const listed = [];
      let token: string | undefined;
      do {
        const page = await client.send(new ListObjectsV2Command({ Bucket: bucket, Prefix: prefix, ContinuationToken: token })).catch((err: unknown) => {
          throw toStoreError(err);
        });
        for (const o of page.Contents ?? []) {
          listed.push({ key: o.Key ?? '', size: o.Size ?? 0 });
        }
        token = page.IsTruncated ? page.NextContinuationToken : undefined;
      } while (token);
      return listed;
    },
  };
}

function toStoreError(err: unknown): unknown {
  const e = err as { name?: string; message?: string; $metadata?: { httpStatusCode?: number } };
  const code = e.name === 'NoSuchBucket' || e.name === 'NoSuchKey' || e.name === 'AccessDenied' ? e.name : undefined;
  if (code) {
    return new ObjectStoreError(code, e.message ?? code);
  }
  if (e.$metadata?.httpStatusCode === 404) {
    return new ObjectStoreError('NoSuchKey', e.message ?? 'The specified key does not exist.');
  }
  return err;
}
