// streaming-model: a SageMaker BYOC model server that streams its answer, the
// way response streaming expects (docs/aws-contract.md §8.4): HTTP/1.1 chunked
// transfer encoding, one chunk per token, server-sent-events style.
//
//   GET  /ping         200 {"status":"healthy"}
//   POST /invocations  body: JSON knobs (all optional), see containers/README.md
//     {"prompt": "a b c"}    stream these words as tokens (else "tokens")
//     {"tokens": 5}          stream t0..t4
//     {"delayMs": 50}        pause between tokens
//     {"firstByteDelayMs": 0} pause before the status line
//     {"failAfter": 2}       destroy the socket after 2 tokens (a broken stream)
//     {"status": 500}        answer this status and a text body, no stream
//   Each token is `data: {"token":"..."}\n\n`; the last event is
//   `data: {"done":true,...}\n\n` with the request headers the model saw.
//
// Zero npm dependencies (node:http only) so it runs on any base that has `node`.

import http from 'node:http';

const args = process.argv.slice(2);
if (!(args.length === 0 || (args.length === 1 && args[0] === 'serve'))) {
  process.stderr.write(`streaming-model: unsupported arguments: ${JSON.stringify(args)}\nusage: server.mjs serve\n`);
  process.exit(2);
}

const PORT = Number(process.env.SAGEMAKER_BIND_TO_PORT || 8080);
const MAX_BODY = 6 * 1024 * 1024;

function log(event, fields = {}) {
  process.stdout.write(JSON.stringify({ ts: new Date().toISOString(), event, ...fields }) + '\n');
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size <= MAX_BODY) chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function knobsOf(raw) {
  const text = raw.toString('utf8').trim();
  if (text === '') return {};
  const parsed = JSON.parse(text);
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new Error('the request body must be a JSON object');
  }
  return parsed;
}

function tokensOf(knobs) {
  if (typeof knobs.prompt === 'string') {
    return knobs.prompt.split(/\s+/).filter(Boolean);
  }
  const n = Number.isInteger(knobs.tokens) ? Math.max(0, Math.min(knobs.tokens, 100_000)) : 5;
  return Array.from({ length: n }, (_, i) => `t${i}`);
}

async function invoke(req, res) {
  const started = Date.now();
  let knobs;
  try {
    knobs = knobsOf(await readBody(req));
  } catch (err) {
    res.writeHead(400, { 'Content-Type': 'text/plain' });
    res.end(`bad request: ${err.message}`);
    return;
  }
  if (knobs.firstByteDelayMs > 0) await sleep(knobs.firstByteDelayMs);
  if (Number.isInteger(knobs.status) && knobs.status !== 200) {
    res.writeHead(knobs.status, { 'Content-Type': 'text/plain' });
    res.end(`streaming-model was told to answer ${knobs.status}`);
    log('invocation', { status: knobs.status, ms: Date.now() - started });
    return;
  }
  const headers = { 'Content-Type': 'text/event-stream' };
  const custom = req.headers['x-amzn-sagemaker-custom-attributes'];
  if (custom !== undefined) headers['X-Amzn-SageMaker-Custom-Attributes'] = custom;
  res.writeHead(200, headers);
  // No Content-Length: Node sends the answer chunked, one chunk per write.
  res.flushHeaders();
  const tokens = tokensOf(knobs);
  const delayMs = Number(knobs.delayMs) > 0 ? Number(knobs.delayMs) : 0;
  let closed = false;
  res.on('close', () => (closed = true));
  for (let i = 0; i < tokens.length; i++) {
    if (i > 0 && delayMs > 0) await sleep(delayMs);
    if (closed) return;
    if (Number.isInteger(knobs.failAfter) && i === knobs.failAfter) {
      // Every token before this one has reached the socket (see the write below): only the rest is lost.
      log('invocation', { status: 200, broken: true, tokens: i, ms: Date.now() - started });
      res.socket?.destroy();
      return;
    }
    // Wait for the chunk to be handed to the socket, so that a failAfter that follows cannot discard it.
    await new Promise((resolve) => res.write(`data: ${JSON.stringify({ token: tokens[i] })}\n\n`, resolve));
  }
  const done = {
    done: true,
    tokens: tokens.length,
    contentType: req.headers['content-type'] ?? null,
    accept: req.headers['accept'] ?? null,
    customAttributes: custom ?? null,
    inferenceId: req.headers['x-amzn-sagemaker-inference-id'] ?? null,
  };
  res.end(`data: ${JSON.stringify(done)}\n\n`);
  log('invocation', { status: 200, tokens: tokens.length, ms: Date.now() - started });
}

const server = http.createServer((req, res) => {
  const url = req.url.split('?')[0];
  if (req.method === 'GET' && url === '/ping') {
    res.writeHead(200, { 'Content-Type': 'application/json' });
    res.end('{"status":"healthy"}');
    return;
  }
  if (req.method === 'POST' && url === '/invocations') {
    invoke(req, res).catch((err) => {
      log('invocation_failed', { error: String(err) });
      res.destroy();
    });
    return;
  }
  res.writeHead(404, { 'Content-Type': 'text/plain' });
  res.end('not found');
});
server.keepAliveTimeout = 65_000;

server.listen(PORT, '0.0.0.0', () => log('listening', { port: PORT }));

process.on('SIGTERM', () => {
  log('shutdown');
  server.close();
  server.closeAllConnections?.();
  process.exit(0);
});
