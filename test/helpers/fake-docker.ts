import { createHash, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type {
  ContainerClient,
  ContainerExitEvent,
  ContainerSpec,
  ContainerStats,
  ContainerState,
  ImageInfo,
  ManagedContainer,
  ManagedNetwork,
  StartedContainer,
} from '../../src/docker/container-client.js';

/**
 * A ContainerClient without Docker, for unit tests of hosting. Every "container"
 * is a real node:http server on 127.0.0.1 (port 0) that answers GET /ping the
 * way its image says, so the real readiness probe and undici pools run against it.
 */
export interface FakeImage {
  /**
   * How GET /ping behaves:
   * - 'healthy' (default): 200 at once;
   * - a number N: 503 until N ms after the container started, then 200;
   * - 'never': 500 forever;
   * - 'exit': the container exits right after it started (an exit event goes to
   *   the onExit listeners on the next turn of the event loop); /ping never answers 200.
   */
  ping?: 'healthy' | 'never' | 'exit' | number;
  /** Exit code of an 'exit' container (default 1). */
  exitCode?: number;
  /** What logsTail returns (default: two lines ending in "model failed to load"). */
  logs?: string;
  /** run() waits this long before it resolves (a slow `docker run`). */
  runDelayMs?: number;
  /** Image id (default: sha256 of the name) and RepoDigests (default: none). */
  id?: string;
  repoDigests?: string[];
}

export interface FakeContainer {
  id: string;
  name: string;
  image: string;
  spec: ContainerSpec;
  labels: Record<string, string>;
  running: boolean;
  removed: boolean;
  exitCode: number;
  startedAt: number;
  hostPort: number;
  server: http.Server | undefined;
}

export interface FakeDockerOptions {
  /** Images present locally. */
  images?: Record<string, FakeImage>;
  /** Images that are not present but that pullImage() can fetch. */
  pullable?: Record<string, FakeImage>;
}

export const DEFAULT_LOGS = 'Starting the model server\nmodel failed to load';

const hexId = () => randomBytes(32).toString('hex');
const imageId = (name: string) => `sha256:${createHash('sha256').update(name).digest('hex')}`;

export class FakeDocker implements ContainerClient {
  readonly images = new Map<string, FakeImage>();
  readonly pullable = new Map<string, FakeImage>();
  readonly containers = new Map<string, FakeContainer>();
  /** Containers that exist without this fake having started them (for orphan clean-up). */
  readonly foreign = new Map<string, ManagedContainer>();
  readonly pulls: string[] = [];
  readonly removals: { id: string; graceSeconds: number }[] = [];
  /** run() calls that have not returned yet. */
  runsInFlight = 0;
  private readonly listeners = new Set<(e: ContainerExitEvent) => void>();
  closed = false;

  constructor(options: FakeDockerOptions = {}) {
    for (const [name, image] of Object.entries(options.images ?? {})) {
      this.images.set(name, image);
    }
    for (const [name, image] of Object.entries(options.pullable ?? {})) {
      this.pullable.set(name, image);
    }
  }

  /** Containers started by this fake that are still running. */
  running(): FakeContainer[] {
    return [...this.containers.values()].filter((c) => c.running);
  }

  /** Every container started by this fake and not yet removed. */
  present(): FakeContainer[] {
    return [...this.containers.values()].filter((c) => !c.removed);
  }

  listenerCount(): number {
    return this.listeners.size;
  }

  /** Makes a running container die, as `docker kill` would, and tells the listeners. */
  crash(id: string, exitCode = 137, oom = false): void {
    const c = this.containers.get(id);
    if (!c?.running) {
      throw new Error(`fake docker: container ${id} is not running`);
    }
    this.exit(c, exitCode);
    this.emit({ id, exitCode, oom });
  }

  ping(): Promise<{ version: string }> {
    return Promise.resolve({ version: 'fake' });
  }

  imageInfo(image: string): Promise<ImageInfo | undefined> {
    const known = this.images.get(image);
    return Promise.resolve(known ? { id: known.id ?? imageId(image), repoDigests: known.repoDigests ?? [] } : undefined);
  }

  async pullImage(image: string, onProgress: (line: string) => void): Promise<void> {
    this.pulls.push(image);
    const found = this.pullable.get(image);
    if (!found) {
      throw new Error(`pull access denied for ${image}, repository does not exist or may require 'docker login'`);
    }
    onProgress(`${image}: Pulling from library`);
    this.images.set(image, found);
  }

  async run(spec: ContainerSpec): Promise<StartedContainer> {
    this.runsInFlight++;
    try {
      return await this.start(spec);
    } finally {
      this.runsInFlight--;
    }
  }

  private async start(spec: ContainerSpec): Promise<StartedContainer> {
    const image = this.images.get(spec.image);
    if (!image) {
      throw new Error(`No such image: ${spec.image}`);
    }
    if (image.runDelayMs) {
      await new Promise((r) => setTimeout(r, image.runDelayMs));
    }
    const container: FakeContainer = {
      id: hexId(),
      name: spec.name,
      image: spec.image,
      spec,
      labels: spec.labels,
      running: true,
      removed: false,
      exitCode: 0,
      startedAt: Date.now(),
      hostPort: 0,
      server: undefined,
    };
    const mode = image.ping ?? 'healthy';
    const server = http.createServer((req, res) => {
      if (req.method === 'GET' && req.url === '/ping') {
        const healthy =
          mode === 'healthy' || (typeof mode === 'number' && Date.now() - container.startedAt >= mode);
        res.statusCode = healthy ? 200 : mode === 'never' ? 500 : 503;
        res.end(healthy ? '' : 'not ready');
        return;
      }
      if (req.method === 'POST' && req.url === '/invocations') {
        req.pipe(res);
        return;
      }
      res.statusCode = 404;
      res.end();
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    container.server = server;
    container.hostPort = (server.address() as AddressInfo).port;
    this.containers.set(container.id, container);
    if (mode === 'exit') {
      // Docker's die event arrives on its event stream, after `docker run` has returned.
      setImmediate(() => {
        if (container.running) {
          const exitCode = image.exitCode ?? 1;
          this.exit(container, exitCode);
          this.emit({ id: container.id, exitCode, oom: false });
        }
      });
    }
    return { id: container.id, name: spec.name, host: undefined, port: container.hostPort };
  }

  state(id: string): Promise<ContainerState | undefined> {
    const c = this.containers.get(id);
    if (!c || c.removed) {
      return Promise.resolve(undefined);
    }
    return Promise.resolve({ running: c.running, exitCode: c.exitCode, oomKilled: false, error: '' });
  }

  logsTail(id: string, lines: number): Promise<string> {
    const c = this.containers.get(id);
    if (!c || c.removed) {
      return Promise.resolve('');
    }
    const text = this.images.get(c.image)?.logs ?? DEFAULT_LOGS;
    return Promise.resolve(text.split('\n').slice(-lines).join('\n'));
  }

  /** The fake's containers print nothing while they run. */
  followLogs(): () => void {
    return () => undefined;
  }

  stats(id: string): Promise<ContainerStats | undefined> {
    const c = this.containers.get(id);
    return Promise.resolve(
      c && !c.removed
        ? { cpuTotalNs: 0, systemCpuNs: 0, onlineCpus: 1, memoryUsageBytes: 64 * 1024 * 1024, memoryLimitBytes: 1024 ** 3 }
        : undefined,
    );
  }

  ensureNetwork(): Promise<void> {
    return Promise.resolve();
  }

  /** The fake has no networks: isolation is tested against real Docker (test/integration/network-isolation.test.ts). */
  createIsolatedNetwork(): Promise<void> {
    return Promise.resolve();
  }

  connect(): Promise<string> {
    return Promise.resolve('127.0.0.1');
  }

  removeNetwork(): Promise<void> {
    return Promise.resolve();
  }

  listManagedNetworks(): Promise<ManagedNetwork[]> {
    return Promise.resolve([]);
  }

  async remove(id: string, graceSeconds: number): Promise<void> {
    this.removals.push({ id, graceSeconds });
    this.foreign.delete(id);
    const c = this.containers.get(id);
    if (!c || c.removed) {
      return;
    }
    const wasRunning = c.running;
    this.exit(c, wasRunning ? 143 : c.exitCode);
    c.removed = true;
    if (wasRunning) {
      // Stopping a container makes Docker report a die event, as for any other exit.
      setImmediate(() => this.emit({ id, exitCode: 143, oom: false }));
    }
  }

  listManaged(labelFilters: string[]): Promise<ManagedContainer[]> {
    const matches = (l: Record<string, string>) =>
      labelFilters.every((f) => {
        const eq = f.indexOf('=');
        return eq < 0 ? f in l : l[f.slice(0, eq)] === f.slice(eq + 1);
      });
    const mine = this.present().map((c) => ({ id: c.id, name: c.name, labels: c.labels }));
    return Promise.resolve([...mine, ...this.foreign.values()].filter((c) => matches(c.labels)));
  }

  onExit(listener: (event: ContainerExitEvent) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  close(): void {
    this.closed = true;
    for (const c of this.containers.values()) {
      this.closeServer(c);
    }
  }

  private exit(c: FakeContainer, exitCode: number): void {
    c.running = false;
    c.exitCode = exitCode;
    this.closeServer(c);
  }

  private closeServer(c: FakeContainer): void {
    const server = c.server;
    c.server = undefined;
    if (server) {
      server.close();
      server.closeAllConnections();
    }
  }

  private emit(event: ContainerExitEvent): void {
    for (const l of this.listeners) {
      l(event);
    }
  }
}
