import type { ContainerExitEvent } from '../docker/container-client.js';
import { labels } from '../docker/labels.js';
import type { VariantSnapshot } from '../observability/metrics.js';
import type { EndpointRecord, VariantState } from '../store/records.js';
import { bringUp } from './bring-up.js';
import { CostMeter } from './cost-meter.js';
import { DeploymentRegistry } from './deployment-registry.js';
import type { EndpointDeployment } from './endpoint-deployment.js';
import { FleetFactory } from './fleet-factory.js';
import { gatewayLabels, removeOrphans } from './gateway-containers.js';
import { type HostingContext, type HostingDeps, STOP_GRACE_SECONDS } from './hosting-context.js';
import { DockerWatch } from './docker-watch.js';
import { deploymentInstances, type VariantInstances } from './instance-views.js';
import { ProvisionedFleet } from './provisioned-fleet.js';
import type { InstanceEnv } from './model-instance.js';
import { resetAll } from './reset-all.js';
import { resize } from './resize.js';
import { restoreAll } from './restore.js';
import { type EndpointUpdate, rollOut } from './roll-out.js';
import { tearDown } from './tear-down.js';

export type { HostingDeps } from './hosting-context.js';

/**
 * Owns every endpoint's containers. A facade: each workflow lives in its own
 * module (bring-up, roll-out, resize, tear-down, restore, reset-all); this
 * class starts them, keeps track of the ones running, and answers the
 * metrics' and the runtime plane's questions about live deployments.
 */
export class Hosting {
  private readonly ctx: HostingContext;
  private readonly pending = new Set<Promise<unknown>>();
  private unsubscribe: () => void;
  /** Notices the Docker engine going away and coming back (docker-watch.ts). */
  readonly dockerWatch: DockerWatch;
  private readonly undeployListeners = new Set<(region: string, name: string) => void>();
  /** How containers are started, for the jobs that start their own (batch transform). */
  readonly instanceEnv: InstanceEnv;

  constructor(deps: HostingDeps) {
    const instanceEnv: InstanceEnv = (this.instanceEnv = {
      docker: deps.docker,
      log: deps.log,
      containerHost: deps.config.containerHost,
      gatewayLabels: gatewayLabels(deps.gatewayId, deps.config.stateDir),
      poolConnections: 64,
      network: deps.config.dockerNetwork,
      clock: deps.clock,
      containerHardening: deps.config.containerHardening,
      isolationRelayImage: deps.config.isolationRelayImage,
    });
    this.ctx = {
      ...deps,
      registry: new DeploymentRegistry(),
      factory: new FleetFactory({ ...deps, instanceEnv }),
      costs: new CostMeter(deps.clock, deps.metrics),
    };
    this.unsubscribe = deps.docker.onExit((e) => this.containerExited(e));
    this.dockerWatch = new DockerWatch(deps.docker, deps.clock, deps.log.child({ component: 'docker-watch' }), {
      lost: (error) => this.provisionedFleets().forEach((f) => f.engineLost(error)),
      returned: () => {
        // The event stream died with the engine: subscribing again opens a new one.
        this.unsubscribe();
        this.unsubscribe = deps.docker.onExit((e) => this.containerExited(e));
        this.track(Promise.all(this.provisionedFleets().map((f) => f.engineReturned())).then(() => this.removeDeadContainers()));
      },
    });
    this.dockerWatch.start();
  }

  /**
   * After an engine outage: this gateway's endpoint containers that no
   * longer run and that no instance holds (their removal failed while the
   * engine was gone) are removed now.
   */
  private async removeDeadContainers(): Promise<void> {
    const held = new Set(this.ctx.registry.all().flatMap((d) => d.allFleets().flatMap((f) => f.listInstances().map((i) => i.containerId))));
    const mine = await this.ctx.docker.listManaged([`${labels.gateway}=${this.ctx.gatewayId}`]);
    for (const c of mine) {
      if (held.has(c.id) || c.labels[labels.job] !== undefined) {
        continue;
      }
      const state = await this.ctx.docker.state(c.id).catch(() => undefined);
      if (state && !state.running) {
        await this.ctx.docker.remove(c.id, 0).catch(() => undefined);
        this.ctx.log.info({ container: c.name }, 'removed a container that went down with the Docker engine');
      }
    }
  }

  private provisionedFleets(): ProvisionedFleet[] {
    return this.ctx.registry.all().flatMap((d) => d.allFleets().filter((f): f is ProvisionedFleet => f instanceof ProvisionedFleet));
  }

  get(region: string, name: string): EndpointDeployment | undefined {
    return this.ctx.registry.get(region, name);
  }

  /** Starts bringing an endpoint up; returns at once (CreateEndpoint answers with Creating). */
  deploy(region: string, record: EndpointRecord): void {
    this.track(bringUp(this.ctx, region, record, 'Creating'));
  }

  /** Stops the endpoint's containers, then forgets it (DeleteEndpoint's Deleting → gone). */
  undeploy(region: string, name: string): void {
    for (const l of this.undeployListeners) {
      l(region, name);
    }
    this.track(tearDown(this.ctx, region, name));
  }

  /** Tells `listener` when an endpoint is deleted (async inference drops its queue); returns the unsubscribe. */
  onUndeploy(listener: (region: string, name: string) => void): () => void {
    this.undeployListeners.add(listener);
    return () => this.undeployListeners.delete(listener);
  }

  /** UpdateEndpoint: a blue/green roll-out to the new config (see roll-out.ts). */
  update(region: string, name: string, next: EndpointUpdate): void {
    this.track(rollOut(this.ctx, region, name, next));
  }

  /** UpdateEndpointWeightsAndCapacities, in place (see resize.ts). */
  updateWeightsAndCapacities(region: string, name: string, variants: VariantState[]): void {
    this.track(resize(this.ctx, region, name, variants));
  }

  /** After a restart: brings back what the store says was serving (see restore.ts). */
  restore(): void {
    restoreAll(this.ctx, (work) => this.track(work));
  }

  private track(work: Promise<unknown>): void {
    const tracked = work
      .catch((err: unknown) => this.ctx.log.error({ err }, 'hosting workflow failed'))
      .finally(() => this.pending.delete(tracked));
    this.pending.add(tracked);
  }

  /** The live state of every variant, for the gauges. */
  snapshot(): VariantSnapshot[] {
    return this.ctx.registry.all().flatMap((d) => [...d.fleets.values()].map((f) => ({ endpoint: d.name, variant: f.variantName, ...f.stats() })));
  }

  /** The containers of every variant, for the utilisation sampler. */
  containers(): { endpoint: string; variant: string; ids: string[] }[] {
    return this.ctx.registry.all().flatMap((d) => [...d.fleets.values()].map((f) => ({ endpoint: d.name, variant: f.variantName, ids: f.containerIds() })));
  }

  /** A live endpoint's instances by variant, as read-only views (the console's detail page); [] when it has none. */
  instances(region: string, name: string): VariantInstances[] {
    const d = this.ctx.registry.get(region, name);
    return d ? deploymentInstances(d) : [];
  }

  /** Adds what provisioned instances cost since the last call: instance-seconds × hourly price. */
  accrueCost(): void {
    this.ctx.costs.accrue(this.ctx.registry.all());
  }

  /** Removes containers left by a gateway that is gone (see gateway-containers.ts). */
  removeOrphans(): Promise<number> {
    return removeOrphans(this.ctx);
  }

  /**
   * Stops and forgets every deployment and removes every container and
   * artifact this gateway has; the store is left to the caller (see reset-all.ts).
   */
  resetAll(): Promise<void> {
    return resetAll(this.ctx, () => [...this.pending]);
  }

  private containerExited(event: ContainerExitEvent): void {
    for (const d of this.ctx.registry.all()) {
      if (d.allFleets().some((f) => f.containerExited(event))) {
        return;
      }
    }
  }

  /** Stops every container (SIGINT/SIGTERM); the stored state stays for the next start. */
  async shutdown(): Promise<void> {
    this.dockerWatch.stop();
    this.unsubscribe();
    const deployments = this.ctx.registry.takeAll();
    for (const d of deployments) {
      d.cancelled = true;
    }
    await Promise.all(deployments.flatMap((d) => d.allFleets().map((f) => f.stop(STOP_GRACE_SECONDS))));
    // Starts still in flight stop their own containers once they see `cancelled`.
    await Promise.allSettled([...this.pending]);
  }
}
