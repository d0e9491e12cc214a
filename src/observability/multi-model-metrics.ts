import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

/**
 * The multi-model endpoint metrics (docs/aws-contract.md §9.2), in the same
 * rules as every other: CloudWatch's name in snake case, seconds, labels
 * `endpoint_name` and `variant_name`.
 */
const LABELS = ['endpoint_name', 'variant_name'] as const;
type Labels = Record<(typeof LABELS)[number], string>;

/** From a cache hit's microseconds to the 360 s a load may take. */
const LOAD_BUCKETS = [0.0001, 0.0005, 0.001, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 360];

export type ModelCacheTiming = 'waited' | 'downloaded' | 'loaded' | 'unloaded';

export class MultiModelMetrics {
  private readonly hits: Counter<(typeof LABELS)[number]>;
  private readonly misses: Counter<(typeof LABELS)[number]>;
  private readonly timings: Record<ModelCacheTiming, Histogram<(typeof LABELS)[number]>>;
  /** Set at scrape time from the fleets (src/observability/metrics.ts). */
  readonly loadedModels: Gauge<(typeof LABELS)[number]>;

  constructor(registry: Registry) {
    const histogram = (name: string, help: string) => new Histogram({ name, help, labelNames: LABELS, buckets: LOAD_BUCKETS, registers: [registry] });
    this.hits = new Counter({
      name: 'sagemaker_model_cache_hits_total',
      help: 'CloudWatch ModelCacheHit (Sum): multi-model requests whose model was already loaded.',
      labelNames: LABELS,
      registers: [registry],
    });
    this.misses = new Counter({
      name: 'sagemaker_model_cache_misses_total',
      help: 'CloudWatch ModelCacheHit (SampleCount − Sum): multi-model requests whose model had to be downloaded or loaded.',
      labelNames: LABELS,
      registers: [registry],
    });
    this.timings = {
      waited: histogram('sagemaker_model_loading_wait_time_seconds', 'CloudWatch ModelLoadingWaitTime (in seconds): time a request waited for its model to download and load.'),
      downloaded: histogram('sagemaker_model_downloading_time_seconds', 'CloudWatch ModelDownloadingTime (in seconds): time to download a model to an instance.'),
      loaded: histogram('sagemaker_model_loading_time_seconds', 'CloudWatch ModelLoadingTime (in seconds): time of the container’s load call (POST /models).'),
      unloaded: histogram('sagemaker_model_unloading_time_seconds', 'CloudWatch ModelUnloadingTime (in seconds): time of the container’s unload call (DELETE /models/<name>).'),
    };
    this.loadedModels = new Gauge({
      name: 'sagemaker_loaded_model_count',
      help: 'CloudWatch LoadedModelCount: models loaded in the variant’s containers, summed over its instances.',
      labelNames: LABELS,
      registers: [],
    });
  }

  cache(labels: Labels, hit: boolean): void {
    (hit ? this.hits : this.misses).inc(labels);
  }

  timing(labels: Labels, what: ModelCacheTiming, seconds: number): void {
    this.timings[what].observe(labels, seconds);
  }

  remove(labels: Labels): void {
    for (const m of [this.hits, this.misses, ...Object.values(this.timings)]) {
      m.remove(labels);
    }
  }
}
