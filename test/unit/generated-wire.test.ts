import { test, describe } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { BotocoreModel } from '../../scripts/generate-services.js';
import { GENERATED_DIR, WIRE_SERVICES, readModel, repoRoot } from '../../scripts/generate-services.js';
import { renderTypes, typeName } from '../../scripts/generate-types.js';
import type { GeneratedFile } from '../../scripts/generate-wire.js';
import { generateAll } from '../../scripts/generate-wire.js';
import { operations } from '../../src/control-plane/operations.js';
import type {
  CreateModelInput,
  DescribeEndpointOutput,
  EndpointStatus,
  SageMakerOperationName,
  SageMakerOperations,
} from '../../src/protocol/generated/sagemaker-types.js';
import { hasOperation } from '../../src/protocol/shape-validator.js';

describe('generated wire files', () => {
  // generateAll reads every model of WIRE_SERVICES and throws when one is missing: the tests fail, never skip.
  let files: GeneratedFile[] | undefined;
  const generated = (): GeneratedFile[] => (files ??= generateAll());

  test('every committed generated file matches a fresh generation (drift check)', () => {
    const root = repoRoot();
    for (const { path, text } of generated()) {
      const committed = readFileSync(join(root, path), 'utf8');
      if (committed === text) {continue;}
      // Name the first differing line: a whole-file diff of 50 kB would drown it.
      const [was, now] = [committed.split('\n'), text.split('\n')];
      const line = was.findIndex((l, i) => l !== now[i]);
      const at = line < 0 ? was.length : line;
      assert.fail(`${path} is stale (run npm run generate); first difference at line ${at + 1}:\n` +
        `  committed: ${JSON.stringify(was[at])}\n  generated: ${JSON.stringify(now[at])}`);
    }
  });

  test('the generated directory holds exactly the generated files', () => {
    const expected = generated().map((f) => f.path.slice(GENERATED_DIR.length + 1)).sort();
    assert.deepEqual(readdirSync(join(repoRoot(), GENERATED_DIR)).sort(), expected);
  });

  test('a missing model fails loudly', () => {
    const empty = mkdtempSync(join(tmpdir(), 'sme-models-'));
    try {
      assert.throws(() => readModel(WIRE_SERVICES[0]!, empty), /the botocore model of sagemaker is missing/);
      assert.throws(() => generateAll(empty), /is missing/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  test('every operation the control plane serves is modelled', () => {
    for (const op of Object.keys(operations)) {assert.equal(hasOperation(op), true, op);}
  });
});

describe('generated types', () => {
  test('built-in and reserved names get the suffix Shape, others keep theirs', () => {
    assert.equal(typeName('String'), 'StringShape');
    assert.equal(typeName('Boolean'), 'BooleanShape');
    assert.equal(typeName('Date'), 'DateShape');
    assert.equal(typeName('Map'), 'MapShape');
    assert.equal(typeName('Record'), 'RecordShape');
    assert.equal(typeName('Timestamp'), 'Timestamp');
    assert.equal(typeName('CreateModelInput'), 'CreateModelInput');
    assert.throws(() => typeName('not-an-identifier'), /not an identifier/);
  });

  /** A small model with one shape of every kind. */
  function tinyModel(extraShapes: BotocoreModel['shapes'] = {}): BotocoreModel {
    return {
      metadata: { apiVersion: '2020-01-01', serviceId: 'Tiny Service', targetPrefix: 'Tiny' },
      operations: { Put: { input: { shape: 'PutInput' } }, Get: { input: { shape: 'PutInput' }, output: { shape: 'GetOutput' } } },
      shapes: {
        PutInput: {
          type: 'structure',
          required: ['Name'],
          members: { Name: { shape: 'String' }, 'odd-name': { shape: 'Count' }, When: { shape: 'When' }, Data: { shape: 'Data' } },
        },
        GetOutput: { type: 'structure', members: { Items: { shape: 'Items' }, Tags: { shape: 'Tags' }, Doc: { shape: 'Doc' }, Nothing: { shape: 'Empty' } } },
        String: { type: 'string' },
        Count: { type: 'long' },
        When: { type: 'timestamp' },
        Data: { type: 'blob' },
        Items: { type: 'list', member: { shape: 'Status' } },
        Status: { type: 'string', enum: ['On', "It's"] },
        Tags: { type: 'map', key: { shape: 'String' }, value: { shape: 'Flag' } },
        Flag: { type: 'boolean' },
        Doc: { type: 'structure', document: true },
        Empty: { type: 'structure', members: {} },
        ...extraShapes,
      },
    };
  }

  test('every kind of shape maps to its TypeScript type', () => {
    const text = renderTypes(tinyModel(), { service: 'tiny', model: 'unused', operations: ['Put', 'Get'] });
    const declarations = text.split('\n\n').slice(1).join('\n\n');
    assert.equal(declarations, [
      '/** The served operations: input and output types by operation name. */',
      'export interface TinyServiceOperations {',
      '  Get: { input: PutInput; output: GetOutput };',
      '  Put: { input: PutInput; output: Record<string, never> };',
      '}',
      '',
      'export type TinyServiceOperationName = keyof TinyServiceOperations;',
      '',
      'export type Count = number;',
      '',
      'export type Data = string;',
      '',
      'export type Doc = unknown;',
      '',
      'export type Empty = Record<string, never>;',
      '',
      'export type Flag = boolean;',
      '',
      'export interface GetOutput {',
      '  Items?: Items;',
      '  Tags?: Tags;',
      '  Doc?: Doc;',
      '  Nothing?: Empty;',
      '}',
      '',
      'export type Items = Status[];',
      '',
      'export interface PutInput {',
      '  Name: StringShape;',
      "  'odd-name'?: Count;",
      '  When?: When;',
      '  Data?: Data;',
      '}',
      '',
      'export type Status =',
      "  | 'On'",
      "  | 'It\\'s';",
      '',
      'export type StringShape = string;',
      '',
      'export type Tags = Record<string, Flag>;',
      '',
      'export type When = number | string;',
      '',
    ].join('\n'));
    assert.match(text, /^\/\/ Generated by scripts\/generate-types\.ts .*do not edit\./);
    assert.match(text, /built-in names get the suffix Shape \(String → StringShape\)\./);
  });

  test('two shapes mapping to one type name are refused', () => {
    const clash = tinyModel({ StringShape: { type: 'string' } });
    (clash.shapes.PutInput!.members!).Other = { shape: 'StringShape' };
    assert.throws(() => renderTypes(clash, { service: 'tiny', model: 'unused', operations: ['Put'] }), /both map to the type name StringShape/);
  });

  test('the SageMaker types describe the wire (checked by the compiler)', () => {
    // An operation without an output shape, or with an empty one, is satisfied by {}.
    const deleted: SageMakerOperations['DeleteModel']['output'] = {};
    const untagged: SageMakerOperations['DeleteTags']['output'] = {};
    assert.deepEqual([deleted, untagged], [{}, {}]);
    const input: CreateModelInput = { ModelName: 'm', PrimaryContainer: { Image: 'img', Environment: { A: '1' } } };
    // @ts-expect-error ModelName is required
    const missing: CreateModelInput = { PrimaryContainer: { Image: 'img' } };
    // @ts-expect-error not an EndpointStatus
    const status: EndpointStatus = 'Running';
    const described: Pick<DescribeEndpointOutput, 'CreationTime' | 'EndpointStatus'> = { CreationTime: 1700000000.5, EndpointStatus: 'InService' };
    const name: SageMakerOperationName = 'UpdateEndpointWeightsAndCapacities';
    assert.ok(input && missing && status && described && name);
  });
});
