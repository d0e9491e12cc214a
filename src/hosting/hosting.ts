import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { ContainerClient, ContainerExitEvent } from '../docker/container-client.js';
import { labels } from '../docker/labels.js';
import type { Metrics, VariantSnapshot } from '../observability/metrics.js';
import type { DeployedImage, EndpointRecord, VariantState } from '../store/records.js';
import type { Store } from '../store/store.js';
import type { ArtifactSource } from './artifacts.js';
import { EndpointDeployment } from './endpoint-deployment.js';
import type { VariantFleet } from './fleet.js';
import { FleetFactory } from './fleet-factory.js';
import { type InstanceEnv, StartupError, untilIdle } from './model-instance.js';
import { ProvisionedFleet } from './provisioned-fleet.js';
import { ServerlessFleet } from './serverless-fleet.js';

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
/** SageMaker sends SIGTERM, then SIGKILL 30 s later (docs/aws-contract.md §7); the emulator waits less on delete. */
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
  private readonly factory: FleetFactory;
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
    this.factory = new FleetFactory({ ...deps, instanceEnv: this.instanceEnv });
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
      const { fleets, images } = await this.factory.startAll(region, record, record.variants, {
        reuseArtifacts: status === 'InService',
        cancelled: () => deployment.cancelled,
        onBuilt: (f) => deployment.fleets.set(f.variantName, f),
      });
      if (deployment.cancelled) {
        await Promise.all(fleets.map((f) => f.stop(0)));
        return;
      }
      this.route(deployment, fleets, record.variants);
      deployment.status = 'InService';
      this.updateRecord(region, record.name, (e) => ({
        ...e,
        status: 'InService',
        failureReason: undefined,
        // An update cut short by a restart is over: the endpoint serves the config it had.
        pending: undefined,
        lastModifiedTime: Date.now(),
        variants: settled(e.variants, deployment, images),
      }));
      log.info({ ms: Date.now() - started }, 'endpoint in service');
    } catch (err) {
      deployment.fleets.clear();
      const reason = failureText(err, 'creating the endpoint');
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

  /** Makes `fleets` the ones traffic goes to, weighted by each variant's desired weight. */
  private route(deployment: EndpointDeployment, fleets: VariantFleet[], states: VariantState[]): void {
    deployment.fleets.clear();
    deployment.weights.clear();
    const now = Date.now();
    for (const f of fleets) {
      deployment.fleets.set(f.variantName, f);
      deployment.weights.set(f.variantName, states.find((s) => s.VariantName === f.variantName)?.DesiredWeight ?? 1);
      this.costAccruedAt.set(f, now);
    }
  }

  /**
   * UpdateEndpoint, blue/green: the new config's fleets start beside the old
   * ones, which keep serving; once every new container is healthy, traffic
   * switches in one step and the old fleets drain (their requests finish) and
   * are removed. If the new fleets cannot start, the endpoint stays on its old
   * config and ends InService with a FailureReason that says why.
   */
  update(region: string, name: string, next: Pick<EndpointRecord, 'config' | 'models' | 'configTags' | 'variants'>): void {
    this.track(this.rollOut(region, name, next));
  }

  private async rollOut(region: string, name: string, next: Pick<EndpointRecord, 'config' | 'models' | 'configTags' | 'variants'>): Promise<void> {
    const deployment = this.deployments.get(key(region, name));
    const current = this.deps.store.endpoints.get(region, name);
    if (!deployment || !current) {
      return;
    }
    const log = this.deps.log.child({ endpoint: current.name, endpointConfig: next.config.name });
    deployment.status = 'Updating';
    const source = { ...current, ...next };
    try {
      const { fleets, images } = await this.factory.startAll(region, source, next.variants, {
        reuseArtifacts: false,
        cancelled: () => deployment.cancelled,
        onBuilt: (f) => deployment.incoming.add(f),
      });
      deployment.incoming.clear();
      if (deployment.cancelled) {
        await Promise.all(fleets.map((f) => f.stop(0)));
        return;
      }
      const old = [...deployment.fleets.values()];
      this.route(deployment, fleets, next.variants);
      deployment.status = 'InService';
      this.updateRecord(region, name, (e) => ({
        ...e,
        ...next,
        configName: next.config.name,
        status: 'InService',
        failureReason: undefined,
        pending: undefined,
        lastModifiedTime: Date.now(),
        variants: settled(next.variants, deployment, images),
      }));
      log.info('endpoint updated: traffic switched to the new fleet; draining the old one');
      await Promise.all(old.map((f) => this.drain(f)));
      const oldDir = this.factory.artifactDir(region, current, '');
      if (oldDir !== this.factory.artifactDir(region, source, '')) {
        await fs.rm(oldDir, { recursive: true, force: true });
      }
    } catch (err) {
      deployment.incoming.clear();
      const reason = failureText(err, 'updating the endpoint');
      log.error({ reason }, 'endpoint update failed; rolled back');
      if (!deployment.cancelled) {
        deployment.status = 'InService';
        this.updateRecord(region, name, (e) => ({
          ...e,
          status: 'InService',
          pending: undefined,
          lastModifiedTime: Date.now(),
          failureReason: `The update to endpoint configuration "${next.config.name}" failed and the endpoint was rolled back to "${e.configName}": ${reason}`.slice(
            0,
            MAX_FAILURE_REASON,
          ),
        }));
      }
    }
  }

  /**
   * UpdateEndpointWeightsAndCapacities: instance counts and serverless
   * concurrency change in place (new instances start before old ones drain),
   * then the new weights take effect and the endpoint is InService again. If
   * capacity cannot be reached, the variant goes back to what it had.
   */
  updateWeightsAndCapacities(region: string, name: string, variants: VariantState[]): void {
    this.track(this.resize(region, name, variants));
  }

  private async resize(region: string, name: string, variants: VariantState[]): Promise<void> {
    const deployment = this.deployments.get(key(region, name));
    const before = this.deps.store.endpoints.get(region, name)?.variants;
    if (!deployment || !before) {
      return;
    }
    deployment.status = 'Updating';
    const log = this.deps.log.child({ endpoint: name });
    try {
      await Promise.all(
        variants.map(async (v) => {
          const fleet = deployment.fleets.get(v.VariantName);
          if (fleet instanceof ProvisionedFleet && v.DesiredInstanceCount !== undefined) {
            await fleet.scaleTo(v.DesiredInstanceCount);
          } else if (fleet instanceof ServerlessFleet && v.DesiredServerlessConfig) {
            await fleet.reconfigure({
              maxConcurrency: v.DesiredServerlessConfig.MaxConcurrency as number,
              provisionedConcurrency: (v.DesiredServerlessConfig.ProvisionedConcurrency as number | undefined) ?? 0,
            });
          }
        }),
      );
      for (const v of variants) {
        deployment.weights.set(v.VariantName, v.DesiredWeight);
      }
      deployment.status = 'InService';
      this.updateRecord(region, name, (e) => ({ ...e, status: 'InService', lastModifiedTime: Date.now(), variants: settled(variants, deployment) }));
      log.info('endpoint weights and capacities updated');
    } catch (err) {
      const reason = failureText(err, 'changing capacity');
      log.error({ reason }, 'capacity change failed; rolling back');
      await Promise.all(
        before.map(async (v) => {
          const fleet = deployment.fleets.get(v.VariantName);
          if (fleet instanceof ProvisionedFleet && v.CurrentInstanceCount !== undefined) {
            await fleet.scaleTo(v.CurrentInstanceCount).catch(() => undefined);
          }
        }),
      );
      deployment.status = 'InService';
      this.updateRecord(region, name, (e) => ({
        ...e,
        status: 'InService',
        lastModifiedTime: Date.now(),
        variants: before,
        failureReason: `Updating the weights and capacities failed and was rolled back: ${reason}`.slice(0, MAX_FAILURE_REASON),
      }));
    }
  }

  /** Waits for a fleet's requests in flight to finish (at most the invocation timeout), then stops it. */
  private async drain(fleet: VariantFleet): Promise<void> {
    await untilIdle(() => fleet.stats().inFlight, this.deps.config.invocationTimeoutMs + 1000);
    await fleet.stop(STOP_GRACE_SECONDS);
  }

  private async tearDown(region: string, name: string): Promise<void> {
    const deployment = this.deployments.get(key(region, name));
    if (deployment) {
      // New requests are refused from here on; the ones in flight finish before the containers go.
      deployment.cancelled = true;
      deployment.status = 'Deleting';
      await Promise.all([...deployment.fleets.values()].map((f) => this.drain(f)));
      this.deployments.delete(key(region, name));
    }
    const record = this.deps.store.endpoints.get(region, name);
    // Metrics carry the name as the user spelled it, not the case-folded key.
    this.deps.metrics?.forgetEndpoint(record?.name ?? name);
    await fs.rm(this.factory.artifactRoot(region, name), { recursive: true, force: true });
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

  private updateRecord(region: string, name: string, change: (e: EndpointRecord) => EndpointRecord): void {
    const current = this.deps.store.endpoints.get(region, name);
    if (current && current.status !== 'Deleting') {
      this.deps.store.endpoints.put(region, name, change(current));
    }
  }

  private containerExited(event: ContainerExitEvent): void {
    for (const d of this.deployments.values()) {
      for (const f of [...d.fleets.values(), ...d.incoming]) {
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
        // An update cut short by the restart is dropped: the endpoint comes back on the config it served.
        this.track(this.bringUp(region, { ...doc, status: 'InService', pending: undefined }, 'InService'));
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
      [...this.deployments.values()].flatMap((d) => [...d.fleets.values(), ...d.incoming].map((f) => f.stop(STOP_GRACE_SECONDS))),
    );
    // Starts still in flight stop their own containers once they see `cancelled`.
    await Promise.allSettled([...this.pending]);
    this.deployments.clear();
  }

  /** POST /_emulator/reset: every container goes and every deployment is forgotten; the store is the caller's. */
  async resetAll(): Promise<void> {
    for (const d of this.deployments.values()) {
      d.cancelled = true;
    }
    await Promise.all([...this.deployments.values()].flatMap((d) => [...d.fleets.values(), ...d.incoming].map((f) => f.stop(0))));
    await Promise.allSettled([...this.pending]);
    this.deployments.clear();
    await fs.rm(path.join(this.deps.config.stateDir, 'models'), { recursive: true, force: true });
  }
}

/** Variant states once the fleets run: the desired values became the current ones. */
function settled(states: VariantState[], deployment: EndpointDeployment, images?: Map<string, DeployedImage[]>): VariantState[] {
  return states.map((v) => ({
    ...v,
    CurrentWeight: v.DesiredWeight,
    ...(v.DesiredInstanceCount !== undefined ? { CurrentInstanceCount: deployment.fleets.get(v.VariantName)?.instanceCount() ?? 0 } : {}),
    ...(v.DesiredServerlessConfig ? { CurrentServerlessConfig: v.DesiredServerlessConfig } : {}),
    ...(images?.get(v.VariantName) ? { DeployedImages: images.get(v.VariantName) } : {}),
  }));
}

function failureText(err: unknown, doing: string): string {
  return err instanceof StartupError ? err.message : `Internal error while ${doing}: ${(err as Error).message}`;
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

