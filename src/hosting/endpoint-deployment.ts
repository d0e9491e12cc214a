import { validationError } from '../protocol/wire-errors.js';
import type { EndpointStatus } from '../store/records.js';
import type { VariantFleet } from './fleet.js';

/**
 * The live side of one endpoint: its fleets, the traffic weights between
 * them, and the status the runtime plane checks on every request (a mirror of
 * the stored status, so the hot path never reads SQLite).
 */
export class EndpointDeployment {
  status: EndpointStatus;
  readonly fleets = new Map<string, VariantFleet>();
  readonly weights = new Map<string, number>();
  /** Fleets of an update in progress: started beside the serving ones, not yet routed to. */
  readonly incoming = new Set<VariantFleet>();
  /** Settles when the fleets have started (or failed to): restored endpoints hold requests until then. */
  ready: Promise<void> = Promise.resolve();
  cancelled = false;

  constructor(
    readonly region: string,
    readonly name: string,
    status: EndpointStatus,
  ) {
    this.status = status;
  }

  /** The variant a request goes to: the one it names, else one drawn by weight (docs/aws-contract.md §4.3). */
  pickFleet(targetVariant: string | undefined): VariantFleet {
    if (targetVariant !== undefined) {
      const fleet = this.fleets.get(targetVariant);
      if (!fleet) {
        throw validationError(`Endpoint ${this.name} does not have a production variant named ${targetVariant}.`);
      }
      return fleet;
    }
    let total = 0;
    for (const w of this.weights.values()) {
      total += w;
    }
    if (total <= 0) {
      throw validationError(`All production variants of endpoint ${this.name} have weight 0: name one with TargetVariant.`);
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
