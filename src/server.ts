import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildApp } from './app.js';
import { DataCapture } from './data-capture/data-capture.js';
import { AsyncInference } from './async-inference/async-inference.js';
import { transformJobs } from './batch-transform/transform-job.js';
import { AutoScaling } from './autoscaling/auto-scaling.js';
import { CloudWatch } from './cloudwatch/cloudwatch.js';
import type { OperationContext } from './control-plane/context.js';
import { operationContext } from './control-plane/handler.js';
import { JobRunner } from './jobs/job-runner.js';
import { recommendationJobs } from './recommender/recommendation-job.js';
import { snsNotifier } from './async-inference/notifier.js';
import { AsyncRequestQueue } from './async-inference/request-queue.js';
import { snsNotifications } from './async-inference/sns-notifications.js';
import type { Config } from './config/schema.js';
import { DockerodeClient } from './docker/dockerode-client.js';
import { Hosting } from './hosting/hosting.js';
import { s3ArtifactSource } from './hosting/s3-source.js';
import { S3Storage } from './s3/storage.js';
import { embeddedObjectStore } from './storage/embedded-object-store.js';
import { externalObjectStore } from './storage/external-object-store.js';
import type { ObjectStore } from './storage/object-store.js';
import { CloudWatchGauges } from './observability/cloudwatch-gauges.js';
import { Metrics } from './observability/metrics.js';
import { UtilizationSampler } from './observability/utilization-sampler.js';
import type { Logger } from './observability/logger.js';
import { openDatabase } from './store/database.js';
import { type Clock, systemClock } from './shared/clock.js';
import { Store } from './store/store.js';

export interface RunningEmulator {
  url: string;
  port: number;
  hosting: Hosting;
  close(): Promise<void>;
}

/**
 * Wires the emulator together and starts listening: state, Docker, clean-up
 * after a dead gateway, restored endpoints. Used by main.ts and by tests that
 * run the emulator in-process.
 */
export interface EmulatorOptions {
  /** Time for hosting and async inference; tests pass one they can move forward (TTL expiry). */
  clock?: Clock;
}

export async function startEmulator(config: Config, log: Logger, options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const clock = options.clock ?? systemClock;
  const db = openDatabase(config.stateDir);
  const store = new Store(db);
  // The embedded S3 is always served on our port; s3:// URLs go to it unless an external S3 is configured.
  const s3Storage = await S3Storage.open(config.stateDir);
  const objects: ObjectStore = config.s3Endpoint ? externalObjectStore(config.s3Endpoint, config.region) : embeddedObjectStore(s3Storage);
  const docker = new DockerodeClient(log, config.dockerHost);
  const gatewayId = randomUUID();
  // CloudWatch's datapoints come from the same events as Prometheus's metrics (src/cloudwatch/).
  const cloudWatch = new CloudWatch({ store, config, log, clock });
  // The gauges read live state from hosting at scrape time; hosting reports events to the metrics.
  const live = {
    variants: () => hosting.snapshot(),
    accrueCost: () => hosting.accrueCost(),
    asyncBacklog: () => asyncInference.backlog(),
  };
  const metrics = new Metrics(live, cloudWatch.metrics);
  const gauges = new CloudWatchGauges(live, cloudWatch.metrics, clock, config.metricPeriodSeconds);
  cloudWatch.metrics.registerZeroFill(() => gauges.zeroFilled());
  const hosting: Hosting = new Hosting({
    metrics,
    store,
    docker,
    log,
    config,
    artifacts: s3ArtifactSource(objects),
    gatewayId,
    clock,
  });
  const notifier = snsNotifier({ endpoint: config.snsEndpoint, region: config.region, log });
  const asyncInference: AsyncInference = new AsyncInference({
    queue: new AsyncRequestQueue(db),
    objects,
    metrics,
    clock,
    notifications: snsNotifications(notifier, metrics, () => clock.now()),
    log,
    hosting,
    store,
  });
  // DeleteEndpoint drops the endpoint's queued requests with it.
  hosting.onUndeploy((region, name) => void asyncInference.drop(region, name));
  try {
    const { version } = await docker.ping();
    log.info({ dockerVersion: version }, 'docker engine reachable');
    if (config.dockerNetwork) {
      await docker.ensureNetwork(config.dockerNetwork);
    }
    await hosting.removeOrphans();
  } catch (err) {
    log.warn({ err: (err as Error).message }, 'docker engine not reachable: endpoints cannot start until it is');
  }
  hosting.restore();
  asyncInference.start();
  const jobs = new JobRunner({ store, log, clock, concurrency: config.maxConcurrentJobs });
  // Application Auto Scaling and the web console act through the control plane's own operations.
  const controlPlaneDeps = { config, store, hosting, jobs, objects, log, now: () => clock.now() };
  const sageMakerContext = (region: string): OperationContext =>
    operationContext(controlPlaneDeps, region, randomUUID(), log.child({ component: 'control-plane' }));
  const autoScaling = new AutoScaling({ store, config, log, clock, alarms: cloudWatch.alarms, sageMakerContext });
  cloudWatch.onAction('arn:aws:autoscaling:', autoScaling.onAlarmAction);
  // As on AWS, deleting an endpoint deregisters its scalable targets (and their policies and alarms).
  hosting.onUndeploy((region, name) => autoScaling.endpointDeleted(region, name));
  // Data capture (Model Monitor): flushed on a timer, when an endpoint is deleted, and on shutdown.
  const dataCapture = new DataCapture({ store, objects, metrics, log: log.child({ component: 'data-capture' }), flushMs: config.dataCaptureFlushMs });
  hosting.onUndeploy(() => void dataCapture.flush());
  jobs.register(transformJobs({ store, objects, config, instanceEnv: hosting.instanceEnv, artifacts: s3ArtifactSource(objects), metrics }));
  jobs.register(recommendationJobs({ store, hosting, objects, artifacts: s3ArtifactSource(objects), docker, config, metrics, jobs: () => jobs }));
  jobs.restore();
  const sampler = new UtilizationSampler(docker, metrics, () => hosting.containers(), config.metricsSampleSeconds * 1000);
  sampler.start();
  gauges.start();
  cloudWatch.start();
  autoScaling.start();

  let url = '';
  const server = http.createServer({ keepAliveTimeout: 65_000 }, buildApp({
      config,
      store,
      hosting,
      docker,
      log,
      metrics,
      objects,
      dataCapture,
      s3Storage,
      asyncInference,
      jobs,
      clock,
      cloudWatch,
      autoScaling,
      sageMakerContext,
      baseUrl: () => url,
    }),);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  url = `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}`;
  log.info({ url, stateDir: config.stateDir, gatewayId }, 'sagemaker-emulator listening');

  let closing: Promise<void> | undefined;
  return {
    url,
    port,
    hosting,
    close() {
      closing ??= (async () => {
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        sampler.stop();
        // Scaling stops before the endpoints do: no activity starts against a closing gateway.
        await autoScaling.stop();
        cloudWatch.stop();
        gauges.stop();
        // Workers stop before the containers do: what runs goes back to the queue, not to failure.
        await asyncInference.stop();
        // Running jobs stop with their containers and stay InProgress: the next start resumes them.
        await jobs.close();
        notifier.close();
        await dataCapture.close();
        await hosting.shutdown();
        docker.close();
        store.close();
        s3Storage.close();
      })();
      return closing;
    },
  };
}
