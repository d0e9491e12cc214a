import { benchAsyncOverhead } from './async-overhead.js';
import { benchAutoscalingReaction } from './autoscaling-reaction.js';
import { benchColdStart } from './cold-start.js';
import { benchWarmPathWithConsole } from './console-open.js';
import { startEmulatorProcess } from './emulator-process.js';
import { benchEndpointCreation } from './endpoint-creation.js';
import { benchLoadRss } from './load-rss.js';
import { benchMultiModel } from './multi-model.js';
import { benchRecommenderAccuracy } from './recommender-accuracy.js';
import { benchS3Transfer } from './s3-transfer.js';
import { benchSoak } from './soak.js';
import { benchStreamingTtfb } from './streaming-ttfb.js';
import { benchTransformThroughput } from './transform-throughput.js';
import { benchWarmPath } from './warm-path.js';

/**
 * `make bench` (npm run bench [-- quick]): every benchmark prints its figures
 * next to a baseline measured in the same run. Not part of the test suite:
 * these are measurements, not assertions, and the machines are noisy.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const quick = process.argv.includes('quick');
/** `npm run bench -- s3 streaming`: only the named benchmarks (all when none is named). */
const named = process.argv.slice(2).filter((a) => a !== 'quick');
const wanted = (name: string) => named.length === 0 || named.includes(name);

const emu = await startEmulatorProcess();
try {
  if (wanted('warm')) {
    console.log(await benchWarmPath(emu, quick ? 1000 : 4000, quick ? 2 : 3), '\n');
  }
  if (wanted('cold')) {
    console.log(await benchColdStart(emu, quick ? 5 : 11), '\n');
  }
  if (wanted('streaming')) {
    console.log(await benchStreamingTtfb(emu, quick ? 200 : 1000), '\n');
  }
  if (wanted('s3')) {
    console.log(await benchS3Transfer(emu, quick ? 10 : 40), '\n');
  }
  if (wanted('async')) {
    console.log(await benchAsyncOverhead(emu, quick ? 100 : 400, quick ? 400 : 2000), '\n');
  }
  if (wanted('mme')) {
    console.log(await benchMultiModel(emu, quick ? 400 : 2000, quick ? 10 : 30, quick ? 3 : 10), '\n');
  }
  if (wanted('transform')) {
    console.log(await benchTransformThroughput(emu, 4, quick ? 1000 : 5000), '\n');
  }
} finally {
  await emu.stop();
}
if (wanted('load')) {
  console.log(await benchLoadRss(quick ? 2000 : 10_000), '\n');
}
if (named.includes('soak')) {
  // Only when named: it runs SME_SOAK_MINUTES (default 30) minutes.
  const minutes = Number(process.env.SME_SOAK_MINUTES ?? 30);
  if (!Number.isInteger(minutes) || minutes < 1) {
    throw new Error(`SME_SOAK_MINUTES must be a whole number of minutes ≥ 1, got ${process.env.SME_SOAK_MINUTES}`);
  }
  console.log(await benchSoak(minutes), '\n');
}
if (wanted('creation')) {
  console.log(await benchEndpointCreation(quick ? 5 : 9));
}
if (wanted('console')) {
  console.log(await benchWarmPathWithConsole(quick ? 1000 : 4000, quick ? 2 : 3), '\n');
}
if (wanted('autoscaling')) {
  console.log(await benchAutoscalingReaction(quick ? 1 : 3), '\n');
}
if (wanted('recommender')) {
  console.log(await benchRecommenderAccuracy(quick ? 5 : 10, [1, 4]), '\n');
}
