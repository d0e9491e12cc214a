import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { TIMEOUT } from '../helpers/bounded.js';
import { dockerInspect, managedContainers, requireDocker } from '../helpers/docker.js';
import { type TestEmulator, startTestEmulator, stopAndClean } from '../helpers/emulator.js';
import { createEndpoint, createServerlessEndpoint } from '../helpers/sagemaker.js';

/**
 * SME_CONTAINER_HARDENING (default on): model containers run with no new
 * privileges and only the capabilities common model servers use; off gives
 * Docker's defaults.
 */

interface HostConfig {
  SecurityOpt: string[] | null;
  CapDrop: string[] | null;
  CapAdd: string[] | null;
}

const hostConfigs = (stateDir: string, endpoint: string): HostConfig[] => {
  const ids = managedContainers(stateDir, endpoint);
  assert.ok(ids.length > 0, `no container for ${endpoint}`);
  return ids.map((id) => (dockerInspect(id) as { HostConfig: HostConfig }).HostConfig);
};

describe('container hardening on (the default)', { timeout: TIMEOUT.suite }, () => {
  let t: TestEmulator;
  before(async () => {
    requireDocker();
    t = await startTestEmulator();
  });
  after(async () => {
    if (t) {
      await stopAndClean(t);
    }
  });

  it('gives real-time and serverless model containers no-new-privileges and a short capability list', { timeout: TIMEOUT.test }, async () => {
    const [realTime, serverless] = await Promise.all([createEndpoint(t.sm), createServerlessEndpoint(t.sm, { provisionedConcurrency: 1 })]);
    for (const endpoint of [realTime.endpoint, serverless.endpoint]) {
      for (const hc of hostConfigs(t.stateDir, endpoint)) {
        assert.deepEqual(hc.SecurityOpt, ['no-new-privileges:true']);
        assert.deepEqual(hc.CapDrop, ['ALL']);
        assert.deepEqual([...(hc.CapAdd ?? [])].sort(), ['CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'KILL', 'NET_BIND_SERVICE', 'SETGID', 'SETUID']);
      }
    }
  });
});

describe('container hardening off (SME_CONTAINER_HARDENING=off)', { timeout: TIMEOUT.suite }, () => {
  let t: TestEmulator;
  before(async () => {
    requireDocker();
    t = await startTestEmulator({ SME_CONTAINER_HARDENING: 'off' });
  });
  after(async () => {
    if (t) {
      await stopAndClean(t);
    }
  });

  it("leaves model containers with Docker's defaults", { timeout: TIMEOUT.test }, async () => {
    const { endpoint } = await createEndpoint(t.sm);
    for (const hc of hostConfigs(t.stateDir, endpoint)) {
      assert.equal(hc.SecurityOpt, null);
      assert.equal(hc.CapDrop, null);
      assert.equal(hc.CapAdd, null);
    }
  });
});
