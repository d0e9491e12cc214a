import fs from 'node:fs/promises';
import path from 'node:path';
import { type ArtifactSource, fetchModelData } from '../hosting/artifacts.js';
import { JobFailedError } from '../jobs/job-runner.js';

/**
 * The job's sample payloads: ContainerConfig.PayloadConfig.SamplePayloadUrl
 * names a tar.gz (in our S3, an external one, or a file:// path), and each
 * file in it is one request body ([DG:inference-recommender-prerequisites]).
 * Extracted under `dir` (which is replaced), read whole, in natural name order.
 */
export async function loadPayloads(source: ArtifactSource, url: string, dir: string): Promise<Buffer[]> {
  await fetchModelData(url, dir, source).catch((err: Error) => {
    throw new JobFailedError(`Could not read the sample payloads at ${url}: ${err.message}`);
  });
  const files = (await fs.readdir(dir, { recursive: true, withFileTypes: true }))
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name))
    // Natural order: payload-2 before payload-10, as they were numbered.
    .sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
  if (files.length === 0) {
    throw new JobFailedError(`The sample payload archive ${url} holds no files.`);
  }
  const payloads = await Promise.all(files.map((f) => fs.readFile(f)));
  await fs.rm(dir, { recursive: true, force: true });
  return payloads;
}
