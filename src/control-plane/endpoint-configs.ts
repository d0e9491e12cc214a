import { arnOf, endpointConfigKind, modelKind } from '../resources/kinds.js';
import type { EndpointConfigRecord, Json } from '../store/records.js';
import { insertWithTags } from './create-resource.js';
import type { Operation } from './context.js';
import { paginate, wireTime } from './list-paging.js';
import { getOrNotFound, notFound } from './not-found.js';
import { inputTags } from './tags.js';
import { checkProductionVariants } from './variant-rules.js';

export const createEndpointConfig: Operation = (input, ctx) => {
  const name = input.EndpointConfigName as string;
  checkProductionVariants(input);
  const variants = (input.ProductionVariants as Json[]).map((v) => {
    if (!ctx.store.models.get(ctx.region, v.ModelName as string)) {
      throw notFound(modelKind, v.ModelName as string, ctx);
    }
    // Weight 1.0 is the documented default, and Describe shows it (docs/aws-contract.md §4.3).
    return v.ServerlessConfig ? v : { ...v, InitialVariantWeight: v.InitialVariantWeight ?? 1.0 };
  });
  const { EndpointConfigName: _n, Tags: _t, ...rest } = input;
  const arn = arnOf(endpointConfigKind, ctx.region, ctx.accountId, name);
  const record: EndpointConfigRecord = {
    name,
    arn,
    creationTime: ctx.now(),
    spec: { ...rest, ProductionVariants: variants },
  };
  insertWithTags(ctx, endpointConfigKind, name, record, inputTags(input));
  ctx.log.info({ endpointConfig: name }, 'endpoint config created');
  return { EndpointConfigArn: arn };
};

export const describeEndpointConfig: Operation = (input, ctx) => {
  const name = input.EndpointConfigName as string;
  const c = getOrNotFound(endpointConfigKind, name, ctx);
  return {
    EndpointConfigName: c.name,
    EndpointConfigArn: c.arn,
    ...c.spec,
    EnableNetworkIsolation: c.spec.EnableNetworkIsolation ?? false,
    CreationTime: wireTime(c.creationTime),
  };
};

export const listEndpointConfigs: Operation = (input, ctx) => {
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
export const deleteEndpointConfig: Operation = (input, ctx) => {
  const name = input.EndpointConfigName as string;
  const c = getOrNotFound(endpointConfigKind, name, ctx);
  ctx.store.deleteResource(endpointConfigKind, ctx.region, name, c.arn);
  ctx.log.info({ endpointConfig: c.name }, 'endpoint config deleted');
  return {};
};
