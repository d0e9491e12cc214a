import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { type Listable, paginate } from '../../src/control-plane/list-paging.js';
import { inputTime, wireTime } from '../../src/protocol/wire-time.js';
import { AwsError } from '../../src/protocol/aws-error.js';

const T0 = Date.UTC(2026, 0, 1);
const MINUTE = 60_000;

/** n items, item-i created i minutes after T0, named item-00 … */
function items(n: number): Listable[] {
  return Array.from({ length: n }, (_, i) => ({
    name: `item-${String(i).padStart(2, '0')}`,
    creationTime: T0 + i * MINUTE,
  }));
}

const names = (page: Listable[]) => page.map((i) => i.name);

describe('paginate', () => {
  test('defaults: 10 results, newest first (CreationTime, Descending)', () => {
    const { page, NextToken } = paginate(items(25), {});
    assert.equal(page.length, 10);
    assert.deepEqual(names(page), Array.from({ length: 10 }, (_, i) => `item-${24 - i}`));
    assert.equal(typeof NextToken, 'string');
  });

  test('no NextToken when everything fits', () => {
    const all = paginate(items(10), {});
    assert.equal(all.page.length, 10);
    assert.equal(all.NextToken, undefined);
    assert.deepEqual(paginate([], {}), { page: [] });
  });

  test('does not modify the array it was given', () => {
    const list = items(5);
    const before = names(list);
    paginate(list, { SortOrder: 'Descending' });
    assert.deepEqual(names(list), before);
  });

  test('SortBy Name, Ascending', () => {
    const list: Listable[] = [
      { name: 'charlie', creationTime: T0 },
      { name: 'alpha', creationTime: T0 + 2 * MINUTE },
      { name: 'bravo', creationTime: T0 + MINUTE },
    ];
    assert.deepEqual(names(paginate(list, { SortBy: 'Name', SortOrder: 'Ascending' }).page), ['alpha', 'bravo', 'charlie']);
    assert.deepEqual(names(paginate(list, { SortBy: 'Name' }).page), ['charlie', 'bravo', 'alpha']);
    assert.deepEqual(names(paginate(list, { SortOrder: 'Ascending' }).page), ['charlie', 'bravo', 'alpha']);
  });

  test('SortBy Status', () => {
    const list: Listable[] = [
      { name: 'a', creationTime: T0, status: 'InService' },
      { name: 'b', creationTime: T0, status: 'Creating' },
      { name: 'c', creationTime: T0, status: 'Failed' },
    ];
    assert.deepEqual(names(paginate(list, { SortBy: 'Status', SortOrder: 'Ascending' }).page), ['b', 'c', 'a']);
  });

  test('equal creation times keep a stable order (by name)', () => {
    const list: Listable[] = ['d', 'b', 'a', 'c'].map((name) => ({ name, creationTime: T0 }));
    assert.deepEqual(names(paginate(list, { SortOrder: 'Ascending' }).page), ['a', 'b', 'c', 'd']);
    assert.deepEqual(names(paginate(list, {}).page), ['d', 'c', 'b', 'a']);
  });

  test('NameContains is a case-insensitive substring match', () => {
    const list: Listable[] = [
      { name: 'My-Model-A', creationTime: T0 },
      { name: 'other', creationTime: T0 },
      { name: 'mymodel', creationTime: T0 },
      { name: 'prod-MY-MODEL', creationTime: T0 },
    ];
    assert.deepEqual(names(paginate(list, { NameContains: 'my-model', SortBy: 'Name', SortOrder: 'Ascending' }).page), [
      'My-Model-A',
      'prod-MY-MODEL',
    ]);
    assert.deepEqual(names(paginate(list, { NameContains: 'MODEL', SortBy: 'Name', SortOrder: 'Ascending' }).page), [
      'My-Model-A',
      'mymodel',
      'prod-MY-MODEL',
    ]);
  });

  test('CreationTimeAfter / CreationTimeBefore take epoch seconds and are exclusive', () => {
    const list = items(10);
    const at = (i: number) => (T0 + i * MINUTE) / 1000;
    assert.deepEqual(names(paginate(list, { CreationTimeAfter: at(6), SortOrder: 'Ascending' }).page), [
      'item-07',
      'item-08',
      'item-09',
    ]);
    assert.deepEqual(names(paginate(list, { CreationTimeBefore: at(2), SortOrder: 'Ascending' }).page), ['item-00', 'item-01']);
    assert.deepEqual(
      names(paginate(list, { CreationTimeAfter: at(2), CreationTimeBefore: at(5), SortOrder: 'Ascending' }).page),
      ['item-03', 'item-04'],
    );
  });

  test('time filters also accept ISO strings', () => {
    const iso = new Date(T0 + 7 * MINUTE).toISOString();
    assert.deepEqual(names(paginate(items(10), { CreationTimeAfter: iso, SortOrder: 'Ascending' }).page), ['item-08', 'item-09']);
  });

  test('LastModifiedTimeAfter/Before use lastModifiedTime, else creationTime', () => {
    const list: Listable[] = [
      { name: 'old-touched', creationTime: T0, lastModifiedTime: T0 + 10 * MINUTE },
      { name: 'old', creationTime: T0 },
      { name: 'new', creationTime: T0 + 20 * MINUTE },
    ];
    const after5 = (T0 + 5 * MINUTE) / 1000;
    assert.deepEqual(names(paginate(list, { LastModifiedTimeAfter: after5, SortBy: 'Name', SortOrder: 'Ascending' }).page), [
      'new',
      'old-touched',
    ]);
    assert.deepEqual(names(paginate(list, { LastModifiedTimeBefore: after5 }).page), ['old']);
  });

  test('StatusEquals', () => {
    const list: Listable[] = [
      { name: 'a', creationTime: T0, status: 'InService' },
      { name: 'b', creationTime: T0 + 1, status: 'Failed' },
      { name: 'c', creationTime: T0 + 2, status: 'InService' },
    ];
    assert.deepEqual(names(paginate(list, { StatusEquals: 'InService' }).page), ['c', 'a']);
    assert.deepEqual(names(paginate(list, { StatusEquals: 'Deleting' }).page), []);
  });

  test('filters and paging combine: the token counts filtered items', () => {
    const list = items(25);
    const first = paginate(list, { NameContains: 'item-1', MaxResults: 4, SortOrder: 'Ascending' });
    assert.deepEqual(names(first.page), ['item-10', 'item-11', 'item-12', 'item-13']);
    const second = paginate(list, { NameContains: 'item-1', MaxResults: 4, SortOrder: 'Ascending', NextToken: first.NextToken });
    assert.deepEqual(names(second.page), ['item-14', 'item-15', 'item-16', 'item-17']);
  });

  test('NextToken round trip over 25 items returns every item exactly once', () => {
    for (const [input, pages] of [
      [{}, 3],
      [{ MaxResults: 7, SortBy: 'Name', SortOrder: 'Ascending' }, 4],
      [{ MaxResults: 1 }, 25],
      [{ MaxResults: 100 }, 1],
    ] as const) {
      const list = items(25);
      const seen: string[] = [];
      let token: string | undefined;
      let count = 0;
      do {
        const { page, NextToken } = paginate(list, { ...input, NextToken: token });
        seen.push(...names(page));
        token = NextToken;
        count++;
        assert.ok(count <= 25, 'paging does not end');
      } while (token !== undefined);
      assert.equal(count, pages, JSON.stringify(input));
      assert.equal(seen.length, 25);
      assert.equal(new Set(seen).size, 25);
      assert.deepEqual([...seen].sort(), names(list));
    }
  });

  test('an invalid NextToken is ValidationException', () => {
    for (const token of [
      'garbage!!',
      'not-a-token',
      '',
      Buffer.from('{"offset":-1}').toString('base64url'),
      Buffer.from('{"offset":1.5}').toString('base64url'),
      Buffer.from('{"offset":"3"}').toString('base64url'),
      Buffer.from('null').toString('base64url'),
      Buffer.from('[]').toString('base64url'),
    ]) {
      assert.throws(
        () => paginate(items(3), { NextToken: token }),
        (err: unknown) =>
          err instanceof AwsError &&
          err.code === 'ValidationException' &&
          err.status === 400 &&
          err.message === 'Invalid pagination token.',
        token,
      );
    }
  });

  test('a token past the end gives an empty last page', () => {
    const token = Buffer.from('{"offset":50}').toString('base64url');
    assert.deepEqual(paginate(items(3), { NextToken: token }), { page: [] });
  });
});

describe('inputTime and wireTime', () => {
  test('epoch seconds and ISO strings become epoch milliseconds', () => {
    assert.equal(inputTime(1_767_225_600), 1_767_225_600_000);
    assert.equal(inputTime(1.5), 1500);
    assert.equal(inputTime('2026-01-01T00:00:00Z'), T0);
    assert.equal(inputTime('yesterday'), undefined);
    assert.equal(inputTime(undefined), undefined);
    assert.equal(inputTime(null), undefined);
  });

  test('wireTime writes epoch seconds', () => {
    assert.equal(wireTime(T0), T0 / 1000);
    assert.equal(wireTime(1500), 1.5);
  });
});
