import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import { text } from 'node:stream/consumers';
import { describe, test } from 'node:test';
import { AwsChunkedDecoder } from '../../src/s3/aws-chunked.js';
import { parseRange } from '../../src/s3/conditions.js';
import { multipartEtag } from '../../src/s3/multipart-etag.js';
import { parseXml, renderXml } from '../../src/s3/xml.js';

async function decode(parts: string[]): Promise<{ body: string; trailers: Record<string, string> }> {
  const d = new AwsChunkedDecoder();
  const body = await text(Readable.from(parts.map((p) => Buffer.from(p))).pipe(d));
  return { body, trailers: d.trailers };
}

describe('aws-chunked decoding', () => {
  test('unsigned with a checksum trailer, split anywhere', async () => {
    const wire = '5\r\nhello\r\n6\r\n world\r\n0\r\nx-amz-checksum-crc32:DUoRhQ==\r\n\r\n';
    for (let cut = 1; cut < wire.length; cut += 3) {
      const out = await decode([wire.slice(0, cut), wire.slice(cut)]);
      assert.equal(out.body, 'hello world');
      assert.deepEqual(out.trailers, { 'x-amz-checksum-crc32': 'DUoRhQ==' });
    }
  });
  test('signed chunks (chunk-signature extensions)', async () => {
    const sig = 'chunk-signature=' + 'a'.repeat(64);
    const out = await decode([`3;${sig}\r\nabc\r\n0;${sig}\r\n\r\n`]);
    assert.equal(out.body, 'abc');
  });
  test('a truncated body fails', async () => {
    await assert.rejects(decode(['5\r\nhel']), /ended before its last chunk/);
  });
  test('a chunk longer than its size fails', async () => {
    await assert.rejects(decode(['2\r\nabc\r\n0\r\n\r\n']), /longer than its size/);
  });
});

describe('multipart ETag', () => {
  test('MD5 of the binary part MD5s, then -N', () => {
    const md5 = (s: string) => createHash('md5').update(s).digest();
    const expected = createHash('md5').update(Buffer.concat([md5('a'), md5('b')])).digest('hex');
    assert.equal(multipartEtag([`"${md5('a').toString('hex')}"`, md5('b').toString('hex')]), `"${expected}-2"`);
  });
});

describe('Range', () => {
  test('forms S3 accepts', () => {
    assert.deepEqual(parseRange('bytes=0-4', 10), { start: 0, end: 4 });
    assert.deepEqual(parseRange('bytes=5-', 10), { start: 5, end: 9 });
    assert.deepEqual(parseRange('bytes=-3', 10), { start: 7, end: 9 });
    assert.deepEqual(parseRange('bytes=8-100', 10), { start: 8, end: 9 });
    assert.equal(parseRange('bytes=10-', 10), 'unsatisfiable');
    assert.equal(parseRange('bytes=0-1,3-4', 10), 'whole');
    assert.equal(parseRange(undefined, 10), 'whole');
  });
});

describe('XML', () => {
  test('values are escaped and the namespace is S3s', () => {
    const xml = renderXml('ListBucketResult', { Name: 'b', Contents: [{ Key: 'a&<b>' }, { Key: 'c' }] });
    assert.match(xml, /^<\?xml version="1.0" encoding="UTF-8"\?>\n<ListBucketResult xmlns="http:\/\/s3.amazonaws.com\/doc\/2006-03-01\/">/);
    assert.match(xml, /<Contents><Key>a&amp;&lt;b&gt;<\/Key><\/Contents><Contents><Key>c<\/Key><\/Contents>/);
  });
  test('error documents have no namespace', () => {
    assert.match(renderXml('Error', { Code: 'NoSuchKey', Message: 'm' }, false), /<Error><Code>NoSuchKey<\/Code><Message>m<\/Message><\/Error>$/);
  });
  test('parsed bodies keep keys as strings and parts as lists', () => {
    const doc = parseXml('<Delete><Object><Key>007</Key></Object></Delete>') as { Delete: { Object: Array<{ Key: string }> } };
    assert.deepEqual(doc.Delete.Object, [{ Key: '007' }]);
    assert.equal(parseXml('<Delete><Object>'), undefined);
  });
});
