import http from 'node:http';
import { Pool } from 'undici';

/**
 * The floor for the warm-path benchmark: the least a Node proxy can do
 * (undici dispatch, keep-alive, no routing, no admission, no error mapping),
 * run as its own process like the emulator. `node minimal-proxy.js <origin> <port>`.
 */
const [origin, port] = process.argv.slice(2);
const pool = new Pool(origin!, { connections: 64, pipelining: 1 });
http
  .createServer((req, res) => {
    pool.dispatch(
      {
        method: 'POST',
        path: '/invocations',
        headers: { 'content-type': String(req.headers['content-type']), 'content-length': String(req.headers['content-length']) },
        body: req,
      },
      {
        onRequestStart() {},
        onResponseStart(c, status, headers) {
          res.statusCode = status;
          res.setHeader('content-type', String(headers['content-type']));
          res.setHeader('content-length', String(headers['content-length']));
          res.on('drain', () => c.resume());
        },
        onResponseData(c, chunk) {
          if (!res.write(chunk)) {
            c.pause();
          }
        },
        onResponseEnd() {
          res.end();
        },
        onResponseError(_c, err) {
          res.destroy(err);
        },
      },
    );
  })
  .listen(Number(port), '127.0.0.1', () => process.send?.('ready'));
