import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { pipeline } from 'node:stream/promises';

/**
 * The S3 benchmark's baseline, run as its own process (like the emulator, so
 * neither shares a core with the client): a plain Node HTTP server that
 * writes a PUT body to one file and answers every GET with that file.
 * Prints its URL on stdout; SIGTERM removes the file and exits.
 */
const dir = await mkdtemp(path.join(os.tmpdir(), 'sme-bench-plain-'));
const file = path.join(dir, 'object');
const server = http.createServer((req, res) => {
  if (req.method === 'PUT') {
    pipeline(req, createWriteStream(file, { highWaterMark: 1024 * 1024 })).then(
      () => {
        res.writeHead(200, { ETag: '"plain"', 'Content-Length': 0 });
        res.end();
      },
      () => res.destroy(),
    );
    return;
  }
  stat(file).then(
    (st) => {
      res.writeHead(200, { 'Content-Type': 'binary/octet-stream', 'Content-Length': st.size, ETag: '"plain"' });
      createReadStream(file, { highWaterMark: 1024 * 1024 }).pipe(res);
    },
    () => {
      res.writeHead(404, { 'Content-Length': 0 });
      res.end();
    },
  );
});
server.listen(0, '127.0.0.1', () => console.log(`http://127.0.0.1:${(server.address() as AddressInfo).port}`));
process.once('SIGTERM', () => {
  server.close();
  void rm(dir, { recursive: true, force: true }).finally(() => process.exit(0));
});
