import { validationException } from '../protocol/aws-error.js';
import { resourceArn } from '../shared/arn.js';
import type { EndpointRecord, Json, ModelRecord, VariantState } from '../store/records.js';
import type { Operation, OperationContext } from './context.js';
import { paginate, wireTime } from './list-paging.js';
import { alreadyExists, notFound } from './not-found.js';
import { checkTagLimit, inputTags } from './tags.js';

/** Statuses in which the real service refuses another change (contract §2.4, "in-progress"). */
const IN_PROGRESS = new Set(['Creating', 'Updating', 'SystemUpdating', 'RollingBack', 'Deleting']);

export const createEndpoint: Operation = (input, ctx) => {
  const name = input.EndpointName as string;
  const configName = input.EndpointConfigName as string;
  const arn = resourceArn('endpoint', ctx.region, ctx.accountId, name);
  if (ctx.store.endpoints.get(ctx.region, name)) {
    throw alreadyExists('endpoint', name, ctx);
  }
  const config = ctx.store.endpointConfigs.get(ctx.region, configName);
  if (!config) {
    throw validationException(
      `Could not find endpoint configuration "${resourceArn('endpoint-config', ctx.region, ctx.accountId, configName)}".`,
    );
  }
  const models: Record<string, ModelRecord> = {};
  for (const v of config.spec.ProductionVariants) {
    const model = ctx.store.models.get(ctx.region, v.ModelName as string);
    if (!model) {
      throw notFound('model', v.ModelName as string, ctx);
    }
    models[model.name] = model;
  }
  const now = ctx.now();
  const record: EndpointRecord = {
    name,
    arn,
    configName: config.name,
    status: 'Creating',
    creationTime: now,
    lastModifiedTime: now,
    config,
    models,
    configTags: ctx.store.tags.list(config.arn),
    variants: config.spec.ProductionVariants.map(initialVariantState),
  };
  const tags = inputTags(input);
  ctx.store.transaction(() => {
    if (!ctx.store.endpoints.insert(ctx.region, name, record)) {
      throw alreadyExists('endpoint', name, ctx);
    }
    checkTagLimit(ctx, arn, tags);
    ctx.store.tags.removeAll(arn);
    ctx.store.tags.add(arn, tags);
  });
  ctx.log.info({ endpoint: name, endpointConfig: config.name }, 'endpoint creating');
  ctx.hosting.deploy(ctx.region, record);
  return { EndpointArn: arn };
};

function initialVariantState(v: Json): VariantState {
  const weight = (v.InitialVariantWeight as number | undefined) ?? 1.0;
  return v.ServerlessConfig
    ? { VariantName: v.VariantName as string, CurrentWeight: weight, DesiredWeight: weight }
    : {
        VariantName: v.VariantName as string,
        CurrentWeight: weight,
        DesiredWeight: weight,
        CurrentInstanceCount: 0,
        DesiredInstanceCount: v.InitialInstanceCount as number,
      };
}

function getEndpoint(input: Record<string, unknown>, ctx: OperationContext): EndpointRecord {
  const name = input.EndpointName as string;
  const e = ctx.store.endpoints.get(ctx.region, name);
  if (!e) {
    throw notFound('endpoint', name, ctx);
  }
  return e;
}

/** ProductionVariantSummary as DescribeEndpoint shows it (contract §4.5). */
function variantSummary(e: EndpointRecord, state: VariantState): Json {
  const spec = e.config.spec.ProductionVariants.find((v) => v.VariantName === state.VariantName);
  const summary: Json = { ...state };
  if (state.DeployedImages) {
    summary.DeployedImages = state.DeployedImages.map((d) => ({ ...d, ResolutionTime: wireTime(d.ResolutionTime) }));
  }
  if (spec?.ServerlessConfig) {
    summary.CurrentServerlessConfig = spec.ServerlessConfig;
    summary.DesiredServerlessConfig = spec.ServerlessConfig;
  }
  if (e.status === 'Creating') {
    summary.VariantStatus = [{ Status: 'Creating', StartTime: wireTime(e.creationTime) }];
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
  if (IN_PROGRESS.has(e.status)) {
    throw validationException(`Cannot update in-progress endpoint "${e.arn}".`);
  }
  ctx.store.endpoints.put(ctx.region, e.name, { ...e, status: 'Deleting', lastModifiedTime: ctx.now() });
  ctx.log.info({ endpoint: e.name }, 'endpoint deleting');
  ctx.hosting.undeploy(ctx.region, e.name);
  return {};
};
