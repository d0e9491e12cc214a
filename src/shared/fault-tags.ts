import type { Tag } from '../store/tag-table.js';

/**
 * Fault-injection tags on an endpoint or its config (docs/architecture.md,
 * "Fault injection"): a share of invocations fails with a chosen error, and
 * every invocation can be delayed. Endpoint tags win over config tags, key by key.
 */
export const FAULT_TAGS = {
  errorRate: 'sme:fault-error-rate',
  errorCode: 'sme:fault-error-code',
  latencyMs: 'sme:fault-latency-ms',
} as const;

/** What an injected failure answers with; `ModelError` carries the model's status. */
export type FaultCode =
  | { kind: 'ThrottlingException' }
  | { kind: 'ServiceUnavailable' }
  | { kind: 'InternalFailure' }
  | { kind: 'ModelError'; status: number };

export interface Faults {
  /** Share of invocations that fail (0..1). */
  errorRate: number;
  errorCode: FaultCode;
  /** Delay before every invocation's container call. */
  latencyMs: number;
}

/** A rate with no code fails with ThrottlingException, the error client retry tests most often want (README, "Fault injection"). */
const DEFAULT_CODE: FaultCode = { kind: 'ThrottlingException' };
/** At most the 60 s invocation timeout: a longer delay could only end in a timeout. */
export const MAX_FAULT_LATENCY_MS = 60_000;

const RATE = /^(?:0(?:\.\d+)?|1(?:\.0+)?|\.\d+)$/;
const MODEL_ERROR = /^ModelError:(\d{3})$/;

export function parseFaultCode(value: string): FaultCode | undefined {
  if (value === 'ThrottlingException' || value === 'ServiceUnavailable' || value === 'InternalFailure') {
    return { kind: value };
  }
  const m = MODEL_ERROR.exec(value);
  // A model error is an answer outside 2xx (docs/aws-contract.md §3.4): 1xx and 2xx are not errors.
  if (m && Number(m[1]) >= 300 && Number(m[1]) <= 599) {
    return { kind: 'ModelError', status: Number(m[1]) };
  }
  return undefined;
}

/** The problem with a fault tag's value (ours: the message is the emulator's own), or undefined. */
export function faultTagProblem(tags: Tag[]): string | undefined {
  for (const t of tags) {
    if (t.Key === FAULT_TAGS.errorRate && !RATE.test(t.Value)) {
      return `Tag ${t.Key} must be a number from 0 to 1; got "${t.Value}".`;
    }
    if (t.Key === FAULT_TAGS.errorCode && parseFaultCode(t.Value) === undefined) {
      return `Tag ${t.Key} must be ThrottlingException, ServiceUnavailable, InternalFailure or ModelError:<status 300-599>; got "${t.Value}".`;
    }
    if (t.Key === FAULT_TAGS.latencyMs && !(/^\d+$/.test(t.Value) && Number(t.Value) <= MAX_FAULT_LATENCY_MS)) {
      return `Tag ${t.Key} must be a whole number from 0 to ${MAX_FAULT_LATENCY_MS}; got "${t.Value}".`;
    }
  }
  return undefined;
}

/**
 * The faults the tags ask for (later tag sets win), or undefined when none
 * does anything: the runtime's hot path then does no more than one lookup.
 */
export function faultsFromTags(...tagSets: Tag[][]): Faults | undefined {
  const values = new Map<string, string>();
  for (const tags of tagSets) {
    for (const t of tags) {
      if (t.Key.startsWith('sme:fault-')) {
        values.set(t.Key, t.Value);
      }
    }
  }
  const rateText = values.get(FAULT_TAGS.errorRate);
  const errorRate = rateText !== undefined && RATE.test(rateText) ? Number(rateText) : 0;
  const latencyText = values.get(FAULT_TAGS.latencyMs);
  const latencyMs = latencyText !== undefined && /^\d+$/.test(latencyText) ? Math.min(Number(latencyText), MAX_FAULT_LATENCY_MS) : 0;
  const codeText = values.get(FAULT_TAGS.errorCode);
  const errorCode = (codeText !== undefined ? parseFaultCode(codeText) : undefined) ?? DEFAULT_CODE;
  if (errorRate === 0 && latencyMs === 0) {
    return undefined;
  }
  return { errorRate, errorCode, latencyMs };
}

/** The `fault` label of sagemaker_injected_faults_total: the error code as the tag spells it, or `latency`. */
export function faultLabel(code: FaultCode): string {
  return code.kind === 'ModelError' ? `ModelError:${code.status}` : code.kind;
}

/**
 * Bumped whenever any tag may have changed (AddTags, DeleteTags, a create
 * with tags): the runtime re-reads a fleet's fault tags only then, never from
 * SQLite per request. Process-wide, so a second emulator in the same process
 * at worst re-reads once more.
 */
let generation = 0;

export function tagsChanged(): void {
  generation++;
}

export function tagGeneration(): number {
  return generation;
}
