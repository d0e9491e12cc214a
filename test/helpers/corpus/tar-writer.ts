import { gzipSync } from 'node:zlib';

/**
 * A ustar writer for archives node-tar refuses to create (entries with `..`,
 * absolute names, links out, device files, sizes that lie): the tarball
 * family of the corpus.
 */
export type TarEntryType = 'file' | 'hardlink' | 'symlink' | 'chardev' | 'blockdev' | 'fifo' | 'dir';
const TYPEFLAG: Record<TarEntryType, string> = { file: '0', hardlink: '1', symlink: '2', chardev: '3', blockdev: '4', dir: '5', fifo: '6' };

function octal(value: number, width: number): string {
  return value.toString(8).padStart(width - 1, '0') + '\0';
}

export interface TarEntry {
  name: string;
  type: TarEntryType;
  body?: string;
  link?: string;
  /** The size written in the header when it should lie (a "huge sparse" entry). */
  declaredSize?: number;
}

export function tarEntry(e: TarEntry): Buffer {
  const body = Buffer.from(e.body ?? '');
  const header = Buffer.alloc(512);
  header.write(e.name, 0, 100, 'utf8');
  header.write(octal(e.type === 'dir' ? 0o755 : 0o644, 8), 100, 'ascii');
  header.write(octal(0, 8), 108, 'ascii');
  header.write(octal(0, 8), 116, 'ascii');
  header.write(octal(e.declaredSize ?? (e.type === 'file' ? body.length : 0), 12), 124, 'ascii');
  header.write(octal(Math.floor(Date.UTC(2026, 0, 1) / 1000), 12), 136, 'ascii');
  header.write('        ', 148, 'ascii');
  header.write(TYPEFLAG[e.type], 156, 'ascii');
  header.write(e.link ?? '', 157, 100, 'utf8');
  header.write('ustar\0', 257, 'ascii');
  header.write('00', 263, 'ascii');
  if (e.type === 'chardev' || e.type === 'blockdev') {
    header.write(octal(1, 8), 329, 'ascii');
    header.write(octal(3, 8), 337, 'ascii');
  }
  let sum = 0;
  for (const byte of header) {
    sum += byte;
  }
  header.write(octal(sum, 7) + ' ', 148, 'ascii');
  if (e.type !== 'file' || body.length === 0) {
    return header;
  }
  const padded = Buffer.alloc(Math.ceil(body.length / 512) * 512);
  body.copy(padded);
  return Buffer.concat([header, padded]);
}

export function tarGz(entries: TarEntry[]): Buffer {
  return gzipSync(Buffer.concat([...entries.map(tarEntry), Buffer.alloc(1024)]));
}
