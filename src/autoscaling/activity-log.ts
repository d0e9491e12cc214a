import { randomUUID } from 'node:crypto';
import type { NotScaledReason, ScalingActivityStatusCode } from '../protocol/generated/application-autoscaling-types.js';
import type { ScalingActivityRecord, TargetRef } from './records.js';
import type { AutoScalingTables } from './tables.js';

/**
 * Scaling activities, persisted. Each target keeps its newest HISTORY_LIMIT
 * activities (older ones are dropped when a new one is written), and
 * DescribeScalingActivities shows the last six weeks, as AWS does
 * (https://docs.aws.amazon.com/autoscaling/application/APIReference/API_DescribeScalingActivities.html).
 */
export const HISTORY_LIMIT = 500;
export const HISTORY_WINDOW_MS = 42 * 24 * 3_600_000;

export interface NewActivity {
  description: string;
  cause: string;
  statusCode: ScalingActivityStatusCode;
  statusMessage?: string;
  notScaledReasons?: NotScaledReason[];
  ended?: boolean;
}

export class ActivityLog {
  private seq = 0;

  constructor(
    private readonly tables: AutoScalingTables,
    private readonly now: () => number,
  ) {
    for (const { doc } of tables.activities.all()) {
      this.seq = Math.max(this.seq, doc.seq);
    }
  }

  add(region: string, ref: TargetRef, a: NewActivity): ScalingActivityRecord {
    const now = this.now();
    const record: ScalingActivityRecord = {
      resourceId: ref.resourceId,
      dimension: ref.dimension,
      activityId: randomUUID(),
      description: a.description,
      cause: a.cause,
      startTime: now,
      ...(a.ended ? { endTime: now } : {}),
      statusCode: a.statusCode,
      ...(a.statusMessage !== undefined ? { statusMessage: a.statusMessage } : {}),
      ...(a.notScaledReasons ? { notScaledReasons: a.notScaledReasons } : {}),
      seq: ++this.seq,
    };
    this.tables.store.transaction(() => {
      this.tables.putActivity(region, record);
      this.prune(region, ref);
    });
    return record;
  }

  /**
   * A not-scaled activity, unless the newest activity of the target already
   * says the same (an alarm stays in ALARM for many periods; one line is enough).
   */
  addNotScaled(region: string, ref: TargetRef, a: NewActivity): ScalingActivityRecord | undefined {
    const newest = this.list(region, ref)[0];
    if (
      newest?.notScaledReasons &&
      newest.cause === a.cause &&
      JSON.stringify(newest.notScaledReasons) === JSON.stringify(a.notScaledReasons)
    ) {
      return undefined;
    }
    return this.add(region, ref, a);
  }

  /** Moves an activity on; `ended` stamps EndTime. */
  update(region: string, activity: ScalingActivityRecord, change: { statusCode: ScalingActivityStatusCode; statusMessage?: string; ended?: boolean }): ScalingActivityRecord {
    const next: ScalingActivityRecord = {
      ...activity,
      statusCode: change.statusCode,
      ...(change.statusMessage !== undefined ? { statusMessage: change.statusMessage } : {}),
      ...(change.ended ? { endTime: this.now() } : {}),
    };
    this.tables.putActivity(region, next);
    return next;
  }

  /** Newest first, within the six-week window. */
  list(region: string, ref?: Partial<TargetRef>): ScalingActivityRecord[] {
    const since = this.now() - HISTORY_WINDOW_MS;
    return this.tables.activities
      .list(region)
      .filter(
        (a) =>
          a.startTime >= since &&
          (ref?.resourceId === undefined || a.resourceId === ref.resourceId) &&
          (ref?.dimension === undefined || a.dimension === ref.dimension),
      )
      .sort((a, b) => b.startTime - a.startTime || b.seq - a.seq);
  }

  /** Activities a restart left Pending or InProgress (their change was cut short). */
  unfinished(): { region: string; activity: ScalingActivityRecord }[] {
    return this.tables.activities
      .all()
      .filter(({ doc }) => doc.statusCode === 'Pending' || doc.statusCode === 'InProgress')
      .map(({ region, doc }) => ({ region, activity: doc }));
  }

  private prune(region: string, ref: TargetRef): void {
    const all = this.tables.activitiesOf(region, ref).sort((a, b) => b.seq - a.seq);
    for (const old of all.slice(HISTORY_LIMIT)) {
      this.tables.activities.delete(region, old.activityId);
    }
  }
}
