import path from 'node:path';
import { type Config, envSchema } from './schema.js';

export class ConfigError extends Error {
  override name = 'ConfigError';
}

/**
 * Parses the environment once, at start-up. The only reader of process.env is
 * main.ts, which hands it to this pure function.
 */
export function loadConfig(env: Record<string, string | undefined>, cwd: string = process.cwd()): Config {
  // Empty strings mean "unset", as shells often export VAR= to clear a value.
  const present = Object.fromEntries(
    Object.entries(env)
      .filter(([, v]) => v !== undefined && v.trim() !== '')
      .map(([k, v]) => [k, v!.trim()]),
  );
  const parsed = envSchema.safeParse(present);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = parsed.data;
  if (e.SME_AUTH === 'strict' && !e.SME_CREDENTIALS) {
    throw new ConfigError('invalid configuration:\n  SME_CREDENTIALS: SME_AUTH=strict needs at least one AKID:SECRET pair');
  }
  return {
    host: e.SME_HOST,
    port: e.SME_PORT,
    stateDir: path.resolve(cwd, e.SME_STATE_DIR),
    accountId: e.SME_ACCOUNT_ID,
    region: e.SME_REGION,
    logLevel: e.SME_LOG_LEVEL,
    idleTimeoutSeconds: e.SME_IDLE_TIMEOUT_SECONDS,
    coldStartDelayMs: e.SME_COLD_START_DELAY_MS,
    serverlessContainerConcurrency: e.SME_SERVERLESS_CONTAINER_CONCURRENCY,
    invocationTimeoutMs: e.SME_INVOCATION_TIMEOUT_SECONDS * 1000,
    startupTimeoutSeconds: e.SME_STARTUP_TIMEOUT_SECONDS,
    containerHost: e.SME_CONTAINER_HOST,
    dockerNetwork: e.SME_DOCKER_NETWORK,
    metricsSampleSeconds: e.SME_METRICS_SAMPLE_SECONDS,
    s3Endpoint: e.SME_S3_ENDPOINT_URL ?? e.AWS_ENDPOINT_URL_S3,
    snsEndpoint: e.SME_SNS_ENDPOINT_URL,
    mmeLoadWaitMs: e.SME_MME_LOAD_WAIT_SECONDS * 1000,
    maxConcurrentJobs: e.SME_MAX_CONCURRENT_JOBS,
    recommenderStepSeconds: e.SME_RECOMMENDER_STEP_SECONDS,
    metricPeriodSeconds: e.SME_METRIC_PERIOD_SECONDS,
    mmeDiskLimitBytes: e.SME_MME_DISK_LIMIT_MB === undefined ? undefined : e.SME_MME_DISK_LIMIT_MB * 1024 * 1024,
    dockerHost: e.DOCKER_HOST,
    auth: e.SME_AUTH,
    credentials: parseCredentials(e.SME_CREDENTIALS),
    imageFallback: e.SME_IMAGE_FALLBACK,
    isolationRelayImage: e.SME_ISOLATION_RELAY_IMAGE,
    containerHardening: e.SME_CONTAINER_HARDENING === 'on',
    dataCaptureFlushMs: e.SME_DATA_CAPTURE_FLUSH_SECONDS * 1000,
  };
}

function parseCredentials(raw: string | undefined): Map<string, string> {
  const keys = new Map<string, string>();
  for (const pair of raw?.split(',') ?? []) {
    const colon = pair.indexOf(':');
    keys.set(pair.slice(0, colon), pair.slice(colon + 1));
  }
  return keys;
}
