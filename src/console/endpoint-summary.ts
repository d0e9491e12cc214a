import { isMultiModel } from '../control-plane/multi-model-rules.js';
import type { EndpointRecord, EndpointStatus, ServerlessSpec } from '../store/records.js';
import type { ConsoleDeps } from './console-context.js';
import { lastMinuteSum } from './endpoint-metrics.js';

/**
 * One endpoint as the console lists it: the stored record (what
 * DescribeEndpoint answers), its type, and per variant the capacity, the
 * last minute's traffic from the CloudWatch metric store and the cost so far
 * from the Prometheus counter. Plain data: the views render it.
 */

/** How the endpoint serves, from its config and models (the AWS console's "type"). */
export type EndpointType = 'provisioned' | 'serverless' | 'async' | 'multi-model';

export interface VariantSummary {
  name: string;
  currentWeight: number;
  desiredWeight: number;
  /** Provisioned variants: the config's instance type, and the counts DescribeEndpoint shows. */
  instanceType?: string;
  currentInstanceCount?: number;
  desiredInstanceCount?: number;
  /** Serverless variants: as running, and as asked for when an update changes it. */
  serverless?: ServerlessSpec;
  desiredServerless?: ServerlessSpec;
  invocationsPerMinute: number;
  errorsPerMinute: number;
  costUsd: number;
}

export interface EndpointSummary {
  region: string;
  name: string;
  arn: string;
  status: EndpointStatus;
  failureReason?: string;
  type: EndpointType;
  configName: string;
  creationTime: number;
  lastModifiedTime: number;
  variants: VariantSummary[];
  costUsd: number;
}

/** Cost so far by endpoint and variant (the counter has no region: same-named endpoints of two regions share it). */
export type Costs = ReadonlyMap<string, number>;

const costKey = (endpoint: string, variant: string) => `${endpoint}\n${variant}`;

export async function readCosts(deps: ConsoleDeps): Promise<Costs> {
  const costs = new Map<string, number>();
  for (const c of await deps.metrics.estimatedCosts()) {
    costs.set(costKey(c.endpoint, c.variant), c.usd);
  }
  return costs;
}

export function endpointType(e: EndpointRecord): EndpointType {
  if (e.config.spec.AsyncInferenceConfig) {
    return 'async';
  }
  if (Object.values(e.models).some((m) => isMultiModel(m.spec))) {
    return 'multi-model';
  }
  return e.config.spec.ProductionVariants.some((v) => v.ServerlessConfig) ? 'serverless' : 'provisioned';
}

export function summarize(deps: ConsoleDeps, region: string, e: EndpointRecord, costs: Costs, now: number): EndpointSummary {
  const store = deps.cloudWatch.metrics;
  const variants = e.variants.map((v): VariantSummary => {
    const spec = e.config.spec.ProductionVariants.find((p) => p.VariantName === v.VariantName);
    const serverless = v.CurrentServerlessConfig ?? spec?.ServerlessConfig;
    const desired = v.DesiredServerlessConfig;
    return {
      name: v.VariantName,
      currentWeight: v.CurrentWeight,
      desiredWeight: v.DesiredWeight,
      ...(serverless
        ? { serverless, ...(desired && JSON.stringify(desired) !== JSON.stringify(serverless) ? { desiredServerless: desired } : {}) }
        : { instanceType: spec?.InstanceType, currentInstanceCount: v.CurrentInstanceCount, desiredInstanceCount: v.DesiredInstanceCount }),
      invocationsPerMinute: lastMinuteSum(store, 'Invocations', e.name, v.VariantName, now),
      errorsPerMinute: lastMinuteSum(store, 'InvocationModelErrors', e.name, v.VariantName, now),
      costUsd: costs.get(costKey(e.name, v.VariantName)) ?? 0,
    };
  });
  return {
    region,
    name: e.name,
    arn: e.arn,
    status: e.status,
    ...(e.failureReason ? { failureReason: e.failureReason } : {}),
    type: endpointType(e),
    configName: e.configName,
    creationTime: e.creationTime,
    lastModifiedTime: e.lastModifiedTime,
    variants,
    costUsd: variants.reduce((n, v) => n + v.costUsd, 0),
  };
}

/** Every endpoint of every region, newest first. */
export async function allEndpoints(deps: ConsoleDeps): Promise<EndpointSummary[]> {
  const costs = await readCosts(deps);
  const now = Date.now();
  return deps.store.endpoints
    .all()
    .sort((a, b) => b.doc.creationTime - a.doc.creationTime || a.doc.name.localeCompare(b.doc.name))
    .map(({ region, doc }) => summarize(deps, region, doc, costs, now));
}
