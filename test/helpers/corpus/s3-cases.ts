import { createHash } from 'node:crypto';
import { s3Answer, wants } from './checks.js';
import type { Rng } from './prng.js';
import { s3 } from './requests.js';
import type { CorpusCase, CorpusContext } from './types.js';

/**
 * The embedded S3: traversal, NUL and over-long keys, bad bucket names, bad
 * XML for DeleteObjects / CompleteMultipartUpload / CreateBucket, bad
 * ranges, bad Content-MD5, broken aws-chunked framing, odd metadata.
 */
export function s3Cases(rng: Rng, ctx: CorpusContext, count: number): CorpusCase[] {
  const m = ctx.marker;
  const keys = [
    `..%2F..%2F${m}-s3a`, `%2e%2e/%2e%2e/${m}-s3b`, `../../../${m}-s3c`, `/${m}-s3d`, `%2F${m}-s3e`, `a%00b-${m}`, `${'k'.repeat(1025)}`,
    `${'%C3%A9'.repeat(600)}`, `dir/../../${m}-s3f`, `.`, `..`, `%2e%2e`, `a%0d%0aX-Sme-Injected:%201`, `%F0%9F%98%80/${m}`, `a//b///c`,
    `%5c..%5c..%5c${m}-s3g`, `a?b`, `%E2%80%AE${m}`, `${m}-ok`, `~/${m}-home`, `%zz`, `%`, `%C0%AF`,
  ];
  const buckets = [
    ctx.bucket, ctx.bucket, ctx.bucket, '..', '.', 'A', 'a', 'x'.repeat(64), 'bucket..x', '-bad', 'bad-', '%00', '%2e%2e', `${m}%2F..`,
    '192.168.1.1', 'xn--bucket', 'bucket-s3alias', 'UPPERCASE', 'under_score', `%2e%2e%2f%2e%2e%2f${m}-bkt`,
  ];
  const badXml = [
    '', '<', '<Delete>', '<Delete><Object><Key>../../x</Key></Object></Delete>', '<?xml version="1.0"?><!DOCTYPE a [<!ENTITY x SYSTEM "file:///etc/passwd">]><Delete><Object><Key>&x;</Key></Object></Delete>',
    '<Delete>' + '<Object><Key>k</Key></Object>'.repeat(1001) + '</Delete>', '<CompleteMultipartUpload><Part><PartNumber>x</PartNumber></Part></CompleteMultipartUpload>',
    '<CompleteMultipartUpload><Part><PartNumber>-1</PartNumber><ETag>"a"</ETag></Part></CompleteMultipartUpload>', '<a>' .repeat(3000) + '</a>'.repeat(3000),
    '{"json":true}', '<Delete><Object></Object></Delete>', '\u0000\u0000', '<CreateBucketConfiguration><LocationConstraint>../../x</LocationConstraint></CreateBucketConfiguration>',
  ];
  const ranges = ['bytes=', 'bytes=5-1', 'bytes=-', 'bytes=99999999999999999999-', 'items=0-1', 'bytes=0-1,2-3', 'bytes=-0', 'bytes=a-b', 'bytes=0-'];
  const cases: CorpusCase[] = [];
  for (let i = 0; i < count; i++) {
    const bucket = rng.pick(buckets);
    const key = rng.pick(keys);
    const op = rng.pick(['put', 'get', 'head', 'delete', 'delete-objects', 'complete', 'create-mpu', 'upload-part', 'create-bucket', 'list', 'range', 'md5', 'chunked', 'meta', 'copy'] as const);
    const path = `/${bucket}/${key}`;
    let req;
    switch (op) {
      case 'put': {
        const size = rng.pick([0, 1, 1024, rng.chance(0.05) ? 6 * 1024 * 1024 : 10]);
        req = s3('PUT', path, Buffer.alloc(size, 'p'));
        break;
      }
      case 'get':
        req = s3('GET', path);
        break;
      case 'head':
        req = s3('HEAD', path);
        break;
      case 'delete':
        req = s3('DELETE', path);
        break;
      case 'delete-objects':
        req = s3('POST', `/${bucket}?delete`, rng.pick(badXml));
        break;
      case 'complete':
        req = s3('POST', `${path}?uploadId=${rng.pick(['x', '../../x', '%00', ''])}`, rng.pick(badXml));
        break;
      case 'create-mpu':
        req = s3('POST', `${path}?uploads`);
        break;
      case 'upload-part':
        req = s3('PUT', `${path}?partNumber=${rng.pick(['0', '10001', '-1', 'a', '1e3', ''])}&uploadId=${rng.pick(['x', '..%2F..'])}`, 'part');
        break;
      case 'create-bucket':
        req = s3('PUT', `/${bucket}`, rng.pick(badXml));
        break;
      case 'list':
        req = s3('GET', `/${bucket}?list-type=2&max-keys=${rng.pick(['-1', 'abc', '99999999999', '0'])}&prefix=${rng.pick(['..%2F', '%00', ''])}&continuation-token=${rng.pick(['garbage', '%FF', ''])}`);
        break;
      case 'range':
        req = s3('GET', `/${ctx.bucket}/${m}-ranged`, '', [['Range', rng.pick(ranges)]]);
        break;
      case 'md5':
        req = s3('PUT', path, 'body', [['Content-MD5', rng.pick(['', 'not-base64!', createHash('md5').update('other').digest('base64'), 'AAAA', 'x'.repeat(5000)])]]);
        break;
      case 'chunked': {
        const framing = rng.pick(['zz\r\nabc\r\n0\r\n\r\n', '3;chunk-signature=00\r\nabc', '5\r\nab\r\n0\r\n\r\n', 'ffffffffffff;chunk-signature=0\r\n', '', '0\r\n\r\n', '-1\r\n\r\n']);
        req = s3('PUT', path, framing, [
          ['Content-Encoding', 'aws-chunked'],
          ['X-Amz-Decoded-Content-Length', rng.pick(['3', '-1', 'abc', '99999999999'])],
        ]);
        req.headers = req.headers.map(([k, v]) => (k === 'X-Amz-Content-Sha256' ? [k, 'STREAMING-AWS4-HMAC-SHA256-PAYLOAD'] : [k, v]));
        break;
      }
      case 'meta':
        req = s3('PUT', `/${ctx.bucket}/${m}-meta-${i}`, 'm', [[`x-amz-meta-${rng.pick(['a', 'ü', 'x'.repeat(3000)])}`, rng.pick(['v', '\u00e9\u00ff', 'x'.repeat(3000), '=?UTF-8?B?w6k=?='])]]);
        break;
      case 'copy':
        req = s3('PUT', path, '', [['x-amz-copy-source', rng.pick([`/${ctx.bucket}/../../etc/passwd`, '%2e%2e/x', `${ctx.bucket}/${m}-ok?versionId=..`, '', '/'])]]);
        break;
    }
    const expect = op === 'range' ? wants(s3Answer(), { status: [200, 206, 404, 416] }) : s3Answer({ head: op === 'head' });
    cases.push({ id: `s3-${i}-${op}-${bucket.slice(0, 20)}-${key.slice(0, 30)}`, family: 's3', request: req, expect });
  }
  return cases;
}
