/**
 * Validates SageMaker control-plane inputs the way the real service (Coral,
 * AWS JSON 1.1) does, driven by shapes generated from botocore's model
 * (see scripts/generate-shapes.ts):
 *
 * - a JSON value of the wrong type anywhere fails deserialization first, so it
 *   wins over constraint failures and yields a SerializationException;
 * - otherwise every constraint violation is collected, depth-first in member
 *   definition order, and reported as one ValidationException message.
 *
 * Unknown members are ignored and JSON null means absent, as in Coral.
 */
import { readFileSync } from 'node:fs';

/** One member of a structure, in model order. */
export interface GeneratedMember {
  name: string;
  shape: string;
}

/** A shape reduced to what validation needs; list/map targets are shape names. */
export interface ShapeModel {
  type: string;
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

/** Layout of src/protocol/generated/sagemaker-shapes.json. */
export interface GeneratedShapes {
  _generated: string;
  /** operation name -> input shape name */
  operations: Record<string, string>;
  shapes: Record<string, ShapeModel>;
}

export type InputProblem =
  | { kind: 'serialization'; message: string } // wrong JSON type for a member: AWS answers SerializationException
  | { kind: 'validation'; message: string }; // constraint failures: AWS answers ValidationException

let loaded: GeneratedShapes | undefined;

/** Loads the generated shapes lazily (importing this module never throws). */
function model(): GeneratedShapes {
  // Read relative to this module: the build copies generated/*.json next to the compiled file.
  loaded ??= JSON.parse(
    readFileSync(new URL('./generated/sagemaker-shapes.json', import.meta.url), 'utf8'),
  ) as GeneratedShapes;
  return loaded;
}

export function hasOperation(operation: string): boolean {
  return Object.hasOwn(model().operations, operation);
}

/** Returns undefined when the input is acceptable (or the operation is not modelled). */
export function validateInput(operation: string, input: unknown): InputProblem | undefined {
  const shapes = model();
  const inputShape = shapes.operations[operation];
  if (!Object.hasOwn(shapes.operations, operation) || !inputShape) {return undefined;}
  const errors: string[] = [];
  try {
    // An empty body is an empty structure.
    check(shapes, inputShape, input ?? {}, '', errors);
  } catch (e) {
    if (e instanceof SerializationProblem) {return { kind: 'serialization', message: e.message };}
    throw e;
  }
  if (errors.length === 0) {return undefined;}
  // Coral lists every violation, joined by '; ', behind a counted prefix.
  const prefix = errors.length === 1 ? '1 validation error detected: ' : `${errors.length} validation errors detected: `;
  return { kind: 'validation', message: prefix + errors.join('; ') };
}

/** Every pattern reachable from the modelled operations (for tests). */
export function reachablePatterns(): string[] {
  const set = new Set<string>();
  for (const s of Object.values(model().shapes)) {if (s.pattern !== undefined) {set.add(s.pattern);}}
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

/**
 * Validates value (never null/undefined here) against shapeName at path: throws
 * SerializationProblem on a JSON type mismatch, pushes constraint messages to errors.
 */
function check(shapes: GeneratedShapes, shapeName: string, value: unknown, path: string, errors: string[]): void {
  const shape = shapes.shapes[shapeName];
  if (!shape) {return;} // cannot happen with a generated file; be lenient rather than crash a request
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

  switch (shape.type) {
    case 'structure': {
      if (!isObject(value)) {throw mismatch('structure', value, path);}
      const required = new Set(shape.required ?? []);
      for (const m of shape.members ?? []) {
        const p = join(path, lowerCamel(m.name));
        const v = Object.hasOwn(value, m.name) ? value[m.name] : undefined;
        if (v === null || v === undefined) {
          if (required.has(m.name)) {notNull(p);}
        } else {
          check(shapes, m.shape, v, p, errors);
        }
      }
      return;
    }
    case 'list': {
      if (!Array.isArray(value)) {throw mismatch('list', value, path);}
      range(value.length, 'length');
      value.forEach((item, i) => {
        const p = `${path}.${i + 1}.member`; // Coral's 1-based list element path
        if (item === null || item === undefined) {notNull(p);}
        else {check(shapes, shape.member ?? '', item, p, errors);}
      });
      return;
    }
    case 'map': {
      if (!isObject(value)) {throw mismatch('map', value, path);}
      const entries = Object.entries(value);
      range(entries.length, 'length');
      for (const [k, v] of entries) {
        if (shape.key) {check(shapes, shape.key, k, `${path}.key`, errors);}
        const p = `${path}.${k}`;
        if (v === null || v === undefined) {notNull(p);}
        else {check(shapes, shape.value ?? '', v, p, errors);}
      }
      return;
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
      return;
    }
    case 'integer':
    case 'long': {
      if (typeof value !== 'number') {throw mismatch(shape.type, value, path);}
      const limit = shape.type === 'integer' ? 2 ** 31 : 2 ** 53;
      if (!Number.isInteger(value)) {throw mismatch(shape.type, value, path, ` (${value} is not an integral value)`);}
      if (value >= limit || value < -limit) {throw mismatch(shape.type, value, path, ` (${value} is out of range)`);}
      range(value, 'value');
      return;
    }
    case 'float':
    case 'double': {
      if (typeof value !== 'number' || !Number.isFinite(value)) {throw mismatch(shape.type, value, path);}
      range(value, 'value');
      return;
    }
    case 'boolean':
      if (typeof value !== 'boolean') {throw mismatch('boolean', value, path);}
      return;
    case 'timestamp':
      // AWS JSON accepts epoch seconds (possibly fractional); ISO-8601 strings are accepted too.
      if (typeof value === 'number' && Number.isFinite(value)) {return;}
      if (typeof value === 'string' && ISO_8601.test(value) && !Number.isNaN(Date.parse(value))) {return;}
      throw mismatch('timestamp', value, path, typeof value === 'string' ? ' (not epoch seconds or ISO-8601)' : '');
    case 'blob':
      if (typeof value !== 'string' || !BASE64.test(value)) {throw mismatch('blob', value, path);}
      range(Buffer.from(value, 'base64').length, 'length');
      return;
    default:
      return; // a type this validator does not know: accept rather than reject valid requests
  }
}

/** Renders the offending value like Coral: quoted scalars, Java-toString-ish containers. */
function render(value: unknown): string {
  if (value === null || value === undefined) {return 'null';}
  if (typeof value !== 'object') {return `'${String(value)}'`;}
  const text = inner(value);
  return `'${text.length > 100 ? `${text.slice(0, 100)}...` : text}'`;
}

function inner(v: unknown): string {
  if (Array.isArray(v)) {return `[${v.map(inner).join(', ')}]`;}
  if (isObject(v)) {
    const parts = Object.entries(v).filter(([, x]) => x !== null && x !== undefined).map(([k, x]) => `${k}=${inner(x)}`);
    return `{${parts.join(', ')}}`;
  }
  return String(v);
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
