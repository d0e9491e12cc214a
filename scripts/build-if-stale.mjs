// `npm start` builds first when it must: when dist/ is missing or older than any source file.
import { execFileSync } from 'node:child_process';
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';

const root = path.dirname(path.dirname(new URL(import.meta.url).pathname));
const newest = (dir) =>
  readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
    const p = path.join(dir, e.name);
    return Math.max(m, e.isDirectory() ? newest(p) : statSync(p).mtimeMs);
  }, 0);

let built = 0;
try {
  built = statSync(path.join(root, 'dist/src/main.js')).mtimeMs;
} catch {
  // not built yet
}
if (built < Math.max(newest(path.join(root, 'src')), statSync(path.join(root, 'tsconfig.json')).mtimeMs)) {
  console.error('sagemaker-emulator: building (tsc)…');
  execFileSync(process.execPath, [path.join(root, 'node_modules/typescript/bin/tsc'), '-p', root], { stdio: 'inherit' });
}
