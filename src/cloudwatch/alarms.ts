/**
 * The metric alarms: stored as a resource kind (table `metric_alarms`, so
 * they survive a restart; their tags in the tag table by ARN), changed by the
 * operations and by Application Auto Scaling through the same AlarmDirectory
 * methods, and evaluated at every period tick.
 *
 * Every alarm is evaluated at every tick over windows of its own Period that
 * end at the boundary (CloudWatch evaluates alarms of a minute or more "every
 * minute", with sliding windows: AlarmThatSendsEmail.html). A change of state
 * runs the new state's actions once; Auto Scaling actions run again at each
 * tick the alarm stays in that state (src/cloudwatch/alarm-action-router.ts).
 */
import type { Logger } from 'pino';
import type { AlarmDirectory, AlarmInvocation, AlarmState } from './alarm-actions.js';
import type { AlarmActionRouter } from './alarm-action-router.js';
import { alarmData } from './alarm-datapoints.js';
import { type Decision, decide, evaluationRange, stateAfter } from './alarm-evaluator.js';
import { INITIAL_REASON, stateReason, stateReasonData } from './alarm-reason.js';
import { alarmArn, alarmTableKey, type MetricAlarmRecord } from './alarm-record.js';
import { alarmPeriod, checkAlarm } from './alarm-rules.js';
import { checkTagCount } from './alarm-tags.js';
import { resourceNotFound } from './errors.js';
import type { MetricStore } from './metric-store.js';
import type { PutMetricAlarmInput } from '../protocol/generated/cloudwatch-types.js';
import { metricAlarmKind } from '../resources/kinds.js';
import type { Clock } from '../shared/clock.js';
import type { DocumentTable } from '../store/repository.js';
import type { Store } from '../store/store.js';

export interface AlarmsOptions {
  store: Store;
  metrics: MetricStore;
  router: AlarmActionRouter;
  accountId: string;
  clock: Clock;
  log: Logger;
}

export class Alarms implements AlarmDirectory {
  private readonly table: DocumentTable<MetricAlarmRecord>;

  constructor(private readonly o: AlarmsOptions) {
    this.table = o.store.table(metricAlarmKind);
  }

  /** PutMetricAlarm: creates an alarm in INSUFFICIENT_DATA, or replaces the configuration of one and keeps its state and tags. */
  putAlarm(region: string, input: PutMetricAlarmInput): string {
    const spec = checkAlarm(input, this.o.metrics.periodMs / 1000);
    const existing = this.get(region, input.AlarmName);
    const now = this.o.clock.now();
    const arn = alarmArn(region, this.o.accountId, input.AlarmName);
    if (!existing) {
      checkTagCount(input.Tags ?? []);
    }
    const record: MetricAlarmRecord = {
      name: input.AlarmName,
      arn,
      spec,
      actionsEnabled: input.ActionsEnabled ?? true,
      configurationUpdatedMs: now,
      state: existing?.state ?? { value: 'INSUFFICIENT_DATA', reason: INITIAL_REASON, updatedMs: now },
    };
    this.o.store.transaction(() => {
      this.table.put(region, alarmTableKey(input.AlarmName), record);
      // "If you are using this operation to update an existing alarm, any tags you specify in this parameter are ignored."
      if (!existing && input.Tags && input.Tags.length > 0) {
        this.o.store.tags.add(arn, input.Tags);
      }
    });
    return arn;
  }

  /** DeleteAlarms: names that name no alarm are skipped ("the alarms you specify with correct names are still deleted"). */
  deleteAlarms(region: string, names: readonly string[]): void {
    for (const name of names) {
      const alarm = this.get(region, name);
      if (alarm) {
        this.o.store.deleteResource(metricAlarmKind, region, alarmTableKey(name), alarm.arn);
      }
    }
  }

  get(region: string, name: string): MetricAlarmRecord | undefined {
    return this.table.get(region, alarmTableKey(name));
  }

  /** The region's alarms, by name (CloudWatch lists them alphabetically). */
  list(region: string): MetricAlarmRecord[] {
    return this.table.list(region).sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  }

  /** SetAlarmState: the state until the next evaluation; a change runs the new state's actions. */
  setState(region: string, name: string, value: AlarmState, reason: string, reasonData: string | undefined): void {
    const alarm = this.get(region, name);
    if (!alarm) {
      // NOT VERIFIED: the text (ResourceNotFound, HTTP 404, is the model's).
      throw resourceNotFound(`Alarm ${name} not found`);
    }
    const changed = alarm.state.value !== value;
    const now = this.o.clock.now();
    alarm.state = { value, reason, ...(reasonData !== undefined ? { reasonData } : {}), updatedMs: changed ? now : alarm.state.updatedMs };
    this.table.put(region, alarmTableKey(name), alarm);
    if (changed) {
      this.runActions(region, alarm, lastRecentDatapoint(reasonData), false);
    }
  }

  /** Enable/DisableAlarmActions: unknown names are skipped. */
  setActionsEnabled(region: string, names: readonly string[], enabled: boolean): void {
    for (const name of names) {
      const alarm = this.get(region, name);
      if (alarm) {
        alarm.actionsEnabled = enabled;
        this.table.put(region, alarmTableKey(name), alarm);
      }
    }
  }

  /** Evaluates every alarm of every region for the windows ending at `boundaryMs`. */
  evaluateAll(boundaryMs: number): void {
    for (const { region, doc } of this.table.all()) {
      try {
        this.evaluate(region, doc, boundaryMs);
      } catch (err) {
        this.o.log.warn({ err, alarm: doc.name, region }, 'alarm evaluation failed; the alarm keeps its state');
      }
    }
  }

  /** Deletes every alarm and its tags. */
  reset(): void {
    this.o.store.transaction(() => {
      for (const { doc } of this.table.all()) {
        this.o.store.tags.removeAll(doc.arn);
      }
      this.table.clear();
    });
  }

  private evaluate(region: string, alarm: MetricAlarmRecord, boundaryMs: number): void {
    const spec = alarm.spec;
    const period = alarmPeriod(spec);
    const n = spec.EvaluationPeriods ?? 1;
    const data = alarmData(spec, period, evaluationRange(n), boundaryMs, this.o.metrics);
    const decision: Decision = data.lowSamples
      ? { kind: 'keep' }
      : decide(data.points, {
          evaluationPeriods: n,
          datapointsToAlarm: spec.DatapointsToAlarm ?? n,
          comparison: spec.ComparisonOperator ?? '',
          threshold: spec.Threshold ?? 0,
          treatMissingData: spec.TreatMissingData ?? 'missing',
        });
    const newest = data.points.find((p) => p.value !== undefined)?.value;
    const next = stateAfter(decision, alarm.state.value);
    if (decision.kind === 'keep' || next === alarm.state.value) {
      // No transition (the reason of the last one stays); Auto Scaling actions run again.
      this.runActions(region, alarm, newest, true);
      return;
    }
    const now = this.o.clock.now();
    alarm.state = {
      value: next,
      reason: stateReason(decision, spec),
      reasonData: stateReasonData(spec, period, data.points.slice(0, n), now),
      updatedMs: now,
    };
    this.table.put(region, alarmTableKey(alarm.name), alarm);
    this.runActions(region, alarm, newest, false);
  }

  private runActions(region: string, alarm: MetricAlarmRecord, metricValue: number | undefined, repeat: boolean): void {
    if (!alarm.actionsEnabled) {
      return;
    }
    const state = alarm.state.value;
    const spec = alarm.spec;
    const arns = state === 'ALARM' ? spec.AlarmActions : state === 'OK' ? spec.OKActions : spec.InsufficientDataActions;
    if (!arns || arns.length === 0) {
      return;
    }
    const invocation: AlarmInvocation = {
      region,
      alarmName: alarm.name,
      alarmArn: alarm.arn,
      state,
      metricValue,
      threshold: spec.Threshold ?? 0,
      comparisonOperator: spec.ComparisonOperator ?? '',
      reason: alarm.state.reason,
      atMs: this.o.clock.now(),
    };
    this.o.router.run(arns, invocation, repeat);
  }
}

/** The newest of StateReasonData's recentDatapoints (SetAlarmState for a scaling alarm must carry them). */
function lastRecentDatapoint(reasonData: string | undefined): number | undefined {
  if (reasonData === undefined) {
    return undefined;
  }
  try {
    const parsed: unknown = JSON.parse(reasonData);
    const recent = typeof parsed === 'object' && parsed !== null ? (parsed as { recentDatapoints?: unknown }).recentDatapoints : undefined;
    const last: unknown = Array.isArray(recent) ? recent.at(-1) : undefined;
    return typeof last === 'number' ? last : undefined;
  } catch {
    return undefined;
  }
}
