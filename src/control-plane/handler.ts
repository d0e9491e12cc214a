import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Hosting } from '../hosting/hosting.js';
import type { JobRunner } from '../jobs/job-runner.js';
import type { ObjectStore } from '../storage/object-store.js';
import type { RequestHandler } from '../protocol/dispatcher.js';
import { decodeOrThrow, jsonService } from '../protocol/json-service.js';
import type { Store } from '../store/store.js';
import type { OperationContext } from './context.js';
import { decodeWithLocalModelData } from './emulator-extensions.js';
import { operations } from './operations.js';

export interface ControlPlaneDeps {
  config: Config;
  store: Store;
  hosting: Hosting;
  jobs: JobRunner;
  objects: ObjectStore;
  log: Logger;
  now: () => number;
}

/** The SageMaker control plane: AWS JSON 1.1, `X-Amz-Target: SageMaker.<Operation>`. */
export function sageMakerControlPlane(deps: ControlPlaneDeps): RequestHandler {
  return jsonService<OperationContext>({
    targetPrefix: 'SageMaker',
    version: '1.1',
    operations,
    log: deps.log,
    // Validated as the real service does; unknown members are dropped, as it ignores them.
    decode: (operation, input) =>
      decodeWithLocalModelData(operation, input, (masked) => decodeOrThrow('sagemaker', operation, masked)),
    context: (info, operation) => operationContext(deps, info.region, info.requestId, deps.log.child({ requestId: info.requestId, operation })),
  });
}

/**
 * What an operation runs with: for a request, and for the emulator's own
 * callers of the operations (Application Auto Scaling, the web console), which
 * act through the same handlers as a client.
 */
export function operationContext(deps: ControlPlaneDeps, region: string, requestId: string, log: Logger): OperationContext {
  return {
    store: deps.store,
    hosting: deps.hosting,
    jobs: deps.jobs,
    objects: deps.objects,
    config: deps.config,
    region,
    accountId: deps.config.accountId,
    requestId,
    log,
    now: deps.now,
  };
}
