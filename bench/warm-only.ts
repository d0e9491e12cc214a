import { startEmulatorProcess } from './emulator-process.js';
import { benchWarmPath } from './warm-path.js';

/**
 * Just the warm-path benchmark (`node dist/bench/warm-only.js [quick]`): for
 * before/after comparisons of a change to the hot path, without the cold-start
 * and endpoint-creation runs. Run it under the Docker lock.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const quick = process.argv.includes('quick');

const emu = await startEmulatorProcess();
try {
  console.log(await benchWarmPath(emu, quick ? 1000 : 4000, quick ? 2 : 3));
} finally {
  await emu.stop();
}
