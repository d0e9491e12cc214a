import type { EndpointRecord, EndpointStatus } from './records.js';
import type { Store } from './store.js';

/**
 * The one owner of an endpoint's status. Every change of EndpointStatus, in
 * the store and in hosting's in-memory mirror, goes through this module, and
 * only along the table below (docs/aws-contract.md §5, and what the emulator
 * does):
 * - CreateEndpoint inserts a record in ENDPOINT_CREATED_STATUS;
 * - hosting brings it up: InService, or Failed when its containers cannot start;
 * - UpdateEndpoint / UpdateEndpointWeightsAndCapacities move InService to
 *   Updating; hosting moves it back to InService, done or rolled back;
 * - DeleteEndpoint moves any endpoint that is not in progress to Deleting
 *   (a Failed endpoint can only be deleted); hosting then removes the record;
 * - after a restart, hosting brings back InService, Updating and
 *   SystemUpdating endpoints: InService again (an update cut short is
 *   dropped), or Failed when they can no longer start.
 */
export const ENDPOINT_TRANSITIONS: Readonly<Record<EndpointStatus, readonly EndpointStatus[]>> = {
  Creating: ['InService', 'Failed'],
  InService: ['Updating', 'Deleting', 'InService', 'Failed'],
  Updating: ['InService', 'RollingBack', 'Failed'],
  SystemUpdating: ['InService', 'Failed'],
  RollingBack: ['InService', 'UpdateRollbackFailed'],
  UpdateRollbackFailed: ['Deleting'],
  OutOfService: ['Deleting'],
  Failed: ['Deleting'],
  Deleting: [],
};

/** An endpoint takes requests while InService, and while an update runs beside its live fleet (docs/aws-contract.md §4.4). */
const SERVING_STATUSES: ReadonlySet<EndpointStatus> = new Set<EndpointStatus>(['InService', 'Updating']);

export function isServing(status: EndpointStatus): boolean {
  return SERVING_STATUSES.has(status);
}

/** The status CreateEndpoint stores a new endpoint in. */
export const ENDPOINT_CREATED_STATUS: EndpointStatus = 'Creating';

export function canTransition(from: EndpointStatus, to: EndpointStatus): boolean {
  return ENDPOINT_TRANSITIONS[from].includes(to);
}

/** A status change the table does not allow: a bug, or a race with another change. */
export class EndpointTransitionError extends Error {
  constructor(
    readonly endpointName: string,
    readonly from: EndpointStatus,
    readonly to: EndpointStatus,
  ) {
    super(`Endpoint ${endpointName} cannot go from ${from} to ${to}.`);
  }
}

/** Every field of an endpoint record but its status: what changes together with a transition. */
export type EndpointChange = Partial<Omit<EndpointRecord, 'status'>>;

/**
 * Moves a stored endpoint to `to`, writing `change` with it (computed from
 * the current record when a function). Returns the new record, or undefined
 * when there is no record any more; throws EndpointTransitionError when the
 * table refuses the move.
 */
export function transitionEndpoint(
  store: Store,
  region: string,
  name: string,
  to: EndpointStatus,
  change: EndpointChange | ((current: EndpointRecord) => EndpointChange) = {},
): EndpointRecord | undefined {
  const current = store.endpoints.get(region, name);
  if (!current) {
    return undefined;
  }
  if (!canTransition(current.status, to)) {
    throw new EndpointTransitionError(current.name, current.status, to);
  }
  const next: EndpointRecord = { ...current, ...(typeof change === 'function' ? change(current) : change), status: to };
  store.endpoints.put(region, name, next);
  return next;
}

const move = Symbol('move');

/**
 * Hosting's in-memory mirror of one endpoint's status, which the runtime
 * plane reads on every request (the hot path never reads SQLite). Only
 * moveLiveStatus changes it, along the same table.
 */
export class LiveEndpointStatus {
  private current: EndpointStatus;

  constructor(
    readonly endpointName: string,
    initial: EndpointStatus,
  ) {
    this.current = initial;
  }

  get status(): EndpointStatus {
    return this.current;
  }

  [move](to: EndpointStatus): void {
    if (!canTransition(this.current, to)) {
      throw new EndpointTransitionError(this.endpointName, this.current, to);
    }
    this.current = to;
  }
}

/** Moves the mirror to `to`; throws EndpointTransitionError when the table refuses. */
export function moveLiveStatus(live: LiveEndpointStatus, to: EndpointStatus): void {
  live[move](to);
}
