import type { Operation } from './context.js';
import { createEndpointConfig, deleteEndpointConfig, describeEndpointConfig, listEndpointConfigs } from './endpoint-configs.js';
import { updateEndpoint, updateEndpointWeightsAndCapacities } from './endpoint-updates.js';
import { createEndpoint, deleteEndpoint, describeEndpoint, listEndpoints } from './endpoints.js';
import { createModel, deleteModel, describeModel, listModels } from './models.js';
import { addTags, deleteTags, listTags } from './tags.js';

/** The operation table: `SageMaker.<Operation>` → handler (a Map: `__proto__` is not an operation). */
export const operations: ReadonlyMap<string, Operation> = new Map(
  Object.entries({
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
  } satisfies Record<string, Operation>),
);
