import assert from 'node:assert/strict';
import fs from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pathToFileURL } from 'node:url';
import { gzipSync } from 'node:zlib';
import { after, before, describe, test } from 'node:test';
import * as tar from 'tar';
import { ArtifactError, type ArtifactSource, extractTarball, materializeModelData } from '../../src/hosting/artifacts.js';

/**
 * Layout of every test:
 *   <base>/victim.txt            a file outside, that no archive may touch
 *   <base>/work/target/          where archives are extracted
 * so that `../x` from the target lands in <base>/work and `../../x` in <base>.
 */
let tmp: string;
let counter = 0;

async function layout(): Promise<{ base: string; target: string; victim: string }> {
  const base = path.join(tmp, `case-${++counter}`);
  const target = path.join(base, 'work', 'target');
  await fs.mkdir(target, { recursive: true });
  const victim = path.join(base, 'victim.txt');
  await fs.writeFile(victim, 'original');
  return { base, target, victim };
}

/** Every path under dir (relative, sorted), symlinks included but not followed. */
async function tree(dir: string): Promise<string[]> {
  const entries = await fs.readdir(dir, { recursive: true });
  return entries.map((e) => e.split(path.sep).join('/')).sort();
}

/** What exists under base outside the target directory. */
async function outsideTarget(base: string): Promise<string[]> {
  return (await tree(base)).filter((p) => p !== 'work/target' && !p.startsWith('work/target/'));
}

// ---------- a tar writer for archives that node-tar refuses to create ----------

type EntryType = 'file' | 'dir' | 'symlink' | 'hardlink';
const TYPEFLAG: Record<EntryType, string> = { file: '0', hardlink: '1', symlink: '2', dir: '5' };

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

/** One ustar entry, header and data, byte for byte. */
function tarEntry(name: string, type: EntryType, opts: { body?: string; link?: string } = {}): Buffer {
  const body = Buffer.from(opts.body ?? '');
  const header = Buffer.alloc(512);
  header.write(name, 0, 100, 'utf8');
  header.write(octal(type === 'dir' ? 0o755 : 0o644, 8), 100, 'ascii');
  header.write(octal(0, 8), 108, 'ascii');
  header.write(octal(0, 8), 116, 'ascii');
  header.write(octal(type === 'file' ? body.length : 0, 12), 124, 'ascii');
  header.write(octal(Math.floor(Date.UTC(2026, 0, 1) / 1000), 12), 136, 'ascii');
  header.write('        ', 148, 'ascii');
  header.write(TYPEFLAG[type], 156, 'ascii');
  header.write(opts.link ?? '', 157, 100, 'utf8');
  header.write('ustar\0', 257, 'ascii');
  header.write('00', 263, 'ascii');
  let sum = 0;
  for (const byte of header) {
    sum += byte;
  }
  header.write(octal(sum, 7) + ' ', 148, 'ascii');
  if (type !== 'file' || body.length === 0) {
    return header;
  }
  const padded = Buffer.alloc(Math.ceil(body.length / 512) * 512);
  body.copy(padded);
  return Buffer.concat([header, padded]);
}

async function writeTarGz(file: string, entries: Buffer[]): Promise<string> {
  await fs.writeFile(file, gzipSync(Buffer.concat([...entries, Buffer.alloc(1024)])));
  return file;
}

/** A normal model.tar.gz made with node-tar: model.json, code/inference.py, code/link -> ../model.json. */
async function normalTarball(dir: string, name = 'model.tar.gz'): Promise<string> {
  const src = path.join(dir, `src-${++counter}`);
  await fs.mkdir(path.join(src, 'code'), { recursive: true });
  await fs.writeFile(path.join(src, 'model.json'), '{"version":"1"}');
  await fs.writeFile(path.join(src, 'code', 'inference.py'), 'print("hi")\n');
  await fs.symlink('../model.json', path.join(src, 'code', 'link'));
  const file = path.join(dir, name);
  await tar.c({ gzip: true, file, cwd: src }, ['.']);
  return file;
}

async function assertNormalContents(target: string): Promise<void> {
  assert.deepEqual(await tree(target), ['code', 'code/inference.py', 'code/link', 'model.json']);
  assert.equal(await fs.readFile(path.join(target, 'model.json'), 'utf8'), '{"version":"1"}');
  assert.equal(await fs.readFile(path.join(target, 'code', 'inference.py'), 'utf8'), 'print("hi")\n');
  assert.equal(await fs.readlink(path.join(target, 'code', 'link')), '../model.json');
}

/** Partial downloads left beside the target directory. */
async function leftoverDownloads(target: string): Promise<string[]> {
  return (await fs.readdir(path.dirname(target))).filter((f) => f.endsWith('.download'));
}

const noS3: ArtifactSource = {
  fetchS3: () => Promise.reject(new Error('S3 must not be used here')),
};

before(async () => {
  tmp = await fs.realpath(await fs.mkdtemp(path.join(os.tmpdir(), 'sme-artifacts-')));
});

after(async () => {
  await fs.rm(tmp, { recursive: true, force: true });
});

describe('extractTarball', () => {
  test('extracts a normal tar.gz, relative symlinks inside included', async () => {
    const { base, target } = await layout();
    const file = await normalTarball(base);
    await extractTarball(file, target);
    await assertNormalContents(target);
  });

  test('extracts an uncompressed tar', async () => {
    const { base, target } = await layout();
    const src = path.join(base, 'src');
    await fs.mkdir(src);
    await fs.writeFile(path.join(src, 'weights.bin'), 'w');
    const file = path.join(base, 'model.tar');
    await tar.c({ file, cwd: src }, ['weights.bin']);
    await extractTarball(file, target);
    assert.deepEqual(await tree(target), ['weights.bin']);
  });

  test('the hand-made archives of the tests below are valid: a clean one extracts', async () => {
    const { base, target } = await layout();
    const file = await writeTarGz(path.join(base, 'clean.tar.gz'), [
      tarEntry('ok.txt', 'file', { body: 'ok' }),
      tarEntry('sub/', 'dir'),
      tarEntry('sub/data.txt', 'file', { body: 'x'.repeat(700) }),
      tarEntry('sub/up', 'symlink', { link: '../ok.txt' }),
      tarEntry('sub/hard', 'hardlink', { link: 'ok.txt' }),
    ]);
    await extractTarball(file, target);
    assert.deepEqual(await tree(target), ['ok.txt', 'sub', 'sub/data.txt', 'sub/hard', 'sub/up']);
    assert.equal(await fs.readFile(path.join(target, 'sub', 'data.txt'), 'utf8'), 'x'.repeat(700));
    assert.equal(await fs.readFile(path.join(target, 'sub', 'up'), 'utf8'), 'ok');
    assert.equal(await fs.readFile(path.join(target, 'sub', 'hard'), 'utf8'), 'ok');
  });

  test('a file that is not an archive is an ArtifactError', async () => {
    const { base, target } = await layout();
    const file = path.join(base, 'model.tar.gz');
    await fs.writeFile(file, 'this is not a tarball');
    await assert.rejects(extractTarball(file, target), (err: unknown) => {
      assert.ok(err instanceof ArtifactError);
      assert.match(err.message, /Could not extract/);
      return true;
    });
  });

  test('refuses an entry ../escape.txt made by node-tar with preservePaths', async () => {
    const { base, target } = await layout();
    const src = path.join(base, 'crafted', 'src');
    await fs.mkdir(src, { recursive: true });
    await fs.writeFile(path.join(src, 'ok.txt'), 'ok');
    await fs.writeFile(path.join(base, 'crafted', 'escape.txt'), 'pwned');
    const file = path.join(base, 'evil.tar.gz');
    await tar.c({ gzip: true, file, cwd: src, preservePaths: true }, ['ok.txt', '../escape.txt']);
    const listed: string[] = [];
    await tar.t({ file, onReadEntry: (e) => listed.push(e.path) });
    assert.deepEqual(listed, ['ok.txt', '../escape.txt'], 'the crafted archive holds the escaping entry');

    const before = await outsideTarget(base);
    await assert.rejects(extractTarball(file, target), (err: unknown) => {
      assert.ok(err instanceof ArtifactError);
      assert.match(err.message, /\.\.\/escape\.txt/);
      return true;
    });
    assert.deepEqual(await outsideTarget(base), before);
    await assert.rejects(fs.stat(path.join(base, 'work', 'escape.txt')));
  });

  const malicious: { name: string; entries: () => Buffer[]; mentions?: RegExp }[] = [
    {
      name: '../escape.txt (hand-made header)',
      entries: () => [tarEntry('ok.txt', 'file', { body: 'ok' }), tarEntry('../escape.txt', 'file', { body: 'pwned' })],
      mentions: /escape\.txt/,
    },
    {
      name: 'a deeper a/../../escape.txt',
      entries: () => [tarEntry('a/../../escape.txt', 'file', { body: 'pwned' })],
    },
    {
      name: 'an absolute path',
      entries: () => [tarEntry(path.join(tmp, 'absolute-escape.txt'), 'file', { body: 'pwned' })],
    },
    {
      name: 'a symlink to /etc/passwd',
      entries: () => [tarEntry('passwd', 'symlink', { link: '/etc/passwd' })],
      mentions: /passwd/,
    },
    {
      name: 'a symlink to ../../x',
      entries: () => [tarEntry('x', 'symlink', { link: '../../x' })],
    },
    {
      name: 'a symlink out of the target, then a file written through it',
      entries: () => [
        tarEntry('out', 'symlink', { link: '../..' }),
        tarEntry('out/victim.txt', 'file', { body: 'pwned' }),
        tarEntry('out/new.txt', 'file', { body: 'pwned' }),
      ],
    },
    {
      name: 'a symlink to the target itself, then a nested symlink climbing out through it',
      entries: () => [tarEntry('self', 'symlink', { link: '.' }), tarEntry('self/up', 'symlink', { link: '..' })],
    },
    {
      name: 'a hard link to a file outside',
      entries: () => [tarEntry('hl', 'hardlink', { link: '../../victim.txt' })],
    },
    {
      name: 'a hard link in a subdirectory whose target climbs out',
      entries: () => [tarEntry('sub/', 'dir'), tarEntry('sub/hl', 'hardlink', { link: '../../victim.txt' })],
    },
    {
      name: 'a hard link whose target is inside only when read from its own directory (tar reads it from the root)',
      entries: () => [tarEntry('sub/', 'dir'), tarEntry('sub/hl', 'hardlink', { link: '../victim.txt' })],
    },
    {
      name: 'an absolute hard link',
      entries: () => [tarEntry('hl', 'hardlink', { link: '/etc/passwd' })],
    },
  ];

  for (const m of malicious) {
    test(`refuses ${m.name}, writing nothing outside the target`, async () => {
      const { base, target, victim } = await layout();
      const file = await writeTarGz(path.join(base, 'evil.tar.gz'), m.entries());
      const before = await outsideTarget(base);
      assert.deepEqual(before, ['evil.tar.gz', 'victim.txt', 'work']);
      await assert.rejects(extractTarball(file, target), (err: unknown) => {
        assert.ok(err instanceof ArtifactError, `expected an ArtifactError, got ${String(err)}`);
        if (m.mentions) {
          assert.match(err.message, m.mentions);
        }
        return true;
      });
      assert.deepEqual(await outsideTarget(base), before);
      assert.equal(await fs.readFile(victim, 'utf8'), 'original');
      await assert.rejects(fs.stat(path.join(tmp, 'absolute-escape.txt')));
      // No link in the target may point outside it.
      for (const p of await tree(target)) {
        const full = path.join(target, p);
        const st = await fs.lstat(full);
        if (st.isSymbolicLink()) {
          const resolved = path.resolve(path.dirname(full), await fs.readlink(full));
          assert.ok(resolved === target || resolved.startsWith(target + path.sep), `${p} points to ${resolved}`);
        }
        if (st.isFile()) {
          assert.equal(st.nlink, 1, `${p} is hard-linked`);
        }
      }
    });
  }
});

describe('materializeModelData', () => {
  let server: http.Server;
  let serverUrl: string;
  let served: Buffer;

  before(async () => {
    served = await fs.readFile(await normalTarball(tmp, 'served.tar.gz'));
    server = http.createServer((req, res) => {
      if (req.url === '/models/model.tar.gz') {
        res.end(served);
      } else {
        res.statusCode = 404;
        res.end('no such key');
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  after(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  test('no ModelDataUrl: an empty directory, old contents removed', async () => {
    const { target } = await layout();
    await fs.writeFile(path.join(target, 'stale.bin'), 'old');
    assert.equal(await materializeModelData(undefined, target, noS3), target);
    assert.deepEqual(await fs.readdir(target), []);
  });

  test('the target directory is created when missing', async () => {
    const { base } = await layout();
    const target = path.join(base, 'models', 'us-east-1', 'ep', 'AllTraffic');
    await materializeModelData(undefined, target, noS3);
    assert.ok((await fs.stat(target)).isDirectory());
  });

  test('a file:// URL to a tarball is extracted', async () => {
    const { base, target } = await layout();
    const file = await normalTarball(base);
    await materializeModelData(pathToFileURL(file).href, target, noS3);
    await assertNormalContents(target);
  });

  test('a plain path to a tarball is extracted', async () => {
    const { base, target } = await layout();
    const file = await normalTarball(base, 'model.tgz');
    await materializeModelData(file, target, noS3);
    await assertNormalContents(target);
  });

  test('a plain path to a directory is copied', async () => {
    const { base, target } = await layout();
    const src = path.join(base, 'model-dir');
    await fs.mkdir(path.join(src, 'nested'), { recursive: true });
    await fs.writeFile(path.join(src, 'model.json'), '{}');
    await fs.writeFile(path.join(src, 'nested', 'weights.bin'), 'w');
    await fs.writeFile(path.join(target, 'stale.bin'), 'old');
    await materializeModelData(src, target, noS3);
    assert.deepEqual(await tree(target), ['model.json', 'nested', 'nested/weights.bin']);
    assert.equal(await fs.readFile(path.join(src, 'model.json'), 'utf8'), '{}', 'the source is left alone');
  });

  test('a single file that is not a tarball is copied into the directory', async () => {
    const { base, target } = await layout();
    const file = path.join(base, 'model.onnx');
    await fs.writeFile(file, 'onnx');
    await materializeModelData(pathToFileURL(file).href, target, noS3);
    assert.deepEqual(await tree(target), ['model.onnx']);
  });

  test('a missing path is an ArtifactError that names it', async () => {
    const { base, target } = await layout();
    const missing = path.join(base, 'nowhere', 'model.tar.gz');
    for (const url of [missing, pathToFileURL(missing).href]) {
      await assert.rejects(materializeModelData(url, target, noS3), (err: unknown) => {
        assert.ok(err instanceof ArtifactError);
        assert.ok(err.message.includes(missing), err.message);
        assert.match(err.message, /does not exist/);
        return true;
      });
    }
  });

  test('s3:// goes through the ArtifactSource and is extracted', async () => {
    const { base, target } = await layout();
    const bytes = await fs.readFile(await normalTarball(base));
    const calls: [string, string][] = [];
    const source: ArtifactSource = {
      fetchS3(bucket, key) {
        calls.push([bucket, key]);
        return Promise.resolve(Readable.from([bytes.subarray(0, 100), bytes.subarray(100)]));
      },
    };
    await materializeModelData('s3://my-bucket/models/v1/model.tar.gz', target, source);
    assert.deepEqual(calls, [['my-bucket', 'models/v1/model.tar.gz']]);
    await assertNormalContents(target);
    assert.deepEqual(await leftoverDownloads(target), [], 'the download is cleaned up');
  });

  test('s3:// to a single file puts the file in the directory', async () => {
    const { target } = await layout();
    const source: ArtifactSource = { fetchS3: () => Promise.resolve(Readable.from([Buffer.from('weights')])) };
    await materializeModelData('s3://b/prefix/weights.bin', target, source);
    assert.deepEqual(await tree(target), ['weights.bin']);
    assert.equal(await fs.readFile(path.join(target, 'weights.bin'), 'utf8'), 'weights');
  });

  test('a malicious tarball from S3 is refused too, and the download is cleaned up', async () => {
    const { base, target } = await layout();
    const evil = gzipSync(
      Buffer.concat([tarEntry('../escape.txt', 'file', { body: 'pwned' }), Buffer.alloc(1024)]),
    );
    const source: ArtifactSource = { fetchS3: () => Promise.resolve(Readable.from([evil])) };
    const before = await outsideTarget(base);
    await assert.rejects(materializeModelData('s3://b/model.tar.gz', target, source), ArtifactError);
    assert.deepEqual(await outsideTarget(base), before);
    assert.deepEqual(await leftoverDownloads(target), []);
  });

  test('an s3:// URL without a key is an ArtifactError', async () => {
    const { target } = await layout();
    await assert.rejects(materializeModelData('s3://just-a-bucket', target, noS3), (err: unknown) => {
      assert.ok(err instanceof ArtifactError);
      assert.match(err.message, /does not name an S3 object/);
      return true;
    });
  });

  test('an S3 failure is an ArtifactError naming the URL and the cause', async () => {
    const { target } = await layout();
    const source: ArtifactSource = { fetchS3: () => Promise.reject(new Error('NoSuchKey: The specified key does not exist.')) };
    await assert.rejects(materializeModelData('s3://b/missing.tar.gz', target, source), (err: unknown) => {
      assert.ok(err instanceof ArtifactError);
      assert.match(err.message, /Could not download s3:\/\/b\/missing\.tar\.gz: NoSuchKey/);
      return true;
    });
  });

  test(
    'an S3 stream that fails midway is an ArtifactError naming the URL, and leaves no partial download',
    async () => {
      const { target } = await layout();
      const failing = new Readable({
        read() {
          this.destroy(new Error('socket hang up'));
        },
      });
      const source: ArtifactSource = { fetchS3: () => Promise.resolve(failing) };
      await assert.rejects(materializeModelData('s3://b/model.tar.gz', target, source), (err: unknown) => {
        assert.ok(err instanceof ArtifactError, `expected an ArtifactError, got ${String(err)}`);
        assert.match(err.message, /s3:\/\/b\/model\.tar\.gz/);
        return true;
      });
      assert.deepEqual(await leftoverDownloads(target), [], 'no partial download is left behind');
    },
  );

  test(
    'an S3 key with spaces keeps its name',
    async () => {
      const { target } = await layout();
      const source: ArtifactSource = { fetchS3: () => Promise.resolve(Readable.from([Buffer.from('w')])) };
      await materializeModelData('s3://b/my weights.bin', target, source);
      assert.deepEqual(await tree(target), ['my weights.bin']);
    },
  );

  test('http:// is downloaded and extracted', async () => {
    const { target } = await layout();
    await materializeModelData(`${serverUrl}/models/model.tar.gz`, target, noS3);
    await assertNormalContents(target);
    assert.deepEqual(await leftoverDownloads(target), []);
  });

  test('an HTTP error is an ArtifactError with the status', async () => {
    const { target } = await layout();
    await assert.rejects(materializeModelData(`${serverUrl}/nothing.tar.gz`, target, noS3), (err: unknown) => {
      assert.ok(err instanceof ArtifactError);
      assert.match(err.message, /Could not download .*nothing\.tar\.gz: HTTP 404/);
      return true;
    });
  });
});
