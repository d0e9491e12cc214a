import type { ContainerExitEvent } from '../docker/container-client.js';
import type { ModelInstance } from './model-instance.js';

/**
 * What every kind of fleet does with its instances' lives and deaths; each
 * fleet says how it finds an instance and what losing one means to it
 * (a replacement, or a refilled provisioned floor).
 */

/**
 * Starts instances together. If any cannot start, `undo` runs (it stops the
 * ones that did: no half-started fleet) and the first failure is thrown.
 */
export async function startAllOrUndo(starts: Promise<unknown>[], undo: () => Promise<unknown>): Promise<void> {
  const results = await Promise.allSettled(starts);
  const failure = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
  if (failure) {
    await undo();
    throw failure.reason;
  }
}

/**
 * Docker said a container exited: marks its instance (a start in progress
 * fails at once) and, when it was serving, calls `lose`. An OOM event comes
 * before the die event; the die event does the rest. False when the container
 * is not this fleet's.
 */
export function containerExitedIn(instance: ModelInstance | undefined, event: ContainerExitEvent, lose: (why: string) => void): boolean {
  if (!instance) {
    return false;
  }
  const wasReady = instance.status === 'Ready';
  instance.markExited(event);
  if (wasReady && !event.oom) {
    lose(`container exited with code ${event.exitCode ?? 'unknown'}`);
  }
  return true;
}

/**
 * A request could not reach an instance: finds out why (the words the caller
 * gets) and calls `lose` when the container is gone.
 */
export async function diagnoseUnreachable(instance: ModelInstance, transportError: string, lose: (why: string) => void): Promise<string> {
  const { dead, detail } = await instance.diagnose(transportError);
  if (dead) {
    lose(detail);
  }
  return detail;
}
