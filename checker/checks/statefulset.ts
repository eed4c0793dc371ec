// Check definitions for a StatefulSet of 3 (OrderedReady) on a 2-node cluster: the scenario the
// planted bug's check file, the tests and the real controller's run share. `controller` swaps in a
// planted bug; exploration starts when the StatefulSet is created (nothing exists yet).
import type { ActorLogic } from '../../runtime/index.ts';
import type { KubeObject } from '../../api/types.ts';
import { controllersReconcile, statefulSetProperties } from '../properties.ts';
import type { CheckDefinition, FaultSpec } from '../types.ts';

export const STS_NAME = 'web';

export function statefulSet(replicas = 3): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: STS_NAME, namespace: 'default' },
    spec: {
      serviceName: STS_NAME, replicas, podManagementPolicy: 'OrderedReady', selector: { matchLabels: { app: STS_NAME } },
      template: { metadata: { labels: { app: STS_NAME } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } },
    },
  };
}

export function headlessService(): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Service', metadata: { name: STS_NAME, namespace: 'default' },
    spec: { clusterIP: 'None', selector: { app: STS_NAME }, ports: [{ port: 80, name: 'web' }] },
  };
}

export interface StatefulSetCheckOptions {
  name?: string;
  replicas?: number;
  controller?: () => ActorLogic;
  faults?: FaultSpec;
  depth?: number;
  horizon?: number;
  /** ESR bound in virtual ms (default 120 s). */
  within?: number;
}

/**
 * Scale-up from nothing to 3 ordinals; deliveries to the StatefulSet controller (watch events,
 * replies, its work messages) and timers are the choice points; the controller may crash once.
 */
export function statefulSetCheck(o: StatefulSetCheckOptions = {}): CheckDefinition {
  return {
    name: o.name ?? 'statefulset',
    seed: 1,
    nodes: 2,
    controllers: o.controller ? { 'statefulset-controller': o.controller } : undefined,
    setup(cluster) {
      cluster.create(headlessService());
      cluster.create(statefulSet(o.replicas ?? 3));
    },
    focus: ['statefulset-controller'],
    faults: o.faults ?? { crash: { targets: ['statefulset-controller'], budget: 1 } },
    invariants: statefulSetProperties(),
    liveness: [controllersReconcile(o.within ?? 120_000)],
    depth: o.depth ?? 40,
    horizon: o.horizon ?? 60_000,
  };
}
