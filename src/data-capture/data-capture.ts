import type { Logger } from 'pino';
import type { VariantFleet } from '../hosting/fleet.js';
import type { Metrics } from '../observability/metrics.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { Store } from '../store/store.js';
import { type CapturedInvocation, captureKey, captureLine } from './capture-record.js';
import { type CaptureSettings, captureSettings } from './capture-settings.js';

/** Unwritten captured bytes beyond which new records are dropped (and counted), not buffered. */
export const MAX_BUFFERED_BYTES = 64 * 1024 * 1024;

interface Batch {
  settings: CaptureSettings;
  endpoint: string;
  variant: string;
  records: CapturedInvocation[];
}

export interface DataCaptureDeps {
  store: Store;
  objects: ObjectStore;
  metrics: Metrics;
  log: Logger;
  flushMs: number;
}

/**
 * Data capture (Model Monitor) for real-time endpoints. The runtime asks
 * settingsFor() per request (one WeakMap lookup, cached per fleet: a fleet's
 * config never changes; UpdateEndpoint rolls out new fleets), and hands a
 * sampled invocation to add() after its answer was sent. Records are
 * buffered per endpoint and variant and written as one JSON-lines object per
 * flush (every SME_DATA_CAPTURE_FLUSH_SECONDS) through the ObjectStore; a
 * failed write is logged and counted, never seen by an invocation.
 */
export class DataCapture {
  private readonly settings = new WeakMap<VariantFleet, CaptureSettings | null>();
  private readonly batches = new Map<string, Batch>();
  private bufferedBytes = 0;
  private readonly timer: NodeJS.Timeout;
  private flushing: Promise<void> = Promise.resolve();

  constructor(private readonly deps: DataCaptureDeps) {
    this.timer = setInterval(() => void this.flush(), deps.flushMs);
    this.timer.unref();
  }

  /** The fleet's capture settings, or undefined when it captures nothing. */
  settingsFor(fleet: VariantFleet, region: string, endpoint: string): CaptureSettings | undefined {
    let s = this.settings.get(fleet);
    if (s === undefined) {
      const record = this.deps.store.endpoints.get(region, endpoint);
      s = captureSettings(record?.config.spec.DataCaptureConfig) ?? null;
      this.settings.set(fleet, s);
    }
    return s ?? undefined;
  }

  /** Whether this invocation is sampled (InitialSamplingPercentage). */
  sampled(s: CaptureSettings): boolean {
    return s.samplingPercentage >= 100 || Math.random() * 100 < s.samplingPercentage;
  }

  /** Buffers one captured invocation; drops it (counted) when the buffer is full. */
  add(s: CaptureSettings, c: CapturedInvocation): void {
    const size = (c.input?.body.length ?? 0) + (c.output?.body.length ?? 0);
    if (this.bufferedBytes + size > MAX_BUFFERED_BYTES) {
      this.deps.metrics.dataCapture(c.endpoint, c.variant, 'dropped');
      return;
    }
    this.bufferedBytes += size;
    const key = `${c.endpoint}\0${c.variant}\0${s.destination}`;
    let batch = this.batches.get(key);
    if (!batch) {
      batch = { settings: s, endpoint: c.endpoint, variant: c.variant, records: [] };
      this.batches.set(key, batch);
    }
    batch.records.push(c);
  }

  /** Writes every buffered batch, one object each; resolves when they are written (or failed). */
  flush(): Promise<void> {
    const batches = [...this.batches.values()];
    this.batches.clear();
    this.bufferedBytes = 0;
    const run = this.flushing.then(() => Promise.all(batches.map((b) => this.write(b)))).then(() => undefined);
    this.flushing = run;
    return run;
  }

  /** Stops the timer and writes what is buffered (shutdown). */
  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private async write(b: Batch): Promise<void> {
    const body = `${b.records.map((r) => captureLine(r, b.settings)).join('\n')}\n`;
    const key = captureKey(b.settings, b.endpoint, b.variant, b.records[0]!.time);
    try {
      await this.deps.objects.put(b.settings.bucket, key, Buffer.from(body), 'application/jsonl');
      this.deps.metrics.dataCapture(b.endpoint, b.variant, 'written', b.records.length);
      this.deps.log.debug({ endpoint: b.endpoint, variant: b.variant, key, records: b.records.length }, 'data capture written');
    } catch (err) {
      this.deps.metrics.dataCapture(b.endpoint, b.variant, 'writeError');
      this.deps.log.warn(
        { endpoint: b.endpoint, variant: b.variant, destination: `s3://${b.settings.bucket}/${key}`, records: b.records.length, err: (err as Error).message },
        'data capture could not be written; its records are lost',
      );
    }
  }
}
