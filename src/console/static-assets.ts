import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';

/**
 * The console's scripts and stylesheets, all served by the emulator (no CDN,
 * no build step): htmx and uPlot from their npm packages, the console's own
 * from console-assets/ in the repository. Read once, at first use.
 */
const require = createRequire(import.meta.url);
const own = (name: string) => fileURLToPath(new URL(`../../../console-assets/${name}`, import.meta.url));

const FILES: Record<string, { path: () => string; type: string }> = {
  'htmx.min.js': { path: () => require.resolve('htmx.org/dist/htmx.min.js'), type: 'text/javascript; charset=utf-8' },
  'uPlot.iife.min.js': { path: () => require.resolve('uplot/dist/uPlot.iife.min.js'), type: 'text/javascript; charset=utf-8' },
  'uPlot.min.css': { path: () => require.resolve('uplot/dist/uPlot.min.css'), type: 'text/css; charset=utf-8' },
  'console.css': { path: () => own('console.css'), type: 'text/css; charset=utf-8' },
  'console.js': { path: () => own('console.js'), type: 'text/javascript; charset=utf-8' },
};

const cache = new Map<string, Buffer>();

/** The asset's bytes and type, or undefined for a name that is not one of them. */
export function staticAsset(name: string): { body: Buffer; type: string } | undefined {
  const file = Object.hasOwn(FILES, name) ? FILES[name] : undefined;
  if (!file) {
    return undefined;
  }
  let body = cache.get(name);
  if (!body) {
    body = readFileSync(file.path());
    cache.set(name, body);
  }
  return { body, type: file.type };
}
