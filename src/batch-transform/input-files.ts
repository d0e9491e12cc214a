import { gunzip } from 'node:zlib';
import { promisify } from 'node:util';
import { type ObjectStore, ObjectStoreError, parseS3Url } from '../storage/object-store.js';

const gunzipAsync = promisify(gunzip);

/** One input object of a transform job and where its output goes. */
export interface InputFile {
  bucket: string;
  key: string;
  /** The output's name under S3OutputPath, without `.out`. */
  relative: string;
}

/** The input names nothing (or what it names cannot be read): the job cannot start. */
export class InputError extends Error {}

/**
 * The objects a job transforms ([DG:batch-transform]):
 * - `S3Prefix`: every object under the URI's key prefix. Its output keeps the
 *   key's path below the URI's last `/`: for input `s3://b/in/` the object
 *   `in/2024/x.csv` becomes `<S3OutputPath>/2024/x.csv.out`; for the URI
 *   `s3://b/input-prefix` (no slash) it becomes `<S3OutputPath>/input-prefix/…`,
 *   as the guide's example shows. Keys ending in `/` (folder markers) are skipped.
 * - `ManifestFile`: a JSON array whose first element is `{"prefix": "s3://b/p/"}`
 *   and the rest keys relative to it; outputs keep those relative keys.
 * Rejects with InputError when nothing is found.
 */
export async function listInputFiles(objects: ObjectStore, dataType: string, uri: string): Promise<InputFile[]> {
  if (dataType === 'ManifestFile') {
    return manifestFiles(objects, uri);
  }
  if (dataType !== 'S3Prefix') {
    throw new InputError(`S3DataType ${dataType} is not supported by batch transform in the emulator: use S3Prefix or ManifestFile.`);
  }
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(uri);
  if (!m) {
    throw new InputError(`S3Uri ${uri} is not an s3:// URL.`);
  }
  const [, bucket, prefix] = m as unknown as [string, string, string];
  const keep = prefix.lastIndexOf('/') + 1;
  const listed = await objects.list(bucket, prefix).catch((err: unknown) => {
    if (err instanceof ObjectStoreError && err.code === 'NoSuchBucket') {
      return [];
    }
    throw err;
  });
  const files = listed.filter((o) => !o.key.endsWith('/')).map((o) => ({ bucket, key: o.key, relative: o.key.slice(keep) }));
  if (files.length === 0) {
    throw new InputError(noObjectsText(uri, bucket));
  }
  return files;
}

async function manifestFiles(objects: ObjectStore, uri: string): Promise<InputFile[]> {
  const text = await readObject(objects, uri).then((b) => b.toString('utf8'));
  let manifest: unknown;
  try {
    manifest = JSON.parse(text);
  } catch {
    throw new InputError(`The manifest file ${uri} is not JSON.`);
  }
  const [head, ...rest] = Array.isArray(manifest) ? (manifest as unknown[]) : [];
  const prefix = (head as { prefix?: unknown } | undefined)?.prefix;
  if (typeof prefix !== 'string' || !parseS3Url(`${prefix}x`) || !rest.every((r) => typeof r === 'string')) {
    throw new InputError(`The manifest file ${uri} must be a JSON array: [{"prefix": "s3://bucket/prefix/"}, "relative/key", …].`);
  }
  const base = parseS3Url(`${prefix}x`)!;
  const dir = base.key.slice(0, -1);
  const files = (rest as string[]).map((r) => ({ bucket: base.bucket, key: `${dir}${r}`, relative: r }));
  if (files.length === 0) {
    throw new InputError(`The manifest file ${uri} lists no objects.`);
  }
  return files;
}

/**
 * The real service's text (amazon-sagemaker-examples#2414), without the
 * role part: the emulator has no IAM.
 */
function noObjectsText(uri: string, bucket: string): string {
  return `No S3 objects found under S3 URL "${uri}" given in input data source. Please ensure that the bucket exists in the selected region, that objects exist under that S3 prefix, and that you have "s3:ListBucket" permissions on bucket "${bucket}".`;
}

/** A whole object, decompressed when the input's CompressionType is Gzip. */
export async function readInputFile(objects: ObjectStore, file: InputFile, compression: string | undefined): Promise<Buffer> {
  const data = await readObject(objects, `s3://${file.bucket}/${file.key}`);
  if (compression !== 'Gzip') {
    return data;
  }
  return gunzipAsync(data).catch((err: Error) => {
    throw new InputError(`s3://${file.bucket}/${file.key} is not gzip data (CompressionType is Gzip): ${err.message}`);
  });
}

async function readObject(objects: ObjectStore, uri: string): Promise<Buffer> {
  const o = parseS3Url(uri);
  if (!o) {
    throw new InputError(`${uri} is not an s3:// object URL.`);
  }
  try {
    const got = await objects.get(o.bucket, o.key);
    const chunks: Buffer[] = [];
    for await (const c of got.body) {
      chunks.push(c as Buffer);
    }
    return Buffer.concat(chunks);
  } catch (err) {
    if (err instanceof ObjectStoreError) {
      throw new InputError(`Could not read ${uri}: ${err.message}`);
    }
    throw err;
  }
}

/** `<S3OutputPath>/<relative>.out` as bucket and key. */
export function outputLocation(s3OutputPath: string, relative: string): { bucket: string; key: string; uri: string } {
  const m = /^s3:\/\/([^/]+)\/?(.*)$/.exec(s3OutputPath)!;
  const base = m[2]!.replace(/\/+$/, '');
  const key = `${base ? `${base}/` : ''}${relative}.out`;
  return { bucket: m[1]!, key, uri: `s3://${m[1]}/${key}` };
}
