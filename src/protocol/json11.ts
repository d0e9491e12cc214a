import { serializationException, unknownOperation } from './wire-errors.js';

/**
 * AWS JSON 1.1 requests (docs/aws-contract.md §2.1): `POST /`, `X-Amz-Target: <Prefix>.<Operation>`,
 * `Content-Type: application/x-amz-json-1.1`, a JSON object body (`{}` when empty).
 */
const JSON_CONTENT_TYPES = ['application/x-amz-json-1.1', 'application/x-amz-json-1.0', 'application/json'];

/** `prefix` names the service in messages: `SageMaker`, `AnyScaleFrontendService`, … */
export function parseTarget(target: string | undefined, prefix = 'SageMaker'): { service: string; operation: string } {
  const api = prefix === 'SageMaker' ? 'the SageMaker API' : `the ${prefix} API`;
  if (!target) {
    throw unknownOperation(`Missing X-Amz-Target header: ${api} expects X-Amz-Target: ${prefix}.<Operation>.`);
  }
  const dot = target.lastIndexOf('.');
  if (dot <= 0 || dot === target.length - 1) {
    throw unknownOperation(`Malformed X-Amz-Target "${target}": expected ${prefix}.<Operation>.`);
  }
  return { service: target.slice(0, dot), operation: target.slice(dot + 1) };
}

export function checkContentType(contentType: string | undefined, prefix = 'SageMaker', version: '1.0' | '1.1' = '1.1'): void {
  const mime = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (!JSON_CONTENT_TYPES.includes(mime)) {
    throw serializationException(
      `Unsupported Content-Type "${contentType ?? ''}": the ${prefix} API takes application/x-amz-json-${version}.`,
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
