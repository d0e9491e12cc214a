import type { ConsoleDeps } from './console-context.js';
import { type ConfigRow, configsTable } from './config-table.js';
import { html } from './html.js';
import { page } from './layout.js';
import { type ModelRow, modelsTable } from './model-table.js';
import { type ConsoleRoute, sendHtml } from './router.js';

/** `GET /console/configs`: every endpoint config and model, in every region, and what uses each. */
export function configsRoutes(deps: ConsoleDeps): ConsoleRoute[] {
  return [
    {
      method: 'GET',
      path: /^\/configs$/,
      handle: (_req, res) => {
        const { configs, models } = configsAndModels(deps);
        const body = html`<h1>Configs &amp; models</h1>
<section aria-labelledby="configs-heading" class="configs-view">
<h2 id="configs-heading">Endpoint configurations</h2>
${configsTable(configs)}
</section>
<section aria-labelledby="models-heading" class="configs-view">
<h2 id="models-heading">Models</h2>
${modelsTable(models)}
</section>`;
        sendHtml(res, 200, page('Configs & models', 'configs', body));
      },
    },
  ];
}

const key = (region: string, name: string) => `${region}\n${name.toLowerCase()}`;
const newestFirst = (a: { creationTime: number }, b: { creationTime: number }) => b.creationTime - a.creationTime;

/** The rows of both tables, with the "used by" links worked out from the records (names are case-insensitive). */
function configsAndModels(deps: ConsoleDeps): { configs: ConfigRow[]; models: ModelRow[] } {
  const endpointsByConfig = new Map<string, string[]>();
  for (const { region, doc } of deps.store.endpoints.all()) {
    // An endpoint being updated uses both its current config and the one it is moving to.
    for (const configName of new Set([doc.configName, ...(doc.pending ? [doc.pending.configName] : [])])) {
      const k = key(region, configName);
      endpointsByConfig.set(k, [...(endpointsByConfig.get(k) ?? []), doc.name]);
    }
  }
  const configsByModel = new Map<string, string[]>();
  const configs = deps.store.endpointConfigs
    .all()
    .sort((a, b) => newestFirst(a.doc, b.doc))
    .map(({ region, doc }): ConfigRow => {
      const variants = [...doc.spec.ProductionVariants, ...(doc.spec.ShadowProductionVariants ?? [])];
      for (const modelName of new Set(variants.flatMap((v) => (v.ModelName ? [v.ModelName.toLowerCase()] : [])))) {
        const k = key(region, modelName);
        configsByModel.set(k, [...(configsByModel.get(k) ?? []), doc.name]);
      }
      return { region, config: doc, endpoints: (endpointsByConfig.get(key(region, doc.name)) ?? []).sort() };
    });
  const models = deps.store.models
    .all()
    .sort((a, b) => newestFirst(a.doc, b.doc))
    .map(({ region, doc }): ModelRow => ({ region, model: doc, configs: (configsByModel.get(key(region, doc.name)) ?? []).sort() }));
  return { configs, models };
}
