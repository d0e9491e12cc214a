import { createHash } from 'node:crypto';
import type { ModelInstance } from '../model-instance.js';

/**
 * A model that already has this many more requests in flight on its
 * instances than the least busy instance has spills over: it is loaded on
 * another instance too, as SageMaker adds copies of a hot model.
 */
const SPILL_OVER_IN_FLIGHT = 4;

/**
 * The instance a multi-model request goes to (docs/aws-contract.md §8.2):
 * one that has the model loaded or loading, the least busy of them (model
 * affinity, as SageMaker routes); otherwise the least busy instance, ties
 * broken by rendezvous hashing of the model over the instance ids, so that a
 * model keeps landing on the same instance while the fleet does not change.
 */
export function pickInstanceForModel(ready: readonly ModelInstance[], target: string): ModelInstance | undefined {
  let leastBusy = Number.POSITIVE_INFINITY;
  let affine: ModelInstance | undefined;
  for (const i of ready) {
    leastBusy = Math.min(leastBusy, i.inFlight);
    if (i.models?.has(target) && (!affine || i.inFlight < affine.inFlight)) {
      affine = i;
    }
  }
  if (affine && affine.inFlight < leastBusy + SPILL_OVER_IN_FLIGHT) {
    return affine;
  }
  let best: ModelInstance | undefined;
  let bestScore = '';
  for (const i of ready) {
    if (i.inFlight !== leastBusy || i === affine) {
      continue;
    }
    const score = createHash('sha1').update(`${target}\0${i.instanceId}`).digest('hex');
    if (!best || score > bestScore) {
      best = i;
      bestScore = score;
    }
  }
  return best ?? affine;
}
