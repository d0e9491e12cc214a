import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { AwsError } from '../../src/protocol/aws-error.js';
import { nextRun, parseSchedule } from '../../src/autoscaling/schedule.js';
import { ACCOUNT, SUITE, activities, dispose, harness, register, resourceId, target, type Harness } from '../helpers/autoscaling-harness.js';

const MINUTE = 60_000;
const at = (iso: string) => Date.parse(iso);
const window = { createdAt: at('2026-01-01T00:00:00Z') };

describe('schedule expressions', SUITE, () => {
  test('at(...) in UTC by default, or in Timezone; a one-digit hour as in AWS’s own examples', () => {
    assert.equal(nextRun(parseSchedule('at(2026-01-31T17:00:00)'), at('2026-01-01T00:00:00Z'), window), at('2026-01-31T17:00:00Z'));
    assert.equal(
      nextRun(parseSchedule('at(2026-01-31T17:00:00)', 'America/New_York'), at('2026-01-01T00:00:00Z'), window),
      at('2026-01-31T22:00:00Z'),
    );
    assert.equal(nextRun(parseSchedule('at(2026-12-08T9:36:00)'), at('2026-01-01T00:00:00Z'), window), at('2026-12-08T09:36:00Z'));
    assert.equal(nextRun(parseSchedule('at(2026-01-31T17:00:00)'), at('2026-02-01T00:00:00Z'), window), undefined, 'past: never again');
  });

  test('rate(...) counts from creation, or from StartTime (inclusive); EndTime ends it', () => {
    const s = parseSchedule('rate(5 minutes)');
    assert.equal(nextRun(s, window.createdAt, window), window.createdAt + 5 * MINUTE);
    assert.equal(nextRun(s, window.createdAt + 5 * MINUTE, window), window.createdAt + 10 * MINUTE);
    const start = at('2026-01-01T01:00:00Z');
    assert.equal(nextRun(s, window.createdAt, { ...window, startTime: start }), start);
    assert.equal(nextRun(parseSchedule('rate(1 hour)'), start, { ...window, endTime: start + 30 * MINUTE }), undefined);
    assert.equal(nextRun(parseSchedule('rate(2 days)'), window.createdAt, window), window.createdAt + 2 * 86_400_000);
  });

  test('cron(...): six AWS fields; Quartz weekdays (2 = Monday), names, ?, L, the year field, Timezone', () => {
    const from = at('2026-01-01T00:00:00Z'); // a Thursday
    assert.equal(nextRun(parseSchedule('cron(0 9 ? * 2 *)'), from, window), at('2026-01-05T09:00:00Z'));
    assert.equal(nextRun(parseSchedule('cron(10 8 ? * MON-FRI *)'), at('2026-01-02T09:00:00Z'), window), at('2026-01-05T08:10:00Z'));
    assert.equal(nextRun(parseSchedule('cron(0 0 L * ? *)'), from, window), at('2026-01-31T00:00:00Z'));
    assert.equal(nextRun(parseSchedule('cron(0 12 1 * ? 2027)'), from, window), at('2027-01-01T12:00:00Z'));
    assert.equal(nextRun(parseSchedule('cron(0 12 1 * ? 2027)', 'Europe/Paris'), from, window), at('2027-01-01T11:00:00Z'));
    assert.equal(nextRun(parseSchedule('cron(*/5 * * * ? *)'), from, { ...window, startTime: at('2026-01-01T00:12:00Z') }), at('2026-01-01T00:15:00Z'));
  });

  test('malformed expressions are ValidationException', () => {
    for (const bad of ['cron(0 9 * * ?)', 'cron(x 9 * * ? *)', 'rate(0 minutes)', 'rate(5 weeks)', 'every 5 minutes', 'at(2026-13-45T00:00:00)']) {
      assert.throws(
        () => parseSchedule(bad),
        (err: unknown) => err instanceof AwsError && err.code === 'ValidationException' && err.message.startsWith('Invalid schedule expression'),
        bad,
      );
    }
  });
});

async function setUp(t: { after(fn: () => Promise<void>): void }, current = 2): Promise<Harness> {
  const h = await harness();
  t.after(() => dispose(h));
  h.capacity.addEndpoint('ep', [{ desiredInstanceCount: current }]);
  await register(h, 'ep', 1, 4);
  return h;
}

const put = (h: Harness, name: string, extra: Record<string, unknown>) =>
  h.call('PutScheduledAction', { ...target('ep'), ScheduledActionName: name, ...extra });

const bounds = async (h: Harness) => {
  const [t0] = (await h.call('DescribeScalableTargets', { ServiceNamespace: 'sagemaker' })).ScalableTargets as Record<string, number>[];
  return [t0!.MinCapacity, t0!.MaxCapacity];
};

describe('scheduled actions', SUITE, () => {
  test('at(): sets Min/Max at its time and scales into the new range, with AWS’s activities', async (t) => {
    const h = await setUp(t);
    // The fake clock starts at 1970-01-01T00:16:40Z.
    await put(h, 'morning', { Schedule: 'at(1970-01-01T00:20:00)', ScalableTargetAction: { MinCapacity: 3, MaxCapacity: 6 } });
    h.clock.advance(199_000);
    await h.aas.idle();
    assert.deepEqual(await bounds(h), [1, 4], 'not yet');
    h.clock.advance(1000);
    await h.aas.idle();
    assert.deepEqual(await bounds(h), [3, 6]);
    assert.equal(h.capacity.variant('ep').desiredInstanceCount, 3);
    const [scaled, scheduled] = await activities(h, 'ep');
    assert.equal(scaled!.Description, 'Setting desired instance count to 3.');
    assert.equal(scaled!.Cause, 'minimum capacity was set to 3');
    assert.deepEqual(
      { ...scheduled, ActivityId: undefined },
      {
        ActivityId: undefined,
        ServiceNamespace: 'sagemaker',
        ResourceId: resourceId('ep'),
        ScalableDimension: 'sagemaker:variant:DesiredInstanceCount',
        Description: 'Setting min capacity to 3 and max capacity to 6',
        Cause: 'scheduled action name morning was triggered',
        StartTime: at('1970-01-01T00:20:00Z') / 1000,
        StatusCode: 'Successful',
        StatusMessage: 'Successfully set min capacity to 3 and max capacity to 6',
      },
    );
    assert.equal(h.clock.pending(), 0, 'a one-time action has no run left');
  });

  test('rate(): runs every period until EndTime; a lower Max scales in', async (t) => {
    const h = await setUp(t, 4);
    const end = h.clock.now() + 12 * MINUTE;
    await put(h, 'shrink', { Schedule: 'rate(5 minutes)', EndTime: end / 1000, ScalableTargetAction: { MaxCapacity: 2 } });
    h.clock.advance(5 * MINUTE);
    await h.aas.idle();
    assert.equal(h.capacity.variant('ep').desiredInstanceCount, 2);
    assert.equal((await activities(h, 'ep'))[0]!.Cause, 'maximum capacity was set to 2');
    h.clock.advance(5 * MINUTE);
    await h.aas.idle();
    h.clock.advance(10 * MINUTE);
    await h.aas.idle();
    const scheduled = (await activities(h, 'ep')).filter((a) => a.Cause === 'scheduled action name shrink was triggered');
    assert.equal(scheduled.length, 2, 'at +5 and +10 minutes; +15 is past EndTime');
    assert.equal(h.clock.pending(), 0);
  });

  test('cron(): runs on its fields in the fake clock’s time', async (t) => {
    const h = await setUp(t);
    await put(h, 'every-ten', { Schedule: 'cron(*/10 * * * ? *)', ScalableTargetAction: { MinCapacity: 2 } });
    h.clock.advance(3 * MINUTE + 20_000); // 00:16:40 → 00:20:00
    await h.aas.idle();
    h.clock.advance(10 * MINUTE);
    await h.aas.idle();
    const runs = (await activities(h, 'ep')).filter((a) => a.Cause === 'scheduled action name every-ten was triggered');
    assert.deepEqual(
      runs.map((a) => a.StartTime),
      [at('1970-01-01T00:30:00Z') / 1000, at('1970-01-01T00:20:00Z') / 1000],
    );
  });

  test('ScheduledScalingSuspended: the action does not change the target', async (t) => {
    const h = await setUp(t);
    await h.call('RegisterScalableTarget', { ...target('ep'), SuspendedState: { ScheduledScalingSuspended: true } });
    await put(h, 'a', { Schedule: 'rate(1 minute)', ScalableTargetAction: { MinCapacity: 3 } });
    h.clock.advance(MINUTE);
    await h.aas.idle();
    assert.deepEqual(await bounds(h), [1, 4]);
    assert.deepEqual(await activities(h, 'ep'), []);
  });

  test('PutScheduledAction: real texts for a missing target and a missing Min/Max; schedule, time zone and bounds checked', async (t) => {
    const h = await setUp(t);
    h.capacity.addEndpoint('other');
    const missing = await h.fail('PutScheduledAction', { ...target('other'), ScheduledActionName: 'a', Schedule: 'rate(1 hour)', ScalableTargetAction: { MinCapacity: 1 } });
    assert.equal(missing.code, 'ObjectNotFoundException');
    assert.equal(
      missing.message,
      'No scalable target registered for service namespace: sagemaker, resource ID: endpoint/other/variant/v0, scalable dimension: sagemaker:variant:DesiredInstanceCount',
    );
    const noBounds = await h.fail('PutScheduledAction', { ...target('ep'), ScheduledActionName: 'a', Schedule: 'rate(1 hour)', ScalableTargetAction: {} });
    assert.deepEqual([noBounds.code, noBounds.message], ['ValidationException', 'At least one of minimum capacity and maximum capacity should be provided']);
    const cases: Record<string, unknown>[] = [
      { Schedule: 'cron(0 9 * *)', ScalableTargetAction: { MinCapacity: 1 } },
      { Schedule: 'rate(1 hour)', Timezone: 'Mars/Olympus', ScalableTargetAction: { MinCapacity: 1 } },
      { Schedule: 'rate(1 hour)', ScalableTargetAction: { MinCapacity: 3, MaxCapacity: 2 } },
      { Schedule: 'rate(1 hour)', StartTime: 2000, EndTime: 1000, ScalableTargetAction: { MinCapacity: 1 } },
      { ScalableTargetAction: { MinCapacity: 1 } },
    ];
    for (const c of cases) {
      assert.equal((await h.fail('PutScheduledAction', { ...target('ep'), ScheduledActionName: 'a', ...c })).code, 'ValidationException', JSON.stringify(c));
    }
  });

  test('an update changes only the members given; Describe and Delete', async (t) => {
    const h = await setUp(t);
    await put(h, 'a', { Schedule: 'cron(0 8 ? * MON-FRI *)', Timezone: 'Europe/London', ScalableTargetAction: { MinCapacity: 2, MaxCapacity: 4 } });
    const created = h.clock.now() / 1000;
    h.clock.advance(1000);
    await put(h, 'a', { ScalableTargetAction: { MinCapacity: 3 } });
    const [a] = (await h.call('DescribeScheduledActions', { ServiceNamespace: 'sagemaker', ScheduledActionNames: ['a'] })).ScheduledActions as Record<string, unknown>[];
    assert.match(
      String(a!.ScheduledActionARN),
      new RegExp(`^arn:aws:autoscaling:us-east-1:${ACCOUNT}:scheduledAction:[0-9a-f-]{36}:resource/sagemaker/endpoint/ep/variant/v0:scheduledActionName/a$`),
    );
    assert.deepEqual(
      { ...a, ScheduledActionARN: undefined },
      {
        ScheduledActionARN: undefined,
        ScheduledActionName: 'a',
        ServiceNamespace: 'sagemaker',
        Schedule: 'cron(0 8 ? * MON-FRI *)',
        Timezone: 'Europe/London',
        ResourceId: resourceId('ep'),
        ScalableDimension: 'sagemaker:variant:DesiredInstanceCount',
        ScalableTargetAction: { MinCapacity: 3 },
        CreationTime: created,
      },
    );
    await h.call('DeleteScheduledAction', { ...target('ep'), ScheduledActionName: 'a' });
    assert.equal(h.clock.pending(), 0);
    const gone = await h.fail('DeleteScheduledAction', { ...target('ep'), ScheduledActionName: 'a' });
    assert.equal(gone.code, 'ObjectNotFoundException');
  });
});
