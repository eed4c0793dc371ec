// Check definitions for a ReplicaSet of 3 on a small cluster: the scenarios the tests, the
// benchmark and the example check files share. `controller` swaps in a planted bug.
import type { ActorLogic } from '../../runtime/index.ts';
import type { KubeObject } from '../../api/types.ts';
import { replicaSetProperties, replicaSetReachesReplicas } from '../properties.ts';
import type { CheckDefinition, EnvAction, FaultSpec } from '../types.ts';

export const RS_NAME = 'web';

export function replicaSet(replicas = 3): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: RS_NAME, namespace: 'default' },
    spec: {
      replicas, selector: { matchLabels: { app: RS_NAME } },
      template: { metadata: { labels: { app: RS_NAME } }, spec: { containers: [{ name: 'c', image: 'nginx:1.25' }] } },
    },
  };
}

/** The environment's action: a user force-deletes the first pod of the ReplicaSet (kubectl delete --grace-period=0 --force). */
export function forceDeleteAPod(): EnvAction {
  return {
    name: 'force-delete-pod', budget: 1,
    request(view) {
      const pod = view.objects('Pod', 'default').find((p) => p.metadata.labels?.app === RS_NAME && !p.metadata.deletionTimestamp);
      if (!pod) return undefined;
      return { verb: 'delete', apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: pod.metadata.name, deleteOptions: { gracePeriodSeconds: 0 } };
    },
  };
}

export interface ReplicaSetCheckOptions {
  name?: string;
  nodes?: number;
  replicas?: number;
  controller?: () => ActorLogic;
  /** Run until the ReplicaSet's pods exist before exploring (otherwise exploration starts at its creation). */
  settled?: boolean;
  faults?: FaultSpec;
  depth?: number;
  horizon?: number;
  /** ESR bound in virtual ms (default 60 s). */
  within?: number;
  focus?: string[];
}

/** Scale-up from 0 to 3; deliveries to the ReplicaSet controller are the choice points; one stale read. */
export function replicaSetCheck(o: ReplicaSetCheckOptions = {}): CheckDefinition {
  return {
    name: o.name ?? 'replicaset',
    seed: 1,
    nodes: o.nodes ?? 2,
    controllers: o.controller ? { 'replicaset-controller': o.controller } : undefined,
    setup(cluster) {
      cluster.create(replicaSet(o.replicas ?? 3));
      if (o.settled) cluster.runtime.runUntilSettled({ timeout: 120_000 });
    },
    focus: o.focus ?? ['replicaset-controller'],
    // A stale read: one watch event (or reply) to the controller held back past the next timers.
    faults: o.faults ?? { delay: { budget: 1, targets: ['replicaset-controller'] } },
    invariants: replicaSetProperties(),
    liveness: [replicaSetReachesReplicas(o.within ?? 60_000)],
    depth: o.depth ?? 12,
    horizon: o.horizon ?? 30_000,
  };
}
