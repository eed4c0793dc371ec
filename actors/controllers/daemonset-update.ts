// The pure decisions of a DaemonSet update, after pkg/controller/daemon/update.go (rollingUpdate,
// findUpdatedPodsOnNode, updatedDesiredNodeCounts, getPatch/Match, cleanupHistory's choice) and
// daemon_controller.go's updateDaemonSetStatus counts. The controller applies what these return.
import type { KubeObject } from '../../api/types.ts';
import { clone, deepEqual } from '../../api/equal.ts';
import { isPodAvailable, isPodReady } from '../../api/podutil.ts';
import {
  DAEMONSET_UNIQUE_LABEL, comparePodsByCreationTimestampAndPhase, getTemplateGeneration, isPodUpdated, nodeShouldRunDaemonPod,
  surgeCount, unavailableCount,
} from './daemonset-util.ts';
import { sortControllerRevisions } from './history.ts';

// ---------------------------------------------------------------------- history

/**
 * getPatch: what a DaemonSet revision stores, a strategic merge patch that restores the
 * template (`{"spec":{"template":{..., "$patch":"replace"}}}`), as `kubectl rollout undo` applies it.
 */
export function getPatch(ds: KubeObject): { spec: { template: Record<string, unknown> } } {
  return { spec: { template: { ...clone(ds.spec?.template ?? {}), $patch: 'replace' } } };
}

/** Match: the revision stores this DaemonSet's current template. */
export function matchRevision(ds: KubeObject, revision: KubeObject): boolean {
  return deepEqual(getPatch(ds), revision.data ?? null);
}

/**
 * cleanupHistory's choice: the oldest old revisions beyond revisionHistoryLimit, skipping those
 * whose hash a live pod still carries.
 */
export function revisionsToDelete(old: readonly KubeObject[], pods: readonly KubeObject[], revisionHistoryLimit: number): KubeObject[] {
  let toKill = old.length - revisionHistoryLimit;
  if (toKill <= 0) return [];
  const liveHashes = new Set(pods.map((p) => p.metadata.labels?.[DAEMONSET_UNIQUE_LABEL]).filter((h): h is string => Boolean(h)));
  const out: KubeObject[] = [];
  for (const rev of sortControllerRevisions(old)) {
    if (toKill <= 0) break;
    if (liveHashes.has(rev.metadata.labels?.[DAEMONSET_UNIQUE_LABEL] ?? '')) continue;
    out.push(rev);
    toKill--;
  }
  return out;
}

// ---------------------------------------------------------------------- rolling update

/**
 * findUpdatedPodsOnNode: the node's one new and one old pod (ignoring terminating ones); ok is
 * false when there are two of either, which the manage loop prunes first.
 */
export function findUpdatedPodsOnNode(ds: KubeObject, podsOnNode: readonly KubeObject[], hash: string): { newPod?: KubeObject; oldPod?: KubeObject; ok: boolean } {
  let newPod: KubeObject | undefined;
  let oldPod: KubeObject | undefined;
  const generation = getTemplateGeneration(ds);
  for (const pod of podsOnNode) {
    if (pod.metadata.deletionTimestamp) continue;
    if (isPodUpdated(pod, hash, generation)) {
      if (newPod) return { ok: false };
      newPod = pod;
    } else {
      if (oldPod) return { ok: false };
      oldPod = pod;
    }
  }
  return { newPod, oldPod, ok: true };
}

/**
 * updatedDesiredNodeCounts: desiredNumberScheduled and the absolute maxSurge and maxUnavailable
 * (percentages of it, rounded up); every node that should run a pod gets an entry in
 * nodeToDaemonPods; 0 and 0 falls back to maxUnavailable 1.
 */
export function updatedDesiredNodeCounts(ds: KubeObject, nodeList: readonly KubeObject[], nodeToDaemonPods: Map<string, KubeObject[]>):
  { maxSurge: number; maxUnavailable: number; desiredNumberScheduled: number } {
  let desiredNumberScheduled = 0;
  for (const node of nodeList) {
    if (!nodeShouldRunDaemonPod(node, ds).shouldRun) continue;
    desiredNumberScheduled++;
    if (!nodeToDaemonPods.has(node.metadata.name!)) nodeToDaemonPods.set(node.metadata.name!, []);
  }
  let maxUnavailable = unavailableCount(ds, desiredNumberScheduled);
  const maxSurge = surgeCount(ds, desiredNumberScheduled);
  if (desiredNumberScheduled > 0 && maxUnavailable === 0 && maxSurge === 0) maxUnavailable = 1;
  return { maxSurge, maxUnavailable, desiredNumberScheduled };
}

export interface RollingUpdatePlan {
  podsToDelete: string[];
  nodesToCreate: string[];
  maxSurge: number;
  maxUnavailable: number;
  numUnavailable: number;
}

/**
 * rollingUpdate: the old pods to delete and the nodes to surge onto. Nodes are visited in name
 * order (upstream ranges over a Go map, in random order).
 *
 * Without surge, deleted pods do not count as unavailable: a node with no pod, with an old and a
 * new pod, or with an unavailable new pod counts against maxUnavailable; unavailable old pods are
 * always replaced; available old pods are deleted while the count stays under maxUnavailable.
 * Example (3 nodes, maxUnavailable 1, all old and available): the first sync deletes the pod on
 * node-1 only; while node-1 has no available pod, nothing else is deleted.
 *
 * With surge, a node whose old pod is unavailable gets a new pod at once; up to maxSurge nodes
 * with available old pods get a new pod beside it; an old pod goes once its node's new pod is
 * available.
 */
export function rollingUpdate(ds: KubeObject, nodeList: readonly KubeObject[], nodeToDaemonPods: Map<string, KubeObject[]>, hash: string, now: number,
  nodes: ReadonlyMap<string, KubeObject>): RollingUpdatePlan | { error: string } {
  const { maxSurge, maxUnavailable, desiredNumberScheduled } = updatedDesiredNodeCounts(ds, nodeList, nodeToDaemonPods);
  const minReady = ds.spec?.minReadySeconds ?? 0;
  const available = (p: KubeObject) => isPodAvailable(p, minReady, now);
  const entries = [...nodeToDaemonPods].sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  if (maxSurge === 0) {
    let numUnavailable = 0;
    const allowedReplacementPods: string[] = [];
    const candidatePodsToDelete: string[] = [];
    for (const [, pods] of entries) {
      const { newPod, oldPod, ok } = findUpdatedPodsOnNode(ds, pods, hash);
      if (!ok || (!oldPod && !newPod) || (oldPod && newPod)) {
        numUnavailable++;
      } else if (newPod) {
        if (!available(newPod)) numUnavailable++;
      } else if (!available(oldPod!)) {
        allowedReplacementPods.push(oldPod!.metadata.name!);
        numUnavailable++;
      } else if (numUnavailable < maxUnavailable) {
        candidatePodsToDelete.push(oldPod!.metadata.name!);
      }
    }
    const remaining = Math.min(Math.max(maxUnavailable - numUnavailable, 0), candidatePodsToDelete.length);
    return { podsToDelete: [...allowedReplacementPods, ...candidatePodsToDelete.slice(0, remaining)], nodesToCreate: [], maxSurge, maxUnavailable, numUnavailable };
  }
  const oldPodsToDelete: string[] = [];
  const shouldNotRunPodsToDelete: string[] = [];
  const candidateNewNodes: string[] = [];
  const allowedNewNodes: string[] = [];
  let numSurge = 0;
  let numAvailable = 0;
  for (const [nodeName, pods] of entries) {
    const { newPod, oldPod, ok } = findUpdatedPodsOnNode(ds, pods, hash);
    if (!ok) {
      numSurge++;
      continue;
    }
    if (oldPod ? available(oldPod) : newPod ? available(newPod) : false) numAvailable++;
    if (!oldPod) continue;
    if (!newPod) {
      const node = nodes.get(nodeName);
      if (!node) return { error: `couldn't get node for nodeName "${nodeName}": node "${nodeName}" not found` };
      const shouldRun = nodeShouldRunDaemonPod(node, ds).shouldRun;
      if (!available(oldPod)) {
        if (!shouldRun) oldPodsToDelete.push(oldPod.metadata.name!);
        else allowedNewNodes.push(nodeName);
      } else if (!shouldRun) {
        shouldNotRunPodsToDelete.push(oldPod.metadata.name!);
      } else if (numSurge < maxSurge) {
        candidateNewNodes.push(nodeName);
      }
      continue;
    }
    if (!available(newPod)) numSurge++;
    else oldPodsToDelete.push(oldPod.metadata.name!);
  }
  // With surge the owner expects full availability: pods on nodes that no longer qualify go only
  // as other nodes' pods become available.
  const deletable = Math.min(Math.max(numAvailable - desiredNumberScheduled, 0), shouldNotRunPodsToDelete.length);
  oldPodsToDelete.push(...shouldNotRunPodsToDelete.slice(0, deletable));
  const remainingSurge = Math.min(Math.max(maxSurge - numSurge, 0), candidateNewNodes.length);
  return { podsToDelete: oldPodsToDelete, nodesToCreate: [...allowedNewNodes, ...candidateNewNodes.slice(0, remainingSurge)], maxSurge, maxUnavailable, numUnavailable: 0 };
}

// ---------------------------------------------------------------------- status

export interface DaemonSetStatusCounts {
  desiredNumberScheduled: number;
  currentNumberScheduled: number;
  numberMisscheduled: number;
  numberReady: number;
  updatedNumberScheduled: number;
  numberAvailable: number;
  numberUnavailable: number;
}

/**
 * updateDaemonSetStatus's counts: per node that should run the pod, desired; with a pod there,
 * current, and the oldest pod decides ready, available and updated; pods on nodes that should
 * not run one are misscheduled; unavailable = desired − available.
 */
export function calculateStatus(ds: KubeObject, nodeList: readonly KubeObject[], nodeToDaemonPods: Map<string, KubeObject[]>, hash: string, now: number): DaemonSetStatusCounts {
  const s: DaemonSetStatusCounts = {
    desiredNumberScheduled: 0, currentNumberScheduled: 0, numberMisscheduled: 0, numberReady: 0, updatedNumberScheduled: 0, numberAvailable: 0, numberUnavailable: 0,
  };
  const generation = getTemplateGeneration(ds);
  for (const node of nodeList) {
    const pods = nodeToDaemonPods.get(node.metadata.name!) ?? [];
    const scheduled = pods.length > 0;
    if (!nodeShouldRunDaemonPod(node, ds).shouldRun) {
      if (scheduled) s.numberMisscheduled++;
      continue;
    }
    s.desiredNumberScheduled++;
    if (!scheduled) continue;
    s.currentNumberScheduled++;
    const pod = [...pods].sort(comparePodsByCreationTimestampAndPhase)[0];
    if (isPodReady(pod)) {
      s.numberReady++;
      if (isPodAvailable(pod, ds.spec?.minReadySeconds ?? 0, now)) s.numberAvailable++;
    }
    if (isPodUpdated(pod, hash, generation)) s.updatedNumberScheduled++;
  }
  s.numberUnavailable = s.desiredNumberScheduled - s.numberAvailable;
  return s;
}
