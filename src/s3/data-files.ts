import { createHash, randomUUID } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import type { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/**
 * Object bytes on disk: every write goes to tmp/<random> and is renamed into
 * data/<random> once complete, so a reader never sees a half-written file and
 * two writers of one key never share a file (the index row, written last,
 * decides who wins). Nothing here is named after a key: keys may hold any
 * character, file names here are only UUIDs.
 */
export class DataFiles {
  readonly dataDir: string;
  private readonly tmpDir: string;

  constructor(root: string) {
    this.dataDir = path.join(root, 'data');
    this.tmpDir = path.join(root, 'tmp');
  }

  /** Creates the directories; what a crashed write left in tmp/ is deleted. */
  async init(): Promise<void> {
    await fs.rm(this.tmpDir, { recursive: true, force: true });
    await fs.mkdir(this.tmpDir, { recursive: true });
    await fs.mkdir(this.dataDir, { recursive: true });
  }

  pathOf(file: string): string {
    return path.join(this.dataDir, file);
  }

  /** Streams `source` to a new data file; its size and MD5 (hex). Nothing is left behind on failure. */
  async write(source: Readable): Promise<{ file: string; size: number; md5: string }> {
    const file = randomUUID();
    const tmp = path.join(this.tmpDir, file);
    const hash = createHash('md5');
    let size = 0;
    // Hashed as the chunks pass, without a Transform stage between socket and file: one hop less per chunk.
    source.on('data', (chunk: Buffer) => {
      hash.update(chunk);
      size += chunk.length;
    });
    try {
      await pipeline(source, createWriteStream(tmp, { highWaterMark: 1024 * 1024 }));
      await fs.rename(tmp, this.pathOf(file));
    } catch (err) {
      await fs.rm(tmp, { force: true });
      throw err;
    }
    return { file, size, md5: hash.digest('hex') };
  }

  /** A copy under a new name (a reflink where the file system has them). */
  async copy(file: string): Promise<string> {
    const copy = randomUUID();
    const tmp = path.join(this.tmpDir, copy);
    await fs.copyFile(this.pathOf(file), tmp, fs.constants.COPYFILE_FICLONE);
    await fs.rename(tmp, this.pathOf(copy));
    return copy;
  }

  /** Readers that opened the file keep reading it: unlink only drops the name. */
  async remove(files: Iterable<string>): Promise<void> {
    await Promise.all([...files].map((f) => fs.rm(this.pathOf(f), { force: true })));
  }

  async removeAll(): Promise<void> {
    await fs.rm(this.dataDir, { recursive: true, force: true });
    await fs.mkdir(this.dataDir, { recursive: true });
  }
}
