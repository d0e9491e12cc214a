import { execFileSync } from 'node:child_process';
import { DescribeEndpointCommand, type SageMakerClient } from '@aws-sdk/client-sagemaker';
import { pollUntil } from './bounded.js';

/** Shared pieces of the fault suite (test/integration/faults-*.test.ts). */

const DOCKER_CLI_TIMEOUT_MS = 30_000;

/** A small seeded PRNG (mulberry32): the kills land at the same moments on every run. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** Running managed containers of one state directory (and endpoint). */
export function runningContainers(stateDir: string, endpoint?: string): string[] {
  const filters = ['--filter', 'label=sagemaker-emulator.managed=true', '--filter', `label=sagemaker-emulator.state-dir=${stateDir}`];
  if (endpoint) {
    filters.push('--filter', `label=sagemaker-emulator.endpoint=${endpoint}`);
  }
  const out = execFileSync('docker', ['ps', '-q', '--filter', 'status=running', ...filters], { encoding: 'utf8', timeout: DOCKER_CLI_TIMEOUT_MS });
  return out.split('\n').filter(Boolean);
}

/** `docker kill` (SIGKILL); false when the container was already gone. */
export function dockerKill(id: string): boolean {
  try {
    execFileSync('docker', ['kill', id], { stdio: 'pipe', timeout: DOCKER_CLI_TIMEOUT_MS });
    return true;
  } catch {
    return false;
  }
}

/**
 * Waits (bounded) until DescribeEndpoint says InService with every variant's
 * CurrentInstanceCount equal to its DesiredInstanceCount and that many
 * containers run for the endpoint; returns the total count.
 */
export async function untilConverged(sm: SageMakerClient, stateDir: string, endpoint: string, timeoutMs = 90_000): Promise<number> {
  return pollUntil(
    `endpoint ${endpoint} to converge to its desired instance count`,
    async () => {
      const d = await sm.send(new DescribeEndpointCommand({ EndpointName: endpoint }));
      if (d.EndpointStatus !== 'InService') {
        return undefined;
      }
      const variants = d.ProductionVariants ?? [];
      const desired = variants.reduce((n, v) => n + (v.DesiredInstanceCount ?? 0), 0);
      const current = variants.reduce((n, v) => n + (v.CurrentInstanceCount ?? 0), 0);
      const running = runningContainers(stateDir, endpoint).length;
      return current === desired && running === desired ? desired : undefined;
    },
    { timeoutMs, intervalMs: 250 },
  );
}
