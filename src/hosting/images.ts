import type { Logger } from 'pino';
import type { ContainerClient } from '../docker/container-client.js';
import type { DeployedImage } from '../store/records.js';
import type { Clock } from '../shared/clock.js';
import { StartupError } from './errors.js';

/** A resolved image, and the image whose containers actually run (the stand-in, when SME_IMAGE_FALLBACK stood in). */
export type ResolvedImage = DeployedImage & { runImage: string };

/**
 * Pulls that failed, per container client (one per gateway), for the
 * process's lifetime: with a stand-in image, every later instance start goes
 * straight to the stand-in instead of asking the registry again. An image the
 * user pulls or builds later is found locally first, so it is used at once.
 */
const failedPulls = new WeakMap<ContainerClient, Map<string, string>>();

/**
 * Resolves a model's image before any container starts, pulling it when it
 * is not present (off the request path: docs/engine-design.md P15). The resolved form
 * is what DescribeEndpoint shows as DeployedImages. With `fallback`
 * (SME_IMAGE_FALLBACK), an image that is missing and cannot be pulled (a
 * placeholder ECR URI in a test suite) runs as the fallback instead; the
 * requested image is still the one Describe shows.
 */
export async function resolveImage(docker: ContainerClient, image: string, log: Logger, clock: Clock, fallback?: string): Promise<ResolvedImage> {
  let info = await docker.imageInfo(image);
  if (!info) {
    const failures = failedPulls.get(docker) ?? new Map<string, string>();
    failedPulls.set(docker, failures);
    const known = fallback ? failures.get(image) : undefined;
    const pullError = known ?? (await pull(docker, image, log, clock));
    if (pullError !== undefined) {
      if (!fallback) {
        throw new StartupError(
          `Image "${image}" was not found locally and could not be pulled (${pullError}). Build or pull it first (for the sample models: make images).`,
        );
      }
      failures.set(image, pullError);
      return standIn(docker, image, fallback, pullError, log, clock);
    }
    info = await docker.imageInfo(image);
    if (!info) {
      throw new StartupError(`Image "${image}" is still missing after a pull.`);
    }
  }
  return { ...deployedImage(image, info.id, info.repoDigests, clock), runImage: image };
}

/** Pulls the image; resolves with the pull's error message, or undefined when it worked. */
async function pull(docker: ContainerClient, image: string, log: Logger, clock: Clock): Promise<string | undefined> {
  log.info({ image }, 'image not present locally; pulling it');
  let last = 0;
  try {
    await docker.pullImage(image, (line) => {
      // A progress line at most once a second: enough to show life, not a flood.
      if (clock.now() - last > 1000) {
        last = clock.now();
        log.info({ image, progress: line }, 'pulling image');
      }
    });
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

async function standIn(docker: ContainerClient, image: string, fallback: string, why: string, log: Logger, clock: Clock): Promise<ResolvedImage> {
  const info = await docker.imageInfo(fallback);
  if (!info) {
    throw new StartupError(
      `Image "${image}" was not found locally and could not be pulled (${why}), and the stand-in image "${fallback}" (SME_IMAGE_FALLBACK) is not present locally either.`,
    );
  }
  log.warn({ image, fallback, reason: why }, 'image missing and not pullable; running the stand-in image (SME_IMAGE_FALLBACK) instead');
  // The requested repository with the stand-in's digest: DeployedImages keeps the shape SageMaker gives.
  return { ...deployedImage(image, info.id, [], clock), runImage: fallback };
}

function deployedImage(image: string, id: string, repoDigests: string[], clock: Clock): DeployedImage {
  const repo = image.replace(/[:@][^/:@]*$/, '');
  return {
    SpecifiedImage: image,
    ResolvedImage: repoDigests[0] ?? `${repo}@${id}`,
    ResolutionTime: clock.now(),
  };
}
