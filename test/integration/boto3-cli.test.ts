import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ECHO_IMAGE, managedContainers, requireDocker } from '../helpers/docker.js';
import { makeModelTarball, removeStateDir, startTestEmulator, type TestEmulator, uniqueName } from '../helpers/emulator.js';
import { createEndpoint } from '../helpers/sagemaker.js';
import { TIMEOUT } from '../helpers/bounded.js';
import { clientEnv, PYTHON_DIR, type Run, run } from '../helpers/external-clients.js';

/**
 * Unmodified AWS clients against the emulator: boto3 (python3) and the AWS CLI v1.
 * Each python script under python/ prints one JSON document of what it saw;
 * the assertions are here.
 */

const ACCOUNT = '123456789012';

/** Runs a command that must succeed; its stdout. */
async function ok(file: string, args: string[], env: NodeJS.ProcessEnv): Promise<string> {
  const r = await run(file, args, env);
  assert.equal(r.code, 0, `${file} ${args.join(' ')} exited ${r.code}\nstdout: ${r.stdout}\nstderr: ${r.stderr}`);
  return r.stdout;
}

describe('real AWS clients: boto3 and the AWS CLI', { timeout: TIMEOUT.suite }, () => {
  let te: TestEmulator;
  let scratch: string;
  let awsEnv: NodeJS.ProcessEnv;
  const tarballs: string[] = [];

  before(async () => {
    requireDocker();
    assert.ok(existsSync(path.join(PYTHON_DIR, 'common.py')), `python helpers missing under ${PYTHON_DIR}`);
    te = await startTestEmulator();
    scratch = mkdtempSync(path.join(os.tmpdir(), 'sme-clients-'));
    awsEnv = clientEnv(te.url, scratch, 'x');
  });

  after(async () => {
    await te?.stop();
    if (te) {
      assert.deepEqual(managedContainers(te.stateDir), [], 'containers left behind');
      removeStateDir(te.stateDir);
    }
    if (scratch) {
      rmSync(scratch, { recursive: true, force: true });
    }
    for (const t of tarballs) {
      rmSync(path.dirname(t), { recursive: true, force: true });
    }
  });

  async function python<T>(script: string, args: string[]): Promise<T> {
    const stdout = await ok('python3', [path.join(PYTHON_DIR, script), ...args], awsEnv);
    try {
      return JSON.parse(stdout) as T;
    } catch {
      assert.fail(`${script} did not print one JSON document:\n${stdout}`);
    }
  }

  describe('boto3', { timeout: TIMEOUT.suite }, () => {
    test('lifecycle: create, waiters, describe, invoke, paginators, tags, delete', { timeout: TIMEOUT.long }, async () => {
      const tarball = makeModelTarball('boto3');
      tarballs.push(tarball);
      const prefix = uniqueName('b3');
      const out = await python<Lifecycle>('boto3_lifecycle.py', [prefix, tarball]);

      assert.equal(out.endpointUrl, te.url, 'boto3 took the endpoint from AWS_ENDPOINT_URL');
      assert.equal(out.runtimeEndpointUrl, te.url);
      assert.equal(out.createModel, `arn:aws:sagemaker:us-east-1:${ACCOUNT}:model/${prefix}-model`);
      assert.equal(out.createEndpointConfig, `arn:aws:sagemaker:us-east-1:${ACCOUNT}:endpoint-config/${prefix}-config`);
      assert.deepEqual(out.createEndpoint, [
        `arn:aws:sagemaker:us-east-1:${ACCOUNT}:endpoint/${prefix}-ep-a`,
        `arn:aws:sagemaker:us-east-1:${ACCOUNT}:endpoint/${prefix}-ep-b`,
      ]);
      assert.ok(['Creating', 'InService'].includes(out.statusAfterCreate), out.statusAfterCreate);

      const d = out.describe;
      assert.equal(d.EndpointName, `${prefix}-ep-a`);
      assert.equal(d.EndpointConfigName, `${prefix}-config`);
      assert.equal(d.EndpointStatus, 'InService');
      assert.equal(d.CreationTimeType, 'datetime', 'botocore parsed CreationTime as a timestamp');
      assert.equal(d.VariantName, 'AllTraffic');
      assert.equal(d.CurrentInstanceCount, 1);
      assert.equal(d.DesiredInstanceCount, 1);
      assert.equal(d.CurrentWeight, 1);
      assert.equal(d.DeployedImages.length, 1);
      assert.equal(d.DeployedImages[0]!.SpecifiedImage, ECHO_IMAGE);
      assert.match(d.DeployedImages[0]!.ResolvedImage, /^sagemaker-emulator\/echo-model@sha256:[0-9a-f]{64}$/);
      assert.equal(d.DeployedImages[0]!.ResolutionTimeType, 'datetime');

      const inv = out.invoke;
      assert.equal(inv.ContentType, 'application/json');
      assert.equal(inv.InvokedProductionVariant, 'AllTraffic');
      assert.equal(inv.CustomAttributes, 'trace=boto3', 'custom attributes come back in the response');
      assert.deepEqual(inv.Body.model, { name: 'echo', version: 'boto3' }, 'the model came from the file:// tarball');
      assert.deepEqual(inv.Body.input, { features: [1, 2, 3] });
      assert.equal(inv.Body.contentType, 'application/json');
      assert.equal(inv.Body.accept, 'application/json');
      assert.equal(inv.Body.customAttributes, 'trace=boto3');

      // NameContains + the default page size (10): two pages, every model once.
      assert.equal(out.listModels.pages, 2);
      assert.deepEqual(out.listModels.pageSizes, [10, 2]);
      assert.deepEqual([...out.listModels.names].sort(), [...out.listModels.expected].sort());
      // PageSize 5 over every model: each found exactly once.
      const all = out.listAllModels.names;
      assert.equal(new Set(all).size, all.length, `a model was listed twice: ${all.join(', ')}`);
      for (const name of out.listAllModels.expected) {
        assert.ok(all.includes(name), `${name} missing from ListModels`);
      }
      assert.ok(out.listAllModels.pages >= 3, `pages: ${out.listAllModels.pages}`);
      // PageSize 1 over the two endpoints.
      assert.equal(out.listEndpoints.pages, 2);
      assert.deepEqual([...out.listEndpoints.names].sort(), out.listEndpoints.expected);
      assert.deepEqual(out.listEndpoints.statuses, ['InService', 'InService']);

      assert.deepEqual(out.tags.created, [{ Key: 'team', Value: 'ml' }]);
      assert.deepEqual(
        [...out.tags.afterAdd].sort((a, b) => a.Key.localeCompare(b.Key)),
        [
          { Key: 'stage', Value: 'test' },
          { Key: 'team', Value: 'data' },
        ],
      );
      assert.deepEqual(out.tags.afterDelete, [{ Key: 'stage', Value: 'test' }]);

      assert.deepEqual(out.endpointsAfterDelete, []);
      assert.deepEqual(out.modelsAfterDelete, []);
      for (const name of out.listEndpoints.expected) {
        assert.deepEqual(endpointContainers(te.stateDir, name), [], `deleted endpoint ${name} left containers`);
      }
    });

    test('error codes and messages as botocore parses them', { timeout: TIMEOUT.long }, async () => {
      const { model, endpoint } = await createEndpoint(te.sm);
      const prefix = uniqueName('b3err');
      const out = await python<Errors>('boto3_errors.py', [prefix, endpoint, model]);
      const missing = out.missingEndpointName;

      const describeMissing = errorOf(out.describeMissingEndpoint);
      assert.equal(describeMissing.Error.Code, 'ValidationException');
      assert.equal(
        describeMissing.Error.Message,
        `Could not find endpoint "arn:aws:sagemaker:us-east-1:${ACCOUNT}:endpoint/${missing.toLowerCase()}".`,
      );
      assert.equal(describeMissing.HTTPStatusCode, 400);

      const duplicate = errorOf(out.duplicateModel);
      assert.equal(duplicate.Error.Code, 'ValidationException');
      assert.equal(
        duplicate.Error.Message,
        `Cannot create already existing model "arn:aws:sagemaker:us-east-1:${ACCOUNT}:model/${model.toLowerCase()}".`,
      );
      assert.equal(duplicate.HTTPStatusCode, 400);

      const invokeMissing = errorOf(out.invokeMissingEndpoint);
      assert.equal(invokeMissing.Error.Code, 'ValidationError');
      assert.equal(invokeMissing.Error.Message, `Endpoint ${missing} of account ${ACCOUNT} not found.`);
      assert.equal(invokeMissing.HTTPStatusCode, 400);

      const modelError = errorOf(out.modelError);
      assert.equal(modelError.Error.Code, 'ModelError');
      assert.equal(modelError.HTTPStatusCode, 424);
      assert.equal(modelError.OriginalStatusCode, 500);
      assert.equal(modelError.OriginalMessage, 'boom');
      assert.match(modelError.Error.Message, /^Received server error \(500\) from primary with message "boom"\. /);
      assert.match(
        modelError.LogStreamArn ?? '',
        new RegExp(`^arn:aws:logs:us-east-1:${ACCOUNT}:log-group:/aws/sagemaker/Endpoints/${endpoint}:log-stream:AllTraffic/.+`),
      );

      const tooLarge = errorOf(out.tooLarge);
      assert.equal(tooLarge.Error.Code, '413', 'an untyped 413: botocore reports the status as the code');
      assert.equal(tooLarge.Error.Message, 'HTTP content length exceeded 6291456 bytes.');
      assert.equal(tooLarge.HTTPStatusCode, 413);
      assert.deepEqual(out.afterTooLarge, { ok: { after: 1 } }, 'the endpoint serves again after a refused payload');
    });

    test('endpoint_in_service waiter stops with a WaiterError when the endpoint fails', { timeout: TIMEOUT.long }, async () => {
      const out = await python<FailedWaiter>('boto3_failed_waiter.py', [uniqueName('b3fail')]);
      assert.equal(out.waiter.exception, 'WaiterError', JSON.stringify(out.waiter));
      assert.equal(out.waiter.lastStatus, 'Failed');
      assert.match(out.waiter.reason ?? '', /terminal failure state/);
      assert.equal(out.describe.EndpointStatus, 'Failed');
      assert.ok(out.describe.FailureReason?.includes(out.image), `FailureReason: ${out.describe.FailureReason}`);
      assert.equal(out.deleted, true);
    });
  });

  describe('AWS CLI v1', { timeout: TIMEOUT.suite }, () => {
    test('create-model … invoke-endpoint … delete-endpoint', { timeout: TIMEOUT.long }, async () => {
      const aws = (...args: string[]) => ok('aws', args, awsEnv);
      const tarball = makeModelTarball('cli');
      tarballs.push(tarball);
      const model = uniqueName('cli-model');
      const config = uniqueName('cli-config');
      const endpoint = uniqueName('cli-ep');

      const created = JSON.parse(
        await aws(
          'sagemaker',
          'create-model',
          '--model-name',
          model,
          '--execution-role-arn',
          `arn:aws:iam::${ACCOUNT}:role/test`,
          '--primary-container',
          JSON.stringify({ Image: ECHO_IMAGE, ModelDataUrl: pathToFileURL(tarball).href }),
        ),
      ) as { ModelArn: string };
      assert.equal(created.ModelArn, `arn:aws:sagemaker:us-east-1:${ACCOUNT}:model/${model}`, 'the CLI used AWS_ENDPOINT_URL');
      await aws(
        'sagemaker',
        'create-endpoint-config',
        '--endpoint-config-name',
        config,
        '--production-variants',
        `VariantName=AllTraffic,ModelName=${model},InstanceType=ml.m5.large,InitialInstanceCount=1`,
      );
      await aws('sagemaker', 'create-endpoint', '--endpoint-name', endpoint, '--endpoint-config-name', config, '--tags', 'Key=via,Value=cli');

      // The CLI's own waiter polls every 30 s: poll with describe-endpoint, then let the waiter confirm.
      const status = () =>
        aws('sagemaker', 'describe-endpoint', '--endpoint-name', endpoint, '--query', 'EndpointStatus', '--output', 'text').then((s) =>
          s.trim(),
        );
      let last = await status();
      for (let i = 0; last !== 'InService' && i < 240; i++) {
        assert.ok(['Creating', 'InService'].includes(last), `unexpected status ${last}`);
        await new Promise((r) => setTimeout(r, 500));
        last = await status();
      }
      assert.equal(last, 'InService');
      await aws('sagemaker', 'wait', 'endpoint-in-service', '--endpoint-name', endpoint);

      // --endpoint-url works as well (and wins over AWS_ENDPOINT_URL).
      const listed = await ok(
        'aws',
        ['--endpoint-url', te.url, 'sagemaker', 'list-endpoints', '--name-contains', endpoint, '--query', 'Endpoints[].EndpointName', '--output', 'text'],
        { ...awsEnv, AWS_ENDPOINT_URL: 'http://127.0.0.1:9' },
      );
      assert.equal(listed.trim(), endpoint);
      const tags = JSON.parse(
        await aws('sagemaker', 'list-tags', '--resource-arn', `arn:aws:sagemaker:us-east-1:${ACCOUNT}:endpoint/${endpoint}`),
      ) as { Tags: { Key: string; Value: string }[] };
      assert.deepEqual(tags.Tags, [{ Key: 'via', Value: 'cli' }]);

      const outfile = path.join(scratch, 'out.json');
      const meta = JSON.parse(
        await aws(
          'sagemaker-runtime',
          'invoke-endpoint',
          '--endpoint-name',
          endpoint,
          '--body',
          '{"x":1}',
          '--content-type',
          'application/json',
          '--custom-attributes',
          'from=cli',
          outfile,
        ),
      ) as Record<string, string>;
      assert.equal(meta.ContentType, 'application/json');
      assert.equal(meta.InvokedProductionVariant, 'AllTraffic');
      assert.equal(meta.CustomAttributes, 'from=cli');
      const answer = JSON.parse(readFileSync(outfile, 'utf8')) as EchoAnswer;
      assert.deepEqual(answer.input, { x: 1 });
      assert.deepEqual(answer.model, { name: 'echo', version: 'cli' });
      assert.equal(answer.customAttributes, 'from=cli');

      // A ModelError is a CLI failure with the service's message.
      const failed = await run(
        'aws',
        [
          'sagemaker-runtime',
          'invoke-endpoint',
          '--endpoint-name',
          endpoint,
          '--content-type',
          'application/json',
          '--body',
          '{"status": 500, "errorText": "boom"}',
          path.join(scratch, 'error.json'),
        ],
        awsEnv,
      );
      assert.notEqual(failed.code, 0);
      assert.match(failed.stderr, /An error occurred \(ModelError\) when calling the InvokeEndpoint operation: Received server error \(500\) from primary with message "boom"/);

      await aws('sagemaker', 'delete-endpoint', '--endpoint-name', endpoint);
      // Gone once describe-endpoint says so; the CLI's endpoint-deleted waiter then succeeds on its first poll.
      let gone: Run | undefined;
      for (let i = 0; i < 240; i++) {
        const r = await run('aws', ['sagemaker', 'describe-endpoint', '--endpoint-name', endpoint], awsEnv);
        if (r.code !== 0) {
          gone = r;
          break;
        }
        await new Promise((res) => setTimeout(res, 500));
      }
      assert.ok(gone, 'the endpoint was never deleted');
      assert.match(gone.stderr, /\(ValidationException\) when calling the DescribeEndpoint operation: Could not find endpoint/);
      await aws('sagemaker', 'wait', 'endpoint-deleted', '--endpoint-name', endpoint);
      await aws('sagemaker', 'delete-endpoint-config', '--endpoint-config-name', config);
      await aws('sagemaker', 'delete-model', '--model-name', model);
      assert.deepEqual(endpointContainers(te.stateDir, endpoint), [], 'the deleted endpoint left containers');
    });
  });
});

/** The containers of one endpoint of one state directory, running or not. */
function endpointContainers(stateDir: string, endpoint: string): string[] {
  const out = execFileSync(
    'docker',
    [
      'ps',
      '-aq',
      '--filter',
      'label=sagemaker-emulator.managed=true',
      '--filter',
      `label=sagemaker-emulator.state-dir=${stateDir}`,
      '--filter',
      `label=sagemaker-emulator.endpoint=${endpoint}`,
    ],
    { encoding: 'utf8' },
  );
  return out.split('\n').filter(Boolean);
}

interface ClientErrorReport {
  Error: { Code: string; Message: string };
  HTTPStatusCode: number;
  OriginalStatusCode: number | null;
  OriginalMessage: string | null;
  LogStreamArn: string | null;
}

type Captured<T> = { ok: T } | { error: ClientErrorReport } | { exception: string; message: string };

function errorOf(c: Captured<unknown>): ClientErrorReport {
  assert.ok('error' in c, `expected a ClientError, got ${JSON.stringify(c)}`);
  return c.error;
}

interface EchoAnswer {
  model: { name: string; version: string } | null;
  input: unknown;
  contentType: string | null;
  accept: string | null;
  customAttributes: string | null;
}

interface Lifecycle {
  endpointUrl: string;
  runtimeEndpointUrl: string;
  createModel: string;
  createEndpointConfig: string;
  createEndpoint: string[];
  statusAfterCreate: string;
  describe: {
    EndpointName: string;
    EndpointArn: string;
    EndpointConfigName: string;
    EndpointStatus: string;
    CreationTimeType: string;
    VariantName: string;
    CurrentInstanceCount: number;
    DesiredInstanceCount: number;
    CurrentWeight: number;
    DeployedImages: { SpecifiedImage: string; ResolvedImage: string; ResolutionTimeType: string }[];
  };
  invoke: { ContentType: string; InvokedProductionVariant: string; CustomAttributes: string; Body: EchoAnswer };
  listModels: { pages: number; pageSizes: number[]; names: string[]; expected: string[] };
  listAllModels: { pages: number; names: string[]; expected: string[] };
  listEndpoints: { pages: number; names: string[]; statuses: string[]; expected: string[] };
  tags: Record<'created' | 'afterAdd' | 'afterDelete', { Key: string; Value: string }[]>;
  endpointsAfterDelete: string[];
  modelsAfterDelete: string[];
}

interface Errors {
  missingEndpointName: string;
  describeMissingEndpoint: Captured<unknown>;
  duplicateModel: Captured<unknown>;
  invokeMissingEndpoint: Captured<unknown>;
  modelError: Captured<unknown>;
  tooLarge: Captured<unknown>;
  afterTooLarge: Captured<unknown>;
}

interface FailedWaiter {
  image: string;
  endpoint: string;
  waiter: { exception?: string; reason?: string; message?: string; lastStatus?: string; succeeded?: boolean };
  describe: { EndpointStatus: string; FailureReason?: string };
  deleted: boolean;
}
