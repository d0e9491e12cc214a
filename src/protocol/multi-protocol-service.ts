import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { AwsError } from './aws-error.js';
import { queryInput, queryParams } from './aws-query.js';
import type { RequestHandler, RequestInfo } from './dispatcher.js';
import { checkContentType, parseBody, parseTarget } from './json11.js';
import { decodeOrThrow, JSON_SERVICE_MAX_BODY, logOutcome, type JsonOperation } from './json-service.js';
import { jsonEncoding, shapeOutput, type OutputEncoding } from './output-shapes.js';
import { errorBody, queryErrorHeader, toWireError, type QueryErrorTable, type WireError } from './query-compatible-errors.js';
import { queryEncoding, queryErrorXml, queryResponseXml, writeXml } from './query-xml.js';
import { bodyReader } from './request-body.js';
import { CBOR_CONTENT_TYPE, cborEncoding, decodeCborInput, rpcV2Target, writeCbor } from './rpc-v2-cbor.js';
import type { ServiceName } from './shape-validator.js';
import { internalFailure, serializationException, unknownOperation } from './wire-errors.js';

export interface MultiProtocolSpec<Ctx> {
  /** Whose generated shapes validate inputs and shape outputs (`cloudwatch`). */
  service: ServiceName;
  /** AWS JSON's `X-Amz-Target: <targetPrefix>.<Op>`, also the RPC v2 path's service name. */
  targetPrefix: string;
  jsonVersion: '1.0' | '1.1';
  /** The query protocol's `Version`. */
  apiVersion: string;
  /** The query protocol's XML namespace (the model's `metadata.xmlNamespace`). */
  xmlNamespace: string;
  /** The smithy namespace of the service's shapes: `__type` is `<namespace>#<ErrorShape>`. */
  smithyNamespace: string;
  /** The query codes the operations throw, with their error shapes (awsQueryCompatible). */
  queryErrors: QueryErrorTable;
  operations: ReadonlyMap<string, JsonOperation<Ctx>>;
  context(info: RequestInfo, operation: string): Ctx;
  log: Logger;
}

type Protocol = 'cbor' | 'json' | 'query';

/** What a protocol reads: the operation it names, then (after that is known to exist) its JSON-form input. */
interface Incoming {
  operation: string;
  input(): Promise<Record<string, unknown>>;
}

/**
 * One handler for a service served in AWS JSON, smithy RPC v2 CBOR and
 * awsQuery at once (CloudWatch: docs/aws-contract.md "CloudWatch protocols").
 * The dispatcher may hand it any of the three (registered by signing name,
 * target prefix and RPC v2 service), so each request is told apart here:
 * an RPC v2 path is CBOR, an `X-Amz-Target` is JSON, anything else is query.
 * Each answers, errors included, in the protocol it was asked in: this is the
 * error boundary of such a service.
 */
export function multiProtocolService<Ctx>(spec: MultiProtocolSpec<Ctx>): RequestHandler {
  const readBody = bodyReader(JSON_SERVICE_MAX_BODY);

  return (req, res, info) => {
    const protocol = protocolOf(req);
    let operation = '';
    serve(protocol, req, res, info, (op) => (operation = op)).then(
      () => logOutcome(spec.log, info.requestId, operation, 200),
      (err: unknown) => {
        const sent = err instanceof AwsError ? err : internalFailure();
        if (!(err instanceof AwsError)) {
          spec.log.error({ err, requestId: info.requestId, operation }, 'unexpected error');
        }
        const wire = toWireError(sent, spec.queryErrors, spec.smithyNamespace);
        writeError(protocol, res, wire, info.requestId);
        logOutcome(spec.log, info.requestId, operation || `${protocol} ${req.method ?? ''} ${req.url ?? ''}`, wire.status, sent);
        if (!req.readableEnded) {
          req.resume();
        }
      },
    );
  };

  async function serve(protocol: Protocol, req: IncomingMessage, res: ServerResponse, info: RequestInfo, named: (op: string) => void): Promise<void> {
    const incoming = protocol === 'cbor' ? await cborRequest(req, res) : protocol === 'json' ? jsonRequest(req, res) : await queryRequest(req, res);
    named(incoming.operation);
    const handler = spec.operations.get(incoming.operation);
    if (!handler) {
      // The query protocol names its unknown actions itself (queryRequest).
      throw unknownOperation(
        `The operation ${incoming.operation} is not supported by sagemaker-emulator's ${spec.targetPrefix}. Supported: ${[...spec.operations.keys()].join(', ')}.`,
      );
    }
    const input = decodeOrThrow(spec.service, incoming.operation, await incoming.input());
    const output = await handler(input, spec.context(info, incoming.operation));
    const shaped = (encoding: OutputEncoding) => shapeOutput(spec.service, incoming.operation, output, encoding);
    if (protocol === 'cbor') {
      writeCbor(res, 200, shaped(cborEncoding));
    } else if (protocol === 'json') {
      writeJson(res, 200, shaped(jsonEncoding) ?? {}, {});
    } else {
      writeXml(res, 200, queryResponseXml(incoming.operation, shaped(queryEncoding), info.requestId, spec.xmlNamespace));
    }
  }

  async function cborRequest(req: IncomingMessage, res: ServerResponse): Promise<Incoming> {
    const target = rpcV2Target(pathOf(req))!;
    if (req.headers['x-amz-target'] !== undefined || req.headers['x-amzn-target'] !== undefined) {
      // "An rpcv2Cbor request is malformed if it contains either of these headers. Server-side implementations MUST reject such requests."
      throw serializationException('An RPC v2 CBOR request must not carry an X-Amz-Target or X-Amzn-Target header.');
    }
    if (target.service !== spec.targetPrefix || req.method !== 'POST') {
      throw unknownOperation(`${req.method ?? ''} ${pathOf(req)} is not an operation of ${spec.targetPrefix}: RPC v2 CBOR requests are POST /service/${spec.targetPrefix}/operation/<Operation>.`);
    }
    // Only a known operation's body is worth reading.
    if (!spec.operations.has(target.operation)) {
      return { operation: target.operation, input: () => Promise.resolve({}) };
    }
    const contentType = mime(req.headers['content-type']);
    if (contentType !== '' && contentType !== CBOR_CONTENT_TYPE) {
      throw serializationException(`Unsupported Content-Type "${req.headers['content-type'] ?? ''}": RPC v2 CBOR requests are ${CBOR_CONTENT_TYPE}.`);
    }
    const body = await readBody(req, res);
    return { operation: target.operation, input: () => Promise.resolve(decodeCborInput(body)) };
  }

  function jsonRequest(req: IncomingMessage, res: ServerResponse): Incoming {
    const { service, operation } = parseTarget(req.headers['x-amz-target'] as string | undefined, spec.targetPrefix);
    if (service !== spec.targetPrefix) {
      // Reached by signing name with another service's target.
      throw unknownOperation(`X-Amz-Target ${service}.${operation} is not an operation of ${spec.targetPrefix}.`);
    }
    return {
      operation,
      input: async () => {
        if (req.method !== 'POST') {
          throw unknownOperation(`${spec.targetPrefix}.${operation} is called with POST /, not ${req.method ?? ''}.`);
        }
        checkContentType(req.headers['content-type'], spec.targetPrefix, spec.jsonVersion);
        return parseBody(await readBody(req, res));
      },
    };
  }

  async function queryRequest(req: IncomingMessage, res: ServerResponse): Promise<Incoming> {
    const form = req.method === 'POST' && mime(req.headers['content-type']) === 'application/x-www-form-urlencoded';
    const params = queryParams(req.url ?? '/', form ? (await readBody(req, res)).toString('utf8') : '');
    const action = params.get('Action');
    if (!action) {
      // NOT VERIFIED text; the code and status are AWS's common MissingAction (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CommonErrors.html).
      throw new AwsError('MissingAction', 'Missing Action');
    }
    const version = params.get('Version') ?? '';
    if (version !== spec.apiVersion || !spec.operations.has(action)) {
      // InvalidAction (HTTP 400) in AWS's common errors; the text is what IAM and STS answer. NOT VERIFIED for CloudWatch.
      throw new AwsError('InvalidAction', `Could not find operation ${action} for version ${version}`);
    }
    return { operation: action, input: () => Promise.resolve(queryInput(spec.service, action, params)) };
  }

  function writeError(protocol: Protocol, res: ServerResponse, e: WireError, requestId: string): void {
    if (res.headersSent) {
      res.destroy();
      return;
    }
    const header = queryErrorHeader(e);
    const headers: Record<string, string> = header === undefined ? {} : { 'x-amzn-query-error': header };
    if (protocol === 'cbor') {
      writeCbor(res, e.status, errorBody(e), headers);
    } else if (protocol === 'json') {
      if (e.typeName !== undefined) {
        headers['x-amzn-ErrorType'] = e.typeName;
      }
      writeJson(res, e.status, errorBody(e), headers);
    } else {
      writeXml(res, e.status, queryErrorXml(e, requestId, spec.xmlNamespace));
    }
  }

  function writeJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string>): void {
    const payload = JSON.stringify(body);
    res.statusCode = status;
    for (const [name, v] of Object.entries(headers)) {
      res.setHeader(name, v);
    }
    res.setHeader('Content-Type', `application/x-amz-json-${spec.jsonVersion}`);
    res.setHeader('Content-Length', Buffer.byteLength(payload));
    res.end(payload);
  }
}

/** An RPC v2 path is CBOR (whatever its headers say); an X-Amz-Target is AWS JSON; the rest is query. */
function protocolOf(req: IncomingMessage): Protocol {
  if (rpcV2Target(pathOf(req))) {
    return 'cbor';
  }
  return typeof req.headers['x-amz-target'] === 'string' ? 'json' : 'query';
}

function pathOf(req: IncomingMessage): string {
  const url = req.url ?? '/';
  const q = url.indexOf('?');
  return q < 0 ? url : url.slice(0, q);
}

function mime(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]!.trim().toLowerCase();
}
