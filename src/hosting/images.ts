import type { Logger } from 'pino';
import type { ContainerClient } from '../docker/container-client.js';
import type { DeployedImage } from '../store/records.js';
import type { Clock } from '../shared/clock.js';
import { StartupError } from './errors.js';

/**
 * Resolves a model's image before any container starts, pulling it when it
 * is not present (off the request path: docs/engine-design.md P15). The resolved form
 * is what DescribeEndpoint shows as DeployedImages.
 */
export async function resolveImage(docker: ContainerClient, image: string, log: Logger, clock: Clock): Promise<DeployedImage> {
  let info = await docker.imageInfo(image);
  if (!info) {
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
    } catch (err) {
      throw new StartupError(
        `Image "${image}" was not found locally and could not be pulled (${(err as Error).message}). Build or pull it first (for the sample models: make images).`,
      );
    }
    info = await docker.imageInfo(image);
    if (!info) {
      throw new StartupError(`Image "${image}" is still missing after a pull.`);
    }
  }
  const repo = image.replace(/[:@][^/:@]*$/, '');
  return {
    SpecifiedImage: image,
    ResolvedImage: info.repoDigests[0] ?? `${repo}@${info.id}`,
    ResolutionTime: clock.now(),
  };
}
