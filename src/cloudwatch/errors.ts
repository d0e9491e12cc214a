/**
 * TEMPORARY stub (the protocol helper owns this file; the lead merges theirs):
 * CloudWatch's modelled errors by their query code, which every protocol
 * writes in its own way (docs/aws-contract.md).
 */
import { AwsError } from '../protocol/aws-error.js';

export const invalidParameterValue = (message: string) => new AwsError('InvalidParameterValue', message);
export const invalidParameterCombination = (message: string) => new AwsError('InvalidParameterCombination', message);
export const missingParameter = (message: string) => new AwsError('MissingParameter', message);
export const resourceNotFound = (message: string) => new AwsError('ResourceNotFound', message, { status: 404 });
export const limitExceeded = (message: string) => new AwsError('LimitExceeded', message);
export const invalidNextToken = (message: string) => new AwsError('InvalidNextToken', message);
export const invalidFormat = (message: string) => new AwsError('InvalidFormat', message);
export const internalServiceError = () => new AwsError('InternalServiceError', 'Internal service error.', { status: 500 });
