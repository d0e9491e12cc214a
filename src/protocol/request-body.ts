import type { IncomingMessage, ServerResponse } from 'node:http';
import express from 'express';
import { payloadTooLarge, serializationException } from './wire-errors.js';

/**
 * Reads a whole (small) request body, decoding `Content-Encoding: gzip`,
 * `deflate` or `br` (the SDKs compress some requests, e.g. CloudWatch's
 * PutMetricData), with body-parser's reader. Its errors become AWS ones: over
 * the limit is the real untyped 413; a body that is not what its
 * Content-Encoding says, an unknown encoding, or a client that went away
 * midway is a SerializationException (400), never a 500.
 */
export function bodyReader(limitBytes: number): (req: IncomingMessage, res: ServerResponse) => Promise<Buffer> {
  // One parser for every request: body-parser compiles its options when it is made.
  const parse = express.raw({ type: () => true, limit: limitBytes, inflate: true });
  return (req, res) => new Promise<Buffer>((resolve, reject) => {
    parse(req as express.Request, res as express.Response, (err?: unknown) => {
      if (err) {
        reject(mapReadError(err, limitBytes));
        return;
      }
      const body = (req as IncomingMessage & { body?: unknown }).body;
      resolve(Buffer.isBuffer(body) ? body : Buffer.alloc(0));
    });
  });
}

function mapReadError(err: unknown, limitBytes: number): Error {
  const e = err as Error & { type?: string; code?: string };
  if (e.type === 'entity.too.large') {
    return payloadTooLarge(limitBytes);
  }
  const encoding = e.type === 'encoding.unsupported' || (typeof e.code === 'string' && e.code.startsWith('Z_'));
  return serializationException(
    encoding
      ? `Could not decode the request body as its Content-Encoding says: ${e.message}`
      : `Could not read the request body: ${e.message}`,
  );
}

/**
 * Reads and drops what is left of a request body before an early refusal
 * (an oversized payload) is answered, as body-parser does for its own 413:
 * a server that answers and closes while the client is still sending makes
 * the kernel reset the connection, and the client loses the answer (it sees
 * ECONNRESET instead of the 413). Bounded: after `maxMs` the refusal is sent
 * anyway.
 */
export function drainRequest(req: IncomingMessage, maxMs = 30_000): Promise<void> {
  if (req.readableEnded || req.destroyed) {
    return Promise.resolve();
  }
  return new Promise<void>((resolve) => {
    const done = () => {
      clearTimeout(timer);
      req.off('end', done);
      req.off('close', done);
      req.off('error', done);
      resolve();
    };
    const timer = setTimeout(done, maxMs);
    req.once('end', done);
    req.once('close', done);
    req.once('error', done);
    req.resume();
  });
}
