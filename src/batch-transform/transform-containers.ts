import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import { type ArtifactSource, materializeModelData } from '../hosting/artifacts.js';
import { startAllOrUndo } from '../hosting/fleet-instances.js';
import { resolveImage } from '../hosting/images.js';
import { containerCaps } from '../hosting/instance-types.js';
import { type InstanceEnv, ModelInstance } from '../hosting/model-instance.js';
import { JobFailedError } from '../jobs/job-runner.js';
import type { ModelRecord } from '../store/records.js';
import type { ExecutionParameters } from './transform-settings.js';
import { transformEnvironment } from './transform-settings.js';
import type { TransformJobRecord } from './transform-job-record.js';

export interface TransformContainerDeps {
  config: Config;
  instanceEnv: InstanceEnv;
  artifacts: ArtifactSource;
}

/** Seconds a job's container gets between SIGTERM and SIGKILL when the job ends or is stopped. */
const STOP_GRACE_SECONDS = 2;

/**
 * Starts the job's InstanceCount containers of the model (`docker run IMAGE
 * serve`, the instance type's caps, the model's artifacts in /opt/ml/model,
 * labelled with the job), waits for /ping, and returns them. Any failure is
 * the job's (JobFailedError, with the reason), and nothing is left running.
 */
export async function startTransformContainers(
  deps: TransformContainerDeps,
  region: string,
  job: TransformJobRecord,
  model: ModelRecord,
  log: Logger,
  signal: AbortSignal,
): Promise<ModelInstance[]> {
  const container = model.spec.PrimaryContainer ?? model.spec.Containers?.[0];
  if (!container?.Image) {
    throw new JobFailedError(`Model ${model.name} has no container image.`);
  }
  const env = deps.instanceEnv;
  // Pulled when missing, as for an endpoint; a missing image that cannot be pulled runs as SME_IMAGE_FALLBACK when it is set.
  const { runImage: image } = await resolveImage(env.docker, container.Image, log, env.clock, deps.config.imageFallback).catch((err: Error) => {
    throw new JobFailedError(err.message);
  });
  const modelDir = await materializeModelData(
    container.ModelDataUrl,
    path.join(deps.config.stateDir, 'jobs', region, job.name.toLowerCase(), 'model'),
    deps.artifacts,
  ).catch((err: Error) => {
    throw new JobFailedError(`Could not prepare the model data of ${model.name}: ${err.message}`);
  });
  const { InstanceType, InstanceCount } = job.spec.TransformResources;
  const instances = Array.from(
    { length: InstanceCount },
    () =>
      new ModelInstance(
        {
          endpointName: job.name,
          variantName: 'transform',
          jobName: job.name,
          region,
          image,
          environment: transformEnvironment(container.Environment, job.spec),
          modelDir,
          ...containerCaps(InstanceType),
          startupTimeoutMs: deps.config.startupTimeoutSeconds * 1000,
          // A transform job's container is as isolated as the model says, as on SageMaker.
          ...(model.spec.EnableNetworkIsolation === true ? { networkIsolation: true } : {}),
        },
        { ...env, log },
      ),
  );
  const stopAll = () => stopTransformContainers(instances);
  signal.addEventListener('abort', () => void stopAll(), { once: true });
  await startAllOrUndo(
    instances.map((i) => i.start()),
    stopAll,
  ).catch((err: Error) => {
    throw signal.aborted ? err : new JobFailedError(err.message);
  });
  log.info({ instances: instances.length, instanceType: InstanceType }, 'transform containers ready');
  return instances;
}

export async function stopTransformContainers(instances: ModelInstance[]): Promise<void> {
  await Promise.all(instances.map((i) => i.stop(STOP_GRACE_SECONDS)));
}

/**
 * GET /execution-parameters, which SageMaker asks a transform container
 * before it sends records ([DG:your-algorithms-batch-code]); undefined when
 * the container does not answer it with JSON.
 */
export async function executionParameters(instance: ModelInstance, signal: AbortSignal): Promise<ExecutionParameters | undefined> {
  try {
    const answer = await instance.call({ method: 'GET', path: '/execution-parameters', headers: {}, timeoutMs: 10_000, signal });
    const chunks: Buffer[] = [];
    for await (const c of answer.body) {
      chunks.push(c as Buffer);
    }
    if (answer.status !== 200) {
      return undefined;
    }
    const parsed = JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
    return typeof parsed === 'object' && parsed !== null ? (parsed as ExecutionParameters) : undefined;
  } catch {
    return undefined;
  }
}
