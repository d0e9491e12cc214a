import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { AwsError } from './aws-error.js';
import type { RequestInfo, RequestHandler } from './dispatcher.js';
import { writeAwsError } from './error-response.js';
import { checkContentType, parseBody, parseTarget } from './json11.js';
import { bodyReader } from './request-body.js';
import { decodeInput, type ServiceName } from './shape-validator.js';
import { serializationException, unknownOperation, validationException } from './wire-errors.js';

/** Control-plane request bodies are small JSON documents; this is well above any real one. */
export const JSON_SERVICE_MAX_BODY = 5 * 1024 * 1024;

export type JsonOperation<Ctx> = (input: Record<string, unknown>, ctx: Ctx) => object | Promise<object>;

export interface JsonServiceSpec<Ctx> {
  /** `X-Amz-Target: <targetPrefix>.<Operation>`. */
  targetPrefix: string;
  /** 1.1 for SageMaker and Application Auto Scaling, 1.0 for CloudWatch. */
  version: '1.0' | '1.1';
  operations: ReadonlyMap<string, JsonOperation<Ctx>>;
  /** Checks the input against the service model; returns it with unknown members dropped, or throws an AwsError. */
  decode(operation: string, input: Record<string, unknown>): Record<string, unknown>;
  context(info: RequestInfo, operation: string): Ctx;
  log: Logger;
}

/**
 * An AWS JSON 1.0/1.1 service (docs/aws-contract.md §2): `POST /`,
 * `X-Amz-Target: <Prefix>.<Operation>`, a JSON object in and out. Everything
 * that can go wrong, from the target to the handler, ends as an AWS error
 * written here: this is the error boundary of JSON services
 * (docs/architecture.md decision 2).
 */
export function jsonService<Ctx>(spec: JsonServiceSpec<Ctx>): RequestHandler {
  const style = spec.version === '1.1' ? 'json-1.1' : 'json-1.0';
  const readBody = bodyReader(JSON_SERVICE_MAX_BODY);
  return (req, res, info) => {
    let operation = '';
    serve(req, res, info, (op) => (operation = op)).then(
      () => logOutcome(spec.log, info.requestId, operation, 200),
      (err: unknown) => {
        const sent = writeAwsError(res, err, info.requestId, style);
        logOutcome(spec.log, info.requestId, operation || String(req.headers['x-amz-target']), sent.status, sent);
        if (!(err instanceof AwsError)) {
          spec.log.error({ err, requestId: info.requestId, operation }, 'unexpected error');
        }
        if (!req.readableEnded) {
          req.resume();
        }
      },
    );
  };

  async function serve(req: IncomingMessage, res: ServerResponse, info: RequestInfo, named: (op: string) => void): Promise<void> {
    const { operation } = parseTarget(req.headers['x-amz-target'] as string | undefined, spec.targetPrefix);
    named(operation);
    if (req.method !== 'POST') {
      throw unknownOperation(`${spec.targetPrefix}.${operation} is called with POST /, not ${req.method ?? ''}.`);
    }
    const handler = spec.operations.get(operation);
    if (!handler) {
      throw unknownOperation(
        `The operation ${spec.targetPrefix}.${operation} is not supported by sagemaker-emulator. Supported: ${[...spec.operations.keys()].join(', ')}.`,
      );
    }
    checkContentType(req.headers['content-type'], spec.targetPrefix, spec.version);
    const input = spec.decode(operation, parseBody(await readBody(req, res)));
    const output = await handler(input, spec.context(info, operation));
    const payload = JSON.stringify(output);
    res.statusCode = 200;
    res.setHeader('Content-Type', `application/x-amz-json-${spec.version}`);
    res.setHeader('Content-Length', Buffer.byteLength(payload));
    res.end(payload);
  }
}

/**
 * Decodes an input against a generated service model: the input with only
 * modelled members, or the real error (SerializationException for a wrong
 * JSON type, ValidationException listing every broken constraint).
 */
export function decodeOrThrow(service: ServiceName, operation: string, input: Record<string, unknown>): Record<string, unknown> {
  const decoded = decodeInput(service, operation, input);
  if (!decoded.ok) {
    const { kind, message } = decoded.problem;
    throw kind === 'serialization' ? serializationException(message) : validationException(message);
  }
  return decoded.value;
}

export function logOutcome(log: Logger, requestId: string, operation: string, status: number, err?: AwsError): void {
  if (err && err.fault === 'server') {
    log.error({ requestId, operation, status, code: err.code, err }, 'request failed');
  } else if (err) {
    log.info({ requestId, operation, status, code: err.code, message: err.message.slice(0, 300) }, 'request refused');
  } else if (log.isLevelEnabled('debug')) {
    log.debug({ requestId, operation, status }, 'request served');
  }
}
