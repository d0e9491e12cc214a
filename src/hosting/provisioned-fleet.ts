import type { Logger } from 'pino';
import type { ContainerExitEvent } from '../docker/container-client.js';
import { AwsError } from '../protocol/aws-error.js';
import type { FleetStats, Lease, VariantFleet } from './fleet.js';
import type { Billing } from './pricing.js';
import { type InstanceEnv, type InstanceSpec, ModelInstance, untilIdle } from './model-instance.js';

/** InvokeEndpoint's real-time payload limit: 6 MiB (docs/aws-contract.md §7). */
export const REALTIME_MAX_PAYLOAD = 6_291_456;

/**
 * A provisioned variant: InitialInstanceCount containers, kept at that count.
 * Requests go round robin across ready instances; an instance that dies is
 * removed and replaced, and requests arriving meanwhile wait for it.
 */
export class ProvisionedFleet implements VariantFleet {
  readonly maxPayloadBytes = REALTIME_MAX_PAYLOAD;
  private readonly instances: ModelInstance[] = [];
  private readonly replacements = new Set<Promise<void>>();
  private next = 0;
  private stopped = false;
  private readonly log: Logger;

  constructor(
    readonly variantName: string,
    readonly billing: Billing,
    private count: number,
    private readonly spec: InstanceSpec,
    private readonly env: InstanceEnv,
  ) {
    this.log = env.log.child({ endpoint: spec.endpointName, variant: variantName });
  }

  async start(): Promise<void> {
    const starting = Array.from({ length: this.count }, () => new ModelInstance(this.spec, this.env));
    this.instances.push(...starting);
    const results = await Promise.allSettled(starting.map((i) => i.start()));
    const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failure) {
      await this.stop(0);
      throw failure.reason;
    }
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
      const added = Array.from({ length: count - live.length }, () => new ModelInstance(this.spec, this.env));
      this.instances.push(...added);
      const results = await Promise.allSettled(added.map((i) => i.start()));
      const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
      if (failure) {
        for (const i of added) {
          this.forget(i);
        }
        await Promise.all(added.map((i) => i.stop(0)));
        throw failure.reason;
      }
      this.log.info({ instances: count }, 'variant scaled out');
    } else if (count < live.length) {
      // The least busy go first; they leave the rotation at once and stop when idle.
      const leaving = [...live].sort((a, b) => a.inFlight - b.inFlight).slice(0, live.length - count);
      for (const i of leaving) {
        this.forget(i);
      }
      await Promise.all(
        leaving.map(async (i) => {
          await untilIdle(() => i.inFlight);
          await i.stop(5);
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

  async acquire(signal: AbortSignal): Promise<Lease> {
    for (;;) {
      const ready = this.instances.filter((i) => i.status === 'Ready');
      if (ready.length > 0) {
        const instance = ready[this.next++ % ready.length]!;
        instance.inFlight++;
        return {
          instance,
          release: () => {
            instance.inFlight--;
            instance.lastActivityAt = Date.now();
          },
        };
      }
      if (this.stopped || this.replacements.size === 0) {
        throw new AwsError('ServiceUnavailable', `No instance of variant ${this.variantName} is available.`, {
          status: 503,
        });
      }
      // Every instance is down and replacements are starting: wait for one.
      await Promise.race([...this.replacements, abortPromise(signal)]);
    }
  }

  async reportUnreachable(instance: ModelInstance, transportError: string): Promise<string> {
    const { dead, detail } = await instance.diagnose(transportError);
    if (dead && instance.status !== 'Stopping' && instance.status !== 'Stopped') {
      this.replace(instance, detail);
    }
    return detail;
  }

  containerExited(event: ContainerExitEvent): boolean {
    const instance = this.instances.find((i) => i.containerId === event.id);
    if (!instance) {
      return false;
    }
    const wasReady = instance.status === 'Ready';
    instance.markExited(event);
    if (wasReady && !event.oom) {
      this.replace(instance, `container exited with code ${event.exitCode ?? 'unknown'}`);
    }
    return true;
  }

  /** Removes a dead instance and starts another in its place (retrying with back-off). */
  private replace(dead: ModelInstance, why: string): void {
    if (!this.instances.includes(dead) || this.stopped) {
      return;
    }
    this.forget(dead);
    dead.log.warn({ why }, 'instance down; replacing it');
    void dead.lastLogLines().then((tail) => {
      if (tail) {
        dead.log.warn({ logs: tail }, 'last log lines of the failed container');
      }
      return dead.stop(0);
    });
    const replacement = this.startReplacement(1).finally(() => this.replacements.delete(replacement));
    this.replacements.add(replacement);
  }

  private async startReplacement(attempt: number): Promise<void> {
    if (this.stopped) {
      return;
    }
    const instance = new ModelInstance(this.spec, this.env);
    this.instances.push(instance);
    try {
      await instance.start();
      this.log.info({ instance: instance.instanceId }, 'replacement instance ready');
    } catch (err) {
      this.forget(instance);
      await instance.stop(0);
      if (this.stopped) {
        return;
      }
      this.log.error({ err: (err as Error).message, attempt }, 'replacement instance failed to start');
      // Back off so that a crash-looping image does not hammer Docker (docs/engine-design.md P7).
      await new Promise((r) => setTimeout(r, Math.min(30_000, 500 * 2 ** attempt)));
      return this.startReplacement(attempt + 1);
    }
  }

  stats(): FleetStats {
    let inFlight = 0;
    let busy = 0;
    let starting = 0;
    let ready = 0;
    for (const i of this.instances) {
      inFlight += i.inFlight;
      busy += i.inFlight > 0 ? 1 : 0;
      starting += i.status === 'Starting' ? 1 : 0;
      ready += i.status === 'Ready' ? 1 : 0;
    }
    return { inFlight, containers: { starting, ready, busy } };
  }

  containerIds(): string[] {
    return this.instances.filter((i) => i.status === 'Ready' && i.containerId).map((i) => i.containerId!);
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

/** Rejects when the signal aborts; never settles otherwise. */
export function abortPromise(signal: AbortSignal): Promise<never> {
  return new Promise((_, reject) => {
    signal.throwIfAborted();
    signal.addEventListener('abort', () => reject(signal.reason), { once: true });
  });
}
