// `make demo`: runs the emulator with the sample echo endpoint deployed and invoked,
// then leaves it running for you to try with any AWS client. Ctrl-C stops it
// and removes the model containers.
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  CreateEndpointCommand,
  CreateEndpointConfigCommand,
  CreateModelCommand,
  DescribeEndpointCommand,
  ListEndpointsCommand,
  SageMakerClient,
} from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';

// The lockfile pins SDK releases that support Node 20; their notice about later releases is noise here.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const port = process.env.SME_PORT ?? '8181';
const url = `http://127.0.0.1:${port}`;
const stateDir = path.resolve(process.env.SME_STATE_DIR ?? path.join(root, '.sagemaker-emulator'));
const say = (msg) => console.log(`\x1b[36mdemo\x1b[0m ${msg}`);

execFileSync(process.execPath, [path.join(root, 'scripts/build-if-stale.mjs')], { stdio: 'inherit' });
// The emulator gets a process group of its own: Ctrl-C signals the terminal's foreground group, and
// were the emulator in it, it would get SIGINT from the terminal and SIGTERM from us at once, take
// the second for "exit now" and leave its containers behind. This way it gets exactly one signal
// per Ctrl-C (a second Ctrl-C still makes it exit without cleaning up).
const emulator = spawn(process.execPath, [path.join(root, 'bin/sagemaker-emulator.js')], {
  stdio: ['ignore', 'inherit', 'inherit'],
  detached: true,
  env: { ...process.env, SME_PORT: port, SME_STATE_DIR: stateDir },
});
let signalled = false;
const stop = () => {
  signalled = true;
  emulator.kill('SIGTERM');
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
// Should this script end before its emulator without having stopped it (an uncaught error), take it along.
process.on('exit', () => {
  if (!signalled && emulator.exitCode === null && emulator.signalCode === null) {
    emulator.kill('SIGTERM');
  }
});
emulator.on('exit', (code) => process.exit(code ?? 0));

for (let i = 0; ; i++) {
  try {
    if ((await fetch(`${url}/health`)).ok) {
      break;
    }
  } catch {
    // not listening yet
  }
  if (i > 100) {
    say(`the emulator did not answer on ${url}`);
    stop();
    process.exit(1);
  }
  await new Promise((r) => setTimeout(r, 100));
}

const clientConfig = { endpoint: url, region: 'us-east-1', credentials: { accessKeyId: 'demo', secretAccessKey: 'demo' } };
const sm = new SageMakerClient(clientConfig);
const runtime = new SageMakerRuntimeClient(clientConfig);
const name = 'echo-demo';

const existing = await sm.send(new ListEndpointsCommand({ NameContains: name }));
if (!existing.Endpoints?.some((e) => e.EndpointName === name)) {
  mkdirSync(stateDir, { recursive: true });
  const tarball = path.join(stateDir, 'echo-demo-model.tar.gz');
  execFileSync('tar', ['czf', tarball, '-C', path.join(root, 'containers/echo-model/model'), '.']);
  say(`CreateModel ${name} (image sagemaker-emulator/echo-model:latest, model data ${tarball})`);
  await sm.send(
    new CreateModelCommand({
      ModelName: name,
      ExecutionRoleArn: 'arn:aws:iam::123456789012:role/demo',
      PrimaryContainer: { Image: 'sagemaker-emulator/echo-model:latest', ModelDataUrl: `file://${tarball}` },
    }),
  );
  say(`CreateEndpointConfig ${name} (AllTraffic: ml.m5.large × 1)`);
  await sm.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: name,
      ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: name, InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }],
    }),
  );
  say(`CreateEndpoint ${name}`);
  await sm.send(new CreateEndpointCommand({ EndpointName: name, EndpointConfigName: name }));
} else {
  say(`endpoint ${name} exists already (restored from ${stateDir})`);
}

/** Polls DescribeEndpoint until InService, showing each status; exits on Failed. */
async function waitInService(endpoint) {
  const started = Date.now();
  for (;;) {
    const d = await sm.send(new DescribeEndpointCommand({ EndpointName: endpoint }));
    say(`endpoint ${endpoint}: ${d.EndpointStatus} (${Date.now() - started} ms)`);
    if (d.EndpointStatus === 'InService') {
      return;
    }
    if (d.EndpointStatus === 'Failed') {
      say(`FailureReason: ${d.FailureReason}`);
      stop();
      process.exit(1);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

await waitInService(name);

const answer = await runtime.send(
  new InvokeEndpointCommand({ EndpointName: name, Body: Buffer.from('{"x": 1}'), ContentType: 'application/json' }),
);
say(`InvokeEndpoint ${name} → variant ${answer.InvokedProductionVariant}:`);
console.log(Buffer.from(answer.Body).toString('utf8'));
// A multi-model endpoint: three models behind one endpoint, each loaded on its first call.
const mme = 'mme-demo';
const greetings = { 'en.tar.gz': 'hello', 'fr.tar.gz': 'bonjour', 'de/standard.tar.gz': 'hallo' };
if (!(await sm.send(new ListEndpointsCommand({ NameContains: mme }))).Endpoints?.some((e) => e.EndpointName === mme)) {
  const prefix = path.join(stateDir, 'mme-demo-models');
  for (const [target, answer] of Object.entries(greetings)) {
    const src = path.join(stateDir, 'mme-demo-src', target);
    mkdirSync(src, { recursive: true });
    writeFileSync(path.join(src, 'model.json'), JSON.stringify({ answer }));
    mkdirSync(path.dirname(path.join(prefix, target)), { recursive: true });
    execFileSync('tar', ['czf', path.join(prefix, target), '-C', src, '.']);
  }
  say(`CreateModel ${mme} (image sagemaker-emulator/multi-model:latest, Mode MultiModel, models under file://${prefix}/)`);
  await sm.send(
    new CreateModelCommand({
      ModelName: mme,
      ExecutionRoleArn: 'arn:aws:iam::123456789012:role/demo',
      PrimaryContainer: { Image: 'sagemaker-emulator/multi-model:latest', Mode: 'MultiModel', ModelDataUrl: `file://${prefix}/` },
    }),
  );
  await sm.send(
    new CreateEndpointConfigCommand({
      EndpointConfigName: mme,
      ProductionVariants: [{ VariantName: 'AllTraffic', ModelName: mme, InstanceType: 'ml.m5.large', InitialInstanceCount: 1 }],
    }),
  );
  say(`CreateEndpoint ${mme}`);
  await sm.send(new CreateEndpointCommand({ EndpointName: mme, EndpointConfigName: mme }));
}
await waitInService(mme);
for (const target of Object.keys(greetings)) {
  const t0 = Date.now();
  const r = await runtime.send(
    new InvokeEndpointCommand({ EndpointName: mme, TargetModel: target, Body: Buffer.from('{}'), ContentType: 'application/json' }),
  );
  const body = JSON.parse(Buffer.from(r.Body).toString('utf8'));
  say(`InvokeEndpoint ${mme} TargetModel=${target} → ${JSON.stringify(body.answer)} (${Date.now() - t0} ms, ${body.loadedModels} models loaded)`);
}

say(`web console: ${url}/console/ (open it in a browser: the endpoints, their charts, an invoke form)`);
say(`the emulator keeps running on ${url}. Try:
    export AWS_ENDPOINT_URL=${url} AWS_ACCESS_KEY_ID=x AWS_SECRET_ACCESS_KEY=x AWS_DEFAULT_REGION=us-east-1
    aws sagemaker describe-endpoint --endpoint-name ${name}
    aws sagemaker-runtime invoke-endpoint --endpoint-name ${name} --content-type application/json --body '{"x": 2}' /dev/stdout
    aws sagemaker-runtime invoke-endpoint --endpoint-name ${mme} --target-model fr.tar.gz --body '{}' /dev/stdout
  Ctrl-C stops it and removes the model containers; the endpoints come back on the next start.`);
