import { ownCredential, signOwnRequest } from '../auth/sign-request.js';
import { deleteEndpoint } from '../control-plane/endpoints.js';
import { updateEndpointWeightsAndCapacities } from '../control-plane/endpoint-updates.js';
import { decodeOrThrow } from '../protocol/json-service.js';
import type { DesiredWeightAndCapacity, UpdateEndpointWeightsAndCapacitiesInput } from '../protocol/generated/sagemaker-types.js';
import { validationException } from '../protocol/wire-errors.js';
import type { ConsoleDeps } from './console-context.js';

/**
 * What the detail page's forms do. The actions call the control plane's own
 * operation handlers (the same checks, texts and hosting workflows as the
 * API), and the invoke form calls the emulator's InvokeEndpoint route over
 * HTTP, as a client would, so what the page shows is what a client gets.
 */

export async function deleteFromConsole(deps: ConsoleDeps, region: string, name: string): Promise<void> {
  await deleteEndpoint({ EndpointName: name }, deps.sageMakerContext(region));
}

/**
 * UpdateEndpointWeightsAndCapacities for the variant the form names, with
 * the fields it filled in; validated against the service model as an API
 * call is. Returns what was asked, in words.
 */
export async function updateCapacityFromConsole(deps: ConsoleDeps, region: string, name: string, form: URLSearchParams): Promise<string> {
  const variant = form.get('variant') ?? '';
  const change: DesiredWeightAndCapacity = { VariantName: variant };
  const weight = numberField(form, 'weight', 'Weight', false);
  const count = numberField(form, 'instanceCount', 'Instance count', true);
  const max = numberField(form, 'maxConcurrency', 'MaxConcurrency', true);
  const provisioned = numberField(form, 'provisionedConcurrency', 'ProvisionedConcurrency', true);
  if (weight !== undefined) {
    change.DesiredWeight = weight;
  }
  if (count !== undefined) {
    change.DesiredInstanceCount = count;
  }
  if (max !== undefined || provisioned !== undefined) {
    change.ServerlessUpdateConfig = {
      ...(max !== undefined ? { MaxConcurrency: max } : {}),
      ...(provisioned !== undefined ? { ProvisionedConcurrency: provisioned } : {}),
    };
  }
  const input = decodeOrThrow('sagemaker', 'UpdateEndpointWeightsAndCapacities', {
    EndpointName: name,
    DesiredWeightsAndCapacities: [change],
  }) as unknown as UpdateEndpointWeightsAndCapacitiesInput;
  await updateEndpointWeightsAndCapacities(input, deps.sageMakerContext(region));
  const parts = [
    weight !== undefined ? `weight ${weight}` : '',
    count !== undefined ? `${count} instance${count === 1 ? '' : 's'}` : '',
    max !== undefined ? `MaxConcurrency ${max}` : '',
    provisioned !== undefined ? `ProvisionedConcurrency ${provisioned}` : '',
  ].filter(Boolean);
  return `Updating variant ${variant}: ${parts.join(', ')}.`;
}

/** A number the form gave, undefined when the field is empty or absent. */
function numberField(form: URLSearchParams, field: string, label: string, integer: boolean): number | undefined {
  const text = (form.get(field) ?? '').trim();
  if (text === '') {
    return undefined;
  }
  const n = Number(text);
  if (!Number.isFinite(n) || (integer && !Number.isInteger(n))) {
    throw validationException(`${label} must be ${integer ? 'a whole number' : 'a number'}, not "${text.slice(0, 40)}".`);
  }
  return n;
}

/** The first 64 KB of an answer are shown; the rest is read no further. */
export const MAX_SHOWN_BYTES = 64 * 1024;

export type InvokeOutcome =
  | { kind: 'answer'; status: number; variant: string | undefined; contentType: string | undefined; ms: number; body: string; truncated: boolean }
  | { kind: 'failed'; error: string };

/** Printable ASCII: what an HTTP header value may hold without surprises. */
const HEADER_VALUE = /^[\x20-\x7e]{1,1024}$/;

export async function invokeFromConsole(deps: ConsoleDeps, region: string, name: string, form: URLSearchParams): Promise<InvokeOutcome> {
  const contentType = (form.get('contentType') ?? '').trim() || 'application/json';
  const targetModel = (form.get('targetModel') ?? '').trim();
  const targetVariant = (form.get('targetVariant') ?? '').trim();
  for (const [label, value] of [['The content type', contentType], ['The target model', targetModel], ['The target variant', targetVariant]] as const) {
    if (value !== '' && !HEADER_VALUE.test(value)) {
      return { kind: 'failed', error: `${label} must be printable ASCII, at most 1024 characters.` };
    }
  }
  const body = form.get('body') ?? '';
  const url = new URL(`${deps.baseUrl()}/endpoints/${encodeURIComponent(name)}/invocations`);
  const t0 = performance.now();
  try {
    // Signed as an SDK signs it (the region travels in the credential scope), with the key the
    // console user signed in with, so the call passes SME_AUTH=strict too (src/auth/sign-request.ts).
    const headers = await signOwnRequest(
      url,
      'POST',
      {
        'content-type': contentType,
        ...(targetModel ? { 'x-amzn-sagemaker-target-model': targetModel } : {}),
        ...(targetVariant ? { 'x-amzn-sagemaker-target-variant': targetVariant } : {}),
      },
      body,
      { region, service: 'sagemaker' },
      ownCredential(deps.config),
    );
    const answer = await fetch(url, {
      method: 'POST',
      headers,
      body,
      signal: AbortSignal.timeout(deps.config.invocationTimeoutMs + 5_000),
    });
    const { text, truncated } = await readAtMost(answer, MAX_SHOWN_BYTES);
    return {
      kind: 'answer',
      status: answer.status,
      variant: answer.headers.get('x-amzn-invoked-production-variant') ?? undefined,
      contentType: answer.headers.get('content-type') ?? undefined,
      ms: performance.now() - t0,
      body: text,
      truncated,
    };
  } catch (err) {
    return { kind: 'failed', error: `The call to InvokeEndpoint failed: ${(err as Error).message}` };
  }
}

async function readAtMost(answer: Response, limit: number): Promise<{ text: string; truncated: boolean }> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  let truncated = false;
  const reader = answer.body?.getReader();
  while (reader) {
    const { done, value } = await reader.read();
    if (done) {
      break;
    }
    chunks.push(value);
    size += value.length;
    if (size > limit) {
      truncated = true;
      await reader.cancel();
      break;
    }
  }
  const bytes = Buffer.concat(chunks).subarray(0, limit);
  return { text: new TextDecoder('utf-8').decode(bytes), truncated };
}
