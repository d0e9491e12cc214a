import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Clock } from '../../shared/clock.js';
import { ArtifactError, ArtifactNotFoundError, type ArtifactSource, fetchModelData } from '../artifacts.js';
import type { ContainerRequest, ContainerResponse } from '../container-call.js';
import { ModelLoadError, ModelNotReadyError, TargetModelDataError } from '../errors.js';
import { diskUsage } from './disk-usage.js';
import { targetModelUrl } from './model-location.js';
import { containerModelName } from './model-names.js';

/** How a multi-model variant treats its models (docs/aws-contract.md §8.2). */
export interface MultiModelSpec {
  /** The model's ModelDataUrl: the prefix every TargetModel is relative to. */
  prefix: string;
  /** ModelCacheSetting: Enabled keeps models loaded; Disabled unloads and deletes each one after its invocation. */
  cacheEnabled: boolean;
  /** Disk an instance may fill with downloaded models; beyond it the least recently used go. */
  diskLimitBytes: number;
  /** How long a request waits for a download and load before ModelNotReadyException (60 s on SageMaker). */
  loadWaitMs: number;
  source: ArtifactSource;
  events: ModelCacheEvents;
}

/** What the cache reports for the MME metrics (docs/aws-contract.md §9.2), per variant. */
export interface ModelCacheEvents {
  hit(): void;
  miss(): void;
  waited(seconds: number): void;
  downloaded(seconds: number): void;
  loaded(seconds: number): void;
  unloaded(seconds: number): void;
}

/** A request's hold on a loaded model: the path to invoke it at; release() once the answer is written. */
export interface ModelUse {
  readonly invokePath: string;
  release(): void;
}

interface ModelEntry {
  readonly target: string;
  /** Its name in the container: the directory under /opt/ml/models and the {model_name} of the routes. */
  readonly name: string;
  onDisk: boolean;
  diskBytes: number;
  loaded: boolean;
  /** When a request last let go of it, as a sequence number: the lowest is the least recently used. */
  lastUsed: number;
  /** Requests waiting for it or invoking it: such a model is never unloaded or deleted. */
  users: number;
  /** The download and load in progress, shared by every request that wants the model (single-flight). */
  pending?: Promise<void>;
  /** An unload in progress: a load of the same model waits for it. */
  leaving?: Promise<void>;
}

/**
 * SageMaker lets a load go on for 360 s after the request that started it
 * gave up at 60 s (docs/aws-contract.md §8.2, [DG:invoke-multi-model-endpoint]).
 */
const LOAD_TIMEOUT_MS = 360_000;
const UNLOAD_TIMEOUT_MS = 60_000;
/** Each 507 unloads one model and tries again; a container that keeps refusing is not retried forever. */
const MAX_LOAD_ATTEMPTS = 20;

/**
 * The models of one instance of a multi-model variant: which are on its disk
 * (`dir`, mounted as /opt/ml/models) and which its container has loaded.
 * A model is downloaded once per instance and loaded through the container's
 * /models API; concurrent first requests share one download and one load. A
 * 507 from the container unloads the least recently used model and retries;
 * disk use beyond the limit deletes the least recently used from disk.
 */
export class InstanceModels {
  private readonly entries = new Map<string, ModelEntry>();
  private uses = 0;
  /** Loads and unloads outlive the request that caused them: they stop only with the instance. */
  private readonly lifetime = new AbortController();

  constructor(
    private readonly spec: MultiModelSpec,
    /** Host directory mounted as the container's /opt/ml/models. */
    readonly dir: string,
    private readonly call: (request: ContainerRequest) => Promise<ContainerResponse>,
    private readonly log: Logger,
    private readonly clock: Clock,
  ) {}

  /** Loaded, or being loaded: routing sends the model's requests to this instance. */
  has(target: string): boolean {
    const e = this.entries.get(target);
    return e !== undefined && (e.loaded || e.pending !== undefined);
  }

  /** The TargetModels loaded in the container now (the console's view of an instance). */
  loadedTargets(): string[] {
    return [...this.entries.values()].filter((e) => e.loaded).map((e) => e.target);
  }

  loadedCount(): number {
    let n = 0;
    for (const e of this.entries.values()) {
      n += e.loaded ? 1 : 0;
    }
    return n;
  }

  /**
   * The model, loaded: at once on a cache hit; otherwise after the shared
   * download and load. Rejects with ModelNotReadyError once `loadWaitMs` has
   * passed (the load goes on), TargetModelDataError, ModelLoadError, or
   * the signal's reason when the client goes away.
   */
  async use(target: string, signal: AbortSignal): Promise<ModelUse> {
    let entry = this.entries.get(target);
    if (!entry) {
      entry = { target, name: containerModelName(target), onDisk: false, diskBytes: 0, loaded: false, lastUsed: 0, users: 0 };
      this.entries.set(target, entry);
    }
    entry.users++;
    if (entry.loaded && !entry.pending && !entry.leaving) {
      this.spec.events.hit();
      return this.hold(entry);
    }
    this.spec.events.miss();
    // Durations for the metrics come from the monotonic high-resolution clock; `clock` is for timers and LRU order.
    const started = performance.now();
    try {
      entry.pending ??= this.bringIn(entry)
        .catch((err: Error) => {
          this.log.warn({ model: target, err: err.message }, 'model could not be made ready');
          throw err;
        })
        .finally(() => (entry.pending = undefined));
      await waitAtMost(entry.pending, this.spec.loadWaitMs, signal, this.clock, () => new ModelNotReadyError(target, this.spec.loadWaitMs));
    } catch (err) {
      this.done(entry);
      throw err;
    } finally {
      this.spec.events.waited((performance.now() - started) / 1000);
    }
    return this.hold(entry);
  }

  private hold(entry: ModelEntry): ModelUse {
    let released = false;
    return {
      invokePath: `/models/${encodeURIComponent(entry.name)}/invoke`,
      release: () => {
        if (!released) {
          released = true;
          this.done(entry);
        }
      },
    };
  }

  /** A request is done with the model: with caching disabled, the last one out unloads and deletes it. */
  private done(entry: ModelEntry): void {
    entry.users--;
    entry.lastUsed = ++this.uses;
    if (entry.users > 0 || entry.pending) {
      return;
    }
    if (!entry.loaded && !entry.onDisk && !entry.leaving) {
      // Nothing of it is left (a failed download, say): no need to remember it.
      this.entries.delete(entry.target);
    } else if (!this.spec.cacheEnabled) {
      void this.evict(entry, 'ModelCacheSetting is Disabled').catch((err: Error) =>
        this.log.warn({ model: entry.target, err: err.message }, 'could not unload model'),
      );
    }
  }

  /** The container said it does not have the model (404 to an invoke): the next request loads it again. */
  forget(target: string): void {
    const e = this.entries.get(target);
    if (e) {
      e.loaded = false;
    }
  }

  private async bringIn(entry: ModelEntry): Promise<void> {
    while (entry.leaving) {
      await entry.leaving;
    }
    if (!entry.onDisk) {
      await this.download(entry);
    }
    if (!entry.loaded) {
      await this.load(entry);
    }
  }

  private async download(entry: ModelEntry): Promise<void> {
    const url = targetModelUrl(this.spec.prefix, entry.target);
    if (url === undefined) {
      throw new TargetModelDataError(entry.target, `Target model ${entry.target} is not under the model data prefix ${this.spec.prefix}.`);
    }
    const started = performance.now();
    try {
      await fetchModelData(url, path.join(this.dir, entry.name, 'model'), this.spec.source);
    } catch (err) {
      await fs.rm(path.join(this.dir, entry.name), { recursive: true, force: true });
      if (err instanceof ArtifactNotFoundError) {
        throw new TargetModelDataError(entry.target, notFoundText(url, entry.target));
      }
      if (err instanceof ArtifactError) {
        throw new TargetModelDataError(entry.target, `Failed to prepare model data for target model ${entry.target}: ${err.message}`);
      }
      throw err;
    }
    const seconds = (performance.now() - started) / 1000;
    entry.onDisk = true;
    entry.diskBytes = await diskUsage(path.join(this.dir, entry.name));
    this.spec.events.downloaded(seconds);
    this.log.info({ model: entry.target, containerModel: entry.name, bytes: entry.diskBytes, ms: Math.round(seconds * 1000) }, 'model downloaded');
    await this.keepDiskUnderLimit(entry);
  }

  private async load(entry: ModelEntry): Promise<void> {
    const body = Buffer.from(JSON.stringify({ model_name: entry.name, url: `/opt/ml/models/${entry.name}/model` }));
    const started = performance.now();
    for (let attempt = 1; ; attempt++) {
      const answer = await this.call({
        method: 'POST',
        path: '/models',
        headers: { 'content-type': 'application/json', 'content-length': String(body.length) },
        body,
        timeoutMs: LOAD_TIMEOUT_MS,
        signal: this.lifetime.signal,
      });
      const text = await readText(answer);
      // 409: the container already has it (it kept it across our bookkeeping): as good as loaded.
      if ((answer.status >= 200 && answer.status < 300) || answer.status === 409) {
        break;
      }
      const victim = answer.status === 507 && attempt < MAX_LOAD_ATTEMPTS ? this.leastRecentlyUsed((e) => e.loaded, entry) : undefined;
      if (!victim) {
        throw new ModelLoadError(entry.target, answer.status, text);
      }
      // As the platform does: the container is out of memory, so the least recently used model makes room.
      await this.unload(victim, `the container answered 507 (out of resources) to loading ${entry.target}`);
    }
    entry.loaded = true;
    const seconds = (performance.now() - started) / 1000;
    this.spec.events.loaded(seconds);
    this.log.info({ model: entry.target, containerModel: entry.name, ms: Math.round(seconds * 1000), loadedModels: this.loadedCount() }, 'model loaded');
  }

  private unload(entry: ModelEntry, why: string): Promise<void> {
    if (!entry.loaded) {
      return entry.leaving ?? Promise.resolve();
    }
    entry.loaded = false;
    const started = performance.now();
    const leaving = this.call({
      method: 'DELETE',
      path: `/models/${encodeURIComponent(entry.name)}`,
      headers: {},
      timeoutMs: UNLOAD_TIMEOUT_MS,
      signal: this.lifetime.signal,
    })
      .then(async (answer) => {
        const text = await readText(answer);
        // 404: the container no longer had it, which is what was wanted.
        if (answer.status >= 300 && answer.status !== 404) {
          this.log.warn({ model: entry.target, status: answer.status, answer: text }, 'container refused to unload model');
          return;
        }
        const seconds = (performance.now() - started) / 1000;
        this.spec.events.unloaded(seconds);
        this.log.info({ model: entry.target, containerModel: entry.name, why, ms: Math.round(seconds * 1000), loadedModels: this.loadedCount() }, 'model unloaded');
      })
      .finally(() => {
        if (entry.leaving === leaving) {
          entry.leaving = undefined;
        }
      });
    entry.leaving = leaving;
    return leaving;
  }

  /** Unloads the model and deletes it from disk; a request that wants it meanwhile waits, then fetches it again. */
  private async evict(entry: ModelEntry, why: string): Promise<void> {
    await this.unload(entry, why);
    if (entry.users > 0 || entry.pending || !entry.onDisk) {
      return;
    }
    entry.onDisk = false;
    const removing: Promise<void> = fs.rm(path.join(this.dir, entry.name), { recursive: true, force: true }).finally(() => {
      if (entry.leaving === removing) {
        entry.leaving = undefined;
      }
    });
    entry.leaving = removing;
    await removing;
    if (entry.users === 0 && !entry.pending) {
      this.entries.delete(entry.target);
    }
    this.log.info({ model: entry.target, containerModel: entry.name, why, bytes: entry.diskBytes }, 'model deleted from disk');
  }

  /** Deletes the least recently used models from disk while the instance uses more than its limit. */
  private async keepDiskUnderLimit(keep: ModelEntry): Promise<void> {
    let used = 0;
    for (const e of this.entries.values()) {
      used += e.onDisk ? e.diskBytes : 0;
    }
    while (used > this.spec.diskLimitBytes) {
      const victim = this.leastRecentlyUsed((e) => e.onDisk, keep);
      if (!victim) {
        this.log.warn({ usedBytes: used, limitBytes: this.spec.diskLimitBytes }, 'models on disk exceed the limit, and every one is in use');
        return;
      }
      used -= victim.diskBytes;
      const mb = (n: number) => (n / 1024 / 1024).toFixed(1);
      await this.evict(victim, `disk use ${mb(used + victim.diskBytes)} MB is over the instance's limit of ${mb(this.spec.diskLimitBytes)} MB`);
    }
  }

  /** The least recently used model that no request holds, besides `except`, among those `which` selects. */
  private leastRecentlyUsed(which: (e: ModelEntry) => boolean, except: ModelEntry): ModelEntry | undefined {
    let best: ModelEntry | undefined;
    for (const e of this.entries.values()) {
      if (e !== except && which(e) && e.users === 0 && !e.pending && (!best || e.lastUsed < best.lastUsed)) {
        best = e;
      }
    }
    return best;
  }

  /** The instance is going: loads and unloads in progress stop, and its models leave the disk. */
  async close(): Promise<void> {
    this.lifetime.abort(new Error('instance stopped'));
    this.entries.clear();
    await fs.rm(this.dir, { recursive: true, force: true });
  }
}

/**
 * SageMaker's text for a model it cannot fetch from S3. NOT VERIFIED against
 * a live endpoint: recalled from users' reports of multi-model endpoints.
 */
function notFoundText(url: string, target: string): string {
  const s3 = /^s3:\/\/([^/]+)\/(.*)$/.exec(url);
  if (s3) {
    return `Failed to download model data(bucket: ${s3[1]}, key: ${s3[2]}). Please ensure that there is an object located at the URL and that the role passed to CreateModel has permissions to download the model.`;
  }
  return `Failed to download model data for target model ${target}: nothing at ${url}.`;
}

async function readText(answer: ContainerResponse): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of answer.body) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks).toString('utf8').slice(0, 4096);
}

/** Waits for `work` for at most `ms`; the work itself goes on either way (its failure is then logged by nobody: it is caught here). */
function waitAtMost(work: Promise<void>, ms: number, signal: AbortSignal, clock: Clock, timeout: () => Error): Promise<void> {
  signal.throwIfAborted();
  return new Promise<void>((resolve, reject) => {
    const timer = clock.setTimeout(() => finish(() => reject(timeout())), ms);
    const onAbort = () => finish(() => reject(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    let settled = false;
    function finish(f: () => void): void {
      if (!settled) {
        settled = true;
        timer.cancel();
        signal.removeEventListener('abort', onAbort);
        f();
      }
    }
    work.then(
      () => finish(resolve),
      (err: unknown) => finish(() => reject(err)),
    );
  });
}
