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
    context: (info, operation) => ({
      store: deps.store,
      hosting: deps.hosting,
      jobs: deps.jobs,
      objects: deps.objects,
      config: deps.config,
      region: info.region,
      accountId: deps.config.accountId,
      requestId: info.requestId,
      log: deps.log.child({ requestId: info.requestId, operation }),
      now: deps.now,
    }),
  });
}
