import { AsyncLocalStorage } from 'node:async_hooks';

/**
 * The access key id a console user signed in with (strict auth), for the
 * console's own signed calls (its invoke form): carried along the console
 * request's async work, so no handler needs to pass it on. Only console and
 * reset requests run inside it; the API's hot path never does.
 */
const identity = new AsyncLocalStorage<string>();

export function runAsConsoleUser<T>(accessKeyId: string, fn: () => T): T {
  return identity.run(accessKeyId, fn);
}

export function consoleUserKey(): string | undefined {
  return identity.getStore();
}
