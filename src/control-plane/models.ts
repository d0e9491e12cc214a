import { validationException } from '../protocol/wire-errors.js';
import { arnOf, modelKind } from '../resources/kinds.js';
import type { ModelRecord } from '../store/records.js';
import { insertWithTags } from './create-resource.js';
import type { Operation } from './context.js';
import { wireTime } from '../protocol/wire-time.js';
import { paginate } from './list-paging.js';
import { getOrNotFound } from './not-found.js';
import { checkMultiModelContainers } from './multi-model-rules.js';

export const createModel: Operation<'CreateModel'> = (input, ctx) => {
  const { ModelName: name, Tags: tags = [], ...spec } = input;
  if (!spec.PrimaryContainer && !(spec.Containers && spec.Containers.length > 0)) {
    throw validationException('Either PrimaryContainer or Containers must be specified.');
  }
  if (spec.PrimaryContainer && spec.Containers) {
    throw validationException('PrimaryContainer and Containers cannot both be specified.');
  }
  checkMultiModelContainers(spec);
  const arn = arnOf(modelKind, ctx.region, ctx.accountId, name);
  const record: ModelRecord = { name, arn, creationTime: ctx.now(), spec };
  insertWithTags(ctx, modelKind, name, record, tags);
  ctx.log.info({ model: name }, 'model created');
  if (spec.VpcConfig) {
    // Kept and shown by DescribeModel, but containers get no VPC: the README says so.
    ctx.log.info({ model: name, vpcConfig: spec.VpcConfig }, 'VpcConfig recorded but not enforced: the model container does not run in these subnets or security groups');
  }
  return { ModelArn: arn };
};

export const describeModel: Operation<'DescribeModel'> = (input, ctx) => {
  const m = getOrNotFound(modelKind, input.ModelName, ctx);
  return {
    ModelName: m.name,
    ...m.spec,
    EnableNetworkIsolation: m.spec.EnableNetworkIsolation ?? false,
    CreationTime: wireTime(m.creationTime),
    ModelArn: m.arn,
  };
};

export const listModels: Operation<'ListModels'> = (input, ctx) => {
  const { page, NextToken } = paginate(ctx.store.models.list(ctx.region), input);
  return {
    Models: page.map((m) => ({ ModelName: m.name, ModelArn: m.arn, CreationTime: wireTime(m.creationTime) })),
    ...(NextToken ? { NextToken } : {}),
  };
};

/** Deleting a model that a live endpoint uses is allowed: the endpoint keeps its own copy (docs/aws-contract.md §4.7). */
export const deleteModel: Operation<'DeleteModel'> = (input, ctx) => {
  const m = getOrNotFound(modelKind, input.ModelName, ctx);
  ctx.store.deleteResource(modelKind, ctx.region, m.name, m.arn);
  ctx.log.info({ model: m.name }, 'model deleted');
  return {};
};
