import { execFileSync } from 'node:child_process';
import { readFileSync, readdirSync } from 'node:fs';

/**
 * Readings of the emulator's process taken from outside it: /proc costs the
 * emulator nothing (no request through its event loop), so the 250 ms samples
 * during a load run do not disturb what they measure. Linux only, as the
 * benchmarks are.
 */
export function rssBytes(pid: number): number {
  const m = /^VmRSS:\s+(\d+) kB$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
  return m ? Number(m[1]) * 1024 : NaN;
}

export function openFds(pid: number): number {
  return readdirSync(`/proc/${pid}/fd`).length;
}

/** Samples RSS every `everyMs` until stopped; keeps the peak. */
export function sampleRss(pid: number, everyMs = 250): { stop(): { peak: number; samples: number } } {
  let peak = rssBytes(pid);
  let samples = 1;
  const timer = setInterval(() => {
    peak = Math.max(peak, rssBytes(pid));
    samples++;
  }, everyMs);
  return {
    stop() {
      clearInterval(timer);
      return { peak: Math.max(peak, rssBytes(pid)), samples: samples + 1 };
    },
  };
}

/** One scrape of /metrics: each sample line as name → [labels, value], the text format of prom-client. */
export type Scrape = Map<string, { labels: string; value: number }[]>;

export async function scrapeMetrics(url: string): Promise<Scrape> {
  const text = await (await fetch(`${url}/metrics`, { signal: AbortSignal.timeout(10_000) })).text();
  const out: Scrape = new Map();
  for (const line of text.split('\n')) {
    const m = /^([a-zA-Z_:][\w:]*)(\{[^}]*\})?\s+(\S+)/.exec(line);
    if (!m) {
      continue;
    }
    const list = out.get(m[1]!) ?? [];
    list.push({ labels: m[2] ?? '', value: Number(m[3]) });
    out.set(m[1]!, list);
  }
  return out;
}

/** The sum of a metric's samples (one sample for the unlabelled default metrics). */
export const metricSum = (s: Scrape, name: string) => (s.get(name) ?? []).reduce((a, b) => a + b.value, 0);

/** Containers (running or not) that the emulator of `stateDir` started: its label, as test/helpers/docker.ts reads it. */
export function emulatorContainers(stateDir: string): string[] {
  const out = execFileSync(
    'docker',
    ['ps', '-aq', '--filter', 'label=sagemaker-emulator.managed=true', '--filter', `label=sagemaker-emulator.state-dir=${stateDir}`],
    { encoding: 'utf8', timeout: 30_000 },
  );
  return out.split('\n').filter(Boolean);
}

export const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`;

/** User + system CPU the process has used, in ms (/proc/<pid>/stat fields 14 and 15, in clock ticks of 10 ms). */
export function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) * 10;
}
