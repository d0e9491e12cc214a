import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import type { AwsError } from '../protocol/aws-error.js';
import type { RequestInfo } from '../protocol/dispatcher.js';
import { writeAwsError, type WireStyle } from '../protocol/error-response.js';
import { errorBody, queryErrorHeader, toWireError } from '../protocol/query-compatible-errors.js';
import { queryErrorXml, writeXml } from '../protocol/query-xml.js';
import { rpcV2Target, writeCbor } from '../protocol/rpc-v2-cbor.js';
import { credentialScope } from '../protocol/sigv4.js';
import { payloadTooLarge } from '../protocol/wire-errors.js';
import { parseS3Request, sendS3Error, stampIds } from '../s3/request.js';
import { askForBasicAuth, basicAuthKey } from './basic-auth.js';
import { jsonAuthError, queryAuthError, s3AuthError } from './auth-errors.js';
import { runAsConsoleUser } from './console-identity.js';
import { readWholeBody, replayRequest } from './replay-request.js';
import { type AuthFailure, verifySigV4 } from './sigv4-verifier.js';

export interface StrictAuthOptions {
  /** Access key id → secret (config.credentials). */
  credentials: ReadonlyMap<string, string>;
  log: Logger;
  now?: () => Date;
  /** The query protocol's XML namespace for its error documents (CloudWatch's). */
  queryXmlNamespace: string;
  /** The X-Amz-Target prefix of the service that speaks AWS JSON 1.0 (CloudWatch); the others speak 1.1. */
  json10TargetPrefixes: readonly string[];
}

/** Runs the handler with the request it should read (the original, or a replay of its buffered body). */
export type Next = (req: IncomingMessage) => void;
export type AuthGate = (req: IncomingMessage, res: ServerResponse, info: RequestInfo, next: Next) => void;

/** Probes and Prometheus scrapes carry no SigV4. */
const EXEMPT = /^\/(?:health|metrics)$/;
/** Pages for people and the reset route: HTTP Basic, or SigV4. */
const BASIC_AUTH_PATHS = /^\/(?:console(?:\/.*)?|_emulator\/reset|moto-api\/reset)$/;
/**
 * Bodies hashed for their signature are read whole first. The largest a
 * signed non-S3 request may be: above every service's own limit (the
 * runtime's payload limit, the JSON services' 5 MiB), which still answer
 * their own 413 for what passes this.
 */
const MAX_HASHED_BODY = 32 * 1024 * 1024;

/**
 * SME_AUTH=strict: every request's SigV4 signature is verified before any
 * handler runs (src/auth/sigv4-verifier.ts), and refused as the service it
 * was meant for refuses it, in its own protocol (src/auth/auth-errors.ts).
 * S3 requests are verified from their headers alone (their payload hash is
 * `x-amz-content-sha256`), so uploads stream as before; other services'
 * bodies are read to be hashed and replayed to the handler.
 */
export function strictAuth(options: StrictAuthOptions): AuthGate {
  const { credentials, log } = options;
  const now = options.now ?? (() => new Date());

  return (req, res, info, next) => {
    const path = pathOf(req);
    if ((req.method === 'GET' || req.method === 'HEAD') && (EXEMPT.test(path) || browserAtRoot(req, path))) {
      next(req);
      return;
    }
    if (BASIC_AUTH_PATHS.test(path)) {
      const basicKey = basicAuthKey(req.headers.authorization, credentials);
      if (basicKey !== undefined) {
        runAsConsoleUser(basicKey, () => next(req));
        return;
      }
      if (credentialScope(req) === undefined) {
        log.info({ requestId: info.requestId, method: req.method, path }, 'console or reset request refused: no credentials');
        req.resume();
        askForBasicAuth(res);
        return;
      }
    }
    verify(req, res, info, path).then(
      (verified) => {
        if (verified) {
          if (BASIC_AUTH_PATHS.test(path)) {
            runAsConsoleUser(verified.accessKeyId, () => next(verified.req));
          } else {
            next(verified.req);
          }
        }
      },
      (err: unknown) => {
        log.error({ err, requestId: info.requestId }, 'signature verification failed unexpectedly');
        if (!res.headersSent) {
          writeAwsError(res, err, info.requestId, 'json-1.1');
        }
        req.resume();
      },
    );
  };

  async function verify(req: IncomingMessage, res: ServerResponse, info: RequestInfo, path: string): Promise<{ req: IncomingMessage; accessKeyId: string } | undefined> {
    const scope = credentialScope(req);
    const hashBody = scope !== undefined && scope.service !== 's3';
    let body: Buffer | undefined;
    if (hashBody) {
      const read = await readWholeBody(req, MAX_HASHED_BODY);
      if (read === undefined) {
        return undefined; // the client went away
      }
      if ('tooLarge' in read) {
        refuse(req, res, info, path, undefined, payloadTooLarge(MAX_HASHED_BODY));
        return undefined;
      }
      body = read.body;
    }
    const result = await verifySigV4({ method: req.method ?? 'GET', url: req.url ?? '/', headers: req.headers, body }, { credentials, now: now() });
    if (!result.ok) {
      refuse(req, res, info, path, result.failure);
      return undefined;
    }
    return { req: body === undefined ? req : replayRequest(req, res, body), accessKeyId: result.accessKeyId };
  }

  function refuse(req: IncomingMessage, res: ServerResponse, info: RequestInfo, path: string, failure: AuthFailure | undefined, tooLarge?: AwsError): void {
    const scope = credentialScope(req);
    const accessKeyId = failure && 'accessKeyId' in failure ? failure.accessKeyId : undefined;
    if (BASIC_AUTH_PATHS.test(path)) {
      log.info({ requestId: info.requestId, method: req.method, path, reason: failure?.kind, accessKeyId }, 'console or reset request refused');
      askForBasicAuth(res);
    } else {
      const wire = wireOf(req, path, scope?.service);
      let code: string;
      let status: number;
      if (wire.kind === 's3') {
        const s3 = parseS3Request(req, res, info);
        stampIds(res, info.requestId);
        const err = sendS3Error(s3, s3AuthError(failure ?? { kind: 'missing' }, req.headers.authorization === undefined));
        ({ code, status } = err);
      } else {
        const err = tooLarge ?? (wire.kind === 'query' ? queryAuthError(failure!) : jsonAuthError(failure!));
        writeAuthError(res, err, info.requestId, wire);
        ({ code, status } = err);
      }
      log.info({ requestId: info.requestId, method: req.method, path, code, status, accessKeyId, service: scope?.service }, 'request refused: SigV4 authentication');
    }
    if (!req.readableEnded) {
      req.resume();
    }
  }

  function writeAuthError(res: ServerResponse, err: AwsError, requestId: string, wire: Exclude<Wire, { kind: 's3' }>): void {
    if (wire.kind === 'json') {
      writeAwsError(res, err, requestId, wire.style);
      return;
    }
    // No modelled shape names these: `__type` is the bare code (query-compatible-errors.ts).
    const e = toWireError(err, new Map(), '');
    const header = queryErrorHeader(e);
    if (wire.kind === 'cbor') {
      writeCbor(res, e.status, errorBody(e), header === undefined ? {} : { 'x-amzn-query-error': header });
    } else {
      writeXml(res, e.status, queryErrorXml(e, requestId, options.queryXmlNamespace));
    }
  }

  type Wire = { kind: 'json'; style: WireStyle } | { kind: 'cbor' } | { kind: 'query' } | { kind: 's3' };

  /**
   * The protocol the refused request spoke, told apart as the dispatcher
   * does: a request signed for s3 is S3; an RPC v2 path is CBOR; an
   * X-Amz-Target is AWS JSON (1.0 for CloudWatch, else 1.1); the runtime's
   * `/endpoints/…` is REST-JSON; a form POST is the query protocol; any other
   * POST / is AWS JSON. What is left (an unsigned GET of /bucket/key…) can
   * only be S3's.
   */
  function wireOf(req: IncomingMessage, path: string, service: string | undefined): Wire {
    if (service === 's3') {
      return { kind: 's3' };
    }
    if (rpcV2Target(path)) {
      return { kind: 'cbor' };
    }
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string' && target !== '') {
      const prefix = target.slice(0, Math.max(0, target.lastIndexOf('.')));
      return { kind: 'json', style: options.json10TargetPrefixes.includes(prefix) ? 'json-1.0' : 'json-1.1' };
    }
    if (path.startsWith('/endpoints/')) {
      return { kind: 'json', style: 'rest-json' };
    }
    const form = (req.headers['content-type'] ?? '').toLowerCase().startsWith('application/x-www-form-urlencoded');
    if (path === '/' && req.method === 'POST') {
      return form || service === 'monitoring' ? { kind: 'query' } : { kind: 'json', style: 'json-1.1' };
    }
    if (service === 'monitoring') {
      return { kind: 'query' };
    }
    return service === undefined ? { kind: 's3' } : { kind: 'json', style: 'json-1.1' };
  }
}

/** A browser opening the emulator's address is only redirected to the console (which then asks for credentials). */
function browserAtRoot(req: IncomingMessage, path: string): boolean {
  return path === '/' && req.headers.authorization === undefined && !(req.url ?? '').includes('?') && (req.headers.accept ?? '').includes('text/html');
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}
