// metrics-server (kubernetes-sigs/metrics-server): scrapes every kubelet's resource metrics every
// metric-resolution (15 s), keeps the last two points of every node and container
// (pkg/storage/node.go, pod.go), and serves the resource metrics API (metrics.k8s.io/v1beta1
// PodMetrics and NodeMetrics) computed from them: CPU as the average rate between the two points
// (pkg/storage/types.go resourceUsage), memory as the working set of the newer one.
//
// Our API server has no aggregation layer, so the metrics.k8s.io API is a message protocol to the
// actor 'metrics-server':
//   request  { type: 'metrics.list', id, resource: 'pods' | 'nodes', namespace?, labelSelector?, name? }
//   response { type: 'metrics.result', id, ok: true, items: PodMetrics[] | NodeMetrics[] }
//          | { type: 'metrics.result', id, ok: false, status }        (a metav1.Status, e.g. 404)
// `name` asks for one object (GET pods.metrics.k8s.io/<name>): items has one element, or the
// answer is a 404. Objects that have no metrics yet (fewer than two points) are left out, as
// upstream does. Scrapes go to `node/<name>` (actors/node/metrics.ts documents that message).
import type { ActorContext, ActorLogic, Envelope } from '../runtime/index.ts';
import type { KubeObject } from '../api/types.ts';
import { newNotFound, newBadRequest, isStatusError, type Status } from '../api/errors.ts';
import { parseLabelSelector, type LabelSelector } from '../api/selectors.ts';
import { formatTime } from '../api/time.ts';
import { ApiClient } from '../client/client.ts';
import { CacheInformer, type Informer } from '../client/informer.ts';
import { formatGoDuration } from '../cri/images.ts';
import { nodeActorId } from './node/kubelet.ts';
import {
  RESOURCE_METRICS_REQUEST, RESOURCE_METRICS_RESPONSE,
  type ContainerMetricsPoint, type NodeMetricsPoint, type PodMetricsPoint, type ResourceMetricsResponse,
} from './node/metrics.ts';

export const METRICS_SERVER = 'metrics-server';
export const METRICS_LIST = 'metrics.list';
export const METRICS_RESULT = 'metrics.result';
/** --metric-resolution: how often every kubelet is scraped. */
export const METRIC_RESOLUTION_MS = 15_000;
/** --kubelet-request-timeout: a node that has not answered by then is left out of the batch. */
export const KUBELET_REQUEST_TIMEOUT_MS = 10_000;
/** freshContainerMinMetricsResolution: a container started at least this long before its first point gets a rate from its start. */
export const FRESH_CONTAINER_MIN_RESOLUTION_MS = 10_000;

export interface MetricsListRequest {
  type: typeof METRICS_LIST;
  id: number;
  resource: 'pods' | 'nodes';
  namespace?: string;
  labelSelector?: string;
  name?: string;
}

export type MetricsListResult =
  | { type: typeof METRICS_RESULT; id: number; ok: true; items: KubeObject[] }
  | { type: typeof METRICS_RESULT; id: number; ok: false; status: Status };

/** Usage between two points of one container or node (api.TimeInfo plus the resources). */
interface Usage {
  timestamp: number;
  windowMs: number;
  cpuNanoCores: number;
  memoryBytes: number;
}

/** A pod's points, one per container (most pods have one: an array, not a Map, which costs several times more). */
type PodPoints = ContainerMetricsPoint[];

/** What the server keeps of one pod: its points of the last batch and the ones before. */
interface PodEntry {
  namespace: string;
  name: string;
  last: PodPoints;
  prev: PodPoints | undefined;
  /** The scrape that stored `last`. */
  round: number;
}

/** A container started within the last resolution (and long enough ago): its rate is from its start. */
function isFresh(c: ContainerMetricsPoint): boolean {
  const age = c.timestamp - c.startTime;
  return c.startTime < c.timestamp && age < METRIC_RESOLUTION_MS && age >= FRESH_CONTAINER_MIN_RESOLUTION_MS;
}

function pointOf(points: PodPoints | undefined, name: string): ContainerMetricsPoint | undefined {
  if (!points) return undefined;
  for (let i = 0; i < points.length; i++) if (points[i].name === name) return points[i];
  return undefined;
}

const METRICS_USER = { username: 'system:serviceaccount:kube-system:metrics-server', groups: ['system:serviceaccounts', 'system:serviceaccounts:kube-system', 'system:authenticated'] };

export class MetricsServer implements ActorLogic {
  private ctx!: ActorContext;
  private client!: ApiClient;
  private nodes!: Informer;
  private pods!: Informer;
  private nextId = 1;
  /** The scrape in progress: request id → node, and what came back. */
  private round: { id: number; pending: Map<number, string>; nodes: NodeMetricsPoint[]; pods: PodMetricsPoint[]; timer: number } | undefined;
  private nodeLast = new Map<string, NodeMetricsPoint>();
  private nodePrev = new Map<string, NodeMetricsPoint>();
  /** podStorage by pod uid (upstream keys by namespace/name; a uid is that pod, and its string is shared). */
  private readonly podStore = new Map<string, PodEntry>();
  private scrapes = 0;

  start(ctx: ActorContext): void {
    this.ctx = ctx;
    this.client = new ApiClient(ctx, METRICS_USER);
    this.nodes = new CacheInformer(ctx, this.client, { kind: { apiVersion: 'v1', kind: 'Node' }, name: 'nodes' });
    // runningPodMetadataInformer: only Running pods (field selector status.phase=Running) have
    // metrics to serve, so a pod is watched from the status that makes it Running.
    this.pods = new CacheInformer(ctx, this.client, { kind: { apiVersion: 'v1', kind: 'Pod' }, name: 'pods', fieldSelector: 'status.phase=Running' });
    this.nodes.start();
    this.pods.start();
    this.tick();
  }

  receive(env: Envelope): void {
    if (this.client.handle(env) || this.nodes.handle(env) || this.pods.handle(env)) return;
    const m = env.message;
    switch (m.type) {
      case 'metrics-server.tick': this.tick(); break;
      case 'metrics-server.scrapeTimeout': this.finishRound(m.round as number); break;
      case RESOURCE_METRICS_RESPONSE: this.onScrape(m as unknown as ResourceMetricsResponse); break;
      case METRICS_LIST: this.serve(env.from, m as unknown as MetricsListRequest); break;
    }
  }

  snapshot(): unknown {
    return { scrapes: this.scrapes, nodes: [...this.nodeLast.keys()].sort(), pods: [...this.podStore.values()].map((e) => `${e.namespace}/${e.name}`).sort() };
  }

  // ------------------------------------------------------------------ scraping

  /** One scrape of every node (server.tick), then the next in METRIC_RESOLUTION_MS. */
  private tick(): void {
    this.ctx.startTimer('tick', METRIC_RESOLUTION_MS, { type: 'metrics-server.tick' }, { background: true });
    if (this.round) this.finishRound(this.round.id);
    const id = this.nextId++;
    const pending = new Map<number, string>();
    for (const node of this.nodes.list()) {
      const requestId = this.nextId++;
      pending.set(requestId, node.metadata.name!);
      this.ctx.send(nodeActorId(node.metadata.name!), { type: RESOURCE_METRICS_REQUEST, id: requestId });
    }
    const timer = this.ctx.startTimer('scrape-timeout', KUBELET_REQUEST_TIMEOUT_MS, { type: 'metrics-server.scrapeTimeout', round: id }, { background: true });
    this.round = { id, pending, nodes: [], pods: [], timer };
    if (pending.size === 0) this.finishRound(id);
  }

  private onScrape(r: ResourceMetricsResponse): void {
    const round = this.round;
    if (!round || !round.pending.delete(r.id)) return;
    round.nodes.push(r.node);
    round.pods.push(...r.pods);
    if (round.pending.size === 0) this.finishRound(round.id);
  }

  /** Stores the batch of the round (nodes that did not answer are left out, as upstream). */
  private finishRound(id: number): void {
    const round = this.round;
    if (!round || round.id !== id) return;
    this.round = undefined;
    this.ctx.cancelTimer(round.timer);
    this.scrapes++;
    this.storeNodes(round.nodes);
    this.storePods(round.pods);
    this.ctx.log('metrics-server.scrape', { nodes: round.nodes.length, pods: round.pods.length, missing: [...round.pending.values()] });
  }

  /** nodeStorage.Store: the new point becomes last; the old last becomes prev if the node did not restart. */
  private storeNodes(points: NodeMetricsPoint[]): void {
    const last = new Map<string, NodeMetricsPoint>();
    const prev = new Map<string, NodeMetricsPoint>();
    for (const p of points) {
      if (last.has(p.name)) continue;
      last.set(p.name, p);
      const old = this.nodeLast.get(p.name);
      if (!old || p.startTime >= old.timestamp) continue;
      if (p.timestamp > old.timestamp) prev.set(p.name, old);
      else {
        const older = this.nodePrev.get(p.name);
        if (older && older.timestamp < p.timestamp) prev.set(p.name, older);
      }
    }
    this.nodeLast = last;
    this.nodePrev = prev;
  }

  /**
   * podStorage.Store, per container: a fresh container gets a zero point at its start time. The
   * store holds this batch's pods only; entries are updated in place (most pods keep theirs).
   */
  private storePods(points: PodMetricsPoint[]): void {
    const round = this.scrapes;
    for (const pod of points) {
      const entry = this.podStore.get(pod.uid);
      if (entry?.round === round) continue;
      const containers = pod.containers;
      const old = entry?.last;
      let prev: PodPoints | undefined = old;
      // The common case, a pod whose containers all ran through both points: the old batch is prev.
      for (let i = 0; i < containers.length && prev; i++) {
        const c = containers[i];
        const o = old!.length === containers.length ? old![i] : undefined;
        if (!o || o.name !== c.name || isFresh(c) || !(c.startTime < o.timestamp) || !(c.timestamp > o.timestamp)) prev = undefined;
      }
      if (!prev) prev = this.prevPoints(containers, entry);
      if (entry) {
        entry.last = containers;
        entry.prev = prev;
        entry.round = round;
      } else {
        this.podStore.set(pod.uid, { namespace: pod.namespace, name: pod.name, last: containers, prev, round });
      }
    }
    for (const [uid, entry] of this.podStore) if (entry.round !== round) this.podStore.delete(uid);
  }

  /** The previous point of each container of a pod's new batch (per container, as podStorage.Store). */
  private prevPoints(containers: PodPoints, entry: PodEntry | undefined): PodPoints | undefined {
    const prev: PodPoints = [];
    for (const c of containers) {
      if (isFresh(c)) {
        prev.push({ ...c, timestamp: c.startTime, cumulativeCpuUsed: 0 });
        continue;
      }
      const old = pointOf(entry?.last, c.name);
      if (!old || !(c.startTime < old.timestamp)) continue;
      if (c.timestamp > old.timestamp) prev.push(old);
      else {
        const older = pointOf(entry?.prev, c.name);
        if (older && older.timestamp < c.timestamp) prev.push(older);
      }
    }
    return prev.length > 0 ? prev : undefined;
  }

  // ------------------------------------------------------------------ serving metrics.k8s.io

  private serve(to: string, req: MetricsListRequest): void {
    const reply = (r: { ok: true; items: KubeObject[] } | { ok: false; status: Status }) => this.ctx.send(to, { type: METRICS_RESULT, id: req.id, ...r });
    try {
      const items = req.resource === 'nodes' ? this.nodeMetrics(req) : this.podMetrics(req);
      reply({ ok: true, items });
    } catch (e) {
      if (!isStatusError(e)) throw e;
      reply({ ok: false, status: e.status });
    }
  }

  /** PodMetrics of the pods (from the pod lister) that match, skipping those without two points. */
  private podMetrics(req: MetricsListRequest): KubeObject[] {
    const selector = parseSelector(req.labelSelector);
    const candidates = req.name !== undefined
      ? [this.pods.get(req.namespace ?? 'default', req.name)].filter((p): p is KubeObject => p !== undefined)
      : this.pods.list(req.namespace).filter((p) => selector.matches(p.metadata.labels));
    const items: KubeObject[] = [];
    for (const pod of candidates) {
      const m = this.podMetricsOf(pod);
      if (m) items.push(m);
    }
    if (req.name !== undefined && items.length === 0) throw newNotFound({ group: 'metrics.k8s.io', resource: 'pods' }, req.name);
    return items;
  }

  /** podStorage.GetMetrics for one pod: every container needs a previous point. */
  private podMetricsOf(pod: KubeObject): KubeObject | undefined {
    const entry = this.podStore.get(pod.metadata.uid!);
    const last = entry?.last;
    const prev = entry?.prev;
    if (!last || !prev) return undefined;
    const containers: Array<{ name: string; usage: Record<string, string> }> = [];
    let earliest: Usage | undefined;
    for (const point of last) {
      const name = point.name;
      const before = pointOf(prev, name);
      if (!before) return undefined;
      const usage = resourceUsage(point, before);
      if (!usage) continue;
      containers.push({ name, usage: { cpu: formatNanoCores(usage.cpuNanoCores), memory: formatBytes(usage.memoryBytes) } });
      if (!earliest || usage.timestamp < earliest.timestamp) earliest = usage;
    }
    if (!earliest) return undefined;
    return {
      apiVersion: 'metrics.k8s.io/v1beta1', kind: 'PodMetrics',
      metadata: { name: pod.metadata.name, namespace: pod.metadata.namespace, labels: { ...(pod.metadata.labels ?? {}) }, creationTimestamp: formatTime(this.ctx.now()) },
      timestamp: formatTime(earliest.timestamp), window: formatGoDuration(earliest.windowMs), containers,
    };
  }

  private nodeMetrics(req: MetricsListRequest): KubeObject[] {
    const selector = parseSelector(req.labelSelector);
    const nodes = req.name !== undefined
      ? [this.nodes.get(undefined, req.name)].filter((n): n is KubeObject => n !== undefined)
      : this.nodes.list().filter((n) => selector.matches(n.metadata.labels));
    const items: KubeObject[] = [];
    for (const node of nodes) {
      const name = node.metadata.name!;
      const last = this.nodeLast.get(name);
      const prev = this.nodePrev.get(name);
      const usage = last && prev ? resourceUsage(last, prev) : undefined;
      if (!usage) continue;
      items.push({
        apiVersion: 'metrics.k8s.io/v1beta1', kind: 'NodeMetrics',
        metadata: { name, labels: { ...(node.metadata.labels ?? {}) }, creationTimestamp: formatTime(this.ctx.now()) },
        timestamp: formatTime(usage.timestamp), window: formatGoDuration(usage.windowMs),
        usage: { cpu: formatNanoCores(usage.cpuNanoCores), memory: formatBytes(usage.memoryBytes) },
      });
    }
    if (req.name !== undefined && items.length === 0) throw newNotFound({ group: 'metrics.k8s.io', resource: 'nodes' }, req.name);
    return items;
  }
}

// ---------------------------------------------------------------------- pure helpers

function parseSelector(s: string | undefined): LabelSelector {
  try {
    return parseLabelSelector(s ?? '');
  } catch (e) {
    if (isStatusError(e)) throw e;
    throw newBadRequest(String(e));
  }
}

/**
 * resourceUsage: CPU is the cumulative difference over the window between the points; memory is
 * the newer point's working set. A restart (earlier start time) or a counter going backwards
 * gives no usage.
 */
export function resourceUsage(last: { startTime: number; timestamp: number; cumulativeCpuUsed: number; memoryUsage: number },
  prev: { startTime: number; timestamp: number; cumulativeCpuUsed: number }): Usage | undefined {
  if (last.startTime < prev.startTime) return undefined;
  if (last.cumulativeCpuUsed < prev.cumulativeCpuUsed) return undefined;
  const windowMs = last.timestamp - prev.timestamp;
  if (windowMs <= 0) return undefined;
  const cpuNanoCores = Math.floor((last.cumulativeCpuUsed - prev.cumulativeCpuUsed) / (windowMs / 1000));
  return { timestamp: last.timestamp, windowMs, cpuNanoCores, memoryBytes: last.memoryUsage };
}

const DECIMAL = ['', 'k', 'M', 'G', 'T', 'P', 'E'];
const BINARY = ['', 'Ki', 'Mi', 'Gi', 'Ti', 'Pi', 'Ei'];

/** A CPU quantity from nanocores in canonical form: 250000000n → 250m, 1500000n → 1500u. */
export function formatNanoCores(n: number): string {
  if (n === 0) return '0';
  if (n % 1_000_000_000 === 0) return decimalSI(n / 1_000_000_000);
  if (n % 1_000_000 === 0) return `${n / 1_000_000}m`;
  if (n % 1_000 === 0) return `${n / 1_000}u`;
  return `${n}n`;
}

/** A whole number in DecimalSI canonical form: 2000 → 2k. */
export function decimalSI(n: number): string {
  return canonical(n, 1000, DECIMAL);
}

/** A memory quantity in BinarySI canonical form: 1048576 → 1Mi, 1000 → 1000. */
export function formatBytes(n: number): string {
  return canonical(n, 1024, BINARY);
}

/** The largest suffix that divides `n` exactly (Quantity's canonical form). */
function canonical(n: number, base: number, suffixes: readonly string[]): string {
  let i = 0;
  while (n !== 0 && n % base === 0 && i < suffixes.length - 1) {
    n /= base;
    i++;
  }
  return `${n}${suffixes[i]}`;
}
