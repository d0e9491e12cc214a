/**
 * Generates src/protocol/generated/sagemaker-shapes.json from botocore's
 * SageMaker service model, the source of truth for input validation.
 *
 * Usage: node dist/scripts/generate-shapes.js [path/to/service-2.json]
 *
 * Only the operations the emulator serves are kept, with every shape reachable
 * from their inputs, stripped to the fields validation needs. Output keys are
 * sorted so that regeneration is byte-stable and CI can detect drift; arrays
 * (members, required, enum) keep model order because Coral reports violations
 * in member definition order and prints enum sets in model order.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { GeneratedShapes, ShapeModel } from '../src/protocol/shape-validator.js';

/** The control-plane operations the emulator implements. */
export const SHAPE_OPERATIONS: readonly string[] = [
  'CreateModel',
  'DescribeModel',
  'ListModels',
  'DeleteModel',
  'CreateEndpointConfig',
  'DescribeEndpointConfig',
  'ListEndpointConfigs',
  'DeleteEndpointConfig',
  'CreateEndpoint',
  'DescribeEndpoint',
  'ListEndpoints',
  'DeleteEndpoint',
  'UpdateEndpoint',
  'UpdateEndpointWeightsAndCapacities',
  'AddTags',
  'ListTags',
  'DeleteTags',
];

export const GENERATED_HEADER =
  "by scripts/generate-shapes.ts from botocore's sagemaker 2017-07-24 service-2.json; do not edit";

/** Repository root: the nearest ancestor holding tsconfig.json (works from scripts/ and dist/scripts/). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'tsconfig.json'))) {
    const parent = dirname(dir);
    if (parent === dir) {throw new Error('generate-shapes: cannot find the repository root (no tsconfig.json above)');}
    dir = parent;
  }
  return dir;
}

/** The botocore model kept in the repository (aws-models/, Apache-2.0 with its NOTICE). */
export function defaultModelPath(): string {
  return join(repoRoot(), 'aws-models/sagemaker/2017-07-24/service-2.json');
}

/** The committed output file, in the source tree (not dist). */
export function generatedShapesPath(): string {
  return join(repoRoot(), 'src/protocol/generated/sagemaker-shapes.json');
}

// Minimal view of botocore's JSON model: only what we read.
interface BotocoreRef { shape: string }
interface BotocoreShape {
  type: string;
  members?: Record<string, BotocoreRef>;
  required?: string[];
  member?: BotocoreRef;
  key?: BotocoreRef;
  value?: BotocoreRef;
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
}
interface BotocoreModel {
  operations: Record<string, { input?: BotocoreRef }>;
  shapes: Record<string, BotocoreShape>;
}

/** Keeps the validation-relevant fields of one shape (drops box, documentation, etc.). */
function stripShape(name: string, s: BotocoreShape): ShapeModel {
  const out: ShapeModel = { type: s.type };
  if (s.members) {out.members = Object.entries(s.members).map(([m, ref]) => ({ name: m, shape: ref.shape }));}
  if (s.required && s.required.length > 0) {out.required = [...s.required];}
  if (s.member) {out.member = s.member.shape;}
  if (s.key) {out.key = s.key.shape;}
  if (s.value) {out.value = s.value.shape;}
  if (typeof s.min === 'number') {out.min = s.min;}
  if (typeof s.max === 'number') {out.max = s.max;}
  if (typeof s.pattern === 'string') {out.pattern = s.pattern;}
  if (s.enum) {out.enum = [...s.enum];}
  if (!s.type) {throw new Error(`generate-shapes: shape ${name} has no type`);}
  return out;
}

/** Builds the generated document from a parsed botocore model. Throws if an operation or shape is missing. */
export function buildShapes(model: unknown): GeneratedShapes {
  const m = model as BotocoreModel;
  if (!m || typeof m !== 'object' || !m.operations || !m.shapes) {
    throw new Error('generate-shapes: input is not a botocore service model');
  }
  const operations: Record<string, string> = {};
  const shapes: Record<string, ShapeModel> = {};
  const visit = (name: string): void => {
    if (shapes[name]) {return;}
    const raw = m.shapes[name];
    if (!raw) {throw new Error(`generate-shapes: shape ${name} is referenced but not defined`);}
    const shape = stripShape(name, raw);
    shapes[name] = shape; // before recursing: recursive shapes terminate
    for (const member of shape.members ?? []) {visit(member.shape);}
    for (const target of [shape.member, shape.key, shape.value]) {if (target) {visit(target);}}
  };
  for (const op of SHAPE_OPERATIONS) {
    const input = m.operations[op]?.input?.shape;
    if (!input) {throw new Error(`generate-shapes: operation ${op} (or its input) is missing from the model`);}
    operations[op] = input;
    visit(input);
  }
  return { _generated: GENERATED_HEADER, operations, shapes };
}

/** Recursively sorts object keys (arrays keep their order) so output is deterministic. */
function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) {return value.map(sortKeys);}
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {out[k] = sortKeys((value as Record<string, unknown>)[k]);}
    return out;
  }
  return value;
}

/** The exact text of the generated file for a parsed model. */
export function renderShapes(model: unknown): string {
  return JSON.stringify(sortKeys(buildShapes(model)), null, 2) + '\n';
}

/** Reads the model at modelPath and returns the file text; used by the drift-check test. */
export function generateShapesJson(modelPath: string = defaultModelPath()): string {
  return renderShapes(JSON.parse(readFileSync(modelPath, 'utf8')));
}

function main(): void {
  const modelPath = process.argv[2] ? resolve(process.argv[2]) : defaultModelPath();
  const text = generateShapesJson(modelPath);
  const out = generatedShapesPath();
  mkdirSync(dirname(out), { recursive: true });
  writeFileSync(out, text);
  const count = Object.keys((JSON.parse(text) as GeneratedShapes).shapes).length;
  console.log(`wrote ${out}: ${count} shapes, ${text.length} bytes`);
}

// Run only when executed directly, so tests can import the functions above.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {main();}
