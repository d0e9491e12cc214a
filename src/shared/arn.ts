/**
 * ARNs of things that are not resources in the registry (src/resources/kinds.ts
 * makes those). CloudWatch Logs' stream of one instance of a variant, as
 * ModelError's LogStreamArn names it.
 */
export function logStreamArn(region: string, accountId: string, endpointName: string, variantName: string, instanceId: string): string {
  return `arn:aws:logs:${region}:${accountId}:log-group:/aws/sagemaker/Endpoints/${endpointName}:log-stream:${variantName}/${instanceId}`;
}
