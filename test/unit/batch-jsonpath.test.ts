import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DataProcessingError } from '../../src/batch-transform/records/data-processing.js';
import { isDefinite, JsonPathError, parseJsonPath, selectJsonPath } from '../../src/batch-transform/records/jsonpath.js';

const select = (value: unknown, expr: string) => selectJsonPath(value, parseJsonPath(expr));
const row = ['id7', 'a', 'b', 'c', 'd', '0.93'];
const doc = { id: 7, features: [1, 2, 3], SageMakerOutput: { label: 1 }, nested: { x: 1, y: 2 } };

describe('JSONPath: the guide\'s operators', () => {
  test('$ is the whole record', () => {
    assert.deepEqual(select(row, '$'), row);
    assert.deepEqual(select(doc, '$'), doc);
  });

  test('.<name>: a dot-notated child ($.id, $.features)', () => {
    assert.equal(select(doc, '$.id'), 7);
    assert.deepEqual(select(doc, '$.features'), [1, 2, 3]);
    assert.equal(select(doc, '$.nested.y'), 2);
    assert.equal(select({ 'my-key_1': 'v' }, '$.my-key_1'), 'v');
  });

  test('* : a wildcard in place of a name or an index ($.id.*)', () => {
    assert.deepEqual(select(doc, '$.nested.*'), [1, 2]);
    assert.deepEqual(select(doc, '$.features[*]'), [1, 2, 3]);
    assert.deepEqual(select({ id: { a: 1, b: [2] } }, '$.id.*'), [1, [2]]);
    assert.deepEqual(select([{ v: 1 }, { v: 2 }, { w: 3 }], '$[*].v'), [1, 2], 'an indefinite path skips what is missing');
  });

  test("['<name>' (,'<name>')]: bracket names; several at the end merge into one object ($['id','SageMakerOutput'])", () => {
    assert.equal(select(doc, "$['id']"), 7);
    assert.deepEqual(select(doc, "$['id','SageMakerOutput']"), { id: 7, SageMakerOutput: { label: 1 } });
    assert.deepEqual(select(doc, '$["id", "features"]'), { id: 7, features: [1, 2, 3] });
    assert.deepEqual(select({ field1: { child1: 1, child2: 2, child3: 3 } }, "$.field1.['child1','child2']"), { child1: 1, child2: 2 });
    assert.deepEqual(select({ "it's": 1 }, "$['it\\'s']"), 1);
  });

  test('[<number> (,<number>)]: indexes, negative ones from the end ($[1], $[1,3,5], $[-1])', () => {
    assert.equal(select(row, '$[1]'), 'a');
    assert.deepEqual(select(row, '$[1,3,5]'), ['a', 'c', '0.93']);
    assert.equal(select(row, '$[-1]'), '0.93');
    assert.deepEqual(select(row, '$[0,-1]'), ['id7', '0.93']);
    assert.equal(select(doc, '$.features[0]'), 1);
  });

  test('[<start>:<end>]: slices, either end omitted ($[2:5], $[:5], $[2:]); the end is inclusive, as the guide says', () => {
    // "$[1:4] specifies the second through fifth columns"
    assert.deepEqual(select(row, '$[1:4]'), ['a', 'b', 'c', 'd']);
    assert.deepEqual(select(row, '$[2:5]'), ['b', 'c', 'd', '0.93']);
    // "[:5] … from the first column (index 0) through the sixth column"
    assert.deepEqual(select(row, '$[:5]'), row);
    assert.deepEqual(select(row, '$[1:]'), row.slice(1));
    assert.deepEqual(select(row, '$[:]'), row);
    assert.deepEqual(select(row, '$[-2:]'), ['d', '0.93']);
    assert.deepEqual(select(row, '$[3:1]'), []);
  });

  test('an index and a slice in one bracket, the API reference example $[0,5:]', () => {
    assert.deepEqual(select(row, '$[0,5:]'), ['id7', '0.93']);
    assert.deepEqual(select(['i', 'f1', 'f2', 'f3', 'f4', 'p1', 'p2'], '$[0,5:]'), ['i', 'p1', 'p2']);
  });

  test('a definite path names one value, any other a list', () => {
    const definite = ['$', '$.id', '$[0]', '$.a[1].b', "$['a','b']", "$.x['a','b']"];
    const indefinite = ['$[*]', '$.a.*', '$[0,1]', '$[1:]', '$[0:0]', "$['a','b'].c"];
    for (const expr of definite) {
      assert.equal(isDefinite(parseJsonPath(expr)), true, expr);
    }
    for (const expr of indefinite) {
      assert.equal(isDefinite(parseJsonPath(expr)), false, expr);
    }
    assert.deepEqual(select(row, '$[0:0]'), ['id7']);
  });
});

describe('JSONPath: what it refuses when parsing', () => {
  const refused: [string, RegExp][] = [
    ['', /starts with '\$'/],
    ['id', /starts with '\$'/],
    ['$..id', /recursive descent/],
    ['$[?(@.price > 10)]', /filter expressions/],
    ['$[(@.length-1)]', /script expressions/],
    ['$.features.length()', /functions/],
    ['$[0:4:2]', /slice steps/],
    ['$[', /not closed/],
    ["$['id'", /not closed/],
    ['$[]', /empty brackets/],
    ['$[a]', /neither quoted names nor indexes/],
    ['$[1.5]', /neither quoted names nor indexes/],
    ["$['a' 'b']", /expected ','/],
    ["$.field1.['child1','child2.grandchild']", /nested children inside brackets/],
    ['$.', /a name must follow/],
    ['$ .id', /unexpected ' '/],
    ['$id', /unexpected 'i'/],
  ];
  for (const [expr, why] of refused) {
    test(`${JSON.stringify(expr)} is refused`, () => {
      assert.throws(() => parseJsonPath(expr), (err: unknown) => {
        assert.ok(err instanceof JsonPathError);
        assert.match(err.message, why);
        assert.ok(err.message.includes(`'${expr}'`), 'the message quotes the expression');
        return true;
      });
    });
  }

  test('the label names the member in the message', () => {
    assert.throws(() => parseJsonPath('$..a', 'OutputFilter'), /^JsonPathError: Invalid OutputFilter '\$\.\.a': recursive descent/);
  });
});

describe('JSONPath: what it cannot select', () => {
  const fails = (value: unknown, expr: string, why: RegExp) =>
    assert.throws(() => select(value, expr), (err: unknown) => {
      assert.ok(err instanceof DataProcessingError);
      assert.match(err.message, why);
      return true;
    });

  test('an index outside the row is an error, as the API reference says of OutputFilter', () => {
    fails(row, '$[6]', /index 6 is outside the 6 elements/);
    fails(row, '$[-7]', /index -7 is outside/);
    fails(row, '$[0,9:]', /index 9 is outside/);
    fails(row, '$[1:6]', /index 6 is outside/);
    fails(['only'], '$[1:]', /index 1 is outside the 1 element of/);
  });

  test('a missing member or the wrong kind of value on a definite path is an error', () => {
    fails(doc, '$.ID', /no member 'ID'/);
    fails(doc, "$['id','label']", /no member 'label'/);
    fails(doc, '$.id.x', /cannot take 'x' from a number/);
    fails(row, '$.features', /cannot take 'features' from an array/);
    fails(doc, '$[0]', /cannot index an object/);
  });
});
