import type { Readable } from 'node:stream';
import type { ObjectStore } from '../storage/object-store.js';
import type { ArtifactSource } from './artifacts.js';

/**
 * s3:// model data through the emulator's ObjectStore: the embedded S3 by
 * default, or the external S3-compatible server of SME_S3_ENDPOINT_URL /
 * AWS_ENDPOINT_URL_S3 (src/server.ts chooses).
 */
export function s3ArtifactSource(objects: ObjectStore): ArtifactSource {
  return {
    async fetchS3(bucket: string, key: string): Promise<Readable> {
      return (await objects.get(bucket, key)).body;
    },
  };
}
