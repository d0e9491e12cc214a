import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, it } from 'node:test';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointCommand,
  DescribeEndpointCommand,
  DescribeModelCommand,
  ListEndpointsCommand,
  type SageMakerClient,
  waitUntilEndpointInService,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { TIMEOUT, pollUntil } from '../helpers/bounded.js';
import { type ChildEmulator, cleanUpChildren, killRunning, startChild, stopChildGracefully } from '../helpers/child-emulator.js';
import { ECHO_IMAGE, dockerInspect, managedContainers, requireDocker } from '../helpers/docker.js';
import { type TestEmulator, makeModelTarball, startTestEmulator, stopAndClean, uniqueName } from '../helpers/emulator.js';
import { hostPrimaryIp, managedNetworks, networkGateway, probeFrom, type ProbeTarget } from '../helpers/network-probe.js';

/**
 * EnableNetworkIsolation: the model container answers the gateway (through
 * its relay) and reaches nothing else — not a host listener on 0.0.0.0 (by
 * any of the host's addresses), not another model container, not the
 * internet. A non-isolated container on the same host reaches the listener,
 * which proves the probe itself works.
 */

const ROLE = 'arn:aws:iam::123456789012:role/test';
const GREETING = 'hello from the host listener';
const PING = 'GET /ping HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n';

interface Inspected {
  Id: string;
  Config: { Labels: Record<string, string> };
  HostConfig: { ReadonlyRootfs: boolean; CapDrop: string[] | null; SecurityOpt: string[] | null; PortBindings: Record<string, unknown> | null };
  NetworkSettings: { Networks: Record<string, { IPAddress: string }>; Ports: Record<string, unknown> | null };
}

async function deploy(sm: SageMakerClient, isolated: boolean, tarball: string): Promise<string> {
  const model = uniqueName(isolated ? 'iso-model' : 'open-model');
  await sm.send(
    new CreateModelCommand({
      ModelName: model,
      ExecutionRoleArn: ROLE,
      PrimaryContainer: { Image: ECHO_IMAGE, ModelDataUrl: tarball },
      EnableNetworkIsolation: isolated,
    }),
  );
  const config = uniqueName('config');
  await sm.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: config,
      ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: model, InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }],
    }),
  );
  const endpoint = uniqueName(isolated ? 'iso-ep' : 'open-ep');
  await sm.send(new CreateEndpointCommand({ EndpointName: endpoint, EndpointConfigName: config }));
  await waitUntilEndpointInService({ client: sm, maxWaitTime: 120, minDelay: 1, maxDelay: 1 }, { EndpointName: endpoint });
  return endpoint;
}

/** The endpoint's containers, split into the model's and (for an isolated one) its relay's. */
function containersOf(stateDir: string, endpoint: string): { model: Inspected; relay: Inspected | undefined } {
  const all = managedContainers(stateDir, endpoint).map((id) => dockerInspect(id) as unknown as Inspected);
  const relay = all.find((c) => c.Config.Labels['sagemaker-emulator.role'] === 'isolation-relay');
  const model = all.find((c) => c !== relay);
  assert.ok(model, `no model container for ${endpoint}`);
  return { model, relay };
}

describe('EnableNetworkIsolation', { timeout: TIMEOUT.suite }, () => {
  let t: TestEmulator;
  let listener: net.Server;
  let listenerPort: number;
  let isolatedEndpoint: string;
  let openEndpoint: string;

  before(async () => {
    requireDocker();
    // A host service on every address: what an --internal network alone would still let a container reach.
    listener = net.createServer((s) => {
      // Probes hang up abruptly; a reset is not this test's failure.
      s.on('error', () => undefined);
      s.end(`${GREETING}\n`);
    });
    await new Promise<void>((resolve) => listener.listen(0, '0.0.0.0', resolve));
    listenerPort = (listener.address() as AddressInfo).port;
    t = await startTestEmulator();
    const tarball = makeModelTarball('isolated-v1');
    [isolatedEndpoint, openEndpoint] = await Promise.all([deploy(t.sm, true, tarball), deploy(t.sm, false, tarball)]);
  });

  after(async () => {
    listener?.close();
    if (t) {
      await stopAndClean(t);
      assert.deepEqual(managedNetworks(t.stateDir), [], 'networks left behind');
    }
  });

  it('serves InvokeEndpoint through the relay, with its model data mounted', { timeout: TIMEOUT.test }, async () => {
    const out = await t.runtime.send(
      new InvokeEndpointCommand({ EndpointName: isolatedEndpoint, ContentType: 'application/json', Body: Buffer.from('{"x":1}') }),
    );
    const body = JSON.parse(Buffer.from(out.Body!).toString('utf8')) as { model: { version: string }; modelFiles: string[]; input: unknown };
    assert.equal(out.$metadata.httpStatusCode, 200);
    assert.deepEqual(body.input, { x: 1 });
    assert.equal(body.model.version, 'isolated-v1');
    assert.ok(body.modelFiles.includes('model.json'), `model files: ${body.modelFiles.join(', ')}`);
  });

  it('puts the model alone on an internal network without a host address, and hardens its relay', { timeout: TIMEOUT.test }, () => {
    const { model, relay } = containersOf(t.stateDir, isolatedEndpoint);
    assert.ok(relay, 'no relay container');
    const networks = Object.keys(model.NetworkSettings.Networks);
    assert.equal(networks.length, 1, `model networks: ${networks.join(', ')}`);
    const isoNet = networks[0]!;
    assert.match(isoNet, /^sme-iso-/);
    assert.deepEqual(model.HostConfig.PortBindings ?? {}, {}, 'the isolated model publishes no port');
    const netInfo = dockerInspect(isoNet) as { Internal: boolean; Options: Record<string, string> };
    assert.equal(netInfo.Internal, true);
    assert.equal(netInfo.Options['com.docker.network.bridge.inhibit_ipv4'], 'true');
    assert.ok(isoNet in relay.NetworkSettings.Networks, 'the relay is attached to the isolated network');
    assert.equal(relay.HostConfig.ReadonlyRootfs, true);
    assert.deepEqual(relay.HostConfig.CapDrop, ['ALL']);
    assert.deepEqual(relay.HostConfig.SecurityOpt, ['no-new-privileges:true']);
  });

  it('reaches no host listener, no other model container and not the internet; a non-isolated model does reach the host', { timeout: TIMEOUT.test }, async () => {
    const iso = containersOf(t.stateDir, isolatedEndpoint).model;
    const open = containersOf(t.stateDir, openEndpoint).model;
    const isoNet = Object.keys(iso.NetworkSettings.Networks)[0]!;
    const isoGateway = networkGateway(isoNet);
    assert.ok(isoGateway, `network ${isoNet} has no gateway address in its IPAM config`);
    const openAddress = Object.values(open.NetworkSettings.Networks)[0]!.IPAddress;
    const isoAddress = iso.NetworkSettings.Networks[isoNet]!.IPAddress;
    const hostTargets: ProbeTarget[] = [
      { name: 'host via the isolated network gateway', host: isoGateway, port: listenerPort, expect: GREETING },
      { name: 'host via 172.17.0.1', host: '172.17.0.1', port: listenerPort, expect: GREETING },
      { name: 'host via its primary IP', host: hostPrimaryIp(), port: listenerPort, expect: GREETING },
    ];
    const fromIsolated = await probeFrom(iso.Id, [
      ...hostTargets,
      { name: 'the other model container', host: openAddress, port: 8080, send: PING, expect: 'HTTP/1.1 200' },
      { name: 'the internet (1.1.1.1:443)', host: '1.1.1.1', port: 443, send: PING, expect: 'HTTP/1.' },
    ]);
    // Not even a TCP connection: the isolated network has no route out at all.
    for (const [target, outcome] of Object.entries(fromIsolated)) {
      assert.ok(outcome === 'timeout' || outcome.startsWith('error:'), `the isolated container got to ${target}: ${outcome}`);
    }
    const fromOpen = await probeFrom(open.Id, [
      ...hostTargets,
      { name: 'the isolated model container', host: isoAddress, port: 8080, send: PING, expect: 'HTTP/1.1 200' },
    ]);
    assert.equal(fromOpen['host via 172.17.0.1'], 'reached', `the probe itself does not work: ${JSON.stringify(fromOpen)}`);
    assert.notEqual(fromOpen['the isolated model container'], 'reached', 'another container reached the isolated model');
    console.log(JSON.stringify({ fromIsolated, fromOpen }));
  });

  it('replaces an instance whose relay dies, relay and network included', { timeout: TIMEOUT.test }, async () => {
    const before = containersOf(t.stateDir, isolatedEndpoint);
    execFileSync('docker', ['kill', before.relay!.Id], { stdio: 'pipe', timeout: 30_000 });
    const after = await pollUntil(
      'a new model container and relay',
      () => {
        const ids = managedContainers(t.stateDir, isolatedEndpoint);
        if (ids.length !== 2 || ids.some((id) => before.model.Id.startsWith(id) || before.relay!.Id.startsWith(id))) {
          return undefined;
        }
        const now = containersOf(t.stateDir, isolatedEndpoint);
        return now.relay ? now : undefined;
      },
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    const oldNetwork = Object.keys(before.model.NetworkSettings.Networks)[0]!;
    await pollUntil('the old isolated network to go', () => !managedNetworks(t.stateDir).includes(oldNetwork), { timeoutMs: 30_000, intervalMs: 500 });
    assert.notEqual(Object.keys(after.model.NetworkSettings.Networks)[0], oldNetwork);
    const out = await pollUntil(
      'the endpoint to answer again',
      () =>
        t.runtime
          .send(new InvokeEndpointCommand({ EndpointName: isolatedEndpoint, ContentType: 'application/json', Body: Buffer.from('{}') }))
          .catch(() => undefined),
      { timeoutMs: 60_000, intervalMs: 500 },
    );
    assert.equal((JSON.parse(Buffer.from(out.Body!).toString('utf8')) as { model: { version: string } }).model.version, 'isolated-v1');
  });

  it('removes the relay and the isolated network with the endpoint', { timeout: TIMEOUT.test }, async () => {
    await t.sm.send(new DeleteEndpointCommand({ EndpointName: isolatedEndpoint }));
    await pollUntil(
      'the isolated endpoint containers and network to go',
      () => managedContainers(t.stateDir, isolatedEndpoint).length === 0 && !managedNetworks(t.stateDir).some((n) => n.startsWith('sme-iso-')),
      { timeoutMs: 30_000, intervalMs: 500 },
    );
  });
});

describe('VpcConfig: validated, recorded, not enforced', { timeout: TIMEOUT.suite }, () => {
  let t: TestEmulator;
  const logLines: Record<string, unknown>[] = [];
  before(async () => {
    t = await startTestEmulator({}, undefined, { logLines });
  });
  after(async () => {
    if (t) {
      await stopAndClean(t);
    }
  });

  const createWithVpc = (name: string, vpc: { SecurityGroupIds: string[]; Subnets: string[] }) =>
    t.sm.send(new CreateModelCommand({ ModelName: name, ExecutionRoleArn: ROLE, PrimaryContainer: { Image: ECHO_IMAGE }, VpcConfig: vpc }));

  it('returns VpcConfig from DescribeModel as given and logs that it is not enforced', { timeout: TIMEOUT.test }, async () => {
    const name = uniqueName('vpc-model');
    const vpc = { SecurityGroupIds: ['sg-0123456789abcdef0'], Subnets: ['subnet-0a', 'subnet-0b'] };
    await createWithVpc(name, vpc);
    const described = await t.sm.send(new DescribeModelCommand({ ModelName: name }));
    assert.deepEqual(described.VpcConfig, vpc);
    assert.ok(logLines.some((l) => l.model === name && String(l.msg).startsWith('VpcConfig recorded but not enforced')));
  });

  it('rejects VpcConfig values outside botocore’s constraints with the shape validator’s ValidationException', { timeout: TIMEOUT.test }, async () => {
    const cases: { vpc: { SecurityGroupIds: string[]; Subnets: string[] }; message: string }[] = [
      {
        vpc: { SecurityGroupIds: ['sg-1'], Subnets: [] },
        message: "1 validation error detected: Value '[]' at 'vpcConfig.subnets' failed to satisfy constraint: Member must have length greater than or equal to 1",
      },
      {
        vpc: { SecurityGroupIds: ['sg-1', 'sg-2', 'sg-3', 'sg-4', 'sg-5', 'sg-6'], Subnets: ['subnet-1'] },
        message:
          "1 validation error detected: Value '[sg-1, sg-2, sg-3, sg-4, sg-5, sg-6]' at 'vpcConfig.securityGroupIds' failed to satisfy constraint: Member must have length less than or equal to 5",
      },
      {
        vpc: { SecurityGroupIds: ['sg_1'], Subnets: ['subnet-1'] },
        message:
          "1 validation error detected: Value 'sg_1' at 'vpcConfig.securityGroupIds.1.member' failed to satisfy constraint: Member must satisfy regular expression pattern: [-0-9a-zA-Z]+",
      },
      {
        vpc: { SecurityGroupIds: ['sg-1'], Subnets: [`subnet-${'a'.repeat(30)}`] },
        message: `1 validation error detected: Value 'subnet-${'a'.repeat(30)}' at 'vpcConfig.subnets.1.member' failed to satisfy constraint: Member must have length less than or equal to 32`,
      },
    ];
    for (const c of cases) {
      await assert.rejects(createWithVpc(uniqueName('bad-vpc'), c.vpc), (e: Error & { $metadata?: { httpStatusCode?: number } }) => {
        assert.equal(e.name, 'ValidationException');
        assert.equal(e.message, c.message);
        assert.equal(e.$metadata?.httpStatusCode, 400);
        return true;
      });
    }
  });
});

describe('network isolation across a gateway crash and restart', { timeout: TIMEOUT.suite }, () => {
  const stateDir = mkdtempSync(path.join(os.tmpdir(), 'sme-iso-restart-'));
  const children = new Set<ChildEmulator>();
  after(async () => {
    const networksLeft = managedNetworks(stateDir);
    const problems = await cleanUpChildren(children, [stateDir]);
    assert.deepEqual(problems, []);
    assert.deepEqual(networksLeft, [], 'networks left behind');
  });

  it('the restarted gateway removes the dead one’s relay and isolated network, and serves the endpoint again', { timeout: TIMEOUT.long }, async () => {
    requireDocker();
    const first = await startChild(stateDir);
    children.add(first);
    const endpoint = await deploy(first.sm, true, makeModelTarball('restart-v1'));
    const before = { containers: managedContainers(stateDir), networks: managedNetworks(stateDir) };
    assert.equal(before.containers.length, 2, 'a model container and its relay');
    assert.equal(before.networks.length, 1);
    await killRunning([first], children);
    const second = await startChild(stateDir);
    children.add(second);
    await waitUntilEndpointInService({ client: second.sm, maxWaitTime: 120, minDelay: 1, maxDelay: 1 }, { EndpointName: endpoint });
    const out = await second.runtime.send(new InvokeEndpointCommand({ EndpointName: endpoint, ContentType: 'application/json', Body: Buffer.from('{}') }));
    assert.equal((JSON.parse(Buffer.from(out.Body!).toString('utf8')) as { model: { version: string } }).model.version, 'restart-v1');
    const now = { containers: managedContainers(stateDir), networks: managedNetworks(stateDir) };
    assert.deepEqual(
      before.containers.filter((id) => now.containers.some((c) => id.startsWith(c) || c.startsWith(id))),
      [],
      'containers of the dead gateway remain',
    );
    assert.deepEqual(before.networks.filter((n) => now.networks.includes(n)), [], 'networks of the dead gateway remain');
    assert.equal(now.containers.length, 2);
    assert.equal(now.networks.length, 1);
    await stopChildGracefully(second, stateDir, children);
    assert.deepEqual(managedNetworks(stateDir), [], 'networks left after SIGTERM');
  });
});

describe('a relay image that is not there', { timeout: TIMEOUT.suite }, () => {
  let t: TestEmulator;
  before(async () => {
    requireDocker();
    t = await startTestEmulator({ SME_ISOLATION_RELAY_IMAGE: 'sagemaker-emulator/no-such-relay:none' });
  });
  after(async () => {
    if (t) {
      await stopAndClean(t);
      assert.deepEqual(managedNetworks(t.stateDir), [], 'networks left behind');
    }
  });

  it('fails the isolated endpoint with a FailureReason naming SME_ISOLATION_RELAY_IMAGE', { timeout: TIMEOUT.test }, async () => {
    // The waiter gives up on a Failed endpoint.
    await assert.rejects(deploy(t.sm, true, makeModelTarball('no-relay')));
    const list = await t.sm.send(new ListEndpointsCommand({ StatusEquals: 'Failed' }));
    const failed = list.Endpoints?.[0]?.EndpointName;
    assert.ok(failed, 'no Failed endpoint');
    const d = await t.sm.send(new DescribeEndpointCommand({ EndpointName: failed }));
    assert.match(d.FailureReason ?? '', /The network isolation relay image "sagemaker-emulator\/no-such-relay:none" \(SME_ISOLATION_RELAY_IMAGE\) is not present locally/);
    assert.deepEqual(managedContainers(t.stateDir), []);
  });
});

describe('network isolation with SME_DOCKER_NETWORK', { timeout: TIMEOUT.suite }, () => {
  const shared = `sme-test-iso-net-${process.pid}`;
  let t: TestEmulator;
  before(async () => {
    requireDocker();
    t = await startTestEmulator({ SME_DOCKER_NETWORK: shared });
  });
  after(async () => {
    if (t) {
      await stopAndClean(t);
      assert.deepEqual(managedNetworks(t.stateDir), [], 'networks left behind');
    }
    execFileSync('docker', ['network', 'rm', shared], { stdio: 'ignore', timeout: 30_000 });
  });

  it('puts the relay on the shared network (no published port) and the model on its isolated one only', { timeout: TIMEOUT.test }, async () => {
    const endpoint = await deploy(t.sm, true, makeModelTarball('shared-net'));
    const { model, relay } = containersOf(t.stateDir, endpoint);
    assert.ok(relay, 'no relay container');
    assert.deepEqual(Object.keys(model.NetworkSettings.Networks).map((n) => n.startsWith('sme-iso-')), [true]);
    assert.deepEqual(Object.keys(relay.NetworkSettings.Networks).sort(), [shared, Object.keys(model.NetworkSettings.Networks)[0]!].sort());
    assert.deepEqual(relay.HostConfig.PortBindings ?? {}, {});
    const out = await t.runtime.send(new InvokeEndpointCommand({ EndpointName: endpoint, ContentType: 'application/json', Body: Buffer.from('{}') }));
    assert.equal((JSON.parse(Buffer.from(out.Body!).toString('utf8')) as { model: { version: string } }).model.version, 'shared-net');
    await t.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
  });
});
