import fs from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';

export type Db = Database.Database;

/**
 * One SQLite file under the state directory (docs/architecture.md decision 8).
 * Documents are stored as JSON beside the columns that queries need, so a new
 * SageMaker field never needs a migration. `user_version` numbers the schema.
 * The document tables of resource kinds are not here: the Store creates one
 * per registered kind (src/resources/kinds.ts) when it is missing.
 */
const migrations: string[] = [
  `CREATE TABLE tags (
     arn TEXT NOT NULL, key TEXT NOT NULL, value TEXT NOT NULL, position INTEGER NOT NULL,
     PRIMARY KEY (arn, key));`,
  // Async inference's queue (src/async-inference/request-queue.ts): a row per accepted request,
  // queued → running → done; an inline body is kept here until the request is done.
  `CREATE TABLE async_requests (
     seq INTEGER PRIMARY KEY AUTOINCREMENT,
     region TEXT NOT NULL, endpoint TEXT NOT NULL, inference_id TEXT NOT NULL,
     state TEXT NOT NULL, outcome TEXT,
     received_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, timeout_seconds INTEGER NOT NULL,
     attempts INTEGER NOT NULL DEFAULT 0,
     input_location TEXT, body BLOB,
     content_type TEXT, accept TEXT, custom_attributes TEXT,
     output_location TEXT NOT NULL, failure_location TEXT, finished_at INTEGER);
   CREATE INDEX async_requests_by_endpoint ON async_requests (region, endpoint, state, seq);`,
];

export function openDatabase(stateDir: string): Db {
  fs.mkdirSync(stateDir, { recursive: true });
  const db = new Database(path.join(stateDir, 'state.sqlite'));
  // WAL keeps readers off the writer's back; NORMAL sync is durable across a process crash.
  db.pragma('journal_mode = WAL');
  db.pragma('synchronous = NORMAL');
  const version = db.pragma('user_version', { simple: true }) as number;
  for (let v = version; v < migrations.length; v++) {
    db.transaction(() => {
      db.exec(migrations[v]!);
      db.pragma(`user_version = ${v + 1}`);
    })();
  }
  return db;
}
