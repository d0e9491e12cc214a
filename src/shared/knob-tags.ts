import type { Tag } from '../store/tag-table.js';
import { faultTagProblem } from './fault-tags.js';

/**
 * Per-endpoint settings given as tags on CreateEndpoint or CreateEndpointConfig
 * (the public interface in docs/architecture.md). Endpoint tags win over config tags.
 */
export const KNOB_TAGS = {
  idleTimeoutSeconds: 'sme:idle-timeout-seconds',
  coldStartDelayMs: 'sme:cold-start-delay-ms',
} as const;

export interface Knobs {
  idleTimeoutSeconds?: number;
  coldStartDelayMs?: number;
}

const LIMITS: Record<keyof Knobs, number> = { idleTimeoutSeconds: 86_400, coldStartDelayMs: 3_600_000 };

/** The problem with a knob or fault tag's value (src/shared/fault-tags.ts), or undefined when every one is in range. */
export function knobTagProblem(tags: Tag[]): string | undefined {
  const fault = faultTagProblem(tags);
  if (fault) {
    return fault;
  }
  for (const [knob, key] of Object.entries(KNOB_TAGS) as [keyof Knobs, string][]) {
    const tag = tags.find((t) => t.Key === key);
    if (tag && !(/^\d+$/.test(tag.Value) && Number(tag.Value) <= LIMITS[knob])) {
      return `Tag ${key} must be a whole number from 0 to ${LIMITS[knob]}; got "${tag.Value}".`;
    }
  }
  return undefined;
}

export function knobsFromTags(...tagSets: Tag[][]): Knobs {
  const knobs: Knobs = {};
  for (const tags of tagSets) {
    for (const [knob, key] of Object.entries(KNOB_TAGS) as [keyof Knobs, string][]) {
      const tag = tags.find((t) => t.Key === key);
      if (tag && /^\d+$/.test(tag.Value)) {
        knobs[knob] = Number(tag.Value);
      }
    }
  }
  return knobs;
}
