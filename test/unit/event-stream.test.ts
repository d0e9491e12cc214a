import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { crc32 } from 'node:zlib';
import { EventStreamCodec, type Message } from '@smithy/eventstream-codec';
import { fromUtf8, toUtf8 } from '@smithy/util-utf8';
import { internalStreamFailureFrame, modelStreamErrorFrame, payloadPartFrame } from '../../src/runtime-plane/event-stream.js';

/**
 * The frames of InvokeEndpointWithResponseStream (docs/aws-contract.md §3.3),
 * read back with the same codec the JS SDK decodes with, and checked against
 * the framing botocore reads (lengths and CRCs by hand).
 */
const codec = new EventStreamCodec(toUtf8, fromUtf8);

function headersOf(m: Message): Record<string, unknown> {
  return Object.fromEntries(Object.entries(m.headers).map(([k, v]) => [k, v.value]));
}

describe('event-stream frames', () => {
  test('a PayloadPart carries the chunk verbatim as its payload', () => {
    const chunk = Buffer.from('data: {"token":"héllo"}\n\n');
    const m = codec.decode(payloadPartFrame(chunk));
    assert.deepEqual(headersOf(m), {
      ':message-type': 'event',
      ':event-type': 'PayloadPart',
      ':content-type': 'application/octet-stream',
    });
    assert.deepEqual(Buffer.from(m.body), chunk);
  });

  test('binary chunks survive, and each frame is independent', () => {
    const a = Buffer.from([0, 1, 2, 255, 254]);
    const b = Buffer.alloc(70_000, 7);
    const both = Buffer.concat([payloadPartFrame(a), payloadPartFrame(b)]);
    // Split the way a reader does: each frame says its own total length first.
    const bodies = [];
    for (let at = 0; at < both.length; ) {
      const total = both.readUInt32BE(at);
      bodies.push(Buffer.from(codec.decode(both.subarray(at, at + total)).body));
      at += total;
    }
    assert.deepEqual(bodies, [a, b]);
  });

  test('the prelude and message CRCs are what botocore checks', () => {
    const frame = Buffer.from(payloadPartFrame(Buffer.from('xyz')));
    const total = frame.readUInt32BE(0);
    const headersLength = frame.readUInt32BE(4);
    assert.equal(total, frame.length);
    assert.equal(frame.readUInt32BE(8), crc32(frame.subarray(0, 8)));
    assert.equal(frame.readUInt32BE(total - 4), crc32(frame.subarray(0, total - 4)));
    assert.equal(frame.subarray(12 + headersLength, total - 4).toString(), 'xyz');
  });

  for (const code of ['StreamBroken', 'ModelInvocationTimeExceeded'] as const) {
    test(`ModelStreamError ${code} is an exception frame with Message and ErrorCode`, () => {
      const m = codec.decode(modelStreamErrorFrame(code, 'it broke'));
      assert.deepEqual(headersOf(m), {
        ':message-type': 'exception',
        ':exception-type': 'ModelStreamError',
        ':content-type': 'application/json',
      });
      assert.deepEqual(JSON.parse(Buffer.from(m.body).toString()), { Message: 'it broke', ErrorCode: code });
    });
  }

  test('InternalStreamFailure is an exception frame with Message', () => {
    const m = codec.decode(internalStreamFailureFrame('ours'));
    assert.equal(headersOf(m)[':exception-type'], 'InternalStreamFailure');
    assert.deepEqual(JSON.parse(Buffer.from(m.body).toString()), { Message: 'ours' });
  });
});
