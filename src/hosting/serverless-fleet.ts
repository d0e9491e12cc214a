import type { Logger } from 'pino';
import type { ContainerExitEvent } from '../docker/container-client.js';
import type { Clock } from '../shared/clock.js';
import { Backoff } from './backoff.js';
import { ColdStartError, NoCapacityError, ThrottledError } from './errors.js';
import type { FleetStats, Lease, VariantFleet } from './fleet.js';
import { containerExitedIn, diagnoseUnreachable, startAllOrUndo } from './fleet-instances.js';
import { InFlightCounter } from './in-flight.js';
import type { ModelInstance } from './model-instance.js';
import type { Billing } from './pricing.js';

/** Serverless request and response payloads are limited to 4 MB (docs/aws-contract.md §7). */
export const SERVERLESS_MAX_PAYLOAD = 4_194_304;

export interface ServerlessSettings {
  maxConcurrency: number;
  provisionedConcurrency: number;
  idleTimeoutMs: number;
  /** Requests one container serves at once: 1 on SageMaker; more only for small machines. */
  containerConcurrency: number;
}

/** How the fleet gets containers: real ones in production, fakes in unit tests. */
export interface InstanceFactory {
  /** A new, not yet started instance; `coldStart` ones get the injected cold-start delay. */
  create(coldStart: boolean): ModelInstance;
}

/** What the fleet reports, for metrics and logs. */
export interface ServerlessObserver {
  coldStart?(setupMs: number): void;
  throttled?(): void;
}

type MemberState = 'starting' | 'ready' | 'draining';

interface Waiter {
  member: Member;
  resolve(lease: Lease): void;
  reject(err: unknown): void;
}

interface Member {
  instance: ModelInstance;
  state: MemberState;
  provisioned: boolean;
  /** Requests holding this container. */
  busy: number;
  /** Requests waiting for this container to become ready (at most containerConcurrency). */
  waiters: Waiter[];
  idleTimer?: { cancel(): void };
  lastActivityAt: number;
}

/**
 * A serverless variant (docs/engine-design.md §0, docs/aws-contract.md §4.3 and §7):
 * - admission: at most MaxConcurrency requests in flight; one more is
 *   throttled at once (ThrottledError), never queued;
 * - scale from zero: a request that finds no free container joins a starting
 *   one or starts one (one start per needed container, never a herd) and
 *   waits until it answers /ping (plus any injected delay);
 * - scale to zero: a container idle for the idle timeout is removed, in the
 *   same synchronous step that checks it is idle, so admission never races it;
 * - ProvisionedConcurrency containers start with the endpoint, are used first
 *   and never reaped.
 */
export class ServerlessFleet implements VariantFleet {
  readonly maxPayloadBytes = SERVERLESS_MAX_PAYLOAD;
  /** Serverless endpoints do not host multi-model containers (docs/aws-contract.md §4.3). */
  readonly multiModel = false;
  private readonly members: Member[] = [];
  /** Requests admitted: leased, or waiting on a cold start. */
  private readonly admitted: InFlightCounter;
  private stopped = false;
  /** Failed starts of provisioned containers in a row set the wait before the next one. */
  private readonly backoff = new Backoff();

  constructor(
    readonly variantName: string,
    readonly billing: Billing,
    private settings: ServerlessSettings,
    private readonly factory: InstanceFactory,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly observer: ServerlessObserver = {},
  ) {
    this.admitted = new InFlightCounter(clock);
  }

  async start(): Promise<void> {
    const provisioned = Array.from({ length: this.settings.provisionedConcurrency }, () => this.launch(true));
    await startAllOrUndo(
      provisioned.map((m) => m.ready),
      () => this.stop(0),
    );
  }

  /**
   * UpdateEndpointWeightsAndCapacities' ServerlessUpdateConfig: a new
   * MaxConcurrency applies to the next admission; more ProvisionedConcurrency
   * starts containers (resolving once they are ready), less turns the extra
   * provisioned containers into on-demand ones that idle out.
   */
  async reconfigure(change: { maxConcurrency: number; provisionedConcurrency: number }): Promise<void> {
    this.settings = { ...this.settings, ...change };
    const provisioned = this.members.filter((m) => m.provisioned);
    if (change.provisionedConcurrency > provisioned.length) {
      const started = Array.from({ length: change.provisionedConcurrency - provisioned.length }, () => this.launch(true));
      await Promise.all(started.map((s) => s.ready));
    } else {
      for (const m of provisioned.slice(change.provisionedConcurrency)) {
        m.provisioned = false;
        if (m.state === 'ready' && m.busy === 0) {
          this.armIdle(m, this.settings.idleTimeoutMs);
        }
      }
    }
  }

  async acquire(signal: AbortSignal): Promise<Lease> {
    if (this.stopped) {
      throw new NoCapacityError(`Variant ${this.variantName} is shutting down.`);
    }
    if (this.admitted.count >= this.settings.maxConcurrency) {
      this.observer.throttled?.();
      // SageMaker throttles beyond MaxConcurrency at once, never queues (docs/aws-contract.md §3.4, §7).
      throw new ThrottledError(this.variantName, this.settings.maxConcurrency);
    }
    this.admitted.enter();
    try {
      const ready = this.freeReadyMember();
      if (ready) {
        return this.lease(ready);
      }
      const joinable = this.members.find(
        (m) => m.state === 'starting' && !m.provisioned && m.waiters.length < this.settings.containerConcurrency,
      );
      return await this.wait(joinable ?? this.launch(false).member, signal);
    } catch (err) {
      this.admitted.leave();
      throw err;
    }
  }

  /** Ready containers with a free slot; provisioned ones first, then the least busy. */
  private freeReadyMember(): Member | undefined {
    let best: Member | undefined;
    for (const m of this.members) {
      if (m.state !== 'ready' || m.busy >= this.settings.containerConcurrency) {
        continue;
      }
      if (!best || (m.provisioned && !best.provisioned) || (m.provisioned === best.provisioned && m.busy < best.busy)) {
        best = m;
      }
    }
    return best;
  }

  private lease(m: Member): Lease {
    m.busy++;
    m.idleTimer?.cancel();
    m.idleTimer = undefined;
    let released = false;
    return {
      instance: m.instance,
      release: () => {
        if (released) {
          return;
        }
        released = true;
        m.busy--;
        this.admitted.leave();
        m.lastActivityAt = this.clock.now();
        this.freed(m);
      },
    };
  }

  private wait(m: Member, signal: AbortSignal): Promise<Lease> {
    return new Promise<Lease>((resolve, reject) => {
      signal.throwIfAborted();
      const waiter: Waiter = {
        member: m,
        resolve: (lease) => {
          signal.removeEventListener('abort', onAbort);
          resolve(lease);
        },
        reject: (err) => {
          signal.removeEventListener('abort', onAbort);
          reject(err);
        },
      };
      // A client that goes away frees its place; the start it triggered goes on (the container stays warm).
      const onAbort = () => {
        const list = waiter.member.waiters;
        const idx = list.indexOf(waiter);
        if (idx >= 0) {
          list.splice(idx, 1);
        }
        reject(signal.reason);
      };
      signal.addEventListener('abort', onAbort, { once: true });
      m.waiters.push(waiter);
    });
  }

  /** Starts one container; its waiters are served when it is ready, or failed when it cannot start. */
  private launch(provisioned: boolean): { member: Member; ready: Promise<void> } {
    const instance = this.factory.create(!provisioned);
    const member: Member = { instance, state: 'starting', provisioned, busy: 0, waiters: [], lastActivityAt: this.clock.now() };
    this.members.push(member);
    const t0 = this.clock.now();
    const ready = instance.start().then(
      () => {
        if (member.state !== 'starting') {
          return; // stopped while starting
        }
        member.state = 'ready';
        member.lastActivityAt = this.clock.now();
        if (provisioned) {
          this.backoff.reset();
        } else {
          this.observer.coldStart?.(this.clock.now() - t0);
        }
        for (const w of member.waiters.splice(0)) {
          w.resolve(this.lease(member));
        }
        this.freed(member);
      },
      (err: Error) => {
        this.remove(member);
        const failure = new ColdStartError(err.message, instance.instanceId);
        for (const w of member.waiters.splice(0)) {
          w.reject(failure);
        }
        void instance.stop(0);
        if (provisioned && !this.stopped) {
          // A replacement of a lost provisioned container: try again, backing off (docs/engine-design.md P7, P12).
          const delay = this.backoff.next();
          this.log.error({ err: err.message, retryInMs: delay }, 'provisioned container failed to start');
          this.clock.setTimeout(() => {
            if (!this.stopped) {
              this.launch(true);
            }
          }, delay);
        }
        throw failure;
      },
    );
    // Waiters see the failure; nobody else needs to.
    ready.catch(() => undefined);
    return { member, ready };
  }

  /** A container has a free slot: hand it to a request still waiting on a cold start, else let it idle. */
  private freed(m: Member): void {
    if (m.state !== 'ready') {
      return;
    }
    while (m.busy < this.settings.containerConcurrency) {
      const donor = this.members.find((o) => o.state === 'starting' && o.waiters.length > 0);
      const w = donor?.waiters.shift();
      if (!w) {
        break;
      }
      w.resolve(this.lease(m));
    }
    if (m.busy === 0 && !m.provisioned) {
      this.armIdle(m, this.settings.idleTimeoutMs);
    }
  }

  private armIdle(m: Member, delayMs: number): void {
    m.idleTimer?.cancel();
    m.idleTimer = this.clock.setTimeout(() => this.reap(m), delayMs);
  }

  /**
   * The reaper's check and the state change happen in one synchronous step:
   * a request admitted before it leased the container; one admitted after it
   * finds the container gone and starts another.
   */
  private reap(m: Member): void {
    m.idleTimer = undefined;
    if (m.state !== 'ready' || m.busy > 0 || m.provisioned) {
      return;
    }
    const idleFor = this.clock.now() - m.lastActivityAt;
    if (idleFor < this.settings.idleTimeoutMs) {
      this.armIdle(m, this.settings.idleTimeoutMs - idleFor);
      return;
    }
    this.remove(m);
    m.instance.log.info({ idleMs: idleFor }, 'idle container removed (scale to zero)');
    void m.instance.stop(0);
  }

  private remove(m: Member): void {
    m.state = 'draining';
    m.idleTimer?.cancel();
    m.idleTimer = undefined;
    const idx = this.members.indexOf(m);
    if (idx >= 0) {
      this.members.splice(idx, 1);
    }
  }

  reportUnreachable(instance: ModelInstance, transportError: string): Promise<string> {
    return diagnoseUnreachable(instance, transportError, (why) => this.lost(instance, why));
  }

  containerExited(event: ContainerExitEvent): boolean {
    const m = this.members.find((x) => x.instance.containerId === event.id);
    return containerExitedIn(m?.instance, event, (why) => this.lost(m!.instance, why));
  }

  /** A ready container died: forget it (the next request gets a fresh one) and refill the provisioned floor. */
  private lost(instance: ModelInstance, why: string): void {
    const m = this.members.find((x) => x.instance === instance);
    if (m?.state !== 'ready') {
      return;
    }
    this.remove(m);
    instance.retire(why);
    if (m.provisioned && !this.stopped) {
      this.launch(true);
    }
  }

  containerIds(): string[] {
    return this.members.filter((m) => m.state === 'ready' && m.instance.containerId).map((m) => m.instance.containerId!);
  }

  listInstances(): readonly ModelInstance[] {
    return this.members.map((m) => m.instance);
  }

  instanceCount(): number {
    return this.members.filter((m) => m.state === 'ready').length;
  }

  untilIdle(timeoutMs?: number): Promise<void> {
    return this.admitted.untilIdle(timeoutMs);
  }

  stats(): FleetStats {
    const s = this.snapshot();
    return {
      inFlight: s.admitted,
      maxConcurrency: this.settings.maxConcurrency,
      ...(this.settings.provisionedConcurrency > 0 ? { provisionedConcurrency: this.settings.provisionedConcurrency } : {}),
      containers: { starting: s.starting, ready: s.ready, busy: s.busy },
    };
  }

  /** Containers by state, and requests in flight: for metrics and tests. */
  snapshot(): { starting: number; ready: number; busy: number; admitted: number } {
    return {
      starting: this.members.filter((m) => m.state === 'starting').length,
      ready: this.members.filter((m) => m.state === 'ready').length,
      busy: this.members.filter((m) => m.busy > 0).length,
      admitted: this.admitted.count,
    };
  }

  async stop(graceSeconds: number): Promise<void> {
    this.stopped = true;
    const all = this.members.splice(0);
    const gone = new NoCapacityError(`Variant ${this.variantName} was stopped.`);
    for (const m of all) {
      m.state = 'draining';
      m.idleTimer?.cancel();
      for (const w of m.waiters.splice(0)) {
        w.reject(gone);
      }
    }
    await Promise.all(all.map((m) => m.instance.stop(graceSeconds)));
  }
}
