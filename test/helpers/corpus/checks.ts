import type { Answer } from './types.js';

/**
 * What every answer of the corpus must look like, per protocol
 * (docs/aws-contract.md §2.3, §3.4 and the S3 section): an AWS-shaped error,
 * a request id, and never a 5xx that the contract does not document.
 */
export type Check = (answer: Answer) => string | undefined;

/** 5xx codes a hostile request may legitimately get (S3 answers 501 NotImplemented for sub-resources it does not keep). */
const DOCUMENTED_5XX = new Set(['NotImplemented']);

/** Header names no answer may carry: the corpus tries to inject them through echoed values. */
export const INJECTED_HEADERS = ['x-sme-injected', 'set-cookie'];

function common(a: Answer): string | undefined {
  for (const name of a.rawHeaderNames) {
    if (INJECTED_HEADERS.includes(name.toLowerCase())) {
      return `the answer carries an injected header ${name}`;
    }
  }
  return undefined;
}

function parseJson(body: Buffer): Record<string, unknown> | undefined {
  try {
    const v: unknown = JSON.parse(body.toString('utf8'));
    return v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** The HTTP layer's own refusal of a request it cannot parse (Node's 400/431/413 before any handler runs). */
function httpLayerRefusal(a: Answer): boolean {
  return a.status === 0 || ((a.status === 400 || a.status === 431 || a.status === 413) && a.headers['x-amzn-requestid'] === undefined && a.body.length === 0);
}

const isJsonError = (a: Answer, style: 'json' | 'rest-json'): string | undefined => {
  if (!a.headers['x-amzn-requestid']) {
    return `a ${a.status} without x-amzn-RequestId`;
  }
  const body = parseJson(a.body);
  if (!body) {
    return `a ${a.status} whose body is not a JSON object: ${a.body.toString('utf8').slice(0, 200)}`;
  }
  if (a.status === 413 && !('__type' in body)) {
    // The real service's untyped 413 (docs/aws-contract.md: "HTTP content length exceeded").
    return typeof body.message === 'string' ? undefined : 'a 413 without a message';
  }
  const type = body.__type;
  if (typeof type !== 'string' || type === '') {
    return `a ${a.status} without __type: ${a.body.toString('utf8').slice(0, 200)}`;
  }
  if (style === 'rest-json' && a.headers['x-amzn-errortype'] === undefined) {
    return `a ${a.status} ${type} without x-amzn-ErrorType`;
  }
  if (!('message' in body) && !('Message' in body)) {
    return `a ${a.status} ${type} without a message`;
  }
  if (a.status >= 500 && !DOCUMENTED_5XX.has(type)) {
    return `an undocumented ${a.status} ${type}: ${String(body.message ?? body.Message).slice(0, 200)}`;
  }
  return undefined;
};

/** An AWS JSON 1.1 / REST-JSON service: 2xx, or an error as above. */
export function jsonAnswer(style: 'json' | 'rest-json', opts: { allowHttpLayer?: boolean; onlyErrors?: boolean } = {}): Check {
  return (a) => {
    const c = common(a);
    if (c) {
      return c;
    }
    if (opts.allowHttpLayer && httpLayerRefusal(a)) {
      return undefined;
    }
    if (a.status === 0) {
      return 'no answer (the connection was closed or timed out)';
    }
    if (a.status >= 200 && a.status < 300) {
      return opts.onlyErrors ? `a ${a.status} where an error was expected: ${a.body.toString('utf8').slice(0, 200)}` : undefined;
    }
    return isJsonError(a, style);
  };
}

/** S3 (REST-XML): 2xx/3xx/304, or `<Error><Code>` with a request id; HEAD errors have no body. */
export function s3Answer(opts: { allowHttpLayer?: boolean; head?: boolean } = {}): Check {
  return (a) => {
    const c = common(a);
    if (c) {
      return c;
    }
    if (opts.allowHttpLayer && httpLayerRefusal(a)) {
      return undefined;
    }
    if (a.status === 0) {
      return 'no answer (the connection was closed or timed out)';
    }
    if (!a.headers['x-amz-request-id'] && !a.headers['x-amzn-requestid']) {
      return `a ${a.status} without a request id`;
    }
    if (a.status < 400) {
      return undefined;
    }
    const text = a.body.toString('utf8');
    if (opts.head && text === '') {
      return a.status >= 500 ? `an undocumented ${a.status} to a HEAD` : undefined;
    }
    const code = /<Error>[\s\S]*?<Code>([^<]+)<\/Code>/.exec(text)?.[1];
    if (!code) {
      // A JSON error is right when the dispatcher answered before S3 did (e.g. an unknown service).
      return isJsonError(a, 'json') === undefined ? undefined : `a ${a.status} that is not an S3 <Error>: ${text.slice(0, 200)}`;
    }
    if (a.status >= 500 && !DOCUMENTED_5XX.has(code)) {
      return `an undocumented ${a.status} ${code}: ${text.slice(0, 300)}`;
    }
    return undefined;
  };
}

/** Either protocol (a malformed signature may be routed anywhere): whichever shape the answer has must be right. */
export function anyAwsAnswer(opts: { allowHttpLayer?: boolean } = {}): Check {
  return (a) => {
    const ct = a.headers['content-type'] ?? '';
    if (/xml/.test(ct)) {
      return s3Answer(opts)(a);
    }
    if (/html/.test(ct) && a.status < 400) {
      return common(a);
    }
    return jsonAnswer('json', opts)(a);
  };
}

/** A check plus a wanted status/code: `codes` are accepted `__type`/`<Code>` values. */
export function wants(base: Check, want: { status?: number[]; codes?: string[] }): Check {
  return (a) => {
    const p = base(a);
    if (p) {
      return p;
    }
    if (want.status && !want.status.includes(a.status)) {
      return `status ${a.status}, wanted ${want.status.join('/')}: ${a.body.toString('utf8').slice(0, 200)}`;
    }
    if (want.codes && a.status >= 400) {
      const text = a.body.toString('utf8');
      const code = parseJson(a.body)?.__type ?? /<Code>([^<]+)<\/Code>/.exec(text)?.[1] ?? (a.status === 413 ? '413' : undefined);
      if (typeof code !== 'string' || !want.codes.includes(code)) {
        return `code ${String(code)}, wanted ${want.codes.join('/')}: ${text.slice(0, 200)}`;
      }
    }
    return undefined;
  };
}
