import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import { assertAwsError, type Harness, harness, removeDirs, seconds } from '../helpers/cloudwatch-harness.js';

after(removeDirs);

const gms = (h: Harness, extra: object) =>
  h.call('GetMetricStatistics', {
    Namespace: 'App',
    MetricName: 'Latency',
    StartTime: seconds(h.clock.now() - 10_000),
    EndTime: seconds(h.clock.now()),
    Period: 1,
    Statistics: ['Sum'],
    ...extra,
  });

describe('GetMetricStatistics', { timeout: 10_000 }, () => {
  test('statistics and percentiles per window, sorted by time, with the unit and the metric name as Label', async () => {
    const h = harness();
    try {
      h.toBoundary();
      const t0 = h.clock.now();
      await h.call('PutMetricData', {
        Namespace: 'App',
        MetricData: [
          { MetricName: 'Latency', Values: [10, 20, 30, 40], Unit: 'Milliseconds', Timestamp: seconds(t0 + 1500) },
          { MetricName: 'Latency', Value: 5, Unit: 'Milliseconds', Timestamp: seconds(t0 + 200) },
        ],
      });
      const out = await gms(h, {
        StartTime: new Date(t0).toISOString(),
        EndTime: seconds(t0 + 2000),
        Statistics: undefined,
        ExtendedStatistics: ['p50', 'p99.9'],
        Unit: 'Milliseconds',
      });
      assert.equal(out.Label, 'Latency');
      assert.deepEqual(out.Datapoints, [
        { Timestamp: seconds(t0), Unit: 'Milliseconds', ExtendedStatistics: { p50: 5, 'p99.9': 5 } },
        { Timestamp: seconds(t0 + 1000), Unit: 'Milliseconds', ExtendedStatistics: { p50: 20, 'p99.9': 40 } },
      ]);
      const plain = await gms(h, { StartTime: seconds(t0), EndTime: seconds(t0 + 2000), Period: 2, Statistics: ['SampleCount', 'Average', 'Minimum', 'Maximum', 'Sum'] });
      assert.deepEqual(plain.Datapoints, [{ Timestamp: seconds(t0), Unit: 'Milliseconds', SampleCount: 5, Average: 21, Minimum: 5, Maximum: 40, Sum: 105 }]);
    } finally {
      h.close();
    }
  });

  test('EndTime is exclusive and StartTime is rounded down to the period', async () => {
    const h = harness({ periodSeconds: 60 });
    try {
      h.clock.advance(3_600_000 - (h.clock.now() % 3_600_000));
      const t0 = h.clock.now();
      for (let i = 0; i < 3; i++) {
        h.cw.metrics.put({ namespace: 'App', metricName: 'Latency', dimensions: {} }, 1, 'Count', t0 + i * 60_000);
      }
      const out = await gms(h, { StartTime: seconds(t0 + 30_000), EndTime: seconds(t0 + 120_000), Period: 60 });
      assert.deepEqual(
        out.Datapoints!.map((d) => [d.Timestamp, d.Sum]),
        [
          [seconds(t0), 1],
          [seconds(t0 + 60_000), 1],
        ],
      );
    } finally {
      h.close();
    }
  });

  test('refusals: the real codes, statuses and texts', async () => {
    const h = harness({ periodSeconds: 60 });
    try {
      await assertAwsError(gms(h, { Period: 90 }), 'InvalidParameterValue', 400, 'The parameter Period must be a multiple of 60.');
      await assertAwsError(gms(h, { Period: 60, EndTime: seconds(h.clock.now() - 10_000) }), 'InvalidParameterValue', 400, 'The parameter StartTime must be less than the parameter EndTime.');
      await assertAwsError(gms(h, { Period: 60, Statistics: undefined }), 'InvalidParameterCombination', 400, 'Must specify either Statistics or ExtendedStatistics.');
      await assertAwsError(gms(h, { Period: 60, ExtendedStatistics: ['p90'] }), 'InvalidParameterCombination', 400, /mutually exclusive/);
      await assertAwsError(
        gms(h, { Period: 60, StartTime: seconds(h.clock.now() - 86_400_000 * 2) }),
        'InvalidParameterCombination',
        400,
        'You have requested up to 2880 datapoints, which exceeds the limit of 1440. You may reduce the datapoints requested by increasing Period, or decreasing the time range.',
      );
      await assertAwsError(
        gms(h, { Period: 60, Statistics: undefined, ExtendedStatistics: ['p101'] }),
        'InvalidParameterValue',
        400,
        'The value p101 for parameter ExtendedStatistics.member.1 is not a valid statistic.',
      );
      await assertAwsError(gms(h, { Period: 60, Statistics: undefined, ExtendedStatistics: ['tm99'] }), 'InvalidParameterValue', 400, /does not compute the statistic tm99/);
      await assertAwsError(gms(h, { Period: 60, Statistics: ['Median'] }), 'ValidationException', 400, /Member must satisfy enum value set/);
    } finally {
      h.close();
    }
  });
});

describe('ListMetrics', { timeout: 10_000 }, () => {
  const put = (h: Harness, name: string, dims: Record<string, string>, ns = 'App') =>
    h.call('PutMetricData', { Namespace: ns, MetricData: [{ MetricName: name, Value: 1, Dimensions: Object.entries(dims).map(([Name, Value]) => ({ Name, Value })) }] });

  test('filters by namespace, name and dimension filters (name alone, or name and value)', async () => {
    const h = harness();
    try {
      await put(h, 'A', { EndpointName: 'e1', VariantName: 'v' });
      await put(h, 'A', { EndpointName: 'e2' });
      await put(h, 'B', { EndpointName: 'e1' });
      await put(h, 'A', {}, 'Other');
      const list = async (input: object) => (await h.call('ListMetrics', input)).Metrics!.map((m) => `${m.Namespace}/${m.MetricName}/${m.Dimensions!.map((d) => `${d.Name}=${d.Value}`).join(',')}`).sort();
      assert.deepEqual(await list({ Namespace: 'App', MetricName: 'A' }), ['App/A/EndpointName=e1,VariantName=v', 'App/A/EndpointName=e2']);
      assert.deepEqual(await list({ Dimensions: [{ Name: 'EndpointName', Value: 'e1' }] }), ['App/A/EndpointName=e1,VariantName=v', 'App/B/EndpointName=e1']);
      assert.deepEqual(await list({ Dimensions: [{ Name: 'VariantName' }] }), ['App/A/EndpointName=e1,VariantName=v']);
      assert.deepEqual(await list({ MetricName: 'A' }), ['App/A/EndpointName=e1,VariantName=v', 'App/A/EndpointName=e2', 'Other/A/']);
    } finally {
      h.close();
    }
  });

  test('RecentlyActive=PT3H keeps the metrics put to in the last three hours', async () => {
    const h = harness({ retentionPeriods: 86_400 });
    try {
      await put(h, 'Old', {});
      h.clock.advance(3 * 3600_000 + 1000);
      await put(h, 'New', {});
      const names = (await h.call('ListMetrics', { RecentlyActive: 'PT3H' })).Metrics!.map((m) => m.MetricName);
      assert.deepEqual(names, ['New']);
      assert.equal((await h.call('ListMetrics', {})).Metrics!.length, 2);
    } finally {
      h.close();
    }
  });

  test('pages of 500 with an opaque NextToken; a foreign token is refused', async () => {
    const h = harness();
    try {
      const data = Array.from({ length: 1000 }, (_, i) => ({ MetricName: `m${String(i).padStart(4, '0')}`, Value: i }));
      await h.call('PutMetricData', { Namespace: 'App', MetricData: data });
      await h.call('PutMetricData', { Namespace: 'App', MetricData: [{ MetricName: 'last', Value: 1 }] });
      const first = await h.call('ListMetrics', { Namespace: 'App' });
      assert.equal(first.Metrics!.length, 500);
      const second = await h.call('ListMetrics', { Namespace: 'App', NextToken: first.NextToken });
      assert.equal(second.Metrics!.length, 500);
      const third = await h.call('ListMetrics', { Namespace: 'App', NextToken: second.NextToken });
      assert.equal(third.Metrics!.length, 1);
      assert.equal(third.NextToken, undefined);
      const seen = new Set([...first.Metrics!, ...second.Metrics!, ...third.Metrics!].map((m) => m.MetricName));
      assert.equal(seen.size, 1001);
      await assertAwsError(h.call('ListMetrics', { Namespace: 'Other', NextToken: first.NextToken }), 'InvalidParameterValue', 400, 'Request parameter NextToken is invalid');
      await assertAwsError(h.call('ListMetrics', { NextToken: 'garbage' }), 'InvalidParameterValue', 400);
    } finally {
      h.close();
    }
  });
});

describe('PutMetricData', { timeout: 10_000 }, () => {
  const stats = async (h: Harness, name: string) => {
    const out = await h.call('GetMetricStatistics', {
      Namespace: 'App',
      MetricName: name,
      StartTime: seconds(h.clock.now() - 60_000),
      EndTime: seconds(h.clock.now() + 60_000),
      Period: 120,
      Statistics: ['SampleCount', 'Sum', 'Minimum', 'Maximum'],
    });
    return out.Datapoints!.map((d) => [d.SampleCount, d.Sum, d.Minimum, d.Maximum, d.Unit]);
  };

  test('Value, Values with Counts, and StatisticValues; the unit defaults to None', async () => {
    const h = harness();
    try {
      h.toBoundary();
      await h.call('PutMetricData', {
        Namespace: 'App',
        MetricData: [
          { MetricName: 'v', Value: 3 },
          { MetricName: 'vc', Values: [1, 10], Counts: [3, 2], Unit: 'Count' },
          { MetricName: 'vs', Values: [4, 6] },
          { MetricName: 's', StatisticValues: { SampleCount: 4, Sum: 10, Minimum: 1, Maximum: 4 }, Unit: 'Seconds' },
        ],
      });
      assert.deepEqual(await stats(h, 'v'), [[1, 3, 3, 3, 'None']]);
      assert.deepEqual(await stats(h, 'vc'), [[5, 23, 1, 10, 'Count']]);
      assert.deepEqual(await stats(h, 'vs'), [[2, 10, 4, 6, 'None']]);
      assert.deepEqual(await stats(h, 's'), [[4, 10, 1, 4, 'Seconds']]);
    } finally {
      h.close();
    }
  });

  test('refusals, and a refused request puts nothing', async () => {
    const h = harness({ retentionPeriods: 3600 });
    try {
      const put = (datum: object, ns = 'App') => h.call('PutMetricData', { Namespace: ns, MetricData: [{ MetricName: 'ok', Value: 1 }, { MetricName: 'x', ...datum }] });
      await assertAwsError(put({ Value: 1 }, 'AWS/SageMaker'), 'InvalidParameterValue', 400, 'The value AWS/ for parameter Namespace is invalid.');
      await assertAwsError(h.call('PutMetricData', { Namespace: 'App' }), 'MissingParameter', 400, 'The parameter MetricData is required.');
      await assertAwsError(
        put({ Value: 1, Values: [1] }),
        'InvalidParameterCombination',
        400,
        'The parameters MetricData.member.2.Value and MetricData.member.2.Values are mutually exclusive and you have specified both.',
      );
      await assertAwsError(
        put({ Value: 1, StatisticValues: { SampleCount: 1, Sum: 1, Minimum: 1, Maximum: 1 } }),
        'InvalidParameterCombination',
        400,
        'The parameters MetricData.member.2.Value and MetricData.member.2.StatisticValues are mutually exclusive and you have specified both.',
      );
      await assertAwsError(
        put({ Values: [1, 2], Counts: [1] }),
        'InvalidParameterValue',
        400,
        'The parameters MetricData.member.2.Values and MetricData.member.2.Counts must be of the same size.',
      );
      await assertAwsError(put({}), 'MissingParameter', 400, /At least one of the parameters MetricData.member.2.Value/);
      await assertAwsError(put({ Values: Array.from({ length: 151 }, (_, i) => i) }), 'InvalidParameterValue', 400, /must not have a size greater than 150/);
      await assertAwsError(put({ Value: 2 ** 361 }), 'InvalidParameterValue', 400, /for parameter MetricData.member.2.Value is invalid/);
      await assertAwsError(
        put({ StatisticValues: { SampleCount: 0, Sum: 1, Minimum: 1, Maximum: 1 } }),
        'InvalidParameterValue',
        400,
        'The parameter MetricData.member.2.StatisticValues.SampleCount must be greater than 0.',
      );
      await assertAwsError(
        put({ Value: 1, Timestamp: seconds(h.clock.now() - 3_601_000) }),
        'InvalidParameterValue',
        400,
        'The parameter MetricData.member.2.Timestamp must specify a time within the past 1 hour.',
      );
      await assertAwsError(
        put({ Value: 1, Timestamp: seconds(h.clock.now() + 2 * 3600_000 + 1000) }),
        'InvalidParameterValue',
        400,
        'The parameter MetricData.member.2.Timestamp must specify a time no more than two hours in the future.',
      );
      await assertAwsError(put({ Value: 1, Dimensions: [{ Name: 'a', Value: '1' }, { Name: 'a', Value: '2' }] }), 'InvalidParameterValue', 400, /appears more than once/);
      await assertAwsError(
        h.call('PutMetricData', { Namespace: 'App', MetricData: Array.from({ length: 1001 }, () => ({ MetricName: 'm', Value: 1 })) }),
        'InvalidParameterValue',
        400,
        'The collection MetricData must not have a size greater than 1000.',
      );
      const putRaw = (datum: object) => h.callRaw('PutMetricData', { Namespace: 'App', MetricData: [{ MetricName: 'ok', Value: 1 }, { MetricName: 'x', ...datum }] });
      await assertAwsError(putRaw({ Value: Number.NaN }), 'InvalidParameterValue', 400, 'The value NaN for parameter MetricData.member.2.Value is invalid.');
      await assertAwsError(put({ Values: [1], Counts: [-1] }), 'InvalidParameterValue', 400, 'The value -1 for parameter MetricData.member.2.Counts is invalid.');
      await assertAwsError(
        put({ StatisticValues: { SampleCount: 2, Sum: 1, Minimum: 3, Maximum: 1 } }),
        'InvalidParameterValue',
        400,
        'The parameter MetricData.member.2.StatisticValues.Maximum must be greater than MetricData.member.2.StatisticValues.Minimum.',
      );
      await assertAwsError(put({ Value: 1, StorageResolution: 5 }), 'InvalidParameterValue', 400, 'The value 5 for parameter MetricData.member.2.StorageResolution is invalid.');
      await assertAwsError(putRaw({ Value: 1, Timestamp: 'yesterday' }), 'InvalidParameterValue', 400, 'The value yesterday for parameter MetricData.member.2.Timestamp is invalid.');
      assert.equal(h.cw.metrics.size().series, 0);
    } finally {
      h.close();
    }
  });

  test('a timestamp up to two hours ahead is kept in its future period; EntityMetricData counts too', async () => {
    const h = harness();
    try {
      const ahead = h.clock.now() + 3600_000;
      await h.call('PutMetricData', {
        Namespace: 'App',
        EntityMetricData: [{ Entity: { KeyAttributes: { Type: 'Service', Name: 'checkout' } }, MetricData: [{ MetricName: 'f', Value: 7, Timestamp: seconds(ahead) }] }],
      });
      const out = await h.call('GetMetricStatistics', { Namespace: 'App', MetricName: 'f', StartTime: seconds(ahead), EndTime: seconds(ahead + 1000), Period: 1, Statistics: ['Sum'] });
      assert.deepEqual(out.Datapoints!.map((d) => d.Sum), [7]);
    } finally {
      h.close();
    }
  });
});
