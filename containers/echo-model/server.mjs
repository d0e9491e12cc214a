// echo-model: a minimal SageMaker "bring your own container" (BYOC) model server.
//
// Hosting contract shown here:
//   * SageMaker starts the container as `docker run IMAGE serve`.
//   * The server listens on 0.0.0.0:8080 (or $SAGEMAKER_BIND_TO_PORT).
//   * GET /ping answers 200 once the model is ready.
//   * POST /invocations runs one inference on the request body.
//   * The model artifact (model.tar.gz) is unpacked into /opt/ml/model.
//
// Zero npm dependencies (node:http only) so it runs on any base that has `node`.
// See containers/README.md for the test behaviours and environment knobs.

import http from 'node:http';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const startedAt = Date.now();
const MODEL_DIR = process.env.SAGEMAKER_MODEL_DIR || '/opt/ml/model';
const MAX_INPUT_CHARS = 1000;
const MiB = 1024 * 1024;

function log(event, fields = {}) {
  process.stdout.write(JSON.stringify({ ts: new Date().toISOString(), event, ...fields }) + '\n');
}

function logError(event, fields = {}) {
  process.stderr.write(JSON.stringify({ ts: new Date().toISOString(), level: 'error', event, ...fields }) + '\n');
}

// ---------------------------------------------------------------- arguments
const args = process.argv.slice(2);
if (!(args.length === 0 || (args.length === 1 && args[0] === 'serve'))) {
  process.stderr.write(
    `echo-model: unsupported arguments: ${JSON.stringify(args)}\n` +
      'usage: server.mjs serve   (SageMaker hosting runs the container as `docker run IMAGE serve`)\n',
  );
  process.exit(2);
}

// ---------------------------------------------------------------- env knobs
function intEnv(name) {
  const raw = process.env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const n = Number(raw);
  if (!Number.isInteger(n)) {
    process.stderr.write(`echo-model: ignoring ${name}=${JSON.stringify(raw)} (not an integer)\n`);
    return undefined;
  }
  return n;
}

const EXIT_AT_START = intEnv('EXIT_AT_START');
const PING_DELAY_MS = intEnv('PING_DELAY_MS') ?? 0;
const PING_STATUS = intEnv('PING_STATUS');
const PORT = intEnv('SAGEMAKER_BIND_TO_PORT') ?? 8080;

log('start', {
  pid: process.pid,
  node: process.version,
  hostname: os.hostname(),
  port: PORT,
  modelDir: MODEL_DIR,
  pingDelayMs: PING_DELAY_MS,
  pingStatus: PING_STATUS ?? null,
});

if (EXIT_AT_START !== undefined) {
  process.stderr.write('echo-model: loading model from ' + MODEL_DIR + '\n');
  process.stderr.write('echo-model: ERROR: model failed to load (EXIT_AT_START is set)\n');
  process.stderr.write(`echo-model: exiting with code ${EXIT_AT_START}\n`);
  process.exit(EXIT_AT_START);
}

// ---------------------------------------------------------------- model load
function listFiles(dir, prefix = '') {
  let entries;
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (err) {
    if (prefix === '') logError('model_dir_unreadable', { dir, error: err.message });
    return [];
  }
  const out = [];
  for (const e of entries) {
    const rel = prefix + e.name;
    if (e.isDirectory()) out.push(...listFiles(path.join(dir, e.name), rel + '/'));
    else out.push(rel);
  }
  return out.sort();
}

const modelFiles = listFiles(MODEL_DIR);
let model = null;
const modelJsonPath = path.join(MODEL_DIR, 'model.json');
if (fs.existsSync(modelJsonPath)) {
  try {
    model = JSON.parse(fs.readFileSync(modelJsonPath, 'utf8'));
  } catch (err) {
    logError('model_json_invalid', { path: modelJsonPath, error: err.message });
  }
}
log('model_loaded', { model, modelFiles });

// ---------------------------------------------------------------- helpers
const hogs = []; // allocMb keeps its buffers here so they are never collected

function send(res, status, body, contentType, extraHeaders = {}) {
  const buf = Buffer.isBuffer(body) ? body : Buffer.from(body);
  res.writeHead(status, { 'Content-Type': contentType, 'Content-Length': buf.length, ...extraHeaders });
  res.end(buf);
}

function sendJson(res, status, obj, extraHeaders) {
  send(res, status, JSON.stringify(obj), 'application/json', extraHeaders);
}

function isJsonish(contentType) {
  if (!contentType) return false;
  const mime = contentType.split(';')[0].trim().toLowerCase();
  return mime === 'application/json' || mime.endsWith('+json') || mime.endsWith('/json') || mime === 'application/jsonlines';
}

function isPlainObject(v) {
  return v !== null && typeof v === 'object' && !Array.isArray(v);
}

function nonNegInt(v) {
  return Number.isInteger(v) && v >= 0;
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

// ---------------------------------------------------------------- handlers
let lastPingStatus = null;

function handlePing(req, res) {
  let status;
  let body;
  if (PING_STATUS !== undefined) {
    status = PING_STATUS;
    body = { status: 'unhealthy', reason: 'PING_STATUS is set' };
  } else if (Date.now() - startedAt < PING_DELAY_MS) {
    status = 503;
    body = { status: 'loading', readyInMs: PING_DELAY_MS - (Date.now() - startedAt) };
  } else {
    status = 200;
    body = { status: 'healthy' };
  }
  if (status !== lastPingStatus) {
    log('ping_status', { status, previous: lastPingStatus });
    lastPingStatus = status;
  }
  sendJson(res, status, body);
}

async function handleInvocation(req, res, t0) {
  const customAttributes = req.headers['x-amzn-sagemaker-custom-attributes'] ?? null;
  const echoHeaders = customAttributes === null ? {} : { 'X-Amzn-SageMaker-Custom-Attributes': customAttributes };
  const contentType = req.headers['content-type'] ?? null;
  const accept = req.headers['accept'] ?? null;

  const body = await readBody(req);
  let input;
  let parsed = false;
  if (isJsonish(contentType)) {
    try {
      input = JSON.parse(body.toString('utf8'));
      parsed = true;
    } catch {
      /* fall through to the string form */
    }
  }
  if (!parsed) input = body.toString('utf8').slice(0, MAX_INPUT_CHARS);

  const done = (status) =>
    log('invocation', { method: req.method, status, ms: Date.now() - t0, bodyBytes: body.length, contentType });

  // Test behaviours, applied in this order: sleepMs, burnMs, allocMb, exit, disconnect, status, echoBytes.
  //   burnMs      keep one CPU busy for that long (a tight loop), for tests of CPUUtilization
  //   disconnect  "before-answer": close the connection without answering;
  //               "mid-answer": send the headers and half the declared body, then close it
  if (parsed && isPlainObject(input)) {
    if (nonNegInt(input.sleepMs) && input.sleepMs > 0) await sleep(input.sleepMs);

    if (nonNegInt(input.burnMs) && input.burnMs > 0) {
      const until = Date.now() + input.burnMs;
      let spins = 0;
      while (Date.now() < until) spins++;
      log('burned', { burnMs: input.burnMs, spins });
    }

    if (nonNegInt(input.allocMb) && input.allocMb > 0) {
      for (let i = 0; i < input.allocMb; i++) {
        const b = Buffer.allocUnsafe(MiB);
        b.fill(i % 251 + 1); // touch every page so it counts against the memory cgroup
        hogs.push(b);
      }
      log('allocated', { allocMb: input.allocMb, totalMb: hogs.length, rssMb: Math.round(process.memoryUsage().rss / MiB) });
    }

    if (input.exit !== undefined) {
      const code = input.exit;
      if (Number.isInteger(code) && code >= 0 && code <= 255) {
        process.stderr.write(`echo-model: exiting with code ${code} as requested\n`);
        process.exit(code);
      }
      done(400);
      return sendJson(res, 400, { error: `"exit" must be an integer 0-255, got ${JSON.stringify(code)}` }, echoHeaders);
    }

    if (input.disconnect !== undefined) {
      if (input.disconnect === 'before-answer') {
        done(0);
        return req.socket.destroy();
      }
      if (input.disconnect === 'mid-answer') {
        done(200);
        res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': 2048 });
        // Flushed before the socket goes: the caller has the headers and 1024 of the 2048 bytes.
        return res.write(Buffer.alloc(1024, 'x'), () => setTimeout(() => req.socket.destroy(), 50));
      }
      done(400);
      return sendJson(res, 400, { error: `"disconnect" must be "before-answer" or "mid-answer", got ${JSON.stringify(input.disconnect)}` }, echoHeaders);
    }

    if (input.status !== undefined) {
      const s = input.status;
      if (!(Number.isInteger(s) && s >= 200 && s <= 599)) {
        done(400);
        return sendJson(res, 400, { error: `"status" must be an integer 200-599, got ${JSON.stringify(s)}` }, echoHeaders);
      }
      done(s);
      if (typeof input.errorText === 'string') return send(res, s, input.errorText, 'text/plain; charset=utf-8', echoHeaders);
      return sendJson(res, s, { error: `requested status ${s}` }, echoHeaders);
    }

    if (input.echoBytes !== undefined) {
      const n = input.echoBytes;
      if (!nonNegInt(n)) {
        done(400);
        return sendJson(res, 400, { error: `"echoBytes" must be a non-negative integer, got ${JSON.stringify(n)}` }, echoHeaders);
      }
      done(200);
      return send(res, 200, Buffer.alloc(n, 'abcdefghijklmnopqrstuvwxyz'), 'application/octet-stream', echoHeaders);
    }
  }

  done(200);
  sendJson(
    res,
    200,
    {
      model,
      modelFiles,
      contentType,
      accept,
      customAttributes,
      bodyBytes: body.length,
      input,
      env: { MODEL_GREETING: process.env.MODEL_GREETING ?? null },
      hostname: os.hostname(),
      pid: process.pid,
    },
    echoHeaders,
  );
}

const server = http.createServer((req, res) => {
  const t0 = Date.now();
  const url = (req.url || '/').split('?')[0];
  if (url === '/ping' && (req.method === 'GET' || req.method === 'HEAD')) return handlePing(req, res);
  if (url === '/invocations') {
    if (req.method !== 'POST') return sendJson(res, 405, { error: 'use POST /invocations' }, { Allow: 'POST' });
    return handleInvocation(req, res, t0).catch((err) => {
      logError('invocation_failed', { error: err.stack || String(err) });
      if (!res.headersSent) sendJson(res, 500, { error: String(err.message || err) });
      else res.destroy();
    });
  }
  sendJson(res, 404, { error: `no route for ${req.method} ${url}` });
});

// Callers (SageMaker's front end, the emulator) reuse keep-alive connections; keep them
// open longer than a typical client's idle timeout so a reused socket is not reset.
server.keepAliveTimeout = 65_000;
server.headersTimeout = 66_000;
server.requestTimeout = 0;

server.on('error', (err) => {
  logError('server_error', { error: err.message });
  process.exit(1);
});

server.listen(PORT, '0.0.0.0', () => {
  log('listening', { address: '0.0.0.0', port: PORT, startupMs: Date.now() - startedAt });
});

// ---------------------------------------------------------------- shutdown
// `docker stop` sends SIGTERM. As PID 1 in a container node gets no default signal
// handling, so these handlers are what make it exit promptly.
function shutdown(signal) {
  log('shutdown', { signal });
  server.close(() => process.exit(0));
  server.closeAllConnections();
  setTimeout(() => process.exit(0), 500).unref();
}
process.on('SIGTERM', () => shutdown('SIGTERM'));
process.on('SIGINT', () => shutdown('SIGINT'));

process.on('uncaughtException', (err) => {
  logError('uncaught_exception', { error: err.stack || String(err) });
  process.exit(1);
});
