import { instanceHourlyPrice, serverlessPricePerSecond } from '../hosting/pricing.js';
import type { RecommendationMetrics } from '../protocol/generated/sagemaker-types.js';
import type { BenchmarkOutcome } from './benchmark.js';
import type { Candidate } from './candidates.js';
import { type LevelResult, meanLatencyMs, perMinute } from './load-level.js';

/**
 * A benchmark's RecommendationMetrics, from its best level
 * ([DG:inference-recommender-interpret-results]):
 * - MaxInvocations: requests per minute sustained at that level (rounded down);
 * - ModelLatency: the mean time of those requests in ms (rounded down), as the
 *   load clients see it, so at least the model's own time; MaxInvocations
 *   stays within users × 60000 / ModelLatency;
 * - CostPerHour: one instance's on-demand price, or for serverless the
 *   GB-second price (USD 0.00002 per GB-second, docs/aws-contract.md §12) of
 *   ModelLatency × MaxInvocations × 60 requests;
 * - CostPerInference = CostPerHour / (MaxInvocations × 60), for both;
 * - CPU and memory utilisation over the best level; ModelSetupTime for
 *   serverless (the first request's cold start), in ms.
 */
export function recommendationMetrics(c: Candidate, best: LevelResult, outcome: BenchmarkOutcome): RecommendationMetrics {
  const maxInvocations = Math.max(1, perMinute(best));
  const latency = meanLatencyMs(best);
  const perHourRequests = maxInvocations * 60;
  const costPerHour = c.serverless
    ? serverlessPricePerSecond(c.serverless.MemorySizeInMB) * (latency / 1000) * perHourRequests
    : instanceHourlyPrice(c.instanceType ?? '');
  return {
    CostPerHour: costPerHour,
    CostPerInference: costPerHour / perHourRequests,
    MaxInvocations: maxInvocations,
    ModelLatency: latency,
    ...(outcome.cpuUtilization !== undefined ? { CpuUtilization: round2(outcome.cpuUtilization) } : {}),
    ...(outcome.memoryUtilization !== undefined ? { MemoryUtilization: round2(outcome.memoryUtilization) } : {}),
    ...(c.serverless && outcome.coldStartMs !== undefined ? { ModelSetupTime: Math.round(outcome.coldStartMs) } : {}),
  };
}

const round2 = (n: number) => Math.round(n * 100) / 100;
