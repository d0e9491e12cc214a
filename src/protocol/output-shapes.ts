/**
 * An operation's output as each protocol writes it. Handlers return "JSON
 * form" (timestamps as epoch seconds, blobs as base64 strings, as the AWS JSON
 * protocols carry them); a service served in several protocols
 * (src/protocol/multi-protocol-service.ts) walks that value along the
 * operation's output shape, generated from botocore's model, and each
 * protocol says how it writes what JSON cannot tell apart: a timestamp, a
 * blob, a list, a map, a double that is not finite.
 *
 * Members the shape does not model are dropped; null and undefined members
 * are omitted ("Values that are null MUST be omitted", smithy RPC v2 CBOR,
 * https://smithy.io/2.0/additional-specs/protocols/smithy-rpc-v2-cbor.html).
 * A value of the wrong type is a handler bug: it throws a plain Error, which
 * the service answers as an internal failure (and logs).
 */
import { MAX_DEPTH, serviceShapes, type GeneratedShapes, type ServiceName } from './shape-validator.js';

export interface OutputEncoding {
  /** `epochSeconds` may be fractional (millisecond resolution). */
  timestamp(epochSeconds: number): unknown;
  blob(bytes: Buffer): unknown;
  /** NaN, Infinity or -Infinity in a float/double member (finite numbers are written as they are). */
  nonFinite(n: number): unknown;
  list(items: unknown[]): unknown;
  map(entries: [string, unknown][]): unknown;
}

/**
 * AWS JSON: epoch seconds, base64, and the strings "NaN", "Infinity",
 * "-Infinity" that the awsJson1_0 protocol uses for non-finite doubles
 * (https://smithy.io/2.0/aws/protocols/aws-json-1_0-protocol.html#shape-serialization).
 */
export const jsonEncoding: OutputEncoding = {
  timestamp: (s) => s,
  blob: (bytes) => bytes.toString('base64'),
  nonFinite: nonFiniteName,
  list: (items) => items,
  map: (entries) => Object.fromEntries(entries),
};

export function nonFiniteName(n: number): string {
  return Number.isNaN(n) ? 'NaN' : n > 0 ? 'Infinity' : '-Infinity';
}

/** The operation's output shape name, or undefined when the operation has no output. */
export function outputShapeName(service: ServiceName, operation: string): string | undefined {
  const outputs = serviceShapes(service).outputs ?? {};
  return Object.hasOwn(outputs, operation) ? outputs[operation] : undefined;
}

/**
 * The output written with `encoding`, or undefined for an operation without
 * an output shape (the protocols then answer an empty body or element).
 */
export function shapeOutput(service: ServiceName, operation: string, value: object, encoding: OutputEncoding): unknown {
  const shapeName = outputShapeName(service, operation);
  if (shapeName === undefined) {
    return undefined;
  }
  return walk(serviceShapes(service), shapeName, value, encoding, shapeName, 1);
}

class OutputShapeError extends Error {}

function walk(shapes: GeneratedShapes, shapeName: string, value: unknown, enc: OutputEncoding, path: string, depth: number): unknown {
  const shape = Object.hasOwn(shapes.shapes, shapeName) ? shapes.shapes[shapeName]! : undefined;
  if (!shape) {
    throw new OutputShapeError(`output-shapes: no shape ${shapeName} at ${path}`);
  }
  if (depth > MAX_DEPTH) {
    throw new OutputShapeError(`output-shapes: output nested deeper than ${MAX_DEPTH} at ${path}`);
  }
  const wrong = (): OutputShapeError =>
    new OutputShapeError(`output-shapes: ${path} should be a ${shape.type} (shape ${shapeName}), not ${describe(value)}`);
  if (shape.document) {
    return value;
  }
  switch (shape.type) {
    case 'structure': {
      if (!isRecord(value)) {
        throw wrong();
      }
      const out: Record<string, unknown> = {};
      for (const m of shape.members ?? []) {
        const v = Object.hasOwn(value, m.name) ? value[m.name] : undefined;
        if (v !== undefined && v !== null) {
          out[m.name] = walk(shapes, m.shape, v, enc, `${path}.${m.name}`, depth + 1);
        }
      }
      return out;
    }
    case 'list':
      if (!Array.isArray(value)) {
        throw wrong();
      }
      return enc.list(value.map((item, i) => walk(shapes, shape.member ?? '', item, enc, `${path}[${i}]`, depth + 1)));
    case 'map': {
      if (!isRecord(value)) {
        throw wrong();
      }
      const entries: [string, unknown][] = [];
      for (const [k, v] of Object.entries(value)) {
        if (v !== undefined && v !== null) {
          entries.push([k, walk(shapes, shape.value ?? '', v, enc, `${path}.${k}`, depth + 1)]);
        }
      }
      return enc.map(entries);
    }
    case 'timestamp':
      return enc.timestamp(epochSeconds(value, wrong));
    case 'blob':
      if (typeof value === 'string') {
        return enc.blob(Buffer.from(value, 'base64'));
      }
      if (value instanceof Uint8Array) {
        return enc.blob(Buffer.from(value));
      }
      throw wrong();
    case 'float':
    case 'double':
    case 'integer':
    case 'long':
      if (typeof value !== 'number') {
        throw wrong();
      }
      return Number.isFinite(value) ? value : enc.nonFinite(value);
    case 'boolean':
      if (typeof value !== 'boolean') {
        throw wrong();
      }
      return value;
    case 'string':
      if (typeof value !== 'string') {
        throw wrong();
      }
      return value;
    default:
      return value;
  }
}

/** Handlers return epoch seconds; a Date or an ISO-8601 string is taken too. */
function epochSeconds(value: unknown, wrong: () => Error): number {
  const seconds =
    typeof value === 'number' ? value
    : value instanceof Date ? value.getTime() / 1000
    : typeof value === 'string' ? Date.parse(value) / 1000
    : Number.NaN;
  if (!Number.isFinite(seconds)) {
    throw wrong();
  }
  return seconds;
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  return Array.isArray(v) ? 'an array' : v === null ? 'null' : typeof v;
}
