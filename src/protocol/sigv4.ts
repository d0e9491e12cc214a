/**
 * The region of a request, from its SigV4 credential scope:
 * `Authorization: AWS4-HMAC-SHA256 Credential=AKID/20260101/us-west-2/sagemaker/aws4_request, …`.
 * Signatures themselves are not checked (docs/aws-contract.md §1): any credentials work.
 */
const credentialScope = /Credential=[^/,\s]+\/\d{8}\/([a-z0-9-]+)\/[^/]+\/aws4_request/;

export function regionFromAuthorization(authorization: string | undefined): string | undefined {
  if (!authorization) {
    return undefined;
  }
  return credentialScope.exec(authorization)?.[1];
}
