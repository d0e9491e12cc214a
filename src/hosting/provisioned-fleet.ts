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

/**
 * A provisioned variant: InitialInstanceCount containers, kept at that count.
 * Requests go round robin across ready instances; an instance that dies is
 * removed and replaced, and requests arriving meanwhile wait for it.
 */
export class ProvisionedFleet implements VariantFleet {
  readonly maxPayloadBytes = REALTIME_MAX_PAYLOAD;
  readonly multiModel: boolean;
  private readonly instances: ModelInstance[] = [];
  private readonly replacements = new Set<Promise<void>>();
  private readonly requests: InFlightCounter;
  private readonly backoff = new Backoff();
  private next = 0;
  private stopped = false;
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
    const live = this.instances.filter((i) => i.status === 'Ready' || i.status === 'Starting');
    this.count = count;
    if (count > live.length) {
      const added = this.add(count - live.length);
      await startAllOrUndo(
        added.map((i) => i.start()),
        () =>
          Promise.all(
            added.map((i) => {
              this.forget(i);
              return i.stop(0);
            }),
          ),
      );
      this.log.info({ instances: count }, 'variant scaled out');
      this.capacityChanged();
    } else if (count < live.length) {
      // The least busy go first; they leave the rotation at once and stop when idle.
      const leaving = [...live].sort((a, b) => a.inFlight - b.inFlight).slice(0, live.length - count);
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
      // Every instance is down and replacements are starting: wait for one.
      await untilOneSettles([...this.replacements], signal);
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
    const replacement = this.startReplacement().finally(() => this.replacements.delete(replacement));
    this.replacements.add(replacement);
  }

  private async startReplacement(): Promise<void> {
    while (!this.stopped) {
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
        if (this.stopped) {
          return;
        }
        const delay = this.backoff.next();
        this.log.error({ err: (err as Error).message, retryInMs: delay }, 'replacement instance failed to start');
        await sleepOn(this.env.clock, delay);
      }
    }
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
