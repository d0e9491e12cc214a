export type ResourceKind = 'model' | 'endpoint-config' | 'endpoint';

/**
 * SageMaker ARNs carry the lower-cased name while the Name field keeps its
 * case (docs/aws-contract.md §4.8), so names that differ only in case are the same resource.
 */
export function resourceArn(kind: ResourceKind, region: string, accountId: string, name: string): string {
  return `arn:aws:sagemaker:${region}:${accountId}:${kind}/${name.toLowerCase()}`;
}

/** CloudWatch Logs' stream of one instance of a variant, as ModelError's LogStreamArn names it. */
export function logStreamArn(region: string, accountId: string, endpointName: string, variantName: string, instanceId: string): string {
  return `arn:aws:logs:${region}:${accountId}:log-group:/aws/sagemaker/Endpoints/${endpointName}:log-stream:${variantName}/${instanceId}`;
}

/** Parses `arn:aws:sagemaker:{region}:{account}:{kind}/{name}`; undefined when it is not one of ours. */
export function parseResourceArn(arn: string): { region: string; accountId: string; kind: string; name: string } | undefined {
  const m = /^arn:aws[a-z-]*:sagemaker:([a-z0-9-]*):(\d{12}):([a-z-]+)\/(.+)$/.exec(arn);
  if (!m) {
    return undefined;
  }
  return { region: m[1]!, accountId: m[2]!, kind: m[3]!, name: m[4]! };
}
