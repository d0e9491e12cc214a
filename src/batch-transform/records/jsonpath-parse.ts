/**
 * SageMaker's JSONPath subset, as the guide's table lists it ("Associate Prediction
 * Results with Input Records", Supported JSONPath Operators,
 * https://docs.aws.amazon.com/sagemaker/latest/dg/batch-transform-data-processing.html#data-processing-operators):
 * `$` (required first), `.<name>`, `*`, `['<name>' (,'<name>')]`, `[<number> (,<number>)]`
 * with negative indexes, and `[<start>:<end>]` with either end omitted. The API
 * reference's own example `$[0,5:]` mixes an index and a slice in one bracket, so
 * a bracket holds a list of indexes and slices. Everything else (`..`, filters
 * `[?()]`, scripts, functions, slice steps) is refused with a JsonPathError saying so.
 */
export class JsonPathError extends Error {
  override name = this.constructor.name;
}

export type IndexItem = { index: number } | { start?: number; end?: number };

export type Step = { kind: 'names'; names: string[] } | { kind: 'wildcard' } | { kind: 'indexes'; items: IndexItem[] };

/** A parsed path; `text` is the expression as written, for messages. */
export interface JsonPath {
  readonly text: string;
  readonly steps: readonly Step[];
}

const NAME = /^[^.[\]\s'"()*?@,:]+/;
const INDEX = /^-?\d+$/;
const SLICE = /^(-?\d+)?:(-?\d+)?$/;

/** `label` names the expression in messages: 'InputFilter', 'OutputFilter'. */
export function parseJsonPath(expr: string, label = 'JSONPath'): JsonPath {
  const fail = (why: string): never => {
    throw new JsonPathError(`Invalid ${label} '${expr}': ${why}.`);
  };
  if (!expr.startsWith('$')) {
    fail("a path starts with '$', the root of the record");
  }
  const steps: Step[] = [];
  let i = 1;
  while (i < expr.length) {
    const c = expr[i];
    if (c === '.') {
      if (expr[i + 1] === '.') {
        fail("recursive descent '..' is not among the operators SageMaker supports");
      }
      i++;
      if (expr[i] === '*') {
        steps.push({ kind: 'wildcard' });
        i++;
      } else if (expr[i] !== '[') {
        // '.[' is allowed: the guide's own example is $.field1.['child1','child2']
        const name = NAME.exec(expr.slice(i))?.[0] ?? fail(`a name must follow the '.' at position ${i}`);
        i += name.length;
        if (expr[i] === '(') {
          fail(`functions such as ${name}() are not supported`);
        }
        steps.push({ kind: 'names', names: [name] });
      }
    } else if (c === '[') {
      const close = closingBracket(expr, i) ?? fail(`the '[' at position ${i} is not closed`);
      steps.push(parseBracket(expr.slice(i + 1, close).trim(), fail));
      i = close + 1;
    } else {
      fail(`unexpected '${c}' at position ${i}`);
    }
  }
  return { text: expr, steps };
}

/** The index of the ']' closing the bracket at `open`, skipping quoted names. */
function closingBracket(expr: string, open: number): number | undefined {
  let quote: string | undefined;
  for (let i = open + 1; i < expr.length; i++) {
    const c = expr[i];
    if (quote) {
      if (c === '\\') {
        i++;
      } else if (c === quote) {
        quote = undefined;
      }
    } else if (c === "'" || c === '"') {
      quote = c;
    } else if (c === ']') {
      return i;
    }
  }
  return undefined;
}

function parseBracket(inner: string, fail: (why: string) => never): Step {
  if (inner === '*') {
    return { kind: 'wildcard' };
  }
  if (inner.startsWith('?')) {
    return fail('filter expressions [?(...)] are not supported');
  }
  if (inner.startsWith('(')) {
    return fail('script expressions [(...)] are not supported');
  }
  if (inner === '') {
    return fail('empty brackets []');
  }
  if (inner.startsWith("'") || inner.startsWith('"')) {
    return { kind: 'names', names: parseNames(inner, fail) };
  }
  const items = inner.split(',').map((raw): IndexItem => {
    const item = raw.trim();
    if (INDEX.test(item)) {
      return { index: Number(item) };
    }
    const slice = SLICE.exec(item);
    if (slice) {
      return { start: slice[1] === undefined ? undefined : Number(slice[1]), end: slice[2] === undefined ? undefined : Number(slice[2]) };
    }
    if (item.split(':').length > 2) {
      return fail(`slice steps such as [${item}] are not supported`);
    }
    return fail(`[${inner}] is neither quoted names nor indexes and slices`);
  });
  return { kind: 'indexes', items };
}

/** `'a'`, `'a', "b"`; a backslash escapes the next character. */
function parseNames(inner: string, fail: (why: string) => never): string[] {
  const names: string[] = [];
  let i = 0;
  for (;;) {
    const quote = inner[i];
    if (quote !== "'" && quote !== '"') {
      return fail(`expected a quoted name in [${inner}]`);
    }
    let name = '';
    for (i++; i < inner.length && inner[i] !== quote; i++) {
      name += inner[i] === '\\' ? inner[++i] : inner[i];
    }
    if (name.includes('.')) {
      // The guide: "$.field1.['child1','child2.grandchild'] is not" supported.
      fail(`'${name}': nested children inside brackets are not supported`);
    }
    names.push(name);
    i++;
    while (inner[i] === ' ') {
      i++;
    }
    if (i >= inner.length) {
      return names;
    }
    if (inner[i] !== ',') {
      return fail(`expected ',' between the names in [${inner}]`);
    }
    i++;
    while (inner[i] === ' ') {
      i++;
    }
  }
}
