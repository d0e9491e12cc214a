/**
 * S3's own errors: a code, an HTTP status, S3's message text and the members
 * S3 puts beside them in `<Error>` (BucketName, Key, UploadId…). Texts are the
 * ones S3 answers (the S3 API reference's "List of error codes"); the codes
 * modeled in aws-models/s3 (NoSuchBucket, NoSuchKey, NoSuchUpload,
 * BucketAlreadyOwnedByYou…) are what the SDKs turn into typed exceptions.
 */
export class S3Error extends Error {
  override name = 'S3Error';
  constructor(
    readonly code: string,
    readonly status: number,
    message: string,
    readonly members: Record<string, string | number> = {},
  ) {
    super(message);
  }
}

export const noSuchBucket = (bucket: string) => new S3Error('NoSuchBucket', 404, 'The specified bucket does not exist', { BucketName: bucket });

export const noSuchKey = (key: string) => new S3Error('NoSuchKey', 404, 'The specified key does not exist.', { Key: key });

export const noSuchUpload = (uploadId: string) =>
  new S3Error(
    'NoSuchUpload',
    404,
    'The specified upload does not exist. The upload ID may be invalid, or the upload may have been aborted or completed.',
    { UploadId: uploadId },
  );

export const bucketAlreadyOwnedByYou = (bucket: string) =>
  new S3Error('BucketAlreadyOwnedByYou', 409, 'Your previous request to create the named bucket succeeded and you already own it.', {
    BucketName: bucket,
  });

export const bucketNotEmpty = (bucket: string) =>
  new S3Error('BucketNotEmpty', 409, 'The bucket you tried to delete is not empty', { BucketName: bucket });

export const invalidBucketName = (bucket: string) =>
  new S3Error('InvalidBucketName', 400, 'The specified bucket is not valid.', { BucketName: bucket });

export const invalidRange = (range: string, size: number) =>
  new S3Error('InvalidRange', 416, 'The requested range is not satisfiable', { RangeRequested: range, ActualObjectSize: size });

export const methodNotAllowed = (method: string, resourceType: string) =>
  new S3Error('MethodNotAllowed', 405, 'The specified method is not allowed against this resource.', {
    Method: method,
    ResourceType: resourceType,
  });

export const notImplemented = (what: string) =>
  new S3Error('NotImplemented', 501, 'A header you provided implies functionality that is not implemented', { Header: what });

export const badDigest = () => new S3Error('BadDigest', 400, 'The Content-MD5 you specified did not match what we received.');

export const invalidDigest = (value: string) => new S3Error('InvalidDigest', 400, 'The Content-MD5 you specified is not valid.', { 'Content-MD5': value });

export const malformedXml = () =>
  new S3Error('MalformedXML', 400, 'The XML you provided was not well-formed or did not validate against our published schema');

export const invalidArgument = (message: string, name: string, value: string) =>
  new S3Error('InvalidArgument', 400, message, { ArgumentName: name, ArgumentValue: value });

export const invalidPart = (uploadId: string, partNumber: number) =>
  new S3Error(
    'InvalidPart',
    400,
    "One or more of the specified parts could not be found.  The part may not have been uploaded, or the specified entity tag may not match the part's entity tag.",
    { UploadId: uploadId, PartNumber: partNumber },
  );

export const invalidPartOrder = (uploadId: string) =>
  new S3Error('InvalidPartOrder', 400, 'The list of parts was not in ascending order. Parts must be ordered by part number.', { UploadId: uploadId });

export const entityTooSmall = (size: number) =>
  new S3Error('EntityTooSmall', 400, 'Your proposed upload is smaller than the minimum allowed size', { ProposedSize: size, MinSizeAllowed: 5 * 1024 * 1024 });

export const incompleteBody = () => new S3Error('IncompleteBody', 400, 'You did not provide the number of bytes specified by the Content-Length HTTP header.');

export const preconditionFailed = (condition: string) =>
  new S3Error('PreconditionFailed', 412, 'At least one of the pre-conditions you specified did not hold', { Condition: condition });

export const illegalLocationConstraint = (constraint: string) =>
  new S3Error(
    'IllegalLocationConstraintException',
    400,
    `The ${constraint} location constraint is incompatible for the region specific endpoint this request was sent to.`,
  );

export const invalidLocationConstraint = () => new S3Error('InvalidLocationConstraint', 400, 'The specified location-constraint is not valid');

export const internalError = () => new S3Error('InternalError', 500, 'We encountered an internal error. Please try again.');

// ---- SigV4 authentication (SME_AUTH=strict; src/auth/). Texts and members as S3 answers them
// (https://docs.aws.amazon.com/AmazonS3/latest/API/ErrorResponses.html#ErrorCodeList). ----

/** An unsigned request (S3 answers an anonymous request to a private bucket so). */
export const accessDenied = () => new S3Error('AccessDenied', 403, 'Access Denied');

export const invalidAccessKeyId = (accessKeyId: string) =>
  new S3Error('InvalidAccessKeyId', 403, 'The AWS Access Key Id you provided does not exist in our records.', { AWSAccessKeyId: accessKeyId });

export const signatureDoesNotMatch = (accessKeyId: string, signatureProvided: string) =>
  new S3Error('SignatureDoesNotMatch', 403, 'The request signature we calculated does not match the signature you provided. Check your key and signing method.', {
    AWSAccessKeyId: accessKeyId,
    SignatureProvided: signatureProvided,
  });

/** S3 allows 15 minutes between the request's time and its own. */
export const requestTimeTooSkewed = (requestTime: string, serverTime: string, maxSkewMs: number) =>
  new S3Error('RequestTimeTooSkewed', 403, 'The difference between the request time and the current time is too large.', {
    RequestTime: requestTime,
    ServerTime: serverTime,
    MaxAllowedSkewMilliseconds: maxSkewMs,
  });

/** A presigned URL past its X-Amz-Expires. */
export const requestExpired = (expiresSeconds: number, expires: string, serverTime: string) =>
  new S3Error('AccessDenied', 403, 'Request has expired', { 'X-Amz-Expires': expiresSeconds, Expires: expires, ServerTime: serverTime });

/** A SigV2 request (header or presigned URL): only SigV4 is accepted, as in the regions opened since 2014. */
export const invalidRequest = (message: string) => new S3Error('InvalidRequest', 400, message);

export const authorizationHeaderMalformed = (message: string) => new S3Error('AuthorizationHeaderMalformed', 400, message);

export const authorizationQueryParametersError = (message: string) => new S3Error('AuthorizationQueryParametersError', 400, message);

/** S3's rules for new bucket names (general purpose buckets). */
export function checkBucketName(name: string): void {
  const ok =
    /^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$/.test(name) &&
    !name.includes('..') &&
    !/^\d+\.\d+\.\d+\.\d+$/.test(name) &&
    !name.startsWith('xn--') &&
    !name.startsWith('sthree-') &&
    !name.endsWith('-s3alias') &&
    !name.endsWith('--ol-s3');
  if (!ok) {
    throw invalidBucketName(name);
  }
}
