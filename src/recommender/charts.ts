/**
 * The job's pictures, as standalone SVG (no library, no script: they open in
 * any browser and embed in the console): latency against throughput for each
 * configuration, one point per load level, and cost per inference by
 * configuration. Written beside the results (src/recommender/recommendation-job.ts).
 */
import { escapeHtml } from '../shared/escape-html.js';
export interface CurvePoint {
  invocationsPerMinute: number;
  latencyMs: number;
}

export interface Series {
  label: string;
  points: CurvePoint[];
}

const W = 720;
const H = 420;
const PAD = { left: 70, right: 220, top: 40, bottom: 50 };
const COLORS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f', '#bcbd22', '#17becf'];

const fmt = (n: number) => (n >= 100 ? n.toFixed(0) : n >= 1 ? n.toFixed(1) : n.toPrecision(2));

function frame(title: string, xLabel: string, yLabel: string, xMax: number, yMax: number): string[] {
  const x0 = PAD.left;
  const y0 = H - PAD.bottom;
  const x1 = W - PAD.right;
  const y1 = PAD.top;
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2 - PAD.right / 2}" y="22" text-anchor="middle" font-size="15">${escapeHtml(title)}</text>`,
    `<line x1="${x0}" y1="${y0}" x2="${x1}" y2="${y0}" stroke="black"/>`,
    `<line x1="${x0}" y1="${y0}" x2="${x0}" y2="${y1}" stroke="black"/>`,
    `<text x="${(x0 + x1) / 2}" y="${H - 12}" text-anchor="middle">${escapeHtml(xLabel)}</text>`,
    `<text x="16" y="${(y0 + y1) / 2}" text-anchor="middle" transform="rotate(-90 16 ${(y0 + y1) / 2})">${escapeHtml(yLabel)}</text>`,
  ];
  for (let i = 0; i <= 4; i++) {
    const xv = (xMax * i) / 4;
    const yv = (yMax * i) / 4;
    const x = x0 + ((x1 - x0) * i) / 4;
    const y = y0 - ((y0 - y1) * i) / 4;
    parts.push(`<text x="${x}" y="${y0 + 16}" text-anchor="middle">${fmt(xv)}</text>`);
    parts.push(`<text x="${x0 - 6}" y="${y + 4}" text-anchor="end">${fmt(yv)}</text>`);
    parts.push(`<line x1="${x0}" y1="${y}" x2="${x1}" y2="${y}" stroke="#eee"/>`);
  }
  return parts;
}

/** Latency (ms) against invocations per minute: one line per configuration. */
export function latencyThroughputSvg(jobName: string, series: Series[]): string {
  const all = series.flatMap((s) => s.points);
  const xMax = Math.max(1, ...all.map((p) => p.invocationsPerMinute)) * 1.1;
  const yMax = Math.max(1, ...all.map((p) => p.latencyMs)) * 1.1;
  const parts = frame(`${jobName}: latency vs throughput`, 'invocations per minute', 'model latency (ms)', xMax, yMax);
  const sx = (v: number) => PAD.left + (v / xMax) * (W - PAD.right - PAD.left);
  const sy = (v: number) => H - PAD.bottom - (v / yMax) * (H - PAD.bottom - PAD.top);
  series.forEach((s, i) => {
    const color = COLORS[i % COLORS.length]!;
    const pts = s.points.map((p) => `${sx(p.invocationsPerMinute).toFixed(1)},${sy(p.latencyMs).toFixed(1)}`);
    parts.push(`<polyline fill="none" stroke="${color}" stroke-width="2" points="${pts.join(' ')}"/>`);
    for (const p of pts) {
      const [x, y] = p.split(',');
      parts.push(`<circle cx="${x}" cy="${y}" r="3.5" fill="${color}"/>`);
    }
    parts.push(`<rect x="${W - PAD.right + 16}" y="${PAD.top + i * 20 - 9}" width="12" height="12" fill="${color}"/>`);
    parts.push(`<text x="${W - PAD.right + 34}" y="${PAD.top + i * 20 + 1}">${escapeHtml(s.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}

/** Cost per inference (USD) by configuration, as bars. */
export function costPerInferenceSvg(jobName: string, bars: { label: string; costPerInference: number }[]): string {
  const max = Math.max(1e-12, ...bars.map((b) => b.costPerInference)) * 1.1;
  const parts = frame(`${jobName}: cost per inference`, 'configuration', 'USD per inference', bars.length, max);
  const width = (W - PAD.right - PAD.left) / Math.max(1, bars.length);
  bars.forEach((b, i) => {
    const h = (b.costPerInference / max) * (H - PAD.bottom - PAD.top);
    const x = PAD.left + i * width + width * 0.15;
    const color = COLORS[i % COLORS.length]!;
    parts.push(`<rect x="${x.toFixed(1)}" y="${(H - PAD.bottom - h).toFixed(1)}" width="${(width * 0.7).toFixed(1)}" height="${h.toFixed(1)}" fill="${color}"/>`);
    parts.push(`<text x="${(x + width * 0.35).toFixed(1)}" y="${(H - PAD.bottom - h - 4).toFixed(1)}" text-anchor="middle">${b.costPerInference.toExponential(2)}</text>`);
    parts.push(`<rect x="${W - PAD.right + 16}" y="${PAD.top + i * 20 - 9}" width="12" height="12" fill="${color}"/>`);
    parts.push(`<text x="${W - PAD.right + 34}" y="${PAD.top + i * 20 + 1}">${escapeHtml(b.label)}</text>`);
  });
  parts.push('</svg>');
  return parts.join('\n');
}
