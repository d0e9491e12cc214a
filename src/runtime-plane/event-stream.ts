import { EventStreamCodec, type MessageHeaders } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';

/**
 * The frames of InvokeEndpointWithResponseStream's answer, an AWS event
 * stream (docs/aws-contract.md §3.3). The codec writes the prelude, the
 * headers and both CRCs; we only say what goes in them.
 */
const codec = new EventStreamCodec(toUtf8, fromUtf8);

/** The answer's Content-Type: the AWS convention for event streams (docs/aws-contract.md §3.3). */
export const EVENT_STREAM_CONTENT_TYPE = 'application/vnd.amazon.eventstream';

/** ModelStreamError's ErrorCode values, as the service model documents them (docs/aws-contract.md §3.3). */
export type ModelStreamErrorCode = 'ModelInvocationTimeExceeded' | 'StreamBroken';

const str = (value: string) => ({ type: 'string', value }) as const;

// The headers of every PayloadPart are the same: encoded once, not per chunk.
const PAYLOAD_PART_HEADERS: MessageHeaders = {
  ':message-type': str('event'),
  ':event-type': str('PayloadPart'),
  ':content-type': str('application/octet-stream'),
};

/** One PayloadPart event carrying `bytes` as its payload (the `Bytes` member is the event payload). */
export function payloadPartFrame(bytes: Uint8Array): Uint8Array {
  return codec.encode({ headers: PAYLOAD_PART_HEADERS, body: bytes });
}

/** A modeled exception event: botocore raises EventStreamError with `Error.Code` = the exception type. */
function exceptionFrame(exceptionType: 'ModelStreamError' | 'InternalStreamFailure', members: Record<string, string>): Uint8Array {
  return codec.encode({
    headers: {
      ':message-type': str('exception'),
      ':exception-type': str(exceptionType),
      ':content-type': str('application/json'),
    },
    body: fromUtf8(JSON.stringify(members)),
  });
}

/** The model broke off or ran out of time after the answer had started (docs/aws-contract.md §3.3, §8.4). */
export function modelStreamErrorFrame(errorCode: ModelStreamErrorCode, message: string): Uint8Array {
  return exceptionFrame('ModelStreamError', { Message: message, ErrorCode: errorCode });
}

/** Our own failure after the answer had started: the stream's counterpart of InternalFailure. */
export function internalStreamFailureFrame(message: string): Uint8Array {
  return exceptionFrame('InternalStreamFailure', { Message: message });
}
