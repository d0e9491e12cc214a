import type { IncomingMessage, ServerResponse } from 'node:http';
import { Readable } from 'node:stream';

/**
 * A request whose body was read (to hash it) and must still reach its
 * handler: a Readable that yields the same bytes and carries the original's
 * method, url, headers and socket, so the body readers (body-parser in
 * src/protocol/request-body.ts, the runtime plane's pipe to the model, the
 * console's form reader) read it as they read a request. `_read` is an own
 * property, so Express swapping the prototype (fallback routes) keeps it.
 */
export function replayRequest(original: IncomingMessage, res: ServerResponse, body: Buffer): IncomingMessage {
  // Destroyed once read to its end, as Node 20's IncomingMessage is (autoDestroy).
  const replay = new Readable({ read() {} });
  if (body.length > 0) {
    replay.push(body);
  }
  replay.push(null);
  const fields = {
    method: original.method,
    url: original.url,
    headers: original.headers,
    rawHeaders: original.rawHeaders,
    trailers: original.trailers,
    rawTrailers: original.rawTrailers,
    httpVersion: original.httpVersion,
    httpVersionMajor: original.httpVersionMajor,
    httpVersionMinor: original.httpVersionMinor,
    socket: original.socket,
    connection: original.socket,
    complete: true,
    aborted: false,
  };
  Object.assign(replay, fields);
  // A client that goes away before its answer is seen on the replay too (handlers read req.destroyed).
  // The response's close, not the socket's: one listener per request, however many a keep-alive socket carries.
  res.once('close', () => {
    if (!res.writableFinished && !replay.destroyed) {
      replay.destroy();
    }
  });
  return replay as unknown as IncomingMessage;
}

/** Reads a whole body, at most `limit` bytes; undefined when it is larger or the client went away. */
export async function readWholeBody(req: IncomingMessage, limit: number): Promise<{ body: Buffer } | { tooLarge: true } | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  try {
    for await (const chunk of req as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size > limit) {
        return { tooLarge: true };
      }
      chunks.push(chunk);
    }
  } catch {
    return undefined;
  }
  return { body: Buffer.concat(chunks, size) };
}
