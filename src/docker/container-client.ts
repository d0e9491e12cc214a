/**
 * What hosting needs from a container engine. Only src/docker/ talks to
 * Docker (the dockerode implementation); hosting knows nothing else of it.
 */
export interface ContainerSpec {
  name: string;
  image: string;
  cmd: string[];
  env: Record<string, string>;
  labels: Record<string, string>;
  memoryBytes: number;
  nanoCpus: number;
  /** host path → container path, mounted read-only */
  mounts: { source: string; target: string }[];
  /** The port the model serves on inside the container; published on the loopback at a port Docker picks. */
  containerPort: number;
  /**
   * A Docker network to attach the container to instead of publishing its
   * port: for an emulator that itself runs in a container on that network.
   */
  network?: string;
  /** Replaces the image's ENTRYPOINT (the isolation relay runs `node -e`, whatever its image's entrypoint). */
  entrypoint?: string[];
  /** Privileges: Docker's defaults when absent (SME_CONTAINER_HARDENING=off). */
  security?: ContainerSecurity;
}

/** What a container may do beyond its own processes (Docker's SecurityOpt, CapDrop, CapAdd, ReadonlyRootfs). */
export interface ContainerSecurity {
  noNewPrivileges: boolean;
  capDrop: string[];
  capAdd: string[];
  readOnlyRootfs?: boolean;
}

/** A Docker network the emulator made (the isolated networks of EnableNetworkIsolation models). */
export interface ManagedNetwork {
  id: string;
  name: string;
  labels: Record<string, string>;
}

export interface StartedContainer {
  id: string;
  name: string;
  /** Where the gateway reaches the model: a published loopback port, or the container's address on the network. */
  host: string | undefined;
  port: number;
}

/** One reading of a container's resource use (Docker stats, one shot). */
export interface ContainerStats {
  cpuTotalNs: number;
  systemCpuNs: number;
  onlineCpus: number;
  memoryUsageBytes: number;
  memoryLimitBytes: number;
}

export interface ContainerState {
  running: boolean;
  exitCode: number;
  oomKilled: boolean;
  error: string;
}

export interface ImageInfo {
  id: string;
  repoDigests: string[];
}

export interface ManagedContainer {
  id: string;
  name: string;
  labels: Record<string, string>;
}

/**
 * A container that exited between `docker start` and the inspect that finds
 * its port: the exit code says why (137: killed from outside).
 */
export class ContainerExitedEarlyError extends Error {
  constructor(
    message: string,
    readonly exitCode: number | undefined,
    readonly oom: boolean,
  ) {
    super(message);
  }
}

export interface ContainerExitEvent {
  id: string;
  exitCode: number | undefined;
  oom: boolean;
}

export interface ContainerClient {
  ping(): Promise<{ version: string }>;
  imageInfo(image: string): Promise<ImageInfo | undefined>;
  /** Pulls an image, reporting progress lines; rejects on any error line in the stream. */
  pullImage(image: string, onProgress: (line: string) => void): Promise<void>;
  /** Creates and starts the container, then reads back the published port. */
  run(spec: ContainerSpec): Promise<StartedContainer>;
  state(id: string): Promise<ContainerState | undefined>;
  logsTail(id: string, lines: number): Promise<string>;
  /** Follows the container's stdout and stderr from its start, line by line; returns a function that stops following. */
  followLogs(id: string, onLine: (stream: 'stdout' | 'stderr', line: string) => void): () => void;
  stats(id: string): Promise<ContainerStats | undefined>;
  /** Creates the network if it does not exist yet. */
  ensureNetwork(name: string): Promise<void>;
  /**
   * Creates an internal network on which the host has no address either
   * (bridge inhibit_ipv4): its containers reach each other and nothing else.
   */
  createIsolatedNetwork(name: string, labels: Record<string, string>): Promise<void>;
  /** Attaches a running container to a network too; resolves with its address there. */
  connect(containerId: string, network: string): Promise<string>;
  /** Removes a network; an absent one is fine. */
  removeNetwork(name: string): Promise<void>;
  listManagedNetworks(labelFilters: string[]): Promise<ManagedNetwork[]>;
  /** Stops (SIGTERM, then SIGKILL after the grace period) and removes; absent containers are fine. */
  remove(id: string, graceSeconds: number): Promise<void>;
  listManaged(labelFilters: string[]): Promise<ManagedContainer[]>;
  /** Subscribes to die/oom events of managed containers; returns an unsubscribe function. */
  onExit(listener: (event: ContainerExitEvent) => void): () => void;
  close(): void;
}
