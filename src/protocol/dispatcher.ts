import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AuthGate } from '../auth/strict-auth.js';
import type { AwsError } from './aws-error.js';
import { writeAwsError } from './error-response.js';
import { writeCbor } from './rpc-v2-cbor.js';
import { type CredentialScope, credentialScope } from './sigv4.js';
import { unknownService } from './wire-errors.js';

/** What every handler gets besides the request: set once, by the dispatcher. */
export interface RequestInfo {
  requestId: string;
  /** From the SigV4 credential scope, else the configured default. */
  region: string;
  /** The service the client signed for, when the request is signed. */
  signingService?: string;
}

export type RequestHandler = (req: IncomingMessage, res: ServerResponse, info: RequestInfo) => void;

export interface RestRoute {
  /** An HTTP method, or `*` for any. */
  method: string;
  path: RegExp;
  handler: (req: IncomingMessage, res: ServerResponse, info: RequestInfo, match: RegExpExecArray) => void;
}

/** `/service/<Service>/operation/<Operation>`: smithy RPC v2 (CBOR). */
const RPC_V2_PATH = /^\/service\/([^/]+)\/operation\/([^/]+)$/;

/**
 * One listener, many AWS services (docs/architecture.md decision 1). A request
 * is told apart, in this order, by:
 *   1. its SigV4 credential scope's service, for services registered by
 *      signing name (S3: its path-style URLs look like anything else);
 *   2. its `X-Amz-Target` prefix (AWS JSON 1.0/1.1: SageMaker, Application
 *      Auto Scaling, CloudWatch's JSON protocol);
 *   3. its smithy RPC v2 path's service;
 *   4. a REST route (the SageMaker runtime, the emulator's own routes);
 *   5. else the fallback (health, metrics, the AWS-style 404).
 * A service that is named but not served gets a JSON AWS error naming it.
 * Lookups use Maps, so a target such as `SageMaker.__proto__` is just unknown.
 */
export class Dispatcher {
  private readonly bySigningService = new Map<string, RequestHandler>();
  private readonly byTargetPrefix = new Map<string, RequestHandler>();
  private readonly byRpcV2Service = new Map<string, RequestHandler>();
  private readonly routes: RestRoute[] = [];
  /** Signing names that are served by a route or a target (SageMaker's runtime and control plane share one). */
  private readonly knownSigningServices = new Set<string>();
  /** SME_AUTH=strict: runs before any handler (src/auth/strict-auth.ts). Unset, requests go straight on. */
  private gate: AuthGate | undefined;

  constructor(
    private readonly defaultRegion: string,
    private readonly newRequestId: () => string,
    private readonly fallback: RequestHandler,
  ) {}

  signingService(service: string, handler: RequestHandler): this {
    this.bySigningService.set(service, handler);
    this.knownSigningServices.add(service);
    return this;
  }

  targetPrefix(prefix: string, signingName: string, handler: RequestHandler): this {
    this.byTargetPrefix.set(prefix, handler);
    this.knownSigningServices.add(signingName);
    return this;
  }

  rpcV2Service(service: string, signingName: string, handler: RequestHandler): this {
    this.byRpcV2Service.set(service, handler);
    this.knownSigningServices.add(signingName);
    return this;
  }

  route(route: RestRoute, signingName?: string): this {
    this.routes.push(route);
    if (signingName) {
      this.knownSigningServices.add(signingName);
    }
    return this;
  }

  /** Every request passes `gate` first (strict SigV4 authentication). */
  authenticate(gate: AuthGate): this {
    this.gate = gate;
    return this;
  }

  /** The listener: `http.createServer(dispatcher.listener)`. */
  readonly listener = (req: IncomingMessage, res: ServerResponse): void => {
    const requestId = this.newRequestId();
    res.setHeader('x-amzn-RequestId', requestId);
    const scope = credentialScope(req);
    const info: RequestInfo = { requestId, region: scope?.region ?? this.defaultRegion, signingService: scope?.service };
    if (this.gate) {
      // The gate may hand on a replay of the request (its body read to be hashed).
      this.gate(req, res, info, (verified) => this.dispatch(verified, res, info, scope));
      return;
    }
    this.dispatch(req, res, info, scope);
  };

  private dispatch(req: IncomingMessage, res: ServerResponse, info: RequestInfo, scope: CredentialScope | undefined): void {
    const bySigning = scope ? this.bySigningService.get(scope.service) : undefined;
    if (bySigning) {
      bySigning(req, res, info);
      return;
    }
    const target = req.headers['x-amz-target'];
    if (typeof target === 'string' && target.length > 0) {
      const dot = target.lastIndexOf('.');
      const prefix = dot < 0 ? target : target.slice(0, dot);
      const handler = this.byTargetPrefix.get(prefix);
      if (handler) {
        handler(req, res, info);
      } else {
        this.refuse(req, res, info, unknownService(prefix, `X-Amz-Target: ${target}`));
      }
      return;
    }
    const path = pathOf(req);
    const rpc = path.startsWith('/service/') ? RPC_V2_PATH.exec(path) : null;
    if (rpc) {
      const handler = this.byRpcV2Service.get(rpc[1]!);
      if (handler) {
        handler(req, res, info);
      } else {
        // An RPC v2 CBOR client reads CBOR only, errors included.
        const err = unknownService(rpc[1]!, `${req.method ?? ''} ${path}`);
        writeCbor(res, err.status, { __type: err.code, message: err.message });
        req.resume();
      }
      return;
    }
    if (scope && !this.knownSigningServices.has(scope.service)) {
      this.refuse(req, res, info, unknownService(scope.service, `a request signed for "${scope.service}"`));
      return;
    }
    for (const r of this.routes) {
      if (r.method !== '*' && r.method !== req.method) {
        continue;
      }
      const match = r.path.exec(path);
      if (match) {
        r.handler(req, res, info, match);
        return;
      }
    }
    this.fallback(req, res, info);
  }

  private refuse(req: IncomingMessage, res: ServerResponse, info: RequestInfo, err: AwsError): void {
    writeAwsError(res, err, info.requestId, 'json-1.1');
    // The body is not read: drain it so that it is not taken for the next request.
    req.resume();
  }
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}
