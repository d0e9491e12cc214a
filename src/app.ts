import { randomUUID } from 'node:crypto';
import { strictAuth } from './auth/strict-auth.js';
import type { IncomingMessage, RequestListener, ServerResponse } from 'node:http';
import type { AsyncInference } from './async-inference/async-inference.js';
import type { AutoScaling } from './autoscaling/auto-scaling.js';
import type { CloudWatch } from './cloudwatch/cloudwatch.js';
import { CLOUDWATCH_NAMESPACE, CLOUDWATCH_QUERY_ERRORS } from './cloudwatch/errors.js';
import { CONSOLE_PATH, webConsole } from './console/console.js';
import type { OperationContext } from './control-plane/context.js';
import express, { type NextFunction, type Request, type Response } from 'express';
import type { Logger } from 'pino';
import type { Config } from './config/schema.js';
import { sageMakerControlPlane } from './control-plane/handler.js';
import { resetRoute } from './control-plane/reset.js';
import type { ContainerClient } from './docker/container-client.js';
import type { Hosting } from './hosting/hosting.js';
import type { JobRunner } from './jobs/job-runner.js';
import type { Metrics } from './observability/metrics.js';
import { AwsError } from './protocol/aws-error.js';
import { Dispatcher, type RequestInfo } from './protocol/dispatcher.js';
import { writeAwsError } from './protocol/error-response.js';
import { logOutcome } from './protocol/json-service.js';
import { multiProtocolService } from './protocol/multi-protocol-service.js';
import { unknownOperation, validationError } from './protocol/wire-errors.js';
import type { DataCapture } from './data-capture/data-capture.js';
import { FaultTags } from './runtime-plane/fault-injection.js';
import { type InvokeAsyncDeps, invokeEndpointAsync } from './runtime-plane/invoke-async.js';
import { type InvokeDeps, type InvokeRequest, invokeEndpoint } from './runtime-plane/invoke-endpoint.js';
import { invokeEndpointWithResponseStream } from './runtime-plane/invoke-stream.js';
import { pingWithin } from './hosting/docker-watch.js';
import { s3Handler } from './s3/handler.js';
import type { S3Storage } from './s3/storage.js';
import type { Clock } from './shared/clock.js';
import type { ObjectStore } from './storage/object-store.js';
import type { Store } from './store/store.js';

export interface AppDeps {
  config: Config;
  store: Store;
  hosting: Hosting;
  docker: ContainerClient;
  log: Logger;
  metrics: Metrics;
  /** Where every s3:// URL the emulator reads or writes goes: the embedded S3, or an external one (src/server.ts). */
  objects: ObjectStore;
  /** Data capture (Model Monitor) of real-time endpoints; absent, nothing is captured. */
  dataCapture?: DataCapture;
  /** The embedded S3's buckets and objects, served on our port to requests signed for `s3`. */
  s3Storage: S3Storage;
  asyncInference: AsyncInference;
  /** Transform jobs (and later recommender jobs) run here. */
  jobs: JobRunner;
  clock: Clock;
  /** CloudWatch's read side and alarms (JSON 1.0, RPC v2 CBOR and query). */
  cloudWatch: CloudWatch;
  /** Application Auto Scaling (AWS JSON 1.1). */
  autoScaling: AutoScaling;
  /** The control plane's context for a region: what the console's actions call the operations with. */
  sageMakerContext: (region: string) => OperationContext;
  /** The emulator's own URL, once it listens (the console's invoke form calls it). */
  baseUrl: () => string;
}

const INVOCATIONS = /^\/endpoints\/([^/]+)\/invocations$/;
const INVOCATIONS_STREAM = /^\/endpoints\/([^/]+)\/invocations-response-stream$/;
const ASYNC_INVOCATIONS = /^\/endpoints\/([^/]+)\/async-invocations$/;
/** moto's server mode resets at /moto-api/reset: suites written for it run unchanged. */
const RESET = /^\/(?:_emulator|moto-api)\/reset$/;

/**
 * The one listener, and what answers what (the dispatcher's order is in
 * src/protocol/dispatcher.ts):
 *   - `X-Amz-Target: SageMaker.*` → the control plane (AWS JSON 1.1);
 *   - `POST /endpoints/{name}/invocations` → the runtime plane, the hot path;
 *   - `POST /endpoints/{name}/invocations-response-stream` → the same, answering an event stream;
 *   - `POST /endpoints/{name}/async-invocations` → InvokeEndpointAsync (queued, answered 202);
 *   - `POST /_emulator/reset` (and moto's `/moto-api/reset`) → delete everything;
 *   - `/console/…` → the web console (and a browser's `GET /` is sent there);
 *   - a request signed for `s3` (header or presigned query) → the embedded S3 (src/s3/);
 *   - `X-Amz-Target: AnyScaleFrontendService.*` → Application Auto Scaling (src/autoscaling/);
 *   - CloudWatch in any of its protocols: signed for `monitoring`, `X-Amz-Target:
 *     GraniteServiceVersion20100801.*` or `/service/GraniteServiceVersion20100801/operation/*`;
 *   - anything else → Express: /health, /metrics, then the AWS-style 404.
 */
export function buildApp(deps: AppDeps): RequestListener {
  const invokeDeps: InvokeDeps = {
    hosting: deps.hosting,
    metrics: deps.metrics,
    accountId: deps.config.accountId,
    invocationTimeoutMs: deps.config.invocationTimeoutMs,
    faults: new FaultTags(deps.store),
    ...(deps.dataCapture ? { capture: deps.dataCapture } : {}),
  };
  const asyncDeps: InvokeAsyncDeps = {
    store: deps.store,
    hosting: deps.hosting,
    asyncInference: deps.asyncInference,
    accountId: deps.config.accountId,
    clock: deps.clock,
  };
  const controlPlane = sageMakerControlPlane({ ...deps, now: Date.now });
  const cloudWatch = multiProtocolService({
    service: 'cloudwatch',
    targetPrefix: 'GraniteServiceVersion20100801',
    jsonVersion: '1.0',
    apiVersion: '2010-08-01',
    xmlNamespace: 'http://monitoring.amazonaws.com/doc/2010-08-01/',
    smithyNamespace: CLOUDWATCH_NAMESPACE,
    queryErrors: CLOUDWATCH_QUERY_ERRORS,
    operations: deps.cloudWatch.operations,
    context: (info, operation) => deps.cloudWatch.context(info, operation),
    log: deps.log,
  });
  const dispatcher = new Dispatcher(deps.config.region, randomUUID, fallbackApp(deps))
    .signingService('s3', s3Handler(deps.s3Storage, deps.log))
    // A query request (form POST /) is told apart only by its signature: register CloudWatch all three ways.
    .signingService('monitoring', cloudWatch)
    .targetPrefix('GraniteServiceVersion20100801', 'monitoring', cloudWatch)
    .rpcV2Service('GraniteServiceVersion20100801', 'monitoring', cloudWatch)
    .targetPrefix('AnyScaleFrontendService', 'application-autoscaling', deps.autoScaling.handler)
    .targetPrefix('SageMaker', 'sagemaker', controlPlane)
    .route(
      { method: 'POST', path: INVOCATIONS, handler: (req, res, info, m) => serveInvocation(deps, invokeDeps, req, res, m[1]!, info, invokeEndpoint) },
      'sagemaker',
    )
    .route(
      {
        method: 'POST',
        path: INVOCATIONS_STREAM,
        handler: (req, res, info, m) => serveInvocation(deps, invokeDeps, req, res, m[1]!, info, invokeEndpointWithResponseStream),
      },
      'sagemaker',
    )
    .route(
      { method: 'POST', path: ASYNC_INVOCATIONS, handler: (req, res, info, m) => serveAsyncInvocation(deps, asyncDeps, req, res, m[1]!, info) },
      'sagemaker',
    )
    .route({ method: '*', path: CONSOLE_PATH, handler: webConsole(deps, deps.log) })
    // POST / without a target: the control plane says what is missing.
    .route({ method: 'POST', path: /^\/$/, handler: controlPlane })
    .route({
      method: '*',
      path: RESET,
      handler: resetRoute({
        store: deps.store,
        hosting: deps.hosting,
        asyncInference: deps.asyncInference,
        jobs: deps.jobs,
        log: deps.log,
        s3: deps.s3Storage,
        // Scaling first (it deletes its target-tracking alarms through CloudWatch), then CloudWatch.
        services: [deps.autoScaling, deps.cloudWatch],
      }),
    });
  if (deps.config.auth === 'strict') {
    dispatcher.authenticate(
      strictAuth({
        credentials: deps.config.credentials,
        log: deps.log,
        queryXmlNamespace: 'http://monitoring.amazonaws.com/doc/2010-08-01/',
        json10TargetPrefixes: ['GraniteServiceVersion20100801'],
      }),
    );
  }
  return dispatcher.listener;
}

/**
 * The endpoint name is percent-decoded as the SDKs encode it; an escape that
 * does not decode (`%zz`, a lone `%`, invalid UTF-8) is a bad name, answered
 * like any other name that fails the pattern.
 */
function endpointNameOf(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    throw validationError(
      `1 validation error detected: Value '${raw}' at 'endpointName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9])*`,
    );
  }
}

function serveInvocation(
  deps: AppDeps,
  invokeDeps: InvokeDeps,
  req: IncomingMessage,
  res: ServerResponse,
  rawName: string,
  info: RequestInfo,
  operation: (deps: InvokeDeps, r: InvokeRequest) => Promise<void>,
): void {
  const { requestId, region } = info;
  // The request's child logger is made only when something is logged: at info level, only failures are.
  let child: Logger | undefined;
  let endpointName = rawName;
  const log = () => (child ??= deps.log.child({ requestId, endpoint: endpointName }));
  const debug = deps.log.isLevelEnabled('debug');
  const started = debug ? Date.now() : 0;
  Promise.resolve()
    .then(() => {
      endpointName = endpointNameOf(rawName);
      return operation(invokeDeps, { req, res, endpointName, region, requestId, log });
    })
    .then(
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

/** InvokeEndpointAsync: the request is queued and answered 202; errors are REST-JSON, as for InvokeEndpoint. */
function serveAsyncInvocation(
  deps: AppDeps,
  asyncDeps: InvokeAsyncDeps,
  req: IncomingMessage,
  res: ServerResponse,
  rawName: string,
  info: RequestInfo,
): void {
  const { requestId, region } = info;
  let endpointName = rawName;
  Promise.resolve()
    .then(() => {
      endpointName = endpointNameOf(rawName);
      return invokeEndpointAsync(asyncDeps, req, res, endpointName, region);
    })
    .catch((err: unknown) => {
      if (res.destroyed || res.headersSent) {
        return;
      }
      const sent = writeAwsError(res, err, requestId, 'rest-json');
      const log = deps.log.child({ requestId, endpoint: endpointName });
      if (sent.fault === 'server') {
        log.error({ err }, 'async invocation failed');
      } else {
        log.info({ code: sent.code, status: sent.status, message: sent.message.slice(0, 300) }, 'async invocation refused');
      }
      if (!req.readableEnded) {
        req.resume();
      }
    });
}

/** What no AWS service claims: health, metrics, and the AWS-style 404 for the rest. */
function fallbackApp(deps: AppDeps): (req: IncomingMessage, res: ServerResponse, info: RequestInfo) => void {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);

  // A browser opening the emulator's address lands on the console; API clients (no text/html) are unaffected.
  app.get('/', (req, res, next) => {
    if ((req.headers.accept ?? '').includes('text/html')) {
      res.redirect(302, '/console/');
      return;
    }
    next();
  });

  // Always HTTP 200 (a probe must not kill the emulator when Docker goes); the ping is time-boxed so that
  // a hung engine still gets an answer within ~2 s (docker-watch.ts).
  app.get('/health', (_req, res) => {
    pingWithin(deps.docker).then(
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

  app.use((req: Request) => {
    throw unknownOperation(`No operation answers ${req.method} ${req.path} (the SageMaker API is POST / with X-Amz-Target).`);
  });

  app.use((err: unknown, req: Request, res: Response, _next: NextFunction) => {
    const { requestId } = (req as unknown as { sme: RequestInfo }).sme;
    const sent = writeAwsError(res, err, requestId, 'json-1.1');
    logOutcome(deps.log, requestId, `${req.method} ${req.path}`, sent.status, sent);
    if (!(err instanceof AwsError)) {
      deps.log.error({ err, requestId }, 'unexpected error');
    }
  });
  return (req, res, info) => {
    (req as IncomingMessage & { sme?: RequestInfo }).sme = info;
    app(req, res);
  };
}
