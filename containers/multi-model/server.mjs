// multi-model: a sample SageMaker multi-model endpoint container.
//
// It implements the container side of the multi-model API (docs/aws-contract.md §8.2):
//   POST   /models                 {"model_name","url"}: load the model found at url
//   GET    /models                 list the loaded models (next_page_token, max_results)
//   GET    /models/<name>          describe one loaded model (404 when not loaded)
//   DELETE /models/<name>          unload it (404 when not loaded)
//   POST   /models/<name>/invoke   run it on the request body (404 when not loaded)
//   GET    /ping                   200 once the server is up
//
// A "model" is a directory; its optional model.json is the model:
//   {"answer": <any JSON>, "loadDelayMs": <ms the load takes>, "sizeMb": <MiB held while loaded>}
// Knobs (environment): MAX_LOADED_MODELS (loads beyond it answer 507, so the
// platform unloads one and retries), SAGEMAKER_BIND_TO_PORT.
// Zero npm dependencies (node:http only) so it runs on any base that has `node`.

import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';

const MiB = 1024 * 1024;
const PORT = Number(process.env.SAGEMAKER_BIND_TO_PORT || 8080);
const MAX_LOADED = Number(process.env.MAX_LOADED_MODELS || 0);
const PAGE_SIZE = 100;

/** name -> {url, model, files, memory, loadedAt} */
const loaded = new Map();
/** name -> how many times it was loaded since the container started */
const loadCounts = new Map();
/** names whose load is in progress */
const loading = new Set();

function log(event, fields = {}) {
  process.stdout.write(JSON.stringify({ ts: new Date().toISOString(), event, ...fields }) + '\n');
}

function send(res, status, body) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function listFiles(dir, prefix = '') {
  const out = [];
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${e.name}` : e.name;
    if (e.isDirectory()) out.push(...listFiles(path.join(dir, e.name), rel));
    else out.push(rel);
  }
  return out.sort();
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function load(req, res) {
  let spec;
  try {
    spec = JSON.parse((await readBody(req)).toString('utf8'));
  } catch {
    return send(res, 400, { message: 'the body must be JSON: {"model_name","url"}' });
  }
  const name = spec?.model_name;
  const url = spec?.url;
  if (typeof name !== 'string' || !name || typeof url !== 'string' || !url) {
    return send(res, 400, { message: 'model_name and url are required' });
  }
  if (loaded.has(name) || loading.has(name)) {
    return send(res, 409, { message: `model ${name} is already loaded` });
  }
  if (MAX_LOADED > 0 && loaded.size + loading.size >= MAX_LOADED) {
    log('load_refused', { model: name, loaded: loaded.size, limit: MAX_LOADED });
    return send(res, 507, { message: `cannot load ${name}: ${loaded.size} models loaded, the limit is ${MAX_LOADED}` });
  }
  let files;
  try {
    files = listFiles(url);
  } catch (err) {
    return send(res, 404, { message: `no model at ${url}: ${err.code ?? err.message}` });
  }
  let model = null;
  if (files.includes('model.json')) {
    try {
      model = JSON.parse(fs.readFileSync(path.join(url, 'model.json'), 'utf8'));
    } catch (err) {
      return send(res, 400, { message: `model.json of ${name} is not JSON: ${err.message}` });
    }
  }
  const t0 = Date.now();
  loading.add(name);
  try {
    if (Number.isFinite(model?.loadDelayMs) && model.loadDelayMs > 0) await sleep(model.loadDelayMs);
  } finally {
    loading.delete(name);
  }
  const memory = Number.isFinite(model?.sizeMb) && model.sizeMb > 0 ? Buffer.alloc(model.sizeMb * MiB, 1) : null;
  loaded.set(name, { url, model, files, memory, loadedAt: Date.now() });
  loadCounts.set(name, (loadCounts.get(name) ?? 0) + 1);
  log('model_loaded', { model: name, url, files: files.length, ms: Date.now() - t0, loaded: loaded.size });
  return send(res, 200, { status: `Model ${name} loaded` });
}

function list(url, res) {
  const names = [...loaded.keys()].sort();
  const token = url.searchParams.get('next_page_token');
  const size = Math.max(1, Math.min(PAGE_SIZE, Number(url.searchParams.get('max_results') || PAGE_SIZE)));
  const start = token ? Math.max(0, names.findIndex((n) => n > token)) : 0;
  const page = start < 0 ? [] : names.slice(start, start + size);
  const body = { models: page.map((n) => ({ modelName: n, modelUrl: loaded.get(n).url })) };
  if (start + size < names.length) body.nextPageToken = page.at(-1);
  return send(res, 200, body);
}

async function invoke(name, req, res) {
  const body = await readBody(req);
  const entry = loaded.get(name);
  if (!entry) {
    return send(res, 404, { message: `model ${name} is not loaded` });
  }
  const contentType = req.headers['content-type'] ?? null;
  let input = body.toString('utf8').slice(0, 1000);
  if (contentType?.includes('json')) {
    try {
      input = JSON.parse(body.toString('utf8'));
    } catch {
      // not JSON after all: keep the text
    }
  }
  const custom = req.headers['x-amzn-sagemaker-custom-attributes'];
  if (custom !== undefined) res.setHeader('X-Amzn-SageMaker-Custom-Attributes', custom);
  log('invocation', { model: name, targetModel: req.headers['x-amzn-sagemaker-target-model'] ?? null, bodyBytes: body.length });
  return send(res, 200, {
    modelName: name,
    targetModel: req.headers['x-amzn-sagemaker-target-model'] ?? null,
    answer: entry.model?.answer ?? null,
    modelFiles: entry.files,
    loads: loadCounts.get(name),
    loadedModels: loaded.size,
    hostname: os.hostname(),
    contentType,
    input,
  });
}

const server = http.createServer((req, res) => {
  const url = new URL(req.url ?? '/', 'http://model');
  const parts = url.pathname.split('/').filter(Boolean).map(decodeURIComponent);
  const route = `${req.method} /${parts[0] ?? ''}${parts.length > 1 ? '/:name' : ''}${parts.length > 2 ? `/${parts[2]}` : ''}`;
  const run = async () => {
    switch (route) {
      case 'GET /ping':
        return send(res, 200, { status: 'healthy', loaded: loaded.size });
      case 'POST /models':
        return load(req, res);
      case 'GET /models':
        return list(url, res);
      case 'GET /models/:name': {
        const m = loaded.get(parts[1]);
        return m ? send(res, 200, { modelName: parts[1], modelUrl: m.url }) : send(res, 404, { message: `model ${parts[1]} is not loaded` });
      }
      case 'DELETE /models/:name': {
        if (!loaded.delete(parts[1])) return send(res, 404, { message: `model ${parts[1]} is not loaded` });
        log('model_unloaded', { model: parts[1], loaded: loaded.size });
        return send(res, 200, { status: `Model ${parts[1]} unloaded` });
      }
      case 'POST /models/:name/invoke':
        return invoke(parts[1], req, res);
      case 'POST /invocations':
        return send(res, 400, { message: 'this container serves multi-model endpoints: POST /models/<name>/invoke' });
      default:
        return send(res, 404, { message: `no route ${req.method} ${url.pathname}` });
    }
  };
  run().catch((err) => send(res, 500, { message: err.message }));
});

const args = process.argv.slice(2);
if (!(args.length === 0 || (args.length === 1 && args[0] === 'serve'))) {
  process.stderr.write(`multi-model: unsupported arguments ${JSON.stringify(args)}; usage: server.mjs serve\n`);
  process.exit(2);
}
server.keepAliveTimeout = 65_000;
server.listen(PORT, '0.0.0.0', () => log('listening', { port: PORT, maxLoadedModels: MAX_LOADED || null, multiModel: process.env.SAGEMAKER_MULTI_MODEL ?? null }));
process.on('SIGTERM', () => {
  log('shutdown');
  server.close();
  server.closeAllConnections();
  process.exit(0);
});
