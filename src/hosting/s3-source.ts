import type { Readable } from 'node:stream';
import type { ArtifactSource } from './artifacts.js';

/**
 * s3:// model data through any S3-compatible endpoint (MinIO, LocalStack…),
 * given by the standard AWS_ENDPOINT_URL_S3. The SDK is loaded on first use:
 * it costs start-up time that most runs (file:// models) never need.
 */
export function s3ArtifactSource(endpoint: string | undefined, region: string): ArtifactSource {
  return {
    async fetchS3(bucket: string, key: string): Promise<Readable> {
      const { S3Client, GetObjectCommand } = await import('@aws-sdk/client-s3');
      const client = new S3Client({ region, ...(endpoint ? { endpoint, forcePathStyle: true } : {}) });
      const out = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
      return out.Body as Readable;
    },
  };
}
