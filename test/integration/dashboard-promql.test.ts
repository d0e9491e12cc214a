import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { InvokeEndpointCommand } from '@aws-sdk/client-sagemaker-runtime';
import { requireDocker } from '../helpers/docker.js';
import { type TestEmulator, startTestEmulator, stopAndClean } from '../helpers/emulator.js';
import { type PromQueryResponse, type RunningPrometheus, requirePrometheus, startPrometheus } from '../helpers/prometheus.js';
import { createEndpoint, createServerlessEndpoint } from '../helpers/sagemaker.js';
import { TIMEOUT } from '../helpers/bounded.js';

/**
 * The Grafana dashboard of the compose stack (deploy/grafana/dashboards) against a
 * real Prometheus scraping a real emulator: every panel query must parse and, after
 * traffic that touches every metric, return data. Catches renamed metrics, wrong
 * label names and PromQL typos that Grafana would only show as empty panels.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const DASHBOARD_FILE = `${ROOT}deploy/grafana/dashboards/sagemaker-emulator.json`;
const SELECTOR = 'endpoint_name=~"$endpoint", variant_name=~"$variant"';

interface Target {
  expr: string;
  refId: string;
  legendFormat?: string;
}
interface Panel {
  id: number;
  type: string;
  title: string;
  gridPos: { x: number; y: number; w: number; h: number };
  targets?: Target[];
  panels?: Panel[];
  datasource?: { type: string; uid: string };
}
interface Dashboard {
  uid: string;
  schemaVersion: number;
  panels: Panel[];
  templating: { list: { name: string; query: { query: string } | string; multi: boolean; includeAll: boolean; allValue?: string }[] };
}

const dashboard = JSON.parse(readFileSync(DASHBOARD_FILE, 'utf8')) as Dashboard;

/** Every (panel, target) of the dashboard, rows' nested panels included. */
function targets(): { panel: string; refId: string; expr: string }[] {
  const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]);
  return panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, refId: t.refId, expr: t.expr })));
}

/** What Grafana would send with "All" selected and a 1 s scrape interval's worth of range. */
function substitute(expr: string): string {
  return expr
    .replaceAll('$__rate_interval', '1m')
    .replaceAll('${__rate_interval}', '1m')
    .replaceAll('$__interval', '15s')
    .replaceAll('${__interval}', '15s')
    .replaceAll('$__range', '5m')
    .replace(/\$\{?(endpoint|variant)(?::\w+)?\}?/g, '.*');
}

const label = (t: { panel: string; refId: string }) => `${t.panel} [${t.refId}]`;

describe('Grafana dashboard (deploy/grafana/dashboards/sagemaker-emulator.json)', { timeout: TIMEOUT.suite }, () => {
  test('its shape: uid, schema, template variables, every target on the provisioned datasource', { timeout: TIMEOUT.test }, () => {
    assert.equal(dashboard.uid, 'sagemaker-emulator');
    assert.ok(dashboard.schemaVersion >= 36, `schemaVersion ${dashboard.schemaVersion}`);
    const vars = Object.fromEntries(dashboard.templating.list.map((v) => [v.name, v]));
    for (const [name, labelName] of [
      ['endpoint', 'endpoint_name'],
      ['variant', 'variant_name'],
    ] as const) {
      const v = vars[name];
      assert.ok(v, `template variable ${name}`);
      assert.equal(v.multi, true);
      assert.equal(v.includeAll, true);
      const q = typeof v.query === 'string' ? v.query : v.query.query;
      assert.match(q, new RegExp(`^label_values\\(sagemaker_invocations_total(\\{[^}]*\\})?, ${labelName}\\)$`));
    }
    for (const p of dashboard.panels.filter((x) => x.type !== 'row')) {
      assert.deepEqual(p.datasource, { type: 'prometheus', uid: 'prometheus' }, p.title);
    }
    // Unique ids and a grid without overlaps, or Grafana moves panels around.
    const ids = dashboard.panels.map((p) => p.id);
    assert.equal(new Set(ids).size, ids.length, 'panel ids are unique');
    const cells = new Map<string, string>();
    for (const p of dashboard.panels) {
      const { x, y, w, h } = p.gridPos;
      assert.ok(x >= 0 && w > 0 && x + w <= 24, `${p.title}: within the 24-column grid`);
      for (let i = x; i < x + w; i++) {
        for (let j = y; j < y + h; j++) {
          const other = cells.get(`${i},${j}`);
          assert.equal(other, undefined, `${p.title} overlaps ${other}`);
          cells.set(`${i},${j}`, p.title);
        }
      }
    }
    assert.ok(targets().length >= 15, `${targets().length} targets`);
  });

  test('every expression selects $endpoint and $variant and uses $__rate_interval or a fixed range', { timeout: TIMEOUT.test }, () => {
    const wrong = targets().filter(
      (t) => !t.expr.includes(SELECTOR) || !/\[(\$__rate_interval|\d+[smhd])\]/.test(t.expr) || /\[\$__interval\]/.test(t.expr),
    );
    assert.deepEqual(wrong.map(label), [], 'targets without the selectors or a proper range');
    for (const t of targets()) {
      const selectors = t.expr.match(/sagemaker_\w+\{[^}]*\}/g) ?? [];
      const bare = t.expr.match(/sagemaker_\w+(?![\w{])/g) ?? [];
      assert.ok(selectors.every((s) => s.includes(SELECTOR)), `${label(t)}: ${t.expr}`);
      assert.deepEqual(bare, [], `${label(t)}: every metric carries the selectors`);
      assert.doesNotMatch(substitute(t.expr), /\$/, `${label(t)}: an unknown variable is left`);
    }
  });

  describe('against a real Prometheus scraping the emulator', { timeout: TIMEOUT.suite }, () => {
    let t: TestEmulator | undefined;
    let prom: RunningPrometheus | undefined;
    const endpoints: string[] = [];

    before(async () => {
      requireDocker();
      requirePrometheus();
      // CPU and memory are sampled from Docker every second instead of every 10.
      t = await startTestEmulator({ SME_METRICS_SAMPLE_SECONDS: '1' });
      prom = await startPrometheus({ targets: [new URL(t.url).host], scrapeIntervalSeconds: 1 });
    });
    after(async () => {
      await prom?.stop();
      if (t) {
        await stopAndClean(t);
      }
    });

    const invoke = (endpoint: string, body: unknown) =>
      t!.runtime.send(new InvokeEndpointCommand({ EndpointName: endpoint, Body: Buffer.from(JSON.stringify(body)), ContentType: 'application/json' }));
    const fails = (p: Promise<unknown>) => p.then(() => 'ok', (e: Error) => e.name);

    // Prometheus hands new targets to its scrapers up to 5 s after start-up: this takes ~6 s.
    test('Prometheus scrapes the emulator’s /metrics', { timeout: TIMEOUT.test }, async () => {
      await prom!.waitForScrapes(2);
      const [target] = await prom!.targets();
      assert.ok(target, 'one scrape target');
      assert.equal(target.health, 'up', `${target.scrapeUrl}: ${target.lastError}`);
      await prom!.waitForData('process_cpu_seconds_total');
    });

    test('traffic that touches every metric', { timeout: TIMEOUT.test }, async () => {
      const provisioned = await createEndpoint(t!.sm);
      const serverless = await createServerlessEndpoint(t!.sm, { maxConcurrency: 2 });
      endpoints.push(provisioned.endpoint, serverless.endpoint);

      // Provisioned: successes, a model 5xx (ModelError) and a model 4xx.
      for (let i = 0; i < 5; i++) {
        await invoke(provisioned.endpoint, { i });
      }
      assert.equal(await fails(invoke(provisioned.endpoint, { status: 500 })), 'ModelError');
      assert.equal(await fails(invoke(provisioned.endpoint, { status: 404 })), 'ModelError');

      // Serverless: the first request is a cold start; then MaxConcurrency slow requests
      // in flight, and two more that arrive meanwhile and are throttled.
      await invoke(serverless.endpoint, { cold: true });
      const slow = [invoke(serverless.endpoint, { sleepMs: 1500 }), invoke(serverless.endpoint, { sleepMs: 1500 })];
      await new Promise((r) => setTimeout(r, 500));
      const throttled = await Promise.all([fails(invoke(serverless.endpoint, {})), fails(invoke(serverless.endpoint, {}))]);
      assert.deepEqual(throttled, ['ThrottlingException', 'ThrottlingException']);
      await Promise.all(slow);
      for (let i = 0; i < 3; i++) {
        await invoke(serverless.endpoint, { warm: i });
      }

      // Prometheus has the traffic, and a few more scrapes (rate() needs two samples).
      await prom!.waitForData('sagemaker_invocations_total');
      await prom!.waitForScrapes(3);
    });

    test('the template variables list the endpoints and the variant', { timeout: TIMEOUT.test }, async () => {
      assert.ok(endpoints.length === 2, 'the traffic test ran');
      const names = await prom!.labelValues('endpoint_name', ['sagemaker_invocations_total']);
      for (const e of endpoints) {
        assert.ok(names.includes(e), `${e} in ${JSON.stringify(names)}`);
      }
      assert.deepEqual(await prom!.labelValues('variant_name', ['sagemaker_invocations_total{endpoint_name=~".*"}']), ['AllTraffic']);
    });

    test('every panel expression parses (status success)', { timeout: TIMEOUT.test }, async () => {
      const errors: string[] = [];
      for (const x of targets()) {
        const r = await prom!.query(substitute(x.expr));
        if (r.status !== 'success') {
          errors.push(`${label(x)}: ${r.errorType}: ${r.error}\n    ${substitute(x.expr)}`);
        }
      }
      if (errors.length > 0) {
        assert.fail(`${errors.length} expression(s) Prometheus rejected:\n${errors.join('\n')}`);
      }
    });

    test('every panel expression returns data after the traffic', { timeout: TIMEOUT.test }, async (ctx) => {
      assert.ok(endpoints.length === 2, 'the traffic test ran');
      // Sampled gauges (CPU, memory) may need a moment longer than the counters: poll briefly.
      const deadline = Date.now() + 15_000;
      let empty: { t: ReturnType<typeof targets>[number]; r: PromQueryResponse }[] = [];
      for (let round = 0; round < 16; round++) {
        empty = [];
        for (const x of targets()) {
          const r = await prom!.query(substitute(x.expr));
          if (r.status !== 'success' || (r.data?.result.length ?? 0) === 0) {
            empty.push({ t: x, r });
          }
        }
        if (empty.length === 0 || Date.now() > deadline) {
          break;
        }
        await new Promise((r) => setTimeout(r, 1000));
      }
      for (const x of targets()) {
        const r = await prom!.query(substitute(x.expr));
        ctx.diagnostic(`${label(x)}: ${r.data?.result.length ?? 0} series`);
      }
      const report = empty.map(({ t: x, r }) => `${label(x)}: ${r.status === 'success' ? 'no series' : `${r.errorType}: ${r.error}`}\n    ${substitute(x.expr)}`);
      if (report.length > 0) {
        assert.fail(`${report.length} expression(s) returned nothing:\n${report.join('\n')}`);
      }
    });
  });
});
