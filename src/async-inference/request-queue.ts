import type { Db } from '../store/database.js';

/**
 * The persistent queue of asynchronous inference requests (docs/aws-contract.md §8.3),
 * one SQLite row per accepted request in the table of migration 2
 * (src/store/database.ts). A row moves queued → running → done:
 *
 * - InvokeEndpointAsync answers 202 only after `enqueue` committed, so an
 *   accepted request survives a crash from that moment on.
 * - `claim` marks the oldest queued request running. A crash while it runs
 *   leaves it `running`; `recover` puts it back in the queue at the next start,
 *   so it runs again (at-least-once: the model may see it twice, the output is
 *   written to the same place).
 * - `finish` marks it done in the one statement that records its outcome, and
 *   the caller calls it only after the output (or failure) file is written: a
 *   done request never runs again.
 *
 * Only this process claims, so no two workers race for a row.
 */
export type AsyncOutcome = 'completed' | 'failed' | 'expired';

export interface NewAsyncRequest {
  region: string;
  endpoint: string;
  inferenceId: string;
  receivedAt: number;
  expiresAt: number;
  timeoutSeconds: number;
  inputLocation?: string;
  body?: Buffer;
  contentType?: string;
  accept?: string;
  customAttributes?: string;
  outputLocation: string;
  failureLocation?: string;
}

export interface AsyncRequest extends NewAsyncRequest {
  seq: number;
  attempts: number;
}

export interface EndpointBacklog {
  region: string;
  endpoint: string;
  /** Queued and in progress: CloudWatch's ApproximateBacklogSize (docs/aws-contract.md §9.5). */
  size: number;
  /** When the oldest of them was received (epoch ms). */
  oldestReceivedAt: number;
}

interface Row {
  seq: number;
  region: string;
  endpoint: string;
  inference_id: string;
  received_at: number;
  expires_at: number;
  timeout_seconds: number;
  attempts: number;
  input_location: string | null;
  body: Buffer | null;
  content_type: string | null;
  accept: string | null;
  custom_attributes: string | null;
  output_location: string;
  failure_location: string | null;
}

const opt = <T>(v: T | null): T | undefined => (v === null ? undefined : v);

function fromRow(r: Row): AsyncRequest {
  return {
    seq: r.seq,
    region: r.region,
    endpoint: r.endpoint,
    inferenceId: r.inference_id,
    receivedAt: r.received_at,
    expiresAt: r.expires_at,
    timeoutSeconds: r.timeout_seconds,
    attempts: r.attempts,
    inputLocation: opt(r.input_location),
    body: opt(r.body),
    contentType: opt(r.content_type),
    accept: opt(r.accept),
    customAttributes: opt(r.custom_attributes),
    outputLocation: r.output_location,
    failureLocation: opt(r.failure_location),
  };
}

export class AsyncRequestQueue {
  private readonly insertStmt;
  private readonly claimStmt;
  private readonly finishStmt;
  private readonly requeueStmt;
  private readonly recoverStmt;
  private readonly dueStmt;
  private readonly nextExpiryStmt;
  private readonly backlogStmt;
  private readonly endpointsStmt;
  private readonly dropStmt;
  private readonly clearStmt;
  private readonly countStmt;

  constructor(db: Db) {
    this.insertStmt = db.prepare(
      `INSERT INTO async_requests (region, endpoint, inference_id, state, received_at, expires_at, timeout_seconds,
         input_location, body, content_type, accept, custom_attributes, output_location, failure_location)
       VALUES (?, ?, ?, 'queued', ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    // The oldest queued request that has not expired; expired ones are left to expireDue.
    this.claimStmt = db.prepare(
      `UPDATE async_requests SET state = 'running', attempts = attempts + 1
       WHERE seq = (SELECT seq FROM async_requests WHERE region = ? AND endpoint = ? AND state = 'queued' AND expires_at > ?
                    ORDER BY seq LIMIT 1)
       RETURNING *`,
    );
    // The body is dropped with the request: done rows keep only where their result went.
    this.finishStmt = db.prepare(
      `UPDATE async_requests SET state = 'done', outcome = ?, finished_at = ?, body = NULL WHERE seq = ? AND state != 'done'`,
    );
    this.requeueStmt = db.prepare(`UPDATE async_requests SET state = 'queued' WHERE seq = ? AND state = 'running'`);
    this.recoverStmt = db.prepare(`UPDATE async_requests SET state = 'queued' WHERE state = 'running' RETURNING region, endpoint, inference_id`);
    this.dueStmt = db.prepare(
      `UPDATE async_requests SET state = 'done', outcome = 'expired', finished_at = ?, body = NULL
       WHERE state = 'queued' AND expires_at <= ? RETURNING *`,
    );
    this.nextExpiryStmt = db.prepare(`SELECT MIN(expires_at) AS at FROM async_requests WHERE state = 'queued'`);
    this.backlogStmt = db.prepare(
      `SELECT region, endpoint, COUNT(*) AS size, MIN(received_at) AS oldest FROM async_requests
       WHERE state IN ('queued', 'running') GROUP BY region, endpoint`,
    );
    this.endpointsStmt = db.prepare(`SELECT DISTINCT region, endpoint FROM async_requests WHERE state = 'queued'`);
    this.dropStmt = db.prepare(`DELETE FROM async_requests WHERE region = ? AND endpoint = ?`);
    this.clearStmt = db.prepare(`DELETE FROM async_requests`);
    this.countStmt = db.prepare(`SELECT COUNT(*) AS n FROM async_requests WHERE region = ? AND endpoint = ? AND state = 'queued'`);
  }

  /** Commits an accepted request; returns its sequence number. */
  enqueue(r: NewAsyncRequest): number {
    const info = this.insertStmt.run(
      r.region,
      r.endpoint,
      r.inferenceId,
      r.receivedAt,
      r.expiresAt,
      r.timeoutSeconds,
      r.inputLocation ?? null,
      r.body ?? null,
      r.contentType ?? null,
      r.accept ?? null,
      r.customAttributes ?? null,
      r.outputLocation,
      r.failureLocation ?? null,
    );
    return Number(info.lastInsertRowid);
  }

  /** Takes the endpoint's oldest live request and marks it running; undefined when none waits. */
  claim(region: string, endpoint: string, now: number): AsyncRequest | undefined {
    const row = this.claimStmt.get(region, endpoint, now) as Row | undefined;
    return row ? fromRow(row) : undefined;
  }

  /** Marks a request done with its outcome; false if it was already done (or dropped). */
  finish(seq: number, outcome: AsyncOutcome, now: number): boolean {
    return this.finishStmt.run(outcome, now, seq).changes === 1;
  }

  /** A running request goes back to the queue (the emulator is stopping under it). */
  requeue(seq: number): void {
    this.requeueStmt.run(seq);
  }

  /** At start-up: what a crash left running is queued again. Returns those requests. */
  recover(): { region: string; endpoint: string; inferenceId: string }[] {
    return (this.recoverStmt.all() as { region: string; endpoint: string; inference_id: string }[]).map((r) => ({
      region: r.region,
      endpoint: r.endpoint,
      inferenceId: r.inference_id,
    }));
  }

  /** Marks every queued request whose TTL has passed as expired, and returns them. */
  expireDue(now: number): AsyncRequest[] {
    return (this.dueStmt.all(now, now) as Row[]).map(fromRow);
  }

  /** When the next queued request expires (epoch ms), if any is queued. */
  nextExpiry(): number | undefined {
    const row = this.nextExpiryStmt.get() as { at: number | null };
    return row.at ?? undefined;
  }

  backlog(): EndpointBacklog[] {
    return (this.backlogStmt.all() as { region: string; endpoint: string; size: number; oldest: number }[]).map((r) => ({
      region: r.region,
      endpoint: r.endpoint,
      size: r.size,
      oldestReceivedAt: r.oldest,
    }));
  }

  /** Endpoints with requests waiting, for the workers to start after a restart. */
  endpointsWithQueue(): { region: string; endpoint: string }[] {
    return this.endpointsStmt.all() as { region: string; endpoint: string }[];
  }

  queued(region: string, endpoint: string): number {
    return (this.countStmt.get(region, endpoint) as { n: number }).n;
  }

  /** DeleteEndpoint: the endpoint's requests, queued and done, are forgotten. */
  drop(region: string, endpoint: string): number {
    return this.dropStmt.run(region, endpoint).changes;
  }

  /** POST /_emulator/reset. */
  clear(): void {
    this.clearStmt.run();
  }
}
