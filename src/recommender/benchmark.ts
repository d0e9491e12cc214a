import type { ContainerClient } from '../docker/container-client.js';
import type { VariantFleet } from '../hosting/fleet.js';
import type { RecommendationJobStoppingConditions } from '../protocol/generated/sagemaker-types.js';
import type { Level } from './load-plan.js';
import { type LevelEvents, type LevelResult, meanLatencyMs, percentileMs, perMinute, runLevel } from './load-level.js';
import { utilizationOver } from './utilization.js';

/** What a benchmark found: its levels, the best of them, and why it stopped. */
export interface BenchmarkOutcome {
  levels: LevelResult[];
  best?: LevelResult;
  /** Why the ramp ended before its last level (errors, a knee, a limit), for the logs and the step. */
  stoppedBecause?: string;
  /** Set when no level met the job's latency threshold: the configuration is reported as breaking it. */
  thresholdBroken?: string;
  cpuUtilization?: number;
  memoryUtilization?: number;
  /** Serverless: the first request's wait for a container (ModelSetupTime), in ms. */
  coldStartMs?: number;
}

/** A level that adds less than this to the best throughput so far is past the knee. */
const KNEE_GAIN = 1.1;

/**
 * Runs the plan's levels one after another against a deployed candidate, as
 * Inference Recommender ramps its users, and stops:
 * - at the first level with errors (the best is the one before);
 * - at the knee, when more users no longer raise throughput by 10%;
 * - when a level reaches StoppingConditions.MaxInvocations (per minute);
 * - when its latency at the threshold's percentile exceeds ModelLatencyThresholds;
 * - when the job's time runs out (`deadline`).
 * The best level is the one with the most invocations per minute among those
 * without errors and within the threshold. CPU and memory utilisation are
 * sampled from Docker over the best level.
 */
export async function benchmark(
  fleet: VariantFleet,
  docker: ContainerClient,
  plan: Level[],
  payloads: Buffer[],
  contentType: string,
  stopping: RecommendationJobStoppingConditions | undefined,
  deadline: number,
  signal: AbortSignal,
  events: LevelEvents,
): Promise<BenchmarkOutcome> {
  const out: BenchmarkOutcome = { levels: [] };
  const threshold = stopping?.ModelLatencyThresholds?.[0];
  const percentile = Number((threshold?.Percentile ?? 'P95').replace(/^P/, '')) || 95;
  const serverless = fleet.billing.kind === 'serverless';
  let bestUtilization: { cpu: number; memory: number } | undefined;
  for (const level of plan) {
    signal.throwIfAborted();
    const remaining = (deadline - Date.now()) / 1000;
    if (remaining < 1) {
      out.stoppedBecause = 'JobDurationInSeconds was reached';
      break;
    }
    const watch = utilizationOver(docker, () => fleet.containerIds());
    const coldStartBefore = serverless && fleet.stats().containers.ready === 0 && out.levels.length === 0 ? performance.now() : undefined;
    const firstRequest = coldStartBefore === undefined ? events : firstRequestTimer(events, (ms) => (out.coldStartMs = ms));
    const result = await runLevel(fleet, payloads, contentType, level.users, Math.min(level.seconds, remaining), signal, firstRequest);
    const utilization = await watch.stop();
    out.levels.push(result);
    if (result.errors > 0) {
      out.stoppedBecause = `${result.errors} of ${result.errors + result.invocations} requests failed at ${level.users} users (${result.firstError})`;
      break;
    }
    if (threshold?.ValueInMilliseconds !== undefined && percentileMs(result, percentile) > threshold.ValueInMilliseconds) {
      const text = `P${percentile} latency ${Math.round(percentileMs(result, percentile))} ms exceeded ModelLatencyThresholds (${threshold.ValueInMilliseconds} ms) at ${level.users} users`;
      if (!out.best) {
        out.thresholdBroken = text;
      }
      out.stoppedBecause = text;
      break;
    }
    const gained = !out.best || perMinute(result) >= perMinute(out.best) * KNEE_GAIN;
    if (!out.best || perMinute(result) > perMinute(out.best)) {
      out.best = result;
      bestUtilization = utilization;
    }
    if (stopping?.MaxInvocations !== undefined && perMinute(result) >= stopping.MaxInvocations) {
      out.stoppedBecause = `MaxInvocations (${stopping.MaxInvocations} per minute) was reached at ${level.users} users`;
      break;
    }
    if (!gained) {
      out.stoppedBecause = `throughput stopped growing at ${level.users} users (the knee)`;
      break;
    }
  }
  if (bestUtilization) {
    out.cpuUtilization = bestUtilization.cpu;
    out.memoryUtilization = bestUtilization.memory;
  }
  return out;
}

/** Reports the first request's latency (a serverless cold start) besides passing every request on. */
function firstRequestTimer(events: LevelEvents, first: (ms: number) => void): LevelEvents {
  let seen = false;
  return {
    request(ms) {
      if (!seen && ms !== undefined) {
        seen = true;
        first(ms);
      }
      events.request(ms);
    },
  };
}

export { meanLatencyMs, perMinute };
