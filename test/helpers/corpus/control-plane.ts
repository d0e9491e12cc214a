import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { jsonAnswer, wants } from './checks.js';
import type { Rng } from './prng.js';
import { json11 } from './requests.js';
import type { CorpusCase, CorpusContext } from './types.js';

/**
 * SageMaker control-plane cases generated from the service model
 * (src/protocol/generated/sagemaker-shapes.json, made from botocore's): a
 * valid input per operation, then one member (top level or nested) set to the
 * wrong JSON type, null, removed, too long, odd unicode, deeply nested, a
 * duplicate key, an out-of-range number; or the whole body truncated.
 */
interface ShapeMember {
  name: string;
  shape: string;
}
interface Shape {
  type: string;
  members?: ShapeMember[];
  required?: string[];
  member?: { shape: string };
  max?: number;
  min?: number;
}
interface ShapeFile {
  operations: Record<string, unknown>;
  shapes: Record<string, Shape>;
}

// dist/test/helpers/corpus/ → the repository root.
const SHAPES_FILE = fileURLToPath(new URL('../../../../src/protocol/generated/sagemaker-shapes.json', import.meta.url));
let shapes: ShapeFile | undefined;
const model = () => (shapes ??= JSON.parse(readFileSync(SHAPES_FILE, 'utf8')) as ShapeFile);

/** Valid inputs. Names never match the corpus's live endpoint, and CreateEndpoint/UpdateEndpoint name configs that do not exist, so no case starts a container. */
function validInputs(ctx: CorpusContext, rng: Rng): Record<string, Record<string, unknown>> {
  const n = () => `${ctx.marker}-${rng.word(6)}`;
  return {
    CreateModel: {
      ModelName: n(),
      ExecutionRoleArn: 'arn:aws:iam::123456789012:role/corpus',
      PrimaryContainer: { Image: 'corpus/none:1', ModelDataUrl: 's3://corpus-bucket/model.tar.gz', Environment: { A: 'b' } },
      Tags: [{ Key: 'k', Value: 'v' }],
    },
    CreateEndpointConfig: {
      EndpointConfigName: n(),
      ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: n(), InstanceType: 'ml.m5.large', InitialInstanceCount: 1, InitialVariantWeight: 1 }],
    },
    CreateEndpoint: { EndpointName: n(), EndpointConfigName: `${n()}-missing` },
    UpdateEndpoint: { EndpointName: `${n()}-missing`, EndpointConfigName: `${n()}-missing` },
    UpdateEndpointWeightsAndCapacities: {
      EndpointName: `${n()}-missing`,
      DesiredWeightsAndCapacities: [{ VariantName: 'AllTraffic', DesiredWeight: 1, DesiredInstanceCount: 2 }],
    },
    DescribeModel: { ModelName: n() },
    DescribeEndpoint: { EndpointName: n() },
    DescribeEndpointConfig: { EndpointConfigName: n() },
    DeleteModel: { ModelName: `${n()}-missing` },
    DeleteEndpointConfig: { EndpointConfigName: `${n()}-missing` },
    ListModels: { MaxResults: 10, NameContains: 'corpus', SortBy: 'Name', SortOrder: 'Ascending' },
    ListEndpoints: { MaxResults: 10, StatusEquals: 'InService', CreationTimeAfter: 0 },
    ListEndpointConfigs: { MaxResults: 5, NextToken: 'abc' },
    AddTags: { ResourceArn: `arn:aws:sagemaker:us-east-1:123456789012:model/${n()}`, Tags: [{ Key: 'k', Value: 'v' }] },
    ListTags: { ResourceArn: `arn:aws:sagemaker:us-east-1:123456789012:model/${n()}` },
  };
}

const DEEP = 5000;
type Mutation = { label: string; value?: unknown; raw?: (big: boolean) => string; remove?: true; big?: boolean };

function mutations(shape: Shape | undefined, rng: Rng): Mutation[] {
  const max = shape?.max ?? 1024;
  const list: Mutation[] = [
    { label: 'null', value: null },
    { label: 'missing', remove: true },
    { label: 'number', value: 42 },
    { label: 'bool', value: true },
    { label: 'array', value: ['x'] },
    { label: 'object', value: { a: 1 } },
    { label: 'empty-string', value: '' },
    { label: 'string', value: 'corpus' },
    { label: 'over-max', value: 'a'.repeat(max + 1) },
    { label: 'astral', value: '\u{1D11E}\u{1F600}x' },
    { label: 'rtl', value: '\u202Eabc\u202C' },
    { label: 'nul', value: 'a\u0000b' },
    { label: 'control', value: 'a\u0007\u001bb' },
    { label: 'lone-surrogate', raw: () => '"a\\ud800b"' },
    { label: 'lone-low-surrogate', raw: () => '"\\udc00"' },
    { label: 'deep-array', raw: () => '['.repeat(DEEP) + ']'.repeat(DEEP) },
    { label: 'deep-object', raw: () => '{"a":'.repeat(DEEP) + '1' + '}'.repeat(DEEP) },
    { label: 'nan-text', raw: () => 'NaN' },
    { label: 'infinity-text', raw: () => '-Infinity' },
    { label: '1e400', raw: () => '1e400' },
    { label: 'negative', value: -1 },
    { label: 'huge-int', raw: () => '123456789012345678901234567890' },
    { label: 'fraction', value: 1.5 },
    { label: 'negative-zero', raw: () => '-0.0' },
    { label: 'traversal', value: '../../../tmp/x' },
    { label: 'proto', raw: () => '{"__proto__":{"polluted":true},"constructor":{"prototype":{"p":1}}}' },
  ];
  if (rng.chance(0.08)) {
    list.push({ label: '1mb-string', value: 'b'.repeat(1024 * 1024), big: true });
  }
  if (rng.chance(0.02)) {
    list.push({ label: '6mb-string', value: 'c'.repeat(6 * 1024 * 1024), big: true });
  }
  return list;
}

/** A dotted path into the input to mutate: a top-level member, or one inside a structure or the first list element. */
function pickPath(input: Record<string, unknown>, rng: Rng): string[] {
  const keys = Object.keys(input);
  const top = rng.pick(keys);
  const value = input[top];
  if (rng.chance(0.4) && value && typeof value === 'object') {
    const inner = Array.isArray(value) ? (value[0] as Record<string, unknown>) : (value as Record<string, unknown>);
    if (inner && typeof inner === 'object') {
      const innerKeys = Object.keys(inner);
      if (innerKeys.length > 0) {
        return Array.isArray(value) ? [top, '0', rng.pick(innerKeys)] : [top, rng.pick(innerKeys)];
      }
    }
  }
  return [top];
}

/** A member set to RAW_VALUE is serialized as RAW_TEXT, which the mutation's raw JSON then replaces. */
const RAW_VALUE = '\u0001RAW\u0001';
const RAW_TEXT = JSON.stringify(RAW_VALUE);

function applyMutation(input: Record<string, unknown>, at: string[], m: Mutation): string {
  const copy = structuredClone(input);
  let parent: Record<string, unknown> = copy;
  for (const p of at.slice(0, -1)) {
    parent = parent[p] as Record<string, unknown>;
  }
  const leaf = at[at.length - 1]!;
  if (m.remove) {
    delete parent[leaf];
    return JSON.stringify(copy);
  }
  parent[leaf] = m.raw ? RAW_VALUE : m.value;
  const text = JSON.stringify(copy);
  return m.raw ? text.replace(RAW_TEXT, m.raw(false)) : text;
}

/** The shape at a path of the input (`['Tags', '0', 'Value']`), through structures and lists. */
function shapeAt(op: string, at: string[]): Shape | undefined {
  const m = model();
  let shape: Shape | undefined = m.shapes[`${op}Input`] ?? m.shapes[`${op}Request`];
  for (const step of at) {
    if (!shape) {
      return undefined;
    }
    if (shape.type === 'list') {
      shape = shape.member ? m.shapes[shape.member.shape] : undefined;
      continue;
    }
    const member = shape.members?.find((x) => x.name === step);
    shape = member ? m.shapes[member.shape] : undefined;
  }
  return shape;
}

export function controlPlaneCases(rng: Rng, ctx: CorpusContext, count: number): CorpusCase[] {
  const cases: CorpusCase[] = [];
  for (let i = 0; i < count; i++) {
    const inputs = validInputs(ctx, rng);
    const op = rng.pick(Object.keys(inputs));
    const input = inputs[op]!;
    const id = `cp-${i}`;
    const whole = rng.chance(0.15);
    if (whole) {
      const text = JSON.stringify(input);
      const kind = rng.pick(['truncated', 'empty', 'null', 'array', 'string', 'bom', 'trailing', 'duplicate-key', 'utf16', 'invalid-utf8', '7mb'] as const);
      const payload =
        kind === 'truncated' ? text.slice(0, rng.int(1, text.length - 1))
        : kind === 'empty' ? ''
        : kind === 'null' ? 'null'
        : kind === 'array' ? '[1,2]'
        : kind === 'string' ? '"CreateModel"'
        : kind === 'bom' ? '\uFEFF' + text
        : kind === 'trailing' ? text + '}{'
        : kind === 'duplicate-key' ? text.replace(/^\{/, `{"${Object.keys(input)[0]}":{"dup":1},`)
        : kind === 'utf16' ? Buffer.from(text, 'utf16le')
        : kind === 'invalid-utf8' ? Buffer.concat([Buffer.from(text.slice(0, -2)), Buffer.from([0xff, 0xfe, 0xc0]), Buffer.from('"}')])
        : Buffer.concat([Buffer.from('{"Pad":"'), Buffer.alloc(7 * 1024 * 1024, 'x'), Buffer.from('"}')]);
      const wanted = kind === '7mb' ? { status: [413, 400] } : {};
      cases.push({ id: `${id}-${op}-${kind}`, family: 'control-plane', request: json11(`SageMaker.${op}`, payload), expect: wants(jsonAnswer('json'), wanted) });
      continue;
    }
    const at = pickPath(input, rng);
    const m = rng.pick(mutations(shapeAt(op, at), rng));
    const payload = applyMutation(input, at, m);
    cases.push({ id: `${id}-${op}-${at.join('.')}-${m.label}`, family: 'control-plane', request: json11(`SageMaker.${op}`, payload), expect: jsonAnswer('json') });
  }
  return cases;
}
