import type { Logger } from 'pino';
import type { Config } from '../config/schema.js';
import type { Hosting } from '../hosting/hosting.js';
import type { Store } from '../store/store.js';

/** What every control-plane operation gets: the dependencies and the caller's identity. */
export interface OperationContext {
  store: Store;
  hosting: Hosting;
  config: Config;
  region: string;
  accountId: string;
  requestId: string;
  log: Logger;
  now: () => number;
}

export type Input = Record<string, unknown>;
export type Operation = (input: Input, ctx: OperationContext) => Record<string, unknown> | Promise<Record<string, unknown>>;
