import type { Logger } from 'pino';
import type { AlarmActionHandler, AlarmDirectory } from '../cloudwatch/alarm-actions.js';
import type { Config } from '../config/schema.js';
import type { OperationContext } from '../control-plane/context.js';
import type { RequestHandler } from '../protocol/dispatcher.js';
import { decodeOrThrow, jsonService } from '../protocol/json-service.js';
import type { Clock } from '../shared/clock.js';
import type { Store } from '../store/store.js';
import { ActivityLog } from './activity-log.js';
import { alarmActionHandler } from './alarm-handler.js';
import type { CapacityAdapter } from './capacity.js';
import type { AutoScalingContext, AutoScalingServices } from './context.js';
import { autoScalingOperations } from './operations.js';
import { SageMakerCapacity } from './sagemaker-capacity.js';
import { ScalingEngine } from './scaling-engine.js';
import { runScheduledAction } from './scheduled-run.js';
import { ActionScheduler } from './scheduler.js';
import { AutoScalingTables } from './tables.js';
import { removeTarget } from './targets.js';

export interface AutoScalingDeps {
  store: Store;
  config: Config;
  log: Logger;
  clock: Clock;
  /** Where target-tracking policies create and delete their alarms (CloudWatch). */
  alarms: AlarmDirectory;
  /** The SageMaker control plane's context for a region: scaling goes through its UpdateEndpointWeightsAndCapacities. */
  sageMakerContext: (region: string) => OperationContext;
  /** Replaces the SageMaker adapter (unit tests of the policy logic). */
  capacity?: CapacityAdapter;
}

/**
 * Application Auto Scaling for SageMaker endpoint variants: the
 * `AnyScaleFrontendService` API (AWS JSON 1.1), the action CloudWatch alarms
 * run for scaling policies, scheduled actions on the clock, and the scaling
 * activities they produce. State is in the store; timers and in-flight
 * activities are rebuilt by start().
 */
export class AutoScaling {
  /** The AnyScaleFrontendService JSON 1.1 service: register with `.targetPrefix('AnyScaleFrontendService', 'application-autoscaling', handler)`. */
  readonly handler: RequestHandler;
  /** The alarm action of every scaling policy: register it for the prefix `arn:aws:autoscaling:`. */
  readonly onAlarmAction: AlarmActionHandler;
  private readonly services: AutoScalingServices;
  private readonly log: Logger;

  constructor(deps: AutoScalingDeps) {
    const log = deps.log.child({ component: 'autoscaling' });
    const { clock } = deps;
    const tables = new AutoScalingTables(deps.store);
    const now = () => clock.now();
    const activities = new ActivityLog(tables, now);
    const capacity = deps.capacity ?? new SageMakerCapacity({ sageMakerContext: deps.sageMakerContext, clock });
    const engine = new ScalingEngine({ tables, activities, capacity, clock, log });
    const scheduler = new ActionScheduler({
      tables,
      clock,
      log,
      run: (region, action) => runScheduledAction({ tables, activities, engine, log, now }, region, action),
    });
    this.log = log;
    this.services = { config: deps.config, tables, activities, alarms: deps.alarms, capacity, engine, scheduler, now };
    this.onAlarmAction = alarmActionHandler({ tables, activities, engine, capacity, clock, log });
    this.handler = jsonService<AutoScalingContext>({
      targetPrefix: 'AnyScaleFrontendService',
      version: '1.1',
      operations: autoScalingOperations,
      log: deps.log,
      decode: (operation, input) => decodeOrThrow('application-autoscaling', operation, input),
      context: (info, operation) => ({
        ...this.services,
        region: info.region,
        accountId: deps.config.accountId,
        requestId: info.requestId,
        log: log.child({ requestId: info.requestId, operation }),
      }),
    });
  }

  /** Arms the scheduled actions' timers and closes the activities a restart cut short. */
  start(): void {
    this.services.engine.closeInterrupted();
    this.services.scheduler.rebuild();
  }

  /** Cancels the timers and stops waiting for SageMaker. */
  async stop(): Promise<void> {
    this.services.scheduler.stop();
    await this.services.engine.stop();
  }

  /** Resolves when no scaling activity is waiting for SageMaker (tests, and a clean shutdown). */
  async idle(): Promise<void> {
    await this.services.engine.drain();
  }

  /** POST /_emulator/reset: every target, policy (with its alarms), scheduled action and activity goes. */
  async reset(): Promise<void> {
    await this.stop();
    const { tables, alarms } = this.services;
    for (const { region, doc } of tables.policies.all()) {
      if (doc.policyType === 'TargetTrackingScaling' && doc.alarms.length > 0) {
        alarms.deleteAlarms(
          region,
          doc.alarms.map((a) => a.AlarmName),
        );
      }
    }
    tables.clear();
    this.log.info('auto scaling reset');
  }

  /**
   * DeleteEndpoint deregisters the endpoint's scalable targets, with their
   * policies, alarms and scheduled actions, as SageMaker does on AWS (the
   * caller of DeleteEndpoint needs application-autoscaling:DeregisterScalableTarget for it).
   */
  endpointDeleted(region: string, endpointName: string): void {
    const { tables } = this.services;
    const name = endpointName.toLowerCase();
    for (const target of tables.targets.list(region).filter((t) => t.endpointName.toLowerCase() === name)) {
      removeTarget({ ...this.services, region }, target);
      this.log.info({ endpoint: target.endpointName, variant: target.variantName, dimension: target.dimension }, 'scalable target deregistered with its endpoint');
    }
  }
}
