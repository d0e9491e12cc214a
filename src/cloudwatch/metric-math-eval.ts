/**
 * Evaluates parsed metric math over time series (using-metric-math.html):
 * - arithmetic is pointwise; between two series it keeps the timestamps both
 *   have (a missing point stays missing), with a scalar it applies to every point;
 * - SUM, AVG, MIN, MAX over an array of series (`[m1, m2]`, `METRICS()`) give a
 *   series, pointwise over the series that have a value there; over a single
 *   series they give a scalar (its sum, mean, …), as the functions table says;
 * - METRICS() is every MetricStat query of the request, METRICS("str") those
 *   whose Id contains "str";
 * - a point whose result is not a finite number (x/0) is left out. NOT VERIFIED:
 *   what CloudWatch shows for a division by zero.
 */
import { MathError, type MathNode } from './metric-math-parser.js';

export interface Series {
  label: string;
  /** Window start (epoch ms) → value. */
  points: Map<number, number>;
}

export type MathValue =
  | { t: 'scalar'; value: number }
  | { t: 'series'; series: Series }
  | { t: 'array'; items: Series[] }
  | { t: 'string'; value: string };

export interface MathEnv {
  /** The value of another query, by Id; throws MathError when there is none. */
  resolve(id: string): MathValue;
  /** The MetricStat queries' series whose Id contains `filter` (all without one), in request order. */
  metrics(filter?: string): Series[];
  /** The label results of this expression carry. */
  label: string;
}

type Reducer = (values: number[]) => number;
const REDUCERS: Record<string, Reducer> = {
  SUM: (v) => v.reduce((a, b) => a + b, 0),
  AVG: (v) => v.reduce((a, b) => a + b, 0) / v.length,
  MIN: (v) => Math.min(...v),
  MAX: (v) => Math.max(...v),
};
const POINTWISE: Record<string, (x: number) => number> = { ABS: Math.abs, FLOOR: Math.floor, CEIL: Math.ceil };

export function evaluate(node: MathNode, env: MathEnv): MathValue {
  switch (node.t) {
    case 'number':
      return { t: 'scalar', value: node.value };
    case 'string':
      return { t: 'string', value: node.value };
    case 'id':
      return env.resolve(node.name);
    case 'negate':
      return combine('*', { t: 'scalar', value: -1 }, evaluate(node.operand, env), env.label);
    case 'binary':
      return combine(node.op, evaluate(node.left, env), evaluate(node.right, env), env.label);
    case 'array':
      return { t: 'array', items: node.items.flatMap((n) => asSeriesList(evaluate(n, env))) };
    case 'call':
      return call(node.fn, node.args, env);
  }
}

function call(fn: string, args: MathNode[], env: MathEnv): MathValue {
  if (fn === 'METRICS') {
    if (args.length > 1) {
      throw new MathError('METRICS takes at most one argument.');
    }
    const filter = args[0] ? evaluate(args[0], env) : undefined;
    if (filter && filter.t !== 'string') {
      throw new MathError('The argument of METRICS must be a string.');
    }
    return { t: 'array', items: env.metrics(filter?.value) };
  }
  const reducer = REDUCERS[fn];
  const pointwise = POINTWISE[fn];
  if (!reducer && !pointwise) {
    throw new MathError(
      `Unknown function ${fn}: sagemaker-emulator evaluates ${[...Object.keys(REDUCERS), ...Object.keys(POINTWISE), 'METRICS'].join(', ')}.`,
    );
  }
  if (args.length !== 1) {
    throw new MathError(`${fn} takes exactly one argument.`);
  }
  const arg = evaluate(args[0]!, env);
  if (arg.t === 'string') {
    throw new MathError(`The argument of ${fn} must be a time series, an array of time series or a number.`);
  }
  if (pointwise) {
    return map(arg, pointwise, env.label);
  }
  switch (arg.t) {
    case 'scalar':
      return arg;
    case 'series':
      return { t: 'scalar', value: arg.series.points.size > 0 ? reducer!([...arg.series.points.values()]) : Number.NaN };
    case 'array':
      return { t: 'series', series: reduceArray(arg.items, reducer!, env.label) };
  }
}

function reduceArray(items: Series[], reducer: Reducer, label: string): Series {
  const byTime = new Map<number, number[]>();
  for (const s of items) {
    for (const [ts, v] of s.points) {
      const list = byTime.get(ts) ?? [];
      list.push(v);
      byTime.set(ts, list);
    }
  }
  const points = new Map<number, number>();
  for (const [ts, values] of byTime) {
    keep(points, ts, reducer(values));
  }
  return { label, points };
}

function combine(op: string, a: MathValue, b: MathValue, label: string): MathValue {
  const f = arithmetic(op);
  if (a.t === 'string' || b.t === 'string') {
    throw new MathError(`A string cannot be an operand of '${op}'.`);
  }
  if (a.t === 'array' && b.t === 'array') {
    throw new MathError(`'${op}' cannot combine two arrays of time series.`);
  }
  if (a.t === 'array') {
    return { t: 'array', items: a.items.map((s) => seriesOf(combine(op, { t: 'series', series: s }, b, s.label))) };
  }
  if (b.t === 'array') {
    return { t: 'array', items: b.items.map((s) => seriesOf(combine(op, a, { t: 'series', series: s }, s.label))) };
  }
  if (a.t === 'scalar' && b.t === 'scalar') {
    return { t: 'scalar', value: f(a.value, b.value) };
  }
  const points = new Map<number, number>();
  if (a.t === 'series' && b.t === 'series') {
    for (const [ts, x] of a.series.points) {
      const y = b.series.points.get(ts);
      if (y !== undefined) {
        keep(points, ts, f(x, y));
      }
    }
  } else if (a.t === 'series' && b.t === 'scalar') {
    a.series.points.forEach((x, ts) => keep(points, ts, f(x, b.value)));
  } else if (a.t === 'scalar' && b.t === 'series') {
    b.series.points.forEach((y, ts) => keep(points, ts, f(a.value, y)));
  }
  return { t: 'series', series: { label, points } };
}

function seriesOf(v: MathValue): Series {
  if (v.t !== 'series') {
    throw new MathError('Expected a time series.');
  }
  return v.series;
}

function map(value: Exclude<MathValue, { t: 'string' }>, f: (x: number) => number, label: string): MathValue {
  switch (value.t) {
    case 'scalar':
      return { t: 'scalar', value: f(value.value) };
    case 'series':
      return { t: 'series', series: mapSeries(value.series, f, label) };
    case 'array':
      return { t: 'array', items: value.items.map((s) => mapSeries(s, f, s.label)) };
  }
}

function mapSeries(s: Series, f: (x: number) => number, label: string): Series {
  const points = new Map<number, number>();
  s.points.forEach((x, ts) => keep(points, ts, f(x)));
  return { label, points };
}

function arithmetic(op: string): (x: number, y: number) => number {
  switch (op) {
    case '+':
      return (x, y) => x + y;
    case '-':
      return (x, y) => x - y;
    case '*':
      return (x, y) => x * y;
    case '/':
      return (x, y) => x / y;
    default:
      return (x, y) => x ** y;
  }
}

function keep(points: Map<number, number>, ts: number, v: number): void {
  if (Number.isFinite(v)) {
    points.set(ts, v);
  }
}

function asSeriesList(v: MathValue): Series[] {
  if (v.t === 'series') {
    return [v.series];
  }
  if (v.t === 'array') {
    return v.items;
  }
  throw new MathError('An array may hold only time series.');
}
