import { validationException } from '../protocol/wire-errors.js';
import { modelKind } from '../resources/kinds.js';
import type { RecommendationJobSpec } from '../recommender/recommendation-job-record.js';
import type { OperationContext } from './context.js';
import { notFound } from './not-found.js';

/**
 * Rules on CreateInferenceRecommendationsJob that the service model cannot
 * express ([DG:inference-recommender-load-test], docs/aws-contract.md §11.1),
 * and what the emulator does not do yet, said plainly. The texts are our own.
 */
export function checkRecommendationInput(spec: RecommendationJobSpec, ctx: OperationContext): void {
  const input = spec.InputConfig;
  if (input.ModelPackageVersionArn !== undefined) {
    throw validationException('InputConfig.ModelPackageVersionArn: model packages are not emulated yet. Name the model with InputConfig.ModelName instead.');
  }
  if (!input.ModelName) {
    throw validationException('InputConfig must name the model to benchmark: ModelName (or ModelPackageVersionArn).');
  }
  if (!ctx.store.models.get(ctx.region, input.ModelName)) {
    throw notFound(modelKind, input.ModelName, ctx);
  }
  if (input.Endpoints?.length) {
    throw validationException('InputConfig.Endpoints: benchmarking an existing endpoint is not emulated yet; the job deploys its own.');
  }
  if (!input.ContainerConfig?.PayloadConfig?.SamplePayloadUrl) {
    throw validationException('InputConfig.ContainerConfig.PayloadConfig.SamplePayloadUrl is required: the job load-tests the model with these sample payloads (a tar.gz of request bodies).');
  }
  if (spec.JobType === 'Advanced' && !input.EndpointConfigurations?.length) {
    throw validationException('An Advanced job needs InputConfig.EndpointConfigurations: the instance types or serverless configurations to load-test.');
  }
  for (const [i, ec] of (input.EndpointConfigurations ?? []).entries()) {
    if ((ec.InstanceType === undefined) === (ec.ServerlessConfig === undefined)) {
      throw validationException(`InputConfig.EndpointConfigurations[${i}] must give exactly one of InstanceType and ServerlessConfig.`);
    }
  }
  const pattern = input.TrafficPattern;
  if (pattern?.TrafficType === 'STAIRS' && !pattern.Stairs) {
    throw validationException('TrafficPattern with TrafficType STAIRS needs Stairs.');
  }
  if (pattern && pattern.TrafficType !== 'STAIRS' && !pattern.Phases?.length) {
    throw validationException('TrafficPattern with TrafficType PHASES needs at least one phase.');
  }
  const thresholds = spec.StoppingConditions?.ModelLatencyThresholds ?? [];
  if (thresholds.length > 1) {
    throw validationException('StoppingConditions.ModelLatencyThresholds takes one threshold.');
  }
  for (const t of thresholds) {
    if (t.Percentile !== undefined && t.Percentile !== 'P95' && t.Percentile !== 'P99') {
      throw validationException(`ModelLatencyThresholds Percentile must be P95 or P99; got ${t.Percentile}.`);
    }
  }
}
