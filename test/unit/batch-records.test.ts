import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { assembleOutput, outputsOf } from '../../src/batch-transform/records/assemble.js';
import { batchRecords, maxPayloadBytes, RecordTooLargeError } from '../../src/batch-transform/records/batch.js';
import { crc32c, maskedCrc32c } from '../../src/batch-transform/records/crc32c.js';
import { DataProcessingError } from '../../src/batch-transform/records/data-processing.js';
import { RecordFormatError, recordPayload, splitRecords } from '../../src/batch-transform/records/split.js';

const b = (s: string) => Buffer.from(s);
const texts = (buffers: Buffer[]) => buffers.map((x) => x.toString());

// ---- encoders, written from the format descriptions, not from the library ----

const MAGIC = 0xced7230a;

/** One RecordIO part: magic, lrecord (cflag << 29 | length), data, zero padding to 4 bytes. */
function recordIOPart(data: Buffer, cflag = 0): Buffer {
  const header = Buffer.alloc(8);
  header.writeUInt32LE(MAGIC, 0);
  header.writeUInt32LE(((cflag << 29) | data.length) >>> 0, 4);
  return Buffer.concat([header, data, Buffer.alloc((4 - (data.length % 4)) % 4)]);
}

/** A TFRecord frame: uint64 length, masked CRC of it, data, masked CRC of the data. */
function tfRecord(data: Buffer): Buffer {
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(data.length));
  const crc = (x: Buffer) => {
    const out = Buffer.alloc(4);
    out.writeUInt32LE(maskedCrc32c(x));
    return out;
  };
  return Buffer.concat([len, crc(len), data, crc(data)]);
}

describe('CRC-32C', () => {
  test('known check values (RFC 3720 B.4 and the catalogue check "123456789")', () => {
    assert.equal(crc32c(b('123456789')), 0xe3069283);
    assert.equal(crc32c(Buffer.alloc(0)), 0);
    assert.equal(crc32c(Buffer.alloc(32, 0)), 0x8a9136aa);
    assert.equal(crc32c(Buffer.alloc(32, 0xff)), 0x62a8ab43);
    assert.equal(crc32c(Buffer.from(Array.from({ length: 32 }, (_, i) => i))), 0x46dd794e);
  });

  test('the mask is ((crc >> 15) | (crc << 17)) + 0xa282ead8, in 32 bits', () => {
    const crc = 0xe3069283;
    assert.equal(maskedCrc32c(b('123456789')), ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) % 2 ** 32);
  });
});

describe('splitRecords', () => {
  test('None: the whole file is one record, even an empty one', () => {
    assert.deepEqual(texts(splitRecords(b('a\nb\n'), 'None')), ['a\nb\n']);
    assert.deepEqual(texts(splitRecords(b(''), 'None')), ['']);
  });

  test('Line: LF and CRLF, with and without a final newline', () => {
    assert.deepEqual(texts(splitRecords(b('1,2\n3,4\n'), 'Line')), ['1,2', '3,4']);
    assert.deepEqual(texts(splitRecords(b('1,2\r\n3,4\r\n'), 'Line')), ['1,2', '3,4']);
    assert.deepEqual(texts(splitRecords(b('1,2\r\n3,4'), 'Line')), ['1,2', '3,4']);
    assert.deepEqual(texts(splitRecords(b('only'), 'Line')), ['only']);
  });

  test('Line: an empty file has no records; a file of one newline has one empty record', () => {
    assert.deepEqual(splitRecords(b(''), 'Line'), []);
    assert.deepEqual(texts(splitRecords(b('\n'), 'Line')), ['']);
  });

  test('Line: empty lines in the middle are records; only the piece after the final newline is not', () => {
    assert.deepEqual(texts(splitRecords(b('a\n\nb\n\n'), 'Line')), ['a', '', 'b', '']);
    assert.deepEqual(texts(splitRecords(b('a\r\n\r\nb'), 'Line')), ['a', '', 'b']);
  });

  test('Line: a carriage return inside a line stays', () => {
    assert.deepEqual(texts(splitRecords(b('a\rb\n'), 'Line')), ['a\rb']);
  });

  test('RecordIO round trip with lengths 0, 1, 3, 4, 5: records keep their framing and padding', () => {
    const payloads = [0, 1, 3, 4, 5].map((n) => Buffer.alloc(n, 0x41 + n));
    const frames = payloads.map((p) => recordIOPart(p));
    const records = splitRecords(Buffer.concat(frames), 'RecordIO');
    assert.deepEqual(records, frames);
    assert.deepEqual(records.map((r) => r.length), [8, 12, 12, 12, 16]);
    assert.deepEqual(
      records.map((r) => recordPayload(r, 'RecordIO')),
      payloads,
    );
  });

  test('RecordIO: a record written in parts (cflag 1, 2, 3) is one record; its payload has the magic put back', () => {
    const magic = Buffer.alloc(4);
    magic.writeUInt32LE(MAGIC);
    const parts = Buffer.concat([recordIOPart(b('ab'), 1), recordIOPart(b('cde'), 2), recordIOPart(b('f'), 3)]);
    const file = Buffer.concat([recordIOPart(b('x')), parts, recordIOPart(b('y'))]);
    const records = splitRecords(file, 'RecordIO');
    assert.equal(records.length, 3);
    assert.deepEqual(records[1], parts);
    assert.deepEqual(recordPayload(records[1]!, 'RecordIO'), Buffer.concat([b('ab'), magic, b('cde'), magic, b('f')]));
    assert.deepEqual(splitRecords(Buffer.alloc(0), 'RecordIO'), []);
  });

  test('RecordIO: malformed files throw RecordFormatError', () => {
    const good = recordIOPart(b('hello'));
    const badMagic = Buffer.from(good);
    badMagic.writeUInt32LE(0xdeadbeef, 0);
    const cases: [string, Buffer][] = [
      ['bad magic', badMagic],
      ['truncated data', good.subarray(0, good.length - 4)],
      ['missing padding', good.subarray(0, good.length - 1)],
      ['stray bytes after a record', Buffer.concat([good, b('xyz')])],
      ['an end part with no start', recordIOPart(b('a'), 3)],
      ['a start part with no end', recordIOPart(b('a'), 1)],
      ['a whole record inside a multi-part one', Buffer.concat([recordIOPart(b('a'), 1), recordIOPart(b('b'), 0)])],
    ];
    for (const [what, file] of cases) {
      assert.throws(() => splitRecords(file, 'RecordIO'), RecordFormatError, what);
    }
  });

  test('TFRecord round trip: records keep their 16 bytes of framing; the payload is the data', () => {
    const payloads = [b(''), b('a'), b('a longer record with \n inside')];
    const frames = payloads.map(tfRecord);
    const records = splitRecords(Buffer.concat(frames), 'TFRecord');
    assert.deepEqual(records, frames);
    assert.deepEqual(
      records.map((r) => recordPayload(r, 'TFRecord')),
      payloads,
    );
  });

  test('TFRecord: bad CRCs, truncation and stray bytes throw RecordFormatError', () => {
    const good = tfRecord(b('payload'));
    const badLengthCrc = Buffer.from(good);
    badLengthCrc[8] ^= 1;
    const badDataCrc = Buffer.from(good);
    badDataCrc[good.length - 1] ^= 1;
    const corruptData = Buffer.from(good);
    corruptData[12] ^= 1;
    const huge = Buffer.from(good);
    huge.writeBigUInt64LE(1n << 40n);
    huge.writeUInt32LE(maskedCrc32c(huge.subarray(0, 8)), 8);
    const cases: [string, Buffer][] = [
      ['bad length CRC', badLengthCrc],
      ['bad data CRC', badDataCrc],
      ['corrupt data', corruptData],
      ['length beyond the file', huge],
      ['truncated', good.subarray(0, good.length - 2)],
      ['stray bytes', Buffer.concat([good, b('xy')])],
    ];
    for (const [what, file] of cases) {
      assert.throws(() => splitRecords(file, 'TFRecord'), RecordFormatError, what);
    }
  });
});

describe('batchRecords', () => {
  const lines = ['aaa', 'bb', 'c', 'dddd'].map(b);
  const shape = (batches: ReturnType<typeof batchRecords>) => batches.map((x) => [x.body.toString(), x.first, x.count]);

  test('SingleRecord: one record per request', () => {
    assert.deepEqual(shape(batchRecords(lines, 'Line', 'SingleRecord', 100)), [
      ['aaa', 0, 1],
      ['bb', 1, 1],
      ['c', 2, 1],
      ['dddd', 3, 1],
    ]);
  });

  test('MultiRecord: whole records joined with newlines, packed exactly up to the limit', () => {
    // 'aaa\nbb' is 6 bytes, 'aaa\nbb\nc' 8: the limit 8 takes three records, and the joiners count.
    assert.deepEqual(shape(batchRecords(lines, 'Line', 'MultiRecord', 8)), [
      ['aaa\nbb\nc', 0, 3],
      ['dddd', 3, 1],
    ]);
  });

  test('MultiRecord: one byte under the packed size starts a new request', () => {
    assert.deepEqual(shape(batchRecords(lines, 'Line', 'MultiRecord', 7)), [
      ['aaa\nbb', 0, 2],
      ['c\ndddd', 2, 2],
    ]);
  });

  test('MultiRecord: without the joiners these would fit, with them they do not', () => {
    // the four records are 10 bytes, 13 with three newlines
    assert.equal(batchRecords(lines, 'Line', 'MultiRecord', 13).length, 1);
    assert.equal(batchRecords(lines, 'Line', 'MultiRecord', 12).length, 2);
  });

  test('a limit of 0 (MaxPayloadInMB 0) is no limit', () => {
    const big = [Buffer.alloc(10_000_000, 0x61), b('x')];
    assert.deepEqual(
      batchRecords(big, 'Line', 'MultiRecord', 0).map((x) => [x.body.length, x.first, x.count]),
      [[10_000_002, 0, 2]],
    );
    assert.equal(batchRecords(big, 'Line', 'SingleRecord', 0).length, 2);
  });

  test('a record over the limit throws RecordTooLargeError with its index and the sizes', () => {
    for (const strategy of ['SingleRecord', 'MultiRecord'] as const) {
      assert.throws(
        () => batchRecords(lines, 'Line', strategy, 3),
        (err: unknown) => {
          assert.ok(err instanceof RecordTooLargeError);
          assert.equal(err.recordIndex, 3);
          assert.equal(err.size, 4);
          assert.equal(err.limit, 3);
          assert.match(err.message, /Record 4 .* 4 bytes.*\(3 bytes\)/);
          return true;
        },
      );
    }
  });

  test('SplitType None: the file is one request, over the limit an error', () => {
    const file = b('a\nb\n');
    assert.deepEqual(shape(batchRecords(splitRecords(file, 'None'), 'None', 'MultiRecord', 4)), [['a\nb\n', 0, 1]]);
    assert.throws(() => batchRecords([file], 'None', 'SingleRecord', 3), RecordTooLargeError);
  });

  test('no records, no requests', () => {
    assert.deepEqual(batchRecords([], 'Line', 'MultiRecord', 10), []);
  });

  test('RecordIO MultiRecord concatenates framed records (a valid RecordIO file); SingleRecord sends the bare payload', () => {
    const frames = [b('one'), b('two!'), b('three')].map((p) => recordIOPart(p));
    const multi = batchRecords(frames, 'RecordIO', 'MultiRecord', 24);
    assert.deepEqual(multi.map((x) => [x.first, x.count]), [[0, 2], [2, 1]]);
    assert.deepEqual(splitRecords(multi[0]!.body, 'RecordIO'), frames.slice(0, 2));
    assert.deepEqual(texts(batchRecords(frames, 'RecordIO', 'SingleRecord', 5).map((x) => x.body)), ['one', 'two!', 'three']);
  });

  test('TFRecord MultiRecord concatenates frames; SingleRecord sends the payload, sized without the framing', () => {
    const frames = [b('abc'), b('defg')].map(tfRecord);
    const multi = batchRecords(frames, 'TFRecord', 'MultiRecord', 0);
    assert.deepEqual(multi[0]!.body, Buffer.concat(frames));
    assert.deepEqual(texts(batchRecords(frames, 'TFRecord', 'SingleRecord', 4).map((x) => x.body)), ['abc', 'defg']);
    assert.throws(() => batchRecords(frames, 'TFRecord', 'MultiRecord', 4), RecordTooLargeError);
  });

  test('MaxPayloadInMB in bytes: MiB, 6 by default, 0 unlimited', () => {
    assert.equal(maxPayloadBytes(undefined), 6 * 1024 * 1024);
    assert.equal(maxPayloadBytes(1), 1_048_576);
    assert.equal(maxPayloadBytes(0), 0);
  });
});

describe('outputsOf and assembleOutput', () => {
  test('without per-record processing the answer is one piece, untouched', () => {
    const answer = b('0.1\n0.2\r\n');
    assert.deepEqual(outputsOf(answer, 5, false), [answer]);
  });

  test('a MultiRecord answer splits into one output per record', () => {
    assert.deepEqual(texts(outputsOf(b('0.1\n0.2\n0.3\n'), 3, true)), ['0.1', '0.2', '0.3']);
    assert.deepEqual(texts(outputsOf(b('0.1\r\n0.2'), 2, true)), ['0.1', '0.2']);
  });

  test('a single record answer is its output, whatever its lines', () => {
    assert.deepEqual(texts(outputsOf(b('0.5\n'), 1, true)), ['0.5']);
    const pretty = b('{\n  "label": 1\n}\n');
    assert.deepEqual(outputsOf(pretty, 1, true), [pretty]);
  });

  test('a line count other than the batch size is a DataProcessingError naming both counts', () => {
    assert.throws(() => outputsOf(b('0.1\n0.2\n'), 3, true), (err: unknown) => {
      assert.ok(err instanceof DataProcessingError);
      assert.match(err.message, /batch of 3 records with 2 lines/);
      return true;
    });
    assert.throws(() => outputsOf(b('a\nb\nc\nd'), 3, true), /batch of 3 records with 4 lines/);
  });

  test('Line ends every output with a newline, the last one too, without doubling one already there', () => {
    assert.equal(assembleOutput(['1', '2', '3'].map(b), 'Line').toString(), '1\n2\n3\n');
    assert.equal(assembleOutput([b('1\n2'), b('3\n4\n')], 'Line').toString(), '1\n2\n3\n4\n');
    assert.equal(assembleOutput([b(''), b('x')], 'Line').toString(), '\nx\n');
    assert.equal(assembleOutput([], 'Line').length, 0);
  });

  test('None concatenates the outputs as they are', () => {
    assert.equal(assembleOutput(['1', '2\n', '3'].map(b), 'None').toString(), '12\n3');
  });

  test('end to end: split, pack, answer per batch, split back, assemble', () => {
    const records = splitRecords(b('1\n2\n3\n4\n5\n'), 'Line');
    const batches = batchRecords(records, 'Line', 'MultiRecord', 5);
    assert.deepEqual(batches.map((x) => x.count), [3, 2]);
    const answers = batches.map((x) => b(texts(splitRecords(x.body, 'Line')).map((r) => Number(r) * 10).join('\n') + '\n'));
    const outputs = batches.flatMap((x, i) => outputsOf(answers[i]!, x.count, true));
    assert.equal(assembleOutput(outputs, 'Line').toString(), '10\n20\n30\n40\n50\n');
  });
});
