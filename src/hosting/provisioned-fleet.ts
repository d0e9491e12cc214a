import type { Logger } from 'pino';
import type { ContainerExitEvent } from '../docker/container-client.js';
import { sleepOn } from '../shared/clock.js';
import { Backoff } from './backoff.js';
import { NoCapacityError } from './errors.js';
import type { FleetStats, Lease, VariantFleet } from './fleet.js';
import { containerExitedIn, diagnoseUnreachable, startAllOrUndo } from './fleet-instances.js';
import { InFlightCounter } from './in-flight.js';
import { type InstanceEnv, type InstanceSpec, ModelInstance } from './model-instance.js';
import { pickInstanceForModel } from './multi-model/model-routing.js';
import type { Billing } from './pricing.js';

/** InvokeEndpoint's real-time payload limit: 6 MiB (docs/aws-contract.md §7). */
export const REALTIME_MAX_PAYLOAD = 6_291_456;

/** Seconds a scaled-in instance gets between SIGTERM and SIGKILL, once its requests are done. */
const SCALE_IN_GRACE_SECONDS = 5;

/** How many times a scale-out instance whose container was killed while starting is started again. */
const KILLED_START_RETRIES = 3;

/** SIGKILL's exit code: `docker kill` (or the OOM killer, which Docker reports separately). */
const KILLED_EXIT_CODE = 137;

/**
 * A provisioned variant: InitialInstanceCount containers, kept at that count.
 * Requests go round robin across ready instances; an instance that dies is
 * removed and replaced, and requests arriving meanwhile wait for it.
 */
export class ProvisionedFleet implements VariantFleet {
  readonly maxPayloadBytes = REALTIME_MAX_PAYLOAD;
  readonly multiModel: boolean;
  private readonly instances: ModelInstance[] = [];
  /** Starts in progress (replacements and scale-out instances): a request finding no ready instance waits on them. */
  private readonly replacements = new Set<Promise<unknown>>();
  private readonly requests: InFlightCounter;
  private readonly backoff = new Backoff();
  private next = 0;
  private stopped = false;
  /** Replacements started that have not added their instance yet (or are backing off). */
  private pendingReplacements = 0;
  /** Set while the Docker engine does not answer (see docker-watch.ts): requests fail fast instead of waiting. */
  private engineDown: string | undefined;
  /** Aborted when the engine returns: replacements backing off try again at once. */
  private wake = new AbortController();
  /** Settles when the engine is found lost: requests waiting for a replacement stop waiting. */
  private engineLostNotice = notice();
  private readonly log: Logger;
  /** Told when a request slot frees or an instance becomes ready (the async workers wait on it). */
  private readonly capacityListeners = new Set<() => void>();

  constructor(
    readonly variantName: string,
    readonly billing: Billing,
    private count: number,
    private readonly spec: InstanceSpec,
    private readonly env: InstanceEnv,
  ) {
    this.log = env.log.child({ endpoint: spec.endpointName, variant: variantName });
    this.requests = new InFlightCounter(env.clock);
    this.multiModel = spec.multiModel !== undefined;
  }

  async start(): Promise<void> {
    const starting = this.add(this.count);
    await startAllOrUndo(
      starting.map((i) => i.start()),
      () => this.stop(0),
    );
    this.capacityChanged();
  }

  private add(n: number): ModelInstance[] {
    const added = Array.from({ length: n }, () => new ModelInstance(this.spec, this.env));
    this.instances.push(...added);
    return added;
  }

  /**
   * UpdateEndpointWeightsAndCapacities: grow by starting instances (they take
   * traffic once healthy), or shrink by taking instances out of rotation and
   * stopping them once their requests are done. Rejects if new instances fail.
   */
  async scaleTo(count: number): Promise<void> {
    const live = this.live();
    this.count = count;
    if (count > live.length) {
      const starts = Array.from({ length: count - live.length }, () => this.track(this.startScaleOut()));
      const results = await Promise.allSettled(starts);
      const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failure) {
        // The ones that did start go again: the caller rolls the variant back to what it had.
        const started = results.flatMap((r) => (r.status === 'fulfilled' ? [r.value] : []));
        await Promise.all(
          started.map((i) => {
            this.forget(i);
            return i.stop(0);
          }),
        );
        throw failure.reason;
      }
      this.log.info({ instances: count }, 'variant scaled out');
      this.capacityChanged();
    } else if (count < live.length) {
      // Starting instances go first (they serve nobody yet), then the least busy; they leave the
      // rotation at once and stop when idle. A replacement that is cancelled here is not started
      // again: the fleet is already at its new count (see startReplacement).
      const rank = (i: ModelInstance) => (i.status === 'Starting' ? -1 : i.inFlight);
      const leaving = [...live].sort((a, b) => rank(a) - rank(b)).slice(0, live.length - count);
      for (const i of leaving) {
        this.forget(i);
      }
      await Promise.all(
        leaving.map(async (i) => {
          await i.requests.untilIdle();
          await i.stop(SCALE_IN_GRACE_SECONDS);
        }),
      );
      this.log.info({ instances: count }, 'variant scaled in');
    }
    // Instances lost while the resize ran (a kill during the scale-out or scale-in) are made up for,
    // and the resize ends once the fleet is whole: CurrentInstanceCount is read from it then.
    this.refill('the fleet is short after a resize');
    await this.untilConverged();
  }

  /**
   * Resolves once `count` instances are ready, or when no start is in
   * progress any more (a replacement backing off counts as in progress), or
   * after the start-up timeout: the caller reads the count, it never waits forever.
   */
  async untilConverged(): Promise<void> {
    const signal = AbortSignal.timeout(this.spec.startupTimeoutMs + 5_000);
    while (!this.stopped && this.instanceCount() < this.count && this.replacements.size > 0 && !signal.aborted) {
      await untilOneSettles([...this.replacements], signal).catch(() => undefined);
    }
  }

  /**
   * One scale-out instance. A container killed from outside while it starts
   * (exit 137, not an OOM) is started again, a few times: the kill says
   * nothing about the model. Any other failure (the image cannot run, the
   * model crashes, /ping never passes) fails the scale-out.
   */
  private async startScaleOut(): Promise<ModelInstance> {
    for (let attempt = 0; ; attempt++) {
      const [instance] = this.add(1);
      try {
        await instance!.start();
        return instance!;
      } catch (err) {
        // Forgotten and re-added with no await in between, so a refill running meanwhile never sees the slot empty.
        this.forget(instance!);
        void instance!.stop(0);
        const killed = instance!.exit?.exitCode === KILLED_EXIT_CODE && !instance!.exit.oom;
        if (this.stopped || !killed || attempt >= KILLED_START_RETRIES) {
          throw err;
        }
        this.log.warn({ instance: instance!.instanceId }, 'scale-out container was killed while starting; starting another');
      }
    }
  }

  /** Instances in the rotation or on their way into it. */
  private live(): ModelInstance[] {
    return this.instances.filter((i) => i.status === 'Ready' || i.status === 'Starting');
  }

  /** Keeps a start in `replacements` while it runs (requests with no ready instance wait on it). */
  private track<T>(start: Promise<T>): Promise<T> {
    const tracked: Promise<T> = start.finally(() => this.replacements.delete(tracked));
    this.replacements.add(tracked);
    return tracked;
  }

  /**
   * Starts replacements until the fleet holds its desired count again. Every
   * path that loses an instance ends here, so the fleet converges whatever
   * overlaps (a kill during a scale-in, a start cancelled by a resize).
   */
  private refill(why: string): void {
    if (this.stopped) {
      return;
    }
    const missing = this.count - this.live().length - this.pendingReplacements;
    for (let n = 0; n < missing; n++) {
      this.log.warn({ why, desired: this.count }, 'starting a replacement instance');
      this.pendingReplacements++;
      void this.track(this.startReplacement());
    }
  }

  private forget(instance: ModelInstance): void {
    const idx = this.instances.indexOf(instance);
    if (idx >= 0) {
      this.instances.splice(idx, 1);
    }
  }

  async acquire(signal: AbortSignal, targetModel?: string): Promise<Lease> {
    for (;;) {
      const ready = this.instances.filter((i) => i.status === 'Ready');
      if (ready.length > 0) {
        const chosen = this.multiModel && targetModel !== undefined ? pickInstanceForModel(ready, targetModel) : undefined;
        return this.lease(chosen ?? ready[this.next++ % ready.length]!);
      }
      if (this.stopped || this.replacements.size === 0) {
        throw new NoCapacityError(`No instance of variant ${this.variantName} is available.`);
      }
      if (this.engineDown !== undefined) {
        // No container can start until the engine returns: ServiceUnavailable now beats a wait of unknown length.
        throw new NoCapacityError(`No instance of variant ${this.variantName} is available: the Docker engine is unreachable (${this.engineDown}).`);
      }
      // Every instance is down and replacements are starting: wait for one.
      await untilOneSettles([...this.replacements, this.engineLostNotice.promise], signal);
    }
  }

  /**
   * Async inference's admission (docs/aws-contract.md §8.3): a lease on the
   * least busy ready instance that has fewer than `maxPerInstance` requests in
   * flight, or undefined at once when none has (or the variant has no
   * instance: scaled to zero). Never waits; `onCapacity` says when to try again.
   */
  tryAcquire(maxPerInstance: number): Lease | undefined {
    let best: ModelInstance | undefined;
    for (const i of this.instances) {
      if (i.status === 'Ready' && i.inFlight < maxPerInstance && (!best || i.inFlight < best.inFlight)) {
        best = i;
      }
    }
    return best ? this.lease(best) : undefined;
  }

  /** Calls `listener` whenever a request slot frees or an instance becomes ready; returns the unsubscribe. */
  onCapacity(listener: () => void): () => void {
    this.capacityListeners.add(listener);
    return () => this.capacityListeners.delete(listener);
  }

  private capacityChanged(): void {
    for (const l of [...this.capacityListeners]) {
      l();
    }
  }

  private lease(instance: ModelInstance): Lease {
    instance.requests.enter();
    this.requests.enter();
    let released = false;
    return {
      instance,
      release: () => {
        if (released) {
          return;
        }
        released = true;
        instance.requests.leave();
        this.requests.leave();
        instance.lastActivityAt = this.env.clock.now();
        if (this.capacityListeners.size > 0) {
          this.capacityChanged();
        }
      },
    };
  }

  reportUnreachable(instance: ModelInstance, transportError: string): Promise<string> {
    return diagnoseUnreachable(instance, transportError, (why) => this.replace(instance, why));
  }

  containerExited(event: ContainerExitEvent): boolean {
    const instance = this.instances.find((i) => i.containerId === event.id);
    return containerExitedIn(instance, event, (why) => this.replace(instance!, why));
  }

  /** Removes a lost instance and starts another in its place (retrying with back-off). */
  private replace(lost: ModelInstance, why: string): void {
    if (!this.instances.includes(lost) || this.stopped) {
      return;
    }
    this.forget(lost);
    lost.retire(why);
    this.refill(why);
  }

  /**
   * One replacement: starts instances (with back-off) until one is ready, or
   * until the fleet no longer needs it (a scale-in came meanwhile, or the
   * fleet stopped). Counted in `pendingReplacements` until it has added its
   * instance, so that two losses at once start two, not four.
   */
  private async startReplacement(): Promise<void> {
    let counted = true;
    const uncount = () => {
      if (counted) {
        counted = false;
        this.pendingReplacements--;
      }
    };
    try {
      while (!this.stopped) {
        uncount();
        if (this.live().length >= this.count) {
          return;
        }
        const [instance] = this.add(1);
        try {
          await instance!.start();
          this.backoff.reset();
          this.log.info({ instance: instance!.instanceId }, 'replacement instance ready');
          this.capacityChanged();
          return;
        } catch (err) {
          this.forget(instance!);
          await instance!.stop(0);
          if (this.stopped || this.live().length >= this.count) {
            return;
          }
          // Counted again while waiting, so that a loss during the back-off does not start a second one.
          this.pendingReplacements++;
          counted = true;
          const delay = this.backoff.next();
          this.log.error({ err: (err as Error).message, retryInMs: delay }, 'replacement instance failed to start');
          await sleepOn(this.env.clock, delay, this.wake.signal).catch(() => undefined);
        }
      }
    } finally {
      uncount();
    }
  }

  /** The Docker engine stopped answering (docker-watch.ts). */
  engineLost(error: string): void {
    this.engineDown = error;
    this.engineLostNotice.resolve();
  }

  /**
   * The engine answers again: containers that went down with it (their die
   * events were lost with the event stream) are replaced, and replacements
   * backing off try again at once.
   */
  async engineReturned(): Promise<void> {
    this.engineDown = undefined;
    this.engineLostNotice = notice();
    this.backoff.reset();
    const woken = this.wake;
    this.wake = new AbortController();
    woken.abort();
    for (const i of [...this.instances]) {
      if (!i.containerId) {
        continue;
      }
      const state = await this.env.docker.state(i.containerId).catch(() => undefined);
      if (!state?.running) {
        this.containerExited({ id: i.containerId, exitCode: state?.exitCode, oom: false });
      }
    }
    this.refill('the Docker engine returned');
  }

  stats(): FleetStats {
    let busy = 0;
    let starting = 0;
    let ready = 0;
    let loadedModels = 0;
    for (const i of this.instances) {
      busy += i.inFlight > 0 ? 1 : 0;
      starting += i.status === 'Starting' ? 1 : 0;
      ready += i.status === 'Ready' ? 1 : 0;
      loadedModels += i.models?.loadedCount() ?? 0;
    }
    return { inFlight: this.requests.count, containers: { starting, ready, busy }, ...(this.multiModel ? { loadedModels } : {}) };
  }

  untilIdle(timeoutMs?: number): Promise<void> {
    return this.requests.untilIdle(timeoutMs);
  }

  containerIds(): string[] {
    return this.instances.filter((i) => i.status === 'Ready' && i.containerId).map((i) => i.containerId!);
  }

  listInstances(): readonly ModelInstance[] {
    return [...this.instances];
  }

  instanceCount(): number {
    return this.instances.filter((i) => i.status === 'Ready').length;
  }

  async stop(graceSeconds: number): Promise<void> {
    this.stopped = true;
    const all = this.instances.splice(0);
    await Promise.all(all.map((i) => i.stop(graceSeconds)));
  }
}

/** A promise and its resolve, for a one-time notice. */
function notice(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
}

/** Waits until one of `promises` settles (whichever way), or rejects when the signal aborts. */
function untilOneSettles(promises: Promise<unknown>[], signal: AbortSignal): Promise<void> {
  signal.throwIfAborted();
  return new Promise<void>((resolve, reject) => {
    const onAbort = () => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    const settle = () => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    };
    for (const p of promises) {
      p.then(settle, settle);
    }
  });
}
