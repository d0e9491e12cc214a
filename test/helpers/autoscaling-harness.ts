/**
 * The harness of the autoscaling-*.test.ts files (a test file itself, since
 * those are the files this part owns): an AutoScaling facade on a fresh
 * SQLite store, a fake clock, a fake AlarmDirectory and a fake capacity
 * adapter, served over HTTP on port 0 so that every call goes through the
 * real decoder and error boundary.
 */
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { AutoScaling } from '../../src/autoscaling/auto-scaling.js';
import type { CapacityAdapter, RequestOutcome, SettledOutcome, VariantLookup, VariantView } from '../../src/autoscaling/capacity.js';
import type { SageMakerDimension } from '../../src/autoscaling/records.js';
import type { AlarmDirectory, AlarmInvocation } from '../../src/cloudwatch/alarm-actions.js';
import { loadConfig } from '../../src/config/load.js';
import type { PutMetricAlarmInput } from '../../src/protocol/generated/cloudwatch-types.js';
import { openDatabase } from '../../src/store/database.js';
import { Store } from '../../src/store/store.js';
import { FakeClock } from './fake-clock.js';

export const REGION = 'us-east-1';
export const ACCOUNT = '123456789012';
export const INSTANCES: SageMakerDimension = 'sagemaker:variant:DesiredInstanceCount';
export const CONCURRENCY: SageMakerDimension = 'sagemaker:variant:DesiredProvisionedConcurrency';
export const SUITE = { timeout: 30_000 };

export class FakeAlarms implements AlarmDirectory {
  readonly alarms = new Map<string, PutMetricAlarmInput>();
  readonly deleted: string[] = [];

  putAlarm(region: string, alarm: PutMetricAlarmInput): string {
    this.alarms.set(alarm.AlarmName, alarm);
    return `arn:aws:cloudwatch:${region}:${ACCOUNT}:alarm:${alarm.AlarmName}`;
  }

  deleteAlarms(_region: string, names: readonly string[]): void {
    for (const n of names) {
      this.alarms.delete(n);
      this.deleted.push(n);
    }
  }
}

/** A variant the fake adapter knows; every field can be changed by the test. */
export interface FakeVariant extends VariantView {
  name: string;
}

/**
 * A capacity adapter without SageMaker. `request` applies the change at once
 * unless `refuse` is set; `settled` resolves at once unless `hold` is set, in
 * which case it waits for release().
 */
export class FakeCapacity implements CapacityAdapter {
  readonly endpoints = new Map<string, FakeVariant[]>();
  readonly requests: { endpoint: string; variant: string; dimension: SageMakerDimension; capacity: number }[] = [];
  refuse: RequestOutcome | undefined;
  settleWith: SettledOutcome = { ok: true };
  hold = false;
  private waiting: (() => void)[] = [];

  addEndpoint(name: string, variants: Partial<FakeVariant>[] = [{}], options: { async?: boolean } = {}): void {
    this.endpoints.set(
      name,
      variants.map((v, i) => ({
        name: `v${i}`,
        endpointArn: `arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint/${name.toLowerCase()}`,
        endpointStatus: 'InService',
        async: options.async ?? false,
        serverless: false,
        instanceType: 'ml.m5.large',
        desiredInstanceCount: 1,
        ...v,
      })),
    );
  }

  variant(endpoint: string, variant = 'v0'): FakeVariant {
    const v = this.endpoints.get(endpoint)?.find((x) => x.name === variant);
    assert.ok(v, `no fake variant ${endpoint}/${variant}`);
    return v;
  }

  lookup(_region: string, endpointName: string, variantName: string): VariantLookup {
    const variants = this.endpoints.get(endpointName);
    const endpointArn = `arn:aws:sagemaker:${REGION}:${ACCOUNT}:endpoint/${endpointName.toLowerCase()}`;
    if (!variants) {
      return { found: 'no-endpoint', endpointArn };
    }
    const v = variants.find((x) => x.name === variantName);
    return v ? { found: 'yes', variant: { ...v } } : { found: 'no-variant', endpointArn };
  }

  request(_region: string, endpoint: string, variant: string, dimension: SageMakerDimension, capacity: number): Promise<RequestOutcome> {
    this.requests.push({ endpoint, variant, dimension, capacity });
    if (this.refuse) {
      return Promise.resolve(this.refuse);
    }
    const v = this.variant(endpoint, variant);
    if (dimension === INSTANCES) {
      v.desiredInstanceCount = capacity;
    } else {
      v.provisionedConcurrency = capacity;
    }
    return Promise.resolve({ ok: true });
  }

  async settled(_r: string, _e: string, _v: string, _d: SageMakerDimension, _c: number, signal: AbortSignal): Promise<SettledOutcome> {
    if (this.hold) {
      await new Promise<void>((resolve, reject) => {
        this.waiting.push(resolve);
        signal.addEventListener('abort', () => reject(signal.reason), { once: true });
      });
    }
    return this.settleWith;
  }

  /** Lets every held `settled` resolve. */
  release(): void {
    const waiting = this.waiting;
    this.waiting = [];
    for (const w of waiting) {
      w();
    }
  }
}

export interface AwsFailure {
  status: number;
  code: string;
  message: string;
  body: Record<string, unknown>;
}

export interface Harness {
  dir: string;
  /** Where the AnyScaleFrontendService listens (for real SDK clients). */
  url: string;
  clock: FakeClock;
  alarms: FakeAlarms;
  capacity: FakeCapacity;
  aas: AutoScaling;
  store: Store;
  /** Calls `AnyScaleFrontendService.<op>`; resolves with the JSON output, rejects with an AwsFailure. */
  call(op: string, input: Record<string, unknown>): Promise<Record<string, unknown>>;
  /** The AwsFailure a call rejects with (fails the test when it succeeds). */
  fail(op: string, input: Record<string, unknown>): Promise<AwsFailure>;
  /** Runs the alarm action of a policy, as the CloudWatch evaluator would. */
  alarm(actionArn: string, invocation: Partial<AlarmInvocation>): Promise<void>;
  /** A new facade on the same state directory and clock (a restart). */
  restart(): Promise<Harness>;
  close(): Promise<void>;
}

export async function harness(options: { dir?: string; clock?: FakeClock; capacity?: FakeCapacity; alarms?: FakeAlarms } = {}): Promise<Harness> {
  const dir = options.dir ?? fs.mkdtempSync(path.join(os.tmpdir(), 'sme-aas-'));
  const config = loadConfig({ SME_STATE_DIR: dir });
  const store = new Store(openDatabase(config.stateDir));
  const clock = options.clock ?? new FakeClock();
  const alarms = options.alarms ?? new FakeAlarms();
  const capacity = options.capacity ?? new FakeCapacity();
  const aas = new AutoScaling({
    store,
    config,
    log: pino({ level: 'silent' }),
    clock,
    alarms,
    capacity,
    sageMakerContext: () => assert.fail('the fake capacity adapter needs no SageMaker context'),
  });
  aas.start();
  const server = http.createServer((req, res) => aas.handler(req, res, { requestId: 'req-1', region: REGION }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;

  const raw = async (op: string, input: Record<string, unknown>) => {
    const res = await fetch(url, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': `AnyScaleFrontendService.${op}` },
      body: JSON.stringify(input),
    });
    return { status: res.status, body: (await res.json()) as Record<string, unknown> };
  };
  const h: Harness = {
    dir,
    url,
    clock,
    alarms,
    capacity,
    aas,
    store,
    async call(op, input) {
      const { status, body } = await raw(op, input);
      if (status !== 200) {
        throw Object.assign(new Error(`${op}: ${String(body.__type)}: ${String(body.message)}`), { status, body });
      }
      return body;
    },
    async fail(op, input) {
      const { status, body } = await raw(op, input);
      assert.notEqual(status, 200, `${op} succeeded: ${JSON.stringify(body)}`);
      return { status, code: String(body.__type), message: String(body.message), body };
    },
    async alarm(actionArn, invocation) {
      aas.onAlarmAction(actionArn, {
        region: REGION,
        alarmName: 'my-alarm',
        alarmArn: `arn:aws:cloudwatch:${REGION}:${ACCOUNT}:alarm:my-alarm`,
        state: 'ALARM',
        metricValue: undefined,
        threshold: 0,
        comparisonOperator: 'GreaterThanThreshold',
        reason: 'Threshold Crossed',
        atMs: clock.now(),
        ...invocation,
      });
      await aas.idle();
    },
    async restart() {
      await h.close();
      return harness({ dir, clock, capacity, alarms });
    },
    async close() {
      await aas.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      store.close();
    },
  };
  return h;
}

/** Removes a harness's state directory once it is closed. */
export async function dispose(h: Harness): Promise<void> {
  await h.close();
  fs.rmSync(h.dir, { recursive: true, force: true });
}

export const resourceId = (endpoint: string, variant = 'v0') => `endpoint/${endpoint}/variant/${variant}`;

export const target = (endpoint: string, variant = 'v0', dimension: SageMakerDimension = INSTANCES) => ({
  ServiceNamespace: 'sagemaker',
  ResourceId: resourceId(endpoint, variant),
  ScalableDimension: dimension,
});

/** Registers an instance variant's target with Min/Max. */
export async function register(h: Harness, endpoint: string, min: number, max: number, extra: Record<string, unknown> = {}): Promise<string> {
  const out = await h.call('RegisterScalableTarget', { ...target(endpoint), MinCapacity: min, MaxCapacity: max, ...extra });
  return String(out.ScalableTargetARN);
}

export async function activities(h: Harness, endpoint?: string, includeNotScaled = false): Promise<Record<string, unknown>[]> {
  const out = await h.call('DescribeScalingActivities', {
    ServiceNamespace: 'sagemaker',
    ...(endpoint ? { ResourceId: resourceId(endpoint) } : {}),
    IncludeNotScaledActivities: includeNotScaled,
  });
  return out.ScalingActivities as Record<string, unknown>[];
}
