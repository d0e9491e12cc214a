import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import {
  AddTagsCommand,
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DeleteEndpointCommand,
  DeleteEndpointConfigCommand,
  DeleteModelCommand,
  DeleteTagsCommand,
  DescribeEndpointCommand,
  DescribeEndpointConfigCommand,
  DescribeModelCommand,
  type EndpointStatus,
  ListEndpointsCommand,
  ListModelsCommand,
  ListTagsCommand,
  waitUntilEndpointDeleted,
  waitUntilEndpointInService,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { ECHO_IMAGE, dockerInspect, managedContainers, requireDocker } from '../helpers/docker.js';
import { type TestEmulator, makeModelTarball, startTestEmulator, uniqueName, stopAndClean } from '../helpers/emulator.js';
import { createEndpoint, createModel } from '../helpers/sagemaker.js';
import { TIMEOUT, pollUntil } from '../helpers/bounded.js';

const decode = (body: Uint8Array | undefined) => JSON.parse(Buffer.from(body ?? []).toString('utf8')) as Record<string, unknown>;

describe('endpoint lifecycle with the AWS SDK for JavaScript v3', { timeout: TIMEOUT.suite }, () => {
  let t: TestEmulator;
  before(async () => {
    requireDocker();
    t = await startTestEmulator();
  });
  after(async () => {
    await stopAndClean(t);
  });

  test('create → InService → invoke → delete, with describe output as the service model shapes it', { timeout: TIMEOUT.test }, async () => {
    const tarball = makeModelTarball('v-lifecycle');
    const model = uniqueName('Model');
    const created = await t.sm.send(
      new CreateModelCommand({
        ModelName: model,
        ExecutionRoleArn: 'arn:aws:iam::123456789012:role/x',
        PrimaryContainer: { Image: ECHO_IMAGE, ModelDataUrl: `file://${tarball}`, Environment: { MODEL_GREETING: 'hello' } },
        Tags: [{ Key: 'team', Value: 'ml' }],
      }),
    );
    // The ARN holds the lower-cased name (docs/aws-contract.md §4.8).
    assert.equal(created.ModelArn, `arn:aws:sagemaker:us-east-1:123456789012:model/${model.toLowerCase()}`);
    const described = await t.sm.send(new DescribeModelCommand({ ModelName: model }));
    assert.equal(described.ModelName, model);
    assert.equal(described.PrimaryContainer?.Image, ECHO_IMAGE);
    assert.deepEqual(described.PrimaryContainer?.Environment, { MODEL_GREETING: 'hello' });
    assert.ok(described.CreationTime instanceof Date && Math.abs(described.CreationTime.getTime() - Date.now()) < 60_000);

    const config = uniqueName('config');
    await t.sm.send(
      new CreateEndpointConfigCommand({
        EndpointConfigName: config,
        ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: model, InstanceType: 'ml.t2.medium', InitialInstanceCount: 2 }],
      }),
    );
    const dc = await t.sm.send(new DescribeEndpointConfigCommand({ EndpointConfigName: config }));
    assert.equal(dc.ProductionVariants?.[0]?.InitialVariantWeight, 1, 'weight defaults to 1.0');

    const endpoint = uniqueName('ep');
    const out = await t.sm.send(new CreateEndpointCommand({ EndpointName: endpoint, EndpointConfigName: config }));
    assert.match(out.EndpointArn ?? '', /:endpoint\/ep-/);
    // CreateEndpoint answers at once; the endpoint is describable right away (the waiter depends on it).
    const early = await t.sm.send(new DescribeEndpointCommand({ EndpointName: endpoint }));
    assert.ok(['Creating', 'InService'].includes(early.EndpointStatus ?? ''));
    const waited = await waitUntilEndpointInService({ client: t.sm, maxWaitTime: 120, minDelay: 1, maxDelay: 1 }, { EndpointName: endpoint });
    assert.equal(waited.state, 'SUCCESS');

    const d = await t.sm.send(new DescribeEndpointCommand({ EndpointName: endpoint }));
    assert.equal(d.EndpointStatus, 'InService');
    assert.equal(d.EndpointConfigName, config);
    const v = d.ProductionVariants?.[0];
    assert.equal(v?.VariantName, 'AllTraffic');
    assert.equal(v?.CurrentInstanceCount, 2);
    assert.equal(v?.DesiredInstanceCount, 2);
    assert.equal(v?.CurrentWeight, 1);
    assert.equal(v?.DeployedImages?.[0]?.SpecifiedImage, ECHO_IMAGE);
    assert.match(v?.DeployedImages?.[0]?.ResolvedImage ?? '', /^sagemaker-emulator\/echo-model@sha256:[0-9a-f]{64}$/);
    assert.ok(d.LastModifiedTime!.getTime() >= d.CreationTime!.getTime());

    // One container per instance, capped like an ml.t2.medium (4 GiB, 2 vCPUs; capped to the machine).
    const containers = managedContainers(t.stateDir);
    assert.equal(containers.length, 2);
    const inspected = dockerInspect(containers[0]!) as {
      Config: { Labels: Record<string, string>; Cmd: string[] };
      HostConfig: { Memory: number; NanoCpus: number; PortBindings: Record<string, { HostIp: string }[]> };
    };
    assert.deepEqual(inspected.Config.Cmd, ['serve']);
    assert.equal(inspected.Config.Labels['sagemaker-emulator.endpoint'], endpoint);
    assert.equal(inspected.Config.Labels['sagemaker-emulator.variant'], 'AllTraffic');
    assert.ok(inspected.HostConfig.Memory > 0 && inspected.HostConfig.Memory <= 4 * 1024 ** 3);
    assert.equal(inspected.HostConfig.PortBindings['8080/tcp']?.[0]?.HostIp, '127.0.0.1');

    // Invoke: body, headers both ways, the variant header, the model read from /opt/ml/model.
    const hostnames = new Set<string>();
    for (let i = 0; i < 6; i++) {
      const r = await t.runtime.send(
        new InvokeEndpointCommand({
          EndpointName: endpoint,
          Body: Buffer.from(JSON.stringify({ x: i })),
          ContentType: 'application/json',
          Accept: 'application/json',
          CustomAttributes: 'trace=abc',
        }),
      );
      assert.equal(r.InvokedProductionVariant, 'AllTraffic');
      assert.equal(r.ContentType, 'application/json');
      assert.equal(r.CustomAttributes, 'trace=abc');
      const answer = decode(r.Body);
      assert.deepEqual(answer.input, { x: i });
      assert.deepEqual(answer.model, { name: 'echo', version: 'v-lifecycle' });
      assert.equal(answer.accept, 'application/json');
      assert.equal(answer.customAttributes, 'trace=abc');
      assert.deepEqual(answer.env, { MODEL_GREETING: 'hello' });
      hostnames.add(answer.hostname as string);
    }
    assert.equal(hostnames.size, 2, 'requests go round robin across both instances');

    // The model and config may be deleted while the endpoint serves (docs/aws-contract.md §4.4, §4.7).
    await t.sm.send(new DeleteModelCommand({ ModelName: model }));
    await t.sm.send(new DeleteEndpointConfigCommand({ EndpointConfigName: config }));
    const still = await t.runtime.send(new InvokeEndpointCommand({ EndpointName: endpoint, Body: Buffer.from('{}') }));
    assert.equal(still.InvokedProductionVariant, 'AllTraffic');

    await t.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
    const deleted = await waitUntilEndpointDeleted({ client: t.sm, maxWaitTime: 60, minDelay: 1, maxDelay: 1 }, { EndpointName: endpoint });
    assert.equal(deleted.state, 'SUCCESS');
    assert.deepEqual(managedContainers(t.stateDir), []);
  });

  test('List paging, sorting and filters', { timeout: TIMEOUT.test }, async () => {
    const prefix = uniqueName('paging');
    const names: string[] = [];
    for (let i = 0; i < 12; i++) {
      const name = `${prefix}-${String(i).padStart(2, '0')}`;
      await t.sm.send(
        new CreateModelCommand({ ModelName: name, PrimaryContainer: { Image: ECHO_IMAGE } }),
      );
      names.push(name);
    }
    const first = await t.sm.send(new ListModelsCommand({ NameContains: prefix }));
    assert.equal(first.Models?.length, 10, 'MaxResults defaults to 10');
    assert.ok(first.NextToken);
    const second = await t.sm.send(new ListModelsCommand({ NameContains: prefix, NextToken: first.NextToken }));
    assert.equal(second.Models?.length, 2);
    assert.equal(second.NextToken, undefined);
    const all = [...first.Models!, ...second.Models!].map((m) => m.ModelName);
    assert.deepEqual([...all].sort(), [...names].sort());

    const byName = await t.sm.send(new ListModelsCommand({ NameContains: prefix, SortBy: 'Name', SortOrder: 'Ascending', MaxResults: 3 }));
    assert.deepEqual(byName.Models?.map((m) => m.ModelName), names.slice(0, 3));
    const newest = await t.sm.send(new ListModelsCommand({ NameContains: prefix, MaxResults: 1 }));
    assert.equal(newest.Models?.[0]?.ModelName, names.at(-1), 'CreationTime Descending by default');
    const none = await t.sm.send(new ListModelsCommand({ NameContains: prefix, CreationTimeAfter: new Date(Date.now() + 60_000) }));
    assert.deepEqual(none.Models, []);

    // StatusEquals on real endpoints of this prefix: one InService, one Failed (its container exits at start).
    const serving = `${prefix}-serving`;
    const failing = `${prefix}-failing`;
    await createEndpoint(t.sm, { endpointName: serving });
    await createEndpoint(t.sm, { endpointName: failing, environment: { EXIT_AT_START: '3' }, wait: false });
    await pollUntil(
      `${failing} to fail`,
      async () => (await t.sm.send(new DescribeEndpointCommand({ EndpointName: failing }))).EndpointStatus === 'Failed',
      { timeoutMs: 30_000, intervalMs: 200 },
    );
    const withStatus = async (StatusEquals?: EndpointStatus) =>
      (await t.sm.send(new ListEndpointsCommand({ NameContains: prefix, StatusEquals, SortBy: 'Name', SortOrder: 'Ascending' }))).Endpoints?.map(
        (e) => [e.EndpointName, e.EndpointStatus],
      );
    assert.deepEqual(await withStatus(), [
      [failing, 'Failed'],
      [serving, 'InService'],
    ]);
    assert.deepEqual(await withStatus('InService'), [[serving, 'InService']]);
    assert.deepEqual(await withStatus('Failed'), [[failing, 'Failed']]);
    assert.deepEqual(await withStatus('Creating'), []);
    for (const endpoint of [serving, failing]) {
      await t.sm.send(new DeleteEndpointCommand({ EndpointName: endpoint }));
    }
  });

  test('tags: AddTags overwrites, ListTags, DeleteTags', { timeout: TIMEOUT.test }, async () => {
    const model = await createModel(t.sm);
    const arn = `arn:aws:sagemaker:us-east-1:123456789012:model/${model.toLowerCase()}`;
    await t.sm.send(new AddTagsCommand({ ResourceArn: arn, Tags: [{ Key: 'a', Value: '1' }, { Key: 'b', Value: '2' }] }));
    await t.sm.send(new AddTagsCommand({ ResourceArn: arn, Tags: [{ Key: 'a', Value: '3' }] }));
    const listed = await t.sm.send(new ListTagsCommand({ ResourceArn: arn }));
    assert.deepEqual(listed.Tags, [{ Key: 'a', Value: '3' }, { Key: 'b', Value: '2' }]);
    await t.sm.send(new DeleteTagsCommand({ ResourceArn: arn, TagKeys: ['a'] }));
    const after = await t.sm.send(new ListTagsCommand({ ResourceArn: arn }));
    assert.deepEqual(after.Tags, [{ Key: 'b', Value: '2' }]);
    await t.sm.send(new DeleteModelCommand({ ModelName: model }));
    await assert.rejects(t.sm.send(new ListTagsCommand({ ResourceArn: arn })), { name: 'ValidationException' });
  });
});
