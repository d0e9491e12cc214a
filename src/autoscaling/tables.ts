import { scalableTargetKind, scalingActivityKind, scalingPolicyKind, scheduledActionKind } from '../resources/kinds.js';
import type { DocumentTable } from '../store/repository.js';
import type { Store } from '../store/store.js';
import type {
  ScalableTargetRecord,
  ScalingActivityRecord,
  ScalingPolicyRecord,
  ScheduledActionRecord,
  TargetRef,
} from './records.js';

/**
 * The four document tables of Application Auto Scaling, keyed so that AAS's
 * case-sensitive names survive the store's case-folded keys: the key is the
 * hex encoding of the parts that identify a record.
 */
const key = (...parts: string[]) => Buffer.from(parts.join('\n'), 'utf8').toString('hex');

export const targetKey = (ref: TargetRef) => key(ref.dimension, ref.resourceId);

const sameTarget = (a: TargetRef, b: TargetRef) => a.resourceId === b.resourceId && a.dimension === b.dimension;

export class AutoScalingTables {
  readonly targets: DocumentTable<ScalableTargetRecord>;
  readonly policies: DocumentTable<ScalingPolicyRecord>;
  readonly actions: DocumentTable<ScheduledActionRecord>;
  readonly activities: DocumentTable<ScalingActivityRecord>;

  constructor(readonly store: Store) {
    this.targets = store.table(scalableTargetKind);
    this.policies = store.table(scalingPolicyKind);
    this.actions = store.table(scheduledActionKind);
    this.activities = store.table(scalingActivityKind);
  }

  getTarget(region: string, ref: TargetRef): ScalableTargetRecord | undefined {
    return this.targets.get(region, targetKey(ref));
  }

  putTarget(region: string, target: ScalableTargetRecord): void {
    this.targets.put(region, targetKey(target), target);
  }

  getPolicy(region: string, ref: TargetRef, name: string): ScalingPolicyRecord | undefined {
    return this.policies.get(region, key(ref.dimension, ref.resourceId, name));
  }

  putPolicy(region: string, policy: ScalingPolicyRecord): void {
    this.policies.put(region, key(policy.dimension, policy.resourceId, policy.name), policy);
  }

  deletePolicy(region: string, policy: ScalingPolicyRecord): void {
    this.policies.delete(region, key(policy.dimension, policy.resourceId, policy.name));
  }

  policiesOf(region: string, ref: TargetRef): ScalingPolicyRecord[] {
    return this.policies.list(region).filter((p) => sameTarget(p, ref));
  }

  getAction(region: string, ref: TargetRef, name: string): ScheduledActionRecord | undefined {
    return this.actions.get(region, key(ref.dimension, ref.resourceId, name));
  }

  putAction(region: string, action: ScheduledActionRecord): void {
    this.actions.put(region, key(action.dimension, action.resourceId, action.name), action);
  }

  deleteAction(region: string, action: ScheduledActionRecord): void {
    this.actions.delete(region, key(action.dimension, action.resourceId, action.name));
  }

  actionsOf(region: string, ref: TargetRef): ScheduledActionRecord[] {
    return this.actions.list(region).filter((a) => sameTarget(a, ref));
  }

  putActivity(region: string, activity: ScalingActivityRecord): void {
    this.activities.put(region, activity.activityId, activity);
  }

  activitiesOf(region: string, ref: TargetRef): ScalingActivityRecord[] {
    return this.activities.list(region).filter((a) => sameTarget(a, ref));
  }

  /** Deletes a target with its policies, scheduled actions and tags (not its activities: they are history). */
  deleteTarget(region: string, target: ScalableTargetRecord): void {
    this.store.transaction(() => {
      for (const p of this.policiesOf(region, target)) {
        this.deletePolicy(region, p);
      }
      for (const a of this.actionsOf(region, target)) {
        this.deleteAction(region, a);
      }
      this.targets.delete(region, targetKey(target));
      this.store.tags.removeAll(target.arn);
    });
  }

  /** Every record of the four kinds, and the targets' tags (reset). */
  clear(): void {
    this.store.transaction(() => {
      for (const { doc } of this.targets.all()) {
        this.store.tags.removeAll(doc.arn);
      }
      this.targets.clear();
      this.policies.clear();
      this.actions.clear();
      this.activities.clear();
    });
  }
}
