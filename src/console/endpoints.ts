import type { ConsoleDeps } from './console-context.js';
import { html } from './html.js';
import { page } from './layout.js';
import { type ConsoleRoute, sendHtml } from './router.js';

/** PLACEHOLDER: the endpoints view (replaced by its real module). */
export function endpointsRoutes(_deps: ConsoleDeps): ConsoleRoute[] {
  return [{ method: 'GET', path: /^\/$/, handle: (_req, res) => sendHtml(res, 200, page('endpoints', 'endpoints', html`<h1>endpoints</h1>`)) }];
}
