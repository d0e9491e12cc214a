import { randomUUID } from 'node:crypto';
import type { CaptureSettings } from './capture-settings.js';

/** One captured invocation as the runtime hands it over: the bytes as they were sent and answered. */
export interface CapturedInvocation {
  endpoint: string;
  variant: string;
  /** When it was answered (epoch ms). */
  time: number;
  inferenceId: string | undefined;
  input?: { contentType: string; body: Buffer };
  output?: { contentType: string; body: Buffer };
}

type Encoding = 'CSV' | 'JSON' | 'BASE64';

const mediaType = (contentType: string) => contentType.split(';')[0]!.trim().toLowerCase();

/**
 * CSV and JSON content types (CaptureContentTypeHeader, or its defaults) are
 * captured as text, anything else as base64 (SageMaker developer guide,
 * "Capture data from real-time endpoint": "encoding" is CSV, JSON or BASE64).
 */
export function encodingOf(contentType: string, s: Pick<CaptureSettings, 'csvTypes' | 'jsonTypes'>): Encoding {
  const type = mediaType(contentType);
  if (s.csvTypes.some((t) => mediaType(t) === type)) {
    return 'CSV';
  }
  if (s.jsonTypes.some((t) => mediaType(t) === type)) {
    return 'JSON';
  }
  return 'BASE64';
}

function captured(part: { contentType: string; body: Buffer }, mode: 'INPUT' | 'OUTPUT', s: CaptureSettings) {
  const encoding = encodingOf(part.contentType, s);
  return {
    observedContentType: part.contentType,
    mode,
    data: encoding === 'BASE64' ? part.body.toString('base64') : part.body.toString('utf8'),
    encoding,
  };
}

/** ISO 8601 to the second, as Model Monitor writes inferenceTime ("2022-02-14T17:25:49Z"). */
const isoSeconds = (ms: number) => new Date(ms).toISOString().replace(/\.\d{3}Z$/, 'Z');

/**
 * One JSON line in Model Monitor's capture format (SageMaker developer guide,
 * "View collected data": captureData.endpointInput / endpointOutput with
 * observedContentType, mode, data and encoding; eventMetadata with eventId,
 * inferenceId when the request gave one, and inferenceTime; eventVersion "0").
 */
export function captureLine(c: CapturedInvocation, s: CaptureSettings): string {
  const captureData: Record<string, unknown> = {};
  if (c.input) {
    captureData.endpointInput = captured(c.input, 'INPUT', s);
  }
  if (c.output) {
    captureData.endpointOutput = captured(c.output, 'OUTPUT', s);
  }
  return JSON.stringify({
    captureData,
    eventMetadata: {
      eventId: randomUUID(),
      ...(c.inferenceId !== undefined ? { inferenceId: c.inferenceId } : {}),
      inferenceTime: isoSeconds(c.time),
    },
    eventVersion: '0',
  });
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/**
 * The capture file's key: `<prefix>/<endpoint>/<variant>/yyyy/mm/dd/hh/<mm>-<ss>-<ms>-<uuid>.jsonl`
 * in UTC (SageMaker developer guide, "View collected data":
 * s3://{destination-bucket-prefix}/{endpoint-name}/{variant-name}/yyyy/mm/dd/hh/filename.jsonl).
 */
export function captureKey(s: Pick<CaptureSettings, 'prefix'>, endpoint: string, variant: string, time: number): string {
  const d = new Date(time);
  const dir = `${d.getUTCFullYear()}/${pad(d.getUTCMonth() + 1)}/${pad(d.getUTCDate())}/${pad(d.getUTCHours())}`;
  const file = `${pad(d.getUTCMinutes())}-${pad(d.getUTCSeconds())}-${pad(d.getUTCMilliseconds(), 3)}-${randomUUID()}.jsonl`;
  return `${s.prefix ? `${s.prefix}/` : ''}${endpoint}/${variant}/${dir}/${file}`;
}
