import { arnOf, endpointConfigKind, modelKind } from '../resources/kinds.js';
import type { EndpointConfigRecord } from '../store/records.js';
import { insertWithTags } from './create-resource.js';
import type { Operation } from './context.js';
import { wireTime } from '../protocol/wire-time.js';
import { paginate } from './list-paging.js';
import { getOrNotFound, notFound } from './not-found.js';
import { checkAsyncInferenceConfig } from './async-config-rules.js';
import { checkDataCaptureConfig } from '../data-capture/capture-rules.js';
import { checkMultiModelVariants } from './multi-model-rules.js';
import { checkProductionVariants } from './variant-rules.js';

export const createEndpointConfig: Operation<'CreateEndpointConfig'> = (input, ctx) => {
  const { EndpointConfigName: name, Tags: tags = [], ...rest } = input;
  checkProductionVariants(input);
  checkAsyncInferenceConfig(input);
  checkDataCaptureConfig(input);
  const variants = input.ProductionVariants.map((v) => {
    if (!ctx.store.models.get(ctx.region, v.ModelName!)) {
      throw notFound(modelKind, v.ModelName!, ctx);
    }
    // Weight 1.0 is the documented default, and Describe shows it (docs/aws-contract.md §4.3).
    return v.ServerlessConfig ? v : { ...v, InitialVariantWeight: v.InitialVariantWeight ?? 1.0 };
  });
  checkMultiModelVariants(input, (model) => ctx.store.models.get(ctx.region, model));
  const arn = arnOf(endpointConfigKind, ctx.region, ctx.accountId, name);
  const record: EndpointConfigRecord = { name, arn, creationTime: ctx.now(), spec: { ...rest, ProductionVariants: variants } };
  insertWithTags(ctx, endpointConfigKind, name, record, tags);
  ctx.log.info({ endpointConfig: name }, 'endpoint config created');
  return { EndpointConfigArn: arn };
};

export const describeEndpointConfig: Operation<'DescribeEndpointConfig'> = (input, ctx) => {
  const c = getOrNotFound(endpointConfigKind, input.EndpointConfigName, ctx);
  return {
    EndpointConfigName: c.name,
    EndpointConfigArn: c.arn,
    ...c.spec,
    EnableNetworkIsolation: c.spec.EnableNetworkIsolation ?? false,
    CreationTime: wireTime(c.creationTime),
  };
};

export const listEndpointConfigs: Operation<'ListEndpointConfigs'> = (input, ctx) => {
  const { page, NextToken } = paginate(ctx.store.endpointConfigs.list(ctx.region), input);
  return {
    EndpointConfigs: page.map((c) => ({
      EndpointConfigName: c.name,
      EndpointConfigArn: c.arn,
      CreationTime: wireTime(c.creationTime),
    })),
    ...(NextToken ? { NextToken } : {}),
  };
};

/** Allowed even while an endpoint uses the config, as on the real service (docs/aws-contract.md §4.4). */
export const deleteEndpointConfig: Operation<'DeleteEndpointConfig'> = (input, ctx) => {
  const c = getOrNotFound(endpointConfigKind, input.EndpointConfigName, ctx);
  ctx.store.deleteResource(endpointConfigKind, ctx.region, c.name, c.arn);
  ctx.log.info({ endpointConfig: c.name }, 'endpoint config deleted');
  return {};
};
