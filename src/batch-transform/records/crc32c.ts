/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82f63b78), table-driven, and the
 * "masked" form TFRecord frames carry: TensorFlow's tf.io docs ("TFRecords Format
 * Details") give `masked_crc = ((crc >> 15) | (crc << 17)) + 0xa282ead8`.
 * Node's zlib has only the IEEE CRC-32, hence this.
 */
const TABLE = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) {
      c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    }
    t[n] = c >>> 0;
  }
  return t;
})();

export function crc32c(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) {
    crc = TABLE[(crc ^ byte) & 0xff] ^ (crc >>> 8);
  }
  return (crc ^ 0xffffffff) >>> 0;
}

export function maskedCrc32c(data: Uint8Array): number {
  const crc = crc32c(data);
  return ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;
}
