import assert from 'node:assert/strict';
import { type SpawnSyncReturns, execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { requirePromtool } from '../helpers/prometheus.js';
import { TIMEOUT } from '../helpers/bounded.js';

/**
 * docker-compose.yml and the files it mounts (deploy/): validated by the real
 * Compose implementation — Debian's `docker-compose` 1.29, or `docker compose`
 * v2 — and checked for the things the stack depends on: the Docker socket, the
 * state directory at the same path on both sides, the fixed network name that
 * SME_DOCKER_NETWORK names, and Prometheus/Grafana wired to each other.
 * Nothing is started: no image is built or pulled.
 */
const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const NETWORK = 'sagemaker-emulator';
const INSTALL = 'install docker-compose: apt-get install docker-compose (or the Docker Compose v2 plugin)';

/** A synchronous child blocks the test process, where no test timeout can fire: each has its own limit. */
const SYNC_TIMEOUT_MS = 60_000;

interface ComposeCli {
  cmd: string;
  prefix: string[];
  version: string;
  v2: boolean;
}

function findCompose(): ComposeCli {
  const candidates: [string, string[]][] = [
    ['docker-compose', []],
    ['docker', ['compose']],
  ];
  for (const [cmd, prefix] of candidates) {
    const r = spawnSync(cmd, [...prefix, 'version', '--short'], { encoding: 'utf8', timeout: SYNC_TIMEOUT_MS });
    if (r.status === 0) {
      const version = r.stdout.trim().replace(/^v/, '');
      return { cmd, prefix, version, v2: Number(version.split('.')[0]) >= 2 };
    }
  }
  throw new Error(`Neither \`docker-compose\` nor \`docker compose\` runs: ${INSTALL}.`);
}

function compose(cli: ComposeCli, args: string[], env: Record<string, string> = {}): SpawnSyncReturns<string> {
  // The defaults in docker-compose.yml are what is under test: drop any override from the caller's shell.
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !/^(SME_|PROMETHEUS_IMAGE_TAG|GRAFANA_IMAGE_TAG|COMPOSE_)/.test(k)),
  );
  return spawnSync(cli.cmd, [...cli.prefix, '-f', 'docker-compose.yml', ...args], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { ...clean, ...env },
    timeout: SYNC_TIMEOUT_MS,
  });
}

/** YAML → JSON through python3's yaml module (a dependency of Debian's docker-compose). */
function yamlToJson(text: string): unknown {
  const r = spawnSync('python3', ['-c', 'import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'], {
    input: text,
    encoding: 'utf8',
    timeout: SYNC_TIMEOUT_MS,
  });
  if (r.status !== 0) {
    throw new Error(`Parsing YAML needs python3 with its yaml module: apt-get install python3-yaml (Debian's docker-compose brings it).\n${r.stderr ?? r.error}`);
  }
  return JSON.parse(r.stdout);
}

const readYaml = (file: string) => yamlToJson(readFileSync(path.join(ROOT, file), 'utf8'));

interface Mount {
  source: string;
  target: string;
  readOnly: boolean;
}
interface Port {
  hostIp: string;
  published: string;
  target: string;
}
interface Service {
  image?: string;
  build?: { context: string; args?: Record<string, string> };
  environment?: Record<string, string | null>;
  volumes?: (string | { type: string; source: string; target: string; read_only?: boolean })[];
  ports?: (string | { host_ip?: string; published: string | number; target: number })[];
  networks?: Record<string, unknown> | string[];
}
interface ComposeConfig {
  services: Record<string, Service>;
  networks?: Record<string, { name?: string }>;
}

/** v1 prints volumes as "src:dst:mode" strings, v2 as objects. */
function mounts(s: Service): Mount[] {
  return (s.volumes ?? []).map((v) => {
    if (typeof v !== 'string') {
      return { source: v.source, target: v.target, readOnly: v.read_only === true };
    }
    const [source = '', target = '', mode = 'rw'] = v.split(':');
    return { source, target, readOnly: mode.split(',').includes('ro') };
  });
}

/** v1 prints ports as "ip:published:target/proto" strings, v2 as objects. */
function ports(s: Service): Port[] {
  return (s.ports ?? []).map((p) => {
    if (typeof p !== 'string') {
      return { hostIp: p.host_ip ?? '', published: String(p.published), target: String(p.target) };
    }
    const parts = p.replace(/\/\w+$/, '').split(':');
    const target = parts.pop() ?? '';
    const published = parts.pop() ?? target;
    return { hostIp: parts.join(':'), published, target };
  });
}

const networksOf = (s: Service) => (Array.isArray(s.networks) ? s.networks : Object.keys(s.networks ?? {}));

describe('docker-compose.yml', { timeout: TIMEOUT.suite }, () => {
  const cli = findCompose();

  /** The resolved configuration (interpolated, paths made absolute), or undefined when it cannot be parsed here. */
  function resolvedConfig(env: Record<string, string> = {}): { config?: ComposeConfig; text: string } {
    if (cli.v2) {
      const json = compose(cli, ['config', '--format', 'json'], env);
      if (json.status === 0) {
        return { config: JSON.parse(json.stdout) as ComposeConfig, text: json.stdout };
      }
    }
    const yaml = compose(cli, ['config'], env);
    assert.equal(yaml.status, 0, `${cli.cmd} ${cli.prefix.join(' ')} config failed:\n${yaml.stderr}`);
    try {
      return { config: yamlToJson(yaml.stdout) as ComposeConfig, text: yaml.stdout };
    } catch {
      return { text: yaml.stdout };
    }
  }

  test(`is valid for ${cli.cmd}${cli.prefix.length ? ` ${cli.prefix.join(' ')}` : ''} ${cli.version} (config -q)`, { timeout: TIMEOUT.test }, () => {
    const r = compose(cli, ['config', '-q']);
    assert.equal(r.status, 0, `config -q failed:\n${r.stderr}`);
    assert.equal(r.stdout, '');
    assert.doesNotMatch(r.stderr, /WARN|variable is not set/i, 'no warnings (every variable has a default)');
  });

  test('defines the emulator, prometheus and grafana services on the sagemaker-emulator network', { timeout: TIMEOUT.test }, (t) => {
    const { config, text } = resolvedConfig();
    if (!config) {
      t.diagnostic('no YAML parser here (python3-yaml): checking the names in the text only');
      for (const name of ['emulator:', 'prometheus:', 'grafana:', `name: ${NETWORK}`]) {
        assert.ok(text.includes(name), name);
      }
      return;
    }
    assert.deepEqual(Object.keys(config.services).sort(), ['emulator', 'grafana', 'prometheus']);
    assert.equal(config.networks?.[NETWORK]?.name, NETWORK, 'a fixed network name, not <project>_sagemaker-emulator');
    for (const [name, s] of Object.entries(config.services)) {
      assert.deepEqual(networksOf(s), [NETWORK], `${name} is on ${NETWORK}`);
    }
  });

  test('emulator: built from this repository, Docker socket, same-path state directory, SME_DOCKER_NETWORK, port 8181', { timeout: TIMEOUT.test }, () => {
    const { config } = resolvedConfig();
    assert.ok(config, 'parsed configuration');
    const e = config.services.emulator!;
    assert.equal(path.resolve(e.build?.context ?? ''), path.resolve(ROOT));
    assert.ok(existsSync(path.join(ROOT, 'Dockerfile')));
    const env = e.environment ?? {};
    assert.equal(env.SME_HOST, '0.0.0.0');
    assert.equal(env.SME_DOCKER_NETWORK, NETWORK, 'model containers join the network Prometheus and the emulator are on');
    const m = mounts(e);
    assert.ok(m.some((x) => x.source === '/var/run/docker.sock' && x.target === '/var/run/docker.sock'), 'the Docker socket');
    const state = m.find((x) => x.target === env.SME_STATE_DIR);
    assert.ok(state, `a mount at SME_STATE_DIR (${env.SME_STATE_DIR})`);
    assert.equal(state.source, state.target, 'the state directory has the same absolute path on the host and in the container');
    assert.ok(path.isAbsolute(state.source));
    assert.ok(ports(e).some((p) => p.published === '8181' && p.target === '8181'), JSON.stringify(e.ports));
  });

  test('emulator: SME_STATE_DIR_HOST moves the state directory on both sides at once', { timeout: TIMEOUT.test }, () => {
    const dir = '/srv/sme-state-under-test';
    const { config } = resolvedConfig({ SME_STATE_DIR_HOST: dir });
    assert.ok(config, 'parsed configuration');
    const e = config.services.emulator!;
    assert.equal(e.environment?.SME_STATE_DIR, dir);
    assert.ok(mounts(e).some((x) => x.source === dir && x.target === dir), JSON.stringify(e.volumes));
  });

  test('prometheus: mounts deploy/prometheus/prometheus.yml (valid for promtool), scrapes emulator:8181 every 5 s, port 9090', { timeout: TIMEOUT.test }, () => {
    const { config } = resolvedConfig();
    assert.ok(config, 'parsed configuration');
    const p = config.services.prometheus!;
    assert.match(p.image ?? '', /^prom\/prometheus(:|$)/);
    const file = mounts(p).find((x) => x.target === '/etc/prometheus/prometheus.yml');
    assert.ok(file, 'the config at the image’s default path');
    assert.equal(path.resolve(file.source), path.join(ROOT, 'deploy/prometheus/prometheus.yml'));
    assert.ok(ports(p).some((x) => x.published === '9090' && x.target === '9090'));

    const promtool = requirePromtool();
    execFileSync(promtool, ['check', 'config', 'deploy/prometheus/prometheus.yml'], { cwd: ROOT, stdio: 'pipe', timeout: SYNC_TIMEOUT_MS });
    const prom = readYaml('deploy/prometheus/prometheus.yml') as {
      global?: { scrape_interval?: string };
      scrape_configs: { scrape_interval?: string; metrics_path?: string; static_configs: { targets: string[] }[] }[];
    };
    const job = prom.scrape_configs.find((j) => j.static_configs.some((s) => s.targets.includes('emulator:8181')));
    assert.ok(job, 'a job scraping emulator:8181 (the service name and SME_PORT)');
    assert.equal(job.scrape_interval ?? prom.global?.scrape_interval, '5s');
    assert.equal(job.metrics_path ?? '/metrics', '/metrics');
  });

  test('grafana: anonymous access, provisioning and dashboards mounted where the provider looks, port 3000', { timeout: TIMEOUT.test }, () => {
    const { config } = resolvedConfig();
    assert.ok(config, 'parsed configuration');
    const g = config.services.grafana!;
    assert.match(g.image ?? '', /^grafana\/grafana(-oss)?(:|$)/);
    assert.equal(g.environment?.GF_AUTH_ANONYMOUS_ENABLED, 'true');
    assert.equal(g.environment?.GF_AUTH_ANONYMOUS_ORG_ROLE, 'Admin');
    assert.ok(ports(g).some((x) => x.published === '3000' && x.target === '3000'));
    const m = mounts(g);
    const provisioning = m.find((x) => x.target === '/etc/grafana/provisioning');
    assert.ok(provisioning, 'provisioning at /etc/grafana/provisioning');
    assert.equal(path.resolve(provisioning.source), path.join(ROOT, 'deploy/grafana/provisioning'));

    const providers = (readYaml('deploy/grafana/provisioning/dashboards/dashboards.yml') as {
      providers: { type: string; options: { path: string } }[];
    }).providers;
    assert.equal(providers.length, 1);
    const dashboards = m.find((x) => x.target === providers[0]!.options.path);
    assert.ok(dashboards, `the dashboards directory is mounted at the provider's path ${providers[0]!.options.path}`);
    assert.equal(path.resolve(dashboards.source), path.join(ROOT, 'deploy/grafana/dashboards'));
    assert.ok(existsSync(path.join(ROOT, 'deploy/grafana/dashboards/sagemaker-emulator.json')));
    const home = g.environment?.GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH;
    if (home) {
      assert.ok(home.startsWith(`${dashboards.target}/`), `home dashboard ${home} is in the mounted directory`);
      assert.ok(existsSync(path.join(dashboards.source, home.slice(dashboards.target.length + 1))), home);
    }

    const datasources = (readYaml('deploy/grafana/provisioning/datasources/prometheus.yml') as {
      datasources: { type: string; uid: string; url: string }[];
    }).datasources;
    const ds = datasources.find((d) => d.type === 'prometheus');
    assert.ok(ds);
    assert.equal(ds.uid, 'prometheus', 'the uid the dashboard refers to');
    assert.equal(ds.url, 'http://prometheus:9090', 'the prometheus service on the compose network');
  });

  test('every bind-mounted file of this repository exists', { timeout: TIMEOUT.test }, () => {
    const { config } = resolvedConfig();
    assert.ok(config, 'parsed configuration');
    const missing = Object.values(config.services)
      .flatMap(mounts)
      .filter((x) => path.isAbsolute(x.source) && path.resolve(x.source).startsWith(path.resolve(ROOT)) && !existsSync(x.source))
      .map((x) => x.source);
    assert.deepEqual(missing, []);
  });
});
