import { readFileSync } from 'node:fs';
import { ConfigError, loadConfig } from './config/load.js';
import { createLogger } from './observability/logger.js';
import { startEmulator } from './server.js';
import { StateDirError } from './store/database.js';

const USAGE = `Usage: sagemaker-emulator [--help] [--version]

Runs a local emulator of Amazon SageMaker hosting. Point any AWS client at it:
  AWS_ENDPOINT_URL=http://127.0.0.1:8181 aws sagemaker list-endpoints

Settings come from the environment (SME_HOST, SME_PORT, SME_STATE_DIR, SME_ACCOUNT_ID,
SME_REGION, SME_LOG_LEVEL, SME_IDLE_TIMEOUT_SECONDS, SME_COLD_START_DELAY_MS,
SME_SERVERLESS_CONTAINER_CONCURRENCY, SME_INVOCATION_TIMEOUT_SECONDS,
SME_STARTUP_TIMEOUT_SECONDS, SME_CONTAINER_HOST, SME_DOCKER_NETWORK,
SME_METRICS_SAMPLE_SECONDS, SME_S3_ENDPOINT_URL, AWS_ENDPOINT_URL_S3,
SME_SNS_ENDPOINT_URL, SME_MME_LOAD_WAIT_SECONDS, SME_MME_DISK_LIMIT_MB, SME_MAX_CONCURRENT_JOBS,
SME_RECOMMENDER_STEP_SECONDS, SME_METRIC_PERIOD_SECONDS, DOCKER_HOST);
see the README for each one.`;

/** The entry point: the only reader of process.env and the only caller of process.exit. */
export async function main(argv: string[]): Promise<void> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(USAGE);
    return;
  }
  if (argv.includes('--version')) {
    const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    console.log(pkg.version);
    return;
  }
  let config;
  try {
    config = loadConfig(process.env);
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const log = createLogger(config.logLevel, process.stdout.isTTY === true);
  const emulator = await startEmulator(config, log).catch((err: Error) => {
    if (err instanceof StateDirError) {
      // A cause the user can act on: one line, no stack.
      log.fatal({ stateDir: config.stateDir }, err.message);
      process.stderr.write(`sagemaker-emulator: ${err.message}\n`);
    } else {
      log.fatal({ err }, 'could not start');
    }
    process.exit(1);
  });

  // A second signal means "exit now, skip the clean-up", but only once the first has had a
  // moment: Ctrl-C under a wrapper (npm, make, a script forwarding signals) often delivers the
  // terminal's SIGINT and the wrapper's SIGTERM a few milliseconds apart, for one request.
  const SAME_REQUEST_MS = 1000;
  let firstSignalAt: number | undefined;
  const stop = (signal: string) => {
    if (firstSignalAt !== undefined) {
      if (Date.now() - firstSignalAt < SAME_REQUEST_MS) {
        return;
      }
      log.warn('second signal: exiting without cleaning up');
      process.exit(130);
    }
    firstSignalAt = Date.now();
    log.info({ signal }, 'shutting down: removing model containers');
    emulator.close().then(
      () => {
        log.info('stopped');
        log.flush?.();
        process.exit(0);
      },
      (err: Error) => {
        log.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}
