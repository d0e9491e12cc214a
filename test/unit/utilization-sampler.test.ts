import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { ContainerClient, ContainerStats } from '../../src/docker/container-client.js';
import type { Metrics } from '../../src/observability/metrics.js';
import { UtilizationSampler } from '../../src/observability/utilization-sampler.js';

const wait = (ms: number) => new Promise((r) => setTimeout(r, ms));

test('stop() while a sample is in flight: no further sample is scheduled', async () => {
  let calls = 0;
  let answer!: (s: ContainerStats | undefined) => void;
  const docker = {
    stats: () => {
      calls++;
      return new Promise<ContainerStats | undefined>((r) => (answer = r));
    },
  } as unknown as ContainerClient;
  const readings: number[] = [];
  const metrics = { utilization: (_e: string, _v: string, _cpu: number, mem: number) => readings.push(mem) } as unknown as Metrics;
  const sampler = new UtilizationSampler(docker, metrics, () => [{ endpoint: 'e', variant: 'v', ids: ['c1'] }], 5);
  sampler.start();
  for (let i = 0; calls === 0 && i < 200; i++) {
    await wait(5);
  }
  assert.equal(calls, 1, 'a sample is in flight');
  sampler.stop();
  answer({ cpuTotalNs: 0, systemCpuNs: 0, onlineCpus: 1, memoryUsageBytes: 50, memoryLimitBytes: 100 });
  await wait(60);
  assert.deepEqual(readings, [50], 'the sample in flight completes');
  assert.equal(calls, 1, 'and no timer was started again after stop()');
});

test('start() after stop() samples again', async () => {
  let calls = 0;
  const docker = {
    stats: () => {
      calls++;
      return Promise.resolve(undefined);
    },
  } as unknown as ContainerClient;
  const metrics = { utilization: () => undefined } as unknown as Metrics;
  const sampler = new UtilizationSampler(docker, metrics, () => [{ endpoint: 'e', variant: 'v', ids: ['c1'] }], 5);
  sampler.start();
  sampler.stop();
  await wait(30);
  assert.equal(calls, 0);
  sampler.start();
  for (let i = 0; calls < 2 && i < 200; i++) {
    await wait(5);
  }
  sampler.stop();
  assert.ok(calls >= 2);
});
