import type { ConsoleDeps } from './console-context.js';
import { html } from './html.js';
import { page } from './layout.js';
import { type ConsoleRoute, sendHtml } from './router.js';

/** PLACEHOLDER: the jobs view (replaced by its real module). */
export function jobsRoutes(_deps: ConsoleDeps): ConsoleRoute[] {
  return [{ method: 'GET', path: /^\/jobs$/, handle: (_req, res) => sendHtml(res, 200, page('jobs', 'jobs', html`<h1>jobs</h1>`)) }];
}
