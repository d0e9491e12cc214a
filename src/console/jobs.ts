import type { IncomingMessage } from 'node:http';
import { AwsError } from '../protocol/aws-error.js';
import { recommendationJobKind, transformJobKind } from '../resources/kinds.js';
import type { ConsoleDeps } from './console-context.js';
import { html } from './html.js';
import { jobHref, jobLists } from './job-list.js';
import { recommendationJobLive } from './job-recommendation.js';
import { transformJobLive } from './job-transform.js';
import { livePanel, page } from './layout.js';
import { type ConsoleRoute, sendHtml } from './router.js';

/**
 * The jobs view: `GET /console/jobs` (both lists, refreshed by htmx from
 * `/jobs/live` every 2 s), and a page per job at
 * `/jobs/transform/<name>?region=` and `/jobs/recommendation/<name>?region=`,
 * whose live part (`…/live?region=`) polls until the job has ended.
 */
export function jobsRoutes(deps: ConsoleDeps): ConsoleRoute[] {
  const transforms = deps.store.table(transformJobKind);
  const recommendations = deps.store.table(recommendationJobKind);

  /** The job a request names (path and `?region=`, the emulator's region by default), or a 404 page. */
  const find = <R>(req: IncomingMessage, m: RegExpExecArray, get: (region: string, name: string) => R | undefined) => {
    const region = new URL(req.url ?? '/', 'http://console').searchParams.get('region') || deps.config.region;
    const name = safeDecode(m[1]!);
    const job = name === undefined ? undefined : get(region, name);
    if (!job) {
      throw new AwsError('ValidationException', `No job named ${name ?? m[1]!} in ${region}.`, { status: 404 });
    }
    return { region, job };
  };
  const transformPage = (req: IncomingMessage, m: RegExpExecArray) => {
    const { region, job } = find(req, m, (r, n) => transforms.get(r, n));
    return { job, live: transformJobLive(region, job, jobHref('transform', region, job.name, '/live')) };
  };
  const recommendationPage = (req: IncomingMessage, m: RegExpExecArray) => {
    const { region, job } = find(req, m, (r, n) => recommendations.get(r, n));
    return { job, live: recommendationJobLive(region, job, jobHref('recommendation', region, job.name, '/live')) };
  };

  return [
    {
      method: 'GET',
      path: /^\/jobs$/,
      handle: (_req, res) => {
        const body = html`<h1>Jobs</h1>
${livePanel('jobs-live', '/console/jobs/live', jobLists(deps.store))}`;
        sendHtml(res, 200, page('Jobs', 'jobs', body));
      },
    },
    { method: 'GET', path: /^\/jobs\/live$/, handle: (_req, res) => sendHtml(res, 200, jobLists(deps.store)) },
    {
      method: 'GET',
      path: /^\/jobs\/transform\/([^/]+)$/,
      handle: (req, res, m) => {
        const { job, live } = transformPage(req, m);
        const body = html`<p><a href="/console/jobs">← Jobs</a></p>
<h1>Transform job <span data-field="job-name">${job.name}</span></h1>
${live}`;
        sendHtml(res, 200, page(`Transform job ${job.name}`, 'jobs', body));
      },
    },
    { method: 'GET', path: /^\/jobs\/transform\/([^/]+)\/live$/, handle: (req, res, m) => sendHtml(res, 200, transformPage(req, m).live) },
    {
      method: 'GET',
      path: /^\/jobs\/recommendation\/([^/]+)$/,
      handle: (req, res, m) => {
        const { job, live } = recommendationPage(req, m);
        const body = html`<p><a href="/console/jobs">← Jobs</a></p>
<h1>Inference Recommender job <span data-field="job-name">${job.name}</span></h1>
${live}`;
        sendHtml(res, 200, page(`Recommender job ${job.name}`, 'jobs', body));
      },
    },
    { method: 'GET', path: /^\/jobs\/recommendation\/([^/]+)\/live$/, handle: (req, res, m) => sendHtml(res, 200, recommendationPage(req, m).live) },
  ];
}

/** A path segment decoded, or undefined when its escapes are malformed (a 404, not a failed page). */
function safeDecode(segment: string): string | undefined {
  try {
    return decodeURIComponent(segment);
  } catch {
    return undefined;
  }
}
