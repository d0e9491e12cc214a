import type {
  ScalableTargetRecord,
  ScalingActivityRecord,
  ScalingPolicyRecord,
  ScheduledActionRecord,
} from '../autoscaling/records.js';
import type { TransformJobRecord } from '../batch-transform/transform-job-record.js';
import type { MetricAlarmRecord } from '../cloudwatch/alarm-record.js';
import type { RecommendationJobRecord } from '../recommender/recommendation-job-record.js';
import type { EndpointConfigRecord, EndpointRecord, ModelRecord } from '../store/records.js';

/**
 * The registry of resource kinds: everything the core needs to know about a
 * kind of resource, in one entry. The ARN, the "not found" and "already
 * exists" texts, tagging, the store table and the reset all read it, so a new
 * kind (TransformJob, InferenceRecommendationsJob, ScalableTarget, …) is one
 * entry here plus the module that serves its operations
 * (docs/contributing.md, "Adding a resource kind").
 */
export interface ResourceKind<Record = unknown> {
  /** The ARN's service: `arn:aws:<service>:…`. */
  readonly service: string;
  /** The ARN's resource type: `…:<arnType>/<name>`. */
  readonly arnType: string;
  /** What messages call it: `Could not find <noun> "arn"`. */
  readonly noun: string;
  /** The SQLite table holding its documents, keyed by (region, case-folded name). */
  readonly table: string;
  /** Whether AddTags / ListTags / DeleteTags accept its ARN. */
  readonly taggable: boolean;
  /** The real service's "not found" text when it differs from `Could not find <noun> "<arn>".` */
  readonly notFoundMessage?: (name: string, arn: string) => string;
  /** The real service's text for a taken name when it differs from `Cannot create already existing <noun> "<arn>".` */
  readonly alreadyExistsMessage?: (name: string, arn: string) => string;
  /** The error code of a taken name when it is not ValidationException (jobs answer ResourceInUse). */
  readonly alreadyExistsCode?: 'ResourceInUse';
  /** The error code of a missing resource when it is not ValidationException (the recommender's ResourceNotFound). */
  readonly notFoundCode?: 'ResourceNotFound';
  /** Type-level only: the record stored for this kind. */
  readonly __record?: Record;
}

const kind = <R>(spec: Omit<ResourceKind<R>, '__record'>): ResourceKind<R> => spec;

export const modelKind = kind<ModelRecord>({ service: 'sagemaker', arnType: 'model', noun: 'model', table: 'models', taggable: true });

export const endpointConfigKind = kind<EndpointConfigRecord>({
  service: 'sagemaker',
  arnType: 'endpoint-config',
  noun: 'endpoint configuration',
  table: 'endpoint_configs',
  taggable: true,
});

export const endpointKind = kind<EndpointRecord>({
  service: 'sagemaker',
  arnType: 'endpoint',
  noun: 'endpoint',
  table: 'endpoints',
  taggable: true,
});

/**
 * Transform jobs (src/batch-transform/). NOT VERIFIED: the texts follow what
 * SageMaker answers for its other jobs; the model lists ResourceInUse for a
 * taken name, and the waiter expects ValidationException for a missing job.
 */
export const transformJobKind = kind<TransformJobRecord>({
  service: 'sagemaker',
  arnType: 'transform-job',
  noun: 'transform job',
  table: 'transform_jobs',
  taggable: true,
  notFoundMessage: (name) => `Could not find requested job with name ${name}`,
  alreadyExistsMessage: (_name, arn) => `Job name must be unique within an AWS account and region, and a job with this name already exists (${arn})`,
  alreadyExistsCode: 'ResourceInUse',
});

/**
 * Inference Recommender jobs (src/recommender/). The model lists
 * ResourceNotFound for Describe/Stop/ListSteps on a missing job and
 * ResourceInUse for a taken name (docs/aws-contract.md §2.4, §11).
 */
export const recommendationJobKind = kind<RecommendationJobRecord>({
  service: 'sagemaker',
  arnType: 'inference-recommendations-job',
  noun: 'inference recommendations job',
  table: 'recommendation_jobs',
  taggable: true,
  notFoundMessage: (name) => `Could not find the inference recommendations job with name ${name}.`,
  notFoundCode: 'ResourceNotFound',
  alreadyExistsMessage: (_name, arn) => `Job name must be unique within an AWS account and region, and a job with this name already exists (${arn})`,
  alreadyExistsCode: 'ResourceInUse',
});

// ---- Application Auto Scaling (src/autoscaling/) ----
// Not taggable in the SageMaker sense: AAS tags a scalable target through its
// own TagResource, kept in store.tags under the ScalableTargetARN. Documents
// are keyed by a hex encoding of (dimension, resource ID, name) so that names
// stay case-sensitive as in AAS (src/autoscaling/tables.ts).

export const scalableTargetKind = kind<ScalableTargetRecord>({
  service: 'application-autoscaling',
  arnType: 'scalable-target',
  noun: 'scalable target',
  table: 'scalable_targets',
  taggable: false,
});

export const scalingPolicyKind = kind<ScalingPolicyRecord>({
  service: 'autoscaling',
  arnType: 'scalingPolicy',
  noun: 'scaling policy',
  table: 'scaling_policies',
  taggable: false,
});

export const scheduledActionKind = kind<ScheduledActionRecord>({
  service: 'autoscaling',
  arnType: 'scheduledAction',
  noun: 'scheduled action',
  table: 'scheduled_actions',
  taggable: false,
});

export const scalingActivityKind = kind<ScalingActivityRecord>({
  service: 'autoscaling',
  arnType: 'scalingActivity',
  noun: 'scaling activity',
  table: 'scaling_activities',
  taggable: false,
});

/**
 * CloudWatch metric alarms (src/cloudwatch/). Their ARN is `…:alarm:<name>`
 * (a colon, the name's case kept: src/cloudwatch/alarm-record.ts), not what
 * arnOf makes, and SageMaker's tag operations do not take it.
 */
export const metricAlarmKind = kind<MetricAlarmRecord>({
  service: 'cloudwatch',
  arnType: 'alarm',
  noun: 'alarm',
  table: 'metric_alarms',
  taggable: false,
});

/** Every kind. */
export const resourceKinds: readonly ResourceKind[] = [
  modelKind, endpointConfigKind, endpointKind, transformJobKind, recommendationJobKind,
  scalableTargetKind, scalingPolicyKind, scheduledActionKind, scalingActivityKind,
  metricAlarmKind,
];

/**
 * SageMaker ARNs carry the lower-cased name while the Name field keeps its
 * case (docs/aws-contract.md §4.8), so names that differ only in case are the
 * same resource.
 */
export function arnOf(kind: ResourceKind, region: string, accountId: string, name: string): string {
  return `arn:aws:${kind.service}:${region}:${accountId}:${kind.arnType}/${name.toLowerCase()}`;
}

export function notFoundText(kind: ResourceKind, name: string, arn: string): string {
  return kind.notFoundMessage?.(name, arn) ?? `Could not find ${kind.noun} "${arn}".`;
}

export function alreadyExistsText(kind: ResourceKind, name: string, arn: string): string {
  return kind.alreadyExistsMessage?.(name, arn) ?? `Cannot create already existing ${kind.noun} "${arn}".`;
}

/** Parses `arn:aws:{service}:{region}:{account}:{type}/{name}` into a registered kind; undefined when none matches. */
export function parseArn(arn: string): { kind: ResourceKind; region: string; accountId: string; name: string } | undefined {
  const m = /^arn:aws[a-z-]*:([a-z0-9-]+):([a-z0-9-]*):(\d{12}):([a-z-]+)\/(.+)$/.exec(arn);
  if (!m) {
    return undefined;
  }
  const found = resourceKinds.find((k) => k.service === m[1] && k.arnType === m[4]);
  return found ? { kind: found, region: m[2]!, accountId: m[3]!, name: m[5]! } : undefined;
}

/** "a model, endpoint configuration or endpoint": the taggable kinds, for messages. */
export function taggableNouns(): string {
  const nouns = resourceKinds.filter((k) => k.taggable).map((k) => k.noun);
  return nouns.length > 1 ? `${nouns.slice(0, -1).join(', ')} or ${nouns.at(-1)!}` : (nouns[0] ?? '');
}
