import fs from 'node:fs/promises';
import path from 'node:path';

/** Bytes of the regular files under `dir` (what a downloaded model takes on an instance's disk). */
export async function diskUsage(dir: string): Promise<number> {
  let total = 0;
  for (const e of await fs.readdir(dir, { withFileTypes: true }).catch(() => [])) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) {
      total += await diskUsage(p);
    } else if (e.isFile()) {
      total += (await fs.stat(p)).size;
    }
  }
  return total;
}
