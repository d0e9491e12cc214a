import { maskedCrc32c } from './crc32c.js';

/**
 * The two binary record formats batch transform splits (TransformInput.SplitType,
 * API reference "TransformInput"): MXNet RecordIO and TensorFlow TFRecord.
 * A record is returned with its framing, as it sits in the file, so that a
 * MultiRecord batch (records concatenated) is still a valid file of its format;
 * `recordPayload` takes the framing off for SingleRecord requests.
 */
export class RecordFormatError extends Error {
  override name = this.constructor.name;
}

// ---- RecordIO (dmlc-core recordio.h: "magic lrecord data pad") ----

const RECORDIO_MAGIC = 0xced7230a;
const RECORDIO_MAGIC_BYTES = Buffer.from([0x0a, 0x23, 0xd7, 0xce]);

/** One physical RecordIO part: lrecord = cflag (upper 3 bits) | length (lower 29 bits), data padded to 4 bytes. */
interface RecordIOPart {
  cflag: number;
  data: Buffer;
  end: number;
}

function readRecordIOPart(file: Buffer, at: number): RecordIOPart {
  if (file.length - at < 8) {
    throw new RecordFormatError(`RecordIO: ${file.length - at} stray bytes at offset ${at}, too short for a record header.`);
  }
  const magic = file.readUInt32LE(at);
  if (magic !== RECORDIO_MAGIC) {
    throw new RecordFormatError(`RecordIO: no magic number at offset ${at} (found 0x${magic.toString(16).padStart(8, '0')}).`);
  }
  const lrecord = file.readUInt32LE(at + 4);
  const length = lrecord & 0x1fffffff;
  const padded = (length + 3) & ~3;
  if (file.length - at - 8 < padded) {
    throw new RecordFormatError(`RecordIO: the record at offset ${at} declares ${length} bytes but the file ends first.`);
  }
  return { cflag: lrecord >>> 29, data: file.subarray(at + 8, at + 8 + length), end: at + 8 + padded };
}

/**
 * Logical records. cflag 0 is a whole record; a record whose data held the magic
 * number was written as parts, cflag 1 (start), 2 (middle)…, 3 (end), and is
 * returned as one record spanning all its parts.
 */
export function splitRecordIO(file: Buffer): Buffer[] {
  const records: Buffer[] = [];
  let at = 0;
  while (at < file.length) {
    const start = at;
    const first = readRecordIOPart(file, at);
    at = first.end;
    if (first.cflag === 1) {
      let part: RecordIOPart;
      do {
        if (at >= file.length) {
          throw new RecordFormatError(`RecordIO: the multi-part record at offset ${start} has no end part.`);
        }
        part = readRecordIOPart(file, at);
        if (part.cflag !== 2 && part.cflag !== 3) {
          throw new RecordFormatError(`RecordIO: the multi-part record at offset ${start} is broken by a part with cflag ${part.cflag}.`);
        }
        at = part.end;
      } while (part.cflag === 2);
    } else if (first.cflag !== 0) {
      throw new RecordFormatError(`RecordIO: the record at offset ${start} has cflag ${first.cflag} without a start part before it.`);
    }
    records.push(file.subarray(start, at));
  }
  return records;
}

/** The data of a framed RecordIO record; parts are rejoined with the magic number the writer cut out (dmlc RecordIOReader). */
function recordIOPayload(record: Buffer): Buffer {
  const pieces: Buffer[] = [];
  for (let at = 0; at < record.length; ) {
    const part = readRecordIOPart(record, at);
    if (pieces.length > 0) {
      pieces.push(RECORDIO_MAGIC_BYTES);
    }
    pieces.push(part.data);
    at = part.end;
  }
  return pieces.length === 1 ? pieces[0] : Buffer.concat(pieces);
}

// ---- TFRecord (tf.io docs: uint64 length, uint32 masked_crc32c(length), data, uint32 masked_crc32c(data)) ----

const TFRECORD_OVERHEAD = 16;

/** Records with both CRCs checked: a corrupt file is a RecordFormatError, not a container's puzzle. */
export function splitTFRecord(file: Buffer): Buffer[] {
  const records: Buffer[] = [];
  let at = 0;
  while (at < file.length) {
    if (file.length - at < 12) {
      throw new RecordFormatError(`TFRecord: ${file.length - at} stray bytes at offset ${at}, too short for a record header.`);
    }
    const lengthBytes = file.subarray(at, at + 8);
    if (file.readUInt32LE(at + 8) !== maskedCrc32c(lengthBytes)) {
      throw new RecordFormatError(`TFRecord: the length CRC of the record at offset ${at} does not match.`);
    }
    const length = file.readBigUInt64LE(at);
    if (length > BigInt(file.length - at - TFRECORD_OVERHEAD)) {
      throw new RecordFormatError(`TFRecord: the record at offset ${at} declares ${length} bytes but the file ends first.`);
    }
    const end = at + TFRECORD_OVERHEAD + Number(length);
    const data = file.subarray(at + 12, end - 4);
    if (file.readUInt32LE(end - 4) !== maskedCrc32c(data)) {
      throw new RecordFormatError(`TFRecord: the data CRC of the record at offset ${at} does not match.`);
    }
    records.push(file.subarray(at, end));
    at = end;
  }
  return records;
}

/**
 * A record without its framing. The TransformInput.SplitType note: "Some data
 * formats represent a record as a binary payload wrapped with extra padding bytes.
 * When splitting is applied to a binary data format, padding is removed if the value
 * of BatchStrategy is set to SingleRecord. Padding is not removed if … MultiRecord."
 * We read "padding" as the whole wrapping (header and alignment), so a SingleRecord
 * request carries the bare payload; TFRecord is treated the same way.
 */
export function recordPayload(record: Buffer, format: 'RecordIO' | 'TFRecord'): Buffer {
  return format === 'RecordIO' ? recordIOPayload(record) : record.subarray(12, record.length - 4);
}
