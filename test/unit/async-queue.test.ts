import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { test } from 'node:test';
import { AsyncRequestQueue, type NewAsyncRequest } from '../../src/async-inference/request-queue.js';
import { type Db, openDatabase } from '../../src/store/database.js';

/**
 * The persistent async queue (src/async-inference/request-queue.ts) against a
 * real SQLite database in a temp dir: the rules docs/aws-contract.md §8.3 and
 * the README promise (persisted before the 202, at-least-once across a crash,
 * a done request never reruns, TTL expiry, the backlog gauges).
 */
const T0 = 1_700_000_000_000;
const HOUR = 3_600_000;

function request(id: string, over: Partial<NewAsyncRequest> = {}): NewAsyncRequest {
  return {
    region: 'us-east-1',
    endpoint: 'ep',
    inferenceId: id,
    receivedAt: T0,
    expiresAt: T0 + HOUR,
    timeoutSeconds: 900,
    body: Buffer.from(`{"id":"${id}"}`),
    contentType: 'application/json',
    outputLocation: `s3://out/${id}.out`,
    ...over,
  };
}

/** A state dir with an open database, and a way to "restart" on the same file. */
function withDb(): { dir: string; db: Db; reopen(): Db; done(): void } {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sme-async-queue-'));
  const state = {
    dir,
    db: openDatabase(dir),
    reopen() {
      state.db.close();
      state.db = openDatabase(dir);
      return state.db;
    },
    done() {
      if (state.db.open) {
        state.db.close();
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  return state;
}

test('enqueue → claim → finish: the request comes back whole, runs once, and is done', { timeout: 10_000 }, () => {
  const s = withDb();
  try {
    const q = new AsyncRequestQueue(s.db);
    const seq = q.enqueue(
      request('a', { accept: 'text/plain', customAttributes: 'k=v', failureLocation: 's3://fail/a-error.out', inputLocation: undefined }),
    );
    assert.ok(seq > 0);
    assert.equal(q.queued('us-east-1', 'ep'), 1);

    const r = q.claim('us-east-1', 'ep', T0 + 1);
    assert.ok(r);
    assert.equal(r.seq, seq);
    assert.equal(r.inferenceId, 'a');
    assert.equal(r.attempts, 1);
    assert.deepEqual(r.body, Buffer.from('{"id":"a"}'));
    assert.equal(r.contentType, 'application/json');
    assert.equal(r.accept, 'text/plain');
    assert.equal(r.customAttributes, 'k=v');
    assert.equal(r.outputLocation, 's3://out/a.out');
    assert.equal(r.failureLocation, 's3://fail/a-error.out');
    assert.equal(r.inputLocation, undefined);
    assert.equal(r.timeoutSeconds, 900);
    assert.equal(q.queued('us-east-1', 'ep'), 0, 'running is not queued');
    assert.equal(q.claim('us-east-1', 'ep', T0 + 2), undefined, 'a running request is not claimed twice');

    assert.equal(q.finish(seq, 'completed', T0 + 3), true);
    assert.equal(q.finish(seq, 'failed', T0 + 4), false, 'a done request is not finished twice');
    assert.equal(q.claim('us-east-1', 'ep', T0 + 5), undefined);
    const row = s.db.prepare('SELECT state, outcome, finished_at, body FROM async_requests WHERE seq = ?').get(seq) as Record<string, unknown>;
    assert.deepEqual(row, { state: 'done', outcome: 'completed', finished_at: T0 + 3, body: null }, 'the body is dropped when done');
  } finally {
    s.done();
  }
});

test('an InputLocation request keeps its location and has no body', { timeout: 10_000 }, () => {
  const s = withDb();
  try {
    const q = new AsyncRequestQueue(s.db);
    q.enqueue(request('in', { body: undefined, inputLocation: 's3://in/x.json' }));
    const r = q.claim('us-east-1', 'ep', T0);
    assert.equal(r?.inputLocation, 's3://in/x.json');
    assert.equal(r?.body, undefined);
    assert.equal(r?.failureLocation, undefined);
  } finally {
    s.done();
  }
});

test('claim takes the oldest first, per endpoint and region', { timeout: 10_000 }, () => {
  const s = withDb();
  try {
    const q = new AsyncRequestQueue(s.db);
    q.enqueue(request('1'));
    q.enqueue(request('other', { endpoint: 'ep2' }));
    q.enqueue(request('2'));
    q.enqueue(request('west', { region: 'us-west-2' }));
    q.enqueue(request('3'));
    const order = [q.claim('us-east-1', 'ep', T0), q.claim('us-east-1', 'ep', T0), q.claim('us-east-1', 'ep', T0)].map((r) => r?.inferenceId);
    assert.deepEqual(order, ['1', '2', '3']);
    assert.equal(q.claim('us-east-1', 'ep', T0), undefined);
    assert.equal(q.claim('us-east-1', 'ep2', T0)?.inferenceId, 'other');
    assert.equal(q.claim('us-west-2', 'ep', T0)?.inferenceId, 'west');
  } finally {
    s.done();
  }
});

test('restart: a running request is queued again by recover and runs again; a done one never does', { timeout: 10_000 }, () => {
  const s = withDb();
  try {
    let q = new AsyncRequestQueue(s.db);
    const done = q.enqueue(request('done'));
    const crashed = q.enqueue(request('crashed'));
    q.enqueue(request('waiting'));
    assert.equal(q.claim('us-east-1', 'ep', T0)?.seq, done);
    assert.equal(q.claim('us-east-1', 'ep', T0)?.seq, crashed);
    assert.equal(q.finish(done, 'completed', T0 + 1), true);

    // The process dies with 'crashed' running: a new process opens the same file.
    q = new AsyncRequestQueue(s.reopen());
    assert.deepEqual(q.recover(), [{ region: 'us-east-1', endpoint: 'ep', inferenceId: 'crashed' }]);
    assert.deepEqual(q.recover(), [], 'recover is idempotent');
    assert.deepEqual(q.endpointsWithQueue(), [{ region: 'us-east-1', endpoint: 'ep' }]);
    assert.equal(q.queued('us-east-1', 'ep'), 2);

    const again = q.claim('us-east-1', 'ep', T0 + 2);
    assert.equal(again?.inferenceId, 'crashed', 'the interrupted request keeps its place (oldest first)');
    assert.equal(again?.attempts, 2, 'at-least-once: its second attempt');
    assert.deepEqual(again?.body, Buffer.from('{"id":"crashed"}'), 'its inline body survived the restart');
    assert.equal(q.claim('us-east-1', 'ep', T0 + 2)?.inferenceId, 'waiting');
    assert.equal(q.claim('us-east-1', 'ep', T0 + 2), undefined, 'the completed request never runs again');
    assert.equal(q.finish(done, 'completed', T0 + 3), false);
  } finally {
    s.done();
  }
});

test('requeue (shutdown under a running request) puts only a running request back', { timeout: 10_000 }, () => {
  const s = withDb();
  try {
    const q = new AsyncRequestQueue(s.db);
    const a = q.enqueue(request('a'));
    const b = q.enqueue(request('b'));
    q.claim('us-east-1', 'ep', T0);
    q.requeue(a);
    assert.equal(q.claim('us-east-1', 'ep', T0)?.seq, a);
    q.finish(a, 'completed', T0);
    q.requeue(a);
    assert.equal(q.claim('us-east-1', 'ep', T0)?.seq, b, 'a done request is not requeued');
  } finally {
    s.done();
  }
});

test('TTL: expireDue takes only the expired queued requests; claim skips them meanwhile', { timeout: 10_000 }, () => {
  const s = withDb();
  try {
    const q = new AsyncRequestQueue(s.db);
    const running = q.enqueue(request('running', { expiresAt: T0 + 1000 }));
    assert.equal(q.claim('us-east-1', 'ep', T0)?.seq, running);
    q.enqueue(request('short', { expiresAt: T0 + 2000 }));
    q.enqueue(request('edge', { expiresAt: T0 + 5000 }));
    q.enqueue(request('long', { expiresAt: T0 + HOUR }));
    q.enqueue(request('other-ep', { endpoint: 'ep2', expiresAt: T0 + 3000 }));

    assert.equal(q.nextExpiry(), T0 + 2000, 'the running request does not count');
    assert.deepEqual(q.expireDue(T0 + 1999), []);

    // Past 'short' but before expireDue ran: claim does not hand it out.
    assert.equal(q.claim('us-east-1', 'ep', T0 + 2500)?.inferenceId, 'edge');
    q.requeue(q.enqueue(request('x', { expiresAt: T0 })) /* not running: no-op */);

    const expired = q.expireDue(T0 + 5000);
    assert.deepEqual(expired.map((r) => r.inferenceId).sort(), ['other-ep', 'short', 'x']);
    assert.ok(expired.every((r) => r.outputLocation.startsWith('s3://out/')), 'the caller gets what it needs to notify');
    assert.deepEqual(q.expireDue(T0 + 5000), [], 'expired once');
    const outcomes = s.db.prepare(`SELECT inference_id AS id, state, outcome FROM async_requests ORDER BY seq`).all();
    assert.deepEqual(outcomes, [
      { id: 'running', state: 'running', outcome: null },
      { id: 'short', state: 'done', outcome: 'expired' },
      { id: 'edge', state: 'running', outcome: null },
      { id: 'long', state: 'queued', outcome: null },
      { id: 'other-ep', state: 'done', outcome: 'expired' },
      { id: 'x', state: 'done', outcome: 'expired' },
    ]);
    assert.equal(q.nextExpiry(), T0 + HOUR);
    assert.equal(q.claim('us-east-1', 'ep', T0 + 6000)?.inferenceId, 'long');
    assert.equal(q.nextExpiry(), undefined);
  } finally {
    s.done();
  }
});

test('drop forgets one endpoint’s requests (queued, running and done); clear forgets all', { timeout: 10_000 }, () => {
  const s = withDb();
  try {
    const q = new AsyncRequestQueue(s.db);
    const a = q.enqueue(request('a'));
    q.enqueue(request('b'));
    q.enqueue(request('c'));
    q.enqueue(request('keep', { endpoint: 'ep2' }));
    q.enqueue(request('keep-west', { region: 'us-west-2' }));
    q.claim('us-east-1', 'ep', T0);
    q.claim('us-east-1', 'ep', T0);
    q.finish(a, 'completed', T0);

    assert.equal(q.drop('us-east-1', 'ep'), 3);
    assert.equal(q.queued('us-east-1', 'ep'), 0);
    assert.equal(q.claim('us-east-1', 'ep', T0), undefined);
    assert.equal(q.finish(a + 1, 'completed', T0), false, 'a request dropped while it ran cannot be finished');
    assert.deepEqual(
      q.endpointsWithQueue().sort((x, y) => x.region.localeCompare(y.region)),
      [
        { region: 'us-east-1', endpoint: 'ep2' },
        { region: 'us-west-2', endpoint: 'ep' },
      ],
    );
    q.clear();
    assert.deepEqual(q.endpointsWithQueue(), []);
    assert.deepEqual(q.backlog(), []);
  } finally {
    s.done();
  }
});

test('backlog: size counts queued and running (not done), oldest is the earliest received of those', { timeout: 10_000 }, () => {
  const s = withDb();
  try {
    const q = new AsyncRequestQueue(s.db);
    assert.deepEqual(q.backlog(), []);
    const first = q.enqueue(request('first', { receivedAt: T0 }));
    q.enqueue(request('second', { receivedAt: T0 + 10 }));
    q.enqueue(request('third', { receivedAt: T0 + 20 }));
    q.enqueue(request('ep2', { endpoint: 'ep2', receivedAt: T0 + 5 }));

    const byEndpoint = () => Object.fromEntries(q.backlog().map((b) => [`${b.region}/${b.endpoint}`, [b.size, b.oldestReceivedAt]]));
    assert.deepEqual(byEndpoint(), { 'us-east-1/ep': [3, T0], 'us-east-1/ep2': [1, T0 + 5] });

    assert.equal(q.claim('us-east-1', 'ep', T0 + 30)?.seq, first);
    assert.deepEqual(byEndpoint()['us-east-1/ep'], [3, T0], 'a running request is still in the backlog (ApproximateBacklogSize)');

    q.finish(first, 'completed', T0 + 40);
    assert.deepEqual(byEndpoint()['us-east-1/ep'], [2, T0 + 10], 'done leaves the backlog; the oldest moves on');

    q.expireDue(T0 + 2 * HOUR);
    assert.deepEqual(q.backlog(), [], 'expired requests leave the backlog');
  } finally {
    s.done();
  }
});
