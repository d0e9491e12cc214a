import { validationException } from '../protocol/wire-errors.js';
import type { CreateEndpointConfigInput, ProductionVariant } from '../protocol/generated/sagemaker-types.js';

/**
 * Rules on ProductionVariants that the service model cannot express
 * (docs/aws-contract.md §4.3). The shape validator has already checked each member.
 */
const SERVERLESS_MEMORY_SIZES = [1024, 2048, 3072, 4096, 5120, 6144];

/** Features SageMaker Serverless Inference does not support (docs/aws-contract.md §4.3, "Serverless exclusions"). */
const serverlessExcludedConfigMembers: [keyof CreateEndpointConfigInput, string][] = [
  ['DataCaptureConfig', 'data capture'],
  ['AsyncInferenceConfig', 'asynchronous inference'],
  ['ShadowProductionVariants', 'shadow variants'],
  ['VpcConfig', 'VPC configuration'],
  ['KmsKeyId', 'KMS keys'],
];

export function checkProductionVariants(input: CreateEndpointConfigInput): void {
  const variants = input.ProductionVariants;
  const seen = new Set<string>();
  for (const v of variants) {
    const name = v.VariantName;
    if (seen.has(name.toLowerCase())) {
      throw validationException(`The variant name "${name}" appears more than once in ProductionVariants.`);
    }
    seen.add(name.toLowerCase());
    if (!v.ModelName) {
      throw validationException(`ModelName is required for production variant "${name}".`);
    }
    if (v.ServerlessConfig) {
      checkServerlessVariant(v, name, input, variants.length);
    } else if (v.InstanceType === undefined || v.InitialInstanceCount === undefined) {
      throw validationException(
        `Production variant "${name}" must specify either InstanceType and InitialInstanceCount, or ServerlessConfig.`,
      );
    }
  }
}

function checkServerlessVariant(v: ProductionVariant, name: string, input: CreateEndpointConfigInput, variantCount: number): void {
  const sc = v.ServerlessConfig!;
  if (v.InstanceType !== undefined || v.InitialInstanceCount !== undefined) {
    throw validationException(
      `Production variant "${name}" cannot specify InstanceType or InitialInstanceCount together with ServerlessConfig.`,
    );
  }
  const memory = sc.MemorySizeInMB;
  if (!SERVERLESS_MEMORY_SIZES.includes(memory)) {
    throw validationException(
      `Value '${memory}' at 'serverlessConfig.memorySizeInMB' failed to satisfy constraint: Member must be one of ${SERVERLESS_MEMORY_SIZES.join(', ')}.`,
    );
  }
  const pc = sc.ProvisionedConcurrency;
  if (pc !== undefined && pc > sc.MaxConcurrency) {
    throw validationException(
      `ProvisionedConcurrency (${pc}) of production variant "${name}" must be less than or equal to MaxConcurrency (${sc.MaxConcurrency}).`,
    );
  }
  if (variantCount > 1) {
    throw validationException('An endpoint configuration with a serverless production variant can have only one production variant.');
  }
  for (const [member, feature] of serverlessExcludedConfigMembers) {
    if (input[member] !== undefined) {
      throw validationException(`Serverless endpoint configurations do not support ${feature} (${member}).`);
    }
  }
  if (input.EnableNetworkIsolation === true) {
    throw validationException('Serverless endpoint configurations do not support network isolation.');
  }
  for (const member of ['AcceleratorType', 'ManagedInstanceScaling', 'InstancePools', 'RoutingConfig'] as const) {
    if (v[member] !== undefined) {
      throw validationException(`Serverless production variant "${name}" cannot specify ${member}.`);
    }
  }
}
