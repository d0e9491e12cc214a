/**
 * What the store keeps. Times are epoch milliseconds; the protocol layer turns
 * them into the epoch seconds SageMaker puts on the wire (docs/aws-contract.md §2.2).
 * Shapes the user sent (containers, variants…) are kept as they came, as
 * plain JSON, because Describe* echoes them.
 */
import type {
  CreateEndpointConfigInput,
  EndpointStatus,
  CreateModelInput,
  DeploymentConfig,
  ProductionVariantServerlessConfig,
} from '../protocol/generated/sagemaker-types.js';

export type Json = Record<string, unknown>;

/** The CreateModel input without ModelName and Tags: Describe echoes it. */
export type ModelSpec = Omit<CreateModelInput, 'ModelName' | 'Tags'>;

export interface ModelRecord {
  name: string;
  arn: string;
  creationTime: number;
  spec: ModelSpec;
}

/** The CreateEndpointConfig input without its name and tags, variants with their defaults filled in. */
export type EndpointConfigSpec = Omit<CreateEndpointConfigInput, 'EndpointConfigName' | 'Tags'>;

/** One production variant of a config, as the user gave it (with InitialVariantWeight filled in). */
export type VariantSpec = EndpointConfigSpec['ProductionVariants'][number];

/** A variant's serverless settings. */
export type ServerlessSpec = NonNullable<VariantSpec['ServerlessConfig']>;

export interface EndpointConfigRecord {
  name: string;
  arn: string;
  creationTime: number;
  spec: EndpointConfigSpec;
}

/** SageMaker's EndpointStatus enum (docs/aws-contract.md §5), as the service model spells it. */
export type { EndpointStatus } from '../protocol/generated/sagemaker-types.js';

export interface DeployedImage {
  SpecifiedImage: string;
  ResolvedImage: string;
  ResolutionTime: number;
}

/** The live part of a variant, as DescribeEndpoint shows it. */
export interface VariantState {
  VariantName: string;
  CurrentWeight: number;
  DesiredWeight: number;
  CurrentInstanceCount?: number;
  DesiredInstanceCount?: number;
  DeployedImages?: DeployedImage[];
  /** Serverless variants: MemorySizeInMB, MaxConcurrency, ProvisionedConcurrency as running and as asked for. */
  CurrentServerlessConfig?: ProductionVariantServerlessConfig;
  DesiredServerlessConfig?: ProductionVariantServerlessConfig;
}

/** An UpdateEndpoint in progress: DescribeEndpoint's PendingDeploymentSummary. */
export interface PendingDeployment {
  configName: string;
  startTime: number;
  variants: VariantState[];
}

export interface EndpointRecord {
  name: string;
  arn: string;
  configName: string;
  status: EndpointStatus;
  failureReason?: string;
  creationTime: number;
  lastModifiedTime: number;
  /**
   * The config and its models as they were when the endpoint was created:
   * the real service lets you delete both while the endpoint keeps serving,
   * and a restart must be able to bring the endpoint back without them.
   */
  config: EndpointConfigRecord;
  models: Record<string, ModelRecord>;
  /** The config's tags when the endpoint was created (its sme: knobs outlive the config). */
  configTags?: { Key: string; Value: string }[];
  variants: VariantState[];
  pending?: PendingDeployment;
  /** The DeploymentConfig of the last CreateEndpoint or UpdateEndpoint that gave one. */
  deploymentConfig?: DeploymentConfig;
}
