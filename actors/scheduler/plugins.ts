// The default scheduling plugins, after pkg/scheduler/framework/plugins/*: Filter plugins in the
// order of default_plugins.go (NodeUnschedulable, NodeName, TaintToleration, NodeAffinity,
// NodePorts, NodeResourcesFit, [volume plugins], PodTopologySpread, InterPodAffinity), Score
// plugins with their default weights, and each plugin's queueing hints (which cluster events may
// make a pod it rejected schedulable). Reasons are upstream's strings. k8s-facts §8.1.
import type { KubeObject } from '../../api/types.ts';
import {
  findUntoleratedTaint, formatTaint, nodeSelectorTermMatches, podMatchesNodeSelectorAndAffinity,
  resourceList, toleratesTaint, type Resources, type Taint, type Toleration,
} from '../../api/podutil.ts';
import { nothing, type LabelSelector } from '../../api/selectors.ts';
import {
  newPodInfo, normalizeImageName, selectorOf, termMatches, type AffinityTerm, type NodeInfo, type PodInfo, type SchedulerCache,
} from './cache.ts';

export type Code = 'Unschedulable' | 'UnschedulableAndUnresolvable';

/** A Filter plugin's rejection (framework.Status with code, plugin and reasons). */
export interface Status {
  code: Code;
  plugin: string;
  reasons: string[];
}

export const MAX_NODE_SCORE = 100;

/** Upstream's reason strings (each plugin's ErrReason… constant). */
export const REASON = {
  unschedulable: 'node(s) were unschedulable',
  nodeName: "node(s) didn't match the requested node name",
  nodeAffinity: "node(s) didn't match Pod's node affinity/selector",
  nodePorts: "node(s) didn't have free ports for the requested pod ports",
  tooManyPods: 'Too many pods',
  spreadNotMatch: "node(s) didn't match pod topology spread constraints",
  spreadMissingLabel: "node(s) didn't match pod topology spread constraints (missing required label)",
  affinityNotMatch: "node(s) didn't match pod affinity rules",
  antiAffinityNotMatch: "node(s) didn't match pod anti-affinity rules",
  existingAntiAffinityNotMatch: "node(s) didn't satisfy existing pods anti-affinity rules",
  noVictims: 'No preemption victims found for incoming pod',
  preemptionNotHelpful: 'Preemption is not helpful for scheduling',
  noNodes: 'no nodes available to schedule pods',
} as const;

function status(code: Code, plugin: string, ...reasons: string[]): Status {
  return Object.freeze({ code, plugin, reasons: Object.freeze(reasons) as string[] });
}

// Constant statuses: filters return these without allocating.
const ST_UNSCHEDULABLE = status('UnschedulableAndUnresolvable', 'NodeUnschedulable', REASON.unschedulable);
const ST_NODE_NAME = status('UnschedulableAndUnresolvable', 'NodeName', REASON.nodeName);
const ST_NODE_AFFINITY = status('UnschedulableAndUnresolvable', 'NodeAffinity', REASON.nodeAffinity);
const ST_NODE_PORTS = status('Unschedulable', 'NodePorts', REASON.nodePorts);
const ST_SPREAD = status('Unschedulable', 'PodTopologySpread', REASON.spreadNotMatch);
const ST_SPREAD_LABEL = status('UnschedulableAndUnresolvable', 'PodTopologySpread', REASON.spreadMissingLabel);
const ST_AFFINITY = status('UnschedulableAndUnresolvable', 'InterPodAffinity', REASON.affinityNotMatch);
const ST_ANTI_AFFINITY = status('Unschedulable', 'InterPodAffinity', REASON.antiAffinityNotMatch);
const ST_EXISTING_ANTI = status('Unschedulable', 'InterPodAffinity', REASON.existingAntiAffinityNotMatch);

// -------------------------------------------------------------------- cycle state

interface SpreadConstraint {
  maxSkew: number;
  topologyKey: string;
  selector: LabelSelector;
  minDomains: number;
  honorNodeAffinity: boolean;
  honorTaints: boolean;
  selfMatch: number;
}

interface SpreadState {
  constraints: SpreadConstraint[];
  /** per constraint: topology value → matching pods */
  counts: Map<string, number>[];
  /** per constraint: the global minimum (0 when fewer domains than minDomains) */
  min: number[];
}

interface InterPodState {
  /** `${key}\0${value}` → pods matching all required affinity terms in that domain */
  affinityCounts: Map<string, number>;
  antiAffinityCounts: Map<string, number>;
  existingAntiAffinityCounts: Map<string, number>;
  /** the pod matches all its own affinity terms (the first pod of a group may go anywhere) */
  selfAffinity: boolean;
}

/** framework.CycleState for one attempt: the incoming pod, precomputed by the PreFilter steps. */
export interface CycleState {
  pod: KubeObject;
  info: PodInfo;
  tolerations: Toleration[];
  /** requests of nominated pods of equal or higher priority, per node (RunFilterPluginsWithNominatedPods) */
  nominated: Map<string, Resources>;
  spread: SpreadState | undefined;
  interPod: InterPodState | undefined;
  nsLabels: (ns: string) => Record<string, string> | undefined;
  /** spec.nodeSelector or required node affinity is set (else NodeAffinity passes every node). */
  hasNodeConstraints: boolean;
}

export function preFilter(cache: SchedulerCache, pod: KubeObject, nsLabels: (ns: string) => Record<string, string> | undefined): CycleState {
  const info = newPodInfo(pod);
  const state: CycleState = {
    pod, info, tolerations: pod.spec?.tolerations ?? [], nominated: nominatedRequests(cache, info),
    spread: undefined, interPod: undefined, nsLabels,
    hasNodeConstraints: Object.keys(pod.spec?.nodeSelector ?? {}).length > 0 || Boolean(pod.spec?.affinity?.nodeAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
  };
  state.spread = spreadPreFilter(cache, state, 'DoNotSchedule');
  state.interPod = interPodPreFilter(cache, state);
  return state;
}

function nominatedRequests(cache: SchedulerCache, info: PodInfo): Map<string, Resources> {
  const out = new Map<string, Resources>();
  for (const [node, pods] of cache.nominated) {
    for (const p of pods.values()) {
      if (p.uid === info.uid || p.priority < info.priority) continue;
      const r = out.get(node) ?? { cpu: 0, memory: 0, ephemeralStorage: 0, pods: 0 };
      r.cpu += p.requests.cpu;
      r.memory += p.requests.memory;
      r.ephemeralStorage += p.requests.ephemeralStorage;
      r.pods += 1;
      for (const [k, v] of Object.entries(p.requests.other ?? {})) (r.other ??= {})[k] = (r.other[k] ?? 0) + v;
      out.set(node, r);
    }
  }
  return out;
}

// -------------------------------------------------------------------- filters

export interface FilterPlugin {
  name: string;
  filter(s: CycleState, n: NodeInfo): Status | null;
}

const UNSCHEDULABLE_TAINT: Taint = { key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' };
const NO_SCHEDULE_EFFECTS: ReadonlyArray<Taint['effect']> = ['NoSchedule', 'NoExecute'];

/** NodeUnschedulable: spec.unschedulable, unless the pod tolerates the unschedulable taint. */
const nodeUnschedulable: FilterPlugin = {
  name: 'NodeUnschedulable',
  filter: (s, n) => (n.unschedulable && !tolerated(s.tolerations, UNSCHEDULABLE_TAINT) ? ST_UNSCHEDULABLE : null),
};

/** NodeName: spec.nodeName, when set, must be this node (pods with it set never reach the scheduler here). */
const nodeName: FilterPlugin = {
  name: 'NodeName',
  filter: (s, n) => (s.pod.spec?.nodeName && s.pod.spec.nodeName !== n.name ? ST_NODE_NAME : null),
};

/** TaintToleration: the first untolerated NoSchedule/NoExecute taint rejects the node. */
const taintToleration: FilterPlugin = {
  name: 'TaintToleration',
  filter: (s, n) => {
    if (n.taints.length === 0) return null;
    const t = findUntoleratedTaint(n.taints, s.tolerations, NO_SCHEDULE_EFFECTS);
    return t ? status('UnschedulableAndUnresolvable', 'TaintToleration', `node(s) had untolerated taint ${formatTaint(t)}`) : null;
  },
};

/** NodeAffinity: spec.nodeSelector and required node affinity. */
const nodeAffinity: FilterPlugin = {
  name: 'NodeAffinity',
  filter: (s, n) => (!s.hasNodeConstraints || podMatchesNodeSelectorAndAffinity(s.pod, n.node!) ? null : ST_NODE_AFFINITY),
};

/** NodePorts: a requested hostPort already used on the node (0.0.0.0 conflicts with every IP). */
const nodePorts: FilterPlugin = {
  name: 'NodePorts',
  filter: (s, n) => {
    const ports = s.info.ports;
    if (ports.length === 0 || n.usedPorts.size === 0) return null;
    for (const hp of ports) if (n.portInUse(hp)) return ST_NODE_PORTS;
    return null;
  },
};

/** NodeResourcesFit: requests against allocatable minus what pods (and nominated pods) already request. */
const nodeResourcesFit: FilterPlugin = {
  name: 'NodeResourcesFit',
  filter: (s, n) => {
    const req = s.info.requests;
    const a = n.allocatable;
    const used = n.requested;
    const extra = s.nominated.size ? s.nominated.get(n.name) : undefined;
    // The common case first: nothing nominated, no extended resources, everything fits.
    if (!extra && !req.other && n.pods.size < a.pods && req.cpu <= a.cpu - used.cpu && req.memory <= a.memory - used.memory
      && req.ephemeralStorage <= a.ephemeralStorage - used.ephemeralStorage) return null;
    const reasons = insufficientResources(req, n, extra);
    return reasons.length ? { code: 'Unschedulable', plugin: 'NodeResourcesFit', reasons } : null;
  },
};

const NONE: string[] = [];

/** fitsRequest (noderesources/fit.go): pods count, cpu, memory, ephemeral-storage, then scalar resources. */
export function insufficientResources(req: Resources, n: Pick<NodeInfo, 'allocatable' | 'requested' | 'pods'>, extra?: Resources): string[] {
  const a = n.allocatable;
  const used = n.requested;
  const tooMany = n.pods.size + (extra?.pods ?? 0) + 1 > a.pods;
  const cpu = req.cpu > 0 && req.cpu > a.cpu - used.cpu - (extra?.cpu ?? 0);
  const memory = req.memory > 0 && req.memory > a.memory - used.memory - (extra?.memory ?? 0);
  const storage = req.ephemeralStorage > 0 && req.ephemeralStorage > a.ephemeralStorage - used.ephemeralStorage - (extra?.ephemeralStorage ?? 0);
  if (!tooMany && !cpu && !memory && !storage && !req.other) return NONE;
  const out: string[] = [];
  if (tooMany) out.push(REASON.tooManyPods);
  if (cpu) out.push('Insufficient cpu');
  if (memory) out.push('Insufficient memory');
  if (storage) out.push('Insufficient ephemeral-storage');
  if (req.other) {
    for (const name of Object.keys(req.other).sort()) {
      const q = req.other[name];
      if (q === 0 || !isScalarResource(name)) continue;
      if (q > (a.other?.[name] ?? 0) - (used.other?.[name] ?? 0) - (extra?.other?.[name] ?? 0)) out.push(`Insufficient ${name}`);
    }
  }
  return out.length ? out : NONE;
}

/** IsScalarResourceName: extended resources (domain/name outside kubernetes.io), hugepages, attachable volumes. */
function isScalarResource(name: string): boolean {
  if (name.startsWith('hugepages-') || name.startsWith('attachable-volumes-')) return true;
  if (!name.includes('/')) return false;
  return !name.startsWith('kubernetes.io/') && !name.includes('.kubernetes.io/');
}

/** PodTopologySpread (DoNotSchedule constraints): skew = matching pods in the domain + self − global minimum. */
const podTopologySpread: FilterPlugin = {
  name: 'PodTopologySpread',
  filter: (s, n) => {
    const sp = s.spread;
    if (!sp) return null;
    for (let i = 0; i < sp.constraints.length; i++) {
      const c = sp.constraints[i];
      const value = n.labels[c.topologyKey];
      if (value === undefined) return ST_SPREAD_LABEL;
      const skew = (sp.counts[i].get(value) ?? 0) + c.selfMatch - sp.min[i];
      if (skew > c.maxSkew) return ST_SPREAD;
    }
    return null;
  },
};

/** InterPodAffinity: the pod's required affinity, its anti-affinity, then existing pods' anti-affinity. */
const interPodAffinity: FilterPlugin = {
  name: 'InterPodAffinity',
  filter: (s, n) => {
    const ip = s.interPod;
    if (!ip) return null;
    if (!satisfyPodAffinity(s, ip, n)) return ST_AFFINITY;
    for (const t of s.info.requiredAntiAffinity) {
      const v = n.labels[t.topologyKey];
      if (v !== undefined && (ip.antiAffinityCounts.get(pair(t.topologyKey, v)) ?? 0) > 0) return ST_ANTI_AFFINITY;
    }
    for (const k of ip.existingAntiAffinityCounts.keys()) {
      const sep = k.indexOf('\u0000');
      if (n.labels[k.slice(0, sep)] === k.slice(sep + 1)) return ST_EXISTING_ANTI;
    }
    return null;
  },
};

function satisfyPodAffinity(s: CycleState, ip: InterPodState, n: NodeInfo): boolean {
  const terms = s.info.requiredAffinity;
  if (terms.length === 0) return true;
  let podsExist = true;
  for (const t of terms) {
    const v = n.labels[t.topologyKey];
    if (v === undefined) return false;
    if ((ip.affinityCounts.get(pair(t.topologyKey, v)) ?? 0) <= 0) podsExist = false;
  }
  return podsExist || (ip.affinityCounts.size === 0 && ip.selfAffinity);
}

/**
 * VolumeBinding hook: the volume filters (VolumeRestrictions, NodeVolumeLimits, VolumeBinding,
 * VolumeZone) run here, between NodeResourcesFit and PodTopologySpread, once PersistentVolumes
 * exist: push them into this list.
 */
export const VOLUME_FILTERS: FilterPlugin[] = [];

/** Filter hooks that have something to check for this cycle (the volume filters with PVC volumes). */
export const CYCLE_FILTER_HOOKS: Array<(s: CycleState) => boolean> = [];

/**
 * A cycle every filter passes on a plain node: no nodeName, node selector or affinity, host
 * ports, nominated pods, extended resources, spread or pod (anti-)affinity constraints, volumes.
 */
export function plainCycle(s: CycleState): boolean {
  return !s.pod.spec?.nodeName && !s.hasNodeConstraints && s.info.ports.length === 0 && s.nominated.size === 0
    && !s.info.requests.other && !s.spread && !s.interPod && !CYCLE_FILTER_HOOKS.some((h) => h(s));
}

/**
 * For a plain cycle: every filter passes this node (schedulable, untainted, the requests fit).
 * False means "run the filters" (they give the exact verdict), not "rejected".
 */
export function passesPlainCycle(s: CycleState, n: NodeInfo): boolean {
  const req = s.info.requests;
  return n.open && n.freePods > 0 && req.cpu <= n.freeCpu && req.memory <= n.freeMemory && req.ephemeralStorage <= n.freeEphemeralStorage;
}

/** The Filter plugins in upstream order (read once per scheduling cycle). */
export function filterPlugins(): FilterPlugin[] {
  return [
    nodeUnschedulable, nodeName, taintToleration, nodeAffinity, nodePorts, nodeResourcesFit,
    ...VOLUME_FILTERS, podTopologySpread, interPodAffinity,
  ];
}

/** RunFilterPlugins: the first rejecting plugin's status, or null when the node fits. */
export function runFilters(s: CycleState, n: NodeInfo, plugins: FilterPlugin[]): Status | null {
  for (const p of plugins) {
    const st = p.filter(s, n);
    if (st) return st;
  }
  return null;
}

// -------------------------------------------------------------------- PreFilter: topology spread

function spreadPreFilter(cache: SchedulerCache, s: CycleState, when: 'DoNotSchedule' | 'ScheduleAnyway'): SpreadState | undefined {
  const constraints = spreadConstraints(s, when);
  if (constraints.length === 0) return undefined;
  const counts = constraints.map(() => new Map<string, number>());
  const eligible = new Map<string, boolean>();
  const isEligible = (n: NodeInfo): boolean => {
    let e = eligible.get(n.name);
    if (e === undefined) {
      e = Boolean(n.node) && constraints.every((c) => n.labels[c.topologyKey] !== undefined)
        && (!constraints[0].honorNodeAffinity || podMatchesNodeSelectorAndAffinity(s.pod, n.node!))
        && (!constraints[0].honorTaints || !findUntoleratedTaint(n.taints, s.tolerations, NO_SCHEDULE_EFFECTS));
      eligible.set(n.name, e);
    }
    return e;
  };
  for (const n of cache.nodeList()) {
    if (!isEligible(n)) continue;
    constraints.forEach((c, i) => {
      const v = n.labels[c.topologyKey];
      if (!counts[i].has(v)) counts[i].set(v, 0);
    });
  }
  for (const uid of cache.byNamespace.get(s.info.namespace) ?? []) {
    const p = cache.pods.get(uid)!;
    if (p.pod.metadata.deletionTimestamp) continue;
    const n = cache.nodes.get(p.nodeName);
    if (!n || !isEligible(n)) continue;
    constraints.forEach((c, i) => {
      if (!c.selector.matches(p.labels)) return;
      const v = n.labels[c.topologyKey];
      counts[i].set(v, (counts[i].get(v) ?? 0) + 1);
    });
  }
  const min = constraints.map((c, i) => {
    if (counts[i].size < c.minDomains) return 0;
    let m = Infinity;
    for (const v of counts[i].values()) m = Math.min(m, v);
    return m === Infinity ? 0 : m;
  });
  return { constraints, counts, min };
}

function spreadConstraints(s: CycleState, when: string): SpreadConstraint[] {
  const out: SpreadConstraint[] = [];
  for (const c of s.pod.spec?.topologySpreadConstraints ?? []) {
    if ((c.whenUnsatisfiable ?? 'DoNotSchedule') !== when) continue;
    const base = c.labelSelector ?? null;
    const extra: Record<string, string> = {};
    for (const k of c.matchLabelKeys ?? []) if (s.info.labels[k] !== undefined) extra[k] = s.info.labels[k];
    const selector = selectorOf(base && { ...base, matchLabels: { ...(base.matchLabels ?? {}), ...extra } });
    out.push({
      maxSkew: c.maxSkew ?? 1, topologyKey: c.topologyKey, selector, minDomains: c.minDomains ?? 1,
      honorNodeAffinity: (c.nodeAffinityPolicy ?? 'Honor') === 'Honor', honorTaints: c.nodeTaintsPolicy === 'Honor',
      selfMatch: selector.matches(s.info.labels) ? 1 : 0,
    });
  }
  return out;
}

// -------------------------------------------------------------------- PreFilter: inter-pod affinity

function pair(key: string, value: string): string {
  return `${key}\u0000${value}`;
}

function bump(m: Map<string, number>, k: string, by = 1): void {
  m.set(k, (m.get(k) ?? 0) + by);
}

function interPodPreFilter(cache: SchedulerCache, s: CycleState): InterPodState | undefined {
  const info = s.info;
  const hasOwn = info.requiredAffinity.length + info.requiredAntiAffinity.length > 0;
  if (!hasOwn && cache.withRequiredAntiAffinity.size === 0) return undefined;
  const st: InterPodState = { affinityCounts: new Map(), antiAffinityCounts: new Map(), existingAntiAffinityCounts: new Map(), selfAffinity: false };
  for (const uid of cache.withRequiredAntiAffinity) {
    const p = cache.pods.get(uid)!;
    const n = cache.nodes.get(p.nodeName);
    if (!n?.node) continue;
    for (const t of p.requiredAntiAffinity) {
      const v = n.labels[t.topologyKey];
      if (v !== undefined && termMatches(t, info, s.nsLabels)) bump(st.existingAntiAffinityCounts, pair(t.topologyKey, v));
    }
  }
  if (!hasOwn) return st;
  st.selfAffinity = info.requiredAffinity.every((t) => termMatches(t, info, s.nsLabels));
  forEachCandidatePod(cache, [...info.requiredAffinity, ...info.requiredAntiAffinity], (p, n) => {
    if (info.requiredAffinity.length && info.requiredAffinity.every((t) => termMatches(t, p, s.nsLabels))) {
      for (const t of info.requiredAffinity) {
        const v = n.labels[t.topologyKey];
        if (v !== undefined) bump(st.affinityCounts, pair(t.topologyKey, v));
      }
    }
    for (const t of info.requiredAntiAffinity) {
      const v = n.labels[t.topologyKey];
      if (v !== undefined && termMatches(t, p, s.nsLabels)) bump(st.antiAffinityCounts, pair(t.topologyKey, v));
    }
  });
  return st;
}

/** Assigned pods in the namespaces the terms name (every namespace when a term has a namespaceSelector). */
function forEachCandidatePod(cache: SchedulerCache, terms: AffinityTerm[], fn: (p: PodInfo, n: NodeInfo) => void): void {
  const allNs = terms.some((t) => t.namespaceSelector !== nothing);
  const namespaces = allNs ? [...cache.byNamespace.keys()].sort() : [...new Set(terms.flatMap((t) => [...t.namespaces]))].sort();
  for (const ns of namespaces) {
    for (const uid of cache.byNamespace.get(ns) ?? []) {
      const p = cache.pods.get(uid)!;
      const n = cache.nodes.get(p.nodeName);
      if (n?.node) fn(p, n);
    }
  }
}

// -------------------------------------------------------------------- scores

export interface ScorePlugin {
  name: string;
  weight: number;
  /** PreScore: per-cycle state, or undefined to skip the plugin for this pod. */
  preScore(s: CycleState, cache: SchedulerCache, nodes: NodeInfo[]): unknown;
  /**
   * Score: each node's raw score into `out`. Every plugin runs its own loop, so the per-node
   * code is one call site per plugin that the compiler can inline (the feasible nodes are
   * hundreds per pod in a large cluster).
   */
  scoreAll(s: CycleState, nodes: NodeInfo[], pre: unknown, cache: SchedulerCache, out: number[]): void;
  normalize?(scores: number[], nodes: NodeInfo[], pre: unknown): void;
}

/** helper.DefaultNormalizeScore: scale to 0–100 by the maximum; reversed when lower is better. */
export function defaultNormalizeScore(scores: number[], reverse: boolean): void {
  let max = 0;
  for (const v of scores) max = Math.max(max, v);
  if (max === 0) {
    if (reverse) scores.fill(MAX_NODE_SCORE);
    return;
  }
  for (let i = 0; i < scores.length; i++) {
    const v = Math.trunc((MAX_NODE_SCORE * scores[i]) / max);
    scores[i] = reverse ? MAX_NODE_SCORE - v : v;
  }
}

/** TaintToleration score: fewer untolerated PreferNoSchedule taints is better. */
const taintTolerationScore: ScorePlugin = {
  name: 'TaintToleration', weight: 3,
  preScore: (s) => s.tolerations.filter((t) => !t.effect || t.effect === 'PreferNoSchedule'),
  scoreAll: (_s, nodes, pre, _cache, out) => {
    for (let i = 0; i < nodes.length; i++) out[i] = untoleratedPreferNoSchedule(nodes[i], pre as Toleration[]);
  },
  normalize: (scores) => defaultNormalizeScore(scores, true),
};

function untoleratedPreferNoSchedule(n: NodeInfo, tolerations: Toleration[]): number {
  if (n.taintCount === 0) return 0;
  let count = 0;
  for (const t of n.taints) if (t.effect === 'PreferNoSchedule' && !tolerated(tolerations, t)) count++;
  return count;
}

function tolerated(tolerations: Toleration[], taint: Taint): boolean {
  for (const t of tolerations) if (toleratesTaint(t, taint)) return true;
  return false;
}

/** NodeAffinity score: sum of the weights of matching preferred terms. */
const nodeAffinityScore: ScorePlugin = {
  name: 'NodeAffinity', weight: 2,
  preScore: (s) => {
    const terms = s.pod.spec?.affinity?.nodeAffinity?.preferredDuringSchedulingIgnoredDuringExecution ?? [];
    return terms.length ? terms : undefined;
  },
  scoreAll: (_s, nodes, pre, _cache, out) => {
    for (let i = 0; i < nodes.length; i++) out[i] = preferredTermsWeight(nodes[i], pre as any[]);
  },
  normalize: (scores) => defaultNormalizeScore(scores, false),
};

function preferredTermsWeight(n: NodeInfo, terms: any[]): number {
  let sum = 0;
  for (const t of terms) if (t.weight && nodeSelectorTermMatches(t.preference ?? {}, n.node!)) sum += t.weight;
  return sum;
}

/** NodeResourcesFit score, LeastAllocated: (allocatable − requested) × 100 / allocatable, cpu and memory weight 1. */
const leastAllocatedScore: ScorePlugin = {
  name: 'NodeResourcesFit', weight: 1,
  preScore: () => true,
  scoreAll: (s, nodes, _pre, _cache, out) => {
    for (let i = 0; i < nodes.length; i++) out[i] = leastAllocatedScoreOf(s, nodes[i]);
  },
};

function leastAllocatedScoreOf(s: CycleState, n: NodeInfo): number {
  const cpu = leastAllocated(n.nonZeroCpu + s.info.nonZeroCpu, n.allocatableCpu);
  const mem = leastAllocated(n.nonZeroMemory + s.info.nonZeroMemory, n.allocatableMemory);
  return Math.trunc((cpu + mem) / 2);
}

function leastAllocated(requested: number, capacity: number): number {
  if (capacity === 0 || requested > capacity) return 0;
  return Math.trunc(((capacity - requested) * MAX_NODE_SCORE) / capacity);
}

/** NodeResourcesBalancedAllocation: 1 − standard deviation of the cpu and memory fractions. */
const balancedAllocationScore: ScorePlugin = {
  name: 'NodeResourcesBalancedAllocation', weight: 1,
  preScore: (s) => (s.info.requests.cpu === 0 && s.info.requests.memory === 0 ? undefined : true),
  scoreAll: (s, nodes, _pre, _cache, out) => {
    for (let i = 0; i < nodes.length; i++) out[i] = balancedAllocationOf(s, nodes[i]);
  },
};

function balancedAllocationOf(s: CycleState, n: NodeInfo): number {
  const cpu = fraction(n.requestedCpu + s.info.requests.cpu, n.allocatableCpu);
  const mem = fraction(n.requestedMemory + s.info.requests.memory, n.allocatableMemory);
  const std = Math.abs(cpu - mem) / 2;
  return Math.trunc((1 - std) * MAX_NODE_SCORE);
}

function fraction(used: number, capacity: number): number {
  return capacity > 0 ? Math.min(1, used / capacity) : 0;
}

const MB = 1024 * 1024;
const IMAGE_MIN_THRESHOLD = 23 * MB;
const IMAGE_MAX_CONTAINER_THRESHOLD = 1000 * MB;

/** ImageLocality: sizes of the pod's images already on the node, scaled by how widely they are spread. */
const imageLocalityScore: ScorePlugin = {
  name: 'ImageLocality', weight: 1,
  preScore: (s, cache) => {
    const images = [...(s.pod.spec?.initContainers ?? []), ...(s.pod.spec?.containers ?? [])].map((c: any) => normalizeImageName(c.image ?? ''));
    if (!images.length) return undefined;
    // Each image's spread (the share of nodes that have it) is the same for every node: once a cycle.
    const spread = images.map((img) => (cache.imageNodes.get(img) ?? 0) / Math.max(1, cache.numNodes));
    return { images, spread, sizes: images.map((img) => cache.imageSizes.get(img)) } satisfies ImageLocalityState;
  },
  scoreAll: (_s, nodes, pre, _cache, out) => {
    const p = pre as ImageLocalityState;
    for (let i = 0; i < nodes.length; i++) out[i] = imageLocalityOf(nodes[i], p);
  },
};

interface ImageLocalityState {
  images: string[];
  spread: number[];
  /** Each image's sizes by node slot (SchedulerCache.imageSizes; undefined: no node has it). */
  sizes: Array<Float64Array | undefined>;
}

function imageLocalityOf(n: NodeInfo, { images, spread, sizes }: ImageLocalityState): number {
  let sum = 0;
  const slot = n.slot;
  for (let k = 0; k < images.length; k++) {
    const column = sizes[k];
    if (column !== undefined && slot < column.length) sum += column[slot] * spread[k];
  }
  const max = IMAGE_MAX_CONTAINER_THRESHOLD * images.length;
  const clamped = Math.min(Math.max(sum, IMAGE_MIN_THRESHOLD), max);
  return Math.trunc((MAX_NODE_SCORE * (clamped - IMAGE_MIN_THRESHOLD)) / (max - IMAGE_MIN_THRESHOLD));
}

interface SpreadScoreState {
  state: SpreadState;
  weights: number[];
}

/** A node's raw spread score: -1 when it lacks a constraint's topology key. */
function spreadScoreOf(n: NodeInfo, { state, weights }: SpreadScoreState): number {
  let score = 0;
  for (let i = 0; i < state.constraints.length; i++) {
    const c = state.constraints[i];
    const v = n.labels[c.topologyKey];
    if (v === undefined) return -1;
    score += (state.counts[i].get(v) ?? 0) * weights[i] + (c.maxSkew - 1);
  }
  return score;
}

/** PodTopologySpread score (ScheduleAnyway): fewer matching pods in the node's domains is better. */
const podTopologySpreadScore: ScorePlugin = {
  name: 'PodTopologySpread', weight: 2,
  preScore: (s, cache, nodes) => {
    const state = spreadPreFilter(cache, s, 'ScheduleAnyway');
    if (!state) return undefined;
    const weights = state.constraints.map((c) => {
      const values = new Set<string>();
      for (const n of nodes) if (n.labels[c.topologyKey] !== undefined) values.add(n.labels[c.topologyKey]);
      return Math.log(values.size + 2);
    });
    return { state, weights } satisfies SpreadScoreState;
  },
  scoreAll: (_s, nodes, pre, _cache, out) => {
    for (let i = 0; i < nodes.length; i++) out[i] = spreadScoreOf(nodes[i], pre as SpreadScoreState);
  },
  normalize: (scores) => {
    let min = Infinity;
    let max = 0;
    for (const v of scores) {
      if (v < 0) continue;
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    for (let i = 0; i < scores.length; i++) {
      if (scores[i] < 0) scores[i] = 0;
      else scores[i] = max === 0 ? MAX_NODE_SCORE : Math.trunc((MAX_NODE_SCORE * (max + min - scores[i])) / max);
    }
  },
};

function topologyWeightOf(n: NodeInfo, topo: Map<string, number>): number {
  let sum = 0;
  for (const [k, w] of topo) {
    const sep = k.indexOf('\u0000');
    if (n.labels[k.slice(0, sep)] === k.slice(sep + 1)) sum += w;
  }
  return sum;
}

/** InterPodAffinity score: preferred (anti-)affinity of the pod and of existing pods, summed per topology domain. */
const interPodAffinityScore: ScorePlugin = {
  name: 'InterPodAffinity', weight: 2,
  preScore: (s, cache) => {
    const info = s.info;
    const own = info.preferredAffinity.length + info.preferredAntiAffinity.length > 0;
    if (!own && cache.withAffinity.size === 0) return undefined;
    const topo = new Map<string, number>();
    const addTerm = (t: AffinityTerm, target: PodInfo, n: NodeInfo, w: number) => {
      const v = n.labels[t.topologyKey];
      if (v !== undefined && termMatches(t, target, s.nsLabels)) bump(topo, pair(t.topologyKey, v), w);
    };
    if (own) {
      forEachCandidatePod(cache, [...info.preferredAffinity, ...info.preferredAntiAffinity], (p, n) => {
        for (const t of info.preferredAffinity) addTerm(t, p, n, t.weight);
        for (const t of info.preferredAntiAffinity) addTerm(t, p, n, -t.weight);
      });
    }
    for (const uid of cache.withAffinity) {
      const p = cache.pods.get(uid)!;
      const n = cache.nodes.get(p.nodeName);
      if (!n?.node) continue;
      for (const t of p.requiredAffinity) addTerm(t, info, n, 1);
      for (const t of p.preferredAffinity) addTerm(t, info, n, t.weight);
      for (const t of p.preferredAntiAffinity) addTerm(t, info, n, -t.weight);
    }
    return topo.size ? topo : undefined;
  },
  scoreAll: (_s, nodes, pre, _cache, out) => {
    for (let i = 0; i < nodes.length; i++) out[i] = topologyWeightOf(nodes[i], pre as Map<string, number>);
  },
  normalize: (scores) => {
    let min = Infinity;
    let max = -Infinity;
    for (const v of scores) {
      min = Math.min(min, v);
      max = Math.max(max, v);
    }
    for (let i = 0; i < scores.length; i++) scores[i] = max > min ? Math.trunc((MAX_NODE_SCORE * (scores[i] - min)) / (max - min)) : 0;
  },
};

/** Score plugins in default_plugins.go order, with their default weights. */
export const SCORE_PLUGINS: ScorePlugin[] = [
  taintTolerationScore, nodeAffinityScore, leastAllocatedScore, podTopologySpreadScore,
  interPodAffinityScore, balancedAllocationScore, imageLocalityScore,
];

// -------------------------------------------------------------------- queueing hints

export type ClusterEvent =
  | { type: 'NodeAdd'; node: KubeObject }
  | { type: 'NodeUpdate'; old: KubeObject; node: KubeObject }
  | { type: 'AssignedPodAdd'; pod: KubeObject }
  | { type: 'AssignedPodUpdate'; old: KubeObject; pod: KubeObject }
  | { type: 'AssignedPodDelete'; pod: KubeObject };

function nodeAdmitsPod(pod: KubeObject, node: KubeObject): boolean {
  const unschedulable = node.spec?.unschedulable && !(pod.spec?.tolerations ?? []).some((t: Toleration) => toleratesTaint(t, UNSCHEDULABLE_TAINT));
  return !unschedulable && !findUntoleratedTaint(node.spec?.taints, pod.spec?.tolerations, NO_SCHEDULE_EFFECTS)
    && podMatchesNodeSelectorAndAffinity(pod, node);
}

/** Each plugin's QueueingHintFn, simplified: may `ev` make `pod`, rejected by `plugin`, schedulable? */
export function mayHelp(plugin: string, ev: ClusterEvent, pod: KubeObject): boolean {
  switch (ev.type) {
    case 'NodeAdd':
      if (plugin === 'NodeResourcesFit') {
        const empty = { allocatable: resourceList(ev.node.status?.allocatable), requested: { cpu: 0, memory: 0, ephemeralStorage: 0, pods: 0 }, pods: new Map() };
        return insufficientResources(newPodInfo(pod).requests, empty).length === 0;
      }
      return plugin === 'NodeUnschedulable' || plugin === 'TaintToleration' || plugin === 'NodeAffinity' ? nodeAdmitsPod(pod, ev.node) : true;
    case 'NodeUpdate':
      return nodeUpdateMayHelp(plugin, ev.old, ev.node, pod);
    case 'AssignedPodAdd':
    case 'AssignedPodUpdate':
      return plugin === 'InterPodAffinity' || (plugin === 'PodTopologySpread' && ev.pod.metadata.namespace === pod.metadata.namespace);
    case 'AssignedPodDelete':
      if (plugin === 'NodePorts') return newPodInfo(ev.pod).ports.length > 0;
      return plugin === 'NodeResourcesFit' || plugin === 'InterPodAffinity' || (plugin === 'PodTopologySpread' && ev.pod.metadata.namespace === pod.metadata.namespace);
  }
}

function nodeUpdateMayHelp(plugin: string, old: KubeObject, node: KubeObject, pod: KubeObject): boolean {
  switch (plugin) {
    case 'NodeUnschedulable':
      return Boolean(old.spec?.unschedulable) && !node.spec?.unschedulable;
    case 'TaintToleration': {
      const untolerated = (n: KubeObject) => findUntoleratedTaint(n.spec?.taints, pod.spec?.tolerations, NO_SCHEDULE_EFFECTS);
      return Boolean(untolerated(old)) && !untolerated(node);
    }
    case 'NodeAffinity':
      return !podMatchesNodeSelectorAndAffinity(pod, old) && podMatchesNodeSelectorAndAffinity(pod, node);
    case 'NodeResourcesFit': {
      const a = resourceList(old.status?.allocatable);
      const b = resourceList(node.status?.allocatable);
      return b.cpu > a.cpu || b.memory > a.memory || b.pods > a.pods || b.ephemeralStorage > a.ephemeralStorage
        || Object.entries(b.other ?? {}).some(([k, v]) => v > (a.other?.[k] ?? 0));
    }
    case 'PodTopologySpread':
    case 'InterPodAffinity':
      return JSON.stringify(old.metadata.labels ?? {}) !== JSON.stringify(node.metadata.labels ?? {});
    default:
      return false;
  }
}

/** Node changes the scheduler reacts to (labels, taints, unschedulable, allocatable, images); heartbeats are not. */
export function nodeSchedulingPropertiesChanged(old: KubeObject, node: KubeObject): boolean {
  const props = (n: KubeObject) => JSON.stringify([n.metadata.labels ?? {}, n.spec?.taints ?? [], Boolean(n.spec?.unschedulable), n.status?.allocatable ?? {}, (n.status?.images ?? []).length]);
  return props(old) !== props(node);
}
