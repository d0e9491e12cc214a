import { LiveEndpointStatus } from '../store/endpoint-lifecycle.js';
import type { EndpointStatus, VariantState } from '../store/records.js';
import { AllWeightsZeroError, UnknownVariantError } from './errors.js';
import type { VariantFleet } from './fleet.js';

/**
 * The live side of one endpoint: its fleets, the traffic weights between
 * them, and the status the runtime plane checks on every request (a mirror of
 * the stored status, so the hot path never reads SQLite; only the endpoint
 * lifecycle moves it).
 */
export class EndpointDeployment {
  readonly live: LiveEndpointStatus;
  readonly fleets = new Map<string, VariantFleet>();
  readonly weights = new Map<string, number>();
  /** Fleets of an update in progress: started beside the serving ones, not yet routed to. */
  readonly incoming = new Set<VariantFleet>();
  /** Settles when the fleets have started (or failed to): restored endpoints hold requests until then. */
  ready: Promise<void> = Promise.resolve();
  /** Set when the endpoint is being deleted, reset or shut down: workflows in progress stop and write nothing. */
  cancelled = false;

  constructor(
    readonly region: string,
    readonly name: string,
    status: EndpointStatus,
    /**
     * The endpoint's config has AsyncInferenceConfig: only InvokeEndpointAsync
     * serves it, and the runtime refuses synchronous and streaming calls.
     */
    readonly asyncInference = false,
  ) {
    this.live = new LiveEndpointStatus(name, status);
  }

  get status(): EndpointStatus {
    return this.live.status;
  }

  /** Makes `fleets` the ones traffic goes to, weighted by each variant's desired weight. */
  route(fleets: VariantFleet[], states: VariantState[]): void {
    this.fleets.clear();
    this.weights.clear();
    for (const f of fleets) {
      this.fleets.set(f.variantName, f);
      this.weights.set(f.variantName, states.find((s) => s.VariantName === f.variantName)?.DesiredWeight ?? 1);
    }
  }

  /** Every fleet, serving or incoming. */
  allFleets(): VariantFleet[] {
    return [...this.fleets.values(), ...this.incoming];
  }

  /** The variant a request goes to: the one it names, else one drawn by weight (docs/aws-contract.md §4.3). */
  pickFleet(targetVariant: string | undefined): VariantFleet {
    if (targetVariant !== undefined) {
      const fleet = this.fleets.get(targetVariant);
      if (!fleet) {
        throw new UnknownVariantError(this.name, targetVariant);
      }
      return fleet;
    }
    let total = 0;
    for (const w of this.weights.values()) {
      total += w;
    }
    if (total <= 0) {
      throw new AllWeightsZeroError(this.name);
    }
    let draw = Math.random() * total;
    for (const [name, w] of this.weights) {
      draw -= w;
      if (draw < 0 && w > 0) {
        return this.fleets.get(name)!;
      }
    }
    return [...this.fleets.values()].at(-1)!;
  }
}
