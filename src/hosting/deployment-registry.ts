import type { EndpointDeployment } from './endpoint-deployment.js';

const key = (region: string, name: string) => `${region}/${name.toLowerCase()}`;

/** The live deployments, by region and endpoint name (names are case-insensitive, as on SageMaker). */
export class DeploymentRegistry {
  private readonly byKey = new Map<string, EndpointDeployment>();

  get(region: string, name: string): EndpointDeployment | undefined {
    return this.byKey.get(key(region, name));
  }

  /** Registers a deployment; it replaces any earlier one of the same endpoint. */
  add(deployment: EndpointDeployment): void {
    this.byKey.set(key(deployment.region, deployment.name), deployment);
  }

  /** Forgets this deployment, but not a newer one of the same name registered since. */
  remove(deployment: EndpointDeployment): void {
    const k = key(deployment.region, deployment.name);
    if (this.byKey.get(k) === deployment) {
      this.byKey.delete(k);
    }
  }

  all(): EndpointDeployment[] {
    return [...this.byKey.values()];
  }

  /** Forgets every deployment at once and returns them: from then on, no request finds any. */
  takeAll(): EndpointDeployment[] {
    const all = this.all();
    this.byKey.clear();
    return all;
  }
}
