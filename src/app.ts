import { payloadTooLarge, serializationException, unknownOperation } from './protocol/wire-errors.js';
import { randomUUID } from 'node:crypto';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { Config } from './config/schema.js';
import type { OperationContext } from './control-plane/context.js';
import { controlPlaneHandler, logOutcome } from './control-plane/handler.js';
import type { ContainerClient } from './docker/container-client.js';
import type { Hosting } from './hosting/hosting.js';
import type { Metrics } from './observability/metrics.js';
import { AwsError } from './protocol/aws-error.js';
import { writeAwsError } from './protocol/error-response.js';
import { regionFromAuthorization } from './protocol/sigv4.js';
import { type InvokeDeps, invokeEndpoint } from './runtime-plane/invoke-endpoint.js';
import type { Store } from './store/store.js';

export interface AppDeps {
  config: Config;
  store: Store;
  hosting: Hosting;
  docker: ContainerClient;
  log: Logger;
  metrics: Metrics;
}

/** Control-plane request bodies are small JSON documents; this is well above any real one. */
const CONTROL_PLANE_MAX_BODY = 5 * 1024 * 1024;
const INVOCATIONS = /^\/endpoints\/([^/]+)\/invocations$/;

/**
 * The one listener, and the order things happen in:
 *   1. request id and region (from the SigV4 credential scope) for every request;
 *   2. POST /endpoints/{name}/invocations → the runtime plane, outside Express (hot path);
 *   3. everything else → Express: /health, then POST / (the control plane),
 *      then the AWS-style 404, then the error boundary.
 */
export function buildApp(deps: AppDeps): RequestListener {
  const control = buildControlPlane(deps);
  const invokeDeps: InvokeDeps = {
    hosting: deps.hosting,
    metrics: deps.metrics,
    accountId: deps.config.accountId,
    invocationTimeoutMs: deps.config.invocationTimeoutMs,
  };
  return (req, res) => {
    const requestId = randomUUID();
    res.setHeader('x-amzn-RequestId', requestId);
    const region = regionFromAuthorization(req.headers.authorization) ?? deps.config.region;
    const match = req.method === 'POST' ? INVOCATIONS.exec((req.url ?? '').split('?')[0]!) : null;
    if (match) {
      serveInvocation(deps, invokeDeps, req, res, decodeURIComponent(match[1]!), region, requestId);
      return;
    }
    (req as IncomingMessage & { sme?: RequestInfo }).sme = { requestId, region };
    control(req, res);
  };
}

interface RequestInfo {
  requestId: string;
  region: string;
}

function serveInvocation(
  deps: AppDeps,
  invokeDeps: InvokeDeps,
  req: IncomingMessage,
  res: ServerResponse,
  endpointName: string,
  region: string,
  requestId: string,
): void {
  // The request's child logger is made only when something is logged: at info level, only failures are.
  let child: Logger | undefined;
  const log = () => (child ??= deps.log.child({ requestId, endpoint: endpointName }));
  const debug = deps.log.isLevelEnabled('debug');
  const started = debug ? Date.now() : 0;
  invokeEndpoint(
    invokeDeps,
    { req, res, endpointName, region, requestId, log },
  ).then(
    () => {
      if (debug) {
        log().debug({ ms: Date.now() - started, status: res.statusCode }, 'invocation served');
      }
    },
    (err: unknown) => {
      if (res.destroyed || (req.destroyed && !(err instanceof AwsError))) {
        return; // the client went away; nobody to answer
      }
      const sent = writeAwsError(res, err, requestId, 'rest-json');
      if (sent.fault === 'server') {
        log().error({ err }, 'invocation failed');
      } else {
        log().info({ code: sent.code, status: sent.status, message: sent.message.slice(0, 300) }, 'invocation refused');
      }
      // Unread request bytes (an oversized payload) must not be parsed as the next request.
      if (!req.readableEnded) {
        req.resume();
      }
    },
  );
}

function buildControlPlane(deps: AppDeps): express.Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  app.get('/health', (_req, res) => {
    deps.docker.ping().then(
      (d) => res.json({ status: 'ok', docker: { reachable: true, version: d.version } }),
      (err: Error) => res.json({ status: 'ok', docker: { reachable: false, error: err.message } }),
    );
  });

  app.get('/metrics', (_req, res, next) => {
    deps.metrics.registry.metrics().then((text) => {
      res.setHeader('Content-Type', deps.metrics.registry.contentType);
      res.end(text);
    }, next);
  });

  const makeContext = (req: Request, _res: Response, operation: string): OperationContext => {
    const info = infoOf(req);
    return {
      store: deps.store,
      hosting: deps.hosting,
      config: deps.config,
      region: info.region,
      accountId: deps.config.accountId,
      requestId: info.requestId,
      log: deps.log.child({ requestId: info.requestId, operation }),
      now: Date.now,
    };
  };
  app.post('/', express.raw({ type: () => true, limit: CONTROL_PLANE_MAX_BODY }), controlPlaneHandler(makeContext));

  app.use((req: Request) => {
    throw unknownOperation(`No operation answers ${req.method} ${req.path} (the SageMaker API is POST / with X-Amz-Target).`);
  });

  // The error boundary: the only place control-plane errors are written (docs/architecture.md decision 2).
  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const info = infoOf(req);
    const mapped = mapBodyParserError(err);
    const sent = writeAwsError(res, mapped, info.requestId, 'json-1.1');
    const operation = req.header('x-amz-target') ?? `${req.method} ${req.path}`;
    logOutcome(deps.log.child({ requestId: info.requestId }), operation, sent.status, sent);
    if (!(mapped instanceof AwsError)) {
      deps.log.error({ err: mapped, requestId: info.requestId }, 'unexpected error');
    }
  });
  return app;
}

function infoOf(req: Request): RequestInfo {
  return (req as unknown as { sme: RequestInfo }).sme;
}

/** Express's body reader throws its own errors; turn them into AWS ones. */
function mapBodyParserError(err: unknown): unknown {
  const type = (err as { type?: string }).type;
  if (type === 'entity.too.large') {
    return payloadTooLarge(CONTROL_PLANE_MAX_BODY);
  }
  if (type === 'request.aborted' || type === 'request.size.invalid' || type === 'encoding.unsupported') {
    return serializationException(`Could not read the request body: ${(err as Error).message}`);
  }
  return err;
}
