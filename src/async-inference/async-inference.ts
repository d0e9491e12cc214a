import type { AsyncBacklogSnapshot } from '../observability/metrics.js';
import { asyncSettingsOf } from './async-settings.js';
import { EndpointWorker, type WorkerDeps } from './endpoint-worker.js';
import type { NewAsyncRequest } from './request-queue.js';

/** One endpoint's key in the maps below: names are unique per region, and no name holds a NUL. */
const keyOf = (region: string, endpoint: string) => `${region}\u0000${endpoint}`;

/**
 * Asynchronous inference (docs/aws-contract.md §3.2, §8.3): the persistent
 * queue, one worker per endpoint that has requests, and the TTL timer. The
 * runtime plane submits; hosting's capacity events and the queue drive the
 * workers; the gauges read `backlog()` at scrape time.
 */
export class AsyncInference {
  private readonly workers = new Map<string, EndpointWorker>();
  private expiryTimer: { at: number; cancel(): void } | undefined;
  private stopped = false;

  constructor(private readonly deps: WorkerDeps) {}

  /**
   * At start-up: requests a crash left running go back to the queue (they run
   * again: at-least-once, docs/aws-contract.md §8.3), and every endpoint with a
   * queue gets its worker. Call after hosting.restore().
   */
  start(): void {
    for (const r of this.deps.queue.recover()) {
      this.deps.log.info({ endpoint: r.endpoint, inferenceId: r.inferenceId }, 'async request was in flight at the last stop; it runs again');
    }
    this.expire();
    for (const { region, endpoint } of this.deps.queue.endpointsWithQueue()) {
      this.worker(region, endpoint).wake();
    }
  }

  /** Commits an accepted request and wakes its endpoint's worker. */
  submit(r: NewAsyncRequest): void {
    this.deps.queue.enqueue(r);
    this.scheduleExpiry(r.expiresAt);
    this.worker(r.region, r.endpoint).wake();
  }

  private worker(region: string, endpoint: string): EndpointWorker {
    const key = keyOf(region, endpoint);
    let w = this.workers.get(key);
    if (!w) {
      w = new EndpointWorker(this.deps, region, endpoint);
      this.workers.set(key, w);
    }
    return w;
  }

  /** Expires what outlived its RequestTTLSeconds in the queue, then sets the timer for the next one. */
  private expire(): void {
    this.expiryTimer = undefined;
    if (this.stopped) {
      return;
    }
    const now = this.deps.clock.now();
    for (const req of this.deps.queue.expireDue(now)) {
      const record = this.deps.store.endpoints.get(req.region, req.endpoint);
      const settings = record && asyncSettingsOf(record);
      const variant = record?.variants[0]?.VariantName ?? 'AllTraffic';
      this.deps.metrics.asyncEvent(req.endpoint, variant, 'expired');
      this.deps.log.info({ endpoint: req.endpoint, inferenceId: req.inferenceId, ttlSeconds: (req.expiresAt - req.receivedAt) / 1000 }, 'async request expired in the queue');
      if (settings) {
        // An expired request gets the error notification, as any failed one; no failure file (it never ran).
        void this.deps.notifications.failure(req, settings, variant, {
          reason: `ClientError: Request expired in the queue after ${Math.round((req.expiresAt - req.receivedAt) / 1000)} seconds (RequestTTLSeconds).`,
        });
      }
    }
    const next = this.deps.queue.nextExpiry();
    if (next !== undefined) {
      this.scheduleExpiry(next);
    }
  }

  private scheduleExpiry(at: number): void {
    if (this.stopped || (this.expiryTimer && this.expiryTimer.at <= at)) {
      return;
    }
    this.expiryTimer?.cancel();
    const timer = this.deps.clock.setTimeout(() => this.expire(), Math.max(0, at - this.deps.clock.now()));
    this.expiryTimer = { at, cancel: () => timer.cancel() };
  }

  /** Each endpoint's queue for the gauges (docs/aws-contract.md §9.5); an async endpoint with an empty queue shows 0. */
  backlog(): AsyncBacklogSnapshot[] {
    const now = this.deps.clock.now();
    const byEndpoint = new Map<string, AsyncBacklogSnapshot>();
    for (const { region, doc } of this.deps.store.endpoints.all()) {
      if (doc.config.spec.AsyncInferenceConfig) {
        byEndpoint.set(keyOf(region, doc.name), { endpoint: doc.name, size: 0, oldestAgeSeconds: 0, withoutCapacity: false, instances: this.instances(region, doc.name) });
      }
    }
    for (const b of this.deps.queue.backlog()) {
      const instances = this.instances(b.region, b.endpoint);
      byEndpoint.set(keyOf(b.region, b.endpoint), {
        endpoint: b.endpoint,
        size: b.size,
        oldestAgeSeconds: Math.max(0, (now - b.oldestReceivedAt) / 1000),
        withoutCapacity: b.size > 0 && instances === 0,
        instances,
      });
    }
    return [...byEndpoint.values()];
  }

  private instances(region: string, endpoint: string): number {
    const deployment = this.deps.hosting.get(region, endpoint);
    return [...(deployment?.fleets.values() ?? [])].reduce((n, f) => n + f.instanceCount(), 0);
  }

  /** DeleteEndpoint: the endpoint's worker stops and its requests are dropped. */
  async drop(region: string, endpoint: string): Promise<void> {
    const key = keyOf(region, endpoint);
    const w = this.workers.get(key);
    this.workers.delete(key);
    const dropped = this.deps.queue.drop(region, endpoint);
    await w?.stop();
    // What was running is gone from the table too: stopping cannot bring it back.
    this.deps.queue.drop(region, endpoint);
    if (dropped > 0) {
      this.deps.log.info({ endpoint, dropped }, 'async requests of a deleted endpoint dropped');
    }
  }

  /** POST /_emulator/reset: every worker stops, every request is forgotten. */
  async clear(): Promise<void> {
    const workers = [...this.workers.values()];
    this.workers.clear();
    this.deps.queue.clear();
    await Promise.all(workers.map((w) => w.stop()));
    this.deps.queue.clear();
  }

  /** Shutdown: workers stop; requests in flight go back to the queue for the next start. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.expiryTimer?.cancel();
    this.expiryTimer = undefined;
    const workers = [...this.workers.values()];
    this.workers.clear();
    await Promise.all(workers.map((w) => w.stop()));
  }
}
