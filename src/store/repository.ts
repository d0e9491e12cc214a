import type { Db } from './database.js';

/**
 * A table of JSON documents keyed by (region, case-folded name). Names are
 * case-insensitive because the ARN holds the lower-cased name (docs/aws-contract.md §4.8).
 */
export class DocumentTable<T> {
  private readonly getStmt;
  private readonly putStmt;
  private readonly insertStmt;
  private readonly deleteStmt;
  private readonly listStmt;
  private readonly allStmt;
  private readonly clearStmt;

  constructor(db: Db, table: string) {
    this.getStmt = db.prepare(`SELECT doc FROM ${table} WHERE region = ? AND name_key = ?`);
    this.putStmt = db.prepare(`INSERT OR REPLACE INTO ${table} (region, name_key, doc) VALUES (?, ?, ?)`);
    this.insertStmt = db.prepare(`INSERT OR IGNORE INTO ${table} (region, name_key, doc) VALUES (?, ?, ?)`);
    this.deleteStmt = db.prepare(`DELETE FROM ${table} WHERE region = ? AND name_key = ?`);
    this.listStmt = db.prepare(`SELECT doc FROM ${table} WHERE region = ?`);
    this.allStmt = db.prepare(`SELECT region, doc FROM ${table}`);
    this.clearStmt = db.prepare(`DELETE FROM ${table}`);
  }

  get(region: string, name: string): T | undefined {
    const row = this.getStmt.get(region, name.toLowerCase()) as { doc: string } | undefined;
    return row ? (JSON.parse(row.doc) as T) : undefined;
  }

  /** Inserts unless the name is taken; false when it is. */
  insert(region: string, name: string, doc: T): boolean {
    return this.insertStmt.run(region, name.toLowerCase(), JSON.stringify(doc)).changes === 1;
  }

  put(region: string, name: string, doc: T): void {
    this.putStmt.run(region, name.toLowerCase(), JSON.stringify(doc));
  }

  delete(region: string, name: string): boolean {
    return this.deleteStmt.run(region, name.toLowerCase()).changes === 1;
  }

  list(region: string): T[] {
    return (this.listStmt.all(region) as { doc: string }[]).map((r) => JSON.parse(r.doc) as T);
  }

  all(): { region: string; doc: T }[] {
    return (this.allStmt.all() as { region: string; doc: string }[]).map((r) => ({
      region: r.region,
      doc: JSON.parse(r.doc) as T,
    }));
  }

  clear(): void {
    this.clearStmt.run();
  }
}

/** Creates a kind's table when it is missing: every document table has the same three columns. */
export function ensureDocumentTable(db: Db, table: string): void {
  if (!/^[a-z_]+$/.test(table)) {
    throw new Error(`invalid table name ${table}`);
  }
  db.exec(
    `CREATE TABLE IF NOT EXISTS ${table} (
       region TEXT NOT NULL, name_key TEXT NOT NULL, doc TEXT NOT NULL,
       PRIMARY KEY (region, name_key))`,
  );
}
