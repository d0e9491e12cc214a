import { validationException } from '../protocol/wire-errors.js';
import { arnOf, endpointConfigKind, endpointKind, modelKind } from '../resources/kinds.js';
import type { ProductionVariant, ProductionVariantSummary } from '../protocol/generated/sagemaker-types.js';
import type { EndpointConfigRecord, EndpointRecord, ModelRecord, VariantState } from '../store/records.js';
import { captureSummary } from '../data-capture/capture-settings.js';
import { insertWithTags } from './create-resource.js';
import { ENDPOINT_CREATED_STATUS, canTransition, transitionEndpoint } from '../store/endpoint-lifecycle.js';
import type { Operation, OperationContext } from './context.js';
import { wireTime } from '../protocol/wire-time.js';
import { paginate } from './list-paging.js';
import { alreadyExists, getOrNotFound, notFound } from './not-found.js';

export const createEndpoint: Operation<'CreateEndpoint'> = (input, ctx) => {
  const name = input.EndpointName;
  const configName = input.EndpointConfigName;
  const arn = arnOf(endpointKind, ctx.region, ctx.accountId, name);
  if (ctx.store.endpoints.get(ctx.region, name)) {
    throw alreadyExists(endpointKind, name, ctx);
  }
  const config = configOrNotFound(configName, ctx);
  const models = snapshotModels(config, ctx);
  const now = ctx.now();
  const record: EndpointRecord = {
    name,
    arn,
    configName: config.name,
    status: ENDPOINT_CREATED_STATUS,
    creationTime: now,
    lastModifiedTime: now,
    config,
    models,
    configTags: ctx.store.tags.list(config.arn),
    variants: config.spec.ProductionVariants.map(initialVariantState),
    ...(input.DeploymentConfig ? { deploymentConfig: input.DeploymentConfig } : {}),
  };
  insertWithTags(ctx, endpointKind, name, record, input.Tags ?? []);
  ctx.log.info({ endpoint: name, endpointConfig: config.name }, 'endpoint creating');
  ctx.hosting.deploy(ctx.region, record);
  return { EndpointArn: arn };
};

/** The models a config names, as they are now: the endpoint keeps them even if they are deleted later. */
export function snapshotModels(config: EndpointConfigRecord, ctx: OperationContext): Record<string, ModelRecord> {
  const models: Record<string, ModelRecord> = {};
  for (const v of config.spec.ProductionVariants) {
    const model = ctx.store.models.get(ctx.region, v.ModelName!);
    if (!model) {
      throw notFound(modelKind, v.ModelName!, ctx);
    }
    models[model.name] = model;
  }
  return models;
}

/** The config an operation names, or the real "Could not find endpoint configuration" error. */
export function configOrNotFound(name: string, ctx: OperationContext): EndpointConfigRecord {
  return getOrNotFound(endpointConfigKind, name, ctx);
}

export function initialVariantState(v: ProductionVariant): VariantState {
  const weight = v.InitialVariantWeight ?? 1.0;
  return v.ServerlessConfig
    ? {
        VariantName: v.VariantName,
        CurrentWeight: weight,
        DesiredWeight: weight,
        CurrentServerlessConfig: v.ServerlessConfig,
        DesiredServerlessConfig: v.ServerlessConfig,
      }
    : {
        VariantName: v.VariantName,
        CurrentWeight: weight,
        DesiredWeight: weight,
        CurrentInstanceCount: 0,
        DesiredInstanceCount: v.InitialInstanceCount,
      };
}

export function getEndpoint(input: { EndpointName: string }, ctx: OperationContext): EndpointRecord {
  return getOrNotFound(endpointKind, input.EndpointName, ctx);
}

/** ProductionVariantSummary as DescribeEndpoint shows it (docs/aws-contract.md §4.5). */
function variantSummary(e: EndpointRecord, state: VariantState): ProductionVariantSummary {
  const { DeployedImages: images, ...rest } = state;
  const summary: ProductionVariantSummary = {
    ...rest,
    ...(images ? { DeployedImages: images.map((d) => ({ ...d, ResolutionTime: wireTime(d.ResolutionTime) })) } : {}),
  };
  if (e.status === 'Creating' || e.status === 'Updating') {
    summary.VariantStatus = [{ Status: e.status, StartTime: wireTime(e.pending?.startTime ?? e.lastModifiedTime) }];
  }
  return summary;
}

export const describeEndpoint: Operation<'DescribeEndpoint'> = (input, ctx) => {
  const e = getEndpoint(input, ctx);
  return {
    EndpointName: e.name,
    EndpointArn: e.arn,
    EndpointConfigName: e.configName,
    ProductionVariants: e.variants.map((v) => variantSummary(e, v)),
    EndpointStatus: e.status,
    ...(e.failureReason ? { FailureReason: e.failureReason } : {}),
    CreationTime: wireTime(e.creationTime),
    LastModifiedTime: wireTime(e.lastModifiedTime),
    ...(e.deploymentConfig ? { LastDeploymentConfig: e.deploymentConfig } : {}),
    // DescribeEndpoint repeats the config's async settings, as the live endpoint uses them.
    ...(e.config.spec.AsyncInferenceConfig ? { AsyncInferenceConfig: e.config.spec.AsyncInferenceConfig } : {}),
    // The serving config's capture settings, as DataCaptureConfigSummary (src/data-capture/capture-settings.ts).
    ...(e.config.spec.DataCaptureConfig ? { DataCaptureConfig: captureSummary(e.config.spec.DataCaptureConfig) } : {}),
    ...(e.pending
      ? {
          PendingDeploymentSummary: {
            EndpointConfigName: e.pending.configName,
            ProductionVariants: e.pending.variants.map((v) => ({
              ...v,
              VariantStatus: [{ Status: 'Creating', StartTime: wireTime(e.pending!.startTime) }],
            })),
            StartTime: wireTime(e.pending.startTime),
          },
        }
      : {}),
  };
};

export const listEndpoints: Operation<'ListEndpoints'> = (input, ctx) => {
  const items = ctx.store.endpoints.list(ctx.region);
  const { page, NextToken } = paginate(items, input);
  return {
    Endpoints: page.map((e) => ({
      EndpointName: e.name,
      EndpointArn: e.arn,
      CreationTime: wireTime(e.creationTime),
      LastModifiedTime: wireTime(e.lastModifiedTime),
      EndpointStatus: e.status,
    })),
    ...(NextToken ? { NextToken } : {}),
  };
};

export const deleteEndpoint: Operation<'DeleteEndpoint'> = (input, ctx) => {
  const e = getEndpoint(input, ctx);
  // Only an endpoint in progress cannot be deleted (docs/aws-contract.md §2.4, §5).
  if (!canTransition(e.status, 'Deleting')) {
    throw validationException(`Cannot update in-progress endpoint "${e.arn}".`);
  }
  transitionEndpoint(ctx.store, ctx.region, e.name, 'Deleting', { lastModifiedTime: ctx.now() });
  ctx.log.info({ endpoint: e.name }, 'endpoint deleting');
  ctx.hosting.undeploy(ctx.region, e.name);
  return {};
};
