import type { IncomingMessage } from 'node:http';
import { validationError } from '../protocol/wire-errors.js';
import { headerValue } from './admission.js';

/** InvokeEndpointAsync's request headers, checked (docs/aws-contract.md §3.2). */
export interface AsyncHeaders {
  contentType?: string;
  accept?: string;
  customAttributes?: string;
  inferenceId?: string;
  inputLocation?: string;
  s3OutputPathExtension?: string;
  filename?: string;
  requestTtlSeconds: number;
  invocationTimeoutSeconds: number;
}

/** Defaults: 6 hours in the queue, 15 minutes per call [RT InvokeEndpointAsyncInput]. */
export const DEFAULT_REQUEST_TTL_SECONDS = 21_600;
export const DEFAULT_INVOCATION_TIMEOUT_SECONDS = 900;

const ENDPOINT_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/;
/** \p{ASCII}*: every code unit below 0x80. */
const ASCII = { test: (s: string) => [...s].every((c) => c.charCodeAt(0) < 0x80) };
const PRINTABLE_ID = /^\S[\x20-\x7e\u00a0-\uffff]*$/;
const INPUT_LOCATION = /^(https|s3):\/\/([^/]+)\/?(.*)$/;
const PATH_EXTENSION = /^(?!s3:|https:)[a-zA-Z0-9!_.*'()/-]+$/;
const FILENAME = /^(?!.*\..*\.)[a-zA-Z0-9][a-zA-Z0-9-_.]*$/;

interface StringRule {
  header: string;
  member: string;
  min?: number;
  max: number;
  pattern?: { test(s: string): boolean };
  /** The pattern as the service model writes it, for the message. */
  patternText?: string;
}

const STRING_RULES: Record<Exclude<keyof AsyncHeaders, 'requestTtlSeconds' | 'invocationTimeoutSeconds'>, StringRule> = {
  contentType: { header: 'x-amzn-sagemaker-content-type', member: 'contentType', max: 1024, pattern: ASCII, patternText: '\\p{ASCII}*' },
  accept: { header: 'x-amzn-sagemaker-accept', member: 'accept', max: 1024, pattern: ASCII, patternText: '\\p{ASCII}*' },
  customAttributes: { header: 'x-amzn-sagemaker-custom-attributes', member: 'customAttributes', max: 1024, pattern: ASCII, patternText: '\\p{ASCII}*' },
  inferenceId: { header: 'x-amzn-sagemaker-inference-id', member: 'inferenceId', min: 1, max: 64, pattern: PRINTABLE_ID, patternText: '\\A\\S[\\p{Print}]*\\z' },
  inputLocation: { header: 'x-amzn-sagemaker-inputlocation', member: 'inputLocation', min: 1, max: 1024, pattern: INPUT_LOCATION, patternText: '^(https|s3)://([^/]+)/?(.*)$' },
  s3OutputPathExtension: {
    header: 'x-amzn-sagemaker-s3outputpathextension',
    member: 's3OutputPathExtension',
    min: 1,
    max: 512,
    pattern: PATH_EXTENSION,
    patternText: "^(?!s3:|https:)[a-zA-Z0-9!_.*'()/-]+$",
  },
  filename: { header: 'x-amzn-sagemaker-filename', member: 'filename', min: 1, max: 32, pattern: FILENAME, patternText: '^(?!.*\\..*\\.)[a-zA-Z0-9][a-zA-Z0-9-_\\.]*$' },
};

const INT_RULES = {
  requestTtlSeconds: { header: 'x-amzn-sagemaker-requestttlseconds', member: 'requestTTLSeconds', min: 60, max: 21_600, default: DEFAULT_REQUEST_TTL_SECONDS },
  invocationTimeoutSeconds: {
    header: 'x-amzn-sagemaker-invocationtimeoutseconds',
    member: 'invocationTimeoutSeconds',
    min: 1,
    max: 3600,
    default: DEFAULT_INVOCATION_TIMEOUT_SECONDS,
  },
} as const;

/**
 * Reads and checks every header, collecting the failures into one
 * ValidationError in the runtime's words:
 * `1 validation error detected: Value '…' at '…' failed to satisfy constraint: …`.
 */
export function readAsyncHeaders(req: IncomingMessage, endpointName: string): AsyncHeaders {
  const problems: string[] = [];
  if (endpointName.length > 63) {
    problems.push(`Value '${endpointName}' at 'endpointName' failed to satisfy constraint: Member must have length less than or equal to 63`);
  }
  if (!ENDPOINT_NAME.test(endpointName)) {
    problems.push(`Value '${endpointName}' at 'endpointName' failed to satisfy constraint: Member must satisfy regular expression pattern: ^[a-zA-Z0-9](-*[a-zA-Z0-9])*`);
  }
  const out: Partial<AsyncHeaders> = {};
  for (const [key, rule] of Object.entries(STRING_RULES) as [keyof typeof STRING_RULES, StringRule][]) {
    const v = headerValue(req, rule.header);
    if (v === undefined) {
      continue;
    }
    const at = `Value '${v}' at '${rule.member}' failed to satisfy constraint: Member must`;
    if (rule.min !== undefined && v.length < rule.min) {
      problems.push(`${at} have length greater than or equal to ${rule.min}`);
    } else if (v.length > rule.max) {
      problems.push(`${at} have length less than or equal to ${rule.max}`);
    } else if (rule.pattern && !rule.pattern.test(v)) {
      problems.push(`${at} satisfy regular expression pattern: ${rule.patternText}`);
    }
    out[key] = v;
  }
  const ints = {} as Record<keyof typeof INT_RULES, number>;
  for (const [key, rule] of Object.entries(INT_RULES) as [keyof typeof INT_RULES, (typeof INT_RULES)[keyof typeof INT_RULES]][]) {
    const v = headerValue(req, rule.header);
    ints[key] = rule.default;
    if (v === undefined) {
      continue;
    }
    const n = /^-?\d+$/.test(v.trim()) ? Number(v) : Number.NaN;
    const at = `Value '${v}' at '${rule.member}' failed to satisfy constraint: Member must`;
    if (Number.isNaN(n)) {
      problems.push(`${at} be an integer`);
    } else if (n < rule.min) {
      problems.push(`${at} have value greater than or equal to ${rule.min}`);
    } else if (n > rule.max) {
      problems.push(`${at} have value less than or equal to ${rule.max}`);
    }
    ints[key] = n;
  }
  if (problems.length > 0) {
    const count = problems.length === 1 ? '1 validation error' : `${problems.length} validation errors`;
    throw validationError(`${count} detected: ${problems.join('; ')}`);
  }
  return { ...out, ...ints };
}
