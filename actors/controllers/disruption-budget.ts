// The PodDisruptionBudget arithmetic of pkg/controller/disruption/disruption.go, as pure
// functions of the pods, the budget and the time: getExpectedPodCount, countHealthyPods,
// buildDisruptedPodMap and the status updatePdbStatus writes. The controller wires them to
// informers and the API (disruption.ts).
import type { KubeObject } from '../../api/types.ts';
import { isPodReady, getPodCondition } from '../../api/podutil.ts';
import { parseTime } from '../../api/time.ts';
import { DISRUPTION_TARGET, conditionsAreUpToDate, updateDisruptionAllowedCondition } from '../../api/eviction.ts';
import { deepEqual } from '../../api/equal.ts';

/** DeletionTimeout: an entry of status.disruptedPods not seen deleted within this is dropped. */
export const DELETION_TIMEOUT_MS = 2 * 60_000;
/** stalePodDisruptionTimeout: a DisruptionTarget condition on a pod not being deleted is reset after this. */
export const STALE_POD_DISRUPTION_TIMEOUT_MS = 2 * 60_000;

export type IntOrString = number | string;

/**
 * intstr.GetScaledValueFromIntOrPercent: an int as is; "N%" of total, rounded up or down.
 * Worked example (configure-pdb): 7 pods, minAvailable "50%" rounds up to 4.
 */
export function getScaledValueFromIntOrPercent(v: IntOrString, total: number, roundUp: boolean): number {
  if (typeof v === 'number') return v;
  const m = /^(-?\d+)%$/.exec(v);
  if (!m) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  const scaled = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

/** The scale of one controller of the budget's pods (controllerAndScale). */
export interface ControllerScale {
  uid: string;
  scale: number;
}

/** Maps a pod's controller reference to its controller's scale, or undefined; throws an error message. */
export type ScaleFinder = (ref: { apiVersion: string; kind: string; name: string; uid: string }, namespace: string) => ControllerScale | undefined;

export interface ExpectedCount {
  expectedCount: number;
  desiredHealthy: number;
  unmanagedPods: string[];
}

/**
 * getExpectedPodCount: maxUnavailable (int or percent, rounded up) is taken from the scale of
 * the pods' controllers; an integer minAvailable counts the selected pods as expected; a
 * percent minAvailable is a fraction (rounded up) of the controllers' scale.
 * Worked examples: 3 replicas, maxUnavailable "34%" → ceil(1.02) = 2 unavailable → desired 1;
 * 3 replicas, minAvailable "50%" → desired ceil(1.5) = 2.
 */
export function getExpectedPodCount(pdb: KubeObject, pods: KubeObject[], finder: ScaleFinder): ExpectedCount {
  const spec = pdb.spec ?? {};
  if (spec.maxUnavailable !== undefined && spec.maxUnavailable !== null) {
    const { expectedCount, unmanagedPods } = getExpectedScale(pods, finder);
    const maxUnavailable = getScaledValueFromIntOrPercent(spec.maxUnavailable, expectedCount, true);
    return { expectedCount, desiredHealthy: Math.max(0, expectedCount - maxUnavailable), unmanagedPods };
  }
  if (spec.minAvailable !== undefined && spec.minAvailable !== null) {
    if (typeof spec.minAvailable === 'number') return { expectedCount: pods.length, desiredHealthy: spec.minAvailable, unmanagedPods: [] };
    const { expectedCount, unmanagedPods } = getExpectedScale(pods, finder);
    return { expectedCount, desiredHealthy: getScaledValueFromIntOrPercent(spec.minAvailable, expectedCount, true), unmanagedPods };
  }
  return { expectedCount: 0, desiredHealthy: 0, unmanagedPods: [] };
}

/**
 * getExpectedScale: Σ scale(c) over the distinct controllers of the pods; pods with no
 * controller are reported as unmanaged; a controller no finder knows is an error.
 */
export function getExpectedScale(pods: KubeObject[], finder: ScaleFinder): { expectedCount: number; unmanagedPods: string[] } {
  const controllerScale = new Map<string, number>();
  const unmanagedPods: string[] = [];
  for (const pod of pods) {
    const ref = (pod.metadata.ownerReferences ?? []).find((r: any) => r.controller === true);
    if (!ref) {
      unmanagedPods.push(pod.metadata.name!);
      continue;
    }
    if (controllerScale.has(ref.uid)) continue;
    const found = finder(ref, pod.metadata.namespace!);
    if (!found) throw new Error(`found no controllers for pod "${pod.metadata.name}"`);
    controllerScale.set(found.uid, found.scale);
  }
  let expectedCount = 0;
  for (const n of controllerScale.values()) expectedCount += n;
  return { expectedCount, unmanagedPods };
}

/**
 * countHealthyPods: Ready pods that are neither being deleted nor in disruptedPods with an
 * entry younger than DeletionTimeout.
 */
export function countHealthyPods(pods: KubeObject[], disruptedPods: Record<string, string>, nowMs: number, epoch?: number): number {
  let healthy = 0;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const t = disruptedPods[pod.metadata.name!];
    if (t !== undefined && parseTime(t, epoch) + DELETION_TIMEOUT_MS > nowMs) continue;
    if (isPodReady(pod)) healthy++;
  }
  return healthy;
}

export interface DisruptedPodMap {
  disruptedPods: Record<string, string>;
  /** When the earliest remaining entry expires (virtual ms), if any. */
  recheckTime?: number;
  /** Pods whose entry expired without the pod being deleted (a NotDeleted event each). */
  notDeleted: KubeObject[];
}

/**
 * buildDisruptedPodMap: keeps the entries of pods that still exist and are not yet being
 * deleted, drops expired ones (reporting them), and says when to look again.
 */
export function buildDisruptedPodMap(pods: KubeObject[], pdb: KubeObject, nowMs: number, epoch?: number): DisruptedPodMap {
  const old: Record<string, string> = pdb.status?.disruptedPods ?? {};
  const disruptedPods: Record<string, string> = {};
  const notDeleted: KubeObject[] = [];
  let recheckTime: number | undefined;
  for (const pod of pods) {
    if (pod.metadata.deletionTimestamp) continue;
    const t = old[pod.metadata.name!];
    if (t === undefined) continue;
    const expectedDeletion = parseTime(t, epoch) + DELETION_TIMEOUT_MS;
    if (expectedDeletion < nowMs) {
      notDeleted.push(pod);
    } else {
      if (recheckTime === undefined || expectedDeletion < recheckTime) recheckTime = expectedDeletion;
      disruptedPods[pod.metadata.name!] = t;
    }
  }
  return { disruptedPods: sortKeys(disruptedPods), recheckTime, notDeleted };
}

export interface PdbCounts {
  currentHealthy: number;
  desiredHealthy: number;
  expectedCount: number;
  disruptedPods: Record<string, string>;
}

/**
 * updatePdbStatus's new status, or undefined when the stored one is already right.
 * disruptionsAllowed = currentHealthy − desiredHealthy, and 0 while no pod is expected.
 */
export function pdbStatusUpdate(pdb: KubeObject, counts: PdbCounts, now: string): Record<string, any> | undefined {
  const { currentHealthy, desiredHealthy, expectedCount, disruptedPods } = counts;
  let disruptionsAllowed = currentHealthy - desiredHealthy;
  if (expectedCount <= 0 || disruptionsAllowed <= 0) disruptionsAllowed = 0;
  const st = pdb.status ?? {};
  if ((st.currentHealthy ?? 0) === currentHealthy && (st.desiredHealthy ?? 0) === desiredHealthy && (st.expectedPods ?? 0) === expectedCount
    && (st.disruptionsAllowed ?? 0) === disruptionsAllowed && deepEqual(st.disruptedPods ?? {}, disruptedPods)
    && st.observedGeneration === pdb.metadata.generation && conditionsAreUpToDate(pdb)) return undefined;
  const status: Record<string, any> = { observedGeneration: pdb.metadata.generation };
  if (Object.keys(disruptedPods).length) status.disruptedPods = disruptedPods;
  Object.assign(status, { disruptionsAllowed, currentHealthy, desiredHealthy, expectedPods: expectedCount, conditions: st.conditions ?? [] });
  const next = { ...pdb, status };
  updateDisruptionAllowedCondition(next, now);
  return next.status;
}

/**
 * nonTerminatingPodHasStaleDisruptionCondition: a DisruptionTarget=True condition (not the
 * kubelet's) on a pod that is neither being deleted nor terminal; returns how long to wait
 * before resetting it, or undefined.
 */
export function staleDisruptionWait(pod: KubeObject, nowMs: number, epoch?: number): number | undefined {
  if (pod.metadata.deletionTimestamp) return undefined;
  const cond = getPodCondition(pod, DISRUPTION_TARGET);
  const phase = pod.status?.phase;
  if (!cond || cond.status !== 'True' || cond.reason === 'TerminationByKubelet' || phase === 'Succeeded' || phase === 'Failed') return undefined;
  const since = cond.lastTransitionTime ? parseTime(cond.lastTransitionTime, epoch) : nowMs;
  return Math.max(0, STALE_POD_DISRUPTION_TIMEOUT_MS - (nowMs - since));
}

/** metav1.LabelSelector's String(), as `%v` prints it in the UnmanagedPods event. */
export function labelSelectorString(sel: any): string {
  if (!sel) return '<nil>';
  const labels = sel.matchLabels ?? {};
  const ml = Object.keys(labels).sort().map((k) => `${k}: ${labels[k]},`).join('');
  const exprs = (sel.matchExpressions ?? []).map((e: any) => `LabelSelectorRequirement{Key:${e.key},Operator:${e.operator},Values:[${(e.values ?? []).join(' ')}],},`).join('');
  return `&LabelSelector{MatchLabels:map[string]string{${ml}},MatchExpressions:[]LabelSelectorRequirement{${exprs}},}`;
}

function sortKeys(m: Record<string, string>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const k of Object.keys(m).sort()) out[k] = m[k];
  return out;
}
