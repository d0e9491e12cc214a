import { serializationException, unknownOperation, validationException } from '../protocol/wire-errors.js';
import type { Request, Response } from 'express';
import type { Logger } from 'pino';
import type { AwsError } from '../protocol/aws-error.js';
import { checkContentType, parseBody, parseTarget } from '../protocol/json11.js';
import { validateInput } from '../protocol/shape-validator.js';
import type { OperationContext } from './context.js';
import { applyEmulatorExtensions } from './emulator-extensions.js';
import { operations } from './operations.js';

export type ContextFactory = (req: Request, res: Response, operation: string) => OperationContext;

/** POST / with X-Amz-Target: the SageMaker control plane (AWS JSON 1.1). */
export function controlPlaneHandler(makeContext: ContextFactory) {
  return async (req: Request, res: Response): Promise<void> => {
    const { service, operation } = parseTarget(req.header('x-amz-target'));
    if (service !== 'SageMaker') {
      throw unknownOperation(`The service ${service} is not emulated: sagemaker-emulator serves SageMaker.<Operation>.`);
    }
    const op = operations[operation];
    if (!op) {
      throw unknownOperation(
        `The operation SageMaker.${operation} is not supported by sagemaker-emulator. Supported: ${Object.keys(operations).join(', ')}.`,
      );
    }
    checkContentType(req.header('content-type'));
    const input = parseBody(Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0));
    const ctx = makeContext(req, res, operation);
    const problem = validateInput(operation, applyEmulatorExtensions(operation, input));
    if (problem) {
      throw problem.kind === 'serialization' ? serializationException(problem.message) : validationException(problem.message);
    }
    const output = await op(input, ctx);
    const payload = JSON.stringify(output);
    res.status(200);
    res.setHeader('Content-Type', 'application/x-amz-json-1.1');
    res.setHeader('Content-Length', Buffer.byteLength(payload));
    res.end(payload);
    logOutcome(ctx.log, operation, 200);
  };
}

export function logOutcome(log: Logger, operation: string, status: number, err?: AwsError): void {
  if (err && err.fault === 'server') {
    log.error({ operation, status, code: err.code, err }, 'request failed');
  } else if (err) {
    log.info({ operation, status, code: err.code, message: err.message }, 'request refused');
  } else {
    log.debug({ operation, status }, 'request served');
  }
}
