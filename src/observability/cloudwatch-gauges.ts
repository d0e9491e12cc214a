import {
  type Dimensions,
  ENDPOINT_INSTANCE_NAMESPACE,
  type MetricKey,
  type MetricSink,
  type MetricUnit,
  SAGEMAKER_NAMESPACE,
} from '../cloudwatch/metric-sink.js';
import type { Clock } from '../shared/clock.js';
import type { LiveState } from './metrics.js';

/** Counts an idle InService variant still publishes, as 0 (docs/aws-contract.md §9.1). */
const ZERO_FILLED = ['Invocations', 'InvocationsPerInstance', 'Invocation4XXErrors', 'Invocation5XXErrors', 'InvocationModelErrors'];

/**
 * The CloudWatch metrics that are states rather than events (requests in
 * flight, the async backlog, models loaded): Prometheus reads them at scrape
 * time, CloudWatch holds samples of them. This samples the same live state a
 * few times per metric period, so that Average, Minimum and Maximum mean what
 * they mean on AWS and an alarm on HasBacklogWithoutCapacity sees each period.
 */
export class CloudWatchGauges {
  private timer: { cancel(): void } | undefined;
  readonly intervalMs: number;

  constructor(
    private readonly live: LiveState,
    private readonly sink: MetricSink,
    private readonly clock: Clock,
    periodSeconds: number,
  ) {
    // Four samples a period, between 250 ms (SME_METRIC_PERIOD_SECONDS=1) and 15 s (the default 60).
    this.intervalMs = Math.min(15_000, Math.max(250, (periodSeconds * 1000) / 4));
  }

  start(): void {
    if (this.timer) {
      return;
    }
    const tick = () => {
      this.sample();
      this.timer = this.clock.setTimeout(tick, this.intervalMs);
    };
    this.timer = this.clock.setTimeout(tick, this.intervalMs);
  }

  stop(): void {
    this.timer?.cancel();
    this.timer = undefined;
  }

  /** One sample of every state metric, now. */
  sample(): void {
    const put = (namespace: string, metricName: string, dimensions: Dimensions, value: number, unit: MetricUnit) =>
      this.sink.put({ namespace, metricName, dimensions }, value, unit);
    for (const v of this.live.variants()) {
      const dims = { EndpointName: v.endpoint, VariantName: v.variant };
      put(SAGEMAKER_NAMESPACE, 'ConcurrentRequestsPerModel', dims, v.inFlight, 'None');
      if (v.maxConcurrency) {
        put(SAGEMAKER_NAMESPACE, 'ServerlessConcurrentExecutionsUtilization', dims, v.inFlight / v.maxConcurrency, 'None');
      }
      if (v.provisionedConcurrency) {
        const used = Math.min(v.inFlight, v.provisionedConcurrency);
        put(SAGEMAKER_NAMESPACE, 'ServerlessProvisionedConcurrencyExecutions', dims, used, 'None');
        put(SAGEMAKER_NAMESPACE, 'ServerlessProvisionedConcurrencyUtilization', dims, used / v.provisionedConcurrency, 'None');
      }
      if (v.loadedModels !== undefined) {
        put(ENDPOINT_INSTANCE_NAMESPACE, 'LoadedModelCount', dims, v.loadedModels, 'None');
      }
    }
    // The queue is the endpoint's, not a variant's: dimension EndpointName only (§9.5).
    for (const b of this.live.asyncBacklog?.() ?? []) {
      const dims = { EndpointName: b.endpoint };
      put(SAGEMAKER_NAMESPACE, 'ApproximateBacklogSize', dims, b.size, 'Count');
      put(SAGEMAKER_NAMESPACE, 'ApproximateBacklogSizePerInstance', dims, b.size / Math.max(1, b.instances), 'Count');
      put(SAGEMAKER_NAMESPACE, 'ApproximateAgeOfOldestRequest', dims, b.oldestAgeSeconds, 'Seconds');
      put(SAGEMAKER_NAMESPACE, 'HasBacklogWithoutCapacity', dims, b.withoutCapacity ? 1 : 0, 'Count');
    }
  }

  /**
   * The series a period with no traffic fills with 0: the invocation counts of
   * every live variant of an endpoint that is not asynchronous (async endpoints
   * do not publish Invocations at all, §9.5).
   */
  zeroFilled(): { key: MetricKey; unit: MetricUnit }[] {
    const asyncEndpoints = new Set((this.live.asyncBacklog?.() ?? []).map((b) => b.endpoint));
    return this.live
      .variants()
      .filter((v) => !asyncEndpoints.has(v.endpoint))
      .flatMap((v) =>
        ZERO_FILLED.map((metricName) => ({
          key: { namespace: SAGEMAKER_NAMESPACE, metricName, dimensions: { EndpointName: v.endpoint, VariantName: v.variant } },
          unit: 'None' as const,
        })),
      );
  }
}
