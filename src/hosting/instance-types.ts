import os from 'node:os';

/**
 * vCPUs and memory of common ml.* instance types (AWS's published sizes), used
 * for each provisioned instance's container caps. Types not listed here are
 * sized from their name: `large` = 2 vCPUs, `xlarge` = 4, `Nxlarge` = 4·N, with
 * the memory per vCPU of their family (c: 2 GiB, m/t/g/p: 4 GiB, r: 8 GiB).
 */
interface InstanceSize {
  vcpus: number;
  memoryGiB: number;
}

const KNOWN: Record<string, InstanceSize> = {
  'ml.t2.medium': { vcpus: 2, memoryGiB: 4 },
  'ml.t2.large': { vcpus: 2, memoryGiB: 8 },
  'ml.t2.xlarge': { vcpus: 4, memoryGiB: 16 },
  'ml.t2.2xlarge': { vcpus: 8, memoryGiB: 32 },
  'ml.m5.large': { vcpus: 2, memoryGiB: 8 },
  'ml.m5.xlarge': { vcpus: 4, memoryGiB: 16 },
  'ml.m5.2xlarge': { vcpus: 8, memoryGiB: 32 },
  'ml.m5.4xlarge': { vcpus: 16, memoryGiB: 64 },
  'ml.c5.large': { vcpus: 2, memoryGiB: 4 },
  'ml.c5.xlarge': { vcpus: 4, memoryGiB: 8 },
  'ml.c5.2xlarge': { vcpus: 8, memoryGiB: 16 },
  'ml.c5.4xlarge': { vcpus: 16, memoryGiB: 32 },
  'ml.r5.large': { vcpus: 2, memoryGiB: 16 },
  'ml.r5.xlarge': { vcpus: 4, memoryGiB: 32 },
  'ml.g4dn.xlarge': { vcpus: 4, memoryGiB: 16 },
  'ml.g4dn.2xlarge': { vcpus: 8, memoryGiB: 32 },
  'ml.g5.xlarge': { vcpus: 4, memoryGiB: 16 },
  'ml.g5.2xlarge': { vcpus: 8, memoryGiB: 32 },
  'ml.p3.2xlarge': { vcpus: 8, memoryGiB: 61 },
  'ml.inf1.xlarge': { vcpus: 4, memoryGiB: 8 },
  'ml.inf2.xlarge': { vcpus: 4, memoryGiB: 16 },
};

const GIB_PER_VCPU: Record<string, number> = { c: 2, r: 8, x: 16 };

export function instanceSize(instanceType: string): InstanceSize {
  const known = KNOWN[instanceType];
  if (known) {
    return known;
  }
  const m = /^ml\.([a-z]+)\d*[a-z-]*\.(\d*)(x?large|medium|small|metal.*)$/.exec(instanceType);
  const family = m?.[1]?.[0] ?? 'm';
  const size = m?.[3] ?? 'large';
  // medium and small have 2 vCPUs but half and a quarter of a large's memory (ml.t3.medium: 4 GiB).
  const vcpus = size === 'xlarge' ? 4 * Number(m?.[2] || 1) : size === 'large' || size === 'medium' || size === 'small' ? 2 : 4;
  const shrink = size === 'medium' ? 0.5 : size === 'small' ? 0.25 : 1;
  return { vcpus, memoryGiB: vcpus * (GIB_PER_VCPU[family] ?? 4) * shrink };
}

/** The caps of one container, never more than this machine has. */
export function containerCaps(instanceType: string): { memoryBytes: number; nanoCpus: number } {
  const size = instanceSize(instanceType);
  const memoryBytes = Math.min(size.memoryGiB * 1024 ** 3, os.totalmem());
  const cpus = Math.min(size.vcpus, os.cpus().length);
  return { memoryBytes, nanoCpus: cpus * 1e9 };
}

/**
 * A serverless container gets exactly its MemorySizeInMB as a hard cap (what
 * an OOM test checks). AWS says vCPUs are "proportional to memory" without a
 * figure; Lambda's 1 vCPU per 1769 MB is used, capped to the machine.
 */
export function serverlessCaps(memorySizeInMB: number): { memoryBytes: number; nanoCpus: number } {
  const cpus = Math.min(Math.max(memorySizeInMB / 1769, 0.5), os.cpus().length);
  return { memoryBytes: memorySizeInMB * 1024 * 1024, nanoCpus: Math.round(cpus * 1e9) };
}
