import { z } from 'zod';

/**
 * Every setting of the emulator, in one schema (docs/architecture.md decision 7).
 * Each entry names its environment variable, its default and why it exists;
 * the README's configuration table is written from this file.
 */
/** Whole decimal numbers only: `0x50`, `1e3` or ` ` are mistakes, not numbers. */
const intFromEnv = (min: number, max: number) =>
  z
    .string()
    .regex(/^\d+$/, 'must be a whole number')
    .transform(Number)
    .pipe(z.number().int().min(min).max(max));

export const envSchema = z.object({
  /** Address of the single listener that serves every plane. */
  SME_HOST: z.string().min(1).default('127.0.0.1'),
  SME_PORT: intFromEnv(0, 65535).default(8181),
  /** SQLite state and extracted model artifacts live here. */
  SME_STATE_DIR: z.string().min(1).default('.sagemaker-emulator'),
  SME_ACCOUNT_ID: z.string().regex(/^\d{12}$/, 'must be 12 digits').default('123456789012'),
  /** Used when a request carries no SigV4 credential scope. */
  SME_REGION: z.string().regex(/^[a-z]{2}(-[a-z]+)+-\d$/, 'must look like us-east-1').default('us-east-1'),
  SME_LOG_LEVEL: z.enum(['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent']).default('info'),
  /** Serverless: a container idle this long is removed (scale to zero). */
  SME_IDLE_TIMEOUT_SECONDS: intFromEnv(0, 86_400).default(120),
  /** Serverless: latency added to every cold start, counted in ModelSetupTime. */
  SME_COLD_START_DELAY_MS: intFromEnv(0, 3_600_000).default(0),
  /**
   * Serverless: requests one container serves at once. SageMaker's is 1; a
   * higher value lets a small machine serve MaxConcurrency requests with fewer containers.
   */
  SME_SERVERLESS_CONTAINER_CONCURRENCY: intFromEnv(1, 1000).default(1),
  /** SageMaker gives a container 60 s to answer /invocations (docs/aws-contract.md §7). */
  SME_INVOCATION_TIMEOUT_SECONDS: intFromEnv(1, 3600).default(60),
  /**
   * Used when a variant does not set ContainerStartupHealthCheckTimeoutInSeconds.
   * The 2023 developer guide gives a container 4 minutes to pass /ping (docs/aws-contract.md §8.1).
   */
  SME_STARTUP_TIMEOUT_SECONDS: intFromEnv(1, 3600).default(240),
  /** Address the gateway dials to reach published container ports (the compose case changes it). */
  SME_CONTAINER_HOST: z.string().min(1).default('127.0.0.1'),
  /**
   * Attach model containers to this Docker network (created if missing) and
   * dial them by their address on it, instead of publishing ports on the
   * loopback: for an emulator that itself runs in a container on that network.
   */
  SME_DOCKER_NETWORK: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9_.-]*$/, 'must be a Docker network name').optional(),
  /** How often CPU and memory utilisation are sampled from Docker. */
  SME_METRICS_SAMPLE_SECONDS: intFromEnv(1, 3600).default(10),
  /**
   * An S3-compatible server (MinIO, LocalStack, moto) that every s3:// URL the
   * emulator reads or writes goes to, instead of the S3 embedded on our own port.
   */
  SME_S3_ENDPOINT_URL: z.string().url().optional(),
  /** The SDK's own variable for the same thing; SME_S3_ENDPOINT_URL wins when both are set. */
  AWS_ENDPOINT_URL_S3: z.string().url().optional(),
  /** Where async inference publishes its SNS notifications (LocalStack, moto); unset, they are logged. */
  SME_SNS_ENDPOINT_URL: z.string().url().optional(),
  /**
   * Multi-model endpoints: how long an invocation waits for its model to
   * download and load before ModelNotReadyException (the load goes on). 60 s
   * on SageMaker (docs/aws-contract.md §8.2).
   */
  SME_MME_LOAD_WAIT_SECONDS: intFromEnv(1, 360).default(60),
  /**
   * Multi-model endpoints: disk each instance may fill with downloaded models
   * before the least recently used are deleted. Unset, a variant's
   * VolumeSizeInGB is the limit, or 30 GB when it has none.
   */
  SME_MME_DISK_LIMIT_MB: intFromEnv(1, 10_000_000).optional(),
  /**
   * Inference Recommender: the length of one load level (one step of the ramp,
   * or the most one traffic phase lasts); JobDurationInSeconds still caps the job.
   */
  SME_RECOMMENDER_STEP_SECONDS: intFromEnv(1, 3600).default(60),
  /**
   * The period of emulated CloudWatch datapoints (GetMetricStatistics,
   * GetMetricData, alarms) and of the alarms behind target-tracking policies.
   * 60 on AWS; 1 makes a whole scaling loop take seconds in tests.
   */
  SME_METRIC_PERIOD_SECONDS: intFromEnv(1, 3600).default(60),
  /** Jobs (batch transform, Inference Recommender) that run at once; more wait for a free worker. */
  SME_MAX_CONCURRENT_JOBS: intFromEnv(1, 64).default(2),
  /**
   * `strict` verifies every request's SigV4 signature (header or presigned)
   * against SME_CREDENTIALS and answers as AWS does when it does not match;
   * `any` (the default) accepts any credentials, as local tools usually do.
   */
  SME_AUTH: z.enum(['any', 'strict']).default('any'),
  /** `AKID:SECRET` pairs, comma-separated: the keys strict auth accepts. */
  SME_CREDENTIALS: z
    .string()
    .regex(/^[^:,\s]+:[^,\s]+(,[^:,\s]+:[^,\s]+)*$/, 'must be AKID:SECRET pairs, comma-separated')
    .optional(),
  /**
   * A model image that is missing locally and cannot be pulled runs as this
   * image instead (logged; Describe* still shows the requested one), so test
   * suites written with placeholder ECR URIs get serving endpoints.
   */
  SME_IMAGE_FALLBACK: z.string().min(1).optional(),
  /**
   * EnableNetworkIsolation: the image of the relay container that forwards the
   * gateway's requests into an isolated model's network (any image with `node`
   * on its PATH). The default is built from this machine's Node.js when missing.
   */
  SME_ISOLATION_RELAY_IMAGE: z.string().min(1).default('sagemaker-emulator/node-base:local'),
  /**
   * `on`: model containers run with no-new-privileges and only the capabilities
   * a model server needs; `off`: Docker's defaults.
   */
  SME_CONTAINER_HARDENING: z.enum(['on', 'off']).default('on'),
  /** Data capture: how often captured records are written out as one S3 object per variant. */
  SME_DATA_CAPTURE_FLUSH_SECONDS: intFromEnv(1, 3600).default(5),
  /** Standard Docker variable, read here so that nothing else reads the environment. */
  DOCKER_HOST: z.string().optional(),
});

export type EnvInput = z.input<typeof envSchema>;

export interface Config {
  host: string;
  port: number;
  stateDir: string;
  accountId: string;
  region: string;
  logLevel: z.infer<typeof envSchema>['SME_LOG_LEVEL'];
  idleTimeoutSeconds: number;
  coldStartDelayMs: number;
  serverlessContainerConcurrency: number;
  invocationTimeoutMs: number;
  startupTimeoutSeconds: number;
  containerHost: string;
  dockerNetwork: string | undefined;
  metricsSampleSeconds: number;
  /** External S3 for every s3:// URL; undefined means the embedded store. */
  s3Endpoint: string | undefined;
  snsEndpoint: string | undefined;
  mmeLoadWaitMs: number;
  maxConcurrentJobs: number;
  recommenderStepSeconds: number;
  /** SME_METRIC_PERIOD_SECONDS: CloudWatch datapoints and target-tracking alarms. */
  metricPeriodSeconds: number;
  /** Undefined: each variant's VolumeSizeInGB (30 GB when unset). */
  mmeDiskLimitBytes: number | undefined;
  dockerHost: string | undefined;
  /** SME_AUTH: `any` accepts any credentials; `strict` verifies SigV4 against `credentials`. */
  auth: 'any' | 'strict';
  /** SME_CREDENTIALS: access key id → secret. */
  credentials: Map<string, string>;
  /** SME_IMAGE_FALLBACK: the stand-in for a model image that is missing and cannot be pulled. */
  imageFallback: string | undefined;
  isolationRelayImage: string;
  containerHardening: boolean;
  dataCaptureFlushMs: number;
}
