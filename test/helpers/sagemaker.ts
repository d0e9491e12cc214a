import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  type ProductionVariant,
  type SageMakerClient,
  waitUntilEndpointInService,
} from '@aws-sdk/client-sagemaker';
import { ECHO_IMAGE } from './docker.js';
import { uniqueName } from './emulator.js';

export interface ModelOptions {
  image?: string;
  modelDataUrl?: string;
  environment?: Record<string, string>;
}

export async function createModel(sm: SageMakerClient, opts: ModelOptions = {}): Promise<string> {
  const name = uniqueName('model');
  await sm.send(
    new CreateModelCommand({
      ModelName: name,
      ExecutionRoleArn: 'arn:aws:iam::123456789012:role/test',
      PrimaryContainer: {
        Image: opts.image ?? ECHO_IMAGE,
        ...(opts.modelDataUrl ? { ModelDataUrl: opts.modelDataUrl } : {}),
        ...(opts.environment ? { Environment: opts.environment } : {}),
      },
    }),
  );
  return name;
}

export interface ServerlessOptions extends ModelOptions {
  memory?: number;
  maxConcurrency?: number;
  provisionedConcurrency?: number;
  /** Tags on CreateEndpoint (the sme: knobs). */
  tags?: Record<string, string>;
}

/** Creates a one-variant config (AllTraffic) and an endpoint from it, and waits for InService unless told not to. */
async function deploy(
  sm: SageMakerClient,
  variant: ProductionVariant,
  opts: { tags?: Record<string, string>; wait?: boolean; endpointName?: string },
): Promise<{ config: string; endpoint: string }> {
  const config = uniqueName('config');
  await sm.send(new CreateEndpointConfigCommand({ EndpointConfigName: config, ProductionVariants: [variant] }));
  const endpoint = opts.endpointName ?? uniqueName('ep');
  await sm.send(
    new CreateEndpointCommand({
      EndpointName: endpoint,
      EndpointConfigName: config,
      Tags: Object.entries(opts.tags ?? {}).map(([Key, Value]) => ({ Key, Value })),
    }),
  );
  if (opts.wait !== false) {
    await waitUntilEndpointInService({ client: sm, maxWaitTime: 120, minDelay: 1, maxDelay: 1 }, { EndpointName: endpoint });
  }
  return { config, endpoint };
}

/** Creates a model, a serverless config and an endpoint, and waits for InService. */
export async function createServerlessEndpoint(sm: SageMakerClient, opts: ServerlessOptions = {}): Promise<{ model: string; config: string; endpoint: string }> {
  const model = await createModel(sm, opts);
  const serverless = {
    MemorySizeInMB: opts.memory ?? 1024,
    MaxConcurrency: opts.maxConcurrency ?? 1,
    ...(opts.provisionedConcurrency ? { ProvisionedConcurrency: opts.provisionedConcurrency } : {}),
  };
  return { model, ...(await deploy(sm, { VariantName: 'AllTraffic', ModelName: model, ServerlessConfig: serverless }, opts)) };
}

/** Creates a model, a one-variant provisioned config and an endpoint; returns their names. */
export async function createEndpoint(
  sm: SageMakerClient,
  opts: ModelOptions & { instanceCount?: number; variant?: Partial<ProductionVariant>; wait?: boolean; endpointName?: string } = {},
): Promise<{ model: string; config: string; endpoint: string }> {
  const model = await createModel(sm, opts);
  const variant: ProductionVariant = {
    VariantName: 'AllTraffic',
    ModelName: model,
    InstanceType: 'ml.m5.large',
    InitialInstanceCount: opts.instanceCount ?? 1,
    ...opts.variant,
  };
  return { model, ...(await deploy(sm, variant, opts)) };
}
