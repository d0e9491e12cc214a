import { Transform } from 'node:stream';

/** A request body without Content-Length went over the variant's payload limit while it streamed. */
export class PayloadLimitError extends Error {
  constructor(readonly limit: number) {
    super(`payload over ${limit} bytes`);
  }
}

/** A body without Content-Length (chunked) is counted as it streams. */
export function limitBytes(limit: number): Transform {
  let seen = 0;
  return new Transform({
    transform(chunk: Buffer, _enc, cb) {
      seen += chunk.length;
      cb(seen > limit ? new PayloadLimitError(limit) : null, chunk);
    },
  });
}
