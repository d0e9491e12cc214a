import { randomBytes } from 'node:crypto';
import { fork } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import type { EmulatorProcess } from './emulator-process.js';

/**
 * S3 GET and PUT of a 5 MB object through the emulator, against a plain Node
 * HTTP server (bench/plain-file-server.ts, its own process like the emulator)
 * that stores the same bytes in a file and serves that file, in the same run, with the same client (the S3 SDK, path-style).
 * Printed as throughput ratios (target ≥ 0.7×): what the S3 layer, the MD5
 * behind the ETag and the index cost on top of the disk.
 */
const SIZE = 5 * 1024 * 1024;

/** Starts bench/plain-file-server.ts as a child process and waits for its URL. */
async function plainServer(): Promise<{ url: string; close(): Promise<void> }> {
  const child = fork(fileURLToPath(new URL('./plain-file-server.js', import.meta.url)), [], { stdio: ['ignore', 'pipe', 'inherit', 'ipc'] });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('the plain file server did not start within 10 s')), 10_000);
    child.stdout!.once('data', (d: Buffer) => {
      clearTimeout(timer);
      resolve(d.toString().trim());
    });
    child.once('exit', (code) => reject(new Error(`the plain file server exited (${code})`)));
  });
  return {
    url,
    close: () =>
      new Promise<void>((resolve) => {
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
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
    await plain.close();
  }
}
