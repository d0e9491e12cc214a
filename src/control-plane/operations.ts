import type { JsonOperation } from '../protocol/json-service.js';
import type { OperationContext, OperationTable } from './context.js';
import { createEndpointConfig, deleteEndpointConfig, describeEndpointConfig, listEndpointConfigs } from './endpoint-configs.js';
import { updateEndpoint, updateEndpointWeightsAndCapacities } from './endpoint-updates.js';
import { createEndpoint, deleteEndpoint, describeEndpoint, listEndpoints } from './endpoints.js';
import { createModel, deleteModel, describeModel, listModels } from './models.js';
import {
  createInferenceRecommendationsJob,
  describeInferenceRecommendationsJob,
  listInferenceRecommendationsJobSteps,
  listInferenceRecommendationsJobs,
  stopInferenceRecommendationsJob,
} from './recommendation-jobs.js';
import { addTags, deleteTags, listTags } from './tags.js';
import { createTransformJob, describeTransformJob, listTransformJobs, stopTransformJob } from './transform-jobs.js';

/** The operation table: `SageMaker.<Operation>` → handler (a Map: `__proto__` is not an operation). */
const table: OperationTable = {
  CreateModel: createModel,
  DescribeModel: describeModel,
  ListModels: listModels,
  DeleteModel: deleteModel,
  CreateEndpointConfig: createEndpointConfig,
  DescribeEndpointConfig: describeEndpointConfig,
  ListEndpointConfigs: listEndpointConfigs,
  DeleteEndpointConfig: deleteEndpointConfig,
  CreateEndpoint: createEndpoint,
  DescribeEndpoint: describeEndpoint,
  ListEndpoints: listEndpoints,
  DeleteEndpoint: deleteEndpoint,
  UpdateEndpoint: updateEndpoint,
  UpdateEndpointWeightsAndCapacities: updateEndpointWeightsAndCapacities,
  AddTags: addTags,
  ListTags: listTags,
  DeleteTags: deleteTags,
  CreateTransformJob: createTransformJob,
  DescribeTransformJob: describeTransformJob,
  ListTransformJobs: listTransformJobs,
  StopTransformJob: stopTransformJob,
  CreateInferenceRecommendationsJob: createInferenceRecommendationsJob,
  DescribeInferenceRecommendationsJob: describeInferenceRecommendationsJob,
  ListInferenceRecommendationsJobs: listInferenceRecommendationsJobs,
  ListInferenceRecommendationsJobSteps: listInferenceRecommendationsJobSteps,
  StopInferenceRecommendationsJob: stopInferenceRecommendationsJob,
};

/**
 * As the JSON service sees it: any input. The decoder has checked each input
 * against its operation's shape before the handler sees it, which is what
 * makes the typed table above sound.
 */
export const operations: ReadonlyMap<string, JsonOperation<OperationContext>> = new Map(
  Object.entries(table) as [string, JsonOperation<OperationContext>][],
);
