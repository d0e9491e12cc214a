import type { Logger } from 'pino';
import type { CloudWatch } from '../cloudwatch/cloudwatch.js';
import type { Config } from '../config/schema.js';
import type { OperationContext } from '../control-plane/context.js';
import type { Hosting } from '../hosting/hosting.js';
import type { Metrics } from '../observability/metrics.js';
import type { Store } from '../store/store.js';

/** What every console view reads from: the same state the APIs serve. */
export interface ConsoleDeps {
  config: Config;
  store: Store;
  hosting: Hosting;
  /** Datapoints for the charts and the per-minute counts (the CloudWatch metric store). */
  cloudWatch: CloudWatch;
  metrics: Metrics;
  log: Logger;
  /**
   * The SageMaker control plane's context for a region: actions (delete,
   * weights and capacity) call the same operation handlers as the API.
   */
  sageMakerContext: (region: string) => OperationContext;
  /** The emulator's own base URL (the invoke form calls InvokeEndpoint through it, as a client would). */
  baseUrl: () => string;
}
