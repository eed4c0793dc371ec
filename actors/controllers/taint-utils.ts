// Taint helpers the node lifecycle, taint eviction and pod GC controllers share, after
// pkg/util/taints (TaintExists, TaintSetDiff), pkg/controller/controller_utils.go
// (AddOrUpdateTaintOnNode, RemoveTaintOffNode), pkg/controller/util/node (SwapNodeControllerTaint),
// pkg/apis/core/v1/helper (GetMatchingTolerations) and tainteviction (getMinTolerationTime).
import { toleratesTaint, type Taint, type Toleration } from '../../api/podutil.ts';

export const TAINT_NODE_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_NODE_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_NODE_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const TAINT_NODE_MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';
export const TAINT_NODE_DISK_PRESSURE = 'node.kubernetes.io/disk-pressure';
export const TAINT_NODE_PID_PRESSURE = 'node.kubernetes.io/pid-pressure';
export const TAINT_NODE_NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable';
export const TAINT_NODE_OUT_OF_SERVICE = 'node.kubernetes.io/out-of-service';

/** UnreachableTaintTemplate: Ready is Unknown. */
export const UNREACHABLE_TAINT: Taint = { key: TAINT_NODE_UNREACHABLE, effect: 'NoExecute' };
/** NotReadyTaintTemplate: Ready is False. */
export const NOT_READY_TAINT: Taint = { key: TAINT_NODE_NOT_READY, effect: 'NoExecute' };

/** TaintExists: a taint with the same key and effect (MatchTaint). */
export function taintExists(taints: Taint[] | undefined, t: Taint): boolean {
  return (taints ?? []).some((x) => x.key === t.key && x.effect === t.effect);
}

/** TaintKeyExists: any taint with this key, whatever its effect. */
export function taintKeyExists(taints: Taint[] | undefined, key: string): boolean {
  return (taints ?? []).some((x) => x.key === key);
}

/** getNoExecuteTaints. */
export function getNoExecuteTaints(taints: Taint[] | undefined): Taint[] {
  return (taints ?? []).filter((t) => t.effect === 'NoExecute');
}

/**
 * TaintSetDiff: the taints of `wanted` missing from `current` (to add) and those of `current`
 * not in `wanted` (to remove), matched by key and effect.
 */
export function taintSetDiff(wanted: Taint[], current: Taint[]): { toAdd: Taint[]; toRemove: Taint[] } {
  return {
    toAdd: wanted.filter((t) => !taintExists(current, t)),
    toRemove: current.filter((t) => !taintExists(wanted, t)),
  };
}

/**
 * SwapNodeControllerTaint's effect on a taint list: the added taints get timeAdded = now
 * (a taint already there with the same key, effect and value is kept as it is, with its
 * timeAdded), then the removed ones go. Returns the new list and whether it changed.
 */
export function swapTaints(current: Taint[] | undefined, toAdd: Taint[], toRemove: Taint[], now: string): { taints: Taint[]; changed: boolean } {
  let taints = [...(current ?? [])];
  let changed = false;
  for (const t of toAdd) {
    const i = taints.findIndex((x) => x.key === t.key && x.effect === t.effect);
    if (i >= 0 && (taints[i].value ?? '') === (t.value ?? '')) continue;
    const added: Taint = { ...t, timeAdded: now };
    if (i >= 0) taints[i] = added;
    else taints.push(added);
    changed = true;
  }
  const before = taints.length;
  taints = taints.filter((x) => !taintExists(toRemove, x));
  if (taints.length !== before) changed = true;
  return { taints, changed };
}

/**
 * GetMatchingTolerations: whether every taint is tolerated, and for each taint the first
 * toleration that tolerates it.
 */
export function getMatchingTolerations(taints: Taint[], tolerations: Toleration[] | undefined): { allTolerated: boolean; used: Toleration[] } {
  if (taints.length === 0) return { allTolerated: true, used: [] };
  const used: Toleration[] = [];
  for (const taint of taints) {
    const t = (tolerations ?? []).find((tol) => toleratesTaint(tol, taint));
    if (!t) return { allTolerated: false, used: [] };
    used.push(t);
  }
  return { allTolerated: true, used };
}

/**
 * getMinTolerationTime in ms: 0 for no tolerations or any tolerationSeconds ≤ 0, the smallest
 * tolerationSeconds otherwise, and -1 (tolerated forever) when none sets tolerationSeconds.
 */
export function getMinTolerationTimeMs(tolerations: Toleration[]): number {
  if (tolerations.length === 0) return 0;
  let min = Infinity;
  for (const t of tolerations) {
    if (t.tolerationSeconds === undefined || t.tolerationSeconds === null) continue;
    if (t.tolerationSeconds <= 0) return 0;
    min = Math.min(min, t.tolerationSeconds);
  }
  return min === Infinity ? -1 : min * 1000;
}
