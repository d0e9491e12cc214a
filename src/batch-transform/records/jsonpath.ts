import { DataProcessingError } from './errors.js';
import type { IndexItem, JsonPath, Step } from './jsonpath-parse.js';

export { JsonPathError, parseJsonPath, type JsonPath } from './jsonpath-parse.js';

/**
 * The guide's CSV example: "The colon (:) tells SageMaker to include all of the
 * elements between two values, inclusive. For example, $[1:4] specifies the second
 * through fifth columns", and "[:5] … from the first column (index 0) through the
 * sixth column". So a slice's end is inclusive here, unlike Jayway JsonPath's.
 */
const SLICE_END_INCLUSIVE = true;

/**
 * Whether the path names one value (Jayway JsonPath's "definite" path, which the
 * guide points to): only single names and single indexes, and a bracket of several
 * names as the last step, which merges them into one object, so
 * `$['id','SageMakerOutput']` gives `{ id, SageMakerOutput }`. A definite path
 * selects that value; any other (`*`, a slice, several indexes) selects a list.
 */
export function isDefinite(path: JsonPath): boolean {
  const last = path.steps.length - 1;
  return path.steps.every(
    (s, i) => (s.kind === 'names' && (s.names.length === 1 || i === last)) || (s.kind === 'indexes' && s.items.length === 1 && 'index' in s.items[0]),
  );
}

/**
 * What the path selects in `value` (parsed JSON, or a CSV row as an array of column
 * strings). A definite path that meets a missing member or the wrong kind of value
 * throws DataProcessingError; an indefinite one skips it, as Jayway does. An index
 * or an explicit slice bound outside the array always throws: the API reference
 * (DataProcessing.OutputFilter) says "If you specify indexes that aren't within the
 * dimension size of the joined dataset, you get an error."
 */
export function selectJsonPath(value: unknown, path: JsonPath): unknown {
  const definite = isDefinite(path);
  let nodes: unknown[] = [value];
  path.steps.forEach((step, i) => {
    const at: StepContext = { path: path.text, definite, leaf: i === path.steps.length - 1 };
    nodes = nodes.flatMap((node) => applyStep(step, node, at));
  });
  return definite ? nodes[0] : nodes;
}

interface StepContext {
  path: string;
  definite: boolean;
  leaf: boolean;
}

function applyStep(step: Step, node: unknown, at: StepContext): unknown[] {
  const fail = (why: string): never => {
    throw new DataProcessingError(`${at.path}: ${why}.`);
  };
  if (step.kind === 'wildcard') {
    return Array.isArray(node) ? node : isObject(node) ? Object.values(node) : [];
  }
  if (step.kind === 'names') {
    if (!isObject(node)) {
      return at.definite ? fail(`cannot take ${step.names.map((n) => `'${n}'`).join(', ')} from ${describe(node)}`) : [];
    }
    const present = step.names.filter((n) => Object.hasOwn(node, n));
    const missing = step.names.find((n) => !Object.hasOwn(node, n));
    if (missing !== undefined && at.definite) {
      fail(`the record has no member '${missing}'`);
    }
    if (step.names.length > 1 && at.leaf) {
      return [Object.fromEntries(present.map((n) => [n, node[n]]))];
    }
    return present.map((n) => node[n]);
  }
  if (!Array.isArray(node)) {
    return at.definite ? fail(`cannot index ${describe(node)}`) : [];
  }
  return step.items.flatMap((item) => selectItem(node, item, fail));
}

function selectItem(array: unknown[], item: IndexItem, fail: (why: string) => never): unknown[] {
  const len = array.length;
  const resolve = (n: number) => (n < 0 ? len + n : n);
  const outside = (n: number) => fail(`index ${n} is outside the ${len} element${len === 1 ? '' : 's'} of the array`);
  if ('index' in item) {
    const i = resolve(item.index);
    return i >= 0 && i < len ? [array[i]] : outside(item.index);
  }
  const start = item.start === undefined ? 0 : resolve(item.start);
  if (item.start !== undefined && (start < 0 || start >= len)) {
    outside(item.start);
  }
  let stop = len; // exclusive
  if (item.end !== undefined) {
    const end = resolve(item.end);
    const max = SLICE_END_INCLUSIVE ? len - 1 : len;
    if (end < 0 || end > max) {
      outside(item.end);
    }
    stop = SLICE_END_INCLUSIVE ? end + 1 : end;
  }
  return array.slice(start, Math.max(start, stop));
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function describe(v: unknown): string {
  return v === null ? 'null' : Array.isArray(v) ? 'an array' : typeof v === 'object' ? 'an object' : `a ${typeof v}`;
}
