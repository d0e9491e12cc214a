/**
 * CloudWatch metric math, parsed (using-metric-math.html, "Metric math syntax
 * and functions"): numbers, query ids, `+ - * / ^`, parentheses, function
 * calls and `[a, b]` arrays, with strings as arguments (`METRICS("errors")`).
 *
 * A hand-written recursive descent: the grammar is a dozen lines, and the
 * maintained expression libraries (mathjs, expr-eval) bring their own
 * functions, variables and number semantics, each of which would have to be
 * switched off to keep CloudWatch's — more code than this file, and a
 * dependency for it.
 */

export type MathNode =
  | { t: 'number'; value: number }
  | { t: 'string'; value: string }
  | { t: 'id'; name: string }
  | { t: 'negate'; operand: MathNode }
  | { t: 'binary'; op: '+' | '-' | '*' | '/' | '^'; left: MathNode; right: MathNode }
  | { t: 'call'; fn: string; args: MathNode[] }
  | { t: 'array'; items: MathNode[] };

/** A problem with an expression; the caller names the expression in the wire error. */
export class MathError extends Error {}

type Token =
  | { k: 'number'; value: number; at: number }
  | { k: 'string'; value: string; at: number }
  | { k: 'name'; value: string; at: number }
  | { k: 'punct'; value: string; at: number }
  | { k: 'end'; at: number };

const NAME = /[A-Za-z_][A-Za-z0-9_]*/y;
const NUMBER = /(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/y;
const STRING = /"([^"\\]*)"/y;
const PUNCT = '+-*/^(),[]';
/** The model's bound on MetricExpression. */
const MAX_EXPRESSION = 2048;

function tokenize(text: string): Token[] {
  const tokens: Token[] = [];
  if (text.length > MAX_EXPRESSION) {
    throw new MathError(`The expression is longer than ${MAX_EXPRESSION} characters.`);
  }
  let at = 0;
  while (at < text.length) {
    const c = text[at]!;
    if (/\s/.test(c)) {
      at++;
      continue;
    }
    const m = [NUMBER, NAME, STRING].map((re) => ((re.lastIndex = at), re.exec(text)));
    if (m[0]) {
      tokens.push({ k: 'number', value: Number(m[0][0]), at });
      at += m[0][0].length;
    } else if (m[1]) {
      tokens.push({ k: 'name', value: m[1][0], at });
      at += m[1][0].length;
    } else if (m[2]) {
      tokens.push({ k: 'string', value: m[2][1]!, at });
      at += m[2][0].length;
    } else if (PUNCT.includes(c)) {
      tokens.push({ k: 'punct', value: c, at });
      at++;
    } else {
      throw new MathError(`Unrecognized character '${c}' at position ${at + 1}.`);
    }
  }
  tokens.push({ k: 'end', at });
  return tokens;
}

/** Parses an expression; throws MathError with a position when it is malformed. */
export function parseExpression(text: string): MathNode {
  const tokens = tokenize(text);
  let i = 0;
  let depth = 0;
  const peek = () => tokens[i]!;
  const isPunct = (v: string) => peek().k === 'punct' && (peek() as { value: string }).value === v;
  const describe = (t: Token) => (t.k === 'end' ? 'end of expression' : `'${String(t.value)}' at position ${t.at + 1}`);
  const expect = (v: string) => {
    if (!isPunct(v)) {
      throw new MathError(`Expected '${v}' but found ${describe(peek())}.`);
    }
    i++;
  };

  const sum = (): MathNode => {
    let left = product();
    while (isPunct('+') || isPunct('-')) {
      const op = (tokens[i++] as { value: '+' | '-' }).value;
      left = { t: 'binary', op, left, right: product() };
    }
    return left;
  };
  const product = (): MathNode => {
    let left = unary();
    while (isPunct('*') || isPunct('/')) {
      const op = (tokens[i++] as { value: '*' | '/' }).value;
      left = { t: 'binary', op, left, right: unary() };
    }
    return left;
  };
  const unary = (): MathNode => {
    if (isPunct('-')) {
      i++;
      return { t: 'negate', operand: unary() };
    }
    if (isPunct('+')) {
      i++;
      return unary();
    }
    const base = primary();
    if (isPunct('^')) {
      i++;
      return { t: 'binary', op: '^', left: base, right: unary() };
    }
    return base;
  };
  const list = (close: string): MathNode[] => {
    const items: MathNode[] = [];
    if (!isPunct(close)) {
      items.push(nested());
      while (isPunct(',')) {
        i++;
        items.push(nested());
      }
    }
    expect(close);
    return items;
  };
  // Nesting is bounded so that a hostile expression cannot exhaust the stack.
  const nested = (): MathNode => {
    if (++depth > 100) {
      throw new MathError('The expression is nested too deeply.');
    }
    const node = sum();
    depth--;
    return node;
  };
  const primary = (): MathNode => {
    const t = peek();
    if (t.k === 'number') {
      i++;
      return { t: 'number', value: t.value };
    }
    if (t.k === 'string') {
      i++;
      return { t: 'string', value: t.value };
    }
    if (t.k === 'name') {
      i++;
      if (isPunct('(')) {
        i++;
        return { t: 'call', fn: t.value, args: list(')') };
      }
      return { t: 'id', name: t.value };
    }
    if (isPunct('(')) {
      i++;
      const inner = nested();
      expect(')');
      return inner;
    }
    if (isPunct('[')) {
      i++;
      return { t: 'array', items: list(']') };
    }
    throw new MathError(`Unexpected ${describe(t)}.`);
  };

  const node = nested();
  if (peek().k !== 'end') {
    throw new MathError(`Unexpected ${describe(peek())}.`);
  }
  return node;
}

/** The ids an expression refers to (for the dependency check). */
export function referencedIds(node: MathNode, out: Set<string> = new Set()): Set<string> {
  switch (node.t) {
    case 'id':
      out.add(node.name);
      break;
    case 'negate':
      referencedIds(node.operand, out);
      break;
    case 'binary':
      referencedIds(node.left, out);
      referencedIds(node.right, out);
      break;
    case 'call':
    case 'array':
      (node.t === 'call' ? node.args : node.items).forEach((n) => referencedIds(n, out));
      break;
    default:
      break;
  }
  return out;
}
