import { validationException } from '../protocol/wire-errors.js';
import { resourceArn } from '../shared/arn.js';
import type { EndpointConfigRecord, EndpointRecord, Json, ModelRecord, VariantState } from '../store/records.js';
import { insertWithTags } from './create-resource.js';
import { ENDPOINT_CREATED_STATUS, canTransition, transitionEndpoint } from '../store/endpoint-lifecycle.js';
import type { Operation, OperationContext } from './context.js';
import { paginate, wireTime } from './list-paging.js';
import { alreadyExists, notFound } from './not-found.js';
import { inputTags } from './tags.js';

export const createEndpoint: Operation = (input, ctx) => {
  const name = input.EndpointName as string;
  const configName = input.EndpointConfigName as string;
  const arn = resourceArn('endpoint', ctx.region, ctx.accountId, name);
  if (ctx.store.endpoints.get(ctx.region, name)) {
    throw alreadyExists('endpoint', name, ctx);
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
    ...(input.DeploymentConfig ? { deploymentConfig: input.DeploymentConfig as Json } : {}),
  };
  const tags = inputTags(input);
  insertWithTags(ctx, ctx.store.endpoints, 'endpoint', name, arn, record, tags);
  ctx.log.info({ endpoint: name, endpointConfig: config.name }, 'endpoint creating');
  ctx.hosting.deploy(ctx.region, record);
  return { EndpointArn: arn };
};

/** The models a config names, as they are now: the endpoint keeps them even if they are deleted later. */
export function snapshotModels(config: EndpointConfigRecord, ctx: OperationContext): Record<string, ModelRecord> {
  const models: Record<string, ModelRecord> = {};
  for (const v of config.spec.ProductionVariants) {
    const model = ctx.store.models.get(ctx.region, v.ModelName as string);
    if (!model) {
      throw notFound('model', v.ModelName as string, ctx);
    }
    models[model.name] = model;
  }
  return models;
}

/** The config an operation names, or the real "Could not find endpoint configuration" error. */
export function configOrNotFound(name: string, ctx: OperationContext): EndpointConfigRecord {
  const config = ctx.store.endpointConfigs.get(ctx.region, name);
  if (!config) {
    throw validationException(
      `Could not find endpoint configuration "${resourceArn('endpoint-config', ctx.region, ctx.accountId, name)}".`,
    );
  }
  return config;
}

export function initialVariantState(v: Json): VariantState {
  const weight = (v.InitialVariantWeight as number | undefined) ?? 1.0;
  return v.ServerlessConfig
    ? {
        VariantName: v.VariantName as string,
        CurrentWeight: weight,
        DesiredWeight: weight,
        CurrentServerlessConfig: v.ServerlessConfig as Json,
        DesiredServerlessConfig: v.ServerlessConfig as Json,
      }
    : {
        VariantName: v.VariantName as string,
        CurrentWeight: weight,
        DesiredWeight: weight,
        CurrentInstanceCount: 0,
        DesiredInstanceCount: v.InitialInstanceCount as number,
      };
}

export function getEndpoint(input: Record<string, unknown>, ctx: OperationContext): EndpointRecord {
  const name = input.EndpointName as string;
  const e = ctx.store.endpoints.get(ctx.region, name);
  if (!e) {
    throw notFound('endpoint', name, ctx);
  }
  return e;
}

/** ProductionVariantSummary as DescribeEndpoint shows it (docs/aws-contract.md §4.5). */
function variantSummary(e: EndpointRecord, state: VariantState): Json {
  const summary: Json = { ...state };
  if (state.DeployedImages) {
    summary.DeployedImages = state.DeployedImages.map((d) => ({ ...d, ResolutionTime: wireTime(d.ResolutionTime) }));
  }
  if (e.status === 'Creating' || e.status === 'Updating') {
    summary.VariantStatus = [{ Status: e.status, StartTime: wireTime(e.pending?.startTime ?? e.lastModifiedTime) }];
  }
  return summary;
}

export const describeEndpoint: Operation = (input, ctx) => {
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

export const listEndpoints: Operation = (input, ctx) => {
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

export const deleteEndpoint: Operation = (input, ctx) => {
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
