import { Counter, Gauge, Histogram, Registry, collectDefaultMetrics } from 'prom-client';
import { type MetricSink, nullMetricSink } from '../cloudwatch/metric-sink.js';
import { CloudWatchFeed } from './cloudwatch-feed.js';
import { type ModelCacheTiming, MultiModelMetrics } from './multi-model-metrics.js';

/**
 * Every Prometheus metric, in one registry. Names mirror CloudWatch's
 * AWS/SageMaker metrics (docs/architecture.md, docs/aws-contract.md §9): prefix `sagemaker_`,
 * the CloudWatch name in snake case, base units (seconds), counters ending in
 * `_total`, labels `endpoint_name` and `variant_name` — never request ids.
 */
const LABELS = ['endpoint_name', 'variant_name'] as const;

/** Latency buckets from 1 ms to 60 s (the invocation timeout), and setup buckets up to the 4-minute start-up limit. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60];
/** Async requests wait and run for up to hours: TTL ≤ 6 h, InvocationTimeoutSeconds ≤ 1 h (docs/aws-contract.md §7). */
const ASYNC_BUCKETS = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 300, 900, 3600, 21600];
const SETUP_BUCKETS = [0.05, 0.1, 0.25, 0.5, 1, 2, 3, 5, 10, 20, 30, 60, 120, 240];

/** What the runtime plane observed about one request that reached a container. */
export interface InvocationOutcome {
  endpoint: string;
  variant: string;
  /** Time the container took, as the gateway saw it (ModelLatency); undefined when it never answered. */
  modelSeconds: number | undefined;
  /** Total time in the gateway, including any cold start. */
  totalSeconds: number;
  /** The container's HTTP status, 0 when it timed out or could not be reached. */
  status: number;
  /** Ready instances of the variant (InvocationsPerInstance adds 1/instances). */
  instances: number;
  /**
   * An error the gateway answered itself, the model never asked (an injected
   * throttle, ServiceUnavailable or InternalFailure): a 4XX or 5XX error, not a model error.
   */
  gatewayError?: 4 | 5;
}

/** What the metrics read from hosting at scrape time. */
export interface LiveState {
  variants(): VariantSnapshot[];
  /** Adds the cost of running instances since the last call. */
  accrueCost(): void;
  /** Each async endpoint's queue, for the backlog gauges. */
  asyncBacklog?(): AsyncBacklogSnapshot[];
}

/** One async endpoint's queue at scrape time (docs/aws-contract.md §9.5: dimension EndpointName only). */
export interface AsyncBacklogSnapshot {
  endpoint: string;
  /** Queued and in progress. */
  size: number;
  oldestAgeSeconds: number;
  /** 1 when requests wait and the endpoint has no instance. */
  withoutCapacity: boolean;
  /** Instances behind the endpoint (ApproximateBacklogSizePerInstance divides by it). */
  instances: number;
}

/** What became of one async request, for the async counters and histograms. */
export type AsyncEvent = 'processed' | 'failed' | 'expired' | 'downloadFailed' | 'uploadFailed' | 'notificationFailed';

/** The live state the gauges are read from at scrape time. */
export interface VariantSnapshot {
  endpoint: string;
  variant: string;
  inFlight: number;
  maxConcurrency?: number;
  provisionedConcurrency?: number;
  containers: { starting: number; ready: number; busy: number };
  /** Multi-model variants: models loaded over the variant's instances. */
  loadedModels?: number;
}

export class Metrics {
  readonly registry = new Registry();
  private readonly invocations: Counter<(typeof LABELS)[number]>;
  private readonly errors4xx: Counter<(typeof LABELS)[number]>;
  private readonly errors5xx: Counter<(typeof LABELS)[number]>;
  private readonly modelErrors: Counter<(typeof LABELS)[number]>;
  private readonly perInstance: Counter<(typeof LABELS)[number]>;
  private readonly coldStarts: Counter<(typeof LABELS)[number]>;
  private readonly throttles: Counter<(typeof LABELS)[number]>;
  private readonly cost: Counter<(typeof LABELS)[number]>;
  private readonly injectedFaults: Counter<(typeof LABELS)[number] | 'fault'>;
  /** The `fault` labels seen per endpoint and variant, so that forgetEndpoint() removes those series too. */
  private readonly faultsSeen = new Map<string, Set<string>>();
  private readonly dataCaptureWriteErrors: Counter<(typeof LABELS)[number]>;
  private readonly dataCaptureDropped: Counter<(typeof LABELS)[number]>;
  private readonly dataCaptureRecords: Counter<(typeof LABELS)[number]>;
  private readonly modelLatency: Histogram<(typeof LABELS)[number]>;
  private readonly overheadLatency: Histogram<(typeof LABELS)[number]>;
  private readonly setupTime: Histogram<(typeof LABELS)[number]>;
  private readonly cpu: Gauge<(typeof LABELS)[number]>;
  private readonly memory: Gauge<(typeof LABELS)[number]>;
  private readonly asyncCounters: Record<AsyncEvent, Counter<(typeof LABELS)[number]>>;
  private readonly timeInBacklog: Histogram<(typeof LABELS)[number]>;
  private readonly totalProcessingTime: Histogram<(typeof LABELS)[number]>;
  private readonly multiModel: MultiModelMetrics;
  private readonly transformRecordsSent: Counter<'job_name'>;
  private readonly transformRecordErrors: Counter<'job_name'>;
  private readonly recommenderInvocations: Counter<'job_name'>;
  private readonly recommenderErrors: Counter<'job_name'>;
  private readonly recommenderLatency: Histogram<'job_name'>;
  /** Label sets seen per endpoint, so that a deleted endpoint's series can all be removed. */
  private readonly seen = new Map<string, Set<string>>();
  /** The same events, as CloudWatch datapoints (src/cloudwatch/). */
  private readonly cloudWatch: CloudWatchFeed;

  constructor(live: LiveState, cloudWatch: MetricSink = nullMetricSink) {
    this.cloudWatch = new CloudWatchFeed(cloudWatch);
    const counter = (name: string, help: string) =>
      new Counter({ name, help, labelNames: LABELS, registers: [this.registry] });
    const histogram = (name: string, help: string, buckets: number[]) =>
      new Histogram({ name, help, labelNames: LABELS, buckets, registers: [this.registry] });
    this.invocations = counter('sagemaker_invocations_total', 'CloudWatch Invocations: InvokeEndpoint requests sent to the model.');
    this.errors4xx = counter('sagemaker_invocation_4xx_errors_total', 'CloudWatch Invocation4XXErrors: requests where the model answered 4xx.');
    this.errors5xx = counter('sagemaker_invocation_5xx_errors_total', 'CloudWatch Invocation5XXErrors: requests where the model answered 5xx.');
    this.modelErrors = counter(
      'sagemaker_invocation_model_errors_total',
      'CloudWatch InvocationModelErrors: requests that ended in a ModelError (non-2xx, timeout, container unreachable).',
    );
    this.perInstance = counter(
      'sagemaker_invocations_per_instance_total',
      'CloudWatch InvocationsPerInstance: each request adds 1/(instances of its variant).',
    );
    this.coldStarts = counter('sagemaker_cold_starts_total', 'Serverless cold starts (a container started for a request).');
    this.throttles = counter(
      'sagemaker_throttled_requests_total',
      'Requests refused with ThrottlingException (serverless MaxConcurrency reached).',
    );
    this.injectedFaults = new Counter({
      name: 'sagemaker_injected_faults_total',
      help: 'Faults injected by the sme:fault-* tags: fault is the injected error code, or latency for a delayed request.',
      labelNames: [...LABELS, 'fault'],
      registers: [this.registry],
    });
    this.dataCaptureRecords = counter('sagemaker_data_capture_records_total', 'Data capture (Model Monitor): invocations captured and written to S3.');
    this.dataCaptureWriteErrors = counter(
      'sagemaker_data_capture_write_errors_total',
      'Data capture: capture files that could not be written to S3 (their records are lost; the invocations were answered).',
    );
    this.dataCaptureDropped = counter(
      'sagemaker_data_capture_dropped_records_total',
      'Data capture: records dropped because the buffer of unwritten records was full.',
    );
    this.cost = new Counter({
      name: 'sagemaker_estimated_cost_usd_total',
      help: 'Estimated on-demand cost in USD: serverless billed duration × memory price, or instance-seconds × hourly price.',
      labelNames: LABELS,
      registers: [this.registry],
      // Running instances cost by the second: bring the counter up to date before it is read.
      collect: () => live.accrueCost(),
    });
    this.modelLatency = histogram(
      'sagemaker_model_latency_seconds',
      'CloudWatch ModelLatency (in seconds): time the container took to answer, as seen by the gateway.',
      LATENCY_BUCKETS,
    );
    this.overheadLatency = histogram(
      'sagemaker_overhead_latency_seconds',
      'CloudWatch OverheadLatency (in seconds): total time in the gateway minus ModelLatency, cold starts included.',
      LATENCY_BUCKETS,
    );
    this.setupTime = histogram(
      'sagemaker_model_setup_time_seconds',
      'CloudWatch ModelSetupTime (in seconds): time to launch a serverless container, one sample per cold start.',
      SETUP_BUCKETS,
    );
    this.cpu = new Gauge({
      name: 'sagemaker_cpu_utilization_percent',
      help: 'CloudWatch CPUUtilization: CPU use of the variant’s containers, averaged over instances (100 per core).',
      labelNames: LABELS,
      registers: [this.registry],
    });
    this.memory = new Gauge({
      name: 'sagemaker_memory_utilization_percent',
      help: 'CloudWatch MemoryUtilization: memory use of the variant’s containers as a share of their limit, averaged over instances.',
      labelNames: LABELS,
      registers: [this.registry],
    });
    // Gauges of live state are read at scrape time, so the hot path never touches them. The registry
    // reads metrics in the order they were registered: the first one's collect() refreshes all three.
    const utilization = new Gauge({
      name: 'sagemaker_serverless_concurrent_executions_utilization',
      help: 'CloudWatch ServerlessConcurrentExecutionsUtilization: requests in flight ÷ MaxConcurrency (0..1).',
      labelNames: LABELS,
      registers: [],
    });
    const containers = new Gauge({
      name: 'sagemaker_containers',
      help: 'Model containers of the variant by state (starting, ready, busy).',
      labelNames: [...LABELS, 'state'],
      registers: [],
    });
    this.multiModel = new MultiModelMetrics(this.registry);
    const loadedModels = this.multiModel.loadedModels;
    const concurrent = new Gauge({
      name: 'sagemaker_concurrent_requests',
      help: 'CloudWatch ConcurrentRequestsPerModel: requests in flight in the variant.',
      labelNames: LABELS,
      registers: [],
      collect() {
        this.reset();
        utilization.reset();
        containers.reset();
        loadedModels.reset();
        for (const s of live.variants()) {
          const labels = { endpoint_name: s.endpoint, variant_name: s.variant };
          this.set(labels, s.inFlight);
          if (s.loadedModels !== undefined) {
            loadedModels.set(labels, s.loadedModels);
          }
          if (s.maxConcurrency) {
            utilization.set(labels, s.inFlight / s.maxConcurrency);
          }
          for (const state of ['starting', 'ready', 'busy'] as const) {
            containers.set({ ...labels, state }, s.containers[state]);
          }
        }
      },
    });
    for (const g of [concurrent, utilization, containers, loadedModels]) {
      this.registry.registerMetric(g);
    }
    this.asyncCounters = {
      processed: counter('sagemaker_async_invocations_processed_total', 'CloudWatch InvocationsProcessed: async requests the model answered with 2xx.'),
      failed: counter('sagemaker_async_invocation_failures_total', 'CloudWatch InvocationFailures: async requests that ended in a failure.'),
      expired: counter('sagemaker_async_expired_requests_total', 'CloudWatch ExpiredRequests: async requests still queued when their RequestTTLSeconds passed.'),
      downloadFailed: counter('sagemaker_async_request_download_failures_total', 'CloudWatch RequestDownloadFailures: async inputs that could not be read from S3.'),
      uploadFailed: counter('sagemaker_async_response_upload_failures_total', 'CloudWatch ResponseUploadFailures: async results that could not be written to S3.'),
      notificationFailed: counter('sagemaker_async_notification_failures_total', 'CloudWatch NotificationFailures: async notifications SNS did not take.'),
    };
    this.timeInBacklog = histogram(
      'sagemaker_async_time_in_backlog_seconds',
      'CloudWatch TimeInBacklog (in seconds): time an async request waited in the queue before it was sent to the model.',
      ASYNC_BUCKETS,
    );
    this.totalProcessingTime = histogram(
      'sagemaker_async_total_processing_time_seconds',
      'CloudWatch TotalProcessingTime (in seconds): from InvokeEndpointAsync accepting a request to its result written.',
      ASYNC_BUCKETS,
    );
    this.transformRecordsSent = new Counter({
      name: 'sagemaker_transform_records_total',
      help: 'Batch transform: records the container answered with 2xx (a MultiRecord request counts each of its records).',
      labelNames: ['job_name'],
      registers: [this.registry],
    });
    this.transformRecordErrors = new Counter({
      name: 'sagemaker_transform_record_errors_total',
      help: 'Batch transform: records whose request still failed after its retries (InvocationsMaxRetries).',
      labelNames: ['job_name'],
      registers: [this.registry],
    });
    this.recommenderInvocations = new Counter({
      name: 'sagemaker_recommender_client_invocations_total',
      help: 'CloudWatch ClientInvocations (/aws/sagemaker/InferenceRecommendationsJobs): requests an Inference Recommender job sent.',
      labelNames: ['job_name'],
      registers: [this.registry],
    });
    this.recommenderErrors = new Counter({
      name: 'sagemaker_recommender_client_invocation_errors_total',
      help: 'CloudWatch ClientInvocationErrors: requests of an Inference Recommender job that failed.',
      labelNames: ['job_name'],
      registers: [this.registry],
    });
    this.recommenderLatency = new Histogram({
      name: 'sagemaker_recommender_client_latency_seconds',
      help: 'CloudWatch ClientLatency (in seconds): the time an Inference Recommender job waited for each answer.',
      labelNames: ['job_name'],
      buckets: LATENCY_BUCKETS,
      registers: [this.registry],
    });
    this.registerBacklogGauges(live);
    collectDefaultMetrics({ register: this.registry });
  }

  /** The three async gauges, label endpoint_name only, read at scrape time like the ones above. */
  private registerBacklogGauges(live: LiveState): void {
    const endpointOnly = ['endpoint_name'] as const;
    const age = new Gauge({
      name: 'sagemaker_approximate_age_of_oldest_request_seconds',
      help: 'CloudWatch ApproximateAgeOfOldestRequest (in seconds): age of the oldest async request queued or in progress.',
      labelNames: endpointOnly,
      registers: [],
    });
    const noCapacity = new Gauge({
      name: 'sagemaker_has_backlog_without_capacity',
      help: 'CloudWatch HasBacklogWithoutCapacity: 1 when async requests wait and the endpoint has no instance.',
      labelNames: endpointOnly,
      registers: [],
    });
    const size = new Gauge({
      name: 'sagemaker_approximate_backlog_size',
      help: 'CloudWatch ApproximateBacklogSize: async requests queued or in progress.',
      labelNames: endpointOnly,
      registers: [],
      collect() {
        this.reset();
        age.reset();
        noCapacity.reset();
        for (const b of live.asyncBacklog?.() ?? []) {
          const labels = { endpoint_name: b.endpoint };
          this.set(labels, b.size);
          age.set(labels, b.oldestAgeSeconds);
          noCapacity.set(labels, b.withoutCapacity ? 1 : 0);
        }
      },
    });
    for (const g of [size, age, noCapacity]) {
      this.registry.registerMetric(g);
    }
  }

  private labels(endpoint: string, variant: string) {
    let set = this.seen.get(endpoint);
    if (!set) {
      set = new Set();
      this.seen.set(endpoint, set);
    }
    set.add(variant);
    return { endpoint_name: endpoint, variant_name: variant };
  }

  /** Counts a request that reached a container, where CloudWatch counts it (docs/aws-contract.md §9.1). */
  invocation(o: InvocationOutcome): void {
    this.cloudWatch.invocation(o);
    const labels = this.labels(o.endpoint, o.variant);
    this.invocations.inc(labels);
    this.perInstance.inc(labels, 1 / Math.max(1, o.instances));
    this.errorCounts(labels, o.status);
    if (o.gatewayError === 4) {
      this.errors4xx.inc(labels);
    } else if (o.gatewayError === 5) {
      this.errors5xx.inc(labels);
    }
    if (o.modelSeconds !== undefined) {
      this.modelLatency.observe(labels, o.modelSeconds);
    }
    this.overheadLatency.observe(labels, Math.max(0, o.totalSeconds - (o.modelSeconds ?? 0)));
  }

  /**
   * An async request's call to the model: ModelLatency and the 4XX/5XX and
   * model-error counts as for InvokeEndpoint, but not Invocations nor
   * InvocationsPerInstance, which async endpoints do not publish (docs/aws-contract.md §9.5).
   */
  asyncModelCall(endpoint: string, variant: string, status: number, modelSeconds: number | undefined): void {
    this.cloudWatch.asyncModelCall(endpoint, variant, status, modelSeconds);
    const labels = this.labels(endpoint, variant);
    this.errorCounts(labels, status);
    if (modelSeconds !== undefined) {
      this.modelLatency.observe(labels, modelSeconds);
    }
  }

  /** A model's answer that is not 2xx: a model error, and a 4XX or 5XX one by its status (0: no answer). */
  private errorCounts(labels: { endpoint_name: string; variant_name: string }, status: number): void {
    if (status >= 200 && status < 300) {
      return;
    }
    this.modelErrors.inc(labels);
    if (status >= 400 && status < 500) {
      this.errors4xx.inc(labels);
    } else if (status >= 500) {
      this.errors5xx.inc(labels);
    }
  }

  asyncEvent(endpoint: string, variant: string, event: AsyncEvent): void {
    this.cloudWatch.asyncEvent(endpoint, variant, event);
    this.asyncCounters[event].inc(this.labels(endpoint, variant));
  }

  /** An async request's end: how long it waited, and how long from acceptance to result. */
  asyncTimes(endpoint: string, variant: string, backlogSeconds: number, totalSeconds: number): void {
    this.cloudWatch.asyncTimes(endpoint, variant, backlogSeconds, totalSeconds);
    const labels = this.labels(endpoint, variant);
    this.timeInBacklog.observe(labels, backlogSeconds);
    this.totalProcessingTime.observe(labels, totalSeconds);
  }

  coldStart(endpoint: string, variant: string, setupSeconds: number): void {
    this.cloudWatch.coldStart(endpoint, variant, setupSeconds);
    const labels = this.labels(endpoint, variant);
    this.coldStarts.inc(labels);
    this.setupTime.observe(labels, setupSeconds);
  }

  /** A multi-model request found its model loaded (hit) or not (miss): CloudWatch ModelCacheHit. */
  modelCache(endpoint: string, variant: string, hit: boolean): void {
    this.cloudWatch.modelCache(endpoint, variant, hit);
    this.multiModel.cache(this.labels(endpoint, variant), hit);
  }

  /** ModelLoadingWaitTime, ModelDownloadingTime, ModelLoadingTime or ModelUnloadingTime. */
  modelCacheTiming(endpoint: string, variant: string, what: ModelCacheTiming, seconds: number): void {
    this.cloudWatch.modelCacheTiming(endpoint, variant, what, seconds);
    this.multiModel.timing(this.labels(endpoint, variant), what, seconds);
  }

  /** One request of an Inference Recommender job: its latency in ms, or undefined when it failed. */
  recommenderRequest(job: string, latencyMs: number | undefined): void {
    this.cloudWatch.recommenderRequest(job, latencyMs);
    const labels = { job_name: job };
    this.recommenderInvocations.inc(labels);
    if (latencyMs === undefined) {
      this.recommenderErrors.inc(labels);
    } else {
      this.recommenderLatency.observe(labels, latencyMs / 1000);
    }
  }

  /** A transform request's records: answered (failed false) or not. */
  transformRecords(job: string, records: number, failed: boolean): void {
    (failed ? this.transformRecordErrors : this.transformRecordsSent).inc({ job_name: job }, records);
  }

  /**
   * A fault the sme:fault-* tags injected (src/runtime-plane/fault-injection.ts).
   * A refused request also counts in Invocation4XXErrors or Invocation5XXErrors
   * (`httpClass`) as the real error would; an injected ModelError is counted
   * by invocation() like a real one.
   */
  injectedFault(endpoint: string, variant: string, fault: string): void {
    const labels = this.labels(endpoint, variant);
    let seen = this.faultsSeen.get(endpoint);
    if (!seen) {
      seen = new Set();
      this.faultsSeen.set(endpoint, seen);
    }
    seen.add(`${variant}\0${fault}`);
    this.injectedFaults.inc({ ...labels, fault });
  }

  /** Data capture: records written, a capture file that failed to write, or records dropped from a full buffer. */
  dataCapture(endpoint: string, variant: string, event: 'written' | 'writeError' | 'dropped', count = 1): void {
    const counter = event === 'written' ? this.dataCaptureRecords : event === 'writeError' ? this.dataCaptureWriteErrors : this.dataCaptureDropped;
    counter.inc(this.labels(endpoint, variant), count);
  }

  throttled(endpoint: string, variant: string): void {
    this.throttles.inc(this.labels(endpoint, variant));
  }

  addCost(endpoint: string, variant: string, usd: number): void {
    if (usd > 0) {
      this.cost.inc(this.labels(endpoint, variant), usd);
    }
  }

  /**
   * sagemaker_estimated_cost_usd_total now, per endpoint and variant (the
   * console's list): reading the counter first adds what running instances
   * cost since the last read, as a scrape does.
   */
  async estimatedCosts(): Promise<{ endpoint: string; variant: string; usd: number }[]> {
    const { values } = await this.cost.get();
    return values.map((v) => ({ endpoint: String(v.labels.endpoint_name), variant: String(v.labels.variant_name), usd: v.value }));
  }

  utilization(endpoint: string, variant: string, cpuPercent: number, memoryPercent: number): void {
    this.cloudWatch.utilization(endpoint, variant, cpuPercent, memoryPercent);
    const labels = this.labels(endpoint, variant);
    this.cpu.set(labels, cpuPercent);
    this.memory.set(labels, memoryPercent);
  }

  /** A deleted endpoint's series disappear from /metrics. */
  forgetEndpoint(endpoint: string): void {
    this.cloudWatch.forgetEndpoint(endpoint);
    const variants = this.seen.get(endpoint);
    this.seen.delete(endpoint);
    for (const key of this.faultsSeen.get(endpoint) ?? []) {
      const [variant_name, fault] = key.split('\0') as [string, string];
      this.injectedFaults.remove({ endpoint_name: endpoint, variant_name, fault });
    }
    this.faultsSeen.delete(endpoint);
    for (const variant of variants ?? []) {
      const labels = { endpoint_name: endpoint, variant_name: variant };
      for (const m of [
        this.invocations,
        this.errors4xx,
        this.errors5xx,
        this.modelErrors,
        this.perInstance,
        this.coldStarts,
        this.throttles,
        this.cost,
        this.dataCaptureRecords,
        this.dataCaptureWriteErrors,
        this.dataCaptureDropped,
        this.modelLatency,
        this.overheadLatency,
        this.setupTime,
        this.cpu,
        this.memory,
        ...Object.values(this.asyncCounters),
        this.timeInBacklog,
        this.totalProcessingTime,
      ]) {
        m.remove(labels);
      }
      this.multiModel.remove(labels);
    }
  }
}
