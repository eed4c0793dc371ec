// Built-in properties, read from the store without requests (CheckView).
// Safety: evaluated at every state where the store changed. Liveness: ESR goals (execution.ts).
import type { KubeObject } from '../api/types.ts';
import type { ApiRequest } from '../api/request.ts';
import { isPodActive, isPodAvailable, isPodTerminal } from '../api/podutil.ts';
import { deploymentComplete, isRollingUpdate, maxSurge, maxUnavailable } from '../actors/controllers/deployment-util.ts';
import {
  allowsBurst, getOrdinal, getParentNameAndOrdinal, getStartOrdinal, isRunningAndReady, POD_INDEX_LABEL,
} from '../actors/controllers/statefulset-utils.ts';
import type { CheckView, Invariant, Liveness } from './types.ts';

/**
 * Per-execution memory of a property (a property object is shared by every execution of a check;
 * the view is the execution, so state keyed by it starts afresh with each execution).
 */
function perExecution<T>(init: (view: CheckView) => T): (view: CheckView) => T {
  const states = new WeakMap<CheckView, T>();
  return (view) => {
    let st = states.get(view);
    if (st === undefined) states.set(view, (st = init(view)));
    return st;
  };
}

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

// -------------------------------------------------------------------- nothing lost

/** True when `req` asks to delete `obj` (DELETE of it or of its collection, or an eviction of the pod). */
function requestDeletes(req: ApiRequest | undefined, obj: KubeObject): boolean {
  if (!req || req.kind !== obj.kind || (req.namespace ?? '') !== (obj.metadata.namespace ?? '')) return false;
  if (req.verb === 'delete') return req.name === undefined || req.name === obj.metadata.name;
  return req.verb === 'create' && req.subresource === 'eviction' && req.name === obj.metadata.name;
}

/**
 * No accepted object is lost. Accepted: an object the API server stored (an ADDED entry of its log,
 * which is exactly when a create returns success). It may leave the store only by a removal the
 * log shows (DELETED) that a deletion caused: the step delivered a DELETE of it (from a user, the
 * checker's environment, or any controller: GC, pod GC, kubelet, namespace controller) or an
 * eviction, or the object was already marked for deletion (deletionTimestamp: a graceful DELETE
 * whose finalizers and grace period have run out). Violations: a DELETED entry nothing asked for,
 * or an accepted object missing from the store (or replaced under another uid) without a DELETED
 * entry. Events are excluded (they expire by TTL).
 */
export function noAcceptedObjectLost(): Invariant {
  return {
    name: 'no-accepted-object-lost',
    check(view) {
      for (const c of view.changes) {
        if (c.type !== 'DELETED' || c.object.kind === 'Event') continue;
        if (c.old?.metadata.deletionTimestamp || requestDeletes(c.request, c.object)) continue;
        const by = c.request ? `${c.request.verb} ${c.request.kind} ${c.request.name ?? ''} from ${c.from}` : 'no request';
        return `${c.object.kind} ${c.object.metadata.namespace ?? ''}/${c.object.metadata.name} was removed without a DELETE (the step delivered ${by})`;
      }
      for (const [key, obj] of view.accepted) {
        if (obj.kind === 'Event') continue;
        const now = view.find(obj.kind, obj.metadata.namespace, obj.metadata.name!);
        if (!now) return `accepted object ${key} is gone without a DELETE`;
        if (now.metadata.uid !== obj.metadata.uid) return `accepted object ${key} (uid ${obj.metadata.uid}) was replaced by uid ${now.metadata.uid} without a DELETE`;
      }
      return undefined;
    },
  };
}

// -------------------------------------------------------------------- StatefulSets

/** The StatefulSet that controls a pod (by controller reference), if it is stored. */
function setOf(view: CheckView, pod: KubeObject): KubeObject | undefined {
  const ref = (pod.metadata.ownerReferences ?? []).find((r: any) => r.controller);
  if (!ref || ref.kind !== 'StatefulSet') return undefined;
  const set = view.find('StatefulSet', pod.metadata.namespace, ref.name);
  return set?.metadata.uid === ref.uid ? set : undefined;
}

/**
 * At most one pod per StatefulSet ordinal (the set's "at most one" identity guarantee, docs
 * concepts/workloads/controllers/statefulset "Pod Identity"; the force-delete caveat in
 * tasks/run-application/force-delete-stateful-set-pod). Pods are the set's by controller
 * reference, or orphans named like its members; an unfinished pod (terminating included: its
 * containers may still run) claims the ordinal of its name and of its apps.kubernetes.io/pod-index
 * label. Names are unique in the store, so a violation means a pod whose label names another
 * ordinal, or two pods claiming one identity through different names.
 */
export function statefulSetOnePodPerOrdinal(): Invariant {
  return {
    name: 'statefulset-one-pod-per-ordinal',
    check(view) {
      for (const set of view.objects('StatefulSet')) {
        const claims = new Map<number, string[]>();
        for (const pod of view.objects('Pod', set.metadata.namespace)) {
          if (isPodTerminal(pod)) continue;
          const [parent, ordinal] = getParentNameAndOrdinal(pod);
          const owned = setOf(view, pod)?.metadata.uid === set.metadata.uid;
          const orphan = !(pod.metadata.ownerReferences ?? []).some((r: any) => r.controller) && parent === set.metadata.name;
          if (!owned && !orphan) continue;
          const label = pod.metadata.labels?.[POD_INDEX_LABEL];
          const ordinals = new Set<number>([ordinal, ...(label !== undefined ? [Number(label)] : [])].filter((o) => Number.isInteger(o) && o >= 0));
          for (const o of ordinals) claims.set(o, [...(claims.get(o) ?? []), pod.metadata.name!]);
        }
        for (const [o, pods] of claims) {
          if (pods.length > 1) return `statefulset ${set.metadata.namespace}/${set.metadata.name} has ${pods.length} pods for ordinal ${o}: ${pods.join(', ')}`;
        }
      }
      return undefined;
    },
  };
}

/**
 * OrderedReady (the default podManagementPolicy; docs "Deployment and Scaling Guarantees": "Before
 * a scaling operation is applied to a Pod, all of its predecessors must be Running and Ready"):
 * when pod N+1 of a set is created, every pod 0..N that exists and is not being deleted is Running
 * and Ready, or was Running and Ready at some point since it was created (the controller's cache
 * may lag a later readiness loss). A predecessor that is absent or terminating is being replaced
 * (the controller may not have seen it go yet) and is exempt. Checked on each pod creation.
 */
export function statefulSetOrderedReady(): Invariant {
  const everReady = perExecution((view) => new Set(view.objects('Pod').filter(isRunningAndReady).map((p) => p.metadata.uid!)));
  return {
    name: 'statefulset-ordered-ready',
    check(view) {
      const ready = everReady(view);
      for (const c of view.changes) {
        if (c.object.kind !== 'Pod' || c.type === 'DELETED') continue;
        if (isRunningAndReady(c.object)) ready.add(c.object.metadata.uid!);
      }
      for (const c of view.changes) {
        if (c.object.kind !== 'Pod' || c.type !== 'ADDED') continue;
        const set = setOf(view, c.object);
        if (!set || allowsBurst(set)) continue;
        const k = getOrdinal(c.object);
        for (let j = getStartOrdinal(set); j < k; j++) {
          const pred = view.find('Pod', set.metadata.namespace, `${set.metadata.name}-${j}`);
          if (!pred || pred.metadata.deletionTimestamp || ready.has(pred.metadata.uid!)) continue;
          return `${c.object.metadata.name} was created while ${pred.metadata.name} was not Running and Ready (phase ${pred.status?.phase ?? 'none'}; created by ${c.from ?? 'the API server'})`;
        }
      }
      return undefined;
    },
  };
}

/** The default safety properties of a StatefulSet check. */
export function statefulSetProperties(): Invariant[] {
  return [statefulSetOrderedReady(), statefulSetOnePodPerOrdinal(), noPodOnMissingNode(), noAcceptedObjectLost()];
}

// -------------------------------------------------------------------- Deployments

/** Pods of a Deployment: controlled by a ReplicaSet the Deployment controls. */
export function podsOfDeployment(view: CheckView, d: KubeObject): KubeObject[] {
  const rss = new Set(view.objects('ReplicaSet', d.metadata.namespace).filter((rs) => controllerUid(rs) === d.metadata.uid).map((rs) => rs.metadata.uid));
  return view.objects('Pod', d.metadata.namespace).filter((p) => rss.has(controllerUid(p)));
}

/**
 * A rollout of the Deployment completed: its status, for whatever generation it last observed,
 * shows spec.replicas pods, all updated and available (so a rollout that starts with a template
 * change in the same step still counts the previous one as completed).
 */
function rolloutCompleted(d: KubeObject): boolean {
  const r = d.spec?.replicas ?? 1;
  const s = d.status ?? {};
  return s.replicas === r && s.updatedReplicas === r && s.availableReplicas === r;
}

/**
 * A rolling update stays within its bounds (docs concepts/workloads/controllers/deployment "Max
 * Unavailable", "Max Surge"): never more than replicas + maxSurge pods that are neither terminating
 * nor finished, never fewer than replicas − maxUnavailable available pods (Ready for
 * minReadySeconds). Armed once the Deployment's first rollout completed (rolloutCompleted and
 * `replicas` pods available); disarmed while its replicas or strategy differ from those it was
 * armed with (a scale is not a rollout), re-armed at the next completion.
 */
export function rolloutWithinBounds(): Invariant {
  const armed = perExecution(() => new Map<string, string>());
  return {
    name: 'rollout-within-bounds',
    check(view) {
      const arms = armed(view);
      for (const d of view.objects('Deployment')) {
        if (!isRollingUpdate(d) || d.metadata.deletionTimestamp || d.spec?.paused) continue;
        const replicas = d.spec?.replicas ?? 1;
        const [surge, unavailable] = [maxSurge(d), maxUnavailable(d)];
        const shape = `${d.metadata.uid}|${replicas}|${surge}|${unavailable}`;
        const key = `${d.metadata.namespace}/${d.metadata.name}`;
        const pods = podsOfDeployment(view, d);
        const live = pods.filter(isPodActive);
        const available = live.filter((p) => isPodAvailable(p, d.spec?.minReadySeconds ?? 0, view.now(), view.cluster.epoch));
        if (arms.get(key) !== shape) {
          if (rolloutCompleted(d) && available.length >= replicas) arms.set(key, shape);
          continue;
        }
        if (live.length > replicas + surge) return `deployment ${key} has ${live.length} pods for replicas=${replicas} maxSurge=${surge} (${live.map((p) => p.metadata.name).join(', ')})`;
        if (available.length < replicas - unavailable) return `deployment ${key} has ${available.length} available pods for replicas=${replicas} maxUnavailable=${unavailable}`;
      }
      return undefined;
    },
  };
}

// -------------------------------------------------------------------- storage

/**
 * A ReadWriteOnce (or ReadWriteOncePod) volume is attached to at most one node: at most one
 * VolumeAttachment with status.attached=true per PersistentVolume whose access modes are all
 * single-node (docs concepts/storage/persistent-volumes "Access Modes").
 */
export function rwoVolumeAttachedToOneNode(): Invariant {
  return {
    name: 'rwo-volume-attached-to-one-node',
    check(view) {
      const nodes = new Map<string, Set<string>>();
      for (const va of view.objects('VolumeAttachment')) {
        if (!va.status?.attached) continue;
        const pv = va.spec?.source?.persistentVolumeName;
        if (!pv) continue;
        const set = nodes.get(pv) ?? new Set<string>();
        set.add(va.spec.nodeName);
        nodes.set(pv, set);
      }
      for (const [pv, on] of nodes) {
        if (on.size < 2) continue;
        const modes: string[] = view.find('PersistentVolume', undefined, pv)?.spec?.accessModes ?? ['ReadWriteOnce'];
        if (modes.every((m) => m === 'ReadWriteOnce' || m === 'ReadWriteOncePod')) return `volume ${pv} (${modes.join(', ')}) is attached to ${on.size} nodes: ${[...on].sort().join(', ')}`;
      }
      return undefined;
    },
  };
}

// -------------------------------------------------------------------- ESR for every controller

/** What is not reconciled yet among the workload controllers' objects (undefined when all are). */
export function unreconciled(view: CheckView): string | undefined {
  for (const rs of view.objects('ReplicaSet')) {
    const want = rs.spec?.replicas ?? 1;
    const have = activePodsOf(view, rs).length;
    if (have !== want) return `replicaset ${rs.metadata.namespace}/${rs.metadata.name} has ${have} active pods for replicas=${want}`;
  }
  for (const d of view.objects('Deployment')) {
    if (d.spec?.paused) continue;
    const key = `${d.metadata.namespace}/${d.metadata.name}`;
    if (!deploymentComplete(d, d.status)) return `deployment ${key} is not complete (status ${JSON.stringify({ ...d.status, conditions: undefined })})`;
    const live = podsOfDeployment(view, d).filter(isPodActive).length;
    if (live !== (d.spec?.replicas ?? 1)) return `deployment ${key} has ${live} active pods for replicas=${d.spec?.replicas ?? 1}`;
  }
  for (const set of view.objects('StatefulSet')) {
    if (set.metadata.deletionTimestamp) continue;
    const key = `${set.metadata.namespace}/${set.metadata.name}`;
    const start = getStartOrdinal(set);
    const replicas = set.spec?.replicas ?? 1;
    for (let i = start; i < start + replicas; i++) {
      const pod = view.find('Pod', set.metadata.namespace, `${set.metadata.name}-${i}`);
      if (!pod || pod.metadata.deletionTimestamp || !isRunningAndReady(pod)) return `statefulset ${key}: ${set.metadata.name}-${i} is ${pod ? (pod.metadata.deletionTimestamp ? 'terminating' : 'not Running and Ready') : 'missing'}`;
    }
    const extra = view.objects('Pod', set.metadata.namespace).filter((p) => setOf(view, p)?.metadata.uid === set.metadata.uid && (getOrdinal(p) < start || getOrdinal(p) >= start + replicas));
    if (extra.length) return `statefulset ${key} still has ${extra.map((p) => p.metadata.name).join(', ')}`;
    const s = set.status ?? {};
    if ((s.observedGeneration ?? 0) < (set.metadata.generation ?? 1) || s.readyReplicas !== replicas || s.replicas !== replicas) {
      return `statefulset ${key} status not reconciled (replicas ${s.replicas}, ready ${s.readyReplicas}, observedGeneration ${s.observedGeneration})`;
    }
    const ru = set.spec?.updateStrategy;
    if ((ru?.type ?? 'RollingUpdate') === 'RollingUpdate' && !(ru?.rollingUpdate?.partition > 0) && s.currentRevision !== s.updateRevision) {
      return `statefulset ${key} rolling update not finished (current ${s.currentRevision}, update ${s.updateRevision})`;
    }
  }
  for (const ds of view.objects('DaemonSet')) {
    const s = ds.status ?? {};
    const want = s.desiredNumberScheduled ?? 0;
    if ((s.observedGeneration ?? 0) < (ds.metadata.generation ?? 1) || s.numberAvailable !== want || s.updatedNumberScheduled !== want) {
      return `daemonset ${ds.metadata.namespace}/${ds.metadata.name} not reconciled (desired ${want}, available ${s.numberAvailable}, updated ${s.updatedNumberScheduled})`;
    }
  }
  return undefined;
}

/**
 * ESR (eventual stable reconciliation, Anvil, OSDI 2024) for every workload controller: within
 * `within` virtual ms of the last fault, every ReplicaSet has spec.replicas active pods, every
 * Deployment is complete with spec.replicas pods, every StatefulSet has its ordinals Running and
 * Ready (nothing out of range, status and revision caught up), every DaemonSet is available and
 * updated on every node it wants.
 */
export function controllersReconcile(within: number): Liveness {
  return { name: 'controllers-reconcile', within, goal: (view) => unreconciled(view) ?? true };
}
