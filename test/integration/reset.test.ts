import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { AddTagsCommand, ListEndpointConfigsCommand, ListEndpointsCommand, ListModelsCommand, ListTagsCommand } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { managedContainers, requireDocker } from '../helpers/docker.js';
import { startTestEmulator, type TestEmulator, stopAndClean } from '../helpers/emulator.js';
import { createEndpoint, createServerlessEndpoint } from '../helpers/sagemaker.js';

const post = (url: string, path: string, method = 'POST') => fetch(`${url}${path}`, { method, signal: AbortSignal.timeout(60_000) });

describe('POST /_emulator/reset', { timeout: 240_000 }, () => {
  let t: TestEmulator;
  before(async () => {
    requireDocker();
    t = await startTestEmulator();
  });
  after(async () => {
    await stopAndClean(t);
  });

  const counts = async () => ({
    models: (await t.sm.send(new ListModelsCommand({}))).Models!.length,
    configs: (await t.sm.send(new ListEndpointConfigsCommand({}))).EndpointConfigs!.length,
    endpoints: (await t.sm.send(new ListEndpointsCommand({}))).Endpoints!.length,
  });

  test('answers 200 once every resource is deleted and every container removed; other methods change nothing', { timeout: 180_000 }, async () => {
    const real = await createEndpoint(t.sm);
    const endpointArn = `arn:aws:sagemaker:us-east-1:123456789012:endpoint/${real.endpoint.toLowerCase()}`;
    await t.sm.send(new AddTagsCommand({ ResourceArn: endpointArn, Tags: [{ Key: 'team', Value: 'a' }] }));
    await createServerlessEndpoint(t.sm, { provisionedConcurrency: 1 });
    assert.ok(managedContainers(t.stateDir).length >= 2, 'containers are running');
    const before = await counts();
    assert.deepEqual(before, { models: 2, configs: 2, endpoints: 2 });

    for (const method of ['GET', 'PUT', 'DELETE']) {
      const r = await post(t.url, '/_emulator/reset', method);
      assert.equal(r.status, 405, method);
      assert.equal(r.headers.get('allow'), 'POST');
    }
    assert.deepEqual(await counts(), before, 'a GET changes nothing');

    const r = await post(t.url, '/_emulator/reset');
    assert.equal(r.status, 200);
    assert.deepEqual(await r.json(), { status: 'ok' });
    assert.deepEqual(await counts(), { models: 0, configs: 0, endpoints: 0 });
    assert.deepEqual(managedContainers(t.stateDir), [], 'every container is removed by the time reset answers');
    await assert.rejects(
      t.sm.send(new ListTagsCommand({ ResourceArn: endpointArn })),
      /Could not find resource/,
    );
    await assert.rejects(t.runtime.send(new InvokeEndpointCommand({ EndpointName: real.endpoint, Body: '{}' })), /not found/);

    // The same names can be used again at once, and the endpoint serves.
    const again = await createEndpoint(t.sm);
    const answer = await t.runtime.send(new InvokeEndpointCommand({ EndpointName: again.endpoint, Body: '{"x":1}', ContentType: 'application/json' }));
    assert.equal(answer.$metadata.httpStatusCode, 200);
  });

  test("moto's /moto-api/reset is the same route", { timeout: 120_000 }, async () => {
    await createEndpoint(t.sm);
    const r = await post(t.url, '/moto-api/reset');
    assert.equal(r.status, 200);
    assert.deepEqual(await counts(), { models: 0, configs: 0, endpoints: 0 });
    assert.deepEqual(managedContainers(t.stateDir), []);
  });
});
