import assert from 'node:assert/strict';
import { test } from 'node:test';
import { InFlightCounter } from '../../src/hosting/in-flight.js';
import { FakeClock } from '../helpers/fake-clock.js';

const flush = () => new Promise((r) => setImmediate(r));

test('untilIdle resolves at once when nothing is in flight', async () => {
  const c = new InFlightCounter(new FakeClock());
  await c.untilIdle();
  await c.untilIdle(0);
});

test('untilIdle resolves when the last request leaves, not before; no timer is left behind', async () => {
  const clock = new FakeClock();
  const c = new InFlightCounter(clock);
  c.enter();
  c.enter();
  let idle = false;
  const waiting = c.untilIdle(10_000).then(() => (idle = true));
  const forever = c.untilIdle();
  c.leave();
  await flush();
  assert.equal(idle, false, 'one request is still in flight');
  c.leave();
  await waiting;
  await forever;
  assert.equal(c.count, 0);
  assert.equal(clock.pending(), 0, 'the timeout timer was cancelled');
});

test('untilIdle gives up after its timeout; the counter goes on', async () => {
  const clock = new FakeClock();
  const c = new InFlightCounter(clock);
  c.enter();
  let idle = false;
  const waiting = c.untilIdle(500).then(() => (idle = true));
  clock.advance(499);
  await flush();
  assert.equal(idle, false);
  clock.advance(1);
  await waiting;
  assert.equal(c.count, 1);
  c.leave();
  assert.equal(c.count, 0);
});

test('leave() below zero is ignored', () => {
  const c = new InFlightCounter(new FakeClock());
  c.leave();
  assert.equal(c.count, 0);
  c.enter();
  assert.equal(c.count, 1);
});
