import type { ConsoleDeps } from './console-context.js';
import { html } from './html.js';
import { page } from './layout.js';
import { type ConsoleRoute, sendHtml } from './router.js';

/** PLACEHOLDER: the scaling view (replaced by its real module). */
export function scalingRoutes(_deps: ConsoleDeps): ConsoleRoute[] {
  return [{ method: 'GET', path: /^\/scaling$/, handle: (_req, res) => sendHtml(res, 200, page('scaling', 'scaling', html`<h1>scaling</h1>`)) }];
}
