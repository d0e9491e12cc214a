import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { ContainerClient, ContainerExitEvent } from '../docker/container-client.js';
import { labels } from '../docker/labels.js';
import { systemClock } from '../shared/clock.js';
import { knobsFromTags } from '../shared/knob-tags.js';
import type { EndpointRecord, Json, VariantState } from '../store/records.js';
import type { Store } from '../store/store.js';
import { type ArtifactSource, materializeModelData } from './artifacts.js';
import { EndpointDeployment } from './endpoint-deployment.js';
import type { VariantFleet } from './fleet.js';
import { resolveImage } from './images.js';
import { containerCaps, serverlessCaps } from './instance-types.js';
import { type InstanceEnv, type InstanceSpec, ModelInstance, StartupError } from './model-instance.js';
import { ProvisionedFleet } from './provisioned-fleet.js';
import { ServerlessFleet } from './serverless-fleet.js';
import { instanceHourlyPrice, serverlessPricePerSecond } from './pricing.js';
import type { Metrics, VariantSnapshot } from '../observability/metrics.js';

export interface HostingDeps {
  metrics?: Metrics;
  store: Store;
  docker: ContainerClient;
  log: Logger;
  config: Config;
  artifacts: ArtifactSource;
  gatewayId: string;
}

/** FailureReason is at most 1024 characters (DescribeEndpointOutput). */
const MAX_FAILURE_REASON = 1024;
/** SageMaker sends SIGTERM, then SIGKILL 30 s later (contract §7); the emulator waits less on delete. */
const STOP_GRACE_SECONDS = 5;

const key = (region: string, name: string) => `${region}/${name.toLowerCase()}`;

/**
 * Owns every endpoint's containers: brings endpoints up (moving their stored
 * status from Creating to InService or Failed), tears them down, restores
 * them after a restart and cleans up after a dead gateway.
 */
export class Hosting {
  private readonly deployments = new Map<string, EndpointDeployment>();
  /** When each provisioned fleet's cost was last added to the cost counter. */
  private readonly costAccruedAt = new WeakMap<VariantFleet, number>();
  private readonly pending = new Set<Promise<unknown>>();
  private readonly instanceEnv: InstanceEnv;
  private readonly unsubscribe: () => void;

  constructor(private readonly deps: HostingDeps) {
    this.instanceEnv = {
      docker: deps.docker,
      log: deps.log,
      containerHost: deps.config.containerHost,
      gatewayLabels: gatewayLabels(deps.gatewayId, deps.config.stateDir),
      poolConnections: 64,
      network: deps.config.dockerNetwork,
    };
    this.unsubscribe = deps.docker.onExit((e) => this.containerExited(e));
  }

  get(region: string, name: string): EndpointDeployment | undefined {
    return this.deployments.get(key(region, name));
  }

  /** Starts bringing an endpoint up; returns at once (CreateEndpoint answers with Creating). */
  deploy(region: string, record: EndpointRecord): void {
    this.track(this.bringUp(region, record, 'Creating'));
  }

  /** Stops the endpoint's containers, then forgets it (DeleteEndpoint's Deleting → gone). */
  undeploy(region: string, name: string): void {
    this.track(this.tearDown(region, name));
  }

  private track(p: Promise<unknown>): void {
    this.pending.add(p);
    void p.finally(() => this.pending.delete(p));
  }

  private async bringUp(region: string, record: EndpointRecord, status: 'Creating' | 'InService'): Promise<void> {
    const deployment = new EndpointDeployment(region, record.name, status);
    this.deployments.set(key(region, record.name), deployment);
    const log = this.deps.log.child({ endpoint: record.name });
    let ready!: () => void;
    deployment.ready = new Promise<void>((r) => (ready = r));
    const started = Date.now();
    try {
      const images = new Map<string, VariantState['DeployedImages']>();
      const fleets = await Promise.all(
        record.config.spec.ProductionVariants.map(async (v) => {
          const { fleet, image } = await this.buildFleet(region, record, v, log);
          images.set(fleet.variantName, [image]);
          deployment.fleets.set(fleet.variantName, fleet);
          deployment.weights.set(fleet.variantName, weightOf(record, fleet.variantName));
          return fleet;
        }),
      );
      if (!deployment.cancelled) {
        await Promise.all(fleets.map((f) => f.start()));
      }
      if (deployment.cancelled) {
        await Promise.all(fleets.map((f) => f.stop(0)));
        return;
      }
      deployment.status = 'InService';
      for (const f of fleets) {
        this.costAccruedAt.set(f, Date.now());
      }
      this.updateRecord(region, record.name, (e) => ({
        ...e,
        status: 'InService',
        failureReason: undefined,
        lastModifiedTime: Date.now(),
        variants: e.variants.map((vs) => ({
          ...vs,
          ...(vs.DesiredInstanceCount !== undefined
            ? { CurrentInstanceCount: deployment.fleets.get(vs.VariantName)?.instanceCount() ?? 0 }
            : {}),
          DeployedImages: images.get(vs.VariantName),
        })),
      }));
      log.info({ ms: Date.now() - started }, 'endpoint in service');
    } catch (err) {
      await Promise.all([...deployment.fleets.values()].map((f) => f.stop(0)));
      deployment.fleets.clear();
      const reason =
        err instanceof StartupError ? err.message : `Internal error while creating the endpoint: ${(err as Error).message}`;
      log.error({ reason }, 'endpoint failed');
      if (!deployment.cancelled) {
        deployment.status = 'Failed';
        this.updateRecord(region, record.name, (e) => ({
          ...e,
          status: 'Failed',
          failureReason: reason.slice(0, MAX_FAILURE_REASON),
          lastModifiedTime: Date.now(),
        }));
      }
    } finally {
      ready();
    }
  }

  private async buildFleet(
    region: string,
    record: EndpointRecord,
    variant: Json,
    log: Logger,
  ): Promise<{ fleet: VariantFleet; image: NonNullable<VariantState['DeployedImages']>[number] }> {
    const variantName = variant.VariantName as string;
    const model = record.models[variant.ModelName as string];
    const container = (model?.spec.PrimaryContainer ?? (model?.spec.Containers as Json[] | undefined)?.[0]) as
      | Json
      | undefined;
    if (!model || !container) {
      throw new StartupError(`Model ${variant.ModelName as string} of variant ${variantName} has no container.`);
    }
    if (Array.isArray(model.spec.Containers) && model.spec.Containers.length > 1) {
      throw new StartupError(`Model ${model.name} has several containers; the emulator hosts single-container models.`);
    }
    const image = await resolveImage(this.deps.docker, container.Image as string, log);
    const modelDir = await materializeModelData(
      container.ModelDataUrl as string | undefined,
      path.join(this.artifactDir(region, record.name), variantName),
      this.deps.artifacts,
      // After a restart the endpoint keeps the artifacts it had, even if the source is gone since.
      { reuse: record.status === 'InService' },
    ).catch((err: Error) => {
      throw new StartupError(err.message);
    });
    const startupSeconds =
      (variant.ContainerStartupHealthCheckTimeoutInSeconds as number | undefined) ?? this.deps.config.startupTimeoutSeconds;
    const spec: InstanceSpec = {
      endpointName: record.name,
      variantName,
      region,
      image: container.Image as string,
      environment: (container.Environment as Record<string, string> | undefined) ?? {},
      modelDir,
      ...(variant.ServerlessConfig
        ? serverlessCaps((variant.ServerlessConfig as Json).MemorySizeInMB as number)
        : containerCaps(variant.InstanceType as string)),
      startupTimeoutMs: startupSeconds * 1000,
    };
    const fleet = variant.ServerlessConfig
      ? this.serverlessFleet(region, record, variantName, variant.ServerlessConfig as Json, spec)
      : new ProvisionedFleet(
          variantName,
          { kind: 'instance', hourly: instanceHourlyPrice(variant.InstanceType as string) },
          variant.InitialInstanceCount as number,
          spec,
          this.instanceEnv,
        );
    return { fleet, image };
  }

  private serverlessFleet(region: string, record: EndpointRecord, variantName: string, sc: Json, spec: InstanceSpec): ServerlessFleet {
    const knobs = knobsFromTags(record.configTags ?? [], this.deps.store.tags.list(record.arn));
    const coldStartDelayMs = knobs.coldStartDelayMs ?? this.deps.config.coldStartDelayMs;
    const env = this.instanceEnv;
    const metrics = this.deps.metrics;
    const memory = sc.MemorySizeInMB as number;
    return new ServerlessFleet(
      variantName,
      { kind: 'serverless', perSecond: serverlessPricePerSecond(memory) },
      {
        maxConcurrency: sc.MaxConcurrency as number,
        provisionedConcurrency: (sc.ProvisionedConcurrency as number | undefined) ?? 0,
        idleTimeoutMs: (knobs.idleTimeoutSeconds ?? this.deps.config.idleTimeoutSeconds) * 1000,
        containerConcurrency: this.deps.config.serverlessContainerConcurrency,
      },
      { create: (cold) => new ModelInstance({ ...spec, extraStartupDelayMs: cold ? coldStartDelayMs : 0 }, env) },
      systemClock,
      this.deps.log.child({ endpoint: record.name, variant: variantName, region }),
      {
        coldStart: (ms) => metrics?.coldStart(record.name, variantName, ms / 1000),
        throttled: () => metrics?.throttled(record.name, variantName),
      },
    );
  }

  private async tearDown(region: string, name: string): Promise<void> {
    const deployment = this.deployments.get(key(region, name));
    if (deployment) {
      deployment.cancelled = true;
      deployment.status = 'Deleting';
      await Promise.all([...deployment.fleets.values()].map((f) => f.stop(STOP_GRACE_SECONDS)));
      this.deployments.delete(key(region, name));
    }
    this.deps.metrics?.forgetEndpoint(storedName(this.deps.store, region, name));
    await fs.rm(this.artifactDir(region, name), { recursive: true, force: true });
    const record = this.deps.store.endpoints.get(region, name);
    this.deps.store.transaction(() => {
      this.deps.store.endpoints.delete(region, name);
      if (record) {
        this.deps.store.tags.removeAll(record.arn);
      }
    });
    this.deps.log.info({ endpoint: name }, 'endpoint deleted');
  }

  /** The live state of every variant, for the gauges. */
  snapshot(): VariantSnapshot[] {
    const out: VariantSnapshot[] = [];
    for (const d of this.deployments.values()) {
      for (const f of d.fleets.values()) {
        out.push({ endpoint: d.name, variant: f.variantName, ...f.stats() });
      }
    }
    return out;
  }

  /** The containers of every variant, for the utilisation sampler. */
  containers(): { endpoint: string; variant: string; ids: string[] }[] {
    return [...this.deployments.values()].flatMap((d) =>
      [...d.fleets.values()].map((f) => ({ endpoint: d.name, variant: f.variantName, ids: f.containerIds() })),
    );
  }

  /** Adds what provisioned instances cost since the last call: instance-seconds × hourly price. */
  accrueCost(): void {
    const now = Date.now();
    for (const d of this.deployments.values()) {
      for (const f of d.fleets.values()) {
        const last = this.costAccruedAt.get(f);
        if (f.billing.kind === 'instance' && last !== undefined) {
          this.deps.metrics?.addCost(d.name, f.variantName, (f.instanceCount() * (now - last) * f.billing.hourly) / 3_600_000);
          this.costAccruedAt.set(f, now);
        }
      }
    }
  }

  /** Where an endpoint's extracted model artifacts live (mounted read-only as /opt/ml/model). */
  private artifactDir(region: string, endpointName: string): string {
    return path.join(this.deps.config.stateDir, 'models', region, endpointName.toLowerCase());
  }

  private updateRecord(region: string, name: string, change: (e: EndpointRecord) => EndpointRecord): void {
    const current = this.deps.store.endpoints.get(region, name);
    if (current && current.status !== 'Deleting') {
      this.deps.store.endpoints.put(region, name, change(current));
    }
  }

  private containerExited(event: ContainerExitEvent): void {
    for (const d of this.deployments.values()) {
      for (const f of d.fleets.values()) {
        if (f.containerExited(event)) {
          return;
        }
      }
    }
  }

  /**
   * After a restart: endpoints that were serving come back without anyone
   * asking, ones caught mid-creation are created again, ones caught
   * mid-deletion finish deleting.
   */
  restore(): void {
    for (const { region, doc } of this.deps.store.endpoints.all()) {
      if (doc.status === 'InService' || doc.status === 'Updating' || doc.status === 'SystemUpdating') {
        this.deps.log.info({ endpoint: doc.name }, 'restoring endpoint');
        this.track(this.bringUp(region, { ...doc, status: 'InService' }, 'InService'));
      } else if (doc.status === 'Creating') {
        this.deploy(region, doc);
      } else if (doc.status === 'Deleting') {
        this.undeploy(region, doc.name);
      }
    }
  }

  /**
   * Removes containers left by a gateway that is gone: one that used our
   * state directory, or one on this host whose process no longer exists.
   * Containers of another live gateway are left alone.
   */
  async removeOrphans(): Promise<number> {
    const containers = await this.deps.docker.listManaged([]);
    const orphans = containers.filter((c) => {
      const l = c.labels;
      if (l[labels.gateway] === this.deps.gatewayId) {
        return false;
      }
      if (l[labels.stateDir] === this.deps.config.stateDir) {
        return true;
      }
      return l[labels.gatewayHost] === os.hostname() && !processAlive(Number(l[labels.gatewayPid]));
    });
    await Promise.all(orphans.map((c) => this.deps.docker.remove(c.id, 0)));
    if (orphans.length > 0) {
      this.deps.log.info({ removed: orphans.map((o) => o.name) }, 'removed containers of a previous gateway');
    }
    return orphans.length;
  }

  /** Stops every container (SIGINT/SIGTERM); the stored state stays for the next start. */
  async shutdown(): Promise<void> {
    this.unsubscribe();
    for (const d of this.deployments.values()) {
      d.cancelled = true;
    }
    await Promise.all(
      [...this.deployments.values()].flatMap((d) => [...d.fleets.values()].map((f) => f.stop(STOP_GRACE_SECONDS))),
    );
    // Starts still in flight stop their own containers once they see `cancelled`.
    await Promise.allSettled([...this.pending]);
    this.deployments.clear();
  }
}

function weightOf(record: EndpointRecord, variant: string): number {
  return record.variants.find((v) => v.VariantName === variant)?.CurrentWeight ?? 1;
}

export function gatewayLabels(gatewayId: string, stateDir: string): Record<string, string> {
  return {
    [labels.managed]: 'true',
    [labels.gateway]: gatewayId,
    [labels.gatewayPid]: String(process.pid),
    [labels.gatewayHost]: os.hostname(),
    [labels.stateDir]: stateDir,
  };
}

function processAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) {
    return false;
  }
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The endpoint's name as it was created (metrics use the user's spelling, not the case-folded key). */
function storedName(store: Store, region: string, name: string): string {
  return store.endpoints.get(region, name)?.name ?? name;
}
