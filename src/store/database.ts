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

/**
 * The state directory cannot hold the database: read-only, full, not
 * writable. Its message is one line naming the directory and the cause, for
 * the start-up error (main.ts prints it without a stack).
 */
export class StateDirError extends Error {
  override name = 'StateDirError';
}

const CAUSES: Record<string, string> = {
  EROFS: 'it is on a read-only file system',
  EACCES: 'it is not writable by this user',
  EPERM: 'it is not writable by this user',
  ENOSPC: 'its file system is full',
  EDQUOT: 'the disk quota is exhausted',
  SQLITE_READONLY: 'the database file is read-only',
  SQLITE_FULL: 'its file system is full',
  SQLITE_CANTOPEN: 'the database file cannot be opened for writing',
};

function stateDirError(stateDir: string, err: unknown): StateDirError {
  const code = (err as { code?: string }).code ?? '';
  const cause = CAUSES[code] ?? CAUSES[code.replace(/_.*$/, '')] ?? (err as Error).message;
  return new StateDirError(`The state directory ${stateDir} cannot be used: ${cause} (${code || (err as Error).message}). Set SME_STATE_DIR to a writable directory or free some space.`);
}

/**
 * Writes and removes a small probe file: a read-only mount, a full disk or
 * missing permissions show here, before SQLite opens (whose own error says
 * only "unable to open database file"). access(2) is not enough: root passes
 * it on a directory chmod 0555.
 */
function probeWritable(stateDir: string): void {
  const probe = path.join(stateDir, `.write-probe-${process.pid}`);
  try {
    fs.writeFileSync(probe, Buffer.alloc(4096));
    fs.rmSync(probe, { force: true });
  } catch (err) {
    fs.rmSync(probe, { force: true });
    throw err;
  }
}

export function openDatabase(stateDir: string): Db {
  try {
    fs.mkdirSync(stateDir, { recursive: true });
    probeWritable(stateDir);
    const file = path.join(stateDir, 'state.sqlite');
    if (fs.existsSync(file)) {
      fs.accessSync(file, fs.constants.W_OK);
    }
    return migrate(new Database(file));
  } catch (err) {
    throw err instanceof StateDirError ? err : stateDirError(stateDir, err);
  }
}

function migrate(db: Db): Db {
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
