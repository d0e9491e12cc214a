// batch-model: a sample model for batch transform.
//
// POST /invocations answers one prediction per record of its body:
//   text/csv             each line "x1,x2,…" → a line with the sum of its numeric columns
//   application/jsonlines each line {"features":[…]} (or a JSON array) → a line {"prediction": sum}
//   application/json     one object or array → {"prediction": sum}
// so MultiRecord requests (many lines) get as many lines back, in order.
// A record containing the word "fail" makes the whole request answer 400 with
// "cannot score record: <record>"; a CSV record "env:NAME" answers the value of
// the container's environment variable NAME (to check what the platform sets).
// GET /execution-parameters answers $EXECUTION_PARAMETERS (JSON) when it is set,
// else 404. DELAY_MS delays every answer to /invocations. Zero npm dependencies.

import http from 'node:http';

const PORT = Number(process.env.SAGEMAKER_BIND_TO_PORT || 8080);
const DELAY_MS = Number(process.env.DELAY_MS || 0);

function log(event, fields = {}) {
  process.stdout.write(JSON.stringify({ ts: new Date().toISOString(), event, ...fields }) + '\n');
}

const sum = (values) => values.map(Number).filter((n) => Number.isFinite(n)).reduce((a, b) => a + b, 0);

function featuresOf(value) {
  if (Array.isArray(value)) return value;
  if (value && typeof value === 'object') return Array.isArray(value.features) ? value.features : Object.values(value);
  return [value];
}

class RecordError extends Error {}

function predict(body, contentType) {
  const text = body.toString('utf8');
  const type = (contentType || 'text/csv').split(';')[0].trim().toLowerCase();
  if (type === 'application/json') {
    if (text.includes('fail')) throw new RecordError(text);
    return { lines: [JSON.stringify({ prediction: sum(featuresOf(JSON.parse(text))) })], records: 1, type };
  }
  const lines = text.split('\n').map((l) => l.replace(/\r$/, ''));
  if (lines.length > 1 && lines.at(-1) === '') lines.pop();
  const out = lines.map((line) => {
    if (line.includes('fail')) throw new RecordError(line);
    if (type === 'application/jsonlines' || type === 'application/x-jsonlines') {
      return JSON.stringify({ prediction: sum(featuresOf(JSON.parse(line))) });
    }
    if (line.startsWith('env:')) return process.env[line.slice(4)] ?? '';
    return String(sum(line.split(',')));
  });
  return { lines: out, records: lines.length, type };
}

const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const answer = (status, type, text, delay = 0) => {
      setTimeout(() => {
        res.writeHead(status, { 'Content-Type': type, 'Content-Length': Buffer.byteLength(text) });
        res.end(text);
      }, delay);
    };
    if (req.method === 'GET' && req.url === '/ping') return answer(200, 'application/json', '{"status":"healthy"}');
    if (req.method === 'GET' && req.url === '/execution-parameters') {
      return process.env.EXECUTION_PARAMETERS
        ? answer(200, 'application/json', process.env.EXECUTION_PARAMETERS)
        : answer(404, 'text/plain', 'no execution parameters');
    }
    if (req.method !== 'POST' || req.url !== '/invocations') return answer(404, 'text/plain', `no route ${req.method} ${req.url}`);
    const body = Buffer.concat(chunks);
    try {
      const { lines, records, type } = predict(body, req.headers['content-type']);
      log('invocation', { records, bytes: body.length, contentType: type });
      const accept = req.headers.accept && req.headers.accept !== '*/*' ? req.headers.accept : type;
      return answer(200, accept, lines.join('\n') + '\n', DELAY_MS);
    } catch (err) {
      const message = err instanceof RecordError ? `cannot score record: ${err.message}` : `bad input: ${err.message}`;
      log('invocation_failed', { message });
      return answer(400, 'text/plain', message, DELAY_MS);
    }
  });
});

const args = process.argv.slice(2);
if (!(args.length === 0 || (args.length === 1 && args[0] === 'serve'))) {
  process.stderr.write(`batch-model: unsupported arguments ${JSON.stringify(args)}; usage: server.mjs serve\n`);
  process.exit(2);
}
server.keepAliveTimeout = 65_000;
server.listen(PORT, '0.0.0.0', () =>
  log('listening', { port: PORT, batch: process.env.SAGEMAKER_BATCH ?? null, strategy: process.env.SAGEMAKER_BATCH_STRATEGY ?? null }),
);
process.on('SIGTERM', () => {
  server.close();
  server.closeAllConnections();
  process.exit(0);
});
