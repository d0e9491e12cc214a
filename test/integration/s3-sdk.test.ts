import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { Readable } from 'node:stream';
import { after, before, describe, test } from 'node:test';
import {
  CopyObjectCommand,
  CreateBucketCommand,
  DeleteBucketCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  HeadObjectCommand,
  ListBucketsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
  S3ServiceException,
  paginateListObjectsV2,
} from '@aws-sdk/client-s3';
import { Upload } from '@aws-sdk/lib-storage';
import { TIMEOUT } from '../helpers/bounded.js';
import { type TestEmulator, credentials, removeStateDir, startTestEmulator } from '../helpers/emulator.js';

/** The embedded S3 through the JS SDK v3 (default flexible checksums: aws-chunked bodies with CRC trailers) and lib-storage. */
describe('S3 on the same port: JS SDK v3', { timeout: TIMEOUT.suite }, () => {
  let t: TestEmulator;
  let s3: S3Client;
  const client = (region: string) => new S3Client({ endpoint: t.url, region, forcePathStyle: true, credentials, maxAttempts: 1 });

  before(async () => {
    t = await startTestEmulator();
    s3 = client('us-east-1');
  });
  after(async () => {
    s3.destroy();
    await t.stop();
    removeStateDir(t.stateDir);
  });

  async function failure(p: Promise<unknown>): Promise<{ name: string; status: number | undefined }> {
    const err = await p.then(
      () => assert.fail('expected a failure'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof S3ServiceException, String(err));
    return { name: err.name, status: err.$metadata.httpStatusCode };
  }

  test('put, get with a range, head, copy, list, delete', { timeout: TIMEOUT.test }, async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'sdk-bucket' }));
    const put = await s3.send(new PutObjectCommand({ Bucket: 'sdk-bucket', Key: 'dir/a b+c.txt', Body: 'hello world', ContentType: 'text/plain', Metadata: { k: 'v' } }));
    assert.equal(put.ETag, `"${createHash('md5').update('hello world').digest('hex')}"`);
    // A stream body: the SDK sends it aws-chunked with a CRC32 trailer.
    await s3.send(new PutObjectCommand({ Bucket: 'sdk-bucket', Key: 'dir/streamed', Body: Readable.from([Buffer.from('abc'), Buffer.from('def')]), ContentLength: 6 }));
    assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: 'sdk-bucket', Key: 'dir/streamed' }))).Body!.transformToString(), 'abcdef');

    const ranged = await s3.send(new GetObjectCommand({ Bucket: 'sdk-bucket', Key: 'dir/a b+c.txt', Range: 'bytes=6-' }));
    assert.equal(ranged.$metadata.httpStatusCode, 206);
    assert.equal(ranged.ContentRange, 'bytes 6-10/11');
    assert.equal(await ranged.Body!.transformToString(), 'world');
    const head = await s3.send(new HeadObjectCommand({ Bucket: 'sdk-bucket', Key: 'dir/a b+c.txt' }));
    assert.equal(head.ContentType, 'text/plain');
    assert.equal(head.ContentLength, 11);
    assert.deepEqual(head.Metadata, { k: 'v' });
    assert.equal((await failure(s3.send(new GetObjectCommand({ Bucket: 'sdk-bucket', Key: 'dir/a b+c.txt', Range: 'bytes=50-' })))).status, 416);

    const copy = await s3.send(new CopyObjectCommand({ Bucket: 'sdk-bucket', Key: 'copied', CopySource: `sdk-bucket/${encodeURIComponent('dir/a b+c.txt')}` }));
    assert.equal(copy.CopyObjectResult?.ETag, put.ETag);
    const listed = await s3.send(new ListObjectsV2Command({ Bucket: 'sdk-bucket', Delimiter: '/' }));
    assert.deepEqual(listed.Contents?.map((c) => c.Key), ['copied']);
    assert.deepEqual(listed.CommonPrefixes?.map((c) => c.Prefix), ['dir/']);

    const keys: string[] = [];
    for await (const page of paginateListObjectsV2({ client: s3, pageSize: 1 }, { Bucket: 'sdk-bucket' })) {
      keys.push(...(page.Contents ?? []).map((c) => c.Key!));
    }
    assert.deepEqual(keys, ['copied', 'dir/a b+c.txt', 'dir/streamed']);

    await s3.send(new DeleteObjectCommand({ Bucket: 'sdk-bucket', Key: 'copied' }));
    await s3.send(new DeleteObjectCommand({ Bucket: 'sdk-bucket', Key: 'never-there' }));
    const del = await s3.send(new DeleteObjectsCommand({ Bucket: 'sdk-bucket', Delete: { Objects: [{ Key: 'dir/a b+c.txt' }, { Key: 'dir/streamed' }] } }));
    assert.equal(del.Deleted?.length, 2);
    await s3.send(new DeleteBucketCommand({ Bucket: 'sdk-bucket' }));
    assert.ok(!(await s3.send(new ListBucketsCommand({}))).Buckets?.some((b) => b.Name === 'sdk-bucket'));
  });

  test('lib-storage Upload: multipart, ETag of the parts', { timeout: TIMEOUT.test }, async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'sdk-multipart' }));
    const data = randomBytes(12 * 1024 * 1024 + 123);
    const upload = new Upload({ client: s3, params: { Bucket: 'sdk-multipart', Key: 'big.bin', Body: data }, partSize: 5 * 1024 * 1024, queueSize: 2 });
    const out = await upload.done();
    assert.match(out.ETag ?? '', /-3"$/);
    const got = Buffer.from(await (await s3.send(new GetObjectCommand({ Bucket: 'sdk-multipart', Key: 'big.bin' }))).Body!.transformToByteArray());
    assert.equal(got.length, data.length);
    assert.ok(got.equals(data));
  });

  test('errors: NoSuchBucket, NoSuchKey, BucketAlreadyOwnedByYou, BucketNotEmpty, InvalidBucketName', { timeout: TIMEOUT.test }, async () => {
    assert.deepEqual(await failure(s3.send(new GetObjectCommand({ Bucket: 'no-such-bucket', Key: 'k' }))), { name: 'NoSuchBucket', status: 404 });
    await s3.send(new CreateBucketCommand({ Bucket: 'sdk-errors' }));
    assert.deepEqual(await failure(s3.send(new GetObjectCommand({ Bucket: 'sdk-errors', Key: 'k' }))), { name: 'NoSuchKey', status: 404 });
    // us-east-1 answers 200 to re-creating your own bucket; every other region 409.
    await s3.send(new CreateBucketCommand({ Bucket: 'sdk-errors' }));
    const west = client('eu-west-2');
    try {
      await west.send(new CreateBucketCommand({ Bucket: 'sdk-west', CreateBucketConfiguration: { LocationConstraint: 'eu-west-2' } }));
      assert.deepEqual(
        await failure(west.send(new CreateBucketCommand({ Bucket: 'sdk-west', CreateBucketConfiguration: { LocationConstraint: 'eu-west-2' } }))),
        { name: 'BucketAlreadyOwnedByYou', status: 409 },
      );
    } finally {
      west.destroy();
    }
    await s3.send(new PutObjectCommand({ Bucket: 'sdk-errors', Key: 'k', Body: 'x' }));
    assert.deepEqual(await failure(s3.send(new DeleteBucketCommand({ Bucket: 'sdk-errors' }))), { name: 'BucketNotEmpty', status: 409 });
    assert.deepEqual(await failure(s3.send(new CreateBucketCommand({ Bucket: 'Bad_Name' }))), { name: 'InvalidBucketName', status: 400 });
    assert.deepEqual(await failure(s3.send(new DeleteBucketCommand({ Bucket: 'no-such-bucket' }))), { name: 'NoSuchBucket', status: 404 });
  });

  test('objects survive a restart; reset deletes every bucket', { timeout: TIMEOUT.long }, async () => {
    await s3.send(new CreateBucketCommand({ Bucket: 'sdk-durable' }));
    await s3.send(new PutObjectCommand({ Bucket: 'sdk-durable', Key: 'kept', Body: 'still here' }));
    await t.stop();
    t = await t.restart();
    s3.destroy();
    s3 = client('us-east-1');
    assert.equal(await (await s3.send(new GetObjectCommand({ Bucket: 'sdk-durable', Key: 'kept' }))).Body!.transformToString(), 'still here');
    const reset = await fetch(`${t.url}/_emulator/reset`, { method: 'POST' });
    assert.equal(reset.status, 200);
    assert.deepEqual((await s3.send(new ListBucketsCommand({}))).Buckets ?? [], []);
  });
});
