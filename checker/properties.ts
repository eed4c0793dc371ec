// Built-in properties, read from the store without requests (CheckView).
// Safety: evaluated at every state where the store changed. Liveness: ESR goals (execution.ts).
import type { KubeObject } from '../api/types.ts';
import { isPodActive } from '../api/podutil.ts';
import type { CheckView, Invariant, Liveness } from './types.ts';

function controllerUid(o: KubeObject): string | undefined {
  return (o.metadata.ownerReferences ?? []).find((r: any) => r.controller)?.uid;
}

/** Active (not terminating, not finished) pods whose controller is `rs`. */
export function activePodsOf(view: CheckView, rs: KubeObject): KubeObject[] {
  const uid = rs.metadata.uid;
  return view.objects('Pod', rs.metadata.namespace).filter((p) => controllerUid(p) === uid && isPodActive(p));
}

/**
 * A ReplicaSet never has more than spec.replicas active pods (ReplicaSet docs: "maintain a stable
 * set of replica Pods"; expectations in pkg/controller/controller_utils.go exist to keep a stale
 * cache from over-creating). While a lowered replicas value is not yet observed
 * (status.observedGeneration < metadata.generation) the old count may remain.
 */
export function replicaSetNeverExceedsReplicas(): Invariant {
  return {
    name: 'replicaset-never-exceeds-replicas',
    check(view) {
      for (const rs of view.objects('ReplicaSet')) {
        if ((rs.status?.observedGeneration ?? 0) < (rs.metadata.generation ?? 1)) continue;
        const want = rs.spec?.replicas ?? 1;
        const pods = activePodsOf(view, rs);
        if (pods.length > want) {
          return `replicaset ${rs.metadata.namespace}/${rs.metadata.name} has ${pods.length} active pods (${pods.map((p) => p.metadata.name).join(', ')}) for replicas=${want}`;
        }
      }
      return undefined;
    },
  };
}

/** No pod is bound to a node that does not exist (at the moment it is bound, and while the node is listed). */
export function noPodOnMissingNode(): Invariant {
  return {
    name: 'no-pod-on-missing-node',
    check(view) {
      const nodes = new Set(view.objects('Node').map((n) => n.metadata.name));
      for (const pod of view.objects('Pod')) {
        const node = pod.spec?.nodeName;
        if (node && !nodes.has(node) && isPodActive(pod)) return `pod ${pod.metadata.namespace}/${pod.metadata.name} is bound to node ${node}, which does not exist`;
      }
      return undefined;
    },
  };
}

/** Every write the API server accepted (and did not delete) is still in the store (etcd keeps its data across restarts). */
export function noAcceptedObjectLost(): Invariant {
  return {
    name: 'no-accepted-object-lost',
    check(view) {
      for (const [key, obj] of view.accepted) {
        if (obj.kind === 'Event') continue;
        if (!view.find(obj.kind, obj.metadata.namespace, obj.metadata.name!)) return `accepted object ${key} is gone without a DELETE`;
      }
      return undefined;
    },
  };
}

/** ESR: every ReplicaSet has exactly spec.replicas active pods within `within` virtual ms after the last fault. */
export function replicaSetReachesReplicas(within: number): Liveness {
  return {
    name: 'replicaset-reaches-replicas',
    within,
    goal(view) {
      for (const rs of view.objects('ReplicaSet')) {
        const want = rs.spec?.replicas ?? 1;
        const have = activePodsOf(view, rs).length;
        if (have !== want) return `replicaset ${rs.metadata.namespace}/${rs.metadata.name} has ${have} active pods for replicas=${want}`;
      }
      return true;
    },
  };
}

/** The default safety properties of a ReplicaSet check. */
export function replicaSetProperties(): Invariant[] {
  return [replicaSetNeverExceedsReplicas(), noPodOnMissingNode(), noAcceptedObjectLost()];
}
