import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { DeleteObjectCommand, PutObjectCommand } from '@aws-sdk/client-s3';
import Database from 'better-sqlite3';
import { createBucket } from '../helpers/async-endpoint.js';
import { TIMEOUT } from '../helpers/bounded.js';
import { type ChildEmulator, cleanUpChildren, startChild, stopChildGracefully, withChildLogs } from '../helpers/child-emulator.js';
import { requireDocker } from '../helpers/docker.js';

/**
 * State directory faults: a read-only state directory stops the emulator at
 * start-up with one clear line (exit 1, no stack); a state disk that fills up
 * while it runs fails the operation that needs the space with an AWS-shaped
 * error, the emulator keeps serving, works again once space is freed, and the
 * SQLite database passes integrity_check and opens again on a restart.
 * Read-only and full file systems are made with mount (bind,ro and tmpfs),
 * which needs root (CI runs as root); without root the read-only case uses
 * chmod 0555 and the full-disk case skips.
 */

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'sagemaker-emulator.js');
const isRoot = process.getuid?.() === 0;

function mount(...args: string[]): void {
  execFileSync('mount', args, { stdio: 'pipe', timeout: 10_000 });
}

function umount(dir: string): void {
  spawnSync('umount', [dir], { stdio: 'pipe', timeout: 10_000 });
}

/** Runs the emulator on `stateDir` until it exits (bounded): start-up must fail. */
function runToExit(stateDir: string): { status: number | null; stderr: string; stdout: string } {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SME_')));
  const r = spawnSync(process.execPath, [BIN], {
    cwd: ROOT,
    env: { ...env, SME_PORT: '0', SME_STATE_DIR: stateDir },
    encoding: 'utf8',
    timeout: 30_000,
  });
  return { status: r.status, stderr: r.stderr, stdout: r.stdout };
}

describe('faults: a read-only or full state directory', { timeout: TIMEOUT.suite }, () => {
  const stateDirs = new Set<string>();
  const children = new Set<ChildEmulator>();
  const mounts: string[] = [];
  before(() => requireDocker());
  after(async () => {
    await cleanUpChildren(children, []);
    for (const m of mounts.reverse()) {
      umount(m);
    }
    for (const d of stateDirs) {
      rmSync(d, { recursive: true, force: true });
    }
  });

  test('a read-only state directory holding a database: exit 1 at start-up, one line naming it and the cause', { timeout: TIMEOUT.test }, async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sme-faults-ro-'));
    stateDirs.add(dir);
    const first = await startChild(dir);
    children.add(first);
    await stopChildGracefully(first, dir, children);
    if (isRoot) {
      mount('--bind', dir, dir);
      mounts.push(dir);
      mount('-o', 'remount,bind,ro', dir);
    } else {
      chmodSync(dir, 0o555);
    }
    try {
      const r = runToExit(dir);
      assert.equal(r.status, 1, r.stderr + r.stdout);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, `one line on stderr:\n${r.stderr}`);
      assert.match(lines[0]!, new RegExp(`state directory ${dir} cannot be used: .*(read-only|not writable)`));
      assert.doesNotMatch(r.stdout + r.stderr, /\n\s+at /, 'no stack trace');
      console.log(`[faults] read-only state dir: exit ${r.status}, "${lines[0]}"`);
    } finally {
      if (isRoot) {
        umount(mounts.pop()!);
      } else {
        chmodSync(dir, 0o755);
      }
    }
    const db = new Database(path.join(dir, 'state.sqlite'), { readonly: true });
    assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
    db.close();
  });

  test('the state disk fills up: PutObject fails with an AWS error, the emulator keeps serving and recovers; the database stays sound', { timeout: TIMEOUT.long }, async (t) => {
    if (!isRoot) {
      assert.notEqual(process.env.CI, 'true', 'CI must run the full-disk test as root (it mounts a small tmpfs)');
      t.skip('needs root to mount a small tmpfs as the state directory');
      return;
    }
    const dir = mkdtempSync(path.join(os.tmpdir(), 'sme-faults-full-'));
    stateDirs.add(dir);
    mount('-t', 'tmpfs', '-o', 'size=24m', 'tmpfs', dir);
    mounts.push(dir);
    const c = await startChild(dir);
    children.add(c);
    try {
      const bucket = await createBucket(c.s3, 'full');
      const chunk = Buffer.alloc(4 * 1024 * 1024, 7);
      const stored: string[] = [];
      let failure: { name: string; status: number | undefined; message: string } | undefined;
      for (let i = 0; i < 20 && !failure; i++) {
        const key = `fill/${i}`;
        await c.s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: chunk })).then(
          () => void stored.push(key),
          (err: Error & { $metadata?: { httpStatusCode?: number } }) => {
            failure = { name: err.name, status: err.$metadata?.httpStatusCode, message: err.message };
          },
        );
      }
      assert.ok(failure, 'a PutObject failed once the disk was full');
      assert.equal(failure.status, 500, JSON.stringify(failure));
      assert.equal(failure.name, 'InternalError', JSON.stringify(failure));
      const health = (await (await fetch(`${c.url}/health`)).json()) as { status: string };
      assert.equal(health.status, 'ok', 'the emulator keeps serving');
      // Free the space: the same PutObject works again.
      for (const key of stored) {
        await c.s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: key }));
      }
      await c.s3.send(new PutObjectCommand({ Bucket: bucket, Key: 'after', Body: chunk }));
      console.log(`[faults] full disk: ${stored.length} objects of 4 MiB fit in 24 MiB, then ${failure.name} ${failure.status} "${failure.message}"; works again after freeing`);
      await stopChildGracefully(c, dir, children);
      const db = new Database(path.join(dir, 'state.sqlite'), { readonly: true });
      assert.equal(db.pragma('integrity_check', { simple: true }), 'ok');
      db.close();
      const again = await startChild(dir);
      children.add(again);
      await stopChildGracefully(again, dir, children);
    } catch (err) {
      throw withChildLogs(err, [c]);
    }
  });
});
