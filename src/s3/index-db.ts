import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

/**
 * The embedded S3's index: its own SQLite file under <stateDir>/s3/, apart
 * from the SageMaker state (the store's migrations know nothing of S3, and
 * `rm -rf <stateDir>/s3` empties S3 alone). Keys are TEXT in the BINARY
 * collation, which compares UTF-8 bytes: `ORDER BY key` is S3's listing order.
 * Object bytes live in files named in `file`; a row is the commit point of a
 * write (docs/architecture.md decision 8: state survives a restart).
 */
const schema = `
CREATE TABLE IF NOT EXISTS buckets (
  name TEXT PRIMARY KEY, region TEXT NOT NULL, created INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS objects (
  bucket TEXT NOT NULL, key TEXT NOT NULL, size INTEGER NOT NULL, etag TEXT NOT NULL,
  meta TEXT NOT NULL, modified INTEGER NOT NULL, file TEXT NOT NULL,
  PRIMARY KEY (bucket, key)) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS uploads (
  upload_id TEXT PRIMARY KEY, bucket TEXT NOT NULL, key TEXT NOT NULL, meta TEXT NOT NULL, initiated INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS parts (
  upload_id TEXT NOT NULL, part_number INTEGER NOT NULL, size INTEGER NOT NULL, etag TEXT NOT NULL,
  modified INTEGER NOT NULL, file TEXT NOT NULL,
  PRIMARY KEY (upload_id, part_number)) WITHOUT ROWID;
`;

export type IndexDb = Database.Database;

export function openIndex(dir: string): IndexDb {
  fs.mkdirSync(dir, { recursive: true });
  const db = new Database(path.join(dir, 'index.sqlite'));
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  db.exec(schema);
  return db;
}

/** What S3 keeps of an object besides its bytes. */
export interface ObjectMeta {
  contentType?: string;
  /** Cache-Control, Content-Disposition, Content-Encoding, Content-Language, Expires: given back as sent. */
  headers: Record<string, string>;
  /** x-amz-meta-* without the prefix, names in lower case (as S3 keeps them). */
  user: Record<string, string>;
  /** The flexible checksum the client sent (header or trailer), e.g. `{ algorithm: 'crc32', value: '…' }`. */
  checksum?: { algorithm: string; value: string };
}

export interface ObjectRow {
  bucket: string;
  key: string;
  size: number;
  /** Quoted, as on the wire: `"0cc175b9c0f1b6a831c399e269772661"` or `"…-3"`. */
  etag: string;
  meta: ObjectMeta;
  modified: number;
  file: string;
}

export interface RawObjectRow {
  bucket: string;
  key: string;
  size: number;
  etag: string;
  meta: string;
  modified: number;
  file: string;
}

export const toObjectRow = (r: RawObjectRow): ObjectRow => ({ ...r, meta: JSON.parse(r.meta) as ObjectMeta });
