import { randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { EmulatorProcess } from './emulator-process.js';

/**
 * S3 GET and PUT of a 5 MB object through the emulator, against a plain Node
 * HTTP server that stores and serves the same bytes from memory, in the same
 * run, with the same client (the S3 SDK, path-style). Printed as throughput
 * ratios (target ≥ 0.7×): what the S3 layer, the index and the disk cost.
 */
const SIZE = 5 * 1024 * 1024;

function plainServer(): Promise<{ url: string; close(): void }> {
  let stored = Buffer.alloc(0);
  const server = http.createServer((req, res) => {
    if (req.method === 'PUT') {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        stored = Buffer.concat(chunks);
        res.writeHead(200, { ETag: '"plain"', 'Content-Length': 0 });
        res.end();
      });
      return;
    }
    res.writeHead(200, { 'Content-Type': 'binary/octet-stream', 'Content-Length': stored.length, ETag: '"plain"' });
    res.end(stored);
  });
  return new Promise((resolve) =>
    server.listen(0, '127.0.0.1', () => resolve({ url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, close: () => server.close() })),
  );
}

async function measure(url: string, rounds: number, body: Buffer): Promise<{ put: number; get: number }> {
  // Checksums off where the SDK allows: both targets get the same request shape (plain Content-Length bodies).
  const s3 = new S3Client({
    endpoint: url,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'b', secretAccessKey: 'b' },
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  try {
    await s3.send(new CreateBucketCommand({ Bucket: 'bench-s3' })).catch(() => undefined);
    const put = () => s3.send(new PutObjectCommand({ Bucket: 'bench-s3', Key: 'five-mb', Body: body }));
    const get = async () => (await s3.send(new GetObjectCommand({ Bucket: 'bench-s3', Key: 'five-mb' }))).Body!.transformToByteArray();
    await put();
    await get(); // warm-up: connections, JIT
    let t = performance.now();
    for (let i = 0; i < rounds; i++) {
      await put();
    }
    const putMs = performance.now() - t;
    t = performance.now();
    for (let i = 0; i < rounds; i++) {
      await get();
    }
    const getMs = performance.now() - t;
    const mbps = (ms: number) => (rounds * SIZE) / 1024 / 1024 / (ms / 1000);
    return { put: mbps(putMs), get: mbps(getMs) };
  } finally {
    s3.destroy();
  }
}

export async function benchS3Transfer(emu: EmulatorProcess, rounds: number): Promise<string> {
  const body = randomBytes(SIZE);
  const plain = await plainServer();
  try {
    const base = await measure(plain.url, rounds, body);
    const ours = await measure(emu.url, rounds, body);
    const line = (what: 'put' | 'get') =>
      `  ${what.toUpperCase()} 5 MB: emulator ${ours[what].toFixed(0)} MB/s, plain Node server ${base[what].toFixed(0)} MB/s → ${(ours[what] / base[what]).toFixed(2)}× (target ≥ 0.7×)`;
    return [`S3 transfer (${rounds} rounds each, one connection, S3 SDK):`, line('put'), line('get')].join('\n');
  } finally {
    plain.close();
  }
}
