import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { ContainerClient } from '../docker/container-client.js';
import type { Metrics } from '../observability/metrics.js';
import type { ModelCacheTiming } from '../observability/multi-model-metrics.js';
import type { Clock } from '../shared/clock.js';
import { knobsFromTags } from '../shared/knob-tags.js';
import type { DeployedImage, EndpointRecord, ModelSpec, ServerlessSpec, VariantSpec, VariantState } from '../store/records.js';
import type { Store } from '../store/store.js';
import { type ArtifactSource, materializeModelData } from './artifacts.js';
import type { VariantFleet } from './fleet.js';
import { resolveImage } from './images.js';
import { containerCaps, serverlessCaps } from './instance-types.js';
import { StartupError } from './errors.js';
import { type InstanceEnv, type InstanceSpec, ModelInstance } from './model-instance.js';
import { instanceHourlyPrice, serverlessPricePerSecond } from './pricing.js';
import { ProvisionedFleet } from './provisioned-fleet.js';
import { ServerlessFleet } from './serverless-fleet.js';

/** A model's container, as CreateModel gave it. */
type ContainerSpec = NonNullable<ModelSpec['PrimaryContainer']>;

/** A multi-model instance's disk when neither SME_MME_DISK_LIMIT_MB nor the variant's VolumeSizeInGB says otherwise. */
const DEFAULT_VOLUME_GB = 30;

export interface FleetFactoryDeps {
  store: Store;
  docker: ContainerClient;
  config: Config;
  artifacts: ArtifactSource;
  metrics?: Metrics;
  log: Logger;
  clock: Clock;
  instanceEnv: InstanceEnv;
}

/** The endpoint-side facts a fleet is built from: a record, or a record with the config an update brings. */
export type FleetSource = Pick<EndpointRecord, 'name' | 'arn' | 'config' | 'models' | 'configTags'>;

export interface StartedFleets {
  fleets: VariantFleet[];
  images: Map<string, DeployedImage[]>;
}

/** Builds a variant's fleet from its config, model and live state, and starts a whole endpoint's fleets. */
export class FleetFactory {
  constructor(private readonly deps: FleetFactoryDeps) {}

  /** Where every endpoint's extracted model artifacts live. */
  artifactsHome(): string {
    return path.join(this.deps.config.stateDir, 'models');
  }

  /** Where an endpoint's extracted model artifacts live (mounted read-only as /opt/ml/model). */
  artifactRoot(region: string, endpointName: string): string {
    return path.join(this.artifactsHome(), region, endpointName.toLowerCase());
  }

  /**
   * One directory per config generation: during a blue/green update the old
   * fleet keeps its mounted artifacts while the new one gets its own.
   */
  artifactDir(region: string, source: FleetSource, variantName: string): string {
    return path.join(this.artifactRoot(region, source.name), `${source.config.name.toLowerCase()}-${source.config.creationTime}`, variantName);
  }

  /**
   * Builds and starts the fleets of every variant in `states`; on any failure
   * stops the ones already started and rethrows. `cancelled` is checked before
   * containers start, so an endpoint deleted meanwhile starts nothing.
   */
  async startAll(
    region: string,
    source: FleetSource,
    states: VariantState[],
    options: { reuseArtifacts: boolean; cancelled: () => boolean; onBuilt?: (fleet: VariantFleet) => void },
  ): Promise<StartedFleets> {
    const log = this.deps.log.child({ endpoint: source.name });
    const images = new Map<string, DeployedImage[]>();
    const fleets: VariantFleet[] = [];
    try {
      for (const variant of source.config.spec.ProductionVariants) {
        const state = states.find((s) => s.VariantName === variant.VariantName);
        const { fleet, image } = await this.build(region, source, variant, state, options.reuseArtifacts, log);
        fleets.push(fleet);
        options.onBuilt?.(fleet);
        images.set(fleet.variantName, [image]);
      }
      if (!options.cancelled()) {
        await Promise.all(fleets.map((f) => f.start()));
      }
      return { fleets, images };
    } catch (err) {
      await Promise.all(fleets.map((f) => f.stop(0)));
      throw err;
    }
  }

  private async build(
    region: string,
    source: FleetSource,
    variant: VariantSpec,
    state: VariantState | undefined,
    reuseArtifacts: boolean,
    log: Logger,
  ): Promise<{ fleet: VariantFleet; image: DeployedImage }> {
    const variantName = variant.VariantName;
    const model = variant.ModelName === undefined ? undefined : source.models[variant.ModelName];
    const container = model?.spec.PrimaryContainer ?? model?.spec.Containers?.[0];
    if (!model || !container) {
      throw new StartupError(`Model ${variant.ModelName ?? '(none)'} of variant ${variantName} has no container.`);
    }
    if (model.spec.Containers && model.spec.Containers.length > 1) {
      throw new StartupError(`Model ${model.name} has several containers; the emulator hosts single-container models.`);
    }
    const image = await resolveImage(this.deps.docker, container.Image ?? '', log, this.deps.clock, this.deps.config.imageFallback);
    const artifactDir = this.artifactDir(region, source, variantName);
    const multiModel = container.Mode === 'MultiModel';
    // A multi-model container gets its models one by one, at invocation time (docs/aws-contract.md §8.2).
    if (multiModel && reuseArtifacts) {
      // Restored after a restart: the instances whose disks these were are gone, and new ones start empty.
      await fs.rm(path.join(artifactDir, 'instances'), { recursive: true, force: true });
    }
    const modelDir = multiModel
      ? await fs.mkdir(artifactDir, { recursive: true }).then(() => artifactDir)
      : await materializeModelData(
          container.ModelDataUrl,
          artifactDir,
          this.deps.artifacts,
          // After a restart the endpoint keeps the artifacts it had, even if the source is gone since.
          { reuse: reuseArtifacts },
        ).catch((err: Error) => {
          throw new StartupError(err.message);
        });
    const startupSeconds =
      variant.ContainerStartupHealthCheckTimeoutInSeconds ?? this.deps.config.startupTimeoutSeconds;
    const spec: InstanceSpec = {
      endpointName: source.name,
      variantName,
      region,
      // The stand-in (SME_IMAGE_FALLBACK) when the model's image could not be had; Describe keeps showing the requested one.
      image: image.runImage,
      // The platform tells a multi-model container what it is (docs/aws-contract.md §8.1).
      environment: multiModel ? { ...container.Environment, SAGEMAKER_MULTI_MODEL: 'true' } : (container.Environment ?? {}),
      modelDir,
      ...(variant.ServerlessConfig ? serverlessCaps(variant.ServerlessConfig.MemorySizeInMB) : containerCaps(variant.InstanceType ?? '')),
      startupTimeoutMs: startupSeconds * 1000,
      ...(model.spec.EnableNetworkIsolation === true ? { networkIsolation: true } : {}),
      ...(multiModel ? { multiModel: this.multiModelSpec(source.name, variant, container, path.join(artifactDir, 'instances')) } : {}),
    };
    const fleet = variant.ServerlessConfig
      ? this.serverless(region, source, variantName, { ...variant.ServerlessConfig, ...state?.DesiredServerlessConfig }, spec)
      : new ProvisionedFleet(
          variantName,
          { kind: 'instance', hourly: instanceHourlyPrice(variant.InstanceType ?? '') },
          state?.DesiredInstanceCount ?? variant.InitialInstanceCount ?? 1,
          spec,
          this.deps.instanceEnv,
        );
    const { runImage: _runImage, ...deployed } = image;
    return { fleet, image: deployed };
  }

  private multiModelSpec(endpoint: string, variant: VariantSpec, container: ContainerSpec, instancesDir: string): InstanceSpec['multiModel'] {
    const { config, metrics } = this.deps;
    const variantName = variant.VariantName;
    const timing = (what: ModelCacheTiming) => (seconds: number) => metrics?.modelCacheTiming(endpoint, variantName, what, seconds);
    return {
      prefix: container.ModelDataUrl ?? '',
      cacheEnabled: container.MultiModelConfig?.ModelCacheSetting !== 'Disabled',
      diskLimitBytes: config.mmeDiskLimitBytes ?? (variant.VolumeSizeInGB ?? DEFAULT_VOLUME_GB) * 1024 ** 3,
      loadWaitMs: config.mmeLoadWaitMs,
      source: this.deps.artifacts,
      instancesDir,
      events: {
        hit: () => metrics?.modelCache(endpoint, variantName, true),
        miss: () => metrics?.modelCache(endpoint, variantName, false),
        waited: timing('waited'),
        downloaded: timing('downloaded'),
        loaded: timing('loaded'),
        unloaded: timing('unloaded'),
      },
    };
  }

  private serverless(region: string, source: FleetSource, variantName: string, sc: ServerlessSpec, spec: InstanceSpec): ServerlessFleet {
    const knobs = knobsFromTags(source.configTags ?? [], this.deps.store.tags.list(source.arn));
    const coldStartDelayMs = knobs.coldStartDelayMs ?? this.deps.config.coldStartDelayMs;
    const env = this.deps.instanceEnv;
    const metrics = this.deps.metrics;
    return new ServerlessFleet(
      variantName,
      { kind: 'serverless', perSecond: serverlessPricePerSecond(sc.MemorySizeInMB) },
      {
        maxConcurrency: sc.MaxConcurrency,
        provisionedConcurrency: sc.ProvisionedConcurrency ?? 0,
        idleTimeoutMs: (knobs.idleTimeoutSeconds ?? this.deps.config.idleTimeoutSeconds) * 1000,
        containerConcurrency: this.deps.config.serverlessContainerConcurrency,
      },
      { create: (cold) => new ModelInstance({ ...spec, extraStartupDelayMs: cold ? coldStartDelayMs : 0 }, env) },
      this.deps.clock,
      this.deps.log.child({ endpoint: source.name, variant: variantName, region }),
      {
        coldStart: (ms) => metrics?.coldStart(source.name, variantName, ms / 1000),
        throttled: () => metrics?.throttled(source.name, variantName),
      },
    );
  }
}
