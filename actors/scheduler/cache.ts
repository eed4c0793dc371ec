// The scheduler's cache of nodes and the pods on them, after pkg/scheduler/backend/cache
// (cache.go, node_tree.go) and framework.NodeInfo (framework/types.go): per-node aggregates of
// requested resources, host ports and images are kept up to date incrementally from pod and node
// events, so a scheduling decision never scans every pod. Assumed pods (bound by this scheduler,
// not yet seen bound by the informer) count on their node like confirmed ones.
import type { KubeObject } from '../../api/types.ts';
import { containerRequests, podRequests, emptyResources, resourceList, type Resources, type Taint } from '../../api/podutil.ts';
import { labelSelectorFromMeta, nothing, type LabelSelector } from '../../api/selectors.ts';
import { parseTime } from '../../api/time.ts';
import { NONE } from '../../api/equal.ts';

/** Scheduler defaults for containers without requests (pkg/scheduler/util: DefaultMilliCPURequest, DefaultMemoryRequest). */
export const DEFAULT_MILLI_CPU_REQUEST = 100;
export const DEFAULT_MEMORY_REQUEST = 200 * 1024 * 1024;

export interface HostPort {
  protocol: string;
  ip: string;
  port: number;
}

/** A PodAffinityTerm made ready for matching (framework.AffinityTerm). */
export interface AffinityTerm {
  selector: LabelSelector;
  /** Namespaces named by the term (the pod's own namespace when neither list nor selector is given). */
  namespaces: Set<string>;
  namespaceSelector: LabelSelector;
  topologyKey: string;
}

export interface WeightedAffinityTerm extends AffinityTerm {
  weight: number;
}

/** What the scheduler knows about one pod (framework.PodInfo plus its resource sums). */
export interface PodInfo {
  uid: string;
  namespace: string;
  name: string;
  pod: KubeObject;
  nodeName: string;
  priority: number;
  requests: Resources;
  nonZeroCpu: number;
  nonZeroMemory: number;
  ports: readonly HostPort[];
  labels: Record<string, string>;
  requiredAffinity: readonly AffinityTerm[];
  requiredAntiAffinity: readonly AffinityTerm[];
  preferredAffinity: readonly WeightedAffinityTerm[];
  preferredAntiAffinity: readonly WeightedAffinityTerm[];
  /** status.startTime (or creation) in virtual ms, for MoreImportantPod. */
  startTime: number;
  assumed: boolean;
}

/** Per-node aggregates (framework.NodeInfo). */
export class NodeInfo {
  node: KubeObject | undefined;
  allocatable: Resources = emptyResources();
  readonly requested: Resources = emptyResources();
  nonZeroCpu = 0;
  nonZeroMemory = 0;
  readonly pods = new Map<string, PodInfo>();
  /** `${protocol}/${port}` → ip → count */
  readonly usedPorts = new Map<string, Map<string, number>>();
  labels: Record<string, string> = {};
  taints: Taint[] = [];
  unschedulable = false;
  /** normalized image name → size in bytes */
  images = new Map<string, number>();
  /**
   * What the plain-pod check reads, kept on the NodeInfo itself so a scheduling cycle over
   * hundreds of nodes touches one object per node: a node is there, schedulable and untainted;
   * what is left of cpu, memory, ephemeral storage and pods.
   */
  open = false;
  freeCpu = 0;
  freeMemory = 0;
  freeEphemeralStorage = 0;
  freePods = 0;
  /**
   * What the default scores read, also on the NodeInfo itself (not in `allocatable`, `requested`
   * and `taints`, three more objects a node): a scoring pass over hundreds of feasible nodes then
   * reads the objects the filter pass has just read.
   */
  allocatableCpu = 0;
  allocatableMemory = 0;
  requestedCpu = 0;
  requestedMemory = 0;
  taintCount = 0;

  /**
   * The node's place among the nodes' names in sorted order (-1 until the node list is made):
   * a decision's summary breaks ties by name with it, without reading the names.
   */
  nameRank = -1;

  /** `slot`: the node's column in the cache's per-image size arrays (SchedulerCache.imageSizes). */
  constructor(readonly name: string, readonly slot: number) {}

  setNode(node: KubeObject): void {
    this.node = node;
    this.allocatable = resourceList(node.status?.allocatable);
    this.labels = node.metadata.labels ?? {};
    this.taints = node.spec?.taints ?? [];
    this.unschedulable = Boolean(node.spec?.unschedulable);
    this.images = nodeImages(node);
    this.refreshFree();
  }

  /** The node object is gone (its pods may still be cached). */
  clearNode(): void {
    this.node = undefined;
    this.open = false;
  }

  addPod(p: PodInfo): void {
    this.pods.set(p.uid, p);
    this.account(p, 1);
  }

  removePod(uid: string): PodInfo | undefined {
    const p = this.pods.get(uid);
    if (!p) return undefined;
    this.pods.delete(uid);
    this.account(p, -1);
    return p;
  }

  private refreshFree(): void {
    const a = this.allocatable;
    const r = this.requested;
    this.taintCount = this.taints.length;
    this.open = this.node !== undefined && !this.unschedulable && this.taintCount === 0;
    this.allocatableCpu = a.cpu;
    this.allocatableMemory = a.memory;
    this.requestedCpu = r.cpu;
    this.requestedMemory = r.memory;
    this.freeCpu = a.cpu - r.cpu;
    this.freeMemory = a.memory - r.memory;
    this.freeEphemeralStorage = a.ephemeralStorage - r.ephemeralStorage;
    this.freePods = a.pods - this.pods.size;
  }

  /** A copy whose pod set and sums can be changed freely (preemption's dry run). */
  clone(): NodeInfo {
    const c = new NodeInfo(this.name, this.slot);
    c.node = this.node;
    c.allocatable = this.allocatable;
    c.labels = this.labels;
    c.taints = this.taints;
    c.unschedulable = this.unschedulable;
    c.images = this.images;
    for (const p of this.pods.values()) c.addPod(p);
    c.refreshFree();
    return c;
  }

  portInUse(hp: HostPort): boolean {
    const ips = this.usedPorts.get(`${hp.protocol}/${hp.port}`);
    if (!ips) return false;
    if (hp.ip === '0.0.0.0') return ips.size > 0;
    return ips.has(hp.ip) || ips.has('0.0.0.0');
  }

  private account(p: PodInfo, sign: 1 | -1): void {
    const r = this.requested;
    r.cpu += sign * p.requests.cpu;
    r.memory += sign * p.requests.memory;
    r.ephemeralStorage += sign * p.requests.ephemeralStorage;
    if (p.requests.other) {
      const other = (r.other ??= {});
      for (const [k, v] of Object.entries(p.requests.other)) other[k] = (other[k] ?? 0) + sign * v;
    }
    this.nonZeroCpu += sign * p.nonZeroCpu;
    this.nonZeroMemory += sign * p.nonZeroMemory;
    for (const hp of p.ports) {
      const key = `${hp.protocol}/${hp.port}`;
      let ips = this.usedPorts.get(key);
      if (!ips) this.usedPorts.set(key, (ips = new Map()));
      const n = (ips.get(hp.ip) ?? 0) + sign;
      if (n <= 0) ips.delete(hp.ip);
      else ips.set(hp.ip, n);
      if (ips.size === 0) this.usedPorts.delete(key);
    }
    this.refreshFree();
  }
}

/** The scheduler's cache: nodes (zone-interleaved order), assigned and assumed pods, indexes. */
export class SchedulerCache {
  readonly nodes = new Map<string, NodeInfo>();
  readonly pods = new Map<string, PodInfo>();
  /** namespace → uids of assigned pods (selectors only match within namespaces). */
  readonly byNamespace = new Map<string, Set<string>>();
  /** Assigned pods with any pod (anti-)affinity term (NodeInfo.PodsWithAffinity, cluster-wide). */
  readonly withAffinity = new Set<string>();
  /** Assigned pods with required anti-affinity (NodeInfo.PodsWithRequiredAntiAffinity). */
  readonly withRequiredAntiAffinity = new Set<string>();
  /** image → number of nodes that have it (ImageStateSummary.NumNodes). */
  readonly imageNodes = new Map<string, number>();
  /**
   * image → its size on each node that has it, by NodeInfo.slot (0 where the node lacks it):
   * ImageLocality reads one array entry a node instead of looking the image up in each node's map.
   */
  readonly imageSizes = new Map<string, Float64Array>();
  /** Slots of NodeInfos the cache dropped, for the next new ones. */
  private readonly freeSlots: number[] = [];
  private nextSlot = 0;
  /** Nominated pods (after preemption): node → uid → pod. */
  readonly nominated = new Map<string, Map<string, PodInfo>>();
  private readonly nominatedNode = new Map<string, string>();
  private order: NodeInfo[] | undefined;
  private nodeCount = 0;

  get numNodes(): number {
    return this.nodeCount;
  }

  /** Nodes in the node tree's order: zones sorted, round-robin across zones, names sorted within a zone. */
  nodeList(): NodeInfo[] {
    if (this.order) return this.order;
    const zones = new Map<string, NodeInfo[]>();
    let rank = 0;
    for (const name of [...this.nodes.keys()].sort()) {
      const ni = this.nodes.get(name)!;
      if (!ni.node) continue;
      ni.nameRank = rank++;
      const z = zoneKey(ni.labels);
      let list = zones.get(z);
      if (!list) zones.set(z, (list = []));
      list.push(ni);
    }
    const lists = [...zones.keys()].sort().map((z) => zones.get(z)!);
    const order: NodeInfo[] = [];
    for (let i = 0; order.length < this.nodeCount; i++) for (const l of lists) if (i < l.length) order.push(l[i]);
    this.order = order;
    return order;
  }

  // ---------------------------------------------------------------- nodes

  addNode(node: KubeObject): void {
    const ni = this.nodeInfo(node.metadata.name!);
    if (!ni.node) this.nodeCount++;
    else this.countImages(ni, -1);
    const zoneBefore = ni.node ? zoneKey(ni.labels) : undefined;
    ni.setNode(node);
    this.countImages(ni, 1);
    if (zoneBefore !== zoneKey(ni.labels)) this.order = undefined;
  }

  removeNode(name: string): void {
    const ni = this.nodes.get(name);
    if (!ni?.node) return;
    this.countImages(ni, -1);
    ni.clearNode();
    this.nodeCount--;
    if (ni.pods.size === 0) this.dropNodeInfo(ni);
    this.order = undefined;
  }

  // ---------------------------------------------------------------- pods

  isAssumed(uid: string): boolean {
    return this.pods.get(uid)?.assumed === true;
  }

  /** AddPod/UpdatePod for an assigned pod seen by the informer (confirms an assumed one). */
  addOrUpdatePod(pod: KubeObject): PodInfo {
    const held = this.pods.get(pod.metadata.uid!);
    // A status write (the kubelet's) leaves what the cache derives from the pod as it was: the
    // stored object shares the unchanged spec and labels with its previous version.
    if (held && !held.assumed && held.pod.spec === pod.spec && held.pod.metadata.labels === pod.metadata.labels
      && held.nodeName === (pod.spec?.nodeName ?? '') && held.startTime === podStartTime(pod)) {
      held.pod = pod;
      return held;
    }
    const info = newPodInfo(pod);
    this.removePod(info.uid);
    this.insert(info);
    return info;
  }

  /** AssumePod: counts the pod on `nodeName` before the binding is confirmed. */
  assumePod(pod: KubeObject, nodeName: string): PodInfo {
    const info = newPodInfo(pod, nodeName);
    info.assumed = true;
    this.removePod(info.uid);
    this.insert(info);
    return info;
  }

  /** ForgetPod / RemovePod. */
  removePod(uid: string): PodInfo | undefined {
    const info = this.pods.get(uid);
    if (!info) return undefined;
    this.pods.delete(uid);
    const ni = this.nodes.get(info.nodeName);
    ni?.removePod(uid);
    if (ni && !ni.node && ni.pods.size === 0) this.dropNodeInfo(ni);
    const ns = this.byNamespace.get(info.namespace);
    ns?.delete(uid);
    if (ns?.size === 0) this.byNamespace.delete(info.namespace);
    this.withAffinity.delete(uid);
    this.withRequiredAntiAffinity.delete(uid);
    return info;
  }

  // ---------------------------------------------------------------- nominations

  nominate(pod: KubeObject, nodeName: string | undefined): void {
    const uid = pod.metadata.uid!;
    const prev = this.nominatedNode.get(uid);
    if (prev === nodeName && (!nodeName || this.nominated.get(nodeName)?.get(uid)?.pod === pod)) return;
    if (prev) {
      const m = this.nominated.get(prev)!;
      m.delete(uid);
      if (m.size === 0) this.nominated.delete(prev);
      this.nominatedNode.delete(uid);
    }
    if (!nodeName) return;
    let m = this.nominated.get(nodeName);
    if (!m) this.nominated.set(nodeName, (m = new Map()));
    m.set(uid, newPodInfo(pod, nodeName));
    this.nominatedNode.set(uid, nodeName);
  }

  private insert(info: PodInfo): void {
    this.pods.set(info.uid, info);
    this.nodeInfo(info.nodeName).addPod(info);
    let ns = this.byNamespace.get(info.namespace);
    if (!ns) this.byNamespace.set(info.namespace, (ns = new Set()));
    ns.add(info.uid);
    if (hasAnyAffinity(info)) this.withAffinity.add(info.uid);
    if (info.requiredAntiAffinity.length) this.withRequiredAntiAffinity.add(info.uid);
  }

  private nodeInfo(name: string): NodeInfo {
    let ni = this.nodes.get(name);
    if (!ni) this.nodes.set(name, (ni = new NodeInfo(name, this.freeSlots.length ? this.freeSlots.pop()! : this.nextSlot++)));
    return ni;
  }

  private dropNodeInfo(ni: NodeInfo): void {
    this.nodes.delete(ni.name);
    this.freeSlots.push(ni.slot);
  }

  /** Counts (sign 1) or uncounts (-1) the node's images, in imageNodes and in imageSizes. */
  private countImages(ni: NodeInfo, sign: 1 | -1): void {
    for (const [name, size] of ni.images) {
      const n = (this.imageNodes.get(name) ?? 0) + sign;
      if (n <= 0) {
        this.imageNodes.delete(name);
        this.imageSizes.delete(name);
        continue;
      }
      this.imageNodes.set(name, n);
      let sizes = this.imageSizes.get(name);
      if (!sizes || sizes.length <= ni.slot) {
        const grown = new Float64Array(Math.max(16, this.nextSlot, ni.slot + 1) * 2);
        if (sizes) grown.set(sizes);
        this.imageSizes.set(name, (sizes = grown));
      }
      sizes[ni.slot] = sign > 0 ? size : 0;
    }
  }
}

// -------------------------------------------------------------------- pod info

export function podPriority(pod: KubeObject): number {
  return typeof pod.spec?.priority === 'number' ? pod.spec.priority : 0;
}

/** Builds the scheduler's view of a pod: request sums, non-zero requests, host ports, affinity terms. */
export function newPodInfo(pod: KubeObject, nodeName = pod.spec?.nodeName ?? ''): PodInfo {
  const requests = podRequests(pod);
  const [nonZeroCpu, nonZeroMemory] = nonZeroRequests(pod);
  const aff = pod.spec?.affinity ?? {};
  return {
    uid: pod.metadata.uid ?? `${pod.metadata.namespace}/${pod.metadata.name}`,
    namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name ?? '', pod, nodeName,
    priority: podPriority(pod), requests, nonZeroCpu, nonZeroMemory, ports: hostPorts(pod),
    labels: pod.metadata.labels ?? {},
    requiredAffinity: affinityTerms(pod, aff.podAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
    requiredAntiAffinity: affinityTerms(pod, aff.podAntiAffinity?.requiredDuringSchedulingIgnoredDuringExecution),
    preferredAffinity: weightedTerms(pod, aff.podAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
    preferredAntiAffinity: weightedTerms(pod, aff.podAntiAffinity?.preferredDuringSchedulingIgnoredDuringExecution),
    startTime: podStartTime(pod),
    assumed: false,
  };
}

/** GetPodStartTime: status.startTime, else the creation time (preemption orders victims by it). */
function podStartTime(pod: KubeObject): number {
  const start = pod.status?.startTime ?? pod.metadata.creationTimestamp;
  return start ? safeTime(start) : 0;
}

function safeTime(t: string): number {
  const v = parseTime(t);
  return Number.isFinite(v) ? v : 0;
}

/** GetNonzeroRequests per container: unset cpu counts 100m, unset memory 200 MiB (for scoring only). */
function nonZeroRequests(pod: KubeObject): [number, number] {
  let cpu = 0;
  let mem = 0;
  for (const c of pod.spec?.containers ?? []) {
    const req = c.resources?.requests ?? {};
    const lim = c.resources?.limits ?? {};
    const r = containerRequests(c);
    cpu += 'cpu' in req || 'cpu' in lim ? r.cpu : DEFAULT_MILLI_CPU_REQUEST;
    mem += 'memory' in req || 'memory' in lim ? r.memory : DEFAULT_MEMORY_REQUEST;
  }
  return [cpu, mem];
}

function hostPorts(pod: KubeObject): readonly HostPort[] {
  let out: HostPort[] | undefined;
  for (const list of [pod.spec?.initContainers, pod.spec?.containers]) {
    for (const c of list ?? []) {
      for (const p of c.ports ?? []) {
        if (!p.hostPort || p.hostPort <= 0) continue;
        (out ??= []).push({ protocol: p.protocol ?? 'TCP', ip: p.hostIP || '0.0.0.0', port: p.hostPort });
      }
    }
  }
  return out ?? NONE;
}

export function selectorOf(sel: unknown): LabelSelector {
  try {
    return labelSelectorFromMeta(sel as any);
  } catch {
    return nothing;
  }
}

function affinityTerms(pod: KubeObject, terms: any[] | undefined): readonly AffinityTerm[] {
  return terms?.length ? terms.map((t) => affinityTerm(pod, t)) : NONE;
}

function weightedTerms(pod: KubeObject, terms: any[] | undefined): readonly WeightedAffinityTerm[] {
  return terms?.length ? terms.map((t) => ({ ...affinityTerm(pod, t.podAffinityTerm ?? {}), weight: t.weight ?? 0 })) : NONE;
}

/** newAffinityTerm (framework/types.go): the pod's own namespace when neither namespaces nor a namespaceSelector is given. */
function affinityTerm(pod: KubeObject, t: any): AffinityTerm {
  const namespaces = new Set<string>(t.namespaces ?? []);
  if (namespaces.size === 0 && (t.namespaceSelector === undefined || t.namespaceSelector === null)) namespaces.add(pod.metadata.namespace ?? 'default');
  return { selector: selectorOf(t.labelSelector), namespaces, namespaceSelector: selectorOf(t.namespaceSelector), topologyKey: t.topologyKey ?? '' };
}

function hasAnyAffinity(p: PodInfo): boolean {
  return p.requiredAffinity.length + p.requiredAntiAffinity.length + p.preferredAffinity.length + p.preferredAntiAffinity.length > 0;
}

/** AffinityTerm.Matches: the pod is in one of the term's namespaces and its labels match. */
export function termMatches(term: AffinityTerm, pod: PodInfo, nsLabels: (ns: string) => Record<string, string> | undefined): boolean {
  if (!term.namespaces.has(pod.namespace) && !term.namespaceSelector.matches(nsLabels(pod.namespace) ?? {})) return false;
  return term.selector.matches(pod.labels);
}

// -------------------------------------------------------------------- nodes

/** utilnode.GetZoneKey: region and zone labels (empty when neither is set). */
export function zoneKey(labels: Record<string, string>): string {
  const region = labels['topology.kubernetes.io/region'] ?? labels['failure-domain.beta.kubernetes.io/region'] ?? '';
  const zone = labels['topology.kubernetes.io/zone'] ?? labels['failure-domain.beta.kubernetes.io/zone'] ?? '';
  return region || zone ? `${region}:\u0000:${zone}` : '';
}

/** node.status.images → normalized name → size. */
function nodeImages(node: KubeObject): Map<string, number> {
  const m = new Map<string, number>();
  for (const img of node.status?.images ?? []) for (const name of img.names ?? []) m.set(normalizeImageName(name), img.sizeBytes ?? 0);
  return m;
}

/** normalizedImageName: a name without tag or digest means `:latest`; docker.io/library/ prefixes are dropped. */
export function normalizeImageName(name: string): string {
  const last = name.slice(name.lastIndexOf('/') + 1);
  const named = last.includes(':') || name.includes('@') ? name : `${name}:latest`;
  return named.replace(/^docker\.io\/library\//, '').replace(/^docker\.io\//, '');
}
