import { parseS3Url } from '../storage/object-store.js';

/**
 * Where an asynchronous inference's result goes (docs/aws-contract.md §8.3).
 * InvokeEndpointAsync answers with these locations before the request runs,
 * and the worker writes exactly there:
 *
 * - output:  `<S3OutputPath>[/<S3OutputPathExtension>]/<Filename or <inference-id>.out>`
 * - failure: `<S3FailurePath>[/<S3OutputPathExtension>]/<inference-id>-error.out`, only
 *   when the config has an S3FailurePath. Without one SageMaker writes no
 *   failure file and the answer has no X-Amzn-SageMaker-FailureLocation; the
 *   error notification (ErrorTopic) and the logs are the only trace.
 *
 * Filename names the output only ("the filename for the inference response
 * payload"), so a failure keeps its id-based name.
 */
export interface ResultPaths {
  s3OutputPath: string;
  s3FailurePath?: string;
}

export interface RequestNaming {
  inferenceId: string;
  s3OutputPathExtension?: string;
  filename?: string;
}

const join = (...parts: string[]) => parts.map((p, i) => (i === 0 ? p.replace(/\/+$/, '') : p.replace(/^\/+|\/+$/g, ''))).join('/');

export function outputLocation(paths: ResultPaths, r: RequestNaming): string {
  const dir = r.s3OutputPathExtension ? join(paths.s3OutputPath, r.s3OutputPathExtension) : paths.s3OutputPath;
  return join(dir, r.filename ?? `${r.inferenceId}.out`);
}

export function failureLocation(paths: ResultPaths, r: RequestNaming): string | undefined {
  if (!paths.s3FailurePath) {
    return undefined;
  }
  const dir = r.s3OutputPathExtension ? join(paths.s3FailurePath, r.s3OutputPathExtension) : paths.s3FailurePath;
  return join(dir, `${r.inferenceId}-error.out`);
}

/**
 * An S3 URI as InputLocation and the config's paths allow it (`(https|s3)://bucket/key`):
 * `s3://bucket/key`, or an https URL in virtual-hosted (`https://bucket.s3[.region].amazonaws.com/key`)
 * or path style (`https://s3[.region].amazonaws.com/bucket/key`). Undefined when it names no object.
 */
export function parseObjectUri(uri: string): { bucket: string; key: string } | undefined {
  const s3 = parseS3Url(uri);
  if (s3) {
    return s3;
  }
  let m = /^https:\/\/([^/.]+)\.s3[.-][^/]*amazonaws\.com(?:\.cn)?\/(.+)$/.exec(uri);
  if (m) {
    return { bucket: m[1]!, key: safeDecode(m[2]!) };
  }
  m = /^https:\/\/s3[.-][^/]*amazonaws\.com(?:\.cn)?\/([^/]+)\/(.+)$/.exec(uri);
  if (m) {
    return { bucket: m[1]!, key: safeDecode(m[2]!) };
  }
  return undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}
