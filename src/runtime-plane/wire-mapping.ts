import {
  AllWeightsZeroError,
  ColdStartError,
  ContainerCallTimeoutError,
  ContainerUnreachableError,
  InstanceStoppedError,
  ModelLoadError,
  ModelNotReadyError,
  NoCapacityError,
  TargetModelDataError,
  ThrottledError,
  UnknownVariantError,
} from '../hosting/errors.js';
import {
  containerUnreachable,
  invocationTimedOut,
  type ModelErrorSite,
  modelError,
  modelNotReady,
  payloadTooLarge,
  serviceUnavailable,
  throttlingException,
  validationError,
} from '../protocol/wire-errors.js';
import { PayloadLimitError } from './payload-limit.js';

/** Where a request was when it failed: the variant and instance once they are known. */
export type InvocationSite = Omit<ModelErrorSite, 'variantName' | 'instanceId'> & Partial<Pick<ModelErrorSite, 'variantName' | 'instanceId'>>;

/**
 * The runtime plane's answer to hosting's domain errors, by class
 * (docs/aws-contract.md §3.4); anything else is returned as it is (an
 * AwsError already, or the client's own abort, or a bug the error boundary
 * answers as InternalFailure).
 */
export function wireError(err: unknown, site: InvocationSite): unknown {
  if (err instanceof ThrottledError) {
    // SageMaker throttles beyond a serverless MaxConcurrency at once, HTTP 400 (docs/aws-contract.md §3.4, §7).
    return throttlingException(err.message);
  }
  if (err instanceof NoCapacityError) {
    return serviceUnavailable(err.message);
  }
  if (err instanceof ModelNotReadyError) {
    return modelNotReady(err.message);
  }
  if (err instanceof UnknownVariantError || err instanceof AllWeightsZeroError || err instanceof TargetModelDataError) {
    return validationError(err.message);
  }
  if (err instanceof PayloadLimitError) {
    return payloadTooLarge(err.limit);
  }
  const { variantName } = site;
  if (variantName === undefined) {
    return err;
  }
  if (err instanceof ColdStartError) {
    // The container this request waited for could not start: a model failure (docs/aws-contract.md §3.4).
    return modelError({ ...site, variantName, instanceId: err.instanceId }, 0, `The container for this request failed to start: ${err.message}`);
  }
  const { instanceId } = site;
  if (instanceId === undefined) {
    return err;
  }
  const at: ModelErrorSite = { ...site, variantName, instanceId };
  if (err instanceof ModelLoadError) {
    // The container refused the load (and no model could be unloaded to make room): its answer, as a ModelError.
    return modelError(at, err.status, err.containerText);
  }
  if (err instanceof ContainerCallTimeoutError) {
    return invocationTimedOut(at);
  }
  if (err instanceof InstanceStoppedError) {
    return containerUnreachable(at, 'the instance was stopped');
  }
  if (err instanceof ContainerUnreachableError) {
    return containerUnreachable(at, err.transportError);
  }
  return err;
}
