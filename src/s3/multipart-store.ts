import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { Readable } from 'node:stream';
import { entityTooSmall, invalidArgument, invalidPart, invalidPartOrder, noSuchUpload } from './errors.js';
import type { ObjectMeta, ObjectRow } from './index-db.js';
import { MIN_PART_SIZE, multipartEtag, unquote } from './multipart-etag.js';
import type { S3Storage } from './storage.js';

export interface UploadRow {
  upload_id: string;
  bucket: string;
  key: string;
  meta: string;
  initiated: number;
}

export interface PartRow {
  upload_id: string;
  part_number: number;
  size: number;
  etag: string;
  modified: number;
  file: string;
}

/**
 * Multipart uploads over the embedded S3's index and data files: each part is
 * a data file of its own until CompleteMultipartUpload streams them, in order,
 * into the object's file (parts are then deleted, as S3 forgets them).
 */
export class MultipartStore {
  constructor(private readonly storage: S3Storage) {}

  private get db() {
    return this.storage.db;
  }

  create(bucket: string, key: string, meta: ObjectMeta): string {
    this.storage.requireBucket(bucket);
    const id = randomBytes(32).toString('base64url');
    this.db.prepare('INSERT INTO uploads (upload_id, bucket, key, meta, initiated) VALUES (?, ?, ?, ?, ?)').run(id, bucket, key, JSON.stringify(meta), this.storage.time());
    return id;
  }

  /** The upload, which must belong to this bucket and key (NoSuchUpload otherwise, as on S3). */
  upload(bucket: string, key: string, uploadId: string): UploadRow {
    this.storage.requireBucket(bucket);
    const u = this.db.prepare('SELECT * FROM uploads WHERE upload_id = ?').get(uploadId) as UploadRow | undefined;
    if (!u || u.bucket !== bucket || u.key !== key) {
      throw noSuchUpload(uploadId);
    }
    return u;
  }

  uploads(bucket: string): UploadRow[] {
    return this.db.prepare('SELECT * FROM uploads WHERE bucket = ? ORDER BY key, initiated').all(bucket) as UploadRow[];
  }

  parts(uploadId: string): PartRow[] {
    return this.db.prepare('SELECT * FROM parts WHERE upload_id = ? ORDER BY part_number').all(uploadId) as PartRow[];
  }

  /** Writes a part (replacing one with the same number); the caller's check runs before it counts. */
  async putPart(upload: UploadRow, partNumber: number, body: Readable, check?: (md5: string, size: number) => void): Promise<PartRow> {
    const { file, size, md5 } = await this.storage.files.write(body);
    return this.commitPart(upload, partNumber, file, size, `"${md5}"`, check && (() => check(md5, size)));
  }

  async commitPart(upload: UploadRow, partNumber: number, file: string, size: number, etag: string, check?: () => void): Promise<PartRow> {
    const part: PartRow = { upload_id: upload.upload_id, part_number: partNumber, size, etag, modified: this.storage.time(), file };
    let replaced: string | undefined;
    try {
      check?.();
      replaced = this.db.transaction(() => {
        this.upload(upload.bucket, upload.key, upload.upload_id); // aborted or completed meanwhile
        const old = this.db.prepare('SELECT file FROM parts WHERE upload_id = ? AND part_number = ?').pluck().get(part.upload_id, partNumber) as string | undefined;
        this.db
          .prepare('INSERT OR REPLACE INTO parts (upload_id, part_number, size, etag, modified, file) VALUES (?, ?, ?, ?, ?, ?)')
          .run(part.upload_id, partNumber, size, etag, part.modified, file);
        return old;
      })();
    } catch (err) {
      await this.storage.files.remove([file]);
      throw err;
    }
    if (replaced) {
      await this.storage.files.remove([replaced]);
    }
    return part;
  }

  /** Checks the client's list against the uploaded parts, then joins them into the object. */
  async complete(upload: UploadRow, requested: Array<{ partNumber: number; etag: string }>): Promise<ObjectRow> {
    const uploaded = new Map(this.parts(upload.upload_id).map((p) => [p.part_number, p]));
    const chosen: PartRow[] = [];
    for (const [i, r] of requested.entries()) {
      if (i > 0 && r.partNumber <= requested[i - 1]!.partNumber) {
        throw invalidPartOrder(upload.upload_id);
      }
      const p = uploaded.get(r.partNumber);
      if (!p || unquote(p.etag) !== unquote(r.etag)) {
        throw invalidPart(upload.upload_id, r.partNumber);
      }
      chosen.push(p);
    }
    if (chosen.length === 0) {
      throw invalidArgument('You must specify at least one part', 'CompleteMultipartUpload', '');
    }
    const small = chosen.slice(0, -1).find((p) => p.size < MIN_PART_SIZE);
    if (small) {
      throw entityTooSmall(small.size);
    }
    const files = chosen.map((p) => this.storage.files.pathOf(p.file));
    const joined = Readable.from(
      (async function* () {
        for (const f of files) {
          yield* createReadStream(f);
        }
      })(),
    );
    const { file, size } = await this.storage.files.write(joined);
    const meta = JSON.parse(upload.meta) as ObjectMeta;
    const row: ObjectRow = { bucket: upload.bucket, key: upload.key, size, etag: multipartEtag(chosen.map((p) => p.etag)), meta, modified: this.storage.time(), file };
    try {
      await this.storage.commit(row);
    } catch (err) {
      await this.storage.files.remove([file]);
      throw err;
    }
    await this.abort(upload.upload_id);
    return row;
  }

  /** Forgets the upload and deletes its parts' files. */
  async abort(uploadId: string): Promise<void> {
    const files = this.db.transaction(() => {
      const f = this.db.prepare('SELECT file FROM parts WHERE upload_id = ?').pluck().all(uploadId) as string[];
      this.db.prepare('DELETE FROM parts WHERE upload_id = ?').run(uploadId);
      this.db.prepare('DELETE FROM uploads WHERE upload_id = ?').run(uploadId);
      return f;
    })();
    await this.storage.files.remove(files);
  }
}
