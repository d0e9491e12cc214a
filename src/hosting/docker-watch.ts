import type { Logger } from 'pino';
import type { ContainerClient } from '../docker/container-client.js';
import type { Clock } from '../shared/clock.js';

/** How often the engine is pinged. */
export const DOCKER_WATCH_INTERVAL_MS = 2000;
/** A ping that takes longer than this counts as a lost engine (a hung dockerd answers nothing). */
export const DOCKER_PING_TIMEOUT_MS = 1500;

/** Pings the engine, time-boxed: rejects after `timeoutMs` even when the engine hangs. */
export function pingWithin(docker: ContainerClient, timeoutMs = DOCKER_PING_TIMEOUT_MS): Promise<{ version: string }> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the Docker engine did not answer a ping within ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([docker.ping(), timeout]).finally(() => clearTimeout(timer));
}

export interface DockerWatchEvents {
  /** The engine stopped answering (told once per outage). */
  lost(error: string): void;
  /** The engine answers again after an outage. */
  returned(): void;
}

/**
 * Notices the Docker engine going away and coming back (an engine restart,
 * a crash): pings it every 2 s, logs once per outage, and tells hosting, which
 * fails requests fast meanwhile and reconciles its fleets on return
 * (containers that went down with the engine are replaced). Docker's event
 * stream ends with the engine too: what it missed is found by the reconcile.
 */
export class DockerWatch {
  private reachable = true;
  private lastError: string | undefined;
  private timer: { cancel(): void } | undefined;
  private stopped = false;

  constructor(
    private readonly docker: ContainerClient,
    private readonly clock: Clock,
    private readonly log: Logger,
    private readonly events: DockerWatchEvents,
  ) {}

  get isReachable(): boolean {
    return this.reachable;
  }

  start(): void {
    this.schedule();
  }

  stop(): void {
    this.stopped = true;
    this.timer?.cancel();
  }

  private schedule(): void {
    if (!this.stopped) {
      this.timer = this.clock.setTimeout(() => void this.check(), DOCKER_WATCH_INTERVAL_MS);
    }
  }

  /** One ping; moves between reachable and unreachable. */
  async check(): Promise<void> {
    try {
      await pingWithin(this.docker);
      if (!this.reachable && !this.stopped) {
        this.reachable = true;
        this.log.warn({ after: this.lastError }, 'Docker engine reachable again; reconciling endpoints');
        this.events.returned();
      }
    } catch (err) {
      this.lastError = (err as Error).message;
      if (this.reachable && !this.stopped) {
        this.reachable = false;
        this.log.error({ err: this.lastError }, 'Docker engine unreachable; endpoints stay InService, invocations fail until it returns');
        this.events.lost(this.lastError);
      }
    } finally {
      this.schedule();
    }
  }
}
