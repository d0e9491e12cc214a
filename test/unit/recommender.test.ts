import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { advancedCandidates, candidateLabel, defaultCandidates } from '../../src/recommender/candidates.js';
import { costPerInferenceSvg, latencyThroughputSvg } from '../../src/recommender/charts.js';
import { meanLatencyMs, perMinute } from '../../src/recommender/load-level.js';
import { defaultPlan, trafficPlan } from '../../src/recommender/load-plan.js';
import type { RecommendationJobSpec } from '../../src/recommender/recommendation-job-record.js';
import { recommendationMetrics } from '../../src/recommender/recommendation-metrics.js';

const spec = (input: Partial<RecommendationJobSpec['InputConfig']>, jobType: 'Default' | 'Advanced' = 'Default'): RecommendationJobSpec => ({
  JobType: jobType,
  RoleArn: 'arn:aws:iam::123456789012:role/x',
  InputConfig: { ModelName: 'm', ...input },
});

describe('recommender candidates', () => {
  test('a Default job: two instance types and a serverless size, narrowed by ContainerConfig', () => {
    assert.deepEqual(defaultCandidates(spec({})).map(candidateLabel), ['ml.c5.large', 'ml.m5.xlarge', 'serverless 2048 MB']);
    assert.deepEqual(defaultCandidates(spec({ ContainerConfig: { SupportedEndpointType: 'Serverless' } })).map(candidateLabel), ['serverless 2048 MB']);
    assert.deepEqual(
      defaultCandidates(spec({ ContainerConfig: { SupportedEndpointType: 'RealTime', SupportedInstanceTypes: ['ml.g5.xlarge'] } })).map(candidateLabel),
      ['ml.g5.xlarge'],
    );
  });

  test('an Advanced job: each configuration times every combination of its categorical parameters, capped by MaxNumberOfTests', () => {
    const s = spec(
      {
        EndpointConfigurations: [
          {
            InstanceType: 'ml.c5.large',
            EnvironmentParameterRanges: {
              CategoricalParameterRanges: [
                { Name: 'A', Value: ['1', '2'] },
                { Name: 'B', Value: ['x', 'y'] },
              ],
            },
          },
          { ServerlessConfig: { MemorySizeInMB: 1024, MaxConcurrency: 2 } },
        ],
      },
      'Advanced',
    );
    assert.deepEqual(advancedCandidates(s).map(candidateLabel), [
      'ml.c5.large (A=1, B=x)',
      'ml.c5.large (A=1, B=y)',
      'ml.c5.large (A=2, B=x)',
      'ml.c5.large (A=2, B=y)',
      'serverless 1024 MB',
    ]);
    assert.equal(advancedCandidates({ ...s, InputConfig: { ...s.InputConfig, ResourceLimit: { MaxNumberOfTests: 2 } } }).length, 2);
  });
});

describe('load plans', () => {
  test('Default: 1, 2 and 4 users, one step each', () => {
    assert.deepEqual(defaultPlan(5), [{ users: 1, seconds: 5 }, { users: 2, seconds: 5 }, { users: 4, seconds: 5 }]);
  });
  test('PHASES run at the users they reach; STAIRS add UsersPerStep; both compressed to the step length', () => {
    assert.deepEqual(trafficPlan({ TrafficType: 'PHASES', Phases: [{ InitialNumberOfUsers: 1, SpawnRate: 1, DurationInSeconds: 120 }, { InitialNumberOfUsers: 3, SpawnRate: 0, DurationInSeconds: 2 }] }, 10), [
      { users: 3, seconds: 10 },
      { users: 3, seconds: 2 },
    ]);
    assert.deepEqual(trafficPlan({ TrafficType: 'STAIRS', Stairs: { DurationInSeconds: 120, NumberOfSteps: 3, UsersPerStep: 2 } }, 10), [
      { users: 2, seconds: 10 },
      { users: 4, seconds: 10 },
      { users: 6, seconds: 10 },
    ]);
  });
});

describe('recommendation metrics', () => {
  const level = { users: 4, seconds: 10, invocations: 1000, errors: 0, latenciesMs: Array.from({ length: 1000 }, (_, i) => (i % 2 ? 39 : 41.5)) };
  test('MaxInvocations per minute, ModelLatency the mean rounded down, and the costs agree', () => {
    assert.equal(perMinute(level), 6000);
    assert.equal(meanLatencyMs(level), 40);
    const m = recommendationMetrics({ instanceType: 'ml.m5.large', environment: [] }, level, { levels: [level] });
    assert.equal(m.CostPerHour, 0.115);
    assert.equal(m.CostPerInference, 0.115 / (6000 * 60));
    assert.ok(m.MaxInvocations! <= (level.users * 60_000) / m.ModelLatency!);
    const s = recommendationMetrics({ serverless: { MemorySizeInMB: 2048, MaxConcurrency: 5 }, environment: [] }, level, { levels: [level], coldStartMs: 812.4 });
    assert.ok(Math.abs(s.CostPerInference! - 0.00004 * 0.04) < 1e-15, 'serverless: GB-seconds of one inference');
    assert.ok(Math.abs(s.CostPerInference! - s.CostPerHour! / (6000 * 60)) < 1e-15);
    assert.equal(s.ModelSetupTime, 812);
  });
});

describe('charts', () => {
  test('are standalone SVG with one line per configuration and one bar per recommendation', () => {
    const svg = latencyThroughputSvg('job<1>', [
      { label: 'ml.c5.large', points: [{ invocationsPerMinute: 1000, latencyMs: 20 }, { invocationsPerMinute: 1900, latencyMs: 22 }] },
      { label: 'serverless 2048 MB', points: [{ invocationsPerMinute: 800, latencyMs: 30 }] },
    ]);
    assert.match(svg, /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.equal((svg.match(/<polyline/g) ?? []).length, 2);
    assert.match(svg, /job&lt;1&gt;/, 'text is escaped');
    const bars = costPerInferenceSvg('job', [{ label: 'a', costPerInference: 1e-7 }, { label: 'b', costPerInference: 3e-7 }]);
    const filled = (bars.match(/<rect x="[\d.]+" y="[\d.]+" width="[\d.]+" height="[\d.]+" fill="#/g) ?? []).length;
    const legend = (bars.match(/width="12" height="12"/g) ?? []).length;
    assert.equal(filled - legend, 2);
  });
});
