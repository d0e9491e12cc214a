import type { ContainerClient, ContainerStats } from '../docker/container-client.js';
import type { Metrics } from './metrics.js';

/**
 * CPUUtilization and MemoryUtilization, sampled from Docker every few seconds
 * off the request path (one-shot stats calls, our own previous reading for the
 * CPU delta). CPU is 100 per busy core, as in CloudWatch (docs/aws-contract.md §9.3);
 * both are averaged over the variant's containers.
 */
export class UtilizationSampler {
  private timer: NodeJS.Timeout | undefined;
  private previous = new Map<string, ContainerStats>();
  private running = false;
  /** Set by stop(): a sample still in flight then schedules no next one. */
  private stopped = true;

  constructor(
    private readonly docker: ContainerClient,
    private readonly metrics: Metrics,
    private readonly containers: () => { endpoint: string; variant: string; ids: string[] }[],
    private readonly intervalMs: number,
  ) {}

  start(): void {
    this.stopped = false;
    // A chained timeout, not an interval: a slow Docker never makes samples pile up.
    const tick = () => {
      if (this.stopped) {
        return;
      }
      this.timer = setTimeout(() => void this.sample().finally(tick), this.intervalMs);
      this.timer.unref();
    };
    tick();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  async sample(): Promise<void> {
    if (this.running) {
      return;
    }
    this.running = true;
    try {
      const seen = new Map<string, ContainerStats>();
      for (const v of this.containers()) {
        let cpu = 0;
        let memory = 0;
        const readings = await Promise.all(v.ids.map(async (id) => [id, await this.docker.stats(id)] as const));
        for (const [id, now] of readings) {
          if (!now) {
            continue;
          }
          seen.set(id, now);
          const before = this.previous.get(id);
          const systemDelta = before ? now.systemCpuNs - before.systemCpuNs : 0;
          if (before && systemDelta > 0) {
            cpu += ((now.cpuTotalNs - before.cpuTotalNs) / systemDelta) * now.onlineCpus * 100;
          }
          if (now.memoryLimitBytes > 0) {
            memory += (now.memoryUsageBytes / now.memoryLimitBytes) * 100;
          }
        }
        const n = Math.max(1, readings.filter(([, r]) => r).length);
        this.metrics.utilization(v.endpoint, v.variant, cpu / n, memory / n);
      }
      this.previous = seen;
    } finally {
      this.running = false;
    }
  }
}
