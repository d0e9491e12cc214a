import { readFileSync } from 'node:fs';
import path from 'node:path';

/**
 * Checks an operation's output, as it came over the wire (parsed JSON), field
 * by field against botocore's service model: every member is one the shape
 * declares, required members are present, enums hold, types match.
 */
interface Shape {
  type: string;
  members?: Record<string, { shape: string }>;
  required?: string[];
  member?: { shape: string };
  value?: { shape: string };
  enum?: string[];
}

const modelPath = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../../../aws-models/sagemaker/2017-07-24/service-2.json');

let model: { operations: Record<string, { output?: { shape: string } }>; shapes: Record<string, Shape> } | undefined;

export function outputProblems(operation: string, output: unknown): string[] {
  model ??= JSON.parse(readFileSync(modelPath, 'utf8')) as typeof model;
  const shapeName = model!.operations[operation]?.output?.shape;
  if (!shapeName) {
    return [`no output shape for ${operation}`];
  }
  const problems: string[] = [];
  check(shapeName, output, operation, problems);
  return problems;
}

function check(shapeName: string, value: unknown, at: string, problems: string[]): void {
  const shape = model!.shapes[shapeName]!;
  switch (shape.type) {
    case 'structure': {
      if (typeof value !== 'object' || value === null || Array.isArray(value)) {
        problems.push(`${at}: expected a structure (${shapeName})`);
        return;
      }
      const obj = value as Record<string, unknown>;
      for (const r of shape.required ?? []) {
        if (obj[r] === undefined) {
          problems.push(`${at}.${r}: required by ${shapeName} but missing`);
        }
      }
      for (const [k, v] of Object.entries(obj)) {
        const member = shape.members?.[k];
        if (!member) {
          problems.push(`${at}.${k}: not a member of ${shapeName}`);
        } else if (v !== null && v !== undefined) {
          check(member.shape, v, `${at}.${k}`, problems);
        }
      }
      return;
    }
    case 'list':
      if (!Array.isArray(value)) {
        problems.push(`${at}: expected a list (${shapeName})`);
        return;
      }
      value.forEach((v, i) => check(shape.member!.shape, v, `${at}[${i}]`, problems));
      return;
    case 'map':
      if (typeof value !== 'object' || value === null) {
        problems.push(`${at}: expected a map`);
        return;
      }
      for (const [k, v] of Object.entries(value)) {
        check(shape.value!.shape, v, `${at}.${k}`, problems);
      }
      return;
    case 'string':
      if (typeof value !== 'string') {
        problems.push(`${at}: expected a string`);
      } else if (shape.enum && !shape.enum.includes(value)) {
        problems.push(`${at}: "${value}" is not one of ${shape.enum.join(', ')}`);
      }
      return;
    case 'integer':
    case 'long':
      if (!Number.isInteger(value)) {
        problems.push(`${at}: expected an integer`);
      }
      return;
    case 'float':
    case 'double':
    case 'timestamp':
      if (typeof value !== 'number') {
        problems.push(`${at}: expected a number${shape.type === 'timestamp' ? ' (epoch seconds)' : ''}`);
      }
      return;
    case 'boolean':
      if (typeof value !== 'boolean') {
        problems.push(`${at}: expected a boolean`);
      }
      return;
    default:
      return;
  }
}

/** The raw JSON of a control-plane call, as a wire-level client would see it. */
export async function rawCall(url: string, operation: string, input: unknown): Promise<Record<string, unknown>> {
  const res = await fetch(`${url}/`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `SageMaker.${operation}` },
    body: JSON.stringify(input),
  });
  return (await res.json()) as Record<string, unknown>;
}
