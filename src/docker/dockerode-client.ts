import { Writable } from 'node:stream';
import Docker from 'dockerode';
import type { Logger } from 'pino';
import {
  type ContainerClient,
  ContainerExitedEarlyError,
  type ContainerExitEvent,
  type ContainerSpec,
  type ContainerState,
  type ContainerStats,
  type ImageInfo,
  type ManagedContainer,
  type ManagedNetwork,
  type StartedContainer,
} from './container-client.js';
import { labels } from './labels.js';

const statusOf = (err: unknown) => (err as { statusCode?: number }).statusCode;

/** The dockerode implementation of ContainerClient: the only importer of dockerode. */
export class DockerodeClient implements ContainerClient {
  private readonly docker: Docker;
  private readonly exitListeners = new Set<(e: ContainerExitEvent) => void>();
  private eventStream: NodeJS.ReadableStream | undefined;
  private closed = false;

  constructor(
    private readonly log: Logger,
    dockerHost?: string,
  ) {
    this.docker = new Docker(dockerOptions(dockerHost));
  }

  async ping(): Promise<{ version: string }> {
    const v = await this.docker.version();
    return { version: v.Version };
  }

  async imageInfo(image: string): Promise<ImageInfo | undefined> {
    try {
      const info = await this.docker.getImage(image).inspect();
      return { id: info.Id, repoDigests: info.RepoDigests ?? [] };
    } catch (err) {
      if (statusOf(err) === 404) {
        return undefined;
      }
      throw err;
    }
  }

  async pullImage(image: string, onProgress: (line: string) => void): Promise<void> {
    const stream = await this.docker.pull(image);
    await new Promise<void>((resolve, reject) => {
      // followProgress does not turn {"error": …} lines into a failure (docs/engine-design.md P15): check each one.
      let failure: string | undefined;
      this.docker.modem.followProgress(
        stream,
        (err) => (err ? reject(err) : failure ? reject(new Error(failure)) : resolve()),
        (event: { status?: string; progress?: string; error?: string; id?: string }) => {
          if (event.error) {
            failure = event.error;
          } else if (event.status) {
            onProgress([event.id, event.status, event.progress].filter(Boolean).join(' '));
          }
        },
      );
    });
  }

  async run(spec: ContainerSpec): Promise<StartedContainer> {
    const port = `${spec.containerPort}/tcp`;
    const container = await this.docker.createContainer({
      name: spec.name,
      Image: spec.image,
      Cmd: spec.cmd,
      ...(spec.entrypoint ? { Entrypoint: spec.entrypoint } : {}),
      Env: Object.entries(spec.env).map(([k, v]) => `${k}=${v}`),
      Labels: spec.labels,
      ExposedPorts: { [port]: {} },
      HostConfig: {
        // Docker picks the host port, on the loopback only (docs/engine-design.md P13); on a network, no port is published.
        ...(spec.network
          ? { NetworkMode: spec.network }
          : { PortBindings: { [port]: [{ HostIp: '127.0.0.1', HostPort: '' }] } }),
        Memory: spec.memoryBytes,
        // Without a swap limit equal to the memory cap, a host with swap would let the model exceed it.
        MemorySwap: spec.memoryBytes,
        NanoCpus: spec.nanoCpus,
        Mounts: spec.mounts.map((m) => ({ Type: 'bind' as const, Source: m.source, Target: m.target, ReadOnly: true })),
        ...(spec.security
          ? {
              SecurityOpt: spec.security.noNewPrivileges ? ['no-new-privileges:true'] : [],
              CapDrop: spec.security.capDrop,
              CapAdd: spec.security.capAdd,
              ReadonlyRootfs: spec.security.readOnlyRootfs === true,
            }
          : {}),
      },
    });
    try {
      await container.start();
      const info = await container.inspect();
      if (spec.network) {
        const ip = info.NetworkSettings.Networks?.[spec.network]?.IPAddress;
        if (!ip) {
          throw await this.exitedEarly(container.id, info, `container ${info.Name} has no address on network ${spec.network}`);
        }
        return { id: container.id, name: spec.name, host: ip, port: spec.containerPort };
      }
      const binding = info.NetworkSettings.Ports?.[port]?.[0];
      if (!binding) {
        throw await this.exitedEarly(container.id, info, `container ${info.Name} has no published port for ${port}`);
      }
      this.log.debug({ containerId: container.id, name: spec.name, hostPort: binding.HostPort }, 'container started');
      return { id: container.id, name: spec.name, host: undefined, port: Number(binding.HostPort) };
    } catch (err) {
      await this.remove(container.id, 0).catch(() => undefined);
      throw err;
    }
  }

  /** A container that exits at once has no port or address: say so, with its last words, instead. */
  private async exitedEarly(id: string, info: Docker.ContainerInspectInfo, otherwise: string): Promise<Error> {
    if (info.State.Running) {
      return new Error(otherwise);
    }
    const logs = (await this.logsTail(id, 20)).trim();
    return new ContainerExitedEarlyError(
      `the container exited with code ${info.State.ExitCode} right after starting.${logs ? ` Last log lines:\n${logs}` : ''}`,
      info.State.ExitCode,
      info.State.OOMKilled,
    );
  }

  followLogs(id: string, onLine: (stream: 'stdout' | 'stderr', line: string) => void): () => void {
    let stopped = false;
    let source: NodeJS.ReadableStream | undefined;
    const splitter = (stream: 'stdout' | 'stderr') => {
      let pending = '';
      return new Writable({
        write(chunk: Buffer, _enc, cb) {
          pending += chunk.toString('utf8');
          let nl: number;
          while ((nl = pending.indexOf('\n')) >= 0) {
            onLine(stream, pending.slice(0, nl).replace(/\r$/, ''));
            pending = pending.slice(nl + 1);
          }
          cb();
        },
        final(cb) {
          if (pending) {
            onLine(stream, pending);
          }
          cb();
        },
      });
    };
    this.docker
      .getContainer(id)
      .logs({ follow: true, stdout: true, stderr: true })
      .then((stream) => {
        source = stream;
        if (stopped) {
          (stream as unknown as { destroy(): void }).destroy();
          return;
        }
        this.docker.modem.demuxStream(stream, splitter('stdout'), splitter('stderr'));
        stream.on('error', () => undefined);
      })
      .catch(() => undefined);
    return () => {
      stopped = true;
      (source as unknown as { destroy?: () => void } | undefined)?.destroy?.();
    };
  }

  async stats(id: string): Promise<ContainerStats | undefined> {
    try {
      // one-shot: answer at once instead of waiting a second for a second reading; we keep our own previous one.
      const s = (await this.docker.getContainer(id).stats({ stream: false, 'one-shot': true } as { stream: false })) as unknown as {
        cpu_stats?: { cpu_usage?: { total_usage?: number }; system_cpu_usage?: number; online_cpus?: number };
        memory_stats?: { usage?: number; limit?: number; stats?: { cache?: number; inactive_file?: number } };
      };
      const cache = s.memory_stats?.stats?.inactive_file ?? s.memory_stats?.stats?.cache ?? 0;
      return {
        cpuTotalNs: s.cpu_stats?.cpu_usage?.total_usage ?? 0,
        systemCpuNs: s.cpu_stats?.system_cpu_usage ?? 0,
        onlineCpus: s.cpu_stats?.online_cpus ?? 1,
        memoryUsageBytes: Math.max(0, (s.memory_stats?.usage ?? 0) - cache),
        memoryLimitBytes: s.memory_stats?.limit ?? 0,
      };
    } catch {
      return undefined;
    }
  }

  async ensureNetwork(name: string): Promise<void> {
    const existing = await this.docker.listNetworks({ filters: { name: [name] } });
    if (!existing.some((n) => n.Name === name)) {
      await this.docker.createNetwork({ Name: name, Driver: 'bridge', Labels: { [labels.managed]: 'true' } }).catch((err: unknown) => {
        if (statusOf(err) !== 409) {
          throw err;
        }
      });
    }
  }

  async createIsolatedNetwork(name: string, networkLabels: Record<string, string>): Promise<void> {
    await this.docker
      .createNetwork({
        Name: name,
        Driver: 'bridge',
        // Internal alone still lets a container reach host services listening on 0.0.0.0 through the
        // bridge's gateway address (measured on Docker 20.10); with inhibit_ipv4 the host has no address here.
        Internal: true,
        Options: { 'com.docker.network.bridge.inhibit_ipv4': 'true' },
        Labels: { ...networkLabels, [labels.managed]: 'true' },
      })
      .catch((err: unknown) => {
        if (statusOf(err) !== 409) {
          throw err;
        }
      });
  }

  async connect(containerId: string, network: string): Promise<string> {
    await this.docker.getNetwork(network).connect({ Container: containerId });
    const info = await this.docker.getContainer(containerId).inspect();
    const ip = info.NetworkSettings.Networks?.[network]?.IPAddress;
    if (!ip) {
      throw new Error(`container ${info.Name} has no address on network ${network}`);
    }
    return ip;
  }

  async removeNetwork(name: string): Promise<void> {
    try {
      await this.docker.getNetwork(name).remove();
      this.log.debug({ network: name }, 'network removed');
    } catch (err) {
      if (statusOf(err) !== 404) {
        throw err;
      }
    }
  }

  async listManagedNetworks(labelFilters: string[]): Promise<ManagedNetwork[]> {
    const list = await this.docker.listNetworks({ filters: { label: [`${labels.managed}=true`, ...labelFilters] } });
    return list.map((n) => ({ id: n.Id, name: n.Name, labels: n.Labels ?? {} }));
  }

  async state(id: string): Promise<ContainerState | undefined> {
    try {
      const s = (await this.docker.getContainer(id).inspect()).State;
      return { running: s.Running, exitCode: s.ExitCode, oomKilled: s.OOMKilled, error: s.Error };
    } catch (err) {
      if (statusOf(err) === 404) {
        return undefined;
      }
      throw err;
    }
  }

  async logsTail(id: string, lines: number): Promise<string> {
    try {
      const buf = await this.docker.getContainer(id).logs({ stdout: true, stderr: true, tail: lines, follow: false });
      return demultiplex(buf);
    } catch {
      return '';
    }
  }

  async remove(id: string, graceSeconds: number): Promise<void> {
    const c = this.docker.getContainer(id);
    try {
      if (graceSeconds > 0) {
        await c.stop({ t: graceSeconds }).catch((err: unknown) => {
          // 304: already stopped; 404: already gone.
          if (statusOf(err) !== 304 && statusOf(err) !== 404) {
            throw err;
          }
        });
      }
      await c.remove({ force: true, v: true });
      this.log.debug({ containerId: id }, 'container removed');
    } catch (err) {
      // 409: removal already in progress, 404: already gone; both end where we wanted.
      if (statusOf(err) !== 404 && statusOf(err) !== 409) {
        throw err;
      }
    }
  }

  async listManaged(labelFilters: string[]): Promise<ManagedContainer[]> {
    const list = await this.docker.listContainers({
      all: true,
      filters: { label: [`${labels.managed}=true`, ...labelFilters] },
    });
    return list.map((c) => ({ id: c.Id, name: (c.Names[0] ?? '').replace(/^\//, ''), labels: c.Labels }));
  }

  onExit(listener: (event: ContainerExitEvent) => void): () => void {
    this.exitListeners.add(listener);
    if (!this.eventStream) {
      void this.subscribe();
    }
    return () => this.exitListeners.delete(listener);
  }

  /** One event stream per gateway, filtered to our containers' die and oom events. */
  private async subscribe(): Promise<void> {
    const stream = (await this.docker.getEvents({
      filters: { type: ['container'], event: ['die', 'oom'], label: [`${labels.managed}=true`] },
    })) as NodeJS.ReadableStream;
    this.eventStream = stream;
    let pending = '';
    stream.on('data', (chunk: Buffer) => {
      pending += chunk.toString('utf8');
      let nl: number;
      while ((nl = pending.indexOf('\n')) >= 0) {
        const line = pending.slice(0, nl).trim();
        pending = pending.slice(nl + 1);
        if (line) {
          this.dispatch(line);
        }
      }
    });
    stream.on('error', (err) => this.log.warn({ err }, 'docker event stream failed'));
    stream.on('close', () => {
      this.eventStream = undefined;
      if (!this.closed && this.exitListeners.size > 0) {
        setTimeout(() => void this.subscribe().catch(() => undefined), 1000).unref();
      }
    });
  }

  private dispatch(line: string): void {
    let event: { id?: string; Action?: string; Actor?: { Attributes?: Record<string, string> } };
    try {
      event = JSON.parse(line) as typeof event;
    } catch {
      return;
    }
    if (!event.id) {
      return;
    }
    const code = event.Actor?.Attributes?.exitCode;
    const exit: ContainerExitEvent = {
      id: event.id,
      exitCode: code === undefined ? undefined : Number(code),
      oom: event.Action === 'oom',
    };
    for (const l of this.exitListeners) {
      l(exit);
    }
  }

  close(): void {
    this.closed = true;
    const s = this.eventStream as (NodeJS.ReadableStream & { destroy?: () => void }) | undefined;
    s?.destroy?.();
  }
}

function dockerOptions(dockerHost: string | undefined): Docker.DockerOptions {
  if (!dockerHost) {
    return { socketPath: '/var/run/docker.sock' };
  }
  if (dockerHost.startsWith('unix://')) {
    return { socketPath: dockerHost.slice('unix://'.length) };
  }
  const url = new URL(dockerHost.replace(/^tcp:/, 'http:'));
  return { host: url.hostname, port: Number(url.port || 2375), protocol: 'http' };
}

/** Docker multiplexes stdout and stderr in 8-byte-framed chunks when there is no TTY. */
export function demultiplex(buf: Buffer): string {
  const out: Buffer[] = [];
  let i = 0;
  while (i + 8 <= buf.length) {
    const size = buf.readUInt32BE(i + 4);
    out.push(buf.subarray(i + 8, i + 8 + size));
    i += 8 + size;
  }
  return Buffer.concat(out).toString('utf8');
}
