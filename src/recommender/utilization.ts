import type { ContainerClient, ContainerStats } from '../docker/container-client.js';

/**
 * CPU and memory use of a benchmark's containers over one level, from two
 * Docker stats readings (at its start and end): CPU in percent of one core
 * summed over cores (CloudWatch's CPUUtilization), memory in percent of the
 * container's limit, averaged over the containers.
 */
export function utilizationOver(docker: ContainerClient, ids: () => string[]): { stop(): Promise<{ cpu: number; memory: number } | undefined> } {
  const read = async () => new Map((await Promise.all(ids().map(async (id) => [id, await docker.stats(id).catch(() => undefined)] as const))).filter((e): e is [string, ContainerStats] => e[1] !== undefined));
  const first = read();
  return {
    async stop() {
      const before = await first;
      const after = await read();
      let cpu = 0;
      let memory = 0;
      let n = 0;
      for (const [id, now] of after) {
        const then = before.get(id);
        const system = then ? now.systemCpuNs - then.systemCpuNs : 0;
        cpu += then && system > 0 ? ((now.cpuTotalNs - then.cpuTotalNs) / system) * now.onlineCpus * 100 : 0;
        memory += now.memoryLimitBytes > 0 ? (now.memoryUsageBytes / now.memoryLimitBytes) * 100 : 0;
        n++;
      }
      return n > 0 ? { cpu: cpu / n, memory: memory / n } : undefined;
    },
  };
}
