import type { IncomingMessage, ServerResponse } from 'node:http';
import { getEndpoint } from '../control-plane/endpoints.js';
import { AwsError } from '../protocol/aws-error.js';
import { validationException } from '../protocol/wire-errors.js';
import type { ConsoleDeps } from './console-context.js';
import { deleteFromConsole, invokeFromConsole, updateCapacityFromConsole } from './endpoint-actions.js';
import { type EndpointDetail, endpointDetailPage, goneSection, liveSection, type LogTail, logsSection } from './endpoint-detail-view.js';
import { endpointHref } from './endpoint-format.js';
import { actionResult, invokeResult } from './endpoint-forms-view.js';
import { endpointsPage, endpointsTable } from './endpoint-list-view.js';
import { chartData, isChartName, latestMaximum, variantsWithData } from './endpoint-metrics.js';
import { allEndpoints, readCosts, summarize } from './endpoint-summary.js';
import { type Html, html } from './html.js';
import { page } from './layout.js';
import { type ConsoleRoute, isHtmx, readForm, redirect, sendHtml, sendJson } from './router.js';

/** SageMaker's EndpointName: the service model's pattern and length. */
const ENDPOINT_NAME = /^[a-zA-Z0-9](-*[a-zA-Z0-9])*$/;
const MAX_ENDPOINT_NAME = 63;
/** A region as a SigV4 credential scope names it. */
const REGION = /^[a-z0-9-]{1,32}$/;
/** Lines of each container's log the page shows. */
const LOG_LINES = 100;

/**
 * The Endpoints views: the list (the console's home), an endpoint's page
 * with its live parts, charts and log tail, and its actions (invoke, change
 * weight and capacity, delete). Paths are relative to /console.
 */
export function endpointsRoutes(deps: ConsoleDeps): ConsoleRoute[] {
  const defaultRegion = deps.config.region;
  const one = (suffix: string) => new RegExp(`^/endpoints/([^/]+)${suffix}$`);
  return [
    {
      method: 'GET',
      path: /^\/$/,
      handle: async (_req, res) => sendHtml(res, 200, endpointsPage(await allEndpoints(deps), defaultRegion)),
    },
    {
      method: 'GET',
      path: /^\/endpoints-table$/,
      handle: async (_req, res) => sendHtml(res, 200, endpointsTable(await allEndpoints(deps), defaultRegion)),
    },
    {
      method: 'GET',
      path: one(''),
      handle: async (req, res, m) => {
        const { name, region } = target(req, m, defaultRegion);
        // Not found answers as DescribeEndpoint does (its ValidationException, as a 400 page).
        getEndpoint({ EndpointName: name }, deps.sageMakerContext(region));
        const d = await detail(deps, region, name);
        sendHtml(res, 200, d ? endpointDetailPage(d, await logTails(d)) : page('Not found', 'endpoints', goneSection(name)));
      },
    },
    {
      method: 'GET',
      path: one('/live'),
      handle: async (req, res, m) => {
        const { name, region } = target(req, m, defaultRegion);
        const d = await detail(deps, region, name);
        sendHtml(res, 200, d ? liveSection(d) : goneSection(name));
      },
    },
    {
      method: 'GET',
      path: one('/logs'),
      handle: async (req, res, m) => {
        const { name, region } = target(req, m, defaultRegion);
        const d = await detail(deps, region, name);
        const body = logsSection(d ? await logTails(d) : [], endpointHref(name, region, defaultRegion, '/logs'));
        // A deleted endpoint's tail stops polling: the same section without its trigger.
        sendHtml(res, 200, d ? body : html`<div id="endpoint-logs" data-testid="logs"><p class="muted">The endpoint no longer exists.</p></div>`);
      },
    },
    {
      method: 'GET',
      path: one('/metrics\\.json'),
      handle: (req, res, m) => {
        const { name, region } = target(req, m, defaultRegion);
        const metric = new URL(req.url ?? '/', 'http://console').searchParams.get('metric') ?? '';
        if (!isChartName(metric)) {
          throw validationException(`No chart is called "${metric.slice(0, 40)}".`);
        }
        // The record's variants in its order, then any the store still has data of (a deleted endpoint's).
        const record = deps.store.endpoints.get(region, name);
        // Names are case-insensitive; the metrics carry the name as it was created.
        const endpoint = record?.name ?? name;
        const store = deps.cloudWatch.metrics;
        const variants = [...new Set([...(record?.variants.map((v) => v.VariantName) ?? []), ...variantsWithData(store, endpoint)])];
        sendJson(res, chartData(store, endpoint, variants, metric, Date.now()));
      },
    },
    {
      method: 'POST',
      path: one('/invoke'),
      handle: async (req, res, m) => {
        const form = await readForm(req);
        const { name, region } = target(req, m, defaultRegion);
        const result = invokeResult(await invokeFromConsole(deps, region, name, form));
        sendHtml(res, 200, isHtmx(req) ? result : standalone('Invoke', name, region, defaultRegion, result));
      },
    },
    {
      method: 'POST',
      path: one('/capacity'),
      handle: async (req, res, m) => {
        const form = await readForm(req);
        const { name, region } = target(req, m, defaultRegion);
        await answerAction(req, res, name, region, defaultRegion, () => updateCapacityFromConsole(deps, region, name, form));
      },
    },
    {
      method: 'POST',
      path: one('/delete'),
      handle: async (req, res, m) => {
        await readForm(req);
        const { name, region } = target(req, m, defaultRegion);
        await answerAction(req, res, name, region, defaultRegion, async () => {
          await deleteFromConsole(deps, region, name);
          // Back to the list, where the endpoint shows Deleting until it is gone.
          if (isHtmx(req)) {
            res.setHeader('HX-Redirect', '/console/');
            return `Deleting ${name}.`;
          }
          redirect(res, '/console/', 303);
          return undefined;
        });
      },
    },
  ];
}

/** The endpoint a route names: its URL-decoded name, checked against the pattern, and the region (?region=, else the default). */
function target(req: IncomingMessage, m: RegExpExecArray, defaultRegion: string): { name: string; region: string } {
  let name: string;
  try {
    name = decodeURIComponent(m[1]!);
  } catch {
    throw validationException('The endpoint name in the URL is not valid percent-encoding.');
  }
  if (name.length > MAX_ENDPOINT_NAME || !ENDPOINT_NAME.test(name)) {
    throw validationException(
      `"${name.slice(0, 80)}" is not an endpoint name: names match ^[a-zA-Z0-9](-*[a-zA-Z0-9])* and have at most ${MAX_ENDPOINT_NAME} characters.`,
    );
  }
  const region = new URL(req.url ?? '/', 'http://console').searchParams.get('region') ?? defaultRegion;
  if (!REGION.test(region)) {
    throw validationException(`"${region.slice(0, 40)}" is not a region.`);
  }
  return { name, region };
}

/**
 * Runs an action and answers with its outcome. htmx gets a 200 fragment
 * either way (it swaps nothing of a 4xx); a plain form post gets a page, with
 * the error's status when it failed. `act` answers itself when it returns undefined.
 */
async function answerAction(
  req: IncomingMessage,
  res: ServerResponse,
  name: string,
  region: string,
  defaultRegion: string,
  act: () => Promise<string | undefined>,
): Promise<void> {
  let outcome: { ok: boolean; text: string };
  let status = 200;
  try {
    const text = await act();
    if (text === undefined) {
      return;
    }
    outcome = { ok: true, text };
  } catch (err) {
    if (!(err instanceof AwsError)) {
      throw err;
    }
    outcome = { ok: false, text: `${err.code}: ${err.message}` };
    status = err.status;
  }
  const result = actionResult(outcome);
  if (isHtmx(req)) {
    sendHtml(res, 200, result);
  } else {
    sendHtml(res, status, standalone('Action', name, region, defaultRegion, result));
  }
}

/** A form's answer as a page of its own (a post without JavaScript). */
function standalone(title: string, name: string, region: string, defaultRegion: string, body: Html): Html {
  return page(title, 'endpoints', html`<p><a href="${endpointHref(name, region, defaultRegion)}">← ${name}</a></p>${body}`);
}

/** Everything the live parts of an endpoint's page show; undefined once the endpoint is gone. */
async function detail(deps: ConsoleDeps, region: string, name: string): Promise<EndpointDetail | undefined> {
  const record = deps.store.endpoints.get(region, name);
  if (!record) {
    return undefined;
  }
  const now = Date.now();
  const summary = summarize(deps, region, record, await readCosts(deps), now);
  const store = deps.cloudWatch.metrics;
  return {
    summary,
    defaultRegion: deps.config.region,
    pending: record.pending ? { configName: record.pending.configName, startTime: record.pending.startTime } : undefined,
    instances: deps.hosting.instances(region, record.name),
    queue:
      summary.type === 'async'
        ? {
            size: latestMaximum(store, 'ApproximateBacklogSize', record.name, now),
            oldestAgeSeconds: latestMaximum(store, 'ApproximateAgeOfOldestRequest', record.name, now),
            withoutCapacity: latestMaximum(store, 'HasBacklogWithoutCapacity', record.name, now),
          }
        : undefined,
    now,
  };
}

function logTails(d: EndpointDetail): Promise<LogTail[]> {
  return Promise.all(
    d.instances.flatMap((v) => v.instances.map(async (i) => ({ variant: v.variant, instanceId: i.instanceId, text: await i.logTail(LOG_LINES) }))),
  );
}
