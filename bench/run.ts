import { benchColdStart } from './cold-start.js';
import { startEmulatorProcess } from './emulator-process.js';
import { benchEndpointCreation } from './endpoint-creation.js';
import { benchStreamingTtfb } from './streaming-ttfb.js';
import { benchWarmPath } from './warm-path.js';

/**
 * `make bench` (npm run bench [-- quick]): every benchmark prints its figures
 * next to a baseline measured in the same run. Not part of the test suite:
 * these are measurements, not assertions, and the machines are noisy.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const quick = process.argv.includes('quick');

const emu = await startEmulatorProcess();
try {
  console.log(await benchWarmPath(emu, quick ? 1000 : 4000, quick ? 2 : 3));
  console.log();
  console.log(await benchColdStart(emu, quick ? 5 : 11));
  console.log();
  console.log(await benchStreamingTtfb(emu, quick ? 200 : 1000));
} finally {
  await emu.stop();
}
console.log();
console.log(await benchEndpointCreation(quick ? 5 : 9));
