import type { IncomingHttpHeaders } from 'node:http';
import { Readable } from 'node:stream';
import { type Dispatcher, errors as undiciErrors } from 'undici';
import { ContainerCallTimeoutError, ContainerUnreachableError, InstanceStoppedError } from './errors.js';

/** One HTTP call to a model container: /invocations, /models, /models/<name>/invoke, /execution-parameters… */
export interface ContainerRequest {
  method: Dispatcher.HttpMethod;
  path: string;
  headers: Record<string, string>;
  body?: Buffer | Readable;
  /** How long the container may take to send its headers, and then each piece of its body. */
  timeoutMs: number;
  /** Aborting it (the client went away) cuts the call; the call then rejects with the signal's reason. */
  signal: AbortSignal;
}

/** The container's answer, whatever its status; `body` streams with backpressure and must be read or destroyed. */
export interface ContainerResponse {
  status: number;
  headers: IncomingHttpHeaders;
  body: Readable;
}

/**
 * Calls a container through its keep-alive pool with undici's dispatch API,
 * which spares the per-call machinery request() adds; the body is a plain
 * Readable fed straight from the socket (the socket pauses when the reader
 * falls behind). Resolves once the headers are in. Failures become domain
 * errors: a timeout is ContainerCallTimeoutError, a connection that fails or
 * breaks is ContainerUnreachableError, a pool that was closed under the call
 * is InstanceStoppedError; the caller's own abort and the caller's own body
 * stream failing reject with the caller's own error. After the headers, the
 * same errors destroy `body`.
 */
export function callContainer(pool: Dispatcher, request: ContainerRequest): Promise<ContainerResponse> {
  return new Promise<ContainerResponse>((resolve, reject) => {
    const { signal } = request;
    let controller: Dispatcher.DispatchController | undefined;
    let body: ResponseBody | undefined;
    const onAbort = () => controller?.abort(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    const done = () => signal.removeEventListener('abort', onAbort);
    pool.dispatch(
      {
        method: request.method,
        path: request.path,
        headers: request.headers,
        body: request.body ?? null,
        headersTimeout: request.timeoutMs,
        bodyTimeout: request.timeoutMs,
      },
      {
        onRequestStart(c) {
          controller = c;
          if (signal.aborted) {
            c.abort(signal.reason as Error);
          }
        },
        onResponseStart(c, statusCode, headers) {
          body = new ResponseBody(c);
          resolve({ status: statusCode, headers, body });
        },
        onResponseData(c, chunk) {
          if (!body!.push(chunk)) {
            c.pause();
          }
        },
        onResponseEnd() {
          done();
          body!.push(null);
        },
        onResponseError(_c, err) {
          done();
          const failure = domainError(err, request);
          if (body) {
            body.destroy(failure);
          } else {
            reject(failure);
          }
        },
      },
    );
  });
}

/** The answer's body: reading resumes the paused socket; destroying it before the end cuts the call. */
class ResponseBody extends Readable {
  constructor(private readonly controller: Dispatcher.DispatchController) {
    super();
  }

  override _read(): void {
    if (this.controller.paused) {
      this.controller.resume();
    }
  }

  override _destroy(err: Error | null, callback: (error?: Error | null) => void): void {
    if (!this.readableEnded && !this.controller.aborted) {
      this.controller.abort(err ?? new Error('the reader stopped reading the answer'));
    }
    callback(err);
  }
}

function domainError(err: Error, request: ContainerRequest): Error {
  if (request.signal.aborted) {
    return request.signal.reason as Error;
  }
  // The caller's body stream failed (e.g. a size limit it enforces): that error is the caller's to read.
  if (request.body instanceof Readable && request.body.errored) {
    return request.body.errored;
  }
  if (err instanceof undiciErrors.HeadersTimeoutError || err instanceof undiciErrors.BodyTimeoutError) {
    return new ContainerCallTimeoutError(request.timeoutMs);
  }
  if (err instanceof undiciErrors.ClientDestroyedError || err instanceof undiciErrors.ClientClosedError || err instanceof undiciErrors.RequestAbortedError) {
    return new InstanceStoppedError();
  }
  return new ContainerUnreachableError((err as NodeJS.ErrnoException).code ?? err.message);
}
