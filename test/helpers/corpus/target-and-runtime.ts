import { jsonAnswer, wants } from './checks.js';
import type { Rng } from './prng.js';
import { json11, runtime } from './requests.js';
import type { CorpusCase, CorpusContext } from './types.js';

/**
 * Wrong or absent `X-Amz-Target`s and content types on the control plane,
 * and the SageMaker runtime's routes: payloads around the 6 MB limit,
 * odd content types, `X-Amzn-SageMaker-*` headers over their limits or with
 * control characters, and traversal in endpoint names.
 */
const TARGETS = [
  undefined, '', 'SageMaker.', 'SageMaker', 'SageMaker.NoSuchOperation', 'sagemaker.ListModels', 'SageMaker.listModels',
  'AmazonSageMaker.ListModels', 'SageMaker.ListModels.Extra', '.ListModels', 'SageMaker..ListModels', 'SageMaker.__proto__',
  'SageMaker.constructor', 'SageMaker.hasOwnProperty', '__proto__.ListModels', 'constructor.prototype', 'SageMaker.ListModels ',
  ' SageMaker.ListModels', `SageMaker.${'A'.repeat(10_000)}`, 'SageMaker.Créer', 'AnyScaleFrontendService.Nope', 'GraniteServiceVersion20100801.Nope',
];
const CONTENT_TYPES = [
  undefined, '', 'application/x-www-form-urlencoded', 'application/json; charset=utf-16', 'text/plain', 'application/x-amz-json-1.0',
  'application/x-amz-json-1.1; charset=latin1', 'multipart/form-data; boundary=x', 'application/cbor', '*/*', 'application/json',
  `application/${'x'.repeat(2000)}`,
];

export function targetCases(rng: Rng, count: number): CorpusCase[] {
  const cases: CorpusCase[] = [];
  for (let i = 0; i < count; i++) {
    const target = rng.pick(TARGETS);
    const ct = rng.pick(CONTENT_TYPES);
    const payload = rng.pick(['{}', '', '{"MaxResults":5}', 'Action=ListModels', '\u0000\u0000', '{"MaxResults":']);
    cases.push({
      id: `target-${i}-${JSON.stringify(target ?? null).slice(0, 40)}-${JSON.stringify(ct ?? null).slice(0, 40)}`,
      family: 'target',
      request: json11(target, payload, [], ct),
      expect: jsonAnswer('json'),
    });
  }
  return cases;
}

const MB6 = 6 * 1024 * 1024;

const ENDPOINT_NAMES = [
  '..%2F..%2Fetc', '%2e%2e', '%2e%2e%2f%2e%2e%2fetc%2fpasswd', '..', '.', '%00', 'a%00b', '..%5c..%5cwindows', '%252e%252e',
  'name%0d%0aX-Sme-Injected:%201', '%E2%80%AE', '%F0%9F%98%80', 'a'.repeat(64), 'a'.repeat(5000), '-leading', 'UPPER', 'x%20y',
  '%C0%AE%C0%AE', '%u002e', '', 'corpus-missing-endpoint',
];

export function runtimeCases(rng: Rng, ctx: CorpusContext, count: number): CorpusCase[] {
  const cases: CorpusCase[] = [];
  const live = ctx.endpoint;
  // The limit cases, once each against the live endpoint: just under and just over 6 MB, on both invocation routes.
  for (const route of ['invocations', 'invocations-response-stream'] as const) {
    cases.push({
      id: `rt-limit-${route}-under`,
      family: 'runtime',
      request: runtime(`/endpoints/${live}/${route}`, Buffer.alloc(MB6 - 1, 'a'), [], 'application/octet-stream'),
      // The echo model answers; the streaming route on a model without streaming is a ModelError-style 4xx.
      expect: jsonAnswer('rest-json'),
    });
    cases.push({
      id: `rt-limit-${route}-over`,
      family: 'runtime',
      request: runtime(`/endpoints/${live}/${route}`, Buffer.alloc(MB6 + 1, 'a'), [], 'application/octet-stream'),
      expect: wants(jsonAnswer('rest-json'), { status: [413] }),
    });
  }
  const headerCases: [string, string][] = [
    ['X-Amzn-SageMaker-Target-Variant', 'v'.repeat(64)],
    ['X-Amzn-SageMaker-Target-Variant', 'All\u0007Traffic'],
    ['X-Amzn-SageMaker-Target-Variant', '../x'],
    ['X-Amzn-SageMaker-Target-Model', 'm'.repeat(1025)],
    ['X-Amzn-SageMaker-Target-Model', '../../../etc/passwd'],
    ['X-Amzn-SageMaker-Target-Model', '/abs/model.tar.gz'],
    ['X-Amzn-SageMaker-Inference-Id', 'i'.repeat(65)],
    ['X-Amzn-SageMaker-Inference-Id', 'id\u0001x'],
    ['X-Amzn-SageMaker-Custom-Attributes', 'c'.repeat(1025)],
    ['X-Amzn-SageMaker-Custom-Attributes', 'a\u001fb'],
    ['X-Amzn-SageMaker-Custom-Attributes', '\u00ff\u00fe latin1'],
    ['X-Amzn-SageMaker-Target-Container-Hostname', 'h'.repeat(64)],
    ['X-Amzn-SageMaker-Enable-Explanations', '`'.repeat(100)],
    ['X-Amzn-SageMaker-Session-Id', 's'.repeat(300)],
    ['X-Amzn-SageMaker-InputLocation', 'file:///etc/passwd'],
    ['X-Amzn-SageMaker-InputLocation', 's3://bucket/../../x'],
    ['X-Amzn-SageMaker-InputLocation', ''],
    ['X-Amzn-SageMaker-RequestTTLSeconds', '-1'],
    ['X-Amzn-SageMaker-RequestTTLSeconds', 'NaN'],
    ['X-Amzn-SageMaker-InvocationTimeoutSeconds', '99999999999999999999'],
    ['Accept', 'a'.repeat(1025)],
    ['Accept', '\u0001'],
  ];
  for (let i = 0; cases.length < count; i++) {
    const onLive = rng.chance(0.3);
    const name = onLive ? live : rng.pick(ENDPOINT_NAMES);
    const route = rng.pick(['invocations', 'invocations-response-stream', 'async-invocations', 'invocations/extra', 'INVOCATIONS']);
    const kind = rng.pick(['header', 'content-type', 'empty', 'body'] as const);
    const extra: [string, string][] = [];
    let ct: string | undefined = 'application/json';
    let payload: string | Buffer = '{"corpus":true}';
    if (kind === 'header') {
      extra.push(rng.pick(headerCases));
    } else if (kind === 'content-type') {
      ct = rng.pick(CONTENT_TYPES);
    } else if (kind === 'empty') {
      payload = '';
    } else {
      payload = rng.pick(['{"sleepMs":', '\u0000', '{"status":', 'not json', Buffer.from([0xff, 0xfe, 0xfd])]);
    }
    cases.push({
      id: `rt-${i}-${onLive ? 'live' : name.slice(0, 30)}-${route}-${kind}-${extra[0]?.[0] ?? ct ?? 'none'}`,
      family: 'runtime',
      request: runtime(`/endpoints/${name}/${route}`, payload, extra, ct),
      // The live echo model must not be told to sleep, fail or exit: only inert payloads reach it.
      expect: jsonAnswer('rest-json'),
    });
  }
  return cases;
}
