import type { Metrics } from '../observability/metrics.js';
import type { Clock } from '../shared/clock.js';
import type { EndpointDeployment } from './endpoint-deployment.js';
import type { VariantFleet } from './fleet.js';

/**
 * The cost of provisioned instances, added to the cost counter as time
 * passes: instance-seconds × hourly price (serverless variants are billed per
 * request, by the runtime plane).
 */
export class CostMeter {
  /** When each fleet's cost was last added; a fleet not in here is not billed yet. */
  private readonly accruedAt = new WeakMap<VariantFleet, number>();

  constructor(
    private readonly clock: Clock,
    private readonly metrics?: Metrics,
  ) {}

  /** Fleets that now take traffic are billed from now on. */
  startBilling(fleets: Iterable<VariantFleet>): void {
    const now = this.clock.now();
    for (const f of fleets) {
      this.accruedAt.set(f, now);
    }
  }

  /** Adds what every serving provisioned fleet cost since the last call. */
  accrue(deployments: Iterable<EndpointDeployment>): void {
    const now = this.clock.now();
    for (const d of deployments) {
      for (const f of d.fleets.values()) {
        const last = this.accruedAt.get(f);
        if (f.billing.kind === 'instance' && last !== undefined) {
          this.metrics?.addCost(d.name, f.variantName, (f.instanceCount() * (now - last) * f.billing.hourly) / 3_600_000);
          this.accruedAt.set(f, now);
        }
      }
    }
  }
}
