import { serializationException, unknownOperation } from './wire-errors.js';

/**
 * AWS JSON 1.1 requests (docs/aws-contract.md §2.1): `POST /`, `X-Amz-Target: <Prefix>.<Operation>`,
 * `Content-Type: application/x-amz-json-1.1`, a JSON object body (`{}` when empty).
 */
const JSON_CONTENT_TYPES = ['application/x-amz-json-1.1', 'application/x-amz-json-1.0', 'application/json'];

export function parseTarget(target: string | undefined): { service: string; operation: string } {
  if (!target) {
    throw unknownOperation('Missing X-Amz-Target header: the SageMaker API expects X-Amz-Target: SageMaker.<Operation>.');
  }
  const dot = target.lastIndexOf('.');
  if (dot <= 0 || dot === target.length - 1) {
    throw unknownOperation(`Malformed X-Amz-Target "${target}": expected SageMaker.<Operation>.`);
  }
  return { service: target.slice(0, dot), operation: target.slice(dot + 1) };
}

export function checkContentType(contentType: string | undefined): void {
  const mime = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (!JSON_CONTENT_TYPES.includes(mime)) {
    throw serializationException(
      `Unsupported Content-Type "${contentType ?? ''}": the SageMaker API takes application/x-amz-json-1.1.`,
    );
  }
}

export function parseBody(raw: Buffer): Record<string, unknown> {
  if (raw.length === 0) {
    return {};
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(raw.toString('utf8'));
  } catch (err) {
    throw serializationException(`Malformed JSON in request body: ${(err as Error).message}`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw serializationException('The request body must be a JSON object.');
  }
  return parsed as Record<string, unknown>;
}
