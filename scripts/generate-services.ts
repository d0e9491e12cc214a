/**
 * The services whose wire data is generated from botocore's models (aws-models/),
 * and what every generator shares: the repository root, reading a model, and
 * walking the shapes an operation list reaches.
 *
 * Serving another AWS JSON service is one entry in WIRE_SERVICES; `npm run
 * generate` then writes its <service>-shapes.json (validation) and
 * <service>-types.ts (handler types), and the drift test checks them.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface WireService {
  /** Lower-case name: the generated files are src/protocol/generated/<service>-{shapes.json,types.ts}. */
  service: string;
  /** botocore's service-2.json, relative to the repository root. */
  model: string;
  /** The operations the emulator serves; only shapes they reach are generated. */
  operations: readonly string[];
  /**
   * Also keep the output shapes in <service>-shapes.json: a service served in a
   * protocol other than AWS JSON (CloudWatch's CBOR and query) needs them to
   * write timestamps and lists as that protocol does.
   */
  outputShapes?: boolean;
}

/** The SageMaker control-plane operations the emulator implements. */
export const SAGEMAKER_OPERATIONS: readonly string[] = [
  'CreateModel',
  'DescribeModel',
  'ListModels',
  'DeleteModel',
  'CreateEndpointConfig',
  'DescribeEndpointConfig',
  'ListEndpointConfigs',
  'DeleteEndpointConfig',
  'CreateEndpoint',
  'DescribeEndpoint',
  'ListEndpoints',
  'DeleteEndpoint',
  'UpdateEndpoint',
  'UpdateEndpointWeightsAndCapacities',
  'AddTags',
  'ListTags',
  'DeleteTags',
  'CreateTransformJob',
  'DescribeTransformJob',
  'ListTransformJobs',
  'StopTransformJob',
  'CreateInferenceRecommendationsJob',
  'DescribeInferenceRecommendationsJob',
  'ListInferenceRecommendationsJobs',
  'ListInferenceRecommendationsJobSteps',
  'StopInferenceRecommendationsJob',
];

/** Application Auto Scaling: every operation of the API (src/autoscaling/). */
export const AUTOSCALING_OPERATIONS: readonly string[] = [
  'RegisterScalableTarget',
  'DeregisterScalableTarget',
  'DescribeScalableTargets',
  'PutScalingPolicy',
  'DeleteScalingPolicy',
  'DescribeScalingPolicies',
  'DescribeScalingActivities',
  'PutScheduledAction',
  'DeleteScheduledAction',
  'DescribeScheduledActions',
  'TagResource',
  'UntagResource',
  'ListTagsForResource',
];

/** CloudWatch: the read side over the emulator's metrics, metric alarms, and PutMetricData for custom metrics (src/cloudwatch/). */
export const CLOUDWATCH_OPERATIONS: readonly string[] = [
  'GetMetricData',
  'GetMetricStatistics',
  'ListMetrics',
  'PutMetricData',
  'PutMetricAlarm',
  'DescribeAlarms',
  'DescribeAlarmsForMetric',
  'DeleteAlarms',
  'SetAlarmState',
  'EnableAlarmActions',
  'DisableAlarmActions',
  'TagResource',
  'UntagResource',
  'ListTagsForResource',
];

export const WIRE_SERVICES: readonly WireService[] = [
  { service: 'sagemaker', model: 'aws-models/sagemaker/2017-07-24/service-2.json', operations: SAGEMAKER_OPERATIONS },
  {
    service: 'application-autoscaling',
    model: 'aws-models/application-autoscaling/2016-02-06/service-2.json',
    operations: AUTOSCALING_OPERATIONS,
  },
  {
    service: 'cloudwatch',
    model: 'aws-models/cloudwatch/2010-08-01/service-2.json',
    operations: CLOUDWATCH_OPERATIONS,
    outputShapes: true,
  },
];

export const GENERATED_DIR = 'src/protocol/generated';

export function wireService(service: string): WireService {
  const entry = WIRE_SERVICES.find((s) => s.service === service);
  if (!entry) {throw new Error(`generate: no service ${service} in WIRE_SERVICES`);}
  return entry;
}

/** Repository root: the nearest ancestor holding tsconfig.json (works from scripts/ and dist/scripts/). */
export function repoRoot(): string {
  let dir = dirname(fileURLToPath(import.meta.url));
  while (!existsSync(join(dir, 'tsconfig.json'))) {
    const parent = dirname(dir);
    if (parent === dir) {throw new Error('generate: cannot find the repository root (no tsconfig.json above)');}
    dir = parent;
  }
  return dir;
}

// Minimal view of botocore's JSON model: only what the generators read.
export interface BotocoreRef { shape: string }
export interface BotocoreShape {
  type: string;
  members?: Record<string, BotocoreRef>;
  required?: string[];
  member?: BotocoreRef;
  key?: BotocoreRef;
  value?: BotocoreRef;
  min?: number;
  max?: number;
  pattern?: string;
  enum?: string[];
  document?: boolean;
}
export interface BotocoreModel {
  metadata: { apiVersion: string; serviceId: string; targetPrefix?: string };
  operations: Record<string, { input?: BotocoreRef; output?: BotocoreRef }>;
  shapes: Record<string, BotocoreShape>;
}

/** Checks the parts of a parsed model the generators rely on; throws when it is not a botocore model. */
export function asBotocoreModel(model: unknown, what = 'input'): BotocoreModel {
  const m = model as Partial<BotocoreModel> | null;
  if (!m || typeof m !== 'object' || !m.operations || !m.shapes || !m.metadata?.apiVersion || !m.metadata.serviceId) {
    throw new Error(`generate: ${what} is not a botocore service model`);
  }
  return m as BotocoreModel;
}

/** Reads a service's model; a missing file throws (the drift test must fail, never skip). */
export function readModel(entry: WireService, root: string = repoRoot()): BotocoreModel {
  const path = join(root, entry.model);
  if (!existsSync(path)) {throw new Error(`generate: the botocore model of ${entry.service} is missing: ${path}`);}
  return asBotocoreModel(JSON.parse(readFileSync(path, 'utf8')), path);
}

/** The shapes a shape refers to directly: structure members, list member, map key and value. */
export function shapeRefs(s: BotocoreShape): string[] {
  const refs = Object.values(s.members ?? {}).map((r) => r.shape);
  for (const r of [s.member, s.key, s.value]) {if (r) {refs.push(r.shape);}}
  return refs;
}

/** The input (or output) shape of an operation; throws when the model lacks the operation. */
export function operationShape(m: BotocoreModel, operation: string, side: 'input' | 'output'): string | undefined {
  if (!Object.hasOwn(m.operations, operation)) {throw new Error(`generate: operation ${operation} is missing from the model`);}
  return m.operations[operation]![side]?.shape;
}

/** Every shape reachable from roots, in visiting order; throws on a reference to an undefined shape. */
export function reachableShapes(m: BotocoreModel, roots: readonly string[]): string[] {
  const seen = new Set<string>();
  const pending = [...roots].reverse();
  // Iterative, so a deeply recursive model cannot overflow the generator's stack.
  while (pending.length > 0) {
    const name = pending.pop()!;
    if (seen.has(name)) {continue;}
    if (!Object.hasOwn(m.shapes, name)) {throw new Error(`generate: shape ${name} is referenced but not defined`);}
    seen.add(name);
    pending.push(...shapeRefs(m.shapes[name]!).reverse());
  }
  return [...seen];
}

/** Recursively sorts object keys (arrays keep their order) so output is deterministic. */
export function sortKeys(value: unknown): unknown {
  if (Array.isArray(value)) {return value.map(sortKeys);}
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {out[k] = sortKeys((value as Record<string, unknown>)[k]);}
    return out;
  }
  return value;
}
