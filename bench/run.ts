import { benchEndpointCreation } from './endpoint-creation.js';

/**
 * `npm run bench` (make bench): every benchmark prints its figures next to a
 * baseline measured in the same run. Not part of the test suite: these are
 * measurements, not assertions, and the machines are noisy.
 */
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
const runs = Number(process.argv[2] ?? 9);
console.log(await benchEndpointCreation(runs));
