import { AwsError } from '../protocol/aws-error.js';
import { logStreamArn } from '../shared/arn.js';

/** Where the model error happened, for the message and LogStreamArn (docs/aws-contract.md §3.4). */
export interface ModelErrorSite {
  region: string;
  accountId: string;
  endpointName: string;
  variantName: string;
  instanceId: string;
}

const seeLogs = (s: ModelErrorSite) =>
  `See https://${s.region}.console.aws.amazon.com/cloudwatch/home?region=${s.region}#logEventViewer:group=/aws/sagemaker/Endpoints/${s.endpointName} in account ${s.accountId} for more information.`;

/**
 * ModelError, HTTP 424: the container answered non-2xx, timed out (original
 * status 0) or could not be reached. The text copies the real one:
 * `Received client error (400) from primary with message "…". See … for more information.`
 */
export function modelError(site: ModelErrorSite, originalStatus: number, originalMessage: string): AwsError {
  const kind = originalStatus >= 400 && originalStatus < 500 ? 'client' : 'server';
  return new AwsError(
    'ModelError',
    `Received ${kind} error (${originalStatus}) from primary with message "${originalMessage}". ${seeLogs(site)}`,
    {
      status: 424,
      fault: 'client',
      members: {
        OriginalStatusCode: originalStatus,
        OriginalMessage: originalMessage,
        LogStreamArn: logStreamArn(site.region, site.accountId, site.endpointName, site.variantName, site.instanceId),
      },
    },
  );
}

export const invocationTimedOut = (site: ModelErrorSite) =>
  modelError(
    site,
    0,
    'Your invocation timed out while waiting for a response from container primary. Review the latency metrics for each container in Amazon CloudWatch, resolve the issue, and try again.',
  );

export const containerUnreachable = (site: ModelErrorSite, detail: string) =>
  modelError(site, 0, `Your invocation failed because container primary stopped responding (${detail}).`);

export const validationError = (message: string) => new AwsError('ValidationError', message);

export const endpointNotFound = (name: string, accountId: string) =>
  validationError(`Endpoint ${name} of account ${accountId} not found.`);
