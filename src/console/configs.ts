import type { ConsoleDeps } from './console-context.js';
import { html } from './html.js';
import { page } from './layout.js';
import { type ConsoleRoute, sendHtml } from './router.js';

/** PLACEHOLDER: the configs view (replaced by its real module). */
export function configsRoutes(_deps: ConsoleDeps): ConsoleRoute[] {
  return [{ method: 'GET', path: /^\/configs$/, handle: (_req, res) => sendHtml(res, 200, page('configs', 'configs', html`<h1>configs</h1>`)) }];
}
