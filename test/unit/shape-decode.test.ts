import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import type { GeneratedShapes } from '../../src/protocol/shape-validator.js';
import { MAX_DEPTH, decodeInput, decodeWithShapes, hasOperation, validateInput } from '../../src/protocol/shape-validator.js';

const DEEP = 100_000;

/** {"a":{"a":...1...}} nested `depth` levels, built without recursion. */
function deepObject(depth: number): unknown {
  let value: unknown = 1;
  for (let i = 0; i < depth; i++) {value = { a: value };}
  return value;
}

/** A valid CreateEndpointConfig with one serverless and one instance variant. */
function endpointConfig(): Record<string, unknown> {
  return {
    EndpointConfigName: 'my-config',
    ProductionVariants: [
      { VariantName: 'serverless', ModelName: 'my-model', ServerlessConfig: { MemorySizeInMB: 2048, MaxConcurrency: 5 } },
      { VariantName: 'instances', ModelName: 'my-model', InitialInstanceCount: 1, InstanceType: 'ml.m5.large', InitialVariantWeight: 1.5 },
    ],
    Tags: [{ Key: 'team', Value: 'ml' }],
  };
}

describe('decodeInput', () => {
  test('a valid input comes back whole, as a copy', () => {
    const input = endpointConfig();
    const result = decodeInput('sagemaker', 'CreateEndpointConfig', input);
    assert.deepEqual(result, { ok: true, value: input });
    assert.ok(result.ok);
    assert.notEqual(result.value, input);
    assert.notEqual(result.value.ProductionVariants, input.ProductionVariants);
  });

  test('an empty body is an empty structure', () => {
    assert.deepEqual(decodeInput('sagemaker', 'ListEndpoints', undefined), { ok: true, value: {} });
    assert.deepEqual(decodeInput('sagemaker', 'ListEndpoints', null), { ok: true, value: {} });
  });

  test('unknown members are dropped at every level, and null members too', () => {
    const input = {
      ModelName: 'm',
      Bogus: { anything: [1, 2] },
      ExecutionRoleArn: null,
      PrimaryContainer: { Image: 'img:1', Extra: 'x', Environment: { A: '1' }, ModelDataUrl: null },
      Tags: [{ Key: 'k', Value: 'v', Colour: 'red' }],
    };
    assert.deepEqual(decodeInput('sagemaker', 'CreateModel', input), {
      ok: true,
      value: { ModelName: 'm', PrimaryContainer: { Image: 'img:1', Environment: { A: '1' } }, Tags: [{ Key: 'k', Value: 'v' }] },
    });
  });

  test('problems are the ones validateInput reports', () => {
    const bad = { EndpointName: 'bad_name!' };
    const problem = validateInput('CreateEndpoint', bad);
    assert.equal(problem?.kind, 'validation');
    assert.deepEqual(decodeInput('sagemaker', 'CreateEndpoint', bad), { ok: false, problem });
    assert.deepEqual(decodeInput('sagemaker', 'ListEndpoints', { MaxResults: '10' }), {
      ok: false,
      problem: { kind: 'serialization', message: "STRING_VALUE can not be converted to an Integer at 'maxResults'" },
    });
    assert.equal(decodeInput('sagemaker', 'ListEndpoints', [])?.ok, false);
  });

  test('a map key "__proto__" stays an own data member of the copy', () => {
    const input: unknown = JSON.parse('{"ModelName":"m","PrimaryContainer":{"Image":"i","Environment":{"__proto__":"x","B":"2"}}}');
    const result = decodeInput('sagemaker', 'CreateModel', input);
    assert.ok(result.ok);
    const env = (result.value.PrimaryContainer as { Environment: Record<string, unknown> }).Environment;
    assert.equal(Object.getPrototypeOf(env), Object.prototype);
    assert.equal(Object.hasOwn(env, '__proto__'), true);
    assert.deepEqual(Object.keys(env), ['__proto__', 'B']);
  });

  test('operation names inherited from Object are never modelled', () => {
    for (const op of ['__proto__', 'constructor', 'toString', 'hasOwnProperty', 'valueOf']) {
      assert.equal(hasOperation(op), false, op);
      assert.equal(validateInput(op, { anything: 1 }), undefined, op);
      assert.deepEqual(decodeInput('sagemaker', op, { anything: 1 }), { ok: true, value: {} }, op);
    }
  });

  test('an operation the service does not model has no modelled members', () => {
    assert.deepEqual(decodeInput('sagemaker', 'CreateTrainingJob', { TrainingJobName: 't' }), { ok: true, value: {} });
  });
});

describe('deeply nested input', () => {
  test(`JSON.parse takes a ${DEEP}-deep body (Node ${process.versions.node})`, () => {
    const body = `{"ModelName":"m","PrimaryContainer":{"Image":"i","X":${'{"a":'.repeat(DEEP)}1${'}'.repeat(DEEP)}}}`;
    const parsed = JSON.parse(body) as Record<string, unknown>;
    const result = decodeInput('sagemaker', 'CreateModel', parsed);
    assert.deepEqual(result, { ok: true, value: { ModelName: 'm', PrimaryContainer: { Image: 'i' } } });
    assert.throws(() => JSON.stringify(parsed), RangeError); // why unknown members must not be stored
  });

  test(`an unknown member ${DEEP} levels deep is dropped without visiting it`, () => {
    const input = { ModelName: 'm', PrimaryContainer: { Image: 'i', Unknown: deepObject(DEEP) }, Deep: deepObject(DEEP) };
    const result = decodeInput('sagemaker', 'CreateModel', input);
    assert.deepEqual(result, { ok: true, value: { ModelName: 'm', PrimaryContainer: { Image: 'i' } } });
    assert.equal(JSON.stringify(result.ok && result.value), '{"ModelName":"m","PrimaryContainer":{"Image":"i"}}');
  });

  test('an offending value holding a deep unknown member renders within its 100-character cut', () => {
    const variants = Array.from({ length: 11 }, (_, i) => ({
      VariantName: `v${i}`, ModelName: 'm', ServerlessConfig: { MemorySizeInMB: 1024, MaxConcurrency: 1 },
      ...(i === 0 ? { Unknown: deepObject(DEEP) } : {}),
    }));
    const problem = validateInput('CreateEndpointConfig', { EndpointConfigName: 'c', ProductionVariants: variants });
    assert.equal(problem?.kind, 'validation');
    const rendered = '[{VariantName=v0, ModelName=m, ServerlessConfig={MemorySizeInMB=1024, MaxConcurrency=1}, Unknown={a=';
    assert.equal(rendered.length, 100);
    assert.equal(problem.message, `1 validation error detected: Value '${rendered}...' at 'productionVariants' ` +
      'failed to satisfy constraint: Member must have length less than or equal to 10');
  });

  test('rendering is byte-identical to the former whole-value rendering', () => {
    // The former renderer: the whole value as text, then cut at 100 characters.
    const whole = (v: unknown): string => {
      if (Array.isArray(v)) {return `[${v.map(whole).join(', ')}]`;}
      if (v && typeof v === 'object') {
        const parts = Object.entries(v).filter(([, x]) => x !== null && x !== undefined).map(([k, x]) => `${k}=${whole(x)}`);
        return `{${parts.join(', ')}}`;
      }
      return String(v);
    };
    const expected = (v: unknown): string => {
      const text = whole(v);
      return `'${text.length > 100 ? `${text.slice(0, 100)}...` : text}'`;
    };
    const tag = (i: number): Record<string, unknown> => ({ Key: `k${i}`, Value: i % 3 === 0 ? null : `v${i}`, Extra: [i, null, { z: i }] });
    // TagList allows 50 tags: these lengths cover short, cut-exactly-near-100 and long renderings.
    for (const n of [51, 52, 60]) {
      const tags = Array.from({ length: n }, (_, i) => tag(i));
      const problem = validateInput('AddTags', { ResourceArn: 'arn:aws:sagemaker:us-east-1:123456789012:model/m', Tags: tags });
      assert.equal(problem?.kind, 'validation');
      assert.ok(problem.message.includes(`Value ${expected(tags)} at 'tags'`), problem.message);
    }
    // Around the cut: a list that offends whatever it holds, of renderings 98 to 103 characters long.
    const anyList: GeneratedShapes = {
      _generated: 'test',
      operations: { Put: 'In' },
      shapes: { In: { type: 'structure', members: [{ name: 'L', shape: 'L' }] }, L: { type: 'list', member: 'Any', max: 0 }, Any: { type: 'structure', document: true } },
    };
    for (let n = 91; n <= 96; n++) {
      const list = [{ k: 'x'.repeat(n - 5), gone: null }, null]; // [{k=xxx}, null]
      const result = decodeWithShapes(anyList, 'Put', { L: list });
      assert.equal(whole(list).length, n + 7);
      assert.ok(!result.ok && result.problem.message.startsWith(`2 validation errors detected: Value ${expected(list)} at 'l' `), JSON.stringify(result));
    }
    for (const env of [{}, { A: 'x'.repeat(95) }, { A: 'x'.repeat(92) }, { A: 'x'.repeat(93) }, { A: 'x'.repeat(94) }, { A: null, B: 'b' }]) {
      // EnvironmentMap allows 100 entries; exceed it with padding keys to make the map itself offend.
      const big: Record<string, unknown> = { ...env };
      for (let i = 0; i < 101; i++) {big[`K${i}`] = 'v';}
      const problem = validateInput('CreateModel', { ModelName: 'm', PrimaryContainer: { Image: 'i', Environment: big } });
      assert.equal(problem?.kind, 'validation');
      assert.ok(problem.message.includes(`Value ${expected(big)} at 'primaryContainer.environment'`), problem.message);
    }
  });
});

describe('modelled nesting is bounded', () => {
  /** A recursive shape, as no served SageMaker operation has one: Node { Value, Next: Node, Children: [Node], Doc }. */
  const shapes: GeneratedShapes = {
    _generated: 'test',
    operations: { Walk: 'Node' },
    shapes: {
      Node: {
        type: 'structure',
        members: [
          { name: 'Value', shape: 'Int' },
          { name: 'Next', shape: 'Node' },
          { name: 'Children', shape: 'Nodes' },
          { name: 'Doc', shape: 'Doc' },
        ],
      },
      Nodes: { type: 'list', member: 'Node' },
      Int: { type: 'integer', min: 0 },
      Doc: { type: 'structure', document: true },
    },
  };
  /** Node nested `depth` levels through Next (the outermost is level 1), built without recursion. */
  const chain = (depth: number): Record<string, unknown> => {
    let node: Record<string, unknown> = { Value: depth, Bogus: true };
    for (let i = depth - 1; i >= 1; i--) {node = { Value: i, Next: node };}
    return node;
  };

  test(`${MAX_DEPTH} levels decode`, () => {
    const result = decodeWithShapes(shapes, 'Walk', chain(MAX_DEPTH));
    assert.ok(result.ok);
    let node = result.value;
    for (let i = 1; i < MAX_DEPTH; i++) {node = node.Next as Record<string, unknown>;}
    assert.deepEqual(node, { Value: MAX_DEPTH });
  });

  test(`${MAX_DEPTH + 1} levels, or ${DEEP}, are a serialization problem`, () => {
    const path = Array.from({ length: MAX_DEPTH }, () => 'next').join('.');
    for (const depth of [MAX_DEPTH + 1, DEEP]) {
      assert.deepEqual(decodeWithShapes(shapes, 'Walk', chain(depth)), {
        ok: false,
        problem: { kind: 'serialization', message: `Input nesting depth exceeds the maximum allowed (${MAX_DEPTH}) at '${path}'` },
      });
    }
  });

  test('lists count as levels', () => {
    let node: Record<string, unknown> = { Value: 0 };
    for (let i = 0; i < DEEP; i++) {node = { Children: [node] };}
    const result = decodeWithShapes(shapes, 'Walk', node);
    assert.equal(!result.ok && result.problem.kind, 'serialization');
  });

  test('a document is kept whole, within the same bound', () => {
    const doc = { a: [1, { b: null }], c: 'x' };
    assert.deepEqual(decodeWithShapes(shapes, 'Walk', { Doc: doc }), { ok: true, value: { Doc: doc } });
    const result = decodeWithShapes(shapes, 'Walk', { Doc: deepObject(DEEP) });
    assert.deepEqual(result, { ok: false, problem: { kind: 'serialization', message: `Input nesting depth exceeds the maximum allowed (${MAX_DEPTH}) at 'doc'` } });
  });
});

describe('services', () => {
  test('only generated services load, whatever a caller casts', () => {
    assert.throws(() => decodeInput('../sagemaker' as 'sagemaker', 'CreateModel', {}), /no generated shapes for service/);
  });
});
