import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import pLimit from 'p-limit';
import { CreateBucketCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { SageMakerClient } from '@aws-sdk/client-sagemaker';
import { InvokeEndpointCommand, SageMakerRuntimeClient } from '@aws-sdk/client-sagemaker-runtime';
import { pollUntil, TIMEOUT, within } from '../helpers/bounded.js';
import { generateCorpus, type Answer, type RawTextCase } from '../helpers/corpus/index.js';
import { corpusSeed } from '../helpers/corpus/prng.js';
import { encodeRequest, sendRaw } from '../helpers/corpus/send.js';
import { assertNoContainersLeft } from '../helpers/child-emulator.js';
import { requireDocker } from '../helpers/docker.js';
import { credentials } from '../helpers/emulator.js';
import { freePort } from '../helpers/free-port.js';
import { createEndpoint } from '../helpers/sagemaker.js';

/**
 * The hostile-input corpus (README, "Hostile-input corpus"): over 1,000
 * seeded requests against the emulator as a child process. Each answer must be
 * the AWS-shaped error (or a success); across the run the process never dies,
 * /health stays 200, nothing is written outside the state directory, and an
 * endpoint created before the corpus still serves. SME_CORPUS_SEED=<n> replays a run.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const BIN = path.join(ROOT, 'bin', 'sagemaker-emulator.js');
const CONCURRENCY = 6;
const REQUEST_TIMEOUT_MS = 20_000;

/** Every path under dir, relative, skipping `skip` (the state directory). Bounded by depth. */
function listTree(dir: string, skip?: string, depth = 8): string[] {
  const out: string[] = [];
  const walk = (d: string, level: number) => {
    if (level > depth || d === skip) {
      return;
    }
    for (const e of readdirSync(d, { withFileTypes: true })) {
      const p = path.join(d, e.name);
      if (p === skip) {
        continue;
      }
      out.push(path.relative(dir, p));
      if (e.isDirectory()) {
        walk(p, level + 1);
      }
    }
  };
  walk(dir, 0);
  return out.sort();
}

/** Files named with the run's marker under dir (find, bounded in depth and time), outside `skip`. */
function findMarker(dir: string, marker: string, skip: string[], maxDepth: number): string[] {
  const prune = skip.flatMap((s) => ['-path', s, '-prune', '-o']);
  try {
    const out = execFileSync('find', [dir, '-xdev', '-maxdepth', String(maxDepth), ...prune, '-name', `*${marker}*`, '-print'], {
      encoding: 'utf8',
      timeout: 60_000,
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    return out.split('\n').filter(Boolean);
  } catch (err) {
    // find exits 1 on unreadable directories: what it printed still counts.
    return String((err as { stdout?: string }).stdout ?? '').split('\n').filter(Boolean);
  }
}

/**
 * The codes strict auth answers with (README, "Strict authentication"): in
 * AWS JSON `__type`, S3 and query XML `<Code>`, or a CBOR body's text.
 */
const AUTH_CODES =
  /\b(?:UnrecognizedClientException|InvalidSignatureException|MissingAuthenticationTokenException|IncompleteSignatureException|InvalidAccessKeyId|SignatureDoesNotMatch|AccessDenied|RequestTimeTooSkewed|AuthorizationHeaderMalformed|AuthorizationQueryParametersError|InvalidRequest|InvalidClientTokenId|MissingAuthenticationToken|IncompleteSignature)\b/;

/** A strict-auth refusal: 400 or 403 with one of the auth codes. */
function authRefusal(answer: Answer): boolean {
  return (answer.status === 403 || answer.status === 400) && AUTH_CODES.test(answer.body.toString('utf8'));
}

/**
 * What the repository holds, to tell whether the corpus wrote into it: git's
 * view in a clone, else (a `git archive` extraction) the list of its files.
 */
function repoState(): string {
  if (existsSync(path.join(ROOT, '.git'))) {
    return execFileSync('git', ['status', '--porcelain', '--untracked-files=all'], { cwd: ROOT, encoding: 'utf8', timeout: 30_000 });
  }
  const prune = ['node_modules', 'dist', 'test-artifacts'].flatMap((d) => ['-path', path.join(ROOT, d), '-prune', '-o']);
  return execFileSync('find', [ROOT, ...prune, '-print'], { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 * 1024 * 1024 })
    .split('\n')
    .sort()
    .join('\n');
}

/**
 * The corpus runs twice: with the default auth (any credentials), and with
 * SME_AUTH=strict, where every unsigned or badly signed case must get the
 * service's auth error instead, and the verifier sees every malformed header.
 */
for (const auth of ['any', 'strict'] as const) {
  describe(`the hostile-input corpus (SME_AUTH=${auth})`, { timeout: TIMEOUT.suite }, () => {
    const seed = corpusSeed();
    const marker = `smc${seed.toString(36)}${process.pid.toString(36)}${auth === 'strict' ? 's' : 'a'}`;
    const tempRoot = mkdtempSync(path.join(os.tmpdir(), 'sme-corpus-'));
    const stateDir = path.join(tempRoot, 'state');
    const cwd = path.join(tempRoot, 'cwd');
    let child: ReturnType<typeof spawn> | undefined;
    let exit: { code: number | null; signal: string | null } | undefined;
    let exited: Promise<unknown> = Promise.resolve();
    let output = '';
    let port = 0;
    let url = '';
    let sm: SageMakerClient | undefined;
    let rt: SageMakerRuntimeClient | undefined;
    let s3: S3Client | undefined;
    let endpoint = '';
    const bucket = `${marker}-bucket`;
    let treeBefore: string[] = [];
    let repoBefore = '';

    before(async () => {
      requireDocker();
      mkdirSync(cwd);
      port = await freePort();
      url = `http://127.0.0.1:${port}`;
      const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !k.startsWith('SME_') && !k.startsWith('AWS_ENDPOINT_URL')));
      child = spawn(process.execPath, [BIN], {
        cwd,
        env: {
          ...env,
          SME_PORT: String(port),
          SME_STATE_DIR: stateDir,
          SME_LOG_LEVEL: 'warn',
          SME_AUTH: auth,
          ...(auth === 'strict' ? { SME_CREDENTIALS: `${credentials.accessKeyId}:${credentials.secretAccessKey}` } : {}),
        },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      child.stdout!.on('data', (c: Buffer) => (output = (output + c.toString('utf8')).slice(-20_000)));
      child.stderr!.on('data', (c: Buffer) => (output = (output + c.toString('utf8')).slice(-20_000)));
      exited = new Promise((resolve) => child!.once('exit', (code, signal) => resolve((exit = { code, signal }))));
      await pollUntil(
        'the child emulator to answer /health',
        async () => {
          assert.equal(exit, undefined, `the child exited before answering /health:\n${output}`);
          return fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) }).then((r) => r.ok, () => false);
        },
        { timeoutMs: 60_000, intervalMs: 100 },
      );
      const config = { endpoint: url, region: 'us-east-1', credentials, maxAttempts: 1 };
      sm = new SageMakerClient(config);
      rt = new SageMakerRuntimeClient(config);
      s3 = new S3Client({ ...config, forcePathStyle: true });
      ({ endpoint } = await createEndpoint(sm));
      await s3.send(new CreateBucketCommand({ Bucket: bucket }));
      await s3.send(new PutObjectCommand({ Bucket: bucket, Key: `${marker}-ranged`, Body: 'range me please' }));
      treeBefore = listTree(tempRoot, stateDir);
      repoBefore = repoState();
    });

    after(async () => {
      sm?.destroy();
      rt?.destroy();
      s3?.destroy();
      if (child && exit === undefined) {
        child.kill('SIGTERM');
        await within('the child emulator to exit on SIGTERM', 60_000, exited).catch(() => child!.kill('SIGKILL'));
      }
      try {
        assertNoContainersLeft(stateDir, 'after the corpus');
      } finally {
        rmSync(tempRoot, { recursive: true, force: true });
      }
    });

    const invokeOk = async (what: string) => {
      const r = await rt!.send(new InvokeEndpointCommand({ EndpointName: endpoint, ContentType: 'application/json', Body: JSON.stringify({ corpus: what }) }));
      assert.match(Buffer.from(r.Body!).toString('utf8'), new RegExp(what), `the endpoint answers ${what}`);
    };

    test(`≥ 1,000 hostile requests get AWS-shaped answers, and nothing breaks (seed ${seed})`, { timeout: TIMEOUT.suite - 30_000 }, async () => {
      await invokeOk('before-the-corpus');
      const all = generateCorpus(seed, { marker, bucket, endpoint });
      assert.ok(all.length >= 1000, `${all.length} cases`);
      // SME_CORPUS_ONLY=<regex>: replay only the cases whose ids match (a failure report's ids).
      const only = process.env.SME_CORPUS_ONLY ? new RegExp(process.env.SME_CORPUS_ONLY) : undefined;
      const cases = only ? all.filter((c) => only.test(c.id)) : all;
      const failures: string[] = [];
      const dump: string[] = [];
      const healthProblems: string[] = [];
      const statusCounts = new Map<number, number>();
      const limit = pLimit(CONCURRENCY);
      const started = Date.now();
      const host = `127.0.0.1:${port}`;
      const run = async (c: RawTextCase) => {
        const bytes = c.raw ?? encodeRequest(c.request, host);
        const answer: Answer = await sendRaw(port, bytes, REQUEST_TIMEOUT_MS, c.request.method === 'HEAD');
        statusCounts.set(answer.status, (statusCounts.get(answer.status) ?? 0) + 1);
        let problem: string | undefined;
        try {
          // Under strict auth a case signed with a key we do not hold is refused before anything else: that refusal is its right answer.
          problem = auth === 'strict' && authRefusal(answer) ? undefined : c.expect(answer);
        } catch (err) {
          problem = `the check threw: ${(err as Error).message}`;
        }
        if (process.env.SME_CORPUS_DUMP) {
          // A debugging aid: every case's answer, one line each.
          dump.push(`${c.id}\t${answer.status}\t${answer.headers['x-amzn-errortype'] ?? ''}\t${answer.body.toString('utf8').replace(/\s+/g, ' ').slice(0, 300)}`);
        }
        if (problem) {
          failures.push(`${c.id}: ${problem.replace(/\s+/g, ' ').slice(0, 400)}`);
        }
      };
      for (let i = 0; i < cases.length; i += 100) {
        await Promise.all(cases.slice(i, i + 100).map((c) => limit(() => run(c))));
        // Every 100 cases: the process is alive and /health is 200.
        if (exit !== undefined) {
          healthProblems.push(`the child exited after case ${i + 100}: ${JSON.stringify(exit)}`);
          break;
        }
        const health = await fetch(`${url}/health`, { signal: AbortSignal.timeout(10_000) }).then((r) => r.status, (e: Error) => e.message);
        if (health !== 200) {
          healthProblems.push(`/health answered ${health} after case ${i + 100}`);
        }
      }
      const ms = Date.now() - started;
      if (process.env.SME_CORPUS_DUMP) {
        writeFileSync(process.env.SME_CORPUS_DUMP, dump.sort().join('\n'));
      }
      console.log(
        `hostile corpus: seed ${seed}, ${cases.length} cases in ${ms} ms (${Math.round(ms / cases.length)} ms each at concurrency ${CONCURRENCY}); statuses ${JSON.stringify(Object.fromEntries([...statusCounts].sort((a, b) => a[0] - b[0])))}`,
      );

      // After the corpus: alive, healthy, the endpoint still serves, nothing written outside the state directory.
      assert.equal(exit, undefined, `the child emulator exited: ${JSON.stringify(exit)}\n${output.slice(-4000)}`);
      await invokeOk('after-the-corpus');
      const treeAfter = listTree(tempRoot, stateDir);
      const added = treeAfter.filter((p) => !treeBefore.includes(p));
      const repoAfter = repoState();
      const leaks = [
        ...added.map((p) => `written in the temp root outside the state directory: ${p}`),
        ...(repoAfter === repoBefore ? [] : [`the repository changed:\n${repoAfter}`]),
        ...findMarker(tempRoot, marker, [stateDir], 12).map((p) => `a traversal target exists: ${p}`),
        ...findMarker(ROOT, marker, [path.join(ROOT, 'node_modules'), path.join(ROOT, '.git')], 8).map((p) => `a traversal target exists: ${p}`),
        ...findMarker(os.tmpdir(), marker, [stateDir], 4).map((p) => `a traversal target exists: ${p}`),
        ...findMarker('/', marker, ['/proc', '/sys', '/dev', os.tmpdir(), ROOT, '/work'], 3).map((p) => `a traversal target exists: ${p}`),
      ];
      const report = [...healthProblems, ...leaks, ...failures];
      assert.deepEqual(
        report,
        [],
        `hostile corpus, seed ${seed} (replay: SME_CORPUS_SEED=${seed}): ${failures.length} of ${cases.length} cases failed, ${leaks.length} leaks, ${healthProblems.length} health problems\n${report.slice(0, 80).join('\n')}`,
      );
    });
  });
}
