import assert from 'node:assert/strict';
import os from 'node:os';
import { describe, test } from 'node:test';
import { containerCaps, instanceSize } from '../../src/hosting/instance-types.js';

const GiB = 1024 ** 3;

describe('instanceSize', () => {
  test('known types have their published sizes', () => {
    const known: [string, number, number][] = [
      ['ml.t2.medium', 2, 4],
      ['ml.m5.large', 2, 8],
      ['ml.m5.xlarge', 4, 16],
      ['ml.m5.4xlarge', 16, 64],
      ['ml.c5.large', 2, 4],
      ['ml.c5.2xlarge', 8, 16],
      ['ml.r5.large', 2, 16],
      ['ml.g4dn.xlarge', 4, 16],
      ['ml.g5.2xlarge', 8, 32],
      ['ml.p3.2xlarge', 8, 61],
      ['ml.inf1.xlarge', 4, 8],
    ];
    for (const [type, vcpus, memoryGiB] of known) {
      assert.deepEqual(instanceSize(type), { vcpus, memoryGiB }, type);
    }
  });

  test('unknown types are sized from their name and family', () => {
    const derived: [string, number, number][] = [
      ['ml.m6i.2xlarge', 8, 32],
      ['ml.c6i.xlarge', 4, 8],
      ['ml.m6i.large', 2, 8],
      ['ml.c7g.4xlarge', 16, 32],
      ['ml.r6i.xlarge', 4, 32],
      ['ml.r5d.2xlarge', 8, 64],
      ['ml.m5d.12xlarge', 48, 192],
      ['ml.g6.xlarge', 4, 16],
      ['ml.x1.16xlarge', 64, 1024],
    ];
    for (const [type, vcpus, memoryGiB] of derived) {
      assert.deepEqual(instanceSize(type), { vcpus, memoryGiB }, type);
    }
  });

  test('a name that does not parse gets the smallest default rather than throwing', () => {
    assert.deepEqual(instanceSize('not-an-instance-type'), { vcpus: 2, memoryGiB: 8 });
  });
});

describe('containerCaps', () => {
  const machineMemory = os.totalmem();
  const machineCpus = os.cpus().length;

  test('never more than this machine has', () => {
    for (const type of ['ml.t2.medium', 'ml.m5.large', 'ml.m5.4xlarge', 'ml.p3.2xlarge', 'ml.m5d.24xlarge', 'ml.x1.32xlarge', 'ml.p4d.24xlarge']) {
      const caps = containerCaps(type);
      assert.ok(caps.memoryBytes <= machineMemory, `${type}: ${caps.memoryBytes} > ${machineMemory}`);
      assert.ok(caps.nanoCpus <= machineCpus * 1e9, `${type}: ${caps.nanoCpus} > ${machineCpus * 1e9}`);
      assert.ok(caps.memoryBytes > 0, type);
      assert.ok(Number.isInteger(caps.memoryBytes) && Number.isInteger(caps.nanoCpus), type);
    }
  });

  test('the instance size when the machine is bigger, the machine size when it is not', () => {
    for (const type of ['ml.t2.medium', 'ml.m5.4xlarge', 'ml.x1.32xlarge']) {
      const size = instanceSize(type);
      const caps = containerCaps(type);
      assert.equal(caps.memoryBytes, Math.min(size.memoryGiB * GiB, machineMemory), type);
      assert.equal(caps.nanoCpus, Math.min(size.vcpus, machineCpus) * 1e9, type);
    }
  });

  test('a huge type is capped to exactly the machine', () => {
    const caps = containerCaps('ml.x1.32xlarge');
    if (128 * 16 * GiB >= machineMemory) {
      assert.equal(caps.memoryBytes, machineMemory);
    }
    if (128 >= machineCpus) {
      assert.equal(caps.nanoCpus, machineCpus * 1e9);
    }
  });
});
