import type { ScalingPolicyRecord } from '../autoscaling/records.js';
import type { Alarms } from '../cloudwatch/alarms.js';
import type {
  StepScalingPolicyConfiguration,
  TargetTrackingScalingPolicyConfiguration,
} from '../protocol/generated/application-autoscaling-types.js';
import { type Html, html } from './html.js';
import { statusBadge } from './format.js';

/**
 * The scaling policies: what each tracks or steps on, its cooldowns, and its
 * alarms with their state as CloudWatch has it now (a target-tracking
 * policy's two alarms, AlarmHigh and AlarmLow).
 */
export function policiesTable(rows: readonly { region: string; policy: ScalingPolicyRecord }[], alarms: Alarms): Html {
  return html`<table data-testid="scaling-policies">
<caption class="visually-hidden">Scaling policies</caption>
<thead><tr><th scope="col">Policy</th><th scope="col">Resource</th><th scope="col">Type</th><th scope="col">Rule</th><th scope="col">Cooldowns</th><th scope="col">Alarms</th></tr></thead>
<tbody>
${
  rows.length === 0
    ? html`<tr><td colspan="6" class="muted">No scaling policies.</td></tr>`
    : rows.map(
        ({ region, policy: p }) => html`<tr data-policy="${p.name}" data-resource-id="${p.resourceId}">
<th scope="row">${p.name}</th>
<td>${p.resourceId}</td>
<td data-field="policy-type">${p.policyType}</td>
<td data-field="rule">${p.targetTracking ? targetTrackingRule(p.targetTracking) : p.step ? stepRule(p.step) : '—'}</td>
<td data-field="cooldowns">${cooldowns(p)}</td>
<td data-field="alarms">${
          p.alarms.length
            ? html`<ul class="plain">${p.alarms.map((a) => {
                const state = alarms.get(region, a.AlarmName)?.state;
                return html`<li data-alarm="${a.AlarmName}"${state ? html` title="${state.reason}"` : ''}><span class="alarm-name">${a.AlarmName}</span> ${state ? statusBadge(state.value) : html`<span class="muted">(deleted)</span>`}</li>`;
              })}</ul>`
            : html`<span class="muted">none</span>`
        }</td>
</tr>`,
      )
}
</tbody>
</table>`;
}

/** "keep SageMakerVariantInvocationsPerInstance at 10", or the customized metric it tracks. */
function targetTrackingRule(c: TargetTrackingScalingPolicyConfiguration): Html {
  const predefined = c.PredefinedMetricSpecification;
  const custom = c.CustomizedMetricSpecification;
  let metric: Html;
  if (predefined) {
    metric = html`<code>${predefined.PredefinedMetricType}</code>`;
  } else if (custom?.Metrics?.length) {
    metric = html`metric math over ${custom.Metrics.length} queries`;
  } else if (custom) {
    const dims = (custom.Dimensions ?? []).map((d) => `${d.Name}=${d.Value}`).join(', ');
    metric = html`${custom.Statistic ?? 'Average'} of <code>${custom.Namespace ?? ''}/${custom.MetricName ?? ''}</code>${dims ? html` (${dims})` : ''}`;
  } else {
    metric = html`?`;
  }
  return html`keep ${metric} at <strong data-field="target-value">${c.TargetValue}</strong>${c.DisableScaleIn ? html` <span class="tag">scale-in disabled</span>` : ''}`;
}

/** The step adjustments as intervals of the alarm's metric minus its threshold: "[0, ∞) → +1". */
function stepRule(c: StepScalingPolicyConfiguration): Html {
  const bound = (n: number | undefined, inf: string) => (n === undefined ? inf : String(n));
  const sign = (n: number) => (n > 0 ? `+${n}` : String(n));
  return html`${c.AdjustmentType ?? 'ChangeInCapacity'}, ${c.MetricAggregationType ?? 'Average'}
<ul class="plain">${(c.StepAdjustments ?? []).map(
    (s) => html`<li>[${bound(s.MetricIntervalLowerBound, '−∞')}, ${bound(s.MetricIntervalUpperBound, '∞')}) → ${sign(s.ScalingAdjustment)}</li>`,
  )}</ul>`;
}

function cooldowns(p: ScalingPolicyRecord): Html {
  const s = (n: number | undefined) => (n === undefined ? 'default' : `${n} s`);
  if (p.targetTracking) {
    return html`out ${s(p.targetTracking.ScaleOutCooldown)}, in ${s(p.targetTracking.ScaleInCooldown)}`;
  }
  return html`${s(p.step?.Cooldown)}`;
}
