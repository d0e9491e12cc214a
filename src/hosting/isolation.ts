import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'pino';
import type { ContainerClient, ContainerSecurity, ContainerSpec, StartedContainer } from '../docker/container-client.js';
import { labels } from '../docker/labels.js';
import { StartupError } from './errors.js';

/**
 * EnableNetworkIsolation (docs/aws-contract.md; SageMaker's "Run Training and
 * Inference Containers in Internet-Free Mode"): the model container can be
 * reached by the gateway and reaches nothing else. It sits alone on its own
 * network `sme-iso-<container name>`, internal and without a host address
 * (bridge inhibit_ipv4: an internal network alone still lets a container reach
 * host services on 0.0.0.0 through the bridge's gateway address, measured on
 * Docker 20.10). The gateway dials a relay container instead, which is
 * published like any model container and also attached to the isolated
 * network, and forwards TCP to the model's port there. Model data is still
 * mounted: only the network is cut.
 */

/** The relay image's name when SME_ISOLATION_RELAY_IMAGE is not set: built on demand by containers/build-local-base.sh. */
export const DEFAULT_RELAY_IMAGE = 'sagemaker-emulator/node-base:local';

/** The prefix of every isolated network's name. */
export const ISOLATED_NETWORK_PREFIX = 'sme-iso-';

const RELAY_PORT = 8080;
const RELAY_MEMORY_BYTES = 64 * 1024 * 1024;
const RELAY_NANO_CPUS = 250_000_000;

/**
 * The relay: a TCP forwarder in plain Node (`node -e`, CommonJS), so that any
 * image with `node` on PATH serves, with nothing to copy in. Each side's close
 * or error tears down the other, so a dead model shows as a reset connection.
 */
export const RELAY_SCRIPT = [
  "const net = require('net');",
  'const host = process.env.SME_RELAY_TARGET_HOST;',
  'const port = Number(process.env.SME_RELAY_TARGET_PORT);',
  'net.createServer((c) => {',
  '  const u = net.connect(port, host);',
  '  c.pipe(u); u.pipe(c);',
  "  c.on('error', () => u.destroy()); u.on('error', () => c.destroy());",
  "  c.on('close', () => u.destroy()); u.on('close', () => c.destroy());",
  `}).listen(${RELAY_PORT}, '0.0.0.0');`,
].join('\n');

/** The relay needs nothing: no capability, no writable root, no privilege gain. */
const RELAY_SECURITY: ContainerSecurity = { noNewPrivileges: true, capDrop: ['ALL'], capAdd: [], readOnlyRootfs: true };

export function isolatedNetworkName(containerName: string): string {
  return `${ISOLATED_NETWORK_PREFIX}${containerName}`;
}

export function relayName(containerName: string): string {
  return `${containerName}-relay`;
}

/** What an isolated start leaves behind, removed with the model container. */
export interface IsolationParts {
  relayId: string;
  network: string;
}

/**
 * Starts the model container alone on its isolated network, then its relay;
 * resolves with the model container (its id is the instance's: logs, exits)
 * and the relay's address, which is where the gateway dials. On any failure,
 * whatever was created is removed.
 */
export async function runIsolated(
  docker: ContainerClient,
  spec: ContainerSpec,
  relay: { image: string; network: string | undefined },
  log: Logger,
): Promise<{ model: StartedContainer; dial: StartedContainer; parts: IsolationParts }> {
  await ensureRelayImage(docker, relay.image, log);
  const network = isolatedNetworkName(spec.name);
  await docker.createIsolatedNetwork(network, spec.labels);
  let model: StartedContainer | undefined;
  let relayContainer: StartedContainer | undefined;
  try {
    model = await docker.run({ ...spec, network });
    relayContainer = await docker.run({
      name: relayName(spec.name),
      image: relay.image,
      entrypoint: ['node', '-e', RELAY_SCRIPT],
      cmd: [],
      env: { SME_RELAY_TARGET_HOST: model.host ?? '', SME_RELAY_TARGET_PORT: String(spec.containerPort) },
      labels: { ...spec.labels, [labels.role]: 'isolation-relay' },
      memoryBytes: RELAY_MEMORY_BYTES,
      nanoCpus: RELAY_NANO_CPUS,
      mounts: [],
      containerPort: RELAY_PORT,
      ...(relay.network ? { network: relay.network } : {}),
      security: RELAY_SECURITY,
    });
    await docker.connect(relayContainer.id, network);
    log.info({ network, relay: relayContainer.name, model: model.name }, 'network-isolated container started behind its relay');
    return { model, dial: relayContainer, parts: { relayId: relayContainer.id, network } };
  } catch (err) {
    await removeIsolated(docker, model?.id, { relayId: relayContainer?.id ?? '', network }, 0).catch(() => undefined);
    throw err;
  }
}

/** Removes the model container, its relay, then their network (which Docker refuses while containers are attached). */
export async function removeIsolated(docker: ContainerClient, modelId: string | undefined, parts: IsolationParts, graceSeconds: number): Promise<void> {
  await Promise.all([modelId ? docker.remove(modelId, graceSeconds) : undefined, parts.relayId ? docker.remove(parts.relayId, 0) : undefined]);
  await docker.removeNetwork(parts.network);
}

/** One build of the default relay image per process, shared by every endpoint that waits for it. */
let building: Promise<void> | undefined;

/**
 * The relay image must be present: the default one is built from this
 * machine's own node (containers/build-local-base.sh, shipped with the
 * package); any other one is the user's to provide.
 */
export async function ensureRelayImage(docker: ContainerClient, image: string, log: Logger): Promise<void> {
  if (await docker.imageInfo(image)) {
    return;
  }
  if (image !== DEFAULT_RELAY_IMAGE) {
    throw new StartupError(
      `The network isolation relay image "${image}" (SME_ISOLATION_RELAY_IMAGE) is not present locally. Build or pull an image with node on its PATH, or unset SME_ISOLATION_RELAY_IMAGE to have the emulator build ${DEFAULT_RELAY_IMAGE}.`,
    );
  }
  building ??= buildDefaultRelayImage(log).finally(() => {
    building = undefined;
  });
  await building;
}

function buildDefaultRelayImage(log: Logger): Promise<void> {
  // dist/src/hosting/ → the repository (or installed package) root, which ships containers/.
  const script = fileURLToPath(new URL('../../../containers/build-local-base.sh', import.meta.url));
  log.info({ image: DEFAULT_RELAY_IMAGE, script }, 'network isolation relay image missing; building it');
  return new Promise((resolve, reject) => {
    const child = execFile('bash', [script], { env: { ...process.env, LOCAL_BASE_IMAGE: DEFAULT_RELAY_IMAGE }, timeout: 300_000 }, (err, _out, stderr) => {
      if (err) {
        reject(
          new StartupError(
            `The network isolation relay image ${DEFAULT_RELAY_IMAGE} is missing and building it with ${script} failed: ${(stderr || err.message).trim().slice(-500)}`,
          ),
        );
        return;
      }
      log.info({ image: DEFAULT_RELAY_IMAGE }, 'network isolation relay image built');
      resolve();
    });
    child.stdout?.on('data', (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n').filter(Boolean)) {
        log.info({ image: DEFAULT_RELAY_IMAGE, progress: line }, 'building the relay image');
      }
    });
  });
}
