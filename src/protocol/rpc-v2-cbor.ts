/**
 * Smithy RPC v2 CBOR (https://smithy.io/2.0/additional-specs/protocols/smithy-rpc-v2-cbor.html):
 * `POST {prefix?}/service/{Service}/operation/{Operation}`, `smithy-protocol: rpc-v2-cbor`,
 * a CBOR map in and out. This module reads a request body into the "JSON form"
 * the shape validator checks (tag-1 dates → epoch seconds, byte strings →
 * base64), and writes answers and errors.
 *
 * cbor-x understands many extensions smithy does not (records, shared
 * references, typed arrays, sets, `Error`/`RegExp` objects…). Its encoder runs
 * with records off and is only given plain values, Dates (tag 1, epoch seconds
 * as an integer or a float64, never half precision) and Buffers (major type 2,
 * untagged); what its decoder makes of anything but maps, arrays, strings,
 * numbers, booleans, null, tag 1 and byte strings is refused as a serialization
 * error.
 */
import type { ServerResponse } from 'node:http';
import { Decoder, Encoder } from 'cbor-x';
import type { OutputEncoding } from './output-shapes.js';
import { MAX_DEPTH } from './shape-validator.js';
import { serializationException } from './wire-errors.js';

export const SMITHY_PROTOCOL = 'rpc-v2-cbor';
export const CBOR_CONTENT_TYPE = 'application/cbor';

const decoder = new Decoder({ mapsAsObjects: true, useRecords: false });
const encoder = new Encoder({ mapsAsObjects: true, useRecords: false, tagUint8Array: false, variableMapSize: true });

/**
 * The service and operation of an RPC v2 path: only the last four segments
 * count, so a prefix (`/v1/service/…`) routes the same (the spec's "Requests").
 */
export function rpcV2Target(path: string): { service: string; operation: string } | undefined {
  const segments = path.split('/');
  const n = segments.length;
  if (n < 5 || segments[n - 4] !== 'service' || segments[n - 2] !== 'operation' || !segments[n - 3] || !segments[n - 1]) {
    return undefined;
  }
  return { service: segments[n - 3]!, operation: segments[n - 1]! };
}

/** Timestamps as tag 1 (a Date), blobs as byte strings, non-finite doubles as CBOR floats. */
export const cborEncoding: OutputEncoding = {
  timestamp: (s) => new Date(Math.round(s * 1000)),
  blob: (bytes) => bytes,
  nonFinite: (n) => n,
  list: (items) => items,
  map: (entries) => Object.fromEntries(entries),
};

/**
 * A request body as the JSON-form object the validator checks. An empty body
 * is an empty input; anything but one CBOR map is a serialization error.
 */
export function decodeCborInput(body: Buffer): Record<string, unknown> {
  if (body.length === 0) {
    return {};
  }
  let decoded: unknown;
  try {
    decoded = decoder.decode(body);
  } catch (err) {
    throw serializationException(`The request body is not valid CBOR: ${(err as Error).message}`);
  }
  if (!isPlainObject(decoded)) {
    throw serializationException('The request body must be a CBOR map.');
  }
  return jsonForm(decoded, 1) as Record<string, unknown>;
}

/** One decoded CBOR item in JSON form. */
function jsonForm(v: unknown, depth: number): unknown {
  if (v === null || v === undefined) {
    return null; // "undefined" (simple 23) MUST be read as null, and null means absent.
  }
  if (typeof v === 'string' || typeof v === 'boolean' || typeof v === 'number') {
    return v;
  }
  if (typeof v === 'bigint') {
    return Number(v); // beyond 2^53 the validator answers "out of range" for a long
  }
  if (v instanceof Date) {
    const ms = v.getTime();
    if (Number.isNaN(ms)) {
      throw serializationException('A CBOR tag 1 (epoch-based date/time) must carry a number.');
    }
    return ms / 1000;
  }
  if (v instanceof Uint8Array && (v.constructor === Uint8Array || Buffer.isBuffer(v))) {
    return Buffer.from(v.buffer, v.byteOffset, v.byteLength).toString('base64');
  }
  if (depth > MAX_DEPTH) {
    throw serializationException(`Input nesting depth exceeds the maximum allowed (${MAX_DEPTH})`);
  }
  if (Array.isArray(v)) {
    return v.map((item) => jsonForm(item, depth + 1));
  }
  if (isPlainObject(v)) {
    return Object.fromEntries(Object.entries(v).map(([k, item]) => [k, jsonForm(item, depth + 1)]));
  }
  throw serializationException('The request body holds a CBOR item the RPC v2 CBOR protocol does not use (a tag other than 1, a set, a typed array…).');
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) {
    return false;
  }
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** Each answer gets its own bytes: the encoder moves on in its buffer, it does not write over a returned one. */
export function encodeCbor(value: unknown): Buffer {
  return encoder.encode(value);
}

/**
 * A 200 answer. An operation without output answers no body and no
 * Content-Type ("Responses for operations with no defined output type … MUST
 * NOT contain bodies").
 */
export function writeCbor(res: ServerResponse, status: number, value: unknown, headers: Record<string, string> = {}): void {
  res.statusCode = status;
  res.setHeader('smithy-protocol', SMITHY_PROTOCOL);
  for (const [name, v] of Object.entries(headers)) {
    res.setHeader(name, v);
  }
  if (value === undefined) {
    res.setHeader('Content-Length', 0);
    res.end();
    return;
  }
  const payload = encodeCbor(value);
  res.setHeader('Content-Type', CBOR_CONTENT_TYPE);
  res.setHeader('Content-Length', payload.length);
  res.end(payload);
}
