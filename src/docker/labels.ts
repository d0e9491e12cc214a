/**
 * Every container the emulator starts carries these labels, so that it can be
 * found again: by the gateway that owns it, by a later gateway that cleans up
 * after a dead one, and by people (`docker ps --filter label=sagemaker-emulator.managed`).
 */
export const LABEL_PREFIX = 'sagemaker-emulator';

export const labels = {
  managed: `${LABEL_PREFIX}.managed`,
  gateway: `${LABEL_PREFIX}.gateway-id`,
  gatewayPid: `${LABEL_PREFIX}.gateway-pid`,
  gatewayHost: `${LABEL_PREFIX}.gateway-host`,
  stateDir: `${LABEL_PREFIX}.state-dir`,
  region: `${LABEL_PREFIX}.region`,
  endpoint: `${LABEL_PREFIX}.endpoint`,
  variant: `${LABEL_PREFIX}.variant`,
  instance: `${LABEL_PREFIX}.instance-id`,
  /** A job's containers (batch transform) carry the job's name instead of an endpoint's. */
  job: `${LABEL_PREFIX}.job`,
  /** What a container is when it is not a model: `isolation-relay` (src/hosting/isolation.ts). */
  role: `${LABEL_PREFIX}.role`,
} as const;

/** Docker container names allow [a-zA-Z0-9][a-zA-Z0-9_.-]; SageMaker names already fit. */
export function containerName(endpoint: string, variant: string, instanceId: string): string {
  return `sme-${endpoint}-${variant}-${instanceId}`.slice(0, 200);
}
