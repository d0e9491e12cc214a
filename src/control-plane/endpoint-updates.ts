import { validationException } from '../protocol/wire-errors.js';
import type { DesiredWeightAndCapacity, ProductionVariant } from '../protocol/generated/sagemaker-types.js';
import { canTransition, transitionEndpoint } from '../store/endpoint-lifecycle.js';
import type { EndpointRecord, VariantState } from '../store/records.js';
import type { Operation, OperationContext } from './context.js';
import { configOrNotFound, getEndpoint, initialVariantState, snapshotModels } from './endpoints.js';

/**
 * UpdateEndpoint (blue/green to a new config) and UpdateEndpointWeightsAndCapacities
 * (weights, instance counts, serverless concurrency of a live endpoint), docs/aws-contract.md §4.4.
 * Both answer at once with the endpoint Updating; hosting does the work and
 * moves it back to InService.
 */
function mustBeUpdatable(e: EndpointRecord): void {
  if (!canTransition(e.status, 'Updating')) {
    // One in progress can be neither updated nor deleted; a Failed endpoint can only be deleted (docs/aws-contract.md §5).
    throw validationException(
      canTransition(e.status, 'Deleting')
        ? `Cannot update endpoint "${e.arn}" in status ${e.status}; it can only be deleted.`
        : `Cannot update in-progress endpoint "${e.arn}".`,
    );
  }
}

const isServerless = (v: ProductionVariant) => v.ServerlessConfig !== undefined;

export const updateEndpoint: Operation<'UpdateEndpoint'> = (input, ctx) => {
  const e = getEndpoint(input, ctx);
  mustBeUpdatable(e);
  const config = configOrNotFound(input.EndpointConfigName, ctx);
  const models = snapshotModels(config, ctx);
  // Serverless → real-time is allowed; the reverse is not (docs/aws-contract.md §4.3).
  if (e.config.spec.ProductionVariants.some((v) => !isServerless(v)) && config.spec.ProductionVariants.some(isServerless)) {
    throw validationException(
      `Endpoint "${e.arn}" has instance-based production variants and cannot be updated to the serverless endpoint configuration "${config.arn}".`,
    );
  }
  const retain = input.RetainAllVariantProperties === true;
  const excluded = new Set((input.ExcludeRetainedVariantProperties ?? []).map((p) => p.VariantPropertyType));
  if (!retain && excluded.size > 0) {
    throw validationException('ExcludeRetainedVariantProperties can be given only when RetainAllVariantProperties is true.');
  }
  const variants = config.spec.ProductionVariants.map((v) => {
    const fresh = initialVariantState(v);
    const current = e.variants.find((c) => c.VariantName === fresh.VariantName);
    if (!retain || !current) {
      return fresh;
    }
    // RetainAllVariantProperties keeps the live weight and instance count of same-named variants.
    return {
      ...fresh,
      ...(excluded.has('DesiredWeight') ? {} : { DesiredWeight: current.DesiredWeight }),
      ...(excluded.has('DesiredInstanceCount') || fresh.DesiredInstanceCount === undefined || current.DesiredInstanceCount === undefined
        ? {}
        : { DesiredInstanceCount: current.DesiredInstanceCount }),
    };
  });
  const now = ctx.now();
  const updated: EndpointRecord = {
    ...e,
    failureReason: undefined,
    lastModifiedTime: now,
    pending: { configName: config.name, startTime: now, variants },
    ...(input.DeploymentConfig
      ? { deploymentConfig: input.DeploymentConfig }
      : input.RetainDeploymentConfig === true
        ? {}
        : { deploymentConfig: undefined }),
  };
  transitionEndpoint(ctx.store, ctx.region, e.name, 'Updating', updated);
  ctx.log.info({ endpoint: e.name, endpointConfig: config.name }, 'endpoint updating');
  ctx.hosting.update(ctx.region, e.name, {
    config,
    models,
    configTags: ctx.store.tags.list(config.arn),
    variants,
  });
  return { EndpointArn: e.arn };
};

export const updateEndpointWeightsAndCapacities: Operation<'UpdateEndpointWeightsAndCapacities'> = (input, ctx) => {
  const e = getEndpoint(input, ctx);
  mustBeUpdatable(e);
  const wanted = input.DesiredWeightsAndCapacities;
  const names = wanted.map((w) => w.VariantName);
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate) {
    throw validationException(`The variant name "${duplicate}" appears more than once in DesiredWeightsAndCapacities.`);
  }
  const variants: VariantState[] = e.variants.map((v) => ({ ...v }));
  for (const w of wanted) {
    const v = variants.find((x) => x.VariantName === w.VariantName);
    if (!v) {
      throw validationException(`The variant "${w.VariantName}" does not exist in endpoint "${e.arn}".`);
    }
    checkChange(w, v, e, ctx);
    if (w.DesiredWeight !== undefined) {
      v.DesiredWeight = w.DesiredWeight;
    }
    if (w.DesiredInstanceCount !== undefined) {
      v.DesiredInstanceCount = w.DesiredInstanceCount;
    }
    if (w.ServerlessUpdateConfig) {
      v.DesiredServerlessConfig = { ...v.CurrentServerlessConfig!, ...w.ServerlessUpdateConfig };
    }
  }
  const updated: EndpointRecord = { ...e, failureReason: undefined, lastModifiedTime: ctx.now(), variants };
  transitionEndpoint(ctx.store, ctx.region, e.name, 'Updating', updated);
  ctx.log.info({ endpoint: e.name, changes: wanted }, 'endpoint weights and capacities updating');
  ctx.hosting.updateWeightsAndCapacities(ctx.region, e.name, variants);
  return { EndpointArn: e.arn };
};

function checkChange(w: DesiredWeightAndCapacity, v: VariantState, e: EndpointRecord, _ctx: OperationContext): void {
  if (w.DesiredWeight === undefined && w.DesiredInstanceCount === undefined && w.ServerlessUpdateConfig === undefined) {
    throw validationException(
      `Specify DesiredWeight, DesiredInstanceCount or ServerlessUpdateConfig for variant "${w.VariantName}" of endpoint "${e.arn}".`,
    );
  }
  const serverless = v.CurrentServerlessConfig !== undefined;
  // Only an asynchronous inference endpoint may have no instance: its requests wait in the queue (docs/aws-contract.md §8.3).
  if (w.DesiredInstanceCount === 0 && !serverless && !e.config.spec.AsyncInferenceConfig) {
    throw validationException(
      `DesiredInstanceCount 0 is not valid for variant "${w.VariantName}" of endpoint "${e.arn}": only an asynchronous inference endpoint can be scaled to 0 instances.`,
    );
  }
  if (serverless && w.DesiredInstanceCount !== undefined) {
    throw validationException(`DesiredInstanceCount cannot be set for the serverless variant "${w.VariantName}".`);
  }
  if (!serverless && w.ServerlessUpdateConfig) {
    throw validationException(`ServerlessUpdateConfig can be set only for a serverless variant; "${w.VariantName}" is instance-based.`);
  }
  if (w.ServerlessUpdateConfig) {
    const max = w.ServerlessUpdateConfig.MaxConcurrency ?? v.CurrentServerlessConfig!.MaxConcurrency;
    const pc = w.ServerlessUpdateConfig.ProvisionedConcurrency ?? v.CurrentServerlessConfig!.ProvisionedConcurrency;
    if (pc !== undefined && pc > max) {
      throw validationException(
        `ProvisionedConcurrency (${pc}) of variant "${w.VariantName}" must be less than or equal to MaxConcurrency (${max}).`,
      );
    }
  }
}
