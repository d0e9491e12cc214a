import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { instanceHourlyPrice, serverlessInvocationCost, serverlessPricePerSecond } from '../../src/hosting/pricing.js';
import { Metrics } from '../../src/observability/metrics.js';

const close = (a: number, b: number) => assert.ok(Math.abs(a - b) < 1e-15, `${a} ≈ ${b}`);

describe('estimated cost, by hand (docs/aws-contract.md §12)', () => {
  test('serverless price per second scales with memory: 0.00002 USD per GB-second', () => {
    close(serverlessPricePerSecond(1024), 0.00002);
    close(serverlessPricePerSecond(2048), 0.00004);
    close(serverlessPricePerSecond(6144), 0.00012);
  });

  test('a request is billed its duration rounded up to the millisecond', () => {
    // 1500 ms at 2048 MB: 1.5 s × 0.00004 = 0.00006 USD.
    close(serverlessInvocationCost(1.5, serverlessPricePerSecond(2048)), 0.00006);
    // 12.3 ms is billed as 13 ms: 0.013 s × 0.00002 = 0.00000026 USD.
    close(serverlessInvocationCost(0.0123, serverlessPricePerSecond(1024)), 0.00000026);
    close(serverlessInvocationCost(0.002, serverlessPricePerSecond(1024)), 0.00000004);
  });

  test('instance prices: listed types, and unlisted ones at 0.0575 USD per vCPU-hour', () => {
    assert.equal(instanceHourlyPrice('ml.m5.large'), 0.115);
    assert.equal(instanceHourlyPrice('ml.t2.medium'), 0.056);
    close(instanceHourlyPrice('ml.m6i.2xlarge'), 0.0575 * 8);
  });

  test('the cost counter sums what is added, and a deleted endpoint’s series go', async () => {
    const metrics = new Metrics({ variants: () => [], accrueCost: () => undefined });
    metrics.addCost('e', 'v', serverlessInvocationCost(1.5, serverlessPricePerSecond(2048)));
    metrics.addCost('e', 'v', serverlessInvocationCost(0.5, serverlessPricePerSecond(2048)));
    const text = await metrics.registry.metrics();
    assert.match(text, /sagemaker_estimated_cost_usd_total\{endpoint_name="e",variant_name="v"\} 0\.00008/);
    metrics.forgetEndpoint('e');
    assert.doesNotMatch(await metrics.registry.metrics(), /endpoint_name="e"/);
  });
});
