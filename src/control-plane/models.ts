import { validationException } from '../protocol/aws-error.js';
import { resourceArn } from '../shared/arn.js';
import type { ModelRecord } from '../store/records.js';
import type { Operation } from './context.js';
import { paginate, wireTime } from './list-paging.js';
import { alreadyExists, notFound } from './not-found.js';
import { checkTagLimit, inputTags } from './tags.js';

export const createModel: Operation = (input, ctx) => {
  const name = input.ModelName as string;
  const { ModelName: _name, Tags: _tags, ...spec } = input;
  if (!spec.PrimaryContainer && !(Array.isArray(spec.Containers) && spec.Containers.length > 0)) {
    throw validationException('Either PrimaryContainer or Containers must be specified.');
  }
  if (spec.PrimaryContainer && spec.Containers) {
    throw validationException('PrimaryContainer and Containers cannot both be specified.');
  }
  const arn = resourceArn('model', ctx.region, ctx.accountId, name);
  const record: ModelRecord = { name, arn, creationTime: ctx.now(), spec };
  ctx.store.transaction(() => {
    if (!ctx.store.models.insert(ctx.region, name, record)) {
      throw alreadyExists('model', name, ctx);
    }
    checkTagLimit(ctx, arn, inputTags(input));
    ctx.store.tags.removeAll(arn);
    ctx.store.tags.add(arn, inputTags(input));
  });
  ctx.log.info({ model: name }, 'model created');
  return { ModelArn: arn };
};

export const describeModel: Operation = (input, ctx) => {
  const name = input.ModelName as string;
  const m = ctx.store.models.get(ctx.region, name);
  if (!m) {
    throw notFound('model', name, ctx);
  }
  return {
    ModelName: m.name,
    ...m.spec,
    EnableNetworkIsolation: m.spec.EnableNetworkIsolation ?? false,
    CreationTime: wireTime(m.creationTime),
    ModelArn: m.arn,
  };
};

export const listModels: Operation = (input, ctx) => {
  const { page, NextToken } = paginate(ctx.store.models.list(ctx.region), input);
  return {
    Models: page.map((m) => ({ ModelName: m.name, ModelArn: m.arn, CreationTime: wireTime(m.creationTime) })),
    ...(NextToken ? { NextToken } : {}),
  };
};

/** Deleting a model that a live endpoint uses is allowed: the endpoint keeps its own copy (contract §4.7). */
export const deleteModel: Operation = (input, ctx) => {
  const name = input.ModelName as string;
  const m = ctx.store.models.get(ctx.region, name);
  if (!m) {
    throw notFound('model', name, ctx);
  }
  ctx.store.transaction(() => {
    ctx.store.models.delete(ctx.region, name);
    ctx.store.tags.removeAll(m.arn);
  });
  ctx.log.info({ model: m.name }, 'model deleted');
  return {};
};
