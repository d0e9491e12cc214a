import { Transform, type Readable, pipeline } from 'node:stream';
import type { CaptureSettings } from '../data-capture/capture-settings.js';
import type { Admission, InvokeDeps, InvokeRequest } from './admission.js';
import { headerValue } from './admission.js';

/** The invocation limit (6 MB, docs/aws-contract.md §3): a capture keeps payloads up to it. */
const MAX_CAPTURED_BYTES = 6 * 1024 * 1024;

/** Copies of a payload's chunks, up to the limit; `overflow` once it went past it. */
export class CaptureBuffer {
  readonly chunks: Buffer[] = [];
  size = 0;
  overflow = false;

  push(chunk: Buffer): void {
    this.size += chunk.length;
    if (this.size > MAX_CAPTURED_BYTES) {
      this.overflow = true;
      this.chunks.length = 0;
    } else {
      this.chunks.push(chunk);
    }
  }

  bytes(): Buffer {
    return Buffer.concat(this.chunks);
  }
}

export interface InvocationCapture {
  settings: CaptureSettings;
  input: CaptureBuffer;
  output: CaptureBuffer;
}

/** This invocation's capture, when its variant captures and the request is sampled; otherwise undefined at the cost of one lookup. */
export function captureFor(deps: InvokeDeps, r: InvokeRequest, a: Admission): InvocationCapture | undefined {
  const settings = deps.capture?.settingsFor(a.fleet, r.region, r.endpointName);
  if (!settings || !deps.capture!.sampled(settings)) {
    return undefined;
  }
  return { settings, input: new CaptureBuffer(), output: new CaptureBuffer() };
}

/** The request body as the container gets it, copied into the capture on its way (errors, such as the payload limit, pass through). */
export function tapInput(body: Readable, capture: InvocationCapture): Readable {
  const tap = new Transform({
    transform(chunk: Buffer, _encoding, done) {
      capture.input.push(chunk);
      done(null, chunk);
    },
  });
  pipeline(body, tap, () => undefined);
  return tap;
}

/** Hands the answered invocation to the data capture; a payload beyond the limit drops the record (counted). */
export function captureInvocation(deps: InvokeDeps, r: InvokeRequest, a: Admission, c: InvocationCapture, answerType: unknown): void {
  const endpoint = r.endpointName;
  const variant = a.fleet.variantName;
  try {
    if (c.input.overflow || c.output.overflow) {
      deps.metrics.dataCapture(endpoint, variant, 'dropped');
      return;
    }
    deps.capture!.add(c.settings, {
      endpoint,
      variant,
      time: Date.now(),
      inferenceId: headerValue(r.req, 'x-amzn-sagemaker-inference-id'),
      ...(c.settings.input ? { input: { contentType: headerValue(r.req, 'content-type') ?? 'application/octet-stream', body: c.input.bytes() } } : {}),
      ...(c.settings.output ? { output: { contentType: String(answerType ?? 'application/octet-stream'), body: c.output.bytes() } } : {}),
    });
  } catch (err) {
    r.log().warn({ endpoint, variant, err: (err as Error).message }, 'data capture failed; the invocation was answered');
  }
}
