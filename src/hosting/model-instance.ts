import { randomBytes } from 'node:crypto';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Logger } from 'pino';
import { Pool } from 'undici';
import { type ContainerClient, ContainerExitedEarlyError, type ContainerExitEvent, type ContainerSpec } from '../docker/container-client.js';
import { MODEL_HARDENING } from '../docker/hardening.js';
import { containerName, labels } from '../docker/labels.js';
import { type Clock, sleepOn } from '../shared/clock.js';
import { type ContainerRequest, type ContainerResponse, callContainer } from './container-call.js';
import { ContainerExitedError, InstanceStoppedError, StartupError } from './errors.js';
import { InFlightCounter } from './in-flight.js';
import { DEFAULT_RELAY_IMAGE, type IsolationParts, removeIsolated, runIsolated } from './isolation.js';
import { InstanceModels, type MultiModelSpec } from './multi-model/instance-models.js';
import { ReadinessTimeout, waitForPing } from './readiness.js';

/** How a container is started: the BYOC contract (docs/aws-contract.md §8.1). */
export interface InstanceSpec {
  endpointName: string;
  variantName: string;
  region: string;
  image: string;
  environment: Record<string, string>;
  modelDir: string;
  memoryBytes: number;
  nanoCpus: number;
  startupTimeoutMs: number;
  /** Injected latency after the first /ping 200, before the instance takes traffic (serverless cold starts). */
  extraStartupDelayMs?: number;
  /**
   * A multi-model container (docs/aws-contract.md §8.2): each instance gets
   * its own directory under `instancesDir`, mounted as /opt/ml/models, and
   * its models are loaded through the container's /models API.
   */
  multiModel?: MultiModelSpec & { instancesDir: string };
  /** A job's container (batch transform): labelled and logged under the job, not an endpoint. */
  jobName?: string;
  /** The model's EnableNetworkIsolation: the container sits on its own network behind a relay (src/hosting/isolation.ts). */
  networkIsolation?: boolean;
}

export interface InstanceEnv {
  docker: ContainerClient;
  log: Logger;
  containerHost: string;
  /** Labels that say which gateway owns the container. */
  gatewayLabels: Record<string, string>;
  /** Connections kept open to one container. */
  poolConnections: number;
  /** Attach containers to this Docker network and dial them there (SME_DOCKER_NETWORK). */
  network?: string;
  clock: Clock;
  /** SME_CONTAINER_HARDENING: no new privileges and a short capability list (src/docker/hardening.ts); Docker's defaults when false. */
  containerHardening?: boolean;
  /** SME_ISOLATION_RELAY_IMAGE: the image of the relay in front of a network-isolated model. */
  isolationRelayImage?: string;
}

export type InstanceStatus = 'Starting' | 'Ready' | 'Stopping' | 'Stopped' | 'Failed';

const MODEL_PORT = 8080;
const LOG_LINES_IN_ERRORS = 20;

/** One model container: started, probed, invoked through a keep-alive pool, stopped. */
export class ModelInstance {
  readonly instanceId = `i-${randomBytes(8).toString('hex')}`;
  status: InstanceStatus = 'Starting';
  containerId: string | undefined;
  pool: Pool | undefined;
  /** Requests holding this instance (a scale-in waits for them before the container goes). */
  readonly requests: InFlightCounter;
  /** When the instance last finished a request (or became ready). */
  lastActivityAt = 0;
  /** When the instance was made (its container's start began): the console shows its age. */
  readonly createdAt: number;
  /** Set once the container is known to have exited. */
  exit: ContainerExitEvent | undefined;
  /** The models of a multi-model instance: on its disk, loaded in its container. */
  readonly models: InstanceModels | undefined;
  readonly log: Logger;
  private readonly exited = new AbortController();
  private readonly recentLines: string[] = [];
  private stopFollowing: () => void = () => undefined;
  private stopping: Promise<void> | undefined;
  /** The relay and network of a network-isolated instance, removed with its container. */
  private isolation: IsolationParts | undefined;
  private unwatchRelay: () => void = () => undefined;

  constructor(
    readonly spec: InstanceSpec,
    private readonly env: InstanceEnv,
  ) {
    this.log = env.log.child(
      spec.jobName ? { job: spec.jobName, instance: this.instanceId } : { endpoint: spec.endpointName, variant: spec.variantName, instance: this.instanceId },
    );
    this.requests = new InFlightCounter(env.clock);
    this.createdAt = env.clock.now();
    const mm = spec.multiModel;
    this.models = mm && new InstanceModels(mm, path.join(mm.instancesDir, this.instanceId), (r) => this.call(r), this.log, env.clock);
  }

  get inFlight(): number {
    return this.requests.count;
  }

  /**
   * One call to this instance's container (the body of the answer streams);
   * rejects with InstanceStoppedError once the instance is stopping.
   */
  call(request: ContainerRequest): Promise<ContainerResponse> {
    return this.pool ? callContainer(this.pool, request) : Promise.reject(new InstanceStoppedError());
  }

  /** Starts the container and resolves once /ping answers 200; throws StartupError otherwise. */
  async start(): Promise<void> {
    const { spec, env } = this;
    const t0 = env.clock.now();
    if (this.models) {
      await fs.mkdir(this.models.dir, { recursive: true });
    }
    const name = spec.jobName ? containerName('job', spec.jobName, this.instanceId) : containerName(spec.endpointName, spec.variantName, this.instanceId);
    const runSpec: ContainerSpec = {
      name,
      image: spec.image,
      cmd: ['serve'],
      env: spec.environment,
      labels: {
        ...env.gatewayLabels,
        [labels.region]: spec.region,
        ...(spec.jobName ? { [labels.job]: spec.jobName } : { [labels.endpoint]: spec.endpointName, [labels.variant]: spec.variantName }),
        [labels.instance]: this.instanceId,
      },
      memoryBytes: spec.memoryBytes,
      nanoCpus: spec.nanoCpus,
      mounts: this.models ? [{ source: this.models.dir, target: '/opt/ml/models' }] : [{ source: spec.modelDir, target: '/opt/ml/model' }],
      containerPort: MODEL_PORT,
      ...(env.network ? { network: env.network } : {}),
      // Unset only by code that builds its own InstanceEnv; the emulator's always says (config.containerHardening).
      ...(env.containerHardening !== false ? { security: MODEL_HARDENING } : {}),
    };
    const launch = spec.networkIsolation
      ? runIsolated(env.docker, runSpec, { image: env.isolationRelayImage ?? DEFAULT_RELAY_IMAGE, network: env.network }, this.log).then((r) => {
          this.isolation = r.parts;
          this.watchRelay(r.parts.relayId, r.model.id);
          return { ...r.dial, id: r.model.id, name: r.model.name };
        })
      : env.docker.run(runSpec);
    const started = await launch.catch((err: Error) => {
      this.status = 'Failed';
      if (err instanceof ContainerExitedEarlyError) {
        // Killed (or crashed) before its port was known: the fleet reads the exit code to tell a kill from a broken model.
        this.exit = { id: '', exitCode: err.exitCode, oom: err.oom };
      }
      throw err instanceof StartupError ? err : new StartupError(`Could not start a container from image "${spec.image}": ${err.message}`);
    });
    if (this.status === 'Stopping' || this.status === 'Stopped') {
      // Stopped while `docker run` was in flight: nobody else knows this container exists.
      await this.removeFromDocker(started.id, 0).catch(() => undefined);
      throw new StartupError('The instance was stopped while its container was starting.');
    }
    this.containerId = started.id;
    const host = started.host ?? env.containerHost;
    this.pool = new Pool(`http://${host}:${started.port}`, {
      connections: env.poolConnections,
      pipelining: 1,
      keepAliveTimeout: 30_000,
    });
    this.followLogs(started.id, started.name);
    this.log.info({ containerId: started.id.slice(0, 12), address: `${host}:${started.port}` }, 'container started');
    // Docker's die event normally ends the wait at once; this also covers an exit before we knew the
    // container's id (the event came too early to match) or a lost event stream.
    const watchdog = setInterval(() => {
      void env.docker.state(started.id).then((st) => {
        if (st && !st.running && this.status === 'Starting') {
          this.markExited({ id: started.id, exitCode: st.exitCode, oom: st.oomKilled });
        }
      }, () => undefined);
    }, 500);
    try {
      await waitForPing(this.pool, { timeoutMs: spec.startupTimeoutMs, signal: this.exited.signal, clock: env.clock });
      if (spec.extraStartupDelayMs) {
        await sleepOn(env.clock, spec.extraStartupDelayMs, this.exited.signal);
      }
    } catch (err) {
      this.status = 'Failed';
      throw await this.startupFailure(err);
    } finally {
      clearInterval(watchdog);
    }
    this.status = 'Ready';
    this.lastActivityAt = env.clock.now();
    this.log.info({ ms: env.clock.now() - t0 }, 'container ready');
  }

  private async startupFailure(err: unknown): Promise<StartupError> {
    const seconds = Math.round(this.spec.startupTimeoutMs / 1000);
    const tail = await this.lastLogLines();
    if (err instanceof ReadinessTimeout) {
      return new StartupError(
        `The container for variant ${this.spec.variantName} did not pass the ping health check within ${seconds} seconds (${err.message}).${tail}`,
      );
    }
    const state = this.containerId ? await this.env.docker.state(this.containerId).catch(() => undefined) : undefined;
    const oom = this.exit?.oom || state?.oomKilled;
    const code = state?.exitCode ?? this.exit?.exitCode;
    return new StartupError(
      `The container for variant ${this.spec.variantName} exited with code ${code ?? 'unknown'}${oom ? ' (OOM-killed: it used more than its memory limit)' : ''} before passing the ping health check.${tail}`,
    );
  }

  /**
   * The container's stdout and stderr go into the emulator's log, one entry a
   * line, labelled with endpoint, variant and instance (the equivalent of
   * CloudWatch Logs' /aws/sagemaker/Endpoints/{name}); the last lines are kept
   * for error messages, since a removed container's logs are gone.
   */
  private followLogs(containerId: string, containerName: string): void {
    const log = this.log.child({ container: containerName });
    this.stopFollowing = this.env.docker.followLogs(containerId, (stream, line) => {
      this.recentLines.push(line);
      if (this.recentLines.length > LOG_LINES_IN_ERRORS) {
        this.recentLines.shift();
      }
      log.info({ stream }, line);
    });
  }

  /** The container's last `lines` log lines as Docker has them, else the ones followed (the console's tail). */
  async logTail(lines: number): Promise<string> {
    const fromDocker = this.containerId ? await this.env.docker.logsTail(this.containerId, lines).catch(() => '') : '';
    return fromDocker.trim() || this.recentLines.slice(-lines).join('\n').trim();
  }

  /** The container's last log lines, formatted for a FailureReason or an error message. */
  async lastLogLines(): Promise<string> {
    if (!this.containerId) {
      return '';
    }
    // The followed lines may lag the container by a moment: prefer what Docker still has.
    const fromDocker = (await this.env.docker.logsTail(this.containerId, LOG_LINES_IN_ERRORS)).trim();
    const text = fromDocker || this.recentLines.join('\n').trim();
    return text ? ` Last log lines:\n${text}` : '';
  }

  /**
   * Why a request could not reach the container, in words for OriginalMessage:
   * waits briefly for Docker to report the exit (the socket closes a moment
   * before the engine's state changes), and names an OOM kill as such.
   */
  async diagnose(transportError: string): Promise<{ dead: boolean; detail: string }> {
    if (!this.containerId) {
      return { dead: true, detail: 'the container is gone' };
    }
    const { clock } = this.env;
    const deadline = clock.now() + 1000;
    let state = await this.env.docker.state(this.containerId).catch(() => undefined);
    while (state?.running && clock.now() < deadline) {
      await sleepOn(clock, 25);
      state = await this.env.docker.state(this.containerId).catch(() => undefined);
    }
    if (state?.running) {
      return { dead: false, detail: transportError };
    }
    if (state?.oomKilled || this.exit?.oom) {
      const mb = Math.round(this.spec.memoryBytes / 1024 / 1024);
      return { dead: true, detail: `the container was OOM-killed: it used more than its ${mb} MB memory limit` };
    }
    return { dead: true, detail: `the container exited with code ${state?.exitCode ?? this.exit?.exitCode ?? 'unknown'}` };
  }

  /** Called when Docker reports that the container died or was OOM-killed. */
  markExited(event: ContainerExitEvent): void {
    this.exit = { ...event, oom: event.oom || this.exit?.oom === true };
    if (event.oom) {
      // An oom event precedes the die event: keep waiting for die to abort.
      return;
    }
    if (this.status === 'Ready' || this.status === 'Starting') {
      this.status = 'Failed';
    }
    this.exited.abort(new ContainerExitedError('container exited'));
  }

  /**
   * A container that was lost (it died, or stopped answering): logs why and
   * its last lines (a removed container's logs are gone), then removes it.
   */
  retire(why: string): void {
    this.log.warn({ why }, 'container lost; removing it');
    void this.lastLogLines()
      .catch(() => '')
      .then((tail) => {
        if (tail) {
          this.log.warn({ logs: tail }, 'last log lines of the lost container');
        }
        return this.stop(0);
      });
  }

  /** Stops and removes the container. Safe to call more than once. */
  stop(graceSeconds: number): Promise<void> {
    // A second call waits for the first: whoever stops an instance may count on its container being gone.
    this.stopping ??= this.removeContainer(graceSeconds);
    return this.stopping;
  }

  private async removeContainer(graceSeconds: number): Promise<void> {
    this.status = 'Stopping';
    this.exited.abort(new InstanceStoppedError('instance stopped'));
    const pool = this.pool;
    this.pool = undefined;
    this.stopFollowing();
    this.unwatchRelay();
    await pool?.destroy().catch(() => undefined);
    await this.models?.close();
    if (this.containerId) {
      await this.removeFromDocker(this.containerId, graceSeconds).catch((err: Error) => {
        this.log.warn({ err }, 'could not remove container');
      });
    }
    this.status = 'Stopped';
    this.log.info('container removed');
  }

  /**
   * A network-isolated model is unreachable without its relay: when the relay
   * dies, the model container is removed too, so that its fleet sees a lost
   * container and replaces the instance (relay and all) as for any other.
   */
  private watchRelay(relayId: string, modelId: string): void {
    this.unwatchRelay = this.env.docker.onExit((e) => {
      if (e.id === relayId && (this.status === 'Starting' || this.status === 'Ready')) {
        this.log.warn({ relay: relayId.slice(0, 12), exitCode: e.exitCode }, 'network isolation relay exited; removing its model container');
        void this.env.docker.remove(modelId, 0).catch(() => undefined);
      }
    });
  }

  /** The container, and for a network-isolated one its relay and network too. */
  private removeFromDocker(id: string, graceSeconds: number): Promise<void> {
    return this.isolation ? removeIsolated(this.env.docker, id, this.isolation, graceSeconds) : this.env.docker.remove(id, graceSeconds);
  }
}
