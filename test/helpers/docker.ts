import { execFileSync } from 'node:child_process';

/**
 * Integration tests need a real Docker engine and the sample images. They fail
 * loudly when either is missing; they never skip (DEVELOPERS.md).
 */
export const ECHO_IMAGE = 'sagemaker-emulator/echo-model:latest';
/** The sample model that streams its answer (containers/streaming-model). */
export const STREAMING_IMAGE = 'sagemaker-emulator/streaming-model:latest';

/** A docker CLI call blocks the whole test process: it must not wait forever on a stuck engine. */
const DOCKER_CLI_TIMEOUT_MS = 30_000;

/** Checks the engine and the echo image, and any other sample images the test file uses. */
export function requireDocker(...images: string[]): void {
  const wanted = [ECHO_IMAGE, ...images];
  try {
    execFileSync('docker', ['image', 'inspect', ...wanted], { stdio: 'pipe', timeout: DOCKER_CLI_TIMEOUT_MS });
  } catch (err) {
    const text = String((err as { stderr?: Buffer }).stderr ?? err);
    const hint = /No such image/i.test(text)
      ? `a sample image (${wanted.join(', ')}) is missing: run \`make images\``
      : 'no Docker engine answers: run `make docker` (or start Docker)';
    throw new Error(`Integration tests need Docker: ${hint}.\n${text}`, { cause: err });
  }
}

/** Containers the emulator started for one state directory (its label), running or not. */
export function managedContainers(stateDir?: string, endpoint?: string): string[] {
  const filters = ['--filter', 'label=sagemaker-emulator.managed=true'];
  if (stateDir) {
    filters.push('--filter', `label=sagemaker-emulator.state-dir=${stateDir}`);
  }
  if (endpoint) {
    filters.push('--filter', `label=sagemaker-emulator.endpoint=${endpoint}`);
  }
  const out = execFileSync('docker', ['ps', '-aq', ...filters], { encoding: 'utf8', timeout: DOCKER_CLI_TIMEOUT_MS });
  return out.split('\n').filter(Boolean);
}

export function dockerInspect(id: string): Record<string, unknown> {
  return (JSON.parse(execFileSync('docker', ['inspect', id], { encoding: 'utf8', timeout: DOCKER_CLI_TIMEOUT_MS })) as Record<string, unknown>[])[0]!;
}
