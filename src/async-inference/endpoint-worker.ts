import type { EndpointDeployment } from '../hosting/endpoint-deployment.js';
import type { Lease } from '../hosting/fleet.js';
import type { Hosting } from '../hosting/hosting.js';
import { ProvisionedFleet } from '../hosting/provisioned-fleet.js';
import { isServing } from '../store/endpoint-lifecycle.js';
import type { Store } from '../store/store.js';
import { asyncSettingsOf } from './async-settings.js';
import { type RunDeps, runRequest } from './run-request.js';

export interface WorkerDeps extends RunDeps {
  hosting: Hosting;
  store: Store;
}

/**
 * While requests wait and no capacity event can reach us (the endpoint's
 * fleets were swapped by an UpdateEndpoint, or it is not deployed yet), look
 * again this often. Not the dispatch path: new requests and freed or new
 * capacity wake the worker at once.
 */
const SAFETY_RECHECK_MS = 1000;

/** Deployments whose `ready` has settled: waiting on those again would wake at once, forever. */
const settled = new WeakSet<Promise<void>>();

/**
 * Dispatches one async endpoint's queue to its instances, at most
 * MaxConcurrentInvocationsPerInstance requests in flight on each
 * (docs/aws-contract.md §8.3). Event-driven: `wake()` runs when a request is
 * queued, when a request slot frees, and when an instance becomes ready; it
 * starts as many requests as there are free slots and returns. With no free
 * slot it subscribes to the fleets' capacity events and sleeps.
 */
export class EndpointWorker {
  private readonly running = new Map<number, { controller: AbortController; done: Promise<void> }>();
  private waiting: (() => void)[] = [];
  private stopped = false;
  private waking = false;

  constructor(
    private readonly deps: WorkerDeps,
    readonly region: string,
    readonly endpoint: string,
  ) {}

  get inFlight(): number {
    return this.running.size;
  }

  wake(): void {
    if (this.stopped || this.waking) {
      return;
    }
    this.waking = true;
    try {
      this.stopWaiting();
      this.dispatch();
    } finally {
      this.waking = false;
    }
  }

  private dispatch(): void {
    const record = this.deps.store.endpoints.get(this.region, this.endpoint);
    const settings = record ? asyncSettingsOf(record) : undefined;
    const deployment = this.deps.hosting.get(this.region, this.endpoint);
    if (!settings || !deployment || !isServing(deployment.status)) {
      this.waitForCapacity(deployment);
      return;
    }
    for (;;) {
      const slot = this.freeSlot(deployment, settings.maxConcurrentPerInstance);
      if (!slot) {
        this.waitForCapacity(deployment);
        return;
      }
      const req = this.deps.queue.claim(this.region, this.endpoint, this.deps.clock.now());
      if (!req) {
        slot.lease.release();
        return;
      }
      this.start(req.seq, (signal) => runRequest(this.deps, req, { fleet: slot.fleet, lease: this.wakingLease(slot.lease), settings, signal }));
    }
  }

  /** A free request slot: the variant drawn by weight first, then any other. */
  private freeSlot(deployment: EndpointDeployment, max: number): { fleet: ProvisionedFleet; lease: Lease } | undefined {
    let first: ProvisionedFleet | undefined;
    try {
      const drawn = deployment.pickFleet(undefined);
      first = drawn instanceof ProvisionedFleet ? drawn : undefined;
    } catch {
      // Every weight is 0: any variant will do for work already accepted.
    }
    const fleets = [first, ...deployment.fleets.values()].filter((f): f is ProvisionedFleet => f instanceof ProvisionedFleet);
    for (const fleet of fleets) {
      const lease = fleet.tryAcquire(max);
      if (lease) {
        return { fleet, lease };
      }
    }
    return undefined;
  }

  /** The lease's release frees a slot: look for the next request at once, before the result is uploaded. */
  private wakingLease(lease: Lease): Lease {
    return {
      instance: lease.instance,
      release: () => {
        lease.release();
        queueMicrotask(() => this.wake());
      },
    };
  }

  private start(seq: number, run: (signal: AbortSignal) => Promise<void>): void {
    const controller = new AbortController();
    const done = run(controller.signal)
      .catch((err: unknown) => this.deps.log.error({ err, endpoint: this.endpoint }, 'async request failed unexpectedly'))
      .finally(() => {
        this.running.delete(seq);
      });
    this.running.set(seq, { controller, done });
  }

  /** Sleeps until a fleet has capacity or the deployment is ready; a slow safety re-check while requests wait. */
  private waitForCapacity(deployment: EndpointDeployment | undefined): void {
    if (this.deps.queue.queued(this.region, this.endpoint) === 0) {
      return;
    }
    const wake = () => this.wake();
    for (const fleet of deployment?.fleets.values() ?? []) {
      if (fleet instanceof ProvisionedFleet) {
        this.waiting.push(fleet.onCapacity(wake));
      }
    }
    let live = true;
    const ready = deployment?.ready;
    if (ready && !settled.has(ready)) {
      const onSettled = () => {
        settled.add(ready);
        if (live) {
          wake();
        }
      };
      ready.then(onSettled, onSettled);
    }
    const timer = this.deps.clock.setTimeout(wake, SAFETY_RECHECK_MS);
    this.waiting.push(() => {
      live = false;
      timer.cancel();
    });
  }

  private stopWaiting(): void {
    for (const off of this.waiting.splice(0)) {
      off();
    }
  }

  /**
   * Stops dispatching and aborts what runs. Stopping (shutdown) leaves the
   * aborted requests queued for the next start; a deleted endpoint's rows are
   * dropped by the caller.
   */
  async stop(): Promise<void> {
    this.stopped = true;
    this.stopWaiting();
    const running = [...this.running.values()];
    for (const r of running) {
      r.controller.abort(new Error('async worker stopped'));
    }
    await Promise.all(running.map((r) => r.done));
  }
}
