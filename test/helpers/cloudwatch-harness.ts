/**
 * Shared set-up for the CloudWatch unit tests (no tests of its own): a
 * CloudWatch on a temporary SQLite store and a fake clock, and `call`, which
 * runs an operation the way the protocol layer does (decode against the
 * model, then the handler with a request context).
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { CloudWatch } from '../../src/cloudwatch/cloudwatch.js';
import { AwsError } from '../../src/protocol/aws-error.js';
import type { CloudWatchOperationName, CloudWatchOperations } from '../../src/protocol/generated/cloudwatch-types.js';
import { decodeOrThrow } from '../../src/protocol/json-service.js';
import { openDatabase } from '../../src/store/database.js';
import { Store } from '../../src/store/store.js';
import { FakeClock } from './fake-clock.js';

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';

export interface HarnessOptions {
  periodSeconds?: number;
  retentionPeriods?: number;
  maxSeries?: number;
  /** Reuse a state directory (persistence tests). */
  dir?: string;
  clock?: FakeClock;
}

export interface Harness {
  cw: CloudWatch;
  clock: FakeClock;
  store: Store;
  dir: string;
  call<K extends CloudWatchOperationName>(op: K, input: object, region?: string): Promise<CloudWatchOperations[K]['output']>;
  /** The handler alone, for inputs the decoder refuses but another protocol's decoding might let through. */
  callRaw<K extends CloudWatchOperationName>(op: K, input: object): Promise<CloudWatchOperations[K]['output']>;
  /** Moves the clock to the start of the next period boundary (no timers are due before it). */
  toBoundary(): void;
  close(): void;
}

const dirs: string[] = [];

export function harness(options: HarnessOptions = {}): Harness {
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'sme-cw-'));
  if (!options.dir) {
    dirs.push(dir);
  }
  const clock = options.clock ?? new FakeClock();
  const store = new Store(openDatabase(dir));
  const periodSeconds = options.periodSeconds ?? 1;
  const cw = new CloudWatch({
    store,
    config: { metricPeriodSeconds: periodSeconds, accountId: ACCOUNT },
    log: pino({ level: 'silent' }),
    clock,
    retentionPeriods: options.retentionPeriods,
    maxSeries: options.maxSeries,
  });
  return {
    cw,
    clock,
    store,
    dir,
    async call(op, input, region = REGION) {
      const handler = cw.operations.get(op)!;
      const decoded = decodeOrThrow('cloudwatch', op, input as Record<string, unknown>);
      return (await handler(decoded, cw.context({ requestId: 'req-1', region }, op))) as CloudWatchOperations[typeof op]['output'];
    },
    async callRaw(op, input) {
      return (await cw.operations.get(op)!(input as Record<string, unknown>, cw.context({ requestId: 'req-1', region: REGION }, op))) as CloudWatchOperations[typeof op]['output'];
    },
    toBoundary() {
      const p = periodSeconds * 1000;
      clock.advance(p - (clock.now() % p));
    },
    close() {
      cw.stop();
      store.close();
    },
  };
}

/** Removes the temporary state directories (call from an `after` hook). */
export function removeDirs(): void {
  for (const d of dirs.splice(0)) {
    fs.rmSync(d, { recursive: true, force: true });
  }
}

/** Asserts that `p` fails with this AWS error code, HTTP status and (when given) message. */
export async function assertAwsError(p: Promise<unknown>, code: string, status: number, message?: string | RegExp): Promise<AwsError> {
  try {
    await p;
  } catch (err) {
    assert.ok(err instanceof AwsError, `expected an AwsError, got ${String(err)}`);
    assert.equal(err.code, code, err.message);
    assert.equal(err.status, status);
    if (typeof message === 'string') {
      assert.equal(err.message, message);
    } else if (message) {
      assert.match(err.message, message);
    }
    return err;
  }
  assert.fail(`expected ${code}`);
}

/** Epoch seconds, as the JSON protocols send timestamps. */
export const seconds = (ms: number): number => ms / 1000;
