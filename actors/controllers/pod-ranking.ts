// Which pods a ReplicaSet deletes first on scale-down: ActivePodsWithRanks.Less
// (pkg/controller/controller_utils.go) with PodDeletionCost and LogarithmicScaleDown (both on by
// default), and getPodsToDelete / getPodsRankedByRelatedPodsOnSameNode (replica_set.go).
// k8s-facts §2.2. Sorted ascending: the first pods are deleted first.
import type { KubeObject } from '../../api/types.ts';
import { getPodCondition, isPodActive, isPodReady } from '../../api/podutil.ts';
import { parseTime } from '../../api/time.ts';

export const POD_DELETION_COST_ANNOTATION = 'controller.kubernetes.io/pod-deletion-cost';

const PHASE_ORDINAL: Record<string, number> = { Pending: 0, Unknown: 1, Running: 2 };

export interface RankedPod {
  pod: KubeObject;
  /** Active pods of the same owner on this pod's node ("doubled up" pods go first). */
  rank: number;
}

/**
 * ActivePodsWithRanks.Less: a negative result means `a` is deleted before `b`.
 * 1 unassigned first; 2 Pending < Unknown < Running; 3 not ready first; 4 lower deletion cost
 * first; 5 higher rank first; 6 both ready: more recently ready first, on a log2 scale of age
 * with UID as tie-break; 7 more container restarts first; 8 newer first (log2 scale, UID tie-break).
 */
export function comparePodsForDeletion(a: RankedPod, b: RankedPod, nowMs: number): number {
  const pa = a.pod;
  const pb = b.pod;
  const na = pa.spec?.nodeName ?? '';
  const nb = pb.spec?.nodeName ?? '';
  if (na !== nb && (na === '' || nb === '')) return na === '' ? -1 : 1;
  const oa = PHASE_ORDINAL[pa.status?.phase] ?? 0;
  const ob = PHASE_ORDINAL[pb.status?.phase] ?? 0;
  if (oa !== ob) return oa - ob;
  const ra = isPodReady(pa);
  const rb = isPodReady(pb);
  if (ra !== rb) return ra ? 1 : -1;
  const ca = deletionCost(pa);
  const cb = deletionCost(pb);
  if (ca !== cb) return ca < cb ? -1 : 1;
  if (a.rank !== b.rank) return b.rank - a.rank;
  if (ra && rb) {
    const byReady = compareTimes(readyTime(pa), readyTime(pb), pa, pb, nowMs);
    if (byReady !== 0) return byReady;
  }
  const restarts = compareMaxContainerRestarts(pa, pb);
  if (restarts !== 0) return restarts;
  return compareTimes(timeOf(pa.metadata.creationTimestamp), timeOf(pb.metadata.creationTimestamp), pa, pb, nowMs);
}

/**
 * Later (younger) first, zero times first; with LogarithmicScaleDown the ages are compared as
 * floor(log2(age in ns)) buckets and pods in the same bucket are ordered by UID.
 */
function compareTimes(ta: number | undefined, tb: number | undefined, pa: KubeObject, pb: KubeObject, nowMs: number): number {
  if (ta === tb) return 0;
  if (ta === undefined || tb === undefined) return ta === undefined ? -1 : 1;
  const diff = logarithmicRankDiff(ta, tb, nowMs);
  if (diff === 0) {
    const ua = pa.metadata.uid ?? '';
    const ub = pb.metadata.uid ?? '';
    return ua < ub ? -1 : ua > ub ? 1 : 0;
  }
  return diff;
}

/**
 * logarithmicRankDiff: floor(log2(now − t1)) − floor(log2(now − t2)) with ages in nanoseconds
 * (a zero or negative age ranks −1). Example: pods aged 80 min and 140 min share bucket 42
 * (2^42 ns ≈ 73.3 min up to 2^43 ns ≈ 146.6 min), so their UIDs decide between them; a 10 min
 * old pod (bucket 39) goes before both.
 */
export function logarithmicRankDiff(t1Ms: number, t2Ms: number, nowMs: number): number {
  return logRank(nowMs - t1Ms) - logRank(nowMs - t2Ms);
}

function logRank(ageMs: number): number {
  return ageMs > 0 ? Math.floor(Math.log2(ageMs * 1e6)) : -1;
}

/** GetDeletionCostFromPodAnnotations: an int32, 0 when absent or invalid. */
export function deletionCost(pod: KubeObject): number {
  const v = pod.metadata.annotations?.[POD_DELETION_COST_ANNOTATION];
  if (v === undefined || !/^[+-]?\d+$/.test(v)) return 0;
  const n = Number(v);
  return n >= -2147483648 && n <= 2147483647 ? n : 0;
}

function readyTime(pod: KubeObject): number | undefined {
  const c = getPodCondition(pod, 'Ready');
  return c?.status === 'True' ? timeOf(c.lastTransitionTime) : undefined;
}

function timeOf(s: string | undefined | null): number | undefined {
  return s ? parseTime(s) : undefined;
}

/** Regular containers' restarts decide first, then restartable init (sidecar) containers'. */
function compareMaxContainerRestarts(a: KubeObject, b: KubeObject): number {
  const [ra, sa] = maxContainerRestarts(a);
  const [rb, sb] = maxContainerRestarts(b);
  if (ra !== rb) return rb - ra;
  return sb - sa;
}

function maxContainerRestarts(pod: KubeObject): [number, number] {
  let regular = 0;
  let sidecar = 0;
  for (const c of pod.status?.containerStatuses ?? []) regular = Math.max(regular, c.restartCount ?? 0);
  const sidecars = new Set((pod.spec?.initContainers ?? []).filter((c: any) => c.restartPolicy === 'Always').map((c: any) => c.name));
  for (const c of pod.status?.initContainerStatuses ?? []) if (sidecars.has(c.name)) sidecar = Math.max(sidecar, c.restartCount ?? 0);
  return [regular, sidecar];
}

/** getPodsRankedByRelatedPodsOnSameNode: rank = active related pods on the same node. */
export function rankPodsByRelatedPodsOnSameNode(pods: KubeObject[], related: KubeObject[]): RankedPod[] {
  const onNode = new Map<string, number>();
  for (const p of related) if (isPodActive(p)) onNode.set(p.spec?.nodeName ?? '', (onNode.get(p.spec?.nodeName ?? '') ?? 0) + 1);
  return pods.map((pod) => ({ pod, rank: onNode.get(pod.spec?.nodeName ?? '') ?? 0 }));
}

/** getPodsToDelete: the first `diff` pods in deletion order (no sorting when all go). */
export function getPodsToDelete(filteredPods: KubeObject[], relatedPods: KubeObject[], diff: number, nowMs: number): KubeObject[] {
  if (diff >= filteredPods.length) return filteredPods.slice(0, diff);
  const ranked = rankPodsByRelatedPodsOnSameNode(filteredPods, relatedPods);
  ranked.sort((a, b) => comparePodsForDeletion(a, b, nowMs));
  return ranked.slice(0, diff).map((r) => r.pod);
}
