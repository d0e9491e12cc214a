import type { S3Request } from './request.js';
import type { S3Storage } from './storage.js';

/** Multipart uploads: the operation a request names, if it is one. */
export function multipartOperation(_s3: S3Request): ((s3: S3Request, storage: S3Storage) => Promise<void>) | undefined {
  return undefined;
}
