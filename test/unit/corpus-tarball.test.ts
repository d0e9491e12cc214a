import assert from 'node:assert/strict';
import { existsSync, lstatSync, mkdirSync, mkdtempSync, readdirSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, describe, test } from 'node:test';
import { pathToFileURL } from 'node:url';
import { ArtifactError, fetchModelData } from '../../src/hosting/artifacts.js';
import { corpusSeed, Rng } from '../helpers/corpus/prng.js';
import { type TarEntry, tarGz } from '../helpers/corpus/tar-writer.js';

/**
 * The tarball family of the hostile-input corpus, without Docker: seeded
 * archives mixing good entries with `../escape`, absolute paths, symlinks out
 * (and files written through them), hard links to outside files, device
 * files and lying sizes, extracted by the code CreateEndpoint uses
 * (fetchModelData). Nothing may appear outside the target, and an archive
 * with a bad entry is an ArtifactError, never anything else.
 */
const seed = corpusSeed();
const root = mkdtempSync(path.join(os.tmpdir(), 'sme-corpus-tar-'));
const marker = `smt${seed.toString(36)}`;

function hostileEntries(rng: Rng, outside: string, i: number): { entries: TarEntry[]; hostile: boolean } {
  const target = `${marker}-${i}`;
  const good: TarEntry[] = [{ name: 'model.json', type: 'file', body: '{"ok":true}' }, { name: 'code/', type: 'dir' }];
  const bad: TarEntry[][] = [
    [{ name: `../${target}`, type: 'file', body: 'x' }],
    [{ name: `code/../../${target}`, type: 'file', body: 'x' }],
    [{ name: `${outside}/${target}`, type: 'file', body: 'x' }],
    [{ name: `/tmp/${target}`, type: 'file', body: 'x' }],
    [{ name: 'out', type: 'symlink', link: outside }, { name: `out/${target}`, type: 'file', body: 'through the link' }],
    [{ name: 'code/up', type: 'symlink', link: '../..' }, { name: `code/up/${target}`, type: 'file', body: 'x' }],
    [{ name: 'abs', type: 'symlink', link: '/etc' }],
    [{ name: 'h', type: 'hardlink', link: `${outside}/secret` }],
    [{ name: 'code/deep/h', type: 'hardlink', link: '../../../secret' }],
    [{ name: 'h2', type: 'hardlink', link: '/etc/passwd' }],
    [{ name: 'null', type: 'chardev' }],
    [{ name: 'sda', type: 'blockdev' }],
    [{ name: 'fifo', type: 'fifo' }],
    [{ name: 'big.bin', type: 'file', body: 'tiny', declaredSize: 8 * 1024 ** 3 }],
    [{ name: `${'d/'.repeat(60)}${target}`, type: 'file', body: 'x' }],
    [{ name: `code/\u0000/${target}`, type: 'file', body: 'x' }],
  ];
  if (rng.chance(0.15)) {
    return { entries: good, hostile: false };
  }
  const picked = rng.pick(bad);
  const entries = [...good];
  entries.splice(rng.int(0, entries.length), 0, ...picked);
  return { entries, hostile: true };
}

/** Every path under dir, symlinks not followed. */
function tree(dir: string): string[] {
  const out: string[] = [];
  const walk = (d: string) => {
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      out.push(path.relative(dir, p));
      if (e.isDirectory() && !lstatSync(p).isSymbolicLink()) {
        walk(p);
      }
    }
  };
  walk(dir);
  return out.sort();
}

describe(`the tarball corpus (seed ${seed}; replay with SME_CORPUS_SEED=${seed})`, { timeout: 120_000 }, () => {
  after(() => rmSync(root, { recursive: true, force: true }));

  test('120 seeded model archives: bad ones are refused, nothing lands outside the target', { timeout: 90_000 }, async () => {
    const rng = new Rng(seed);
    const outside = path.join(root, 'outside');
    mkdirSync(outside);
    writeFileSync(path.join(outside, 'secret'), 'secret');
    const before = tree(root);
    const failures: string[] = [];
    for (let i = 0; i < 120; i++) {
      const { entries, hostile } = hostileEntries(rng, outside, i);
      const work = path.join(root, `case-${i}`);
      mkdirSync(work);
      const file = path.join(work, 'model.tar.gz');
      writeFileSync(file, tarGz(entries));
      const target = path.join(work, 'model');
      const id = `tar-${i} ${JSON.stringify(entries.map((e) => [e.type, e.name.slice(0, 40), e.link]))}`;
      try {
        await fetchModelData(pathToFileURL(file).href, target, { fetchS3: () => Promise.reject(new Error('no S3 here')) });
        // Accepted: only when the archive is good, or its odd entry was dropped harmlessly inside the target.
        for (const p of tree(target)) {
          const st = lstatSync(path.join(target, p));
          if (st.isCharacterDevice() || st.isBlockDevice()) {
            failures.push(`${id}: a device file was created: ${p}`);
          }
          if (st.isSymbolicLink()) {
            failures.push(`${id}: a symlink out of the target was kept: ${p}`);
          }
        }
        if (hostile && existsSync(path.join(target, 'h')) && lstatSync(path.join(target, 'h')).nlink > 1) {
          failures.push(`${id}: a hard link to an outside file was made`);
        }
      } catch (err) {
        if (!(err instanceof ArtifactError)) {
          failures.push(`${id}: ${(err as Error).name} ${(err as Error).message}`);
        } else if (!hostile) {
          failures.push(`${id}: a good archive was refused: ${err.message}`);
        }
      }
      rmSync(work, { recursive: true, force: true });
    }
    const leaked = tree(root).filter((p) => !before.includes(p));
    const markers = tree('/tmp').filter((p) => p.includes(marker) && !p.startsWith(path.relative('/tmp', root)));
    assert.deepEqual([...failures, ...leaked.map((p) => `written outside: ${p}`), ...markers.map((p) => `a target exists: /tmp/${p}`)], [], `seed ${seed}`);
  });

  test('file:// URLs that traverse are read, never written through: the target holds a copy, the source is untouched', { timeout: 30_000 }, async () => {
    const outside = path.join(root, 'outside-url');
    mkdirSync(outside);
    writeFileSync(path.join(outside, 'weights.bin'), 'w');
    symlinkSync(outside, path.join(root, 'link-dir'));
    for (const url of [pathToFileURL(path.join(root, 'link-dir')).href, `file://${root}/x/../outside-url/weights.bin`, 'file:///nonexistent/../../etc/hostname']) {
      const target = path.join(root, 'url-target');
      await fetchModelData(url, target, { fetchS3: () => Promise.reject(new Error('no S3 here')) }).catch((err: Error) => {
        assert.ok(err instanceof ArtifactError, `${url}: ${err.name} ${err.message}`);
      });
      rmSync(target, { recursive: true, force: true });
    }
    assert.deepEqual(readdirSync(outside), ['weights.bin']);
  });
});

describe('the corpus PRNG', () => {
  test('is reproducible from its seed, and SME_CORPUS_SEED sets it', () => {
    const a = new Rng(42);
    const b = new Rng(42);
    const xs = Array.from({ length: 50 }, () => a.int(0, 1000));
    assert.deepEqual(Array.from({ length: 50 }, () => b.int(0, 1000)), xs);
    assert.notDeepEqual(Array.from({ length: 50 }, () => new Rng(43).int(0, 1000)), xs);
    assert.equal(corpusSeed({ SME_CORPUS_SEED: '12345' }), 12345);
    assert.equal(corpusSeed({ SME_CORPUS_SEED: '0x10' }), 16);
    assert.throws(() => corpusSeed({ SME_CORPUS_SEED: 'abc' }), /SME_CORPUS_SEED/);
  });
});
