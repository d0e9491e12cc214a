import { execFile, execFileSync } from 'node:child_process';
import os from 'node:os';

/**
 * Network probes run inside a model container (`docker exec … node -e`: the
 * sample images have node): can it open a TCP connection to host:port?
 */

export interface ProbeTarget {
  name: string;
  host: string;
  port: number;
  /** Written once connected (an HTTP request, say). */
  send?: string;
  /** What the real target answers: only then is it 'reached'. */
  expect: string;
}

/**
 * 'reached': the target answered as only it would; 'connected': something
 * accepted the TCP connection but did not answer so (on a machine whose
 * upstream gateway accepts every connection, as this project's CI does, a
 * bare connect proves nothing); otherwise, why no connection.
 */
export type ProbeOutcome = 'reached' | 'connected' | 'timeout' | `error: ${string}`;

/** Each connection attempt gives up after this long: an isolated container's SYNs go nowhere. */
const CONNECT_TIMEOUT_MS = 2000;

const PROBE_SCRIPT = `
const net = require('net');
const targets = JSON.parse(process.argv[1]);
Promise.all(targets.map((t) => new Promise((resolve) => {
  const s = net.connect({ host: t.host, port: t.port });
  let connected = false;
  let got = '';
  let settled = false;
  const done = (outcome) => { if (!settled) { settled = true; s.destroy(); resolve([t.name, outcome]); } };
  s.setTimeout(${CONNECT_TIMEOUT_MS}, () => done(connected ? 'connected' : 'timeout'));
  s.once('connect', () => { connected = true; if (t.send) s.write(t.send); });
  s.on('data', (d) => { got += d; if (got.includes(t.expect)) done('reached'); });
  s.once('end', () => done(connected ? 'connected' : 'timeout'));
  s.once('error', (e) => done(connected ? 'connected' : 'error: ' + e.code));
}))).then((r) => console.log(JSON.stringify(Object.fromEntries(r))));
`;

/** Runs every probe at once inside the container; resolves with each target's outcome (bounded: 20 s). */
export function probeFrom(containerId: string, targets: ProbeTarget[]): Promise<Record<string, ProbeOutcome>> {
  return new Promise((resolve, reject) => {
    execFile('docker', ['exec', containerId, 'node', '-e', PROBE_SCRIPT, JSON.stringify(targets)], { timeout: 20_000 }, (err, stdout, stderr) => {
      if (err) {
        reject(new Error(`probe in ${containerId} failed: ${err.message}\n${stderr}`));
        return;
      }
      resolve(JSON.parse(stdout) as Record<string, ProbeOutcome>);
    });
  });
}

/** The host's primary IPv4 address (the one on its default route's interface), not Docker's bridges'. */
export function hostPrimaryIp(): string {
  for (const [name, addrs] of Object.entries(os.networkInterfaces())) {
    if (name === 'docker0' || name.startsWith('br-') || name.startsWith('veth')) {
      continue;
    }
    const v4 = addrs?.find((a) => a.family === 'IPv4' && !a.internal);
    if (v4) {
      return v4.address;
    }
  }
  throw new Error('no non-loopback IPv4 address on this host');
}

/** A network's gateway address (the host's side of its bridge, where it has one). */
export function networkGateway(network: string): string | undefined {
  const out = execFileSync('docker', ['network', 'inspect', network, '--format', '{{range .IPAM.Config}}{{.Gateway}} {{end}}'], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  return out.trim().split(/\s+/).find(Boolean);
}

/** The networks (names) the emulator made for one state directory. */
export function managedNetworks(stateDir: string): string[] {
  const out = execFileSync(
    'docker',
    ['network', 'ls', '--filter', 'label=sagemaker-emulator.managed=true', '--filter', `label=sagemaker-emulator.state-dir=${stateDir}`, '--format', '{{.Name}}'],
    { encoding: 'utf8', timeout: 30_000 },
  );
  return out.split('\n').filter(Boolean);
}
