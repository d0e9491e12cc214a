import type { TrafficPattern } from '../protocol/generated/sagemaker-types.js';

/** One level of load: this many concurrent users for this long. */
export interface Level {
  users: number;
  seconds: number;
}

/** A Default job's ramp: 1, 2, then 4 users, one step each, stopping early at errors or a knee. */
const DEFAULT_RAMP = [1, 2, 4];

export function defaultPlan(stepSeconds: number): Level[] {
  return DEFAULT_RAMP.map((users) => ({ users, seconds: stepSeconds }));
}

/**
 * An Advanced job's TrafficPattern as levels ([DG:inference-recommender-load-test]):
 * - PHASES: each phase runs at the users it reaches by its end
 *   (InitialNumberOfUsers + SpawnRate per minute × its duration);
 * - STAIRS: NumberOfSteps levels of UsersPerStep more users each.
 * The emulator compresses time: a level lasts at most `stepSeconds`
 * (SME_RECOMMENDER_STEP_SECONDS), so a plan written for AWS's hour-long
 * phases runs in minutes here.
 */
export function trafficPlan(pattern: TrafficPattern | undefined, stepSeconds: number): Level[] {
  if (!pattern) {
    return defaultPlan(stepSeconds);
  }
  if (pattern.TrafficType === 'STAIRS' && pattern.Stairs) {
    const { DurationInSeconds = stepSeconds, NumberOfSteps = 1, UsersPerStep = 1 } = pattern.Stairs;
    const each = Math.min(stepSeconds, DurationInSeconds / Math.max(1, NumberOfSteps));
    return Array.from({ length: NumberOfSteps }, (_, i) => ({ users: UsersPerStep * (i + 1), seconds: each }));
  }
  return (pattern.Phases ?? []).map((p) => {
    const duration = p.DurationInSeconds ?? stepSeconds;
    const users = Math.max(1, Math.round((p.InitialNumberOfUsers ?? 1) + ((p.SpawnRate ?? 0) * duration) / 60));
    return { users, seconds: Math.min(stepSeconds, duration) };
  });
}
