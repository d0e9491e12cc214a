/**
 * Generates src/protocol/generated/<service>-types.ts: one exported TypeScript
 * type per botocore shape reachable from the served operations' inputs and
 * outputs, and an operation map (e.g. SageMakerOperations) tying each
 * operation to its input and output, so handlers work on typed wire data.
 *
 * Mapping: structure → interface (required members non-optional, member names
 * as on the wire), string enum → union of literals, string/blob → string,
 * integer/long/float/double → number, boolean → boolean, timestamp →
 * number | string (epoch seconds on the wire; inputs may be ISO-8601), list →
 * T[], map → Record<string, V>, document → unknown. A structure without
 * members is Record<string, never>, so `return {}` type-checks (an empty
 * interface would be any non-nullish value, and lint rejects it).
 *
 * A shape named like a JavaScript/TypeScript built-in (String, Boolean, Date,
 * Map, Record...) gets the suffix `Shape` (String → StringShape): shadowing a
 * global type in the file would break `Record<...>` and confuse readers.
 * The output is byte-stable: types sorted by name, members in model order.
 */
import type { BotocoreModel, BotocoreShape, WireService } from './generate-services.js';
import { GENERATED_DIR, operationShape, reachableShapes } from './generate-services.js';

/** Global names of ES2023 and Node, and TypeScript's utility types: shape names that get the `Shape` suffix. */
const BUILT_IN_NAMES = new Set([
  'AbortController', 'AbortSignal', 'AggregateError', 'Array', 'ArrayBuffer', 'ArrayLike', 'AsyncGenerator',
  'AsyncIterable', 'AsyncIterableIterator', 'AsyncIterator', 'Atomics', 'Awaited', 'BigInt', 'BigInt64Array',
  'BigUint64Array', 'Blob', 'Boolean', 'Buffer', 'Capitalize', 'ConstructorParameters', 'DataView', 'Date', 'Error',
  'EvalError', 'Event', 'EventTarget', 'Exclude', 'Extract', 'File', 'FinalizationRegistry', 'Float32Array',
  'Float64Array', 'FormData', 'Function', 'Generator', 'Headers', 'InstanceType', 'Int16Array', 'Int32Array',
  'Int8Array', 'Intl', 'Iterable', 'IterableIterator', 'Iterator', 'JSON', 'Lowercase', 'Map', 'Math', 'NoInfer',
  'NodeJS', 'NonNullable', 'Number', 'Object', 'Omit', 'OmitThisParameter', 'Parameters', 'Partial', 'Pick',
  'Promise', 'PromiseLike', 'PropertyKey', 'Proxy', 'RangeError', 'Readonly', 'ReadonlyArray', 'ReadonlyMap',
  'ReadonlySet', 'Record', 'ReferenceError', 'Reflect', 'RegExp', 'Request', 'Required', 'Response', 'ReturnType',
  'Set', 'SharedArrayBuffer', 'String', 'Symbol', 'SyntaxError', 'TemplateStringsArray', 'TextDecoder',
  'TextEncoder', 'ThisParameterType', 'ThisType', 'TypeError', 'URIError', 'URL', 'URLSearchParams', 'Uint16Array',
  'Uint32Array', 'Uint8Array', 'Uint8ClampedArray', 'Uncapitalize', 'Uppercase', 'WeakMap', 'WeakRef', 'WeakSet',
]);
/** Reserved words and TypeScript's primitive type names (botocore names are PascalCase, but be safe). */
const RESERVED_WORDS = new Set(
  ('any bigint boolean break case catch class const continue debugger default delete do else enum export extends ' +
    'false finally for function if implements import in instanceof interface let never new null number object ' +
    'package private protected public return static string super switch symbol this throw true try type typeof ' +
    'undefined unknown var void while with yield').split(' '),
);
const IDENTIFIER = /^[A-Za-z_$][A-Za-z0-9_$]*$/;

/** The repository-relative path of a service's types file. */
export const typesFile = (service: string): string => `${GENERATED_DIR}/${service}-types.ts`;

/** The operation map's name: botocore's serviceId without spaces, + "Operations" (SageMakerOperations). */
export const operationsTypeName = (m: BotocoreModel): string => `${m.metadata.serviceId.replace(/[^A-Za-z0-9]/g, '')}Operations`;

/** The TypeScript name of a shape: its botocore name, or name + "Shape" for built-ins and reserved words. */
export function typeName(shape: string): string {
  if (!IDENTIFIER.test(shape)) {throw new Error(`generate-types: shape name ${shape} is not an identifier`);}
  return BUILT_IN_NAMES.has(shape) || RESERVED_WORDS.has(shape) ? `${shape}Shape` : shape;
}

const quote = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;
const property = (name: string): string => (IDENTIFIER.test(name) ? name : quote(name));

/** The declaration of one shape. */
function declaration(name: string, s: BotocoreShape): string {
  const ts = typeName(name);
  const ref = (r: { shape: string } | undefined): string => {
    if (!r) {throw new Error(`generate-types: ${s.type} shape ${name} lacks its target`);}
    return typeName(r.shape);
  };
  if (s.document) {return `export type ${ts} = unknown;`;}
  switch (s.type) {
    case 'structure': {
      const members = Object.entries(s.members ?? {});
      if (members.length === 0) {return `export type ${ts} = Record<string, never>;`;}
      const required = new Set(s.required ?? []);
      const lines = members.map(([m, r]) => `  ${property(m)}${required.has(m) ? '' : '?'}: ${ref(r)};`);
      return `export interface ${ts} {\n${lines.join('\n')}\n}`;
    }
    case 'string':
      return s.enum && s.enum.length > 0
        ? `export type ${ts} =\n${s.enum.map((v) => `  | ${quote(v)}`).join('\n')};`
        : `export type ${ts} = string;`;
    case 'blob':
      return `export type ${ts} = string;`;
    case 'integer':
    case 'long':
    case 'float':
    case 'double':
      return `export type ${ts} = number;`;
    case 'boolean':
      return `export type ${ts} = boolean;`;
    case 'timestamp':
      return `export type ${ts} = number | string;`;
    case 'list':
      return `export type ${ts} = ${ref(s.member)}[];`;
    case 'map':
      return `export type ${ts} = Record<string, ${ref(s.value)}>;`;
    default:
      throw new Error(`generate-types: shape ${name} has type ${s.type}, which has no TypeScript mapping`);
  }
}

/** The exact text of <service>-types.ts for a parsed model. */
export function renderTypes(m: BotocoreModel, entry: WireService): string {
  const operations = [...entry.operations].sort();
  const roots: string[] = [];
  for (const op of operations) {
    for (const side of ['input', 'output'] as const) {
      const shape = operationShape(m, op, side);
      if (shape) {roots.push(shape);}
    }
  }
  const names = reachableShapes(m, roots).sort();
  // Two shapes must never map to one name (e.g. String and StringShape), nor shadow the operation map.
  const mapName = operationsTypeName(m);
  const keyName = mapName.replace(/Operations$/, 'OperationName');
  const owners = new Map<string, string>([[mapName, `the operation map ${mapName}`], [keyName, `the type ${keyName}`]]);
  for (const n of names) {
    const ts = typeName(n);
    const owner = owners.get(ts);
    if (owner) {throw new Error(`generate-types: shape ${n} and ${owner} both map to the type name ${ts}`);}
    owners.set(ts, `shape ${n}`);
  }
  const renamed = names.filter((n) => typeName(n) !== n).map((n) => `${n} → ${typeName(n)}`);
  const header = [
    `// Generated by scripts/generate-types.ts from botocore's ${entry.service} ${m.metadata.apiVersion} service-2.json; do not edit.`,
    '// Regenerate with `npm run generate`; test/unit/generated-wire.test.ts fails when this file drifts.',
    '//',
    "// One type per shape reachable from the served operations' inputs and outputs, named as in botocore;",
    `// built-in names get the suffix Shape${renamed.length > 0 ? ` (${renamed.join(', ')})` : ''}.`,
  ];
  const opLines = operations.map((op) => {
    const input = operationShape(m, op, 'input');
    const output = operationShape(m, op, 'output');
    const type = (shape: string | undefined): string => (shape ? typeName(shape) : 'Record<string, never>');
    return `  ${op}: { input: ${type(input)}; output: ${type(output)} };`;
  });
  const blocks = [
    header.join('\n'),
    `/** The served operations: input and output types by operation name. */\nexport interface ${mapName} {\n${opLines.join('\n')}\n}`,
    `export type ${keyName} = keyof ${mapName};`,
    ...names.map((n) => declaration(n, m.shapes[n]!)),
  ];
  return blocks.join('\n\n') + '\n';
}
