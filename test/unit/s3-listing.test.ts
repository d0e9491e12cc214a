import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { compareKeys, decodeToken, encodeToken, listPage, scanStart, urlEncodeKey } from '../../src/s3/listing.js';

const sorted = (keys: string[]) => [...keys].sort(compareKeys).map((key) => ({ key }));
const keysOf = (page: { contents: Array<{ key: string }> }) => page.contents.map((c) => c.key);

/** Pages through the whole listing the way a client does, from each page's last item. */
function all(keys: string[], input: { prefix?: string; delimiter?: string; maxKeys: number }) {
  const entries = sorted(keys);
  const seen: string[] = [];
  let after: string | undefined;
  for (let i = 0; i < 100; i++) {
    const prefix = input.prefix ?? '';
    const start = scanStart(prefix, after);
    const from = entries.filter((e) => (start.inclusive ? compareKeys(e.key, start.from) >= 0 : compareKeys(e.key, start.from) > 0));
    const page = listPage(from, { ...input, prefix, after });
    seen.push(...keysOf(page), ...page.commonPrefixes.map((p) => `P:${p}`));
    if (!page.isTruncated) {
      return seen;
    }
    after = page.last;
  }
  throw new Error('did not end');
}

describe('S3 listing', () => {
  test('UTF-8 byte order, not UTF-16 order', () => {
    // U+1F600's UTF-16 surrogate (0xD83D) sorts below U+FF5E; its UTF-8 bytes (0xF0…) sort above U+FF5E's (0xEF…).
    assert.ok('\u{1F600}' < '\uFF5E');
    assert.ok(compareKeys('\u{1F600}', '\uFF5E') > 0);
  });
  test('delimiter rolls keys up into common prefixes that count once', () => {
    const page = listPage(sorted(['a/1', 'a/2', 'b', 'c/x/y', 'd']), { prefix: '', delimiter: '/', maxKeys: 3 });
    assert.deepEqual(keysOf(page), ['b']);
    assert.deepEqual(page.commonPrefixes, ['a/', 'c/']);
    assert.equal(page.isTruncated, true);
    assert.equal(page.last, 'c/');
  });
  test('paging with a delimiter never repeats a common prefix', () => {
    const keys = ['a/1', 'a/2', 'a/3', 'b', 'c/1', 'c/2', 'd', 'e/1'];
    assert.deepEqual(all(keys, { delimiter: '/', maxKeys: 1 }), ['P:a/', 'b', 'P:c/', 'd', 'P:e/']);
    assert.deepEqual(all(keys, { delimiter: '/', maxKeys: 2 }).sort(), ['P:a/', 'b', 'P:c/', 'd', 'P:e/'].sort());
  });
  test('prefix and delimiter', () => {
    const keys = ['x/a', 'x/b/1', 'x/b/2', 'x/c', 'y/a'];
    assert.deepEqual(all(keys, { prefix: 'x/', delimiter: '/', maxKeys: 1000 }), ['x/a', 'x/c', 'P:x/b/']);
  });
  test('paging without a delimiter visits every key once', () => {
    const keys = Array.from({ length: 25 }, (_, i) => `k${String(i).padStart(2, '0')}`);
    assert.deepEqual(all(keys, { maxKeys: 7 }), keys);
  });
  test('a page exactly full is not truncated when nothing follows', () => {
    const page = listPage(sorted(['a', 'b']), { prefix: '', maxKeys: 2 });
    assert.equal(page.isTruncated, false);
  });
  test('start-after inside the prefix', () => {
    const page = listPage(sorted(['p/1', 'p/2', 'p/3']), { prefix: 'p/', after: 'p/1', maxKeys: 10 });
    assert.deepEqual(keysOf(page), ['p/2', 'p/3']);
  });
  test('url encoding keeps slashes and escapes what unquote_plus would change', () => {
    assert.equal(urlEncodeKey('a b/c+d&é'), 'a%20b/c%2Bd%26%C3%A9');
  });
  test('continuation tokens round-trip; garbage is refused', () => {
    assert.equal(decodeToken(encodeToken('dir/ü')), 'dir/ü');
    assert.equal(decodeToken('%%%'), undefined);
  });
});
