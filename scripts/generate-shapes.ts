/**
 * Generates src/protocol/generated/<service>-shapes.json from botocore's
 * service model, the source of truth for input validation (one file per entry
 * of WIRE_SERVICES in generate-services.ts).
 *
 * Usage: node dist/scripts/generate-shapes.js (writes every service's shapes;
 * `npm run generate` writes the types as well).
 *
 * Only the operations the emulator serves are kept, with every shape reachable
 * from their inputs, stripped to the fields validation needs. Output keys are
 * sorted so that regeneration is byte-stable and CI can detect drift; arrays
 * (members, required, enum) keep model order because Coral reports violations
 * in member definition order and prints enum sets in model order.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { GeneratedShapes, ShapeModel } from '../src/protocol/shape-validator.js';
import type { BotocoreShape, WireService } from './generate-services.js';
import {
  GENERATED_DIR, SAGEMAKER_OPERATIONS, WIRE_SERVICES, asBotocoreModel, operationShape, reachableShapes, readModel,
  repoRoot, sortKeys, wireService,
} from './generate-services.js';

export { repoRoot } from './generate-services.js';

/** The SageMaker operations served (kept under its old name for existing importers). */
export const SHAPE_OPERATIONS: readonly string[] = SAGEMAKER_OPERATIONS;

const SAGEMAKER = wireService('sagemaker');

/** The `_generated` line of a service's shapes file. */
export function shapesHeader(service: string, apiVersion: string): string {
  return `by scripts/generate-shapes.ts from botocore's ${service} ${apiVersion} service-2.json; do not edit`;
}

export const GENERATED_HEADER = shapesHeader('sagemaker', '2017-07-24');

/** The repository-relative path of a service's shapes file. */
export const shapesFile = (service: string): string => `${GENERATED_DIR}/${service}-shapes.json`;

/** The botocore model of SageMaker kept in the repository (aws-models/, Apache-2.0 with its NOTICE). */
export function defaultModelPath(): string {
  return join(repoRoot(), SAGEMAKER.model);
}

/** The committed output file, in the source tree (not dist). */
export function generatedShapesPath(service = 'sagemaker'): string {
  return join(repoRoot(), shapesFile(service));
}

/** Keeps the validation-relevant fields of one shape (drops box, documentation, etc.). */
function stripShape(name: string, s: BotocoreShape): ShapeModel {
  if (!s.type) {throw new Error(`generate-shapes: shape ${name} has no type`);}
  const out: ShapeModel = { type: s.type };
  if (s.document) {out.document = true;}
  if (s.members) {out.members = Object.entries(s.members).map(([m, ref]) => ({ name: m, shape: ref.shape }));}
  if (s.required && s.required.length > 0) {out.required = [...s.required];}
  if (s.member) {out.member = s.member.shape;}
  if (s.key) {out.key = s.key.shape;}
  if (s.value) {out.value = s.value.shape;}
  if (typeof s.min === 'number') {out.min = s.min;}
  if (typeof s.max === 'number') {out.max = s.max;}
  if (typeof s.pattern === 'string') {out.pattern = s.pattern;}
  if (s.enum) {out.enum = [...s.enum];}
  return out;
}

/** Builds the generated document from a parsed botocore model. Throws if an operation or shape is missing. */
export function buildShapes(model: unknown, entry: WireService = SAGEMAKER): GeneratedShapes {
  const m = asBotocoreModel(model);
  const operations: Record<string, string> = {};
  for (const op of entry.operations) {
    const input = operationShape(m, op, 'input');
    if (!input) {throw new Error(`generate-shapes: operation ${op} has no input shape`);}
    operations[op] = input;
  }
  const outputs: Record<string, string> = {};
  if (entry.outputShapes) {
    for (const op of entry.operations) {
      const output = operationShape(m, op, 'output');
      if (output) {outputs[op] = output;}
    }
  }
  const shapes: Record<string, ShapeModel> = {};
  for (const name of reachableShapes(m, [...Object.values(operations), ...Object.values(outputs)])) {
    shapes[name] = stripShape(name, m.shapes[name]!);
  }
  return {
    _generated: shapesHeader(entry.service, m.metadata.apiVersion),
    operations,
    ...(entry.outputShapes ? { outputs } : {}),
    shapes,
  };
}

/** The exact text of the generated file for a parsed model. */
export function renderShapes(model: unknown, entry: WireService = SAGEMAKER): string {
  return JSON.stringify(sortKeys(buildShapes(model, entry)), null, 2) + '\n';
}

/** Reads the model at modelPath (SageMaker's by default) and returns the file text. */
export function generateShapesJson(modelPath: string = defaultModelPath(), entry: WireService = SAGEMAKER): string {
  return renderShapes(JSON.parse(readFileSync(modelPath, 'utf8')), entry);
}

/** The shapes file of one service, from the model kept in the repository. */
export function shapesOutput(entry: WireService, root: string = repoRoot()): { path: string; text: string } {
  return { path: shapesFile(entry.service), text: renderShapes(readModel(entry, root), entry) };
}

function main(): void {
  const root = repoRoot();
  for (const entry of WIRE_SERVICES) {
    const { path, text } = shapesOutput(entry, root);
    const out = join(root, path);
    mkdirSync(dirname(out), { recursive: true });
    writeFileSync(out, text);
    console.log(`wrote ${path}: ${text.length} bytes`);
  }
}

// Run only when executed directly, so tests can import the functions above.
if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {main();}
