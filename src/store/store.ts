import type { Db } from './database.js';
import type { EndpointConfigRecord, EndpointRecord, ModelRecord } from './records.js';
import { DocumentTable, ensureDocumentTable } from './repository.js';
import { TagTable } from './tag-table.js';
import { endpointConfigKind, endpointKind, modelKind, type ResourceKind, resourceKinds } from '../resources/kinds.js';

/** The one owner of persistent state (docs/architecture.md). */
export class Store {
  readonly tags: TagTable;
  private readonly tables = new Map<ResourceKind, DocumentTable<unknown>>();

  constructor(private readonly db: Db) {
    // Every registered kind gets its table (created when missing), so a new kind needs no migration.
    for (const kind of resourceKinds) {
      ensureDocumentTable(db, kind.table);
      this.tables.set(kind, new DocumentTable(db, kind.table));
    }
    this.tags = new TagTable(db);
  }

  /** The documents of one kind of resource. */
  table<R>(kind: ResourceKind<R>): DocumentTable<R> {
    const table = this.tables.get(kind);
    if (!table) {
      throw new Error(`resource kind ${kind.arnType} is not in the registry (src/resources/kinds.ts)`);
    }
    return table as DocumentTable<R>;
  }

  get models(): DocumentTable<ModelRecord> {
    return this.table(modelKind);
  }

  get endpointConfigs(): DocumentTable<EndpointConfigRecord> {
    return this.table(endpointConfigKind);
  }

  get endpoints(): DocumentTable<EndpointRecord> {
    return this.table(endpointKind);
  }

  /** Deletes a resource and its tags together. */
  deleteResource(kind: ResourceKind, region: string, name: string, arn: string): void {
    this.transaction(() => {
      this.table(kind).delete(region, name);
      this.tags.removeAll(arn);
    });
  }

  /** Deletes every resource of every kind, and every tag (POST /_emulator/reset). */
  clear(): void {
    this.transaction(() => {
      for (const table of this.tables.values()) {
        table.clear();
      }
      this.tags.clear();
    });
  }

  /** Runs fn atomically: a resource and its tags are written together or not at all. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  close(): void {
    this.db.close();
  }
}
