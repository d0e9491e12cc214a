import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, test } from 'node:test';
import { openDatabase } from '../../src/store/database.js';
import {
  ENDPOINT_CREATED_STATUS,
  ENDPOINT_TRANSITIONS,
  EndpointTransitionError,
  LiveEndpointStatus,
  canTransition,
  moveLiveStatus,
  transitionEndpoint,
} from '../../src/store/endpoint-lifecycle.js';
import type { EndpointRecord, EndpointStatus } from '../../src/store/records.js';
import { Store } from '../../src/store/store.js';

const ALL: EndpointStatus[] = [
  'OutOfService',
  'Creating',
  'Updating',
  'SystemUpdating',
  'RollingBack',
  'InService',
  'Deleting',
  'Failed',
  'UpdateRollbackFailed',
];

/** Every move the emulator makes (docs/aws-contract.md §5), and nothing else. */
const ALLOWED: [EndpointStatus, EndpointStatus][] = [
  ['Creating', 'InService'],
  ['Creating', 'Failed'],
  ['InService', 'Updating'],
  ['InService', 'Deleting'],
  ['InService', 'InService'],
  ['InService', 'Failed'],
  ['Updating', 'InService'],
  ['Updating', 'RollingBack'],
  ['Updating', 'Failed'],
  ['SystemUpdating', 'InService'],
  ['SystemUpdating', 'Failed'],
  ['RollingBack', 'InService'],
  ['RollingBack', 'UpdateRollbackFailed'],
  ['UpdateRollbackFailed', 'Deleting'],
  ['OutOfService', 'Deleting'],
  ['Failed', 'Deleting'],
];

describe('endpoint lifecycle table', () => {
  test('every status has an entry, and the table allows exactly the listed moves', () => {
    assert.deepEqual(Object.keys(ENDPOINT_TRANSITIONS).sort(), [...ALL].sort());
    const allowed = new Set(ALLOWED.map(([a, b]) => `${a}→${b}`));
    for (const from of ALL) {
      for (const to of ALL) {
        assert.equal(canTransition(from, to), allowed.has(`${from}→${to}`), `${from} → ${to}`);
      }
    }
  });

  test('refused: an endpoint in progress can be neither deleted nor updated; a Failed one only deleted; Deleting is final', () => {
    for (const inProgress of ['Creating', 'Updating', 'SystemUpdating', 'RollingBack', 'Deleting'] as const) {
      assert.equal(canTransition(inProgress, 'Deleting'), false, inProgress);
      assert.equal(canTransition(inProgress, 'Updating'), false, inProgress);
    }
    assert.equal(canTransition('Failed', 'InService'), false);
    assert.equal(canTransition('Failed', 'Updating'), false);
    assert.equal(canTransition('Deleting', 'InService'), false);
    assert.equal(canTransition('Creating', 'Updating'), false);
    assert.equal(canTransition('InService', 'Creating'), false);
  });

  test('a new endpoint is Creating', () => {
    assert.equal(ENDPOINT_CREATED_STATUS, 'Creating');
  });
});

describe('transitionEndpoint (the stored record)', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sme-lifecycle-'));
  const store = new Store(openDatabase(dir));
  const record = (status: EndpointStatus): EndpointRecord => ({
    name: 'Ep',
    arn: 'arn:aws:sagemaker:us-east-1:123456789012:endpoint/ep',
    configName: 'c',
    status,
    creationTime: 1,
    lastModifiedTime: 1,
    config: { name: 'c', arn: 'arn', creationTime: 1, spec: { ProductionVariants: [] } },
    models: {},
    variants: [],
  });

  test('writes the new status with the change, computed from the current record when a function', () => {
    store.endpoints.put('us-east-1', 'Ep', record('Creating'));
    const next = transitionEndpoint(store, 'us-east-1', 'ep', 'InService', (e) => ({ lastModifiedTime: e.lastModifiedTime + 1 }));
    assert.equal(next?.status, 'InService');
    const stored = store.endpoints.get('us-east-1', 'Ep');
    assert.equal(stored?.status, 'InService');
    assert.equal(stored.lastModifiedTime, 2);
  });

  test('a status inside the change cannot sneak past the table', () => {
    store.endpoints.put('us-east-1', 'Ep', record('InService'));
    transitionEndpoint(store, 'us-east-1', 'Ep', 'Updating', { ...record('Failed'), failureReason: undefined });
    assert.equal(store.endpoints.get('us-east-1', 'Ep')?.status, 'Updating');
  });

  test('a refused move throws EndpointTransitionError and writes nothing', () => {
    store.endpoints.put('us-east-1', 'Ep', record('Deleting'));
    assert.throws(
      () => transitionEndpoint(store, 'us-east-1', 'Ep', 'InService', { failureReason: 'x' }),
      (err: unknown) => err instanceof EndpointTransitionError && err.from === 'Deleting' && err.to === 'InService',
    );
    const stored = store.endpoints.get('us-east-1', 'Ep');
    assert.equal(stored?.status, 'Deleting');
    assert.equal(stored.failureReason, undefined);
  });

  test('no record: nothing to move', () => {
    assert.equal(transitionEndpoint(store, 'us-east-1', 'missing', 'Deleting'), undefined);
    store.close();
    fs.rmSync(dir, { recursive: true, force: true });
  });
});

describe('LiveEndpointStatus (the in-memory mirror)', () => {
  test('moves along the same table and refuses the rest', () => {
    const live = new LiveEndpointStatus('Ep', 'Creating');
    moveLiveStatus(live, 'InService');
    moveLiveStatus(live, 'Updating');
    moveLiveStatus(live, 'InService');
    moveLiveStatus(live, 'Deleting');
    assert.equal(live.status, 'Deleting');
    assert.throws(() => moveLiveStatus(live, 'InService'), EndpointTransitionError);
    assert.equal(live.status, 'Deleting');
  });
});
