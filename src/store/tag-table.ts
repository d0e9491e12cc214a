import type { Db } from './database.js';

export interface Tag {
  Key: string;
  Value: string;
}

/** Tags by resource ARN. AddTags overwrites a key's value in place, as on AWS. */
export class TagTable {
  private readonly listStmt;
  private readonly upsertStmt;
  private readonly maxPosStmt;
  private readonly deleteStmt;
  private readonly deleteAllStmt;
  private readonly clearStmt;

  constructor(private readonly db: Db) {
    this.listStmt = db.prepare('SELECT key, value FROM tags WHERE arn = ? ORDER BY position');
    this.upsertStmt = db.prepare(
      `INSERT INTO tags (arn, key, value, position) VALUES (?, ?, ?, ?)
       ON CONFLICT (arn, key) DO UPDATE SET value = excluded.value`,
    );
    this.maxPosStmt = db.prepare('SELECT COALESCE(MAX(position), 0) AS p FROM tags WHERE arn = ?');
    this.deleteStmt = db.prepare('DELETE FROM tags WHERE arn = ? AND key = ?');
    this.deleteAllStmt = db.prepare('DELETE FROM tags WHERE arn = ?');
    this.clearStmt = db.prepare('DELETE FROM tags');
  }

  list(arn: string): Tag[] {
    return (this.listStmt.all(arn) as { key: string; value: string }[]).map((r) => ({ Key: r.key, Value: r.value }));
  }

  /** The keys the resource would have after adding these (for the 50-tag limit). */
  keysAfterAdding(arn: string, tags: Tag[]): Set<string> {
    return new Set([...this.list(arn).map((t) => t.Key), ...tags.map((t) => t.Key)]);
  }

  add(arn: string, tags: Tag[]): void {
    this.db.transaction(() => {
      let pos = (this.maxPosStmt.get(arn) as { p: number }).p;
      for (const t of tags) {
        this.upsertStmt.run(arn, t.Key, t.Value ?? '', ++pos);
      }
    })();
  }

  remove(arn: string, keys: string[]): void {
    this.db.transaction(() => {
      for (const k of keys) {
        this.deleteStmt.run(arn, k);
      }
    })();
  }

  removeAll(arn: string): void {
    this.deleteAllStmt.run(arn);
  }

  clear(): void {
    this.clearStmt.run();
  }
}
