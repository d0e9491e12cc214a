import type { EnvironmentParameter, ProductionVariantServerlessConfig } from '../protocol/generated/sagemaker-types.js';
import type { RecommendationJobSpec } from './recommendation-job-record.js';

/** One endpoint configuration to benchmark. */
export interface Candidate {
  instanceType?: string;
  serverless?: ProductionVariantServerlessConfig;
  /** The model's environment for this benchmark (an Advanced job's EnvironmentParameterRanges). */
  environment: EnvironmentParameter[];
}

/**
 * A Default job's candidates, chosen for this machine: two instance types
 * whose caps fit it (src/hosting/instance-types.ts scales them down when it is
 * smaller) and one serverless size, unless ContainerConfig narrows them
 * (SupportedInstanceTypes, SupportedEndpointType). Three, so that a Default job
 * at 60-second steps ends within ten minutes.
 */
const DEFAULT_INSTANCE_TYPES = ['ml.c5.large', 'ml.m5.xlarge'];
const DEFAULT_SERVERLESS: ProductionVariantServerlessConfig = { MemorySizeInMB: 2048, MaxConcurrency: 5 };

export function defaultCandidates(spec: RecommendationJobSpec): Candidate[] {
  const cc = spec.InputConfig.ContainerConfig;
  const types = cc?.SupportedInstanceTypes?.length ? cc.SupportedInstanceTypes.slice(0, 2) : DEFAULT_INSTANCE_TYPES;
  const realTime = types.map((t) => ({ instanceType: t, environment: [] }));
  const serverless = [{ serverless: DEFAULT_SERVERLESS, environment: [] }];
  if (cc?.SupportedEndpointType === 'RealTime') {
    return realTime;
  }
  if (cc?.SupportedEndpointType === 'Serverless') {
    return serverless;
  }
  return [...realTime, ...serverless];
}

/**
 * An Advanced job's candidates: each EndpointConfiguration, times every
 * combination of its categorical environment parameters
 * ([DG:inference-recommender-load-test]); ResourceLimit.MaxNumberOfTests caps
 * how many run.
 */
export function advancedCandidates(spec: RecommendationJobSpec): Candidate[] {
  const out: Candidate[] = [];
  for (const ec of spec.InputConfig.EndpointConfigurations ?? []) {
    const ranges = ec.EnvironmentParameterRanges?.CategoricalParameterRanges ?? [];
    let combos: EnvironmentParameter[][] = [[]];
    for (const r of ranges) {
      combos = combos.flatMap((c) => r.Value.map((v) => [...c, { Key: r.Name, ValueType: 'String', Value: v }]));
    }
    for (const environment of combos) {
      out.push({ ...(ec.InstanceType ? { instanceType: ec.InstanceType } : {}), ...(ec.ServerlessConfig ? { serverless: ec.ServerlessConfig } : {}), environment });
    }
  }
  const max = spec.InputConfig.ResourceLimit?.MaxNumberOfTests;
  return max ? out.slice(0, max) : out;
}

/** "ml.c5.large" or "serverless 2048 MB", plus the environment, for logs and charts. */
export function candidateLabel(c: Candidate): string {
  const base = c.instanceType ?? `serverless ${c.serverless?.MemorySizeInMB} MB`;
  return c.environment.length ? `${base} (${c.environment.map((e) => `${e.Key}=${e.Value}`).join(', ')})` : base;
}
