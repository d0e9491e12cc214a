import { createHash } from 'node:crypto';

/**
 * A multipart object's ETag, as S3 computes it: the MD5 of the concatenated
 * binary MD5s of its parts, in hex, then `-` and the number of parts.
 * `partEtags` are the parts' ETags (quoted or not).
 */
export function multipartEtag(partEtags: string[]): string {
  const hash = createHash('md5');
  for (const e of partEtags) {
    hash.update(Buffer.from(e.replace(/"/g, ''), 'hex'));
  }
  return `"${hash.digest('hex')}-${partEtags.length}"`;
}

/** Every part but the last must be at least 5 MiB (EntityTooSmall). */
export const MIN_PART_SIZE = 5 * 1024 * 1024;

export const unquote = (etag: string) => etag.trim().replace(/^"|"$/g, '');
