// Pod and node helpers shared by the kubelet, the scheduler and the controllers, after
// k8s.io/kubernetes pkg/api/v1/pod/util.go, pkg/apis/core/v1/helper (taints, tolerations,
// node selectors) and the resource helpers (component-helpers/resource).
import type { KubeObject } from './types.ts';
import { parseQuantity } from './validation.ts';
import { parseTime } from './time.ts';

export interface PodCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastProbeTime?: string | null;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

export function getPodCondition(pod: KubeObject, type: string): PodCondition | undefined {
  const conditions: PodCondition[] | undefined = pod.status?.conditions;
  if (conditions) for (let i = 0; i < conditions.length; i++) if (conditions[i].type === type) return conditions[i];
  return undefined;
}

/** IsPodReady: the Ready condition is True. */
export function isPodReady(pod: KubeObject): boolean {
  return getPodCondition(pod, 'Ready')?.status === 'True';
}

/** IsPodAvailable: Ready for at least minReadySeconds (0 = as soon as Ready). */
export function isPodAvailable(pod: KubeObject, minReadySeconds: number, nowMs: number, epoch?: number): boolean {
  return isReadyConditionAvailable(getPodCondition(pod, 'Ready'), minReadySeconds, nowMs, epoch);
}

/** IsPodAvailable on the pod's Ready condition already found (a caller that counts Ready pods too). */
export function isReadyConditionAvailable(ready: PodCondition | undefined, minReadySeconds: number, nowMs: number, epoch?: number): boolean {
  if (ready?.status !== 'True') return false;
  return isAvailableSince(ready.lastTransitionTime ? parseTime(ready.lastTransitionTime, epoch) : Number.NaN, minReadySeconds, nowMs);
}

/** A Ready pod's availability from when it became Ready (NaN: its condition has no time, so now). */
export function isAvailableSince(readySinceMs: number, minReadySeconds: number, nowMs: number): boolean {
  if (minReadySeconds <= 0) return true;
  const since = Number.isNaN(readySinceMs) ? nowMs : readySinceMs;
  return since + minReadySeconds * 1000 <= nowMs;
}

/** IsPodActive (controller_utils): not Succeeded/Failed and not being deleted. */
export function isPodActive(pod: KubeObject): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Succeeded' && phase !== 'Failed' && !pod.metadata.deletionTimestamp;
}

export function isPodTerminal(pod: KubeObject): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed';
}

// ---------------------------------------------------------------------- resources

/** Resource amounts in base units: cpu in millicores, memory and storage in bytes. */
export interface Resources {
  cpu: number;
  memory: number;
  ephemeralStorage: number;
  pods: number;
  /** Other resources (extended resources, hugepages), by name. */
  other?: Record<string, number>;
}

export function emptyResources(): Resources {
  return { cpu: 0, memory: 0, ephemeralStorage: 0, pods: 0 };
}

/** A ResourceList ({cpu: '500m', memory: '1Gi'}) in base units (cpu in millicores). */
export function resourceList(list: Record<string, string | number> | undefined): Resources {
  const r = emptyResources();
  if (list) for (const name in list) setQuantity(r, name, list[name]);
  return r;
}

/** One entry of a ResourceList into `r` (an unparsable quantity is left out). */
function setQuantity(r: Resources, name: string, q: string | number): void {
  const v = parseQuantity(q);
  if (!Number.isFinite(v)) return;
  if (name === 'cpu') r.cpu = Math.round(v * 1000);
  else if (name === 'memory') r.memory = v;
  else if (name === 'ephemeral-storage') r.ephemeralStorage = v;
  else if (name === 'pods') r.pods = v;
  else (r.other ??= {})[name] = v;
}

function addInto(a: Resources, b: Resources): void {
  a.cpu += b.cpu;
  a.memory += b.memory;
  a.ephemeralStorage += b.ephemeralStorage;
  if (b.other) for (const k in b.other) (a.other ??= {})[k] = (a.other[k] ?? 0) + b.other[k];
}

function maxInto(a: Resources, b: Resources): void {
  a.cpu = Math.max(a.cpu, b.cpu);
  a.memory = Math.max(a.memory, b.memory);
  a.ephemeralStorage = Math.max(a.ephemeralStorage, b.ephemeralStorage);
  if (b.other) for (const k in b.other) (a.other ??= {})[k] = Math.max(a.other[k] ?? 0, b.other[k]);
}

/** A container's requests; limits stand in for unset requests, as API defaulting does. */
export function containerRequests(c: any): Resources {
  const requests: Record<string, string | number> | undefined = c.resources?.requests;
  const limits: Record<string, string | number> | undefined = c.resources?.limits;
  // The requests, then each limit whose resource has no request (no merged list made per container).
  const r = resourceList(requests);
  if (limits) for (const name in limits) if (!requests || !(name in requests)) setQuantity(r, name, limits[name]);
  return r;
}

/**
 * PodRequests (component-helpers/resource): the larger of the sum of app containers (plus
 * sidecars) and each init container (with the sidecars started before it), plus pod overhead.
 */
export function podRequests(pod: KubeObject): Resources {
  const total = emptyResources();
  for (const c of pod.spec?.containers ?? []) addInto(total, containerRequests(c));
  const inits: any[] | undefined = pod.spec?.initContainers;
  if (inits?.length) addInitRequests(total, inits);
  if (pod.spec?.overhead) addInto(total, resourceList(pod.spec.overhead));
  total.pods = 1;
  return total;
}

/** The init containers' part of PodRequests: sidecars add up, and the largest init step counts. */
function addInitRequests(total: Resources, inits: any[]): void {
  const sidecars = emptyResources();
  const initMax = emptyResources();
  for (const c of inits) {
    const req = containerRequests(c);
    if (c.restartPolicy === 'Always') {
      addInto(sidecars, req);
      addInto(total, req);
      maxInto(initMax, sidecars);
    } else {
      const during = { ...sidecars, other: { ...(sidecars.other ?? {}) } };
      addInto(during, req);
      maxInto(initMax, during);
    }
  }
  maxInto(total, initMax);
}

// ---------------------------------------------------------------------- taints and tolerations

export interface Taint {
  key: string;
  value?: string;
  effect: 'NoSchedule' | 'PreferNoSchedule' | 'NoExecute';
  timeAdded?: string;
}

export interface Toleration {
  key?: string;
  operator?: 'Exists' | 'Equal';
  value?: string;
  effect?: string;
  tolerationSeconds?: number;
}

/** Toleration.ToleratesTaint (core/v1 helper). */
export function toleratesTaint(t: Toleration, taint: Taint): boolean {
  if (t.effect && t.effect !== taint.effect) return false;
  if (t.key && t.key !== taint.key) return false;
  if (!t.key && t.operator !== 'Exists') return false;
  switch (t.operator ?? 'Equal') {
    case 'Exists': return true;
    case 'Equal': return (t.value ?? '') === (taint.value ?? '');
    default: return false;
  }
}

export function tolerationsTolerateTaint(tolerations: Toleration[] | undefined, taint: Taint): boolean {
  return (tolerations ?? []).some((t) => toleratesTaint(t, taint));
}

/** The first taint (of the given effects) the pod does not tolerate. */
export function findUntoleratedTaint(taints: Taint[] | undefined, tolerations: Toleration[] | undefined, effects: ReadonlyArray<Taint['effect']>): Taint | undefined {
  for (const taint of taints ?? []) {
    if (!effects.includes(taint.effect)) continue;
    if (!tolerationsTolerateTaint(tolerations, taint)) return taint;
  }
  return undefined;
}

/** `{key: value}` or `{key}` as the scheduler prints an untolerated taint. */
export function formatTaint(t: Taint): string {
  return t.value ? `{${t.key}: ${t.value}}` : `{${t.key}: }`;
}

// ---------------------------------------------------------------------- node selection

interface NodeSelectorRequirement {
  key: string;
  operator: 'In' | 'NotIn' | 'Exists' | 'DoesNotExist' | 'Gt' | 'Lt';
  values?: string[];
}

interface NodeSelectorTerm {
  matchExpressions?: NodeSelectorRequirement[];
  matchFields?: NodeSelectorRequirement[];
}

function requirementMatches(r: NodeSelectorRequirement, value: string | undefined): boolean {
  switch (r.operator) {
    case 'In': return value !== undefined && (r.values ?? []).includes(value);
    case 'NotIn': return value === undefined || !(r.values ?? []).includes(value);
    case 'Exists': return value !== undefined;
    case 'DoesNotExist': return value === undefined;
    case 'Gt': return value !== undefined && Number(value) > Number(r.values?.[0]);
    case 'Lt': return value !== undefined && Number(value) < Number(r.values?.[0]);
    default: return false;
  }
}

/** A NodeSelectorTerm matches when all its expressions and fields match (an empty term matches nothing). */
export function nodeSelectorTermMatches(term: NodeSelectorTerm, node: KubeObject): boolean {
  const exprs = term.matchExpressions ?? [];
  const fields = term.matchFields ?? [];
  if (exprs.length === 0 && fields.length === 0) return false;
  const labels = node.metadata.labels ?? {};
  for (const r of exprs) if (!requirementMatches(r, labels[r.key])) return false;
  for (const r of fields) if (!requirementMatches(r, r.key === 'metadata.name' ? node.metadata.name : undefined)) return false;
  return true;
}

/**
 * The pod's required node constraints: spec.nodeSelector (all labels equal) and
 * requiredDuringSchedulingIgnoredDuringExecution (any term matches).
 */
export function podMatchesNodeSelectorAndAffinity(pod: KubeObject, node: KubeObject): boolean {
  const labels = node.metadata.labels ?? {};
  for (const [k, v] of Object.entries(pod.spec?.nodeSelector ?? {})) if (labels[k] !== v) return false;
  const required = pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution;
  if (!required) return true;
  const terms: NodeSelectorTerm[] = required.nodeSelectorTerms ?? [];
  return terms.some((t) => nodeSelectorTermMatches(t, node));
}

// ---------------------------------------------------------------------- node status

export function getNodeCondition(node: KubeObject, type: string): PodCondition | undefined {
  return (node.status?.conditions ?? []).find((c: PodCondition) => c.type === type);
}

/** The node's Ready condition status: 'True', 'False' or 'Unknown' (missing = Unknown). */
export function nodeReadyStatus(node: KubeObject): 'True' | 'False' | 'Unknown' {
  return getNodeCondition(node, 'Ready')?.status ?? 'Unknown';
}
