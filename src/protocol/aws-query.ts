/**
 * awsQuery requests (https://smithy.io/2.0/aws/protocols/aws-query-protocol.html):
 * `Action=<Op>&Version=<api version>&…` in a form body (or a GET query
 * string), members flattened into dotted names:
 *
 *   Dimensions.member.1.Name=EndpointName            (lists: `member.N`, 1-based)
 *   MetricDataQueries.member.1.MetricStat.Period=60  (structures: member names)
 *   Entity.KeyAttributes.entry.1.key=Type            (maps: `entry.N.key` / `entry.N.value`)
 *   Statistics=                                      (an empty list)
 *
 * This module turns them back into the JSON-form input the shape validator
 * checks, walking the input shape: numbers and booleans by their shape's
 * type, timestamps from ISO-8601 to epoch seconds. It assumes the model has
 * no `locationName`/`flattened` traits, true of CloudWatch's (checked by
 * test/unit/cloudwatch-protocols.test.ts). Names the shape does not model are
 * ignored, as the validator ignores unknown JSON members.
 */
import { AwsError } from './aws-error.js';
import { MAX_DEPTH, serviceShapes, type GeneratedShapes, type ServiceName } from './shape-validator.js';
import { serializationException } from './wire-errors.js';

/** One dotted name's segment: a value where the name ends, children where it goes on. */
interface ParamNode {
  value?: string;
  children: Map<string, ParamNode>;
}

/** The parameters of a query request: the URL's query string, then the form body (the body wins). */
export function queryParams(url: string, formBody: string): Map<string, string> {
  const q = url.indexOf('?');
  const params = new Map<string, string>(q < 0 ? [] : new URLSearchParams(url.slice(q + 1)));
  for (const [k, v] of new URLSearchParams(formBody)) {
    params.set(k, v);
  }
  return params;
}

/** The JSON-form input of `operation` from the request's parameters (Action, Version and auth parameters are not modelled, so ignored). */
export function queryInput(service: ServiceName, operation: string, params: ReadonlyMap<string, string>): Record<string, unknown> {
  const shapes = serviceShapes(service);
  if (!Object.hasOwn(shapes.operations, operation)) {
    return {};
  }
  const root: ParamNode = { children: new Map() };
  for (const [name, value] of params) {
    let node = root;
    for (const segment of name.split('.')) {
      let child = node.children.get(segment);
      if (!child) {
        child = { children: new Map() };
        node.children.set(segment, child);
      }
      node = child;
    }
    node.value = value;
  }
  const input = read(shapes, shapes.operations[operation]!, root, '', 1);
  return isRecord(input) ? input : {};
}

/**
 * CloudWatch's answer to a value its query parser cannot read: `MalformedInput`,
 * HTTP 400. The timestamp text is real ("timestamp must follow ISO8601",
 * https://github.com/brendanhay/amazonka/issues/495,
 * https://github.com/aws/aws-sdk-go/issues/3506); the others are NOT VERIFIED.
 */
export const malformedInput = (message: string) => new AwsError('MalformedInput', message);

function read(shapes: GeneratedShapes, shapeName: string, node: ParamNode, path: string, depth: number): unknown {
  const shape = Object.hasOwn(shapes.shapes, shapeName) ? shapes.shapes[shapeName]! : undefined;
  if (!shape) {
    return undefined;
  }
  if (depth > MAX_DEPTH) {
    throw serializationException(`Input nesting depth exceeds the maximum allowed (${MAX_DEPTH}) at '${path}'`);
  }
  const dot = (part: string): string => (path ? `${path}.${part}` : part);
  switch (shape.type) {
    case 'structure': {
      const out: Record<string, unknown> = {};
      for (const m of shape.members ?? []) {
        const child = node.children.get(m.name);
        const v = child ? read(shapes, m.shape, child, dot(m.name), depth + 1) : undefined;
        if (v !== undefined) {
          out[m.name] = v;
        }
      }
      return out;
    }
    case 'list': {
      const members = node.children.get('member');
      if (!members) {
        return node.value === '' ? [] : undefined; // `Statistics=` is how clients send an empty list
      }
      return indexed(members).map(([i, item]) => read(shapes, shape.member ?? '', item, dot(`member.${i}`), depth + 1));
    }
    case 'map': {
      const entries = node.children.get('entry');
      if (!entries) {
        return node.value === '' ? {} : undefined;
      }
      const out: [string, unknown][] = [];
      for (const [i, entry] of indexed(entries)) {
        const key = entry.children.get('key')?.value;
        const value = entry.children.get('value');
        if (key !== undefined && value) {
          out.push([key, read(shapes, shape.value ?? '', value, dot(`entry.${i}.value`), depth + 1)]);
        }
      }
      return Object.fromEntries(out);
    }
    default:
      return node.value === undefined ? undefined : scalar(shape.type, node.value, path);
  }
}

/** `member.N` / `entry.N` children in index order; names that are not positive integers are ignored. */
function indexed(node: ParamNode): [number, ParamNode][] {
  return [...node.children]
    .filter(([k]) => /^[1-9]\d{0,8}$/.test(k))
    .map(([k, v]): [number, ParamNode] => [Number(k), v])
    .sort((a, b) => a[0] - b[0]);
}

const INTEGER = /^[+-]?\d+$/;
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$|^(?:NaN|[+-]?Infinity)$/;
// ISO-8601 with at most 6 fractional digits: CloudWatch refuses nanoseconds (amazonka#495 above).
const ISO_8601 = /^\d{4}-\d{2}-\d{2}(?:[Tt ]\d{2}:\d{2}(?::\d{2}(?:\.\d{1,6})?)?([Zz]|[+-]\d{2}:?\d{2})?)?$/;

function scalar(type: string, text: string, path: string): unknown {
  switch (type) {
    case 'integer':
    case 'long':
      if (!INTEGER.test(text)) {
        throw malformedInput(`Invalid value "${text}" for parameter ${path}: expected an integer.`); // NOT VERIFIED
      }
      return Number(text);
    case 'float':
    case 'double':
      if (!DECIMAL.test(text)) {
        throw malformedInput(`Invalid value "${text}" for parameter ${path}: expected a number.`); // NOT VERIFIED
      }
      return Number(text);
    case 'boolean': {
      const lower = text.toLowerCase();
      if (lower !== 'true' && lower !== 'false') {
        throw malformedInput(`Invalid value "${text}" for parameter ${path}: expected true or false.`); // NOT VERIFIED
      }
      return lower === 'true';
    }
    case 'timestamp': {
      const m = ISO_8601.exec(text);
      // A date-time without a zone is UTC here; JavaScript would read it as local time.
      const ms = m ? Date.parse(m[1] === undefined && text.length > 10 ? `${text}Z` : text) : Number.NaN;
      if (Number.isNaN(ms)) {
        throw malformedInput('timestamp must follow ISO8601');
      }
      return ms / 1000;
    }
    default:
      return text; // strings, enums, base64 blobs: the validator checks them
  }
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
