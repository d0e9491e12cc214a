import { createWriteStream } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { fileURLToPath } from 'node:url';
import * as tar from 'tar';
import { ObjectStoreError, parseS3Url } from '../storage/object-store.js';

/**
 * Puts a model's artifacts (ModelDataUrl) into a directory that becomes the
 * container's /opt/ml/model (docs/aws-contract.md §8.1: the .tar.gz is extracted there).
 * Accepted: file:// URLs and local paths (a tarball, a directory or a single
 * file), s3:// through any S3-compatible endpoint (AWS_ENDPOINT_URL_S3), https://.
 */
export interface ArtifactSource {
  /** Resolves an s3:// URL to a readable stream of the object. */
  fetchS3(bucket: string, key: string): Promise<Readable>;
}

export class ArtifactError extends Error {}

/** The URL names nothing: no such S3 object or bucket, no such local path. */
export class ArtifactNotFoundError extends ArtifactError {}

const isTarball = (p: string) => /\.(tar\.gz|tgz|tar)$/i.test(p);

export async function materializeModelData(
  url: string | undefined,
  targetDir: string,
  source: ArtifactSource,
  options: { reuse?: boolean } = {},
): Promise<string> {
  // The marker sits beside the directory, not in it: /opt/ml/model holds only the model.
  const marker = `${targetDir}.complete`;
  if (options.reuse && (await fs.readFile(marker, 'utf8').catch(() => undefined)) === (url ?? '')) {
    return targetDir;
  }
  await fs.rm(marker, { force: true });
  await fetchModelData(url, targetDir, source);
  await fs.writeFile(marker, url ?? '');
  return targetDir;
}

/**
 * Replaces `targetDir` with the model data at `url`: a tarball is extracted,
 * a directory copied, any other file copied in by its name. Rejects with
 * ArtifactNotFoundError when nothing is there, ArtifactError otherwise.
 */
export async function fetchModelData(url: string | undefined, targetDir: string, source: ArtifactSource): Promise<string> {
  await fs.rm(targetDir, { recursive: true, force: true });
  await fs.mkdir(targetDir, { recursive: true });
  if (!url) {
    return targetDir;
  }
  if (url.startsWith('s3://')) {
    const object = parseS3Url(url);
    if (!object) {
      throw new ArtifactError(`ModelDataUrl ${url} does not name an S3 object.`);
    }
    const body = await source.fetchS3(object.bucket, object.key).catch((err: Error) => {
      if (err instanceof ObjectStoreError && (err.code === 'NoSuchKey' || err.code === 'NoSuchBucket')) {
        throw new ArtifactNotFoundError(`Could not download ${url}: ${err.message}`);
      }
      throw new ArtifactError(`Could not download ${url}: ${err.message}`);
    });
    return unpackStream(body, url, targetDir);
  }
  if (url.startsWith('https://') || url.startsWith('http://')) {
    const res = await fetch(url);
    if (!res.ok || !res.body) {
      const Failure = res.status === 404 ? ArtifactNotFoundError : ArtifactError;
      throw new Failure(`Could not download ${url}: HTTP ${res.status}`);
    }
    return unpackStream(Readable.fromWeb(res.body as never), url, targetDir);
  }
  const named = url.startsWith('file://') ? fileURLToPath(url) : path.resolve(url);
  // A symlink (to a directory, say) is followed here once: fs.cp would copy the link itself onto the
  // target directory and fail with a SystemError (corpus: "file:// URLs that traverse").
  const local = await fs.realpath(named).catch(() => undefined);
  const stat = local === undefined ? undefined : await fs.stat(local).catch(() => undefined);
  if (!local || !stat) {
    throw new ArtifactNotFoundError(`ModelDataUrl ${url}: ${named} does not exist.`);
  }
  try {
    if (stat.isDirectory()) {
      await fs.cp(local, targetDir, { recursive: true });
    } else if (isTarball(local)) {
      await extractTarball(local, targetDir);
    } else {
      await fs.copyFile(local, path.join(targetDir, path.basename(named)));
    }
  } catch (err) {
    if (err instanceof ArtifactError) {
      throw err;
    }
    throw new ArtifactError(`Could not copy ModelDataUrl ${url}: ${(err as Error).message}`);
  }
  return targetDir;
}

async function unpackStream(body: Readable, url: string, targetDir: string): Promise<string> {
  // The object key, not the URL-encoded path: `s3://b/my weights.bin` is saved as "my weights.bin".
  const name = path.basename(decodeURIComponent(new URL(url).pathname)) || 'model';
  const download = path.join(targetDir, '..', `${path.basename(targetDir)}.download`);
  try {
    await pipeline(body, createWriteStream(download)).catch((err: Error) => {
      throw new ArtifactError(`Could not download ${url}: ${err.message}`);
    });
    if (isTarball(name)) {
      await extractTarball(download, targetDir);
    } else {
      await fs.copyFile(download, path.join(targetDir, name));
    }
  } finally {
    await fs.rm(download, { force: true });
  }
  return targetDir;
}

/**
 * Extracts without letting any entry escape the target: no absolute paths, no
 * `..` segments, no links pointing outside (node-tar already strips the first
 * two by default; the filter makes the rule explicit and covers link targets).
 */
export async function extractTarball(file: string, targetDir: string): Promise<void> {
  const root = path.resolve(targetDir);
  const rejected: string[] = [];
  const inside = (p: string) => {
    const resolved = path.resolve(root, p);
    return resolved === root || resolved.startsWith(root + path.sep);
  };
  await tar.x({
    file,
    cwd: root,
    strict: true,
    preservePaths: false,
    filter: (entryPath, entry) => {
      const e = entry as tar.ReadEntry;
      const linkTarget = e.linkpath ? path.resolve(path.dirname(path.resolve(root, entryPath)), e.linkpath) : undefined;
      const ok =
        !path.isAbsolute(entryPath) &&
        !entryPath.split(/[\\/]/).includes('..') &&
        inside(entryPath) &&
        (linkTarget === undefined || inside(path.relative(root, linkTarget)));
      if (!ok) {
        rejected.push(entryPath);
      }
      return ok;
    },
  }).catch((err: Error) => {
    throw new ArtifactError(`Could not extract ${file}: ${err.message}`);
  });
  if (rejected.length > 0) {
    throw new ArtifactError(
      `Refused to extract ${file}: entries would escape /opt/ml/model (${rejected.slice(0, 5).join(', ')}).`,
    );
  }
}
