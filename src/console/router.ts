import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger } from 'pino';
import { AwsError } from '../protocol/aws-error.js';
import type { RestRoute } from '../protocol/dispatcher.js';
import { type Html, html } from './html.js';
import { page } from './layout.js';
import { staticAsset } from './static-assets.js';

/** One route of the console, relative to `/console`: `/`, `/endpoints/(name)`, … */
export interface ConsoleRoute {
  method: 'GET' | 'POST';
  path: RegExp;
  handle(req: IncomingMessage, res: ServerResponse, match: RegExpExecArray): void | Promise<void>;
}

/** The whole console, mounted on the listener at `/console` (app.ts). */
export const CONSOLE_PATH = /^\/console(\/.*)?$/;

/**
 * Serves `/console/…`: static assets, then the views' routes. A request that
 * changes state (anything but GET and HEAD) is refused when it comes from
 * another origin (CSRF): browsers send `Origin` on every POST, and a page of
 * another site must not be able to delete an endpoint through the user's
 * browser. Errors become a page (or an htmx fragment) with the AWS error's
 * text, never a stack trace.
 */
export function consoleRouter(routes: readonly ConsoleRoute[], log: Logger): RestRoute['handler'] {
  return (req, res, _info, m) => {
    const sub = m[1] ?? '';
    const url = new URL(req.url ?? '/', 'http://console');
    if (sub === '') {
      redirect(res, '/console/');
      req.resume();
      return;
    }
    if (sub.startsWith('/static/') && (req.method === 'GET' || req.method === 'HEAD')) {
      req.resume();
      const asset = staticAsset(sub.slice('/static/'.length));
      if (!asset) {
        sendHtml(res, 404, page('Not found', 'endpoints', html`<p class="error">No such file.</p>`));
        return;
      }
      res.statusCode = 200;
      res.setHeader('Content-Type', asset.type);
      res.setHeader('Cache-Control', 'public, max-age=3600');
      res.setHeader('Content-Length', asset.body.length);
      res.end(req.method === 'HEAD' ? undefined : asset.body);
      return;
    }
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    if (method !== 'GET' && foreignOrigin(req)) {
      req.resume();
      sendHtml(res, 403, html`<p class="error">Refused: this request comes from another origin (${req.headers.origin ?? 'unknown'}).</p>`);
      return;
    }
    const path = url.pathname.slice('/console'.length) || '/';
    for (const route of routes) {
      if (route.method !== method) {
        continue;
      }
      const match = route.path.exec(path);
      if (!match) {
        continue;
      }
      Promise.resolve()
        .then(() => route.handle(req, res, match))
        .catch((err: unknown) => {
          if (res.headersSent) {
            res.destroy();
            return;
          }
          const status = err instanceof AwsError ? err.status : 500;
          if (!(err instanceof AwsError)) {
            log.error({ err, path }, 'console page failed');
          }
          const message = err instanceof AwsError ? `${err.code}: ${err.message}` : 'The page failed; the emulator log says why.';
          const body = html`<p class="error" role="alert">${message}</p>`;
          sendHtml(res, status, isHtmx(req) ? body : page('Error', 'endpoints', body));
        });
      return;
    }
    req.resume();
    sendHtml(res, 404, page('Not found', 'endpoints', html`<p class="error">No console page at ${path}.</p>`));
  };
}

/** A state-changing request from a page that is not ours. */
function foreignOrigin(req: IncomingMessage): boolean {
  const origin = req.headers.origin;
  if (origin !== undefined) {
    return origin !== `http://${req.headers.host ?? ''}`;
  }
  // No Origin (an old browser, or not a browser): trust Fetch Metadata when present.
  return req.headers['sec-fetch-site'] === 'cross-site';
}

/** Whether htmx asked (it wants a fragment, not a page). */
export function isHtmx(req: IncomingMessage): boolean {
  return req.headers['hx-request'] === 'true';
}

export function sendHtml(res: ServerResponse, status: number, body: Html): void {
  const payload = Buffer.from(body.text, 'utf8');
  res.statusCode = status;
  res.setHeader('Content-Type', 'text/html; charset=utf-8');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', payload.length);
  res.end(payload);
}

export function sendJson(res: ServerResponse, value: unknown): void {
  const payload = Buffer.from(JSON.stringify(value), 'utf8');
  res.statusCode = 200;
  res.setHeader('Content-Type', 'application/json');
  res.setHeader('Cache-Control', 'no-store');
  res.setHeader('Content-Length', payload.length);
  res.end(payload);
}

export function redirect(res: ServerResponse, location: string, status = 302): void {
  res.statusCode = status;
  res.setHeader('Location', location);
  res.setHeader('Content-Length', 0);
  res.end();
}

/** Reads a small form body (the console's forms: weights, invoke); at most `limit` bytes. */
export async function readForm(req: IncomingMessage, limit = 7 * 1024 * 1024): Promise<URLSearchParams> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit) {
      throw new AwsError('ValidationException', `The form is larger than ${limit} bytes.`, { status: 413 });
    }
    chunks.push(chunk);
  }
  return new URLSearchParams(Buffer.concat(chunks).toString('utf8'));
}
