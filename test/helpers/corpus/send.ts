import net from 'node:net';
import type { Answer, RawRequest } from './types.js';

/**
 * Sends one request over a raw socket (fetch and node:http refuse CR/LF in
 * header values and malformed request lines, which are the point of some
 * cases), with `Connection: close`, and parses the answer. A connection the
 * server closes without an answer is status 0. Bounded by `timeoutMs`.
 */
export function encodeRequest(r: RawRequest, host: string): Buffer {
  const lines = [`${r.method} ${r.path} HTTP/1.1`, `Host: ${host}`];
  for (const [k, v] of r.headers) {
    lines.push(`${k}: ${v}`);
  }
  lines.push(`Content-Length: ${r.body.length}`, 'Connection: close', '', '');
  return Buffer.concat([Buffer.from(lines.join('\r\n'), 'latin1'), r.body]);
}

export function sendRaw(port: number, bytes: Buffer, timeoutMs: number, head = false): Promise<Answer> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    let done = false;
    const finish = () => {
      if (done) {
        return;
      }
      done = true;
      clearTimeout(timer);
      socket.destroy();
      resolve(parseAnswer(Buffer.concat(chunks), head));
    };
    const timer = setTimeout(finish, timeoutMs);
    socket.on('data', (c: Buffer) => chunks.push(c));
    socket.on('end', finish);
    socket.on('close', finish);
    // EPIPE/ECONNRESET after the server answered early (a 413 before the body ends): the answer read so far counts.
    socket.on('error', finish);
    socket.write(bytes, () => undefined);
  });
}

export function parseAnswer(raw: Buffer, head: boolean): Answer {
  const end = raw.indexOf('\r\n\r\n');
  if (end < 0) {
    return { status: 0, headers: {}, rawHeaderNames: [], body: raw };
  }
  const lines = raw.subarray(0, end).toString('latin1').split('\r\n');
  const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(lines[0] ?? '')?.[1] ?? 0);
  const headers: Record<string, string> = {};
  const rawHeaderNames: string[] = [];
  for (const line of lines.slice(1)) {
    const colon = line.indexOf(':');
    const name = (colon < 0 ? line : line.slice(0, colon)).trim();
    rawHeaderNames.push(name);
    const key = name.toLowerCase();
    const value = colon < 0 ? '' : line.slice(colon + 1).trim();
    headers[key] = key in headers ? `${headers[key]}, ${value}` : value;
  }
  let body = head ? Buffer.alloc(0) : raw.subarray(end + 4);
  if (!head && /chunked/i.test(headers['transfer-encoding'] ?? '')) {
    body = dechunk(body);
  } else if (!head && headers['content-length'] !== undefined) {
    body = body.subarray(0, Number(headers['content-length']));
  }
  return { status, headers, rawHeaderNames, body };
}

function dechunk(data: Buffer): Buffer {
  const out: Buffer[] = [];
  let at = 0;
  for (;;) {
    const eol = data.indexOf('\r\n', at);
    if (eol < 0) {
      break;
    }
    const size = parseInt(data.subarray(at, eol).toString('latin1'), 16);
    if (!Number.isFinite(size) || size <= 0) {
      break;
    }
    out.push(data.subarray(eol + 2, eol + 2 + size));
    at = eol + 2 + size + 2;
  }
  return Buffer.concat(out);
}
