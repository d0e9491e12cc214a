type Json = Record<string, unknown>;

/**
 * Inputs the emulator accepts beyond the real service: a ModelDataUrl may be a
 * `file://` URL or a local path (the real pattern only allows https:// and s3://).
 * For validation such URLs are shown to the decoder as an equivalent s3://
 * URL, so every other rule of the service model still applies; the decoded
 * input then gets the local URLs back.
 */
const LOCAL_MODEL_DATA = /^(file:\/\/|\/|\.{1,2}\/)/;
const MASK = 's3://local/model.tar.gz';

const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

const localUrlOf = (container: unknown): string | undefined =>
  isObject(container) && typeof container.ModelDataUrl === 'string' && LOCAL_MODEL_DATA.test(container.ModelDataUrl)
    ? container.ModelDataUrl
    : undefined;

function swapUrl(container: unknown, url: string | undefined): unknown {
  return url !== undefined && isObject(container) ? { ...container, ModelDataUrl: url } : container;
}

export function decodeWithLocalModelData(operation: string, input: Json, decode: (input: Json) => Json): Json {
  if (operation !== 'CreateModel') {
    return decode(input);
  }
  const primaryUrl = localUrlOf(input.PrimaryContainer);
  const containerUrls = Array.isArray(input.Containers) ? input.Containers.map(localUrlOf) : [];
  const decoded = decode({
    ...input,
    ...(input.PrimaryContainer ? { PrimaryContainer: swapUrl(input.PrimaryContainer, primaryUrl && MASK) } : {}),
    ...(Array.isArray(input.Containers) ? { Containers: input.Containers.map((c, i) => swapUrl(c, containerUrls[i] && MASK)) } : {}),
  });
  return {
    ...decoded,
    ...(decoded.PrimaryContainer ? { PrimaryContainer: swapUrl(decoded.PrimaryContainer, primaryUrl) } : {}),
    ...(Array.isArray(decoded.Containers) ? { Containers: decoded.Containers.map((c, i) => swapUrl(c, containerUrls[i])) } : {}),
  };
}
