import type { Logger } from 'pino';
import { configsRoutes } from './configs.js';
import type { ConsoleDeps } from './console-context.js';
import { endpointsRoutes } from './endpoints.js';
import { jobsRoutes } from './jobs.js';
import { type ConsoleRoute, consoleRouter } from './router.js';
import { scalingRoutes } from './scaling.js';

export { CONSOLE_PATH } from './router.js';

/** The web console (`GET /console/`): every view's routes, behind one router. */
export function webConsole(deps: ConsoleDeps, log: Logger) {
  const routes: ConsoleRoute[] = [...endpointsRoutes(deps), ...configsRoutes(deps), ...jobsRoutes(deps), ...scalingRoutes(deps)];
  return consoleRouter(routes, log);
}
