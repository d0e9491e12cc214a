import type { JobStep } from '../jobs/job-record.js';
import type {
  EndpointOutputConfiguration,
  InferenceRecommendation,
  ModelConfiguration,
  RecommendationMetrics,
} from '../protocol/generated/sagemaker-types.js';
import { candidateLabel } from '../recommender/candidates.js';
import { costPerInferenceSvg, type CurvePoint, latencyThroughputSvg, type Series } from '../recommender/charts.js';
import type { RecommendationJobRecord } from '../recommender/recommendation-job-record.js';
import { type Html, html, raw } from './html.js';
import { jobSummary, liveJob } from './job-detail.js';
import { stepsTable } from './job-steps.js';

/** What the recommender writes in a BENCHMARK step's detail (src/recommender/recommendation-job.ts). */
interface BenchmarkDetail {
  benchmark?: {
    EndpointConfiguration?: Partial<EndpointOutputConfiguration>;
    ModelConfiguration?: ModelConfiguration;
    Metrics?: RecommendationMetrics;
  };
  /** One point per load level that ran: the curve of the latency chart. */
  levels?: CurvePoint[];
}

const detailOf = (step: JobStep): BenchmarkDetail => (step.detail ?? {}) as BenchmarkDetail;

/** "ml.c5.large (MODEL_GREETING=hello)": the recommender's own label of a configuration, so the page and its charts agree. */
function configurationLabel(endpoint: Partial<EndpointOutputConfiguration> | undefined, model: ModelConfiguration | undefined): string {
  return candidateLabel({
    ...(endpoint?.InstanceType ? { instanceType: endpoint.InstanceType } : {}),
    ...(endpoint?.ServerlessConfig ? { serverless: endpoint.ServerlessConfig } : {}),
    environment: model?.EnvironmentParameters ?? [],
  });
}

const recommendationLabel = (r: InferenceRecommendation) => configurationLabel(r.EndpointConfiguration, r.ModelConfiguration);

/** The mark the charts put before the recommended configuration's label (the page marks its row too). */
const MARK = '★ ';

/**
 * The live part of a recommender job's page: its summary, the
 * recommendations (the first, cheapest per inference as the job sorts them,
 * marked as the recommendation), the two charts drawn from the record by the
 * recommender's own SVG code, and the benchmark steps.
 */
export function recommendationJobLive(region: string, job: RecommendationJobRecord, liveHref: string): Html {
  const recs = job.recommendations ?? [];
  const recommended = recs[0] ? recommendationLabel(recs[0]) : undefined;
  const marked = (label: string) => (label === recommended ? `${MARK}${label}` : label);
  const series: Series[] = job.steps.flatMap((s) => {
    const d = detailOf(s);
    return d.levels?.length ? [{ label: marked(configurationLabel(d.benchmark?.EndpointConfiguration, d.benchmark?.ModelConfiguration)), points: d.levels }] : [];
  });
  const bars = recs.map((r) => ({ label: marked(recommendationLabel(r)), costPerInference: r.Metrics?.CostPerInference ?? 0 }));
  const input = job.spec.InputConfig;
  const facts: [string, string][] = [
    ['Region', region],
    ['Type', job.spec.JobType],
    ['Model', input.ModelName ?? input.ModelPackageVersionArn ?? '—'],
  ];
  if (job.spec.JobDescription) {
    facts.push(['Description', job.spec.JobDescription]);
  }
  const body = html`${jobSummary(job, facts)}
${
  recommended
    ? html`<p class="recommended-callout" data-testid="recommended">Recommended: <strong data-field="recommended-configuration">${recommended}</strong>, the lowest cost per inference.</p>`
    : ''
}
<h2>Recommendations</h2>
${recommendationsTable(recs)}
<h2>Charts</h2>
<div class="recommendation-charts">
${
  series.length
    ? html`<figure data-testid="latency-chart"><div class="svg-chart">${raw(latencyThroughputSvg(job.name, series))}</div><figcaption>Model latency against invocations per minute, one line per configuration and one point per load level.</figcaption></figure>`
    : html`<p class="muted">The latency chart appears once a benchmark has measured a load level.</p>`
}
${
  bars.length
    ? html`<figure data-testid="cost-chart"><div class="svg-chart">${raw(costPerInferenceSvg(job.name, bars))}</div><figcaption>Cost per inference (USD) by configuration; ${MARK}marks the recommendation.</figcaption></figure>`
    : html`<p class="muted">The cost chart appears once the job has recommendations.</p>`
}
</div>
<h2>Benchmarks</h2>
${stepsTable(job.steps, 'Step', benchmarkResult)}`;
  return liveJob(liveHref, job.status, body);
}

const usd = (n: number | undefined) => (n === undefined ? '—' : n >= 0.01 ? `$${n.toFixed(3)}` : `$${n.toExponential(2)}`);
const num = (n: number | undefined, unit = '') => (n === undefined ? '—' : `${n}${unit}`);

function recommendationsTable(recs: readonly InferenceRecommendation[]): Html {
  return html`<table data-testid="recommendations">
<caption class="visually-hidden">Recommendations, cheapest per inference first</caption>
<thead><tr><th scope="col">Configuration</th><th scope="col">Cost per inference</th><th scope="col">Cost per hour</th><th scope="col">Max invocations / min</th><th scope="col">Model latency</th><th scope="col">Model setup</th><th scope="col">CPU</th><th scope="col">Memory</th></tr></thead>
<tbody>
${
  recs.length === 0
    ? html`<tr><td colspan="8" class="muted">No recommendations yet.</td></tr>`
    : recs.map((r, i) => {
        const m = r.Metrics ?? {};
        return html`<tr data-recommendation="${recommendationLabel(r)}"${i === 0 ? html` data-recommended="true" class="recommended"` : ''}>
<th scope="row">${recommendationLabel(r)}${i === 0 ? html` <span class="tag tag-recommended">recommended</span>` : ''}</th>
<td>${usd(m.CostPerInference)}</td>
<td>${usd(m.CostPerHour)}</td>
<td>${num(m.MaxInvocations)}</td>
<td>${num(m.ModelLatency, ' ms')}</td>
<td>${num(m.ModelSetupTime, ' ms')}</td>
<td>${num(m.CpuUtilization, ' %')}</td>
<td>${num(m.MemoryUtilization, ' %')}</td>
</tr>`;
      })
}
</tbody>
</table>`;
}

/** A benchmark's configuration, and its figures once it has them. */
function benchmarkResult(step: JobStep): Html {
  const b = detailOf(step).benchmark;
  if (!b) {
    return html``;
  }
  const m = b.Metrics;
  return html`<span data-field="configuration">${configurationLabel(b.EndpointConfiguration, b.ModelConfiguration)}</span>${
    m ? html`<br><span class="muted">${num(m.MaxInvocations)} / min at ${num(m.ModelLatency, ' ms')}, ${usd(m.CostPerInference)} per inference</span>` : ''
  }`;
}
