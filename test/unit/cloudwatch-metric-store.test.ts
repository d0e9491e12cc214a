import assert from 'node:assert/strict';
import { after, describe, test } from 'node:test';
import pino from 'pino';
import { assertAwsError, harness, removeDirs, seconds } from '../helpers/cloudwatch-harness.js';
import type { MetricKey } from '../../src/cloudwatch/metric-sink.js';
import { MetricStore } from '../../src/cloudwatch/metric-store.js';
import { PeriodClock, type PeriodTick } from '../../src/cloudwatch/period-clock.js';
import { EXACT_LIMIT, PeriodStats } from '../../src/cloudwatch/period-stats.js';
import { FakeClock } from '../helpers/fake-clock.js';

after(removeDirs);

const invocations: MetricKey = { namespace: 'AWS/SageMaker', metricName: 'Invocations', dimensions: { EndpointName: 'e', VariantName: 'v' } };
const latency: MetricKey = { namespace: 'AWS/SageMaker', metricName: 'ModelLatency', dimensions: { EndpointName: 'e', VariantName: 'v' } };

/** A tiny deterministic generator, so that "random" times are the same on every run. */
function lcg(seed: number): () => number {
  let s = seed;
  return () => ((s = (s * 1103515245 + 12345) % 2 ** 31) / 2 ** 31);
}

describe('period statistics', { timeout: 10_000 }, () => {
  test('percentiles are exact while a period holds few values (nearest rank over weighted samples)', () => {
    const s = new PeriodStats();
    for (let v = 1; v <= 50; v++) {
      s.add(v);
    }
    assert.equal(s.sketched, false);
    assert.deepEqual([s.percentile(0), s.percentile(50), s.percentile(90), s.percentile(99), s.percentile(100)], [1, 25, 45, 50, 50]);
    const w = new PeriodStats();
    w.add(10, 9);
    w.add(100, 1);
    assert.deepEqual([w.percentile(90), w.percentile(91), w.sampleCount, w.sum], [10, 100, 10, 190]);
  });

  test('beyond the exact limit, a DDSketch answers within 1 %, bounded by the true extremes', () => {
    const s = new PeriodStats();
    for (let v = 1; v <= 10_000; v++) {
      s.add(v);
    }
    assert.equal(s.sketched, true);
    assert.equal(s.sampleCount, 10_000);
    assert.equal(s.sum, 50_005_000);
    for (const [p, exact] of [
      [50, 5000],
      [90, 9000],
      [99, 9900],
    ] as const) {
      const got = s.percentile(p)!;
      assert.ok(Math.abs(got - exact) / exact <= 0.011, `p${p}: ${got} vs ${exact}`);
    }
    assert.equal(s.percentile(100), 10_000);
    assert.ok(EXACT_LIMIT < 10_000);
  });

  test('merging periods keeps counts and sums exact and percentiles consistent', () => {
    const a = new PeriodStats();
    const b = new PeriodStats();
    [1, 2, 3].forEach((v) => a.add(v));
    [4, 5].forEach((v) => b.add(v));
    const m = new PeriodStats();
    m.merge(a);
    m.merge(b);
    assert.deepEqual([m.sampleCount, m.sum, m.minimum, m.maximum, m.percentile(60)], [5, 15, 1, 5, 3]);
  });

  test('no percentile for negative values or spread statistic sets; one for single-valued sets (API_GetMetricStatistics)', () => {
    const neg = new PeriodStats();
    neg.add(-1);
    neg.add(5);
    assert.equal(neg.percentile(50), undefined);
    assert.equal(neg.sum, 4);
    const spread = new PeriodStats();
    spread.addSet(10, 100, 1, 20);
    assert.equal(spread.percentile(50), undefined);
    const flat = new PeriodStats();
    flat.addSet(10, 70, 7, 7);
    flat.addSet(1, 3, 3, 3);
    assert.deepEqual([flat.percentile(5), flat.percentile(50), flat.sampleCount], [3, 7, 11]);
  });
});

describe('the metric store', { timeout: 10_000 }, () => {
  test('Sum over merged periods is exactly what was put (60 s periods, 5-minute windows)', async () => {
    const h = harness({ periodSeconds: 60 });
    try {
      h.clock.advance(3_600_000 - (h.clock.now() % 3_600_000)); // an hour boundary
      const start = h.clock.now();
      const rand = lcg(7);
      const times: number[] = [];
      for (let i = 0; i < 1000; i++) {
        const at = start + Math.floor(rand() * 600_000);
        times.push(at);
        h.cw.metrics.put(invocations, 1, 'None', at);
      }
      h.clock.advance(600_000);
      const out = await h.call('GetMetricStatistics', {
        Namespace: 'AWS/SageMaker',
        MetricName: 'Invocations',
        Dimensions: [
          { Name: 'VariantName', Value: 'v' },
          { Name: 'EndpointName', Value: 'e' },
        ],
        StartTime: seconds(start),
        EndTime: seconds(start + 600_000),
        Period: 300,
        Statistics: ['Sum', 'SampleCount'],
      });
      const dps = out.Datapoints!;
      assert.equal(dps.length, 2);
      assert.equal(dps[0]!.Sum, times.filter((t) => t < start + 300_000).length);
      assert.equal(dps[1]!.Sum, times.filter((t) => t >= start + 300_000).length);
      assert.equal(dps[0]!.Sum! + dps[1]!.Sum!, 1000);
      assert.equal(dps[0]!.SampleCount, dps[0]!.Sum);
      assert.deepEqual(
        dps.map((d) => d.Timestamp),
        [seconds(start), seconds(start + 300_000)],
      );
    } finally {
      h.close();
    }
  });

  test('a dimension set is part of the identity: {EndpointName} is not {EndpointName, VariantName}', () => {
    const h = harness();
    try {
      h.cw.metrics.put(invocations, 1, 'None');
      h.cw.metrics.put({ ...invocations, dimensions: { EndpointName: 'e' } }, 5, 'None');
      const start = h.cw.metrics.periodStart(h.clock.now());
      const windows = h.cw.metrics.windows({ key: { ...invocations, dimensions: { VariantName: 'v', EndpointName: 'e' } }, startMs: start, endMs: start + 1000, windowMs: 1000 });
      assert.equal(windows[0]!.stats.sum, 1);
      assert.equal(h.cw.metrics.size().metrics, 2);
    } finally {
      h.close();
    }
  });

  test('each unit is its own series: a Unit filter returns only its data, no filter returns each with its unit', async () => {
    const h = harness();
    try {
      const now = h.clock.now();
      h.cw.metrics.put(latency, 100, 'Microseconds', now);
      h.cw.metrics.put(latency, 2, 'Milliseconds', now);
      const base = { Namespace: 'AWS/SageMaker', MetricName: 'ModelLatency', Dimensions: [{ Name: 'EndpointName', Value: 'e' }, { Name: 'VariantName', Value: 'v' }], StartTime: seconds(now - 1000), EndTime: seconds(now + 1000), Period: 1, Statistics: ['Maximum'] };
      const micro = await h.call('GetMetricStatistics', { ...base, Unit: 'Microseconds' });
      assert.deepEqual(micro.Datapoints!.map((d) => [d.Maximum, d.Unit]), [[100, 'Microseconds']]);
      const none = await h.call('GetMetricStatistics', { ...base, Unit: 'Seconds' });
      assert.deepEqual(none.Datapoints, []);
      const all = await h.call('GetMetricStatistics', base);
      assert.deepEqual(all.Datapoints!.map((d) => [d.Maximum, d.Unit]).sort(), [[100, 'Microseconds'], [2, 'Milliseconds']].sort());
    } finally {
      h.close();
    }
  });

  test('retention keeps the last N periods per series and drops series left empty', () => {
    const clock = new FakeClock();
    const store = new MetricStore({ periodSeconds: 1, retentionPeriods: 5, clock, log: pino({ level: 'silent' }) });
    const t0 = store.periodStart(clock.now());
    for (let i = 0; i < 5; i++) {
      store.put(invocations, 1, 'None', t0 + i * 1000);
    }
    store.put(latency, 1, 'Microseconds', t0);
    clock.advance(4000);
    store.prune(clock.now());
    assert.deepEqual(store.size(), { metrics: 2, series: 2, periods: 6 });
    clock.advance(2000);
    store.prune(clock.now());
    assert.deepEqual(store.size(), { metrics: 1, series: 1, periods: 3 });
    // A sample older than the retention is dropped on arrival.
    store.put(invocations, 1, 'None', t0);
    assert.equal(store.size().periods, 3);
    clock.advance(10_000);
    store.prune(clock.now());
    assert.deepEqual(store.size(), { metrics: 0, series: 0, periods: 0 });
  });

  test('at most maxSeries series: the sink drops a new one, PutMetricData answers LimitExceeded', async () => {
    const h = harness({ maxSeries: 2 });
    try {
      h.cw.metrics.put(invocations, 1, 'None');
      h.cw.metrics.put(latency, 1, 'Microseconds');
      h.cw.metrics.put({ ...latency, metricName: 'OverheadLatency' }, 1, 'Microseconds');
      assert.equal(h.cw.metrics.size().series, 2);
      // An existing series still takes samples.
      h.cw.metrics.put(invocations, 1, 'None');
      await assertAwsError(
        h.call('PutMetricData', { Namespace: 'App', MetricData: [{ MetricName: 'x', Value: 1 }] }),
        'LimitExceeded',
        400,
        /holds at most 2 metric series/,
      );
    } finally {
      h.close();
    }
  });

  test('zero fill: an idle period gets one 0, a busy one keeps its exact SampleCount and Sum', () => {
    const h = harness();
    try {
      h.toBoundary();
      h.cw.metrics.registerZeroFill(() => [{ key: invocations, unit: 'None' }]);
      h.cw.start();
      const t0 = h.clock.now();
      h.cw.metrics.put(invocations, 1, 'None', t0 + 100);
      h.cw.metrics.put(invocations, 1, 'None', t0 + 200);
      h.clock.advance(3200); // periods t0 (busy), t0+1 s and t0+2 s (idle) end, and their ticks (100 ms later) fill them
      const windows = h.cw.metrics.windows({ key: invocations, unit: 'None', startMs: t0, endMs: t0 + 3000, windowMs: 1000 });
      assert.deepEqual(
        windows.map((w) => [w.startMs - t0, w.stats.sampleCount, w.stats.sum]),
        [
          [0, 2, 2],
          [1000, 1, 0],
          [2000, 1, 0],
        ],
      );
    } finally {
      h.close();
    }
  });
});

describe('the period clock', { timeout: 10_000 }, () => {
  test('fires once per period, a settle delay of min(10 %, 2 s) after each boundary; stop() ends it', () => {
    const clock = new FakeClock();
    const ticks: (PeriodTick & { at: number })[] = [];
    const pc = new PeriodClock(clock, 60_000, (t) => ticks.push({ ...t, at: clock.now() }));
    assert.equal(pc.settleMs, 2000);
    assert.equal(new PeriodClock(clock, 1000, () => {}).settleMs, 100);
    clock.advance(60_000 - (clock.now() % 60_000));
    const b = clock.now();
    pc.start();
    clock.advance(180_000);
    assert.deepEqual(
      ticks.map((t) => [t.at - b, t.boundaryMs - b, t.endedPeriodStartMs - b]),
      [
        [2000, 0, -60_000],
        [62_000, 60_000, 0],
        [122_000, 120_000, 60_000],
      ],
    );
    pc.stop();
    clock.advance(600_000);
    assert.equal(ticks.length, 3);
    assert.equal(clock.pending(), 0);
  });
});
