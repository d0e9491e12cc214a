/**
 * What goes wrong in hosting, as domain errors. Hosting knows nothing of the
 * AWS wire: each plane maps these classes to its own wire errors
 * (src/runtime-plane/wire-mapping.ts for InvokeEndpoint), by class, never by
 * message. A message here is written for a person and may be quoted on the wire.
 */
export class HostingError extends Error {
  override name = this.constructor.name;
}

// ---- bringing containers up ----

/** Why a container or a whole variant could not be brought up, in words a person can act on. */
export class StartupError extends HostingError {}

/** The container exited (or was OOM-killed) while hosting was waiting on it. */
export class ContainerExitedError extends HostingError {}

/** The instance was stopped: by a scale-in, a roll-out, a delete or a shutdown. */
export class InstanceStoppedError extends HostingError {
  constructor(message = 'the instance was stopped') {
    super(message);
  }
}

/** A serverless cold start that failed, for the requests that waited on it. */
export class ColdStartError extends HostingError {
  constructor(
    message: string,
    readonly instanceId: string,
  ) {
    super(message);
  }
}

// ---- admission: a request asks a variant for a container ----

/** No container can take the request now, and none is coming (every instance down, or the variant stopping). */
export class NoCapacityError extends HostingError {}

/** A serverless variant already has MaxConcurrency requests in flight. */
export class ThrottledError extends HostingError {
  constructor(
    readonly variantName: string,
    readonly maxConcurrency: number,
  ) {
    super(`Rate exceeded: variant ${variantName} already has MaxConcurrency (${maxConcurrency}) requests in flight.`);
  }
}

/** A request named a variant (TargetVariant) the endpoint does not have. */
export class UnknownVariantError extends HostingError {
  constructor(
    readonly endpointName: string,
    readonly variantName: string,
  ) {
    super(`Endpoint ${endpointName} does not have a production variant named ${variantName}.`);
  }
}

/** Every variant has weight 0, and the request did not name one. */
export class AllWeightsZeroError extends HostingError {
  constructor(readonly endpointName: string) {
    super(`All production variants of endpoint ${endpointName} have weight 0: name one with TargetVariant.`);
  }
}

// ---- calling a container ----

/** The container did not answer (headers, or the next piece of the body) within the call's timeout. */
export class ContainerCallTimeoutError extends HostingError {
  constructor(readonly timeoutMs: number) {
    super(`the container did not answer within ${timeoutMs} ms`);
  }
}

/** The call could not reach the container, or the connection broke; `transportError` is the socket's own word for it. */
export class ContainerUnreachableError extends HostingError {
  constructor(readonly transportError: string) {
    super(`the container could not be reached (${transportError})`);
  }
}

// ---- multi-model endpoints (docs/aws-contract.md §8.2) ----

/** The TargetModel names nothing under the model's ModelDataUrl prefix, or what it names cannot be fetched or unpacked. */
export class TargetModelDataError extends HostingError {
  constructor(
    readonly targetModel: string,
    message: string,
  ) {
    super(message);
  }
}

/** The model is still downloading or loading after the request's wait; the load goes on. */
export class ModelNotReadyError extends HostingError {
  constructor(
    readonly targetModel: string,
    waitedMs: number,
  ) {
    super(`Model ${targetModel} is not ready: it is still downloading or loading after ${Math.round(waitedMs / 1000)} seconds. Retry the request.`);
  }
}

/** The container refused to load the model (`status` is its answer; 507 when nothing could be unloaded to make room). */
export class ModelLoadError extends HostingError {
  constructor(
    readonly targetModel: string,
    readonly status: number,
    readonly containerText: string,
  ) {
    super(`The container could not load model ${targetModel} (${status}): ${containerText}`);
  }
}
