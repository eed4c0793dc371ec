// Pure helpers of the DaemonSet controller, after pkg/controller/daemon/util/daemonset_util.go
// (daemon tolerations, the pod template with its hash label, node-name affinity, surge and
// unavailability counts) and the pure parts of pkg/controller/daemon/daemon_controller.go
// (NodeShouldRunDaemonPod, podsShouldBeOnNode, podByCreationTimestampAndPhase, the failed-pod
// back-off, shouldIgnoreNodeUpdate).
import type { KubeObject } from '../../api/types.ts';
import { clone, deepEqual } from '../../api/equal.ts';
import { parseTime } from '../../api/time.ts';
import {
  findUntoleratedTaint, isPodAvailable, isPodReady, podMatchesNodeSelectorAndAffinity, type Taint, type Toleration,
} from '../../api/podutil.ts';
import { CONTROLLER_REVISION_HASH_LABEL } from './history.ts';

/** extensions.DaemonSetTemplateGenerationKey: the pod label carrying the template generation. */
export const DAEMONSET_TEMPLATE_GENERATION_LABEL = 'pod-template-generation';
/** apps.DeprecatedTemplateGeneration: the DaemonSet annotation the API server keeps the template generation in. */
export const DEPRECATED_TEMPLATE_GENERATION_ANNOTATION = 'deprecated.daemonset.template.generation';
/** apps.DefaultDaemonSetUniqueLabelKey (= ControllerRevisionHashLabelKey). */
export const DAEMONSET_UNIQUE_LABEL = CONTROLLER_REVISION_HASH_LABEL;

export const TAINT_NODE_NOT_READY = 'node.kubernetes.io/not-ready';
export const TAINT_NODE_UNREACHABLE = 'node.kubernetes.io/unreachable';
export const TAINT_NODE_DISK_PRESSURE = 'node.kubernetes.io/disk-pressure';
export const TAINT_NODE_MEMORY_PRESSURE = 'node.kubernetes.io/memory-pressure';
export const TAINT_NODE_PID_PRESSURE = 'node.kubernetes.io/pid-pressure';
export const TAINT_NODE_UNSCHEDULABLE = 'node.kubernetes.io/unschedulable';
export const TAINT_NODE_NETWORK_UNAVAILABLE = 'node.kubernetes.io/network-unavailable';

/** Event reasons of the DaemonSet controller (daemon_controller.go). */
export const SELECTING_ALL_REASON = 'SelectingAll';
export const FAILED_PLACEMENT_REASON = 'FailedPlacement';
export const FAILED_DAEMON_POD_REASON = 'FailedDaemonPod';
export const SUCCEEDED_DAEMON_POD_REASON = 'SucceededDaemonPod';

// ---------------------------------------------------------------------- template

/** GetTemplateGeneration: the deprecated template-generation annotation, if set and numeric. */
export function getTemplateGeneration(ds: KubeObject): number | undefined {
  const v = ds.metadata.annotations?.[DEPRECATED_TEMPLATE_GENERATION_ANNOTATION];
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isInteger(n) ? n : undefined;
}

/** Toleration.MatchToleration: same key, operator, value and effect. */
function matchToleration(a: Toleration, b: Toleration): boolean {
  return (a.key ?? '') === (b.key ?? '') && (a.operator ?? 'Equal') === (b.operator ?? 'Equal')
    && (a.value ?? '') === (b.value ?? '') && (a.effect ?? '') === (b.effect ?? '');
}

/** AddOrUpdateTolerationInPodSpec: replaces the matching tolerations (unless one is identical), or appends. */
function addOrUpdateToleration(spec: any, toleration: Toleration): void {
  const tolerations: Toleration[] = spec.tolerations ?? [];
  const matching = tolerations.filter((t) => matchToleration(t, toleration));
  if (matching.some((t) => deepEqual(t, toleration))) return;
  spec.tolerations = matching.length ? tolerations.map((t) => (matchToleration(t, toleration) ? { ...toleration } : t)) : [...tolerations, { ...toleration }];
}

/**
 * AddOrUpdateDaemonPodTolerations: daemon pods are never evicted for a not-ready or unreachable
 * node (NoExecute, no tolerationSeconds) and schedule despite disk, memory and PID pressure and
 * cordoning; host-network pods also despite an unavailable network (NoSchedule).
 */
export function addOrUpdateDaemonPodTolerations(spec: any): void {
  addOrUpdateToleration(spec, { key: TAINT_NODE_NOT_READY, operator: 'Exists', effect: 'NoExecute' });
  addOrUpdateToleration(spec, { key: TAINT_NODE_UNREACHABLE, operator: 'Exists', effect: 'NoExecute' });
  addOrUpdateToleration(spec, { key: TAINT_NODE_DISK_PRESSURE, operator: 'Exists', effect: 'NoSchedule' });
  addOrUpdateToleration(spec, { key: TAINT_NODE_MEMORY_PRESSURE, operator: 'Exists', effect: 'NoSchedule' });
  addOrUpdateToleration(spec, { key: TAINT_NODE_PID_PRESSURE, operator: 'Exists', effect: 'NoSchedule' });
  addOrUpdateToleration(spec, { key: TAINT_NODE_UNSCHEDULABLE, operator: 'Exists', effect: 'NoSchedule' });
  if (spec.hostNetwork) addOrUpdateToleration(spec, { key: TAINT_NODE_NETWORK_UNAVAILABLE, operator: 'Exists', effect: 'NoSchedule' });
}

/** CreatePodTemplate: the template with daemon tolerations, pod-template-generation (if known) and the revision hash label. */
export function createPodTemplate(template: any, generation: number | undefined, hash: string): any {
  const t = clone(template ?? {});
  t.spec ??= {};
  addOrUpdateDaemonPodTolerations(t.spec);
  t.metadata ??= {};
  t.metadata.labels = { ...(t.metadata.labels ?? {}) };
  if (generation !== undefined) t.metadata.labels[DAEMONSET_TEMPLATE_GENERATION_LABEL] = String(generation);
  if (hash) t.metadata.labels[DAEMONSET_UNIQUE_LABEL] = hash;
  return t;
}

/**
 * ReplaceDaemonSetPodNodeNameNodeAffinity: the required node affinity becomes the single term
 * `matchFields: metadata.name In [nodeName]`; preferred terms and other affinities stay.
 */
export function replaceDaemonSetPodNodeNameNodeAffinity(affinity: any, nodeName: string): any {
  const terms = [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [nodeName] }] }];
  const out = clone(affinity ?? {});
  out.nodeAffinity ??= {};
  out.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution = { ...(out.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution ?? {}), nodeSelectorTerms: terms };
  return out;
}

/** GetTargetNodeName: spec.nodeName, or the node a pending pod's `metadata.name In [x]` term names. */
export function getTargetNodeName(pod: KubeObject): string | undefined {
  if (pod.spec?.nodeName) return pod.spec.nodeName;
  const terms: any[] = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution?.nodeSelectorTerms ?? [];
  for (const term of terms) {
    for (const exp of term.matchFields ?? []) {
      if (exp.key === 'metadata.name' && exp.operator === 'In') return exp.values?.length === 1 ? exp.values[0] : undefined;
    }
  }
  return undefined;
}

/** IsPodUpdated: the pod carries the current revision hash, or the current template generation. */
export function isPodUpdated(pod: KubeObject, hash: string, generation: number | undefined): boolean {
  const labels = pod.metadata.labels ?? {};
  const templateMatches = generation !== undefined && labels[DAEMONSET_TEMPLATE_GENERATION_LABEL] === String(generation);
  const hashMatches = hash.length > 0 && labels[DAEMONSET_UNIQUE_LABEL] === hash;
  return hashMatches || templateMatches;
}

// ---------------------------------------------------------------------- surge and unavailability

/** intstr.GetScaledValueFromIntOrPercent: an integer, or a percentage of total (rounded up or down). */
export function getScaledValueFromIntOrPercent(v: number | string | undefined | null, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) {
    const n = Number(v);
    if (Number.isInteger(n)) return n;
    throw new Error(`invalid value for IntOrString: invalid value "${v}"`);
  }
  const scaled = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

/** SurgeCount: maxSurge of numberToSchedule (0 unless RollingUpdate). */
export function surgeCount(ds: KubeObject, numberToSchedule: number): number {
  const s = ds.spec?.updateStrategy;
  if (s?.type !== 'RollingUpdate' || !s.rollingUpdate) return 0;
  return getScaledValueFromIntOrPercent(s.rollingUpdate.maxSurge, numberToSchedule, true);
}

/** UnavailableCount: maxUnavailable of numberToSchedule (0 unless RollingUpdate). */
export function unavailableCount(ds: KubeObject, numberToSchedule: number): number {
  const s = ds.spec?.updateStrategy;
  if (s?.type !== 'RollingUpdate' || !s.rollingUpdate) return 0;
  return getScaledValueFromIntOrPercent(s.rollingUpdate.maxUnavailable, numberToSchedule, true);
}

/** AllowsSurge: more than one pod may run on a node during an update. */
export function allowsSurge(ds: KubeObject): boolean {
  try {
    return surgeCount(ds, 1) > 0;
  } catch {
    return false;
  }
}

// ---------------------------------------------------------------------- which nodes

/** NewPod: the pod the DaemonSet would run on `nodeName` (template, namespace, node name, daemon tolerations). */
export function newPod(ds: KubeObject, nodeName: string): KubeObject {
  const template = ds.spec?.template ?? {};
  const spec = clone(template.spec ?? {});
  spec.nodeName = nodeName;
  addOrUpdateDaemonPodTolerations(spec);
  return { apiVersion: 'v1', kind: 'Pod', metadata: { ...clone(template.metadata ?? {}), namespace: ds.metadata.namespace }, spec };
}

const NO_SCHEDULE_OR_EXECUTE: ReadonlyArray<Taint['effect']> = ['NoSchedule', 'NoExecute'];
const NO_EXECUTE: ReadonlyArray<Taint['effect']> = ['NoExecute'];

export interface ShouldRun {
  /** A daemon pod should be created on the node if it has none. */
  shouldRun: boolean;
  /** A daemon pod already on the node may stay. */
  shouldContinueRunning: boolean;
}

/**
 * NodeShouldRunDaemonPod: node name, nodeSelector and required node affinity must fit; a taint
 * the pod does not tolerate (NoSchedule or NoExecute) stops new pods, but only an untolerated
 * NoExecute taint removes a pod already there.
 */
export function nodeShouldRunDaemonPod(node: KubeObject, ds: KubeObject): ShouldRun {
  const templateNodeName = ds.spec?.template?.spec?.nodeName;
  if (templateNodeName && templateNodeName !== node.metadata.name) return { shouldRun: false, shouldContinueRunning: false };
  const pod = newPod(ds, node.metadata.name!);
  const taints: Taint[] = node.spec?.taints ?? [];
  if (!podMatchesNodeSelectorAndAffinity(pod, node)) return { shouldRun: false, shouldContinueRunning: false };
  if (findUntoleratedTaint(taints, pod.spec.tolerations, NO_SCHEDULE_OR_EXECUTE)) {
    return { shouldRun: false, shouldContinueRunning: !findUntoleratedTaint(taints, pod.spec.tolerations, NO_EXECUTE) };
  }
  return { shouldRun: true, shouldContinueRunning: true };
}

/** podByCreationTimestampAndPhase.Less: scheduled pods first, then oldest, then by name. */
export function comparePodsByCreationTimestampAndPhase(a: KubeObject, b: KubeObject): number {
  const sa = Boolean(a.spec?.nodeName);
  const sb = Boolean(b.spec?.nodeName);
  if (sa !== sb) return sa ? -1 : 1;
  const ta = a.metadata.creationTimestamp ? parseTime(a.metadata.creationTimestamp) : 0;
  const tb = b.metadata.creationTimestamp ? parseTime(b.metadata.creationTimestamp) : 0;
  if (ta !== tb) return ta - tb;
  return a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0;
}

/** nodeInSameCondition: the same set of condition types with status True. */
function nodeInSameCondition(old: any[] | undefined, cur: any[] | undefined): boolean {
  const trueTypes = (cs: any[] | undefined) => (cs ?? []).filter((c) => c.status === 'True').map((c) => c.type as string).sort();
  return deepEqual(trueTypes(old), trueTypes(cur));
}

/** shouldIgnoreNodeUpdate: only heartbeats changed (resourceVersion and conditions with the same True set). */
export function shouldIgnoreNodeUpdate(old: KubeObject, cur: KubeObject): boolean {
  if (!nodeInSameCondition(old.status?.conditions, cur.status?.conditions)) return false;
  const strip = (n: KubeObject) => ({ ...n, metadata: { ...n.metadata, resourceVersion: undefined }, status: { ...(n.status ?? {}), conditions: undefined } });
  return deepEqual(JSON.parse(JSON.stringify(strip(old))), JSON.parse(JSON.stringify(strip(cur))));
}

// ---------------------------------------------------------------------- failed pods back-off

/**
 * flowcontrol.Backoff as kube-controller-manager builds it for the DaemonSet controller
 * (NewBackOff(1s, 15min)): per key, a delay that starts at 1 s and doubles at each Next up to
 * 15 min; an entry untouched for twice the maximum starts over.
 */
export class FailedPodsBackoff {
  private readonly entries = new Map<string, { backoff: number; lastUpdate: number }>();

  constructor(readonly initialMs = 1_000, readonly maxMs = 15 * 60_000) {}

  /** Get: the key's current delay (0 if none). */
  get(key: string): number {
    return this.entries.get(key)?.backoff ?? 0;
  }

  /** Next: starts or doubles the key's delay, from `now`. */
  next(key: string, now: number): void {
    const e = this.entries.get(key);
    if (!e || this.hasExpired(now, e.lastUpdate)) this.entries.set(key, { backoff: this.initialMs, lastUpdate: now });
    else this.entries.set(key, { backoff: Math.min(e.backoff * 2, this.maxMs), lastUpdate: now });
  }

  /** IsInBackOffSinceUpdate: less than the key's delay has passed since its last Next. */
  isInBackOffSinceUpdate(key: string, now: number): boolean {
    const e = this.entries.get(key);
    if (!e || this.hasExpired(now, e.lastUpdate)) return false;
    return now - e.lastUpdate < e.backoff;
  }

  /** GC: forgets entries untouched for twice the maximum delay. */
  gc(now: number): void {
    for (const [k, e] of [...this.entries]) if (this.hasExpired(now, e.lastUpdate)) this.entries.delete(k);
  }

  private hasExpired(now: number, lastUpdate: number): boolean {
    return now - lastUpdate > 2 * this.maxMs;
  }

  snapshot(): Record<string, { backoff: number; lastUpdate: number }> {
    return Object.fromEntries([...this.entries].sort((a, b) => (a[0] < b[0] ? -1 : 1)));
  }
}

/** failedPodsBackoffKey: `<ds uid>/<observedGeneration>/<node>`. */
export function failedPodsBackoffKey(ds: KubeObject, nodeName: string): string {
  return `${ds.metadata.uid}/${ds.status?.observedGeneration ?? 0}/${nodeName}`;
}

// ---------------------------------------------------------------------- podsShouldBeOnNode

export interface DaemonEvent {
  type: 'Normal' | 'Warning';
  reason: string;
  message: string;
}

export interface NodePlan {
  nodesNeedingDaemonPods: string[];
  podsToDelete: string[];
  events: DaemonEvent[];
  /** Sync again after this long (a failed pod waits out its back-off). */
  requeueAfter?: number;
}

/**
 * podsShouldBeOnNode: what one node needs. No pod where one should run: create one. Pods that
 * may stay: failed ones are deleted (at most once per back-off delay, with a FailedDaemonPod
 * event), succeeded ones too; without surge only the oldest running pod stays; with surge an
 * old and a new pod may both stay while the new one is not yet available. Pods where none may
 * run are deleted.
 */
export function podsShouldBeOnNode(node: KubeObject, nodeToDaemonPods: Map<string, KubeObject[]>, ds: KubeObject, hash: string,
  backoff: FailedPodsBackoff, now: number): NodePlan {
  const plan: NodePlan = { nodesNeedingDaemonPods: [], podsToDelete: [], events: [] };
  const { shouldRun, shouldContinueRunning } = nodeShouldRunDaemonPod(node, ds);
  const nodeName = node.metadata.name!;
  const daemonPods = nodeToDaemonPods.get(nodeName);
  const exists = daemonPods !== undefined;
  if (shouldRun && !exists) {
    plan.nodesNeedingDaemonPods.push(nodeName);
  } else if (shouldContinueRunning) {
    const running: KubeObject[] = [];
    for (const pod of daemonPods ?? []) {
      if (pod.metadata.deletionTimestamp) continue;
      const where = `${pod.metadata.namespace}/${pod.metadata.name}`;
      if (pod.status?.phase === 'Failed') {
        const key = failedPodsBackoffKey(ds, nodeName);
        if (backoff.isInBackOffSinceUpdate(key, now)) {
          const delay = backoff.get(key);
          plan.requeueAfter = plan.requeueAfter === undefined ? delay : Math.min(plan.requeueAfter, delay);
          continue;
        }
        backoff.next(key, now);
        plan.events.push({ type: 'Warning', reason: FAILED_DAEMON_POD_REASON, message: `Found failed daemon pod ${where} on node ${nodeName}, will try to kill it` });
        plan.podsToDelete.push(pod.metadata.name!);
      } else if (pod.status?.phase === 'Succeeded') {
        plan.events.push({ type: 'Normal', reason: SUCCEEDED_DAEMON_POD_REASON, message: `Found succeeded daemon pod ${where} on node ${nodeName}, will try to delete it` });
        plan.podsToDelete.push(pod.metadata.name!);
      } else {
        running.push(pod);
      }
    }
    running.sort(comparePodsByCreationTimestampAndPhase);
    if (!allowsSurge(ds)) {
      // Without surge, every running pod but the oldest goes.
      for (const pod of running.slice(1)) plan.podsToDelete.push(pod.metadata.name!);
    } else if (running.length <= 1) {
      if (running.length === 0 && shouldRun) plan.nodesNeedingDaemonPods.push(nodeName);
    } else {
      surgePrune(ds, running, hash, now, plan);
    }
  } else if (exists) {
    for (const pod of daemonPods) if (!pod.metadata.deletionTimestamp) plan.podsToDelete.push(pod.metadata.name!);
  }
  return plan;
}

/**
 * With surge, keep the oldest new pod and the oldest old pod; the old one goes once it is not
 * Ready or once the new one is available; every other pod goes.
 */
function surgePrune(ds: KubeObject, running: KubeObject[], hash: string, now: number, plan: NodePlan): void {
  let oldestNew: KubeObject | undefined;
  let oldestOld: KubeObject | undefined;
  for (const pod of running) {
    const isNew = pod.metadata.labels?.[DAEMONSET_UNIQUE_LABEL] === hash;
    if (isNew && !oldestNew) oldestNew = pod;
    else if (!isNew && !oldestOld) oldestOld = pod;
    else plan.podsToDelete.push(pod.metadata.name!);
  }
  if (!oldestNew || !oldestOld) return;
  if (!isPodReady(oldestOld) || isPodAvailable(oldestNew, ds.spec?.minReadySeconds ?? 0, now)) plan.podsToDelete.push(oldestOld.metadata.name!);
}

/** getUnscheduledPodsWithoutNode: pending pods aimed at nodes that no longer exist (pod GC never sees them). */
export function getUnscheduledPodsWithoutNode(nodeList: readonly KubeObject[], nodeToDaemonPods: Map<string, KubeObject[]>): string[] {
  const running = new Set(nodeList.map((n) => n.metadata.name!));
  const out: string[] = [];
  for (const [node, pods] of nodeToDaemonPods) {
    if (running.has(node)) continue;
    for (const pod of pods) if (!pod.spec?.nodeName) out.push(pod.metadata.name!);
  }
  return out;
}
