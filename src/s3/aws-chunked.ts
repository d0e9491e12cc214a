import { Transform, type TransformCallback } from 'node:stream';

/**
 * Decodes an `aws-chunked` request body (the S3 API reference,
 * "Signature Calculations … in Multiple Chunks" and "checking object integrity"):
 *
 *     <hex size>[;chunk-signature=<sig>]\r\n<bytes>\r\n … 0[;chunk-signature=…]\r\n
 *     [x-amz-checksum-crc32:<b64>\r\n …][x-amz-trailer-signature:…\r\n]\r\n
 *
 * Current SDKs send it with `x-amz-content-sha256: STREAMING-UNSIGNED-PAYLOAD-TRAILER`
 * (JS SDK v3, boto3 ≥ 1.36 over HTTPS) or the signed `STREAMING-AWS4-HMAC-SHA256-PAYLOAD(-TRAILER)`
 * variants. Signatures are not checked (docs/aws-contract.md §1); the decoded
 * bytes flow on as they arrive, and the trailers are kept for the answer.
 * A body that breaks the framing fails the stream with AwsChunkedError.
 */
export class AwsChunkedError extends Error {}

type State = 'size' | 'data' | 'data-end' | 'trailer' | 'done';

/** Longest framing line accepted: a size, a signature, a trailer header. */
const MAX_LINE = 4096;

export class AwsChunkedDecoder extends Transform {
  readonly trailers: Record<string, string> = {};
  private state: State = 'size';
  private line = '';
  private remaining = 0;
  decodedBytes = 0;

  override _transform(chunk: Buffer, _enc: BufferEncoding, done: TransformCallback): void {
    try {
      this.consume(chunk);
      done();
    } catch (err) {
      done(err as Error);
    }
  }

  override _flush(done: TransformCallback): void {
    // Some clients end the body right after the last chunk's trailers without the final blank line.
    if (this.state === 'done' || (this.state === 'trailer' && this.line === '')) {
      done();
    } else {
      done(new AwsChunkedError('The aws-chunked body ended before its last chunk.'));
    }
  }

  private consume(buf: Buffer): void {
    let i = 0;
    while (i < buf.length) {
      if (this.state === 'data') {
        const n = Math.min(this.remaining, buf.length - i);
        this.push(buf.subarray(i, i + n));
        this.decodedBytes += n;
        this.remaining -= n;
        i += n;
        if (this.remaining === 0) {
          this.state = 'data-end';
        }
        continue;
      }
      if (this.state === 'done') {
        return; // anything after the final blank line is ignored
      }
      const nl = buf.indexOf(0x0a, i);
      const end = nl < 0 ? buf.length : nl;
      this.line += buf.toString('latin1', i, end);
      if (this.line.length > MAX_LINE) {
        throw new AwsChunkedError('An aws-chunked framing line is too long.');
      }
      i = nl < 0 ? buf.length : nl + 1;
      if (nl >= 0) {
        const line = this.line.endsWith('\r') ? this.line.slice(0, -1) : this.line;
        this.line = '';
        this.onLine(line);
      }
    }
  }

  private onLine(line: string): void {
    switch (this.state) {
      case 'size': {
        const m = /^([0-9a-fA-F]{1,16})(;.*)?$/.exec(line);
        if (!m) {
          throw new AwsChunkedError(`Bad aws-chunked chunk header: ${JSON.stringify(line.slice(0, 80))}`);
        }
        this.remaining = parseInt(m[1]!, 16);
        this.state = this.remaining === 0 ? 'trailer' : 'data';
        return;
      }
      case 'data-end':
        if (line !== '') {
          throw new AwsChunkedError('An aws-chunked chunk is longer than its size says.');
        }
        this.state = 'size';
        return;
      case 'trailer': {
        if (line === '') {
          this.state = 'done';
          return;
        }
        const colon = line.indexOf(':');
        if (colon <= 0) {
          throw new AwsChunkedError(`Bad aws-chunked trailer: ${JSON.stringify(line.slice(0, 80))}`);
        }
        this.trailers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
        return;
      }
      default:
        return;
    }
  }
}

/** True when the request body is aws-chunked (the encoding, or a STREAMING-* payload hash). */
export function isAwsChunked(contentEncoding: string | undefined, contentSha256: string | undefined): boolean {
  return (
    (contentEncoding ?? '')
      .split(',')
      .map((s) => s.trim().toLowerCase())
      .includes('aws-chunked') || (contentSha256 ?? '').startsWith('STREAMING-')
  );
}
