import type { EndpointDeployment } from './endpoint-deployment.js';
import type { VariantFleet } from './fleet.js';
import type { InstanceStatus, ModelInstance } from './model-instance.js';

/**
 * What the console may see of one instance: its identity, state and age, the
 * models it has loaded, and its container's log tail. A view, not the
 * instance: nothing here can stop, lease or change it.
 */
export interface InstanceView {
  instanceId: string;
  /** Docker's id, once the container exists. */
  containerId: string | undefined;
  status: InstanceStatus;
  /** Epoch ms when the instance was made. */
  createdAt: number;
  inFlight: number;
  /** Multi-model instances: the TargetModels loaded in the container. */
  loadedModels: string[] | undefined;
  /** The container's last `lines` log lines ('' when there are none). */
  logTail(lines: number): Promise<string>;
}

/** The instances of one variant; `incoming` for the fleet of an update that is not routed to yet. */
export interface VariantInstances {
  variant: string;
  incoming: boolean;
  instances: InstanceView[];
}

function viewOf(i: ModelInstance): InstanceView {
  return {
    instanceId: i.instanceId,
    containerId: i.containerId,
    status: i.status,
    createdAt: i.createdAt,
    inFlight: i.inFlight,
    loadedModels: i.models?.loadedTargets(),
    logTail: (lines) => i.logTail(lines),
  };
}

const variantOf = (f: VariantFleet, incoming: boolean): VariantInstances => ({
  variant: f.variantName,
  incoming,
  instances: f.listInstances().map(viewOf),
});

/** Every variant's instances of a deployment, serving fleets first. */
export function deploymentInstances(d: EndpointDeployment): VariantInstances[] {
  return [...[...d.fleets.values()].map((f) => variantOf(f, false)), ...[...d.incoming].map((f) => variantOf(f, true))];
}
