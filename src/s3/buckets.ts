import { bucketAlreadyOwnedByYou, checkBucketName, illegalLocationConstraint, invalidLocationConstraint } from './errors.js';
import { OWNER } from './owner.js';
import { type S3Request, readXmlBody, sendEmpty, sendXml } from './request.js';
import type { S3Storage } from './storage.js';
import { xmlTime } from './xml.js';

/** ListBuckets, CreateBucket, DeleteBucket, HeadBucket, GetBucketLocation, and the trivially answerable bucket reads. */

export function listBuckets(s3: S3Request, storage: S3Storage): void {
  const buckets = storage.listBuckets();
  sendXml(s3.res, 200, 'ListAllMyBucketsResult', {
    Owner: OWNER,
    Buckets: { Bucket: buckets.map((b) => ({ Name: b.name, CreationDate: xmlTime(b.created), BucketRegion: b.region })) },
  });
}

/**
 * The bucket's region is its LocationConstraint, else the region the request
 * was signed for. Re-creating a bucket you own: S3 answers 409
 * BucketAlreadyOwnedByYou in every region except us-east-1, where it answers
 * 200 for legacy compatibility (aws-models/s3 service-2.json, the
 * BucketAlreadyOwnedByYou shape's documentation) — so do we, by the bucket's region.
 */
export async function createBucket(s3: S3Request, storage: S3Storage): Promise<void> {
  checkBucketName(s3.bucket);
  const doc = await readXmlBody(s3.req);
  const config = doc?.CreateBucketConfiguration as Record<string, unknown> | undefined;
  const constraint = typeof config?.LocationConstraint === 'string' ? config.LocationConstraint.trim() : undefined;
  const requestRegion = s3.info.region;
  if (constraint !== undefined && constraint !== '') {
    if (constraint === 'us-east-1' && requestRegion === 'us-east-1') {
      throw invalidLocationConstraint(); // us-east-1 is said by giving no constraint
    }
    if (constraint !== requestRegion && !(constraint === 'EU' && requestRegion === 'eu-west-1')) {
      throw illegalLocationConstraint(constraint);
    }
  }
  const region = constraint === 'EU' ? 'eu-west-1' : constraint || requestRegion;
  if (!storage.createBucket(s3.bucket, region)) {
    const existing = storage.requireBucket(s3.bucket);
    if (existing.region !== 'us-east-1') {
      throw bucketAlreadyOwnedByYou(s3.bucket);
    }
  }
  sendEmpty(s3.res, 200, { Location: `/${s3.bucket}` });
}

export async function deleteBucket(s3: S3Request, storage: S3Storage): Promise<void> {
  s3.req.resume();
  await storage.deleteBucket(s3.bucket);
  sendEmpty(s3.res, 204);
}

export function headBucket(s3: S3Request, storage: S3Storage): void {
  const b = storage.requireBucket(s3.bucket);
  sendEmpty(s3.res, 200, { 'x-amz-bucket-region': b.region });
}

/** us-east-1 is an empty LocationConstraint, as on S3. */
export function getBucketLocation(s3: S3Request, storage: S3Storage): void {
  const b = storage.requireBucket(s3.bucket);
  sendXml(s3.res, 200, 'LocationConstraint', b.region === 'us-east-1' ? {} : { '#text': b.region });
}

/** Versioning was never enabled: S3 answers an empty configuration. */
export function getBucketVersioning(s3: S3Request, storage: S3Storage): void {
  storage.requireBucket(s3.bucket);
  sendXml(s3.res, 200, 'VersioningConfiguration', {});
}

/** The owner has FULL_CONTROL, as for every new bucket or object. */
export function getAcl(s3: S3Request): void {
  sendXml(s3.res, 200, 'AccessControlPolicy', {
    Owner: OWNER,
    AccessControlList: {
      Grant: {
        Grantee: { '@_xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance', '@_xsi:type': 'CanonicalUser', ...OWNER },
        Permission: 'FULL_CONTROL',
      },
    },
  });
}
