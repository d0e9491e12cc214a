/**
 * The awsQuery protocol's answers (https://smithy.io/2.0/aws/protocols/aws-query-protocol.html):
 *
 *   <OpResponse xmlns="…"><OpResult>…</OpResult><ResponseMetadata><RequestId>…</RequestId></ResponseMetadata></OpResponse>
 *
 * lists as `<member>` elements, maps as `<entry><key/><value/></entry>`,
 * timestamps in ISO-8601 with milliseconds, and an operation without output
 * answering the bare `<OpResponse>` with its ResponseMetadata. Errors:
 *
 *   <ErrorResponse xmlns="…"><Error><Type>Sender</Type><Code>…</Code><Message>…</Message></Error><RequestId>…</RequestId></ErrorResponse>
 *
 * Element names come from the service model only; text is escaped by
 * fast-xml-parser's builder.
 */
import type { ServerResponse } from 'node:http';
import { XMLBuilder } from 'fast-xml-parser';
import { nonFiniteName, type OutputEncoding } from './output-shapes.js';
import type { WireError } from './query-compatible-errors.js';

/** What AWS query services answer with (`text/xml`, as SQS, SNS, IAM and CloudWatch do). */
export const QUERY_CONTENT_TYPE = 'text/xml';

const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', suppressEmptyNode: true });

/**
 * The shape walk's output, ready for the builder: an array under `member`
 * (or `entry`) becomes one element per item, an empty one an empty element
 * (`<Datapoints/>`, which botocore and the JS SDK read as an empty list).
 */
export const queryEncoding: OutputEncoding = {
  timestamp: (s) => new Date(Math.round(s * 1000)).toISOString(),
  blob: (bytes) => bytes.toString('base64'),
  nonFinite: nonFiniteName,
  list: (items) => ({ member: items }),
  map: (entries) => ({ entry: entries.map(([key, value]) => ({ key, value })) }),
};

export function queryResponseXml(operation: string, result: unknown, requestId: string, xmlNamespace: string): string {
  const body: Record<string, unknown> = { '@_xmlns': xmlNamespace };
  if (result !== undefined) {
    body[`${operation}Result`] = result;
  }
  body.ResponseMetadata = { RequestId: requestId };
  return builder.build({ [`${operation}Response`]: body }) as string;
}

export function queryErrorXml(e: WireError, requestId: string, xmlNamespace: string): string {
  const error: Record<string, unknown> = { Type: e.type, Code: e.queryCode, Message: e.message };
  for (const [name, value] of Object.entries(e.members)) {
    if (value !== undefined && value !== null && !Object.hasOwn(error, name)) {
      error[name] = typeof value === 'object' ? JSON.stringify(value) : String(value);
    }
  }
  return builder.build({ ErrorResponse: { '@_xmlns': xmlNamespace, Error: error, RequestId: requestId } }) as string;
}

export function writeXml(res: ServerResponse, status: number, xml: string): void {
  res.statusCode = status;
  res.setHeader('Content-Type', QUERY_CONTENT_TYPE);
  res.setHeader('Content-Length', Buffer.byteLength(xml));
  res.end(xml);
}
