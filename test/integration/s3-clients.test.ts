import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { TIMEOUT } from '../helpers/bounded.js';
import { type TestEmulator, removeStateDir, startTestEmulator } from '../helpers/emulator.js';
import { clientEnv, PYTHON_DIR, run } from '../helpers/external-clients.js';

/**
 * The embedded S3 through the AWS CLI (`aws s3` and `aws s3api`) and boto3,
 * unmodified, configured only by the environment.
 */
describe('S3 on the same port: AWS CLI and boto3', { timeout: TIMEOUT.suite }, () => {
  let t: TestEmulator;
  let scratch: string;
  let env: NodeJS.ProcessEnv;
  const aws = async (...args: string[]) => {
    const r = await run('aws', args, env);
    assert.equal(r.code, 0, `aws ${args.join(' ')} exited ${r.code}\n${r.stdout}\n${r.stderr}`);
    return r.stdout;
  };
  const awsFails = (...args: string[]) => run('aws', args, env);

  before(async () => {
    t = await startTestEmulator();
    scratch = mkdtempSync(path.join(os.tmpdir(), 'sme-s3-clients-'));
    env = clientEnv(t.url, scratch);
  });
  after(async () => {
    await t?.stop();
    if (t) {
      removeStateDir(t.stateDir);
    }
    rmSync(scratch, { recursive: true, force: true });
  });

  test('aws s3: mb, cp up and down (multipart above 8 MB), ls, ls --recursive, rm, rb', { timeout: TIMEOUT.long }, async () => {
    await aws('s3', 'mb', 's3://cli-bucket');
    const small = path.join(scratch, 'small.txt');
    writeFileSync(small, 'small file');
    const big = path.join(scratch, 'big.bin');
    writeFileSync(big, randomBytes(9 * 1024 * 1024));
    await aws('s3', 'cp', small, 's3://cli-bucket/docs/small file.txt');
    await aws('s3', 'cp', big, 's3://cli-bucket/big.bin');
    await aws('s3', 'cp', 's3://cli-bucket/big.bin', path.join(scratch, 'big.down'));
    assert.ok(readFileSync(path.join(scratch, 'big.down')).equals(readFileSync(big)));
    await aws('s3', 'cp', 's3://cli-bucket/docs/small file.txt', path.join(scratch, 'small.down'));
    assert.equal(readFileSync(path.join(scratch, 'small.down'), 'utf8'), 'small file');

    const top = await aws('s3', 'ls', 's3://cli-bucket/');
    assert.match(top, /PRE docs\//);
    assert.match(top, /9437184 big\.bin/);
    const all = await aws('s3', 'ls', '--recursive', 's3://cli-bucket');
    assert.match(all, /docs\/small file\.txt/);
    assert.match(await aws('s3', 'ls'), /cli-bucket/);
    const etag = JSON.parse(await aws('s3api', 'head-object', '--bucket', 'cli-bucket', '--key', 'big.bin')) as { ETag: string };
    assert.match(etag.ETag, /-\d+"$/, 'the CLI uploaded the 9 MB file in parts');

    const notEmpty = await awsFails('s3api', 'delete-bucket', '--bucket', 'cli-bucket');
    assert.notEqual(notEmpty.code, 0);
    assert.match(notEmpty.stderr, /BucketNotEmpty/);
    await aws('s3', 'rm', '--recursive', 's3://cli-bucket/');
    assert.equal((await aws('s3', 'ls', '--recursive', 's3://cli-bucket')).trim(), '');
    await aws('s3', 'rb', 's3://cli-bucket');
  });

  test('aws s3api: NoSuchBucket, NoSuchKey, BucketAlreadyOwnedByYou outside us-east-1', { timeout: TIMEOUT.test }, async () => {
    const noBucket = await awsFails('s3api', 'get-object', '--bucket', 'cli-no-such-bucket', '--key', 'k', path.join(scratch, 'x'));
    assert.match(noBucket.stderr, /NoSuchBucket/);
    await aws('s3api', 'create-bucket', '--bucket', 'cli-errors');
    const noKey = await awsFails('s3api', 'get-object', '--bucket', 'cli-errors', '--key', 'missing', path.join(scratch, 'x'));
    assert.match(noKey.stderr, /NoSuchKey/);
    await aws('s3api', 'create-bucket', '--bucket', 'cli-errors'); // us-east-1: 200, as on AWS
    const westArgs = ['s3api', 'create-bucket', '--bucket', 'cli-west', '--region', 'eu-central-1', '--create-bucket-configuration', 'LocationConstraint=eu-central-1'];
    await aws(...westArgs);
    const again = await awsFails(...westArgs);
    assert.match(again.stderr, /BucketAlreadyOwnedByYou/);
  });

  test('boto3: put/get with Range, head, paginated list with a delimiter, copy, delete_objects, upload_file', { timeout: TIMEOUT.long }, async () => {
    const r = await run('python3', [path.join(PYTHON_DIR, 's3_boto3.py'), 'boto3-bucket', scratch], env);
    assert.equal(r.code, 0, r.stderr);
    const out = JSON.parse(r.stdout) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
    assert.deepEqual(out.range, { body: 'hello', ContentRange: 'bytes 0-4/11', status: 206 });
    assert.deepEqual(out.head, { ContentLength: 11, ContentType: 'text/plain', Metadata: { who: 'boto3' } });
    assert.deepEqual(out.list.keys, ['many/file-0', 'many/file-1', 'many/file-2', 'many/file-3', 'many/file-4']);
    assert.deepEqual(out.list.prefixes, ['many/0/', 'many/1/', 'many/2/', 'many/3/', 'many/4/']);
    assert.equal(out.list.pages, 4);
    assert.equal(out.copied, 'hello boto3');
    assert.equal(out.deleted, 5);
    assert.equal(out.multipart.same, true);
    assert.match(out.multipart.ETag, /-\d+"$/);
    assert.deepEqual(out.errors, {
      NoSuchBucket: { Code: 'NoSuchBucket', Status: 404 },
      NoSuchKey: { Code: 'NoSuchKey', Status: 404 },
      BucketNotEmpty: { Code: 'BucketNotEmpty', Status: 409 },
      HeadMissing: { Code: '404', Status: 404 },
      BucketAlreadyOwnedByYou: { Code: 'BucketAlreadyOwnedByYou', Status: 409 },
    });
    assert.equal(out.location, 'eu-west-1');
  });
});
