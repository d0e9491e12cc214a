import type { Db } from './database.js';
import type { EndpointConfigRecord, EndpointRecord, ModelRecord } from './records.js';
import { DocumentTable } from './repository.js';
import { TagTable } from './tag-table.js';

/** The one owner of persistent state (docs/architecture.md). */
export class Store {
  readonly models: DocumentTable<ModelRecord>;
  readonly endpointConfigs: DocumentTable<EndpointConfigRecord>;
  readonly endpoints: DocumentTable<EndpointRecord>;
  readonly tags: TagTable;

  constructor(private readonly db: Db) {
    this.models = new DocumentTable(db, 'models');
    this.endpointConfigs = new DocumentTable(db, 'endpoint_configs');
    this.endpoints = new DocumentTable(db, 'endpoints');
    this.tags = new TagTable(db);
  }

  /** Runs fn atomically: a resource and its tags are written together or not at all. */
  transaction<T>(fn: () => T): T {
    return this.db.transaction(fn)();
  }

  close(): void {
    this.db.close();
  }
}
