import type { Readable } from 'node:stream';
import type { Logger } from 'pino';
import { ContainerCallTimeoutError, ContainerUnreachableError, InstanceStoppedError } from '../hosting/errors.js';
import type { Lease } from '../hosting/fleet.js';
import type { ProvisionedFleet } from '../hosting/provisioned-fleet.js';
import type { Metrics } from '../observability/metrics.js';
import type { Clock } from '../shared/clock.js';
import { ObjectStoreError, type ObjectStore } from '../storage/object-store.js';
import type { AsyncSettings } from './async-settings.js';
import type { NotificationSink } from './notification-sink.js';
import { parseObjectUri } from './output-locations.js';
import type { AsyncRequest, AsyncRequestQueue } from './request-queue.js';

export interface RunDeps {
  queue: AsyncRequestQueue;
  objects: ObjectStore;
  metrics: Metrics;
  clock: Clock;
  notifications: NotificationSink;
  log: Logger;
}

/** The request's place while it runs: the lease on an instance of one variant. */
export interface RunSite {
  fleet: ProvisionedFleet;
  lease: Lease;
  settings: AsyncSettings;
  /** Aborted when the emulator stops (the request goes back to the queue) or the endpoint is deleted. */
  signal: AbortSignal;
}

/** Why a request failed, for the failure file, the notification and the log. */
interface Failure {
  reason: string;
  metric?: 'downloadFailed' | 'uploadFailed';
  status?: number;
  body?: Buffer;
  contentType?: string;
}

/**
 * One async request, start to end (docs/aws-contract.md §8.3): read its input
 * (inline, or from S3), POST it to the instance's /invocations within
 * InvocationTimeoutSeconds, write the answer to its output location (or what
 * went wrong to its failure location), mark it done — after the write, in one
 * statement — and then notify. When the signal aborts the request is left for
 * the next start (queued again), not failed.
 */
export async function runRequest(deps: RunDeps, req: AsyncRequest, site: RunSite): Promise<void> {
  const { fleet, lease, settings, signal } = site;
  const variant = fleet.variantName;
  const log = deps.log.child({ endpoint: req.endpoint, inferenceId: req.inferenceId, variant, instance: lease.instance.instanceId });
  const startedAt = deps.clock.now();
  let failure: Failure | undefined;
  let answer: { body: Buffer; contentType: string } | undefined;
  try {
    const input = await readInput(deps.objects, req);
    if ('reason' in input) {
      failure = input;
    } else {
      const called = await callModel(deps, req, site, input, log);
      if ('reason' in called) {
        failure = called;
      } else {
        answer = called;
      }
    }
  } catch (err) {
    if (signal.aborted) {
      deps.queue.requeue(req.seq);
      log.info('async request interrupted; it stays queued for the next start');
      return;
    }
    failure = { reason: `InternalFailure: ${(err as Error).message}` };
  } finally {
    lease.release();
  }
  if (signal.aborted) {
    deps.queue.requeue(req.seq);
    return;
  }
  if (answer) {
    try {
      await writeObject(deps.objects, req.outputLocation, answer.body, answer.contentType);
    } catch (err) {
      failure = { reason: `ClientError: Failed to upload the response to ${req.outputLocation}: ${(err as Error).message}`, metric: 'uploadFailed' };
      answer = undefined;
    }
  }
  const backlogSeconds = (startedAt - req.receivedAt) / 1000;
  if (answer) {
    finish(deps, req, 'completed');
    deps.metrics.asyncEvent(req.endpoint, variant, 'processed');
    deps.metrics.asyncTimes(req.endpoint, variant, backlogSeconds, (deps.clock.now() - req.receivedAt) / 1000);
    log.info({ outputLocation: req.outputLocation, attempts: req.attempts }, 'async inference completed');
    await deps.notifications.success(req, settings, variant, { responseContentType: answer.contentType, response: answer.body });
    return;
  }
  await fail(deps, req, settings, variant, failure!, log);
  deps.metrics.asyncTimes(req.endpoint, variant, backlogSeconds, (deps.clock.now() - req.receivedAt) / 1000);
}

/** Records a failed request: its failure file when the config has S3FailurePath, done, counted, notified. */
async function fail(deps: RunDeps, req: AsyncRequest, settings: AsyncSettings, variant: string, f: Failure, log: Logger): Promise<void> {
  let written: string | undefined;
  if (req.failureLocation) {
    try {
      await writeObject(deps.objects, req.failureLocation, f.body ?? Buffer.from(f.reason), f.body ? (f.contentType ?? 'application/octet-stream') : 'text/plain');
      written = req.failureLocation;
    } catch (err) {
      deps.metrics.asyncEvent(req.endpoint, variant, 'uploadFailed');
      log.warn({ failureLocation: req.failureLocation, err: (err as Error).message }, 'could not write the async failure file');
    }
  }
  finish(deps, req, 'failed');
  deps.metrics.asyncEvent(req.endpoint, variant, 'failed');
  if (f.metric) {
    deps.metrics.asyncEvent(req.endpoint, variant, f.metric);
  }
  log.info({ reason: f.reason.slice(0, 300), failureLocation: written, status: f.status }, 'async inference failed');
  await deps.notifications.failure(req, settings, variant, {
    reason: f.reason,
    ...(written ? { failureLocation: written } : {}),
    ...(f.contentType ? { responseContentType: f.contentType } : {}),
    ...(f.body ? { response: f.body } : {}),
  });
}

function finish(deps: RunDeps, req: AsyncRequest, outcome: 'completed' | 'failed'): void {
  if (!deps.queue.finish(req.seq, outcome, deps.clock.now())) {
    deps.log.warn({ endpoint: req.endpoint, inferenceId: req.inferenceId }, 'async request was dropped while it ran');
  }
}

async function readInput(objects: ObjectStore, req: AsyncRequest): Promise<Buffer | Failure> {
  if (req.body !== undefined) {
    return req.body;
  }
  const where = parseObjectUri(req.inputLocation ?? '');
  if (!where) {
    return { reason: `ClientError: The input location ${req.inputLocation ?? ''} is not an S3 object URI.`, metric: 'downloadFailed' };
  }
  try {
    const object = await objects.get(where.bucket, where.key);
    return await readAll(object.body);
  } catch (err) {
    const code = err instanceof ObjectStoreError ? err.code : 'InternalError';
    return { reason: `ClientError: Failed to download the input from ${req.inputLocation ?? ''} (${code}: ${(err as Error).message}).`, metric: 'downloadFailed' };
  }
}

/** The model's answer, or why there is none. Timeouts and crashes are model errors with status 0 (docs/aws-contract.md §3.4). */
async function callModel(
  deps: RunDeps,
  req: AsyncRequest,
  site: RunSite,
  input: Buffer,
  log: Logger,
): Promise<{ body: Buffer; contentType: string } | Failure> {
  const { fleet, lease, signal } = site;
  // ContentType and Accept travel as X-Amzn-SageMaker-* on the wire and reach the container as plain headers (§3.2).
  const headers: Record<string, string> = { 'content-length': String(input.length), 'x-amzn-sagemaker-inference-id': req.inferenceId };
  if (req.contentType !== undefined) {
    headers['content-type'] = req.contentType;
  }
  if (req.accept !== undefined) {
    headers.accept = req.accept;
  }
  if (req.customAttributes !== undefined) {
    headers['x-amzn-sagemaker-custom-attributes'] = req.customAttributes;
  }
  const started = performance.now();
  const seconds = () => (performance.now() - started) / 1000;
  try {
    const answer = await lease.instance.call({ method: 'POST', path: '/invocations', headers, body: input, timeoutMs: req.timeoutSeconds * 1000, signal });
    const body = await readAll(answer.body);
    deps.metrics.asyncModelCall(req.endpoint, fleet.variantName, answer.status, seconds());
    const contentType = String(answer.headers['content-type'] ?? 'application/octet-stream');
    if (answer.status >= 200 && answer.status < 300) {
      return { body, contentType };
    }
    const kind = answer.status < 500 ? 'client' : 'server';
    return {
      reason: `ClientError: Received ${kind} error (${answer.status}) from primary with message "${body.subarray(0, 1024).toString('utf8')}". See the SageMaker Endpoint logs in your account for more information.`,
      status: answer.status,
      body,
      contentType,
    };
  } catch (err) {
    if (signal.aborted) {
      throw err;
    }
    if (err instanceof ContainerCallTimeoutError) {
      deps.metrics.asyncModelCall(req.endpoint, fleet.variantName, 0, undefined);
      return { reason: `ClientError: The model did not answer within InvocationTimeoutSeconds (${req.timeoutSeconds} s).`, status: 0 };
    }
    if (err instanceof ContainerUnreachableError || err instanceof InstanceStoppedError) {
      deps.metrics.asyncModelCall(req.endpoint, fleet.variantName, 0, undefined);
      const why =
        err instanceof ContainerUnreachableError ? await fleet.reportUnreachable(lease.instance, err.transportError) : err.message;
      log.warn({ why }, 'async request lost its container');
      return { reason: `ClientError: The model container stopped responding (${why}).`, status: 0 };
    }
    throw err;
  }
}

async function writeObject(objects: ObjectStore, uri: string, body: Buffer, contentType: string): Promise<void> {
  const where = parseObjectUri(uri);
  if (!where) {
    throw new Error(`${uri} is not an S3 object URI`);
  }
  await objects.put(where.bucket, where.key, body, contentType);
}

async function readAll(body: Readable): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of body) {
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}
