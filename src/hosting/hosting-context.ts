import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { ContainerClient } from '../docker/container-client.js';
import type { Metrics } from '../observability/metrics.js';
import type { Clock } from '../shared/clock.js';
import type { Store } from '../store/store.js';
import type { ArtifactSource } from './artifacts.js';
import type { CostMeter } from './cost-meter.js';
import type { DeploymentRegistry } from './deployment-registry.js';
import type { FleetFactory } from './fleet-factory.js';

/** What Hosting is built from (src/server.ts wires the real ones; tests pass fakes). */
export interface HostingDeps {
  metrics?: Metrics;
  store: Store;
  docker: ContainerClient;
  log: Logger;
  config: Config;
  artifacts: ArtifactSource;
  gatewayId: string;
  clock: Clock;
}

/** What every hosting workflow (bring up, roll out, resize, tear down, restore, reset) works with. */
export interface HostingContext extends HostingDeps {
  registry: DeploymentRegistry;
  factory: FleetFactory;
  costs: CostMeter;
}

/** SageMaker sends SIGTERM, then SIGKILL 30 s later (docs/aws-contract.md §7); the emulator waits less. */
export const STOP_GRACE_SECONDS = 5;
