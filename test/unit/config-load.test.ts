import assert from 'node:assert/strict';
import path from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../src/config/load.js';

const CWD = path.resolve('/srv/app');

/** Runs loadConfig and returns the ConfigError it must throw. */
function configError(env: Record<string, string | undefined>): ConfigError {
  try {
    loadConfig(env, CWD);
  } catch (err) {
    assert.ok(err instanceof ConfigError, `expected a ConfigError, got ${String(err)}`);
    assert.equal(err.name, 'ConfigError');
    return err;
  }
  assert.fail(`loadConfig accepted ${JSON.stringify(env)}`);
}

/** Checks the settings named in `expected` (the config may hold newer ones too). */
function assertSettings(actual: object, expected: Record<string, unknown>): void {
  const picked = Object.fromEntries(Object.keys(expected).map((k) => [k, (actual as Record<string, unknown>)[k]]));
  assert.deepEqual(picked, expected);
  for (const key of Object.keys(expected)) {
    assert.ok(key in actual, `config has no ${key}`);
  }
}

describe('loadConfig', () => {
  test('defaults', () => {
    const c = loadConfig({}, CWD);
    assertSettings(c, {
      host: '127.0.0.1',
      port: 8181,
      stateDir: path.join(CWD, '.sagemaker-emulator'),
      accountId: '123456789012',
      region: 'us-east-1',
      logLevel: 'info',
      idleTimeoutSeconds: 120,
      coldStartDelayMs: 0,
      invocationTimeoutMs: 60_000,
      startupTimeoutSeconds: 240,
      containerHost: '127.0.0.1',
      s3Endpoint: undefined,
      dockerHost: undefined,
    });
  });

  test('every variable overrides its default', () => {
    const c = loadConfig(
      {
        SME_HOST: '0.0.0.0',
        SME_PORT: '9000',
        SME_STATE_DIR: '/var/lib/sme',
        SME_ACCOUNT_ID: '000011112222',
        SME_REGION: 'eu-west-3',
        SME_LOG_LEVEL: 'debug',
        SME_IDLE_TIMEOUT_SECONDS: '5',
        SME_COLD_START_DELAY_MS: '250',
        SME_INVOCATION_TIMEOUT_SECONDS: '2',
        SME_STARTUP_TIMEOUT_SECONDS: '30',
        SME_CONTAINER_HOST: 'host.docker.internal',
        AWS_ENDPOINT_URL_S3: 'http://localhost:9000',
        DOCKER_HOST: 'unix:///run/user/1000/docker.sock',
      },
      CWD,
    );
    assertSettings(c, {
      host: '0.0.0.0',
      port: 9000,
      stateDir: path.resolve('/var/lib/sme'),
      accountId: '000011112222',
      region: 'eu-west-3',
      logLevel: 'debug',
      idleTimeoutSeconds: 5,
      coldStartDelayMs: 250,
      invocationTimeoutMs: 2000,
      startupTimeoutSeconds: 30,
      containerHost: 'host.docker.internal',
      s3Endpoint: 'http://localhost:9000',
      dockerHost: 'unix:///run/user/1000/docker.sock',
    });
  });

  test('port 0 (pick a free port) is allowed', () => {
    assert.equal(loadConfig({ SME_PORT: '0' }, CWD).port, 0);
  });

  test('empty strings and undefined values are treated as unset', () => {
    const c = loadConfig(
      { SME_PORT: '', SME_HOST: '', SME_ACCOUNT_ID: '', SME_LOG_LEVEL: '', SME_STATE_DIR: '', SME_REGION: undefined },
      CWD,
    );
    assert.equal(c.port, 8181);
    assert.equal(c.host, '127.0.0.1');
    assert.equal(c.accountId, '123456789012');
    assert.equal(c.logLevel, 'info');
    assert.equal(c.region, 'us-east-1');
    assert.equal(c.stateDir, path.join(CWD, '.sagemaker-emulator'));
  });

  test(
    'a whitespace-only value is unset too, not the number 0',
    () => {
      assert.equal(loadConfig({ SME_PORT: ' ' }, CWD).port, 8181);
      assert.equal(loadConfig({ SME_IDLE_TIMEOUT_SECONDS: '  ' }, CWD).idleTimeoutSeconds, 120);
    },
  );

  test('unrelated variables are ignored', () => {
    const c = loadConfig({ PATH: '/usr/bin', HOME: '/root', SME_UNKNOWN: 'x' }, CWD);
    assert.equal(c.port, 8181);
  });

  test('S3 is embedded unless SME_S3_ENDPOINT_URL or AWS_ENDPOINT_URL_S3 names another; SME_ wins', () => {
    // AWS_ENDPOINT_URL points the user's clients at us: it must not send our own S3 calls elsewhere.
    assert.equal(loadConfig({ AWS_ENDPOINT_URL: 'http://localstack:4566' }, CWD).s3Endpoint, undefined);
    assert.equal(loadConfig({ AWS_ENDPOINT_URL_S3: 'http://minio:9000' }, CWD).s3Endpoint, 'http://minio:9000');
    assert.equal(
      loadConfig({ SME_S3_ENDPOINT_URL: 'http://moto:5000', AWS_ENDPOINT_URL_S3: 'http://minio:9000' }, CWD).s3Endpoint,
      'http://moto:5000',
    );
    assert.equal(loadConfig({ SME_SNS_ENDPOINT_URL: 'http://moto:5000' }, CWD).snsEndpoint, 'http://moto:5000');
  });

  test('a relative state directory is resolved against the given cwd', () => {
    assert.equal(loadConfig({ SME_STATE_DIR: 'state' }, CWD).stateDir, path.join(CWD, 'state'));
    assert.equal(loadConfig({ SME_STATE_DIR: '../elsewhere' }, CWD).stateDir, path.resolve(CWD, '../elsewhere'));
    assert.equal(loadConfig({ SME_STATE_DIR: '/abs/dir' }, CWD).stateDir, path.resolve('/abs/dir'));
  });

  test('cwd defaults to process.cwd()', () => {
    assert.equal(loadConfig({ SME_STATE_DIR: 'x' }).stateDir, path.join(process.cwd(), 'x'));
  });

  test('port 70000 is refused, naming SME_PORT', () => {
    assert.match(configError({ SME_PORT: '70000' }).message, /SME_PORT/);
  });

  test('a non-numeric or fractional port is refused', () => {
    assert.match(configError({ SME_PORT: 'http' }).message, /SME_PORT/);
    assert.match(configError({ SME_PORT: '80.5' }).message, /SME_PORT/);
    assert.match(configError({ SME_PORT: '-1' }).message, /SME_PORT/);
  });

  test("account 'abc' is refused, naming SME_ACCOUNT_ID and the rule", () => {
    const message = configError({ SME_ACCOUNT_ID: 'abc' }).message;
    assert.match(message, /SME_ACCOUNT_ID/);
    assert.match(message, /12 digits/);
    assert.match(configError({ SME_ACCOUNT_ID: '1234567890123' }).message, /SME_ACCOUNT_ID/);
  });

  test("log level 'loud' is refused, naming SME_LOG_LEVEL", () => {
    assert.match(configError({ SME_LOG_LEVEL: 'loud' }).message, /SME_LOG_LEVEL/);
  });

  test('a malformed region is refused, naming SME_REGION', () => {
    assert.match(configError({ SME_REGION: 'moon' }).message, /SME_REGION/);
  });

  test('timeouts out of range are refused', () => {
    assert.match(configError({ SME_INVOCATION_TIMEOUT_SECONDS: '0' }).message, /SME_INVOCATION_TIMEOUT_SECONDS/);
    assert.match(configError({ SME_STARTUP_TIMEOUT_SECONDS: '3601' }).message, /SME_STARTUP_TIMEOUT_SECONDS/);
    assert.match(configError({ SME_IDLE_TIMEOUT_SECONDS: '-5' }).message, /SME_IDLE_TIMEOUT_SECONDS/);
  });

  test('a malformed S3 endpoint URL is refused', () => {
    assert.match(configError({ AWS_ENDPOINT_URL_S3: 'not a url' }).message, /AWS_ENDPOINT_URL_S3/);
  });

  test('every invalid variable is reported at once', () => {
    const message = configError({ SME_PORT: '70000', SME_ACCOUNT_ID: 'abc', SME_LOG_LEVEL: 'loud' }).message;
    assert.match(message, /^invalid configuration:/);
    for (const name of ['SME_PORT', 'SME_ACCOUNT_ID', 'SME_LOG_LEVEL']) {
      assert.match(message, new RegExp(name));
    }
  });
});
