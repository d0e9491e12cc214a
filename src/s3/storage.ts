import path from 'node:path';
import type { Readable } from 'node:stream';
import { DataFiles } from './data-files.js';
import { bucketNotEmpty, noSuchBucket, noSuchKey } from './errors.js';
import { type IndexDb, type ObjectMeta, type ObjectRow, type RawObjectRow, openIndex, toObjectRow } from './index-db.js';

export interface BucketRow {
  name: string;
  region: string;
  created: number;
}

/**
 * The embedded S3's buckets and objects: an index (SQLite) and data files
 * under <stateDir>/s3/. Both the S3 routes on our port and the in-process
 * ObjectStore (src/storage/embedded-object-store.ts) use this one instance.
 * Multipart uploads are in ./multipart-store.ts, over the same index and files.
 */
export class S3Storage {
  readonly files: DataFiles;

  private constructor(
    readonly db: IndexDb,
    root: string,
    private readonly now: () => number,
  ) {
    this.files = new DataFiles(root);
  }

  static async open(stateDir: string, now: () => number = Date.now): Promise<S3Storage> {
    const root = path.join(stateDir, 's3');
    const storage = new S3Storage(openIndex(root), root, now);
    await storage.files.init();
    return storage;
  }

  close(): void {
    this.db.close();
  }

  time(): number {
    return this.now();
  }

  // ---- buckets ----

  listBuckets(): BucketRow[] {
    return this.db.prepare('SELECT name, region, created FROM buckets ORDER BY name').all() as BucketRow[];
  }

  bucket(name: string): BucketRow | undefined {
    return this.db.prepare('SELECT name, region, created FROM buckets WHERE name = ?').get(name) as BucketRow | undefined;
  }

  requireBucket(name: string): BucketRow {
    const b = this.bucket(name);
    if (!b) {
      throw noSuchBucket(name);
    }
    return b;
  }

  /** False when the bucket was already there. */
  createBucket(name: string, region: string): boolean {
    return this.db.prepare('INSERT OR IGNORE INTO buckets (name, region, created) VALUES (?, ?, ?)').run(name, region, this.now()).changes > 0;
  }

  /** S3 refuses to delete a bucket that holds objects; unfinished uploads go with it. */
  async deleteBucket(name: string): Promise<void> {
    const parts = this.db.transaction(() => {
      this.requireBucket(name);
      if (this.db.prepare('SELECT 1 FROM objects WHERE bucket = ? LIMIT 1').get(name)) {
        throw bucketNotEmpty(name);
      }
      const files = this.db
        .prepare('SELECT file FROM parts WHERE upload_id IN (SELECT upload_id FROM uploads WHERE bucket = ?)')
        .pluck()
        .all(name) as string[];
      this.db.prepare('DELETE FROM parts WHERE upload_id IN (SELECT upload_id FROM uploads WHERE bucket = ?)').run(name);
      this.db.prepare('DELETE FROM uploads WHERE bucket = ?').run(name);
      this.db.prepare('DELETE FROM buckets WHERE name = ?').run(name);
      return files;
    })();
    await this.files.remove(parts);
  }

  /** Every bucket, object and upload: POST /_emulator/reset. */
  async clear(): Promise<void> {
    this.db.exec('DELETE FROM parts; DELETE FROM uploads; DELETE FROM objects; DELETE FROM buckets;');
    await this.files.removeAll();
  }

  // ---- objects ----

  head(bucket: string, key: string): ObjectRow | undefined {
    const r = this.db.prepare('SELECT * FROM objects WHERE bucket = ? AND key = ?').get(bucket, key) as RawObjectRow | undefined;
    return r && toObjectRow(r);
  }

  /** The object's row; NoSuchBucket or NoSuchKey as S3 tells them apart. */
  requireObject(bucket: string, key: string): ObjectRow {
    const row = this.head(bucket, key);
    if (!row) {
      this.requireBucket(bucket);
      throw noSuchKey(key);
    }
    return row;
  }

  /** Streams the body to disk, then makes it the object: the last writer to finish wins. */
  async put(bucket: string, key: string, body: Readable, meta: ObjectMeta, check?: (md5: string, size: number) => void): Promise<ObjectRow> {
    this.requireBucket(bucket);
    const { file, size, md5 } = await this.files.write(body);
    try {
      check?.(md5, size);
      return await this.commit({ bucket, key, size, etag: `"${md5}"`, meta, modified: this.now(), file });
    } catch (err) {
      await this.files.remove([file]);
      throw err;
    }
  }

  /** Makes a written data file the object `row.key`; the file it replaces is deleted. */
  async commit(row: ObjectRow): Promise<ObjectRow> {
    const replaced = this.db.transaction(() => {
      this.requireBucket(row.bucket); // deleted while the body was uploading
      const old = this.db.prepare('SELECT file FROM objects WHERE bucket = ? AND key = ?').pluck().get(row.bucket, row.key) as string | undefined;
      this.db
        .prepare('INSERT OR REPLACE INTO objects (bucket, key, size, etag, meta, modified, file) VALUES (?, ?, ?, ?, ?, ?, ?)')
        .run(row.bucket, row.key, row.size, row.etag, JSON.stringify(row.meta), row.modified, row.file);
      return old;
    })();
    if (replaced) {
      await this.files.remove([replaced]);
    }
    return row;
  }

  async copy(src: ObjectRow, bucket: string, key: string, meta: ObjectMeta): Promise<ObjectRow> {
    this.requireBucket(bucket);
    const file = await this.files.copy(src.file);
    return this.commit({ bucket, key, size: src.size, etag: src.etag, meta, modified: this.now(), file });
  }

  /** Deleting a missing key is no error in S3. */
  async delete(bucket: string, key: string): Promise<void> {
    const file = this.db.transaction(() => {
      const f = this.db.prepare('SELECT file FROM objects WHERE bucket = ? AND key = ?').pluck().get(bucket, key) as string | undefined;
      this.db.prepare('DELETE FROM objects WHERE bucket = ? AND key = ?').run(bucket, key);
      return f;
    })();
    if (file) {
      await this.files.remove([file]);
    }
  }

  /** Objects with key > `after` (or ≥ `from`), in S3's order (UTF-8 bytes). */
  *scan(bucket: string, from: string, inclusive: boolean): Generator<ObjectRow> {
    const sql = `SELECT * FROM objects WHERE bucket = ? AND key ${inclusive ? '>=' : '>'} ? ORDER BY key`;
    for (const r of this.db.prepare(sql).iterate(bucket, from) as IterableIterator<RawObjectRow>) {
      yield toObjectRow(r);
    }
  }
}
