import type { Input } from './context.js';

/**
 * Inputs the emulator accepts beyond the real service: a ModelDataUrl may be a
 * `file://` URL or a local path (the real pattern only allows https:// and s3://).
 * For validation such URLs are shown to the validator as an equivalent s3://
 * URL, so every other rule of the service model still applies.
 */
const LOCAL_MODEL_DATA = /^(file:\/\/|\/|\.{1,2}\/)/;

function withLocalUrlsMasked(container: unknown): unknown {
  if (!container || typeof container !== 'object') {
    return container;
  }
  const c = container as Record<string, unknown>;
  if (typeof c.ModelDataUrl === 'string' && LOCAL_MODEL_DATA.test(c.ModelDataUrl)) {
    return { ...c, ModelDataUrl: 's3://local/model.tar.gz' };
  }
  return c;
}

export function applyEmulatorExtensions(operation: string, input: Input): Input {
  if (operation !== 'CreateModel') {
    return input;
  }
  return {
    ...input,
    ...(input.PrimaryContainer ? { PrimaryContainer: withLocalUrlsMasked(input.PrimaryContainer) } : {}),
    ...(Array.isArray(input.Containers) ? { Containers: input.Containers.map(withLocalUrlsMasked) } : {}),
  };
}
