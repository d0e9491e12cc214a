import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from './free-port.js';
import { answers200, startServerProcess } from './server-process.js';

/**
 * A real Prometheus server for tests: Debian's `prometheus` binary (or
 * $PROMETHEUS_BIN) on a free loopback port, with a temporary config and TSDB.
 * Tests that need it fail (never skip) when it is missing.
 */
const INSTALL_HINT = 'install it with `apt-get install -y prometheus` (Debian), or set PROMETHEUS_BIN to a prometheus 2.x binary';

export function prometheusBinary(): string {
  return process.env.PROMETHEUS_BIN ?? 'prometheus';
}

/** The `prometheus --version` line; throws with how to install it when the binary is missing. */
export function requirePrometheus(): string {
  const bin = prometheusBinary();
  try {
    return execFileSync(bin, ['--version'], { encoding: 'utf8', stdio: 'pipe' }).split('\n')[0]!;
  } catch (err) {
    throw new Error(`This test needs Prometheus (\`${bin}\` did not run): ${INSTALL_HINT}.\n${String(err)}`, { cause: err });
  }
}

/** promtool ships with Prometheus (same Debian package). */
export function requirePromtool(): string {
  const bin = process.env.PROMTOOL_BIN ?? 'promtool';
  try {
    execFileSync(bin, ['--version'], { stdio: 'pipe' });
    return bin;
  } catch (err) {
    throw new Error(`This test needs promtool (\`${bin}\` did not run): ${INSTALL_HINT}.\n${String(err)}`, { cause: err });
  }
}

export interface PromQueryResponse {
  status: 'success' | 'error';
  data?: { resultType: string; result: { metric: Record<string, string>; value?: [number, string] }[] };
  errorType?: string;
  error?: string;
  warnings?: string[];
}

export interface PromTarget {
  scrapeUrl: string;
  health: 'up' | 'down' | 'unknown';
  lastError: string;
  lastScrape: string;
}

export interface RunningPrometheus {
  url: string;
  /** Instant query (`/api/v1/query`); the JSON answer whatever the HTTP status (400 for a bad expression). */
  query(expr: string): Promise<PromQueryResponse>;
  /** Values of a label (`/api/v1/label/<name>/values`), optionally restricted by series selectors. */
  labelValues(label: string, match?: string[]): Promise<string[]>;
  targets(): Promise<PromTarget[]>;
  /** Waits until every target has been scraped `count` more times than now. */
  waitForScrapes(count: number, timeoutMs?: number): Promise<void>;
  /** Polls an expression until it returns at least one series. */
  waitForData(expr: string, timeoutMs?: number): Promise<PromQueryResponse>;
  /** Prometheus's own log, for failure messages. */
  log(): string;
  stop(): Promise<void>;
}

export interface PrometheusOptions {
  /** host:port pairs scraped at /metrics. */
  targets: string[];
  /** Scrape interval in seconds (default 1). */
  scrapeIntervalSeconds?: number;
  jobName?: string;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));


function configText(opts: PrometheusOptions): string {
  const interval = `${opts.scrapeIntervalSeconds ?? 1}s`;
  return [
    'global:',
    `  scrape_interval: ${interval}`,
    `  scrape_timeout: ${interval}`,
    `  evaluation_interval: ${interval}`,
    'scrape_configs:',
    `  - job_name: ${opts.jobName ?? 'sagemaker-emulator'}`,
    '    metrics_path: /metrics',
    '    static_configs:',
    `      - targets: [${opts.targets.map((t) => `'${t}'`).join(', ')}]`,
    '',
  ].join('\n');
}

/** Starts Prometheus and resolves once `/-/ready` answers 200. */
export async function startPrometheus(opts: PrometheusOptions): Promise<RunningPrometheus> {
  requirePrometheus();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'sme-prometheus-'));
  const configFile = path.join(dir, 'prometheus.yml');
  writeFileSync(configFile, configText(opts));
  let lastError: Error | undefined;
  // A free port can be taken between the probe and Prometheus's bind: try a few.
  for (let attempt = 0; attempt < 3; attempt++) {
    const port = await freePort();
    try {
      return await launch(dir, configFile, port);
    } catch (err) {
      lastError = err as Error;
      if (!/address already in use/i.test(lastError.message)) {
        break;
      }
    }
  }
  rmSync(dir, { recursive: true, force: true });
  throw lastError ?? new Error('prometheus did not start');
}

async function launch(dir: string, configFile: string, port: number): Promise<RunningPrometheus> {
  const url = `http://127.0.0.1:${port}`;
  const server = await startServerProcess(
    prometheusBinary(),
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${path.join(dir, `data-${port}`)}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--storage.tsdb.retention.time=1h',
      '--log.level=info',
    ],
    { name: 'prometheus', probeUrl: `${url}/-/ready`, ready: answers200(`${url}/-/ready`), timeoutMs: 30_000, graceMs: 10_000 },
  );

  const api = async <T>(pathAndQuery: string): Promise<T> => {
    const res = await fetch(`${url}${pathAndQuery}`, { signal: AbortSignal.timeout(10_000) });
    return (await res.json()) as T;
  };

  const query = (expr: string) => api<PromQueryResponse>(`/api/v1/query?query=${encodeURIComponent(expr)}`);

  const targets = async () => (await api<{ data: { activeTargets: PromTarget[] } }>('/api/v1/targets')).data.activeTargets;

  // `up` gets one sample per scrape of each target: counting them counts scrapes.
  const scrapes = async () => {
    const r = await query('min(count_over_time(up[1h]))');
    return Number(r.data?.result[0]?.value?.[1] ?? 0);
  };

  return {
    url,
    query,
    targets,
    async labelValues(label, match = []) {
      const params = match.map((m) => `match[]=${encodeURIComponent(m)}`).join('&');
      const r = await api<{ status: string; data: string[] }>(`/api/v1/label/${label}/values${params ? `?${params}` : ''}`);
      return r.data;
    },
    async waitForScrapes(count, timeoutMs = 30_000) {
      const start = await scrapes();
      const until = Date.now() + timeoutMs;
      for (let round = 0; (await scrapes()) < start + count; round++) {
        if (Date.now() > until || round > timeoutMs / 200) {
          throw new Error(`prometheus did not scrape ${count} more times within ${timeoutMs} ms; targets: ${JSON.stringify(await targets())}`);
        }
        await sleep(200);
      }
    },
    async waitForData(expr, timeoutMs = 30_000) {
      const until = Date.now() + timeoutMs;
      for (let round = 0; ; round++) {
        const r = await query(expr);
        if (r.status === 'success' && (r.data?.result.length ?? 0) > 0) {
          return r;
        }
        if (Date.now() > until || round > timeoutMs / 250) {
          throw new Error(`no data for ${expr} within ${timeoutMs} ms (${JSON.stringify(r)}); targets: ${JSON.stringify(await targets())}`);
        }
        await sleep(250);
      }
    },
    log: server.output,
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
