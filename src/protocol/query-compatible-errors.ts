/**
 * Errors of an `awsQueryCompatible` service (CloudWatch), one convention for
 * every protocol it is served in:
 *
 * - operations throw AwsErrors whose `code` is the **query code**, the code
 *   the service has always answered in its query protocol (`InvalidParameterValue`,
 *   `MissingParameter`, `ResourceNotFound`, `ValidationError`, …), with the real
 *   HTTP status; a service's table maps each query code to its error shape;
 * - the query protocol writes that code as `<Code>`;
 * - AWS JSON and RPC v2 CBOR write the error shape's id as `__type`
 *   (`com.amazonaws.cloudwatch#InvalidParameterValueException`) and the query
 *   code in the header `x-amzn-query-error: InvalidParameterValue;Sender`, as
 *   AWS does for SQS (botocore's tests/functional/test_sqs.py quotes the real
 *   `{"__type":"com.amazonaws.sqs#QueueDoesNotExist",…}` with
 *   `x-amzn-query-error: AWS.SimpleQueueService.NonExistentQueue;Sender`), and
 *   as smithy's protocol test QueryCompatibleRpcV2CborCustomCodeError does for
 *   CBOR. botocore (parsers.py `_do_query_compatible_error_parse`) then reports
 *   the query code, and the JS SDK (`ProtocolLib.findQueryCompatibleError`)
 *   the modelled exception class whose `awsQueryError` is that code.
 *
 * See docs/aws-contract.md, "CloudWatch protocols".
 */
import { AwsError } from './aws-error.js';
import { internalFailure } from './wire-errors.js';

/** A query code's error shape, and the case of its message member where it is not `message`. */
export interface QueryErrorShape {
  shape: string;
  messageMember?: 'message' | 'Message';
}

/** Query code → error shape. */
export type QueryErrorTable = ReadonlyMap<string, QueryErrorShape>;

/** An error ready for any of the protocols. */
export interface WireError {
  status: number;
  /** `<Code>` in query; the code of `x-amzn-query-error`. */
  queryCode: string;
  /** `__type` in JSON and CBOR: the shape id, or the bare code of an error no shape models; undefined when untyped. */
  typeName: string | undefined;
  /** Query's `<Type>` and the second half of `x-amzn-query-error`. */
  type: 'Sender' | 'Receiver';
  message: string;
  messageMember: 'message' | 'Message';
  /** Modelled members beside the message. */
  members: Record<string, unknown>;
}

/**
 * The generic layers (src/protocol/wire-errors.ts: the shape validator, the
 * body readers) raise the AWS JSON codes; a query-compatible service reports
 * both as the query world's common `ValidationError` (HTTP 400), whose shape
 * CloudWatch's current model calls `ValidationException`
 * (https://docs.aws.amazon.com/AmazonCloudWatch/latest/APIReference/CommonErrors.html).
 * NOT VERIFIED for SerializationException (a wrong JSON/CBOR type): the real
 * service may name it otherwise.
 */
const GENERIC_TO_QUERY: ReadonlyMap<string, string> = new Map([
  ['ValidationException', 'ValidationError'],
  ['SerializationException', 'ValidationError'],
]);

export function toWireError(error: unknown, table: QueryErrorTable, smithyNamespace: string): WireError {
  const err = error instanceof AwsError ? error : internalFailure();
  const queryCode = GENERIC_TO_QUERY.get(err.code) ?? err.code;
  const modelled = table.get(queryCode);
  return {
    status: err.status,
    queryCode,
    typeName: err.untyped ? undefined : modelled ? `${smithyNamespace}#${modelled.shape}` : queryCode,
    type: err.fault === 'server' ? 'Receiver' : 'Sender',
    message: err.message,
    messageMember: modelled?.messageMember ?? 'message',
    members: err.members,
  };
}

/** The `x-amzn-query-error` header value, or undefined for an untyped error. */
export function queryErrorHeader(e: WireError): string | undefined {
  return e.typeName === undefined ? undefined : `${e.queryCode};${e.type}`;
}

/** The JSON/CBOR error body: `__type`, the message, modelled members. */
export function errorBody(e: WireError): Record<string, unknown> {
  const body: Record<string, unknown> = {};
  if (e.typeName !== undefined) {
    body.__type = e.typeName;
  }
  body[e.messageMember] = e.message;
  return Object.assign(body, e.members);
}
