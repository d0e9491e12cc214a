/**
 * Validates AWS JSON inputs the way the real services (Coral, AWS JSON 1.1)
 * do, driven by shapes generated from botocore's models (see
 * scripts/generate-wire.ts), and decodes them into a copy that holds only
 * modelled members:
 *
 * - a JSON value of the wrong type anywhere fails deserialization first, so it
 *   wins over constraint failures and yields a SerializationException;
 * - otherwise every constraint violation is collected, depth-first in member
 *   definition order, and reported as one ValidationException message.
 *
 * Unknown members are ignored and JSON null means absent, as in Coral: the
 * copy leaves both out, and the walk follows the shapes, so unknown members
 * are never visited however deep they are nested. Modelled nesting is bounded
 * (MAX_DEPTH) so that a recursive shape cannot overflow the stack either.
 */
import { readFileSync } from 'node:fs';
import type { ServiceName } from './generated/services.js';
import { SERVICE_NAMES } from './generated/services.js';

export type { ServiceName } from './generated/services.js';

/** One member of a structure, in model order. */
export interface GeneratedMember {
  name: string;
  shape: string;
}

/** A shape reduced to what validation needs; list/map targets are shape names. */
export interface ShapeModel {
  type: string;
  /** A botocore document: any JSON value, kept as it is. */
  document?: boolean;
  members?: GeneratedMember[];
  required?: string[];
  member?: string;
  key?: string;
  value?: string;
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
}

/** Layout of src/protocol/generated/<service>-shapes.json. */
export interface GeneratedShapes {
  _generated: string;
  /** operation name -> input shape name */
  operations: Record<string, string>;
  /** operation name -> output shape name, for services served in protocols that need it (generate-services.ts). */
  outputs?: Record<string, string>;
  shapes: Record<string, ShapeModel>;
}

export type InputProblem =
  | { kind: 'serialization'; message: string } // wrong JSON type for a member: AWS answers SerializationException
  | { kind: 'validation'; message: string }; // constraint failures: AWS answers ValidationException

export type DecodeResult<T> = { ok: true; value: T } | { ok: false; problem: InputProblem };

/**
 * How many structures, lists and maps may nest, the input structure being 1.
 * SageMaker's served inputs nest at most 7 deep; beyond this bound the input
 * is refused as a serialization problem, as Jackson refuses over-deep documents.
 */
export const MAX_DEPTH = 64;

const loaded = new Map<ServiceName, GeneratedShapes>();

/** Loads a service's generated shapes lazily (importing this module never throws). */
function model(service: ServiceName): GeneratedShapes {
  let shapes = loaded.get(service);
  if (!shapes) {
    // The name becomes part of a file path: only generated services, whatever a caller cast to ServiceName.
    if (!SERVICE_NAMES.includes(service)) {throw new Error(`shape-validator: no generated shapes for service ${String(service)}`);}
    // Read relative to this module: the build copies generated/*.json next to the compiled file.
    shapes = JSON.parse(
      readFileSync(new URL(`./generated/${service}-shapes.json`, import.meta.url), 'utf8'),
    ) as GeneratedShapes;
    loaded.set(service, shapes);
  }
  return shapes;
}

/**
 * A service's generated shapes, for the writers that walk outputs along them
 * (src/protocol/output-shapes.ts) and the query protocol's input parser.
 */
export function serviceShapes(service: ServiceName): GeneratedShapes {
  return model(service);
}

/** Whether the service models the operation (own keys only: `__proto__` or `toString` never are). */
export function hasOperation(operation: string, service: ServiceName = 'sagemaker'): boolean {
  return Object.hasOwn(model(service).operations, operation);
}

/**
 * Validates like validateInput and returns a copy holding only modelled
 * members (JSON null = absent, dropped). An operation the service does not
 * model has no modelled members: its copy is `{}`.
 */
export function decodeInput(service: ServiceName, operation: string, input: unknown): DecodeResult<Record<string, unknown>> {
  return decodeWithShapes(model(service), operation, input);
}

/** decodeInput against given shapes (exported for tests of shapes no served operation reaches). */
export function decodeWithShapes(shapes: GeneratedShapes, operation: string, input: unknown): DecodeResult<Record<string, unknown>> {
  if (!Object.hasOwn(shapes.operations, operation)) {return { ok: true, value: {} };}
  const errors: string[] = [];
  let value: unknown;
  try {
    // An empty body is an empty structure.
    value = check(shapes, shapes.operations[operation]!, input ?? {}, '', errors, 1);
  } catch (e) {
    if (e instanceof SerializationProblem) {return { ok: false, problem: { kind: 'serialization', message: e.message } };}
    throw e;
  }
  if (errors.length > 0) {
    // Coral lists every violation, joined by '; ', behind a counted prefix.
    const prefix = errors.length === 1 ? '1 validation error detected: ' : `${errors.length} validation errors detected: `;
    return { ok: false, problem: { kind: 'validation', message: prefix + errors.join('; ') } };
  }
  return { ok: true, value: (value ?? {}) as Record<string, unknown> };
}

/** Returns undefined when a SageMaker input is acceptable (or the operation is not modelled). */
export function validateInput(operation: string, input: unknown): InputProblem | undefined {
  const result = decodeInput('sagemaker', operation, input);
  return result.ok ? undefined : result.problem;
}

/** Every pattern reachable from the modelled operations (for tests). */
export function reachablePatterns(service: ServiceName = 'sagemaker'): string[] {
  const set = new Set<string>();
  for (const s of Object.values(model(service).shapes)) {if (s.pattern !== undefined) {set.add(s.pattern);}}
  return [...set].sort();
}

// ---------------------------------------------------------------------------
// Type checks (SerializationException) and constraint checks (ValidationException)

class SerializationProblem extends Error {}

/** Jackson-style token names for the JSON value actually received. */
function token(v: unknown): string {
  if (Array.isArray(v)) {return 'START_ARRAY';}
  if (typeof v === 'string') {return 'STRING_VALUE';}
  if (typeof v === 'number') {return 'NUMBER_VALUE';}
  if (typeof v === 'boolean') {return 'BOOLEAN_VALUE';}
  return 'START_OBJECT';
}

const where = (path: string): string => (path ? ` at '${path}'` : '');

/** Builds the SerializationException for a value whose JSON type does not fit the shape. */
function mismatch(type: string, v: unknown, path: string, detail = ''): SerializationProblem {
  if (Array.isArray(v) && type !== 'list') {return new SerializationProblem(`Start of list found where not expected${where(path)}`);}
  if (isObject(v) && type !== 'structure' && type !== 'map') {
    return new SerializationProblem(`Start of structure or map found where not expected${where(path)}`);
  }
  if (type === 'structure' || type === 'map' || type === 'list') {
    return new SerializationProblem(`Unexpected value type in payload: ${token(v)} where a ${type} was expected${where(path)}`);
  }
  const javaType: Record<string, string> = {
    string: 'a String', integer: 'an Integer', long: 'a Long', float: 'a Float', double: 'a Double',
    boolean: 'a Boolean', timestamp: 'a Timestamp', blob: 'a Blob',
  };
  return new SerializationProblem(`${token(v)} can not be converted to ${javaType[type] ?? `a ${type}`}${where(path)}${detail}`);
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ISO-8601 date-time as AWS accepts for timestamps (date, optional time, fraction, zone).
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:[Zz]|[+-]\d{2}:?\d{2})?)?$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/** Coral's member path component: the model member name with its first letter lowered. */
const lowerCamel = (name: string): string => name.charAt(0).toLowerCase() + name.slice(1);
const join = (path: string, part: string): string => (path ? `${path}.${part}` : part);

/** The SerializationException for input nested deeper than MAX_DEPTH. */
const tooDeep = (path: string): SerializationProblem =>
  new SerializationProblem(`Input nesting depth exceeds the maximum allowed (${MAX_DEPTH})${where(path)}`);

/**
 * Validates value (never null/undefined here) against shapeName at path, nested
 * depth deep, and returns its copy holding modelled members only: throws
 * SerializationProblem on a JSON type mismatch, pushes constraint messages to errors.
 */
function check(shapes: GeneratedShapes, shapeName: string, value: unknown, path: string, errors: string[], depth: number): unknown {
  // Cannot miss with a generated file; be lenient rather than crash a request (and drop what is not understood).
  if (!Object.hasOwn(shapes.shapes, shapeName)) {return undefined;}
  const shape = shapes.shapes[shapeName]!;
  const fail = (constraint: string): void => {
    errors.push(`Value ${render(value)} at '${path}' failed to satisfy constraint: Member ${constraint}`);
  };
  // Botocore's min/max mean length for strings/blobs, entry count for lists/maps, value for numbers.
  const range = (n: number, what: 'length' | 'value'): void => {
    if (shape.min !== undefined && n < shape.min) {fail(`must have ${what} greater than or equal to ${shape.min}`);}
    if (shape.max !== undefined && n > shape.max) {fail(`must have ${what} less than or equal to ${shape.max}`);}
  };
  // A null list element or map value is present-but-null, which Coral rejects like a missing required member.
  const notNull = (p: string): void => {
    errors.push(`Value null at '${p}' failed to satisfy constraint: Member must not be null`);
  };

  if (shape.document) {return copyDocument(value, path, depth);}
  switch (shape.type) {
    case 'structure': {
      if (!isObject(value)) {throw mismatch('structure', value, path);}
      if (depth > MAX_DEPTH) {throw tooDeep(path);}
      const required = new Set(shape.required ?? []);
      const copy: [string, unknown][] = [];
      for (const m of shape.members ?? []) {
        const p = join(path, lowerCamel(m.name));
        const v = Object.hasOwn(value, m.name) ? value[m.name] : undefined;
        if (v === null || v === undefined) {
          if (required.has(m.name)) {notNull(p);}
        } else {
          copy.push([m.name, check(shapes, m.shape, v, p, errors, depth + 1)]);
        }
      }
      return Object.fromEntries(copy);
    }
    case 'list': {
      if (!Array.isArray(value)) {throw mismatch('list', value, path);}
      if (depth > MAX_DEPTH) {throw tooDeep(path);}
      range(value.length, 'length');
      const copy: unknown[] = [];
      value.forEach((item, i) => {
        const p = `${path}.${i + 1}.member`; // Coral's 1-based list element path
        if (item === null || item === undefined) {notNull(p);}
        else {copy.push(check(shapes, shape.member ?? '', item, p, errors, depth + 1));}
      });
      return copy;
    }
    case 'map': {
      if (!isObject(value)) {throw mismatch('map', value, path);}
      if (depth > MAX_DEPTH) {throw tooDeep(path);}
      const entries = Object.entries(value);
      range(entries.length, 'length');
      const copy: [string, unknown][] = [];
      for (const [k, v] of entries) {
        if (shape.key) {check(shapes, shape.key, k, `${path}.key`, errors, depth + 1);}
        const p = `${path}.${k}`;
        if (v === null || v === undefined) {notNull(p);}
        else {copy.push([k, check(shapes, shape.value ?? '', v, p, errors, depth + 1)]);}
      }
      // fromEntries defines own properties, so a key such as "__proto__" stays data.
      return Object.fromEntries(copy);
    }
    case 'string': {
      if (typeof value !== 'string') {throw mismatch('string', value, path);}
      range(value.length, 'length'); // UTF-16 units, as Java's String.length()
      if (shape.enum) {
        // An enum replaces the pattern check; the set prints in model order.
        if (!shape.enum.includes(value)) {fail(`must satisfy enum value set: [${shape.enum.join(', ')}]`);}
      } else if (shape.pattern !== undefined) {
        const re = compileJavaPattern(shape.pattern);
        if (re && !re.test(value)) {fail(`must satisfy regular expression pattern: ${shape.pattern}`);}
      }
      return value;
    }
    case 'integer':
    case 'long': {
      if (typeof value !== 'number') {throw mismatch(shape.type, value, path);}
      const limit = shape.type === 'integer' ? 2 ** 31 : 2 ** 53;
      if (!Number.isInteger(value)) {throw mismatch(shape.type, value, path, ` (${value} is not an integral value)`);}
      if (value >= limit || value < -limit) {throw mismatch(shape.type, value, path, ` (${value} is out of range)`);}
      range(value, 'value');
      return value;
    }
    case 'float':
    case 'double': {
      if (typeof value !== 'number' || !Number.isFinite(value)) {throw mismatch(shape.type, value, path);}
      range(value, 'value');
      return value;
    }
    case 'boolean':
      if (typeof value !== 'boolean') {throw mismatch('boolean', value, path);}
      return value;
    case 'timestamp':
      // AWS JSON accepts epoch seconds (possibly fractional); ISO-8601 strings are accepted too.
      if (typeof value === 'number' && Number.isFinite(value)) {return value;}
      if (typeof value === 'string' && ISO_8601.test(value) && !Number.isNaN(Date.parse(value))) {return value;}
      throw mismatch('timestamp', value, path, typeof value === 'string' ? ' (not epoch seconds or ISO-8601)' : '');
    case 'blob':
      if (typeof value !== 'string' || !BASE64.test(value)) {throw mismatch('blob', value, path);}
      range(Buffer.from(value, 'base64').length, 'length');
      return value;
    default:
      // A type this validator does not know: accept rather than reject valid requests.
      return copyDocument(value, path, depth);
  }
}

/** A copy of any JSON value (a document), refused beyond MAX_DEPTH so that storing it stays safe. */
function copyDocument(value: unknown, path: string, depth: number): unknown {
  if (value === null || typeof value !== 'object') {return value;}
  if (depth > MAX_DEPTH) {throw tooDeep(path);}
  if (Array.isArray(value)) {return value.map((v) => copyDocument(v, path, depth + 1));}
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, copyDocument(v, path, depth + 1)]));
}

/** Coral cuts a rendered container after this many characters. */
const RENDER_LIMIT = 100;

/** Renders the offending value like Coral: quoted scalars, Java-toString-ish containers. */
function render(value: unknown): string {
  if (value === null || value === undefined) {return 'null';}
  if (typeof value !== 'object') {return `'${String(value)}'`;}
  const out = { text: '' };
  inner(value, out);
  const text = out.text;
  return `'${text.length > RENDER_LIMIT ? `${text.slice(0, RENDER_LIMIT)}...` : text}'`;
}

/**
 * Appends v's rendering to out.text, stopping once the text is past the cut:
 * only its first RENDER_LIMIT characters (and whether there are more) show,
 * and every level appends a character before descending, so a deeply nested
 * (even unknown) member costs at most RENDER_LIMIT levels of recursion.
 */
function inner(v: unknown, out: { text: string }): void {
  if (out.text.length > RENDER_LIMIT) {return;}
  if (Array.isArray(v)) {
    out.text += '[';
    for (let i = 0; i < v.length && out.text.length <= RENDER_LIMIT; i++) {
      if (i > 0) {out.text += ', ';}
      inner(v[i], out);
    }
    out.text += ']';
  } else if (isObject(v)) {
    out.text += '{';
    let first = true;
    for (const [k, x] of Object.entries(v)) {
      if (out.text.length > RENDER_LIMIT) {break;}
      if (x === null || x === undefined) {continue;}
      out.text += `${first ? '' : ', '}${k}=`;
      first = false;
      inner(x, out);
    }
    out.text += '}';
  } else {
    out.text += String(v);
  }
}

// ---------------------------------------------------------------------------
// Java regex -> JS RegExp (u flag), whole-string match as Coral's Pattern.matches.

// Java without UNICODE_CHARACTER_CLASS: \s is ASCII whitespace only (JS \s is Unicode-wide).
const JAVA_SPACE = '\\t\\n\\x0B\\f\\r ';
// Java's \S as class contents (every code point but those six), so it composes inside [...] too.
const JAVA_NON_SPACE = '\\x00-\\x08\\x0E-\\x1F\\x21-\\u{10FFFF}';
// Java's '.' (no DOTALL) excludes these line terminators; JS's '.' does not exclude U+0085.
const JAVA_DOT = '[^\\n\\r\\u0085\\u2028\\u2029]';
// POSIX-style Java classes (US-ASCII), as class contents.
const POSIX: Record<string, string> = {
  ASCII: '\\x00-\\x7F', Print: '\\x20-\\x7E', Graph: '\\x21-\\x7E', Alpha: 'a-zA-Z', Digit: '0-9',
  Alnum: 'a-zA-Z0-9', Upper: 'A-Z', Lower: 'a-z', Punct: '!-\\/:-@\\[-`{-~', Space: JAVA_SPACE,
  Blank: ' \\t', Cntrl: '\\x00-\\x1F\\x7F', XDigit: '0-9a-fA-F',
};
const JS_SYNTAX = new Set('^$\\.*+?()[]{}|/'.split(''));

const patternCache = new Map<string, RegExp | null>();

/**
 * Translates a Java regular expression from the model into an anchored JS RegExp,
 * cached. Returns undefined when the pattern uses syntax we cannot translate
 * faithfully (the check is then skipped rather than wrongly rejecting input).
 */
export function compileJavaPattern(pattern: string): RegExp | undefined {
  let re = patternCache.get(pattern);
  if (re === undefined) {
    const source = translate(pattern);
    try {
      re = source === undefined ? null : new RegExp(`^(?:${source})$`, 'u');
    } catch {
      re = null;
    }
    patternCache.set(pattern, re);
  }
  return re ?? undefined;
}

function translate(p: string): string | undefined {
  let out = '';
  let inClass = false;
  let afterQuantifier = false;
  for (let i = 0; i < p.length; i++) {
    const c = p[i]!;
    const wasQuantifier: boolean = afterQuantifier;
    afterQuantifier = false;
    if (c === '\\') {
      const e = p[++i];
      if (e === undefined) {return undefined;}
      if (e === 'p' || e === 'P') {
        // \p{Name} or Java's one-letter \pL form.
        let name: string;
        if (p[i + 1] === '{') {
          const end = p.indexOf('}', i);
          if (end < 0) {return undefined;}
          name = p.slice(i + 2, end);
          i = end;
        } else {
          name = p[++i] ?? '';
        }
        const posix = POSIX[name];
        if (posix !== undefined) {
          if (e === 'P' && inClass) {return undefined;} // a negated range inside a class has no JS equivalent (without v)
          out += inClass ? posix : `[${e === 'P' ? '^' : ''}${posix}]`;
        } else {
          // Unicode categories (L, Z, N, Lu...) are spelled alike; drop Java's optional "Is" prefix.
          out += `\\${e}{${name.startsWith('Is') ? name.slice(2) : name}}`;
        }
      } else if (e === 'A') {
        out += '^';
      } else if (e === 'z') {
        out += '$';
      } else if (e === 'Z') {
        out += '(?=(?:\\r\\n|[\\n\\r\\u0085\\u2028\\u2029])?$)';
      } else if (e === 's') {
        out += inClass ? JAVA_SPACE : `[${JAVA_SPACE}]`;
      } else if (e === 'S') {
        out += inClass ? JAVA_NON_SPACE : `[${JAVA_NON_SPACE}]`;
      } else if (e === 'Q') {
        // \Q...\E quotes literally.
        const end = p.indexOf('\\E', i + 1);
        const lit = p.slice(i + 1, end < 0 ? p.length : end);
        out += [...lit].map((ch) => `\\u{${ch.codePointAt(0)!.toString(16)}}`).join('');
        i = end < 0 ? p.length : end + 1;
      } else if (/[0-9a-zA-Z]/.test(e)) {
        out += `\\${e}`; // \d \w \b \n \t \x.. \u.... etc. mean the same in JS
      } else if (JS_SYNTAX.has(e) || (inClass && e === '-')) {
        out += `\\${e}`;
      } else {
        // Java escapes any punctuation; JS's u flag rejects most identity escapes.
        out += `\\u{${e.codePointAt(0)!.toString(16)}}`;
      }
    } else if (inClass) {
      if (c === '[' || (c === '&' && p[i + 1] === '&')) {return undefined;} // Java class union/intersection
      if (c === ']') {inClass = false;}
      out += c;
    } else if (c === '[') {
      inClass = true;
      out += c;
      if (p[i + 1] === '^') {out += p[++i];}
      if (p[i + 1] === ']') {return undefined;} // Java reads a leading ']' as a literal; JS as an empty class
    } else if (c === '.') {
      out += JAVA_DOT;
    } else if (c === '$') {
      // Java's '$' (no MULTILINE) also matches before a final line terminator.
      out += '(?=(?:\\r\\n|[\\n\\r\\u0085\\u2028\\u2029])?$)';
    } else if (c === '*' || c === '+' || c === '?') {
      // After a quantifier, '?' makes it lazy (JS has that) and '+' possessive (JS does not).
      if (wasQuantifier && c === '+') {return undefined;}
      out += c;
      afterQuantifier = !wasQuantifier;
    } else if (c === '{') {
      const quantifier = /^\{\d+(?:,\d*)?\}/.exec(p.slice(i));
      if (!quantifier) {return undefined;} // a stray '{' is an error in Java as well
      out += quantifier[0];
      i += quantifier[0].length - 1;
      afterQuantifier = true;
    } else {
      out += c;
    }
  }
  return inClass ? undefined : out;
}
