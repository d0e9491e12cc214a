import type { CreateEndpointConfigInput } from '../protocol/generated/sagemaker-types.js';
import { validationException } from '../protocol/wire-errors.js';
import type { ModelRecord, ModelSpec } from '../store/records.js';

/**
 * Rules on multi-model endpoints that the service model cannot express
 * (docs/aws-contract.md §4.2, §4.3, §8.2). The texts are our own: the real
 * ones were not found in any source we could search.
 */

type Container = NonNullable<ModelSpec['PrimaryContainer']>;

const containersOf = (spec: ModelSpec): Container[] => (spec.PrimaryContainer ? [spec.PrimaryContainer] : (spec.Containers ?? []));

export const isMultiModel = (spec: ModelSpec): boolean => containersOf(spec).some((c) => c.Mode === 'MultiModel');

/** CreateModel: a MultiModel container names the prefix its models live under. */
export function checkMultiModelContainers(spec: ModelSpec): void {
  for (const c of containersOf(spec)) {
    if (c.Mode !== 'MultiModel') {
      continue;
    }
    if (!c.ModelDataUrl) {
      throw validationException(
        'ModelDataUrl is required for a container in MultiModel mode: it is the S3 prefix (or directory) the TargetModel of each invocation is relative to.',
      );
    }
    if (c.ModelDataSource) {
      throw validationException('ModelDataSource is not supported for a container in MultiModel mode: give the models prefix as ModelDataUrl.');
    }
  }
}

/**
 * CreateEndpointConfig: serverless variants cannot host multi-model
 * containers ("Serverless exclusions", §4.3), and an asynchronous endpoint
 * could not be told which model to run (InvokeEndpointAsync has no TargetModel).
 */
export function checkMultiModelVariants(input: CreateEndpointConfigInput, models: (name: string) => ModelRecord | undefined): void {
  for (const v of input.ProductionVariants) {
    const model = v.ModelName === undefined ? undefined : models(v.ModelName);
    if (!model || !isMultiModel(model.spec)) {
      continue;
    }
    if (v.ServerlessConfig) {
      throw validationException(
        `Production variant "${v.VariantName}" is serverless, and serverless endpoints do not support multi-model endpoints: model ${model.name} has a container in MultiModel mode.`,
      );
    }
    if (input.AsyncInferenceConfig) {
      throw validationException(
        `Asynchronous inference does not support multi-model endpoints: model ${model.name} of production variant "${v.VariantName}" has a container in MultiModel mode.`,
      );
    }
  }
}
