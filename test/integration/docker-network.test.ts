import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { after, before, describe, test } from 'node:test';
import { DeleteEndpointCommand } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { dockerInspect, managedContainers, requireDocker } from '../helpers/docker.js';
import { type TestEmulator, startTestEmulator, stopAndClean } from '../helpers/emulator.js';
import { createEndpoint } from '../helpers/sagemaker.js';
import { TIMEOUT } from '../helpers/bounded.js';

/**
 * SME_DOCKER_NETWORK, the compose case: model containers join a network and
 * are dialled at their address there, with no port published on the host.
 */
describe('SME_DOCKER_NETWORK', { timeout: TIMEOUT.suite }, () => {
  const network = `sme-test-net-${process.pid}`;
  let t: TestEmulator;
  before(async () => {
    requireDocker();
    t = await startTestEmulator({ SME_DOCKER_NETWORK: network });
  });
  after(async () => {
    await stopAndClean(t);
    execFileSync('docker', ['network', 'rm', network], { stdio: 'ignore', timeout: 30_000 });
  });

  test('containers join the network, publish no port, and answer through the gateway', { timeout: TIMEOUT.test }, async () => {
    const { endpoint } = await createEndpoint(t.sm);
    const [id] = managedContainers(t.stateDir, endpoint);
    const info = dockerInspect(id!) as {
      NetworkSettings: { Networks: Record<string, { IPAddress: string }>; Ports: Record<string, unknown> };
      HostConfig: { PortBindings: Record<string, unknown> | null };
    };
    assert.ok(info.NetworkSettings.Networks[network]?.IPAddress);
    assert.deepEqual(info.HostConfig.PortBindings ?? {}, {});
    const r = await t.runtime.send(new InvokeEndpointCommand({ EndpointName: endpoint, Body: Buffer.from('{"n":1}'), ContentType: 'application/json' }));
    assert.deepEqual((JSON.parse(Buffer.from(r.Body!).toString()) as { input: unknown }).input, { n: 1 });
    await t.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
  });
});
