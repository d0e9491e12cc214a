import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import pino from 'pino';
import { StartupError } from '../../src/hosting/errors.js';
import { resolveImage } from '../../src/hosting/images.js';
import { systemClock } from '../../src/shared/clock.js';
import { FakeDocker } from '../helpers/fake-docker.js';

/** resolveImage with and without SME_IMAGE_FALLBACK, against a fake engine that counts pulls. */

const PLACEHOLDER = '123456789012.dkr.ecr.us-east-1.amazonaws.com/my-model:latest';
const STAND_IN = 'sagemaker-emulator/echo-model:latest';

function capture(): { log: pino.Logger; lines: Record<string, unknown>[] } {
  const lines: Record<string, unknown>[] = [];
  const log = pino({ level: 'info' }, { write: (l: string) => void lines.push(JSON.parse(l) as Record<string, unknown>) });
  return { log, lines };
}

describe('resolveImage and SME_IMAGE_FALLBACK', () => {
  test('a present image runs as itself, without a pull', async () => {
    const docker = new FakeDocker({ images: { [PLACEHOLDER]: { repoDigests: [`${PLACEHOLDER.replace(/:latest$/, '')}@sha256:abc`] } } });
    const r = await resolveImage(docker, PLACEHOLDER, capture().log, systemClock, STAND_IN);
    assert.equal(r.runImage, PLACEHOLDER);
    assert.equal(r.ResolvedImage, '123456789012.dkr.ecr.us-east-1.amazonaws.com/my-model@sha256:abc');
    assert.deepEqual(docker.pulls, []);
  });

  test('a missing, unpullable image runs as the stand-in, logged with the pull error; the registry is asked once', async () => {
    const docker = new FakeDocker({ images: { [STAND_IN]: {} } });
    const { log, lines } = capture();
    const first = await resolveImage(docker, PLACEHOLDER, log, systemClock, STAND_IN);
    const second = await resolveImage(docker, PLACEHOLDER, log, systemClock, STAND_IN);
    for (const r of [first, second]) {
      assert.equal(r.runImage, STAND_IN);
      assert.equal(r.SpecifiedImage, PLACEHOLDER);
      assert.match(r.ResolvedImage, /^123456789012\.dkr\.ecr\.us-east-1\.amazonaws\.com\/my-model@sha256:/);
    }
    assert.deepEqual(docker.pulls, [PLACEHOLDER]);
    const warnings = lines.filter((l) => l.level === 40 && l.image === PLACEHOLDER && l.fallback === STAND_IN);
    assert.equal(warnings.length, 2);
    assert.match(String(warnings[0]!.reason), /pull access denied/);
  });

  test('an image pulled or built after a failure is used at once', async () => {
    const docker = new FakeDocker({ images: { [STAND_IN]: {} } });
    assert.equal((await resolveImage(docker, PLACEHOLDER, capture().log, systemClock, STAND_IN)).runImage, STAND_IN);
    docker.images.set(PLACEHOLDER, {});
    assert.equal((await resolveImage(docker, PLACEHOLDER, capture().log, systemClock, STAND_IN)).runImage, PLACEHOLDER);
  });

  test('without a stand-in, the pull error is the StartupError, and every resolve asks the registry again', async () => {
    const docker = new FakeDocker();
    for (let i = 0; i < 2; i++) {
      await assert.rejects(resolveImage(docker, PLACEHOLDER, capture().log, systemClock), (err: Error) => {
        assert.ok(err instanceof StartupError);
        assert.equal(
          err.message,
          `Image "${PLACEHOLDER}" was not found locally and could not be pulled (pull access denied for ${PLACEHOLDER}, repository does not exist or may require 'docker login'). Build or pull it first (for the sample models: make images).`,
        );
        return true;
      });
    }
    assert.deepEqual(docker.pulls, [PLACEHOLDER, PLACEHOLDER]);
  });

  test('a stand-in that is itself missing fails with both images named', async () => {
    const docker = new FakeDocker();
    await assert.rejects(resolveImage(docker, PLACEHOLDER, capture().log, systemClock, STAND_IN), /stand-in image "sagemaker-emulator\/echo-model:latest" \(SME_IMAGE_FALLBACK\) is not present locally/);
  });
});
