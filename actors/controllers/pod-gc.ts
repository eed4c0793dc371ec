// The pod garbage collector (pkg/controller/podgc/gc_controller.go), identity
// pod-garbage-collector. Every gcCheckPeriod (20 s) it force-deletes: terminated pods beyond
// --terminated-pod-gc-threshold (evicted first, then oldest); terminating pods on a not-Ready
// node tainted node.kubernetes.io/out-of-service; pods bound to a node that no longer exists,
// once the node has been missing for the 40 s quarantine and a live GET confirms it; and
// terminating pods never scheduled. A pod not yet terminal is patched to phase Failed first.
import type { KubeObject } from '../../api/types.ts';
import type { PodCondition } from '../../api/podutil.ts';
import { DEFAULT_EPOCH, formatTime } from '../../api/time.ts';
import type { Informer } from '../../client/informer.ts';
import { Controller, controllerUser } from './controller.ts';
import { updatePodCondition } from './controller-utils.ts';
import { isNodeReady, schedulePass } from './node-utils.ts';
import { TAINT_NODE_OUT_OF_SERVICE, taintKeyExists } from './taint-utils.ts';

/** gcCheckPeriod. */
export const GC_CHECK_PERIOD_MS = 20_000;
/** quarantineTime: how long a node must stay missing before its pods count as orphaned. */
export const QUARANTINE_TIME_MS = 40_000;
/** --terminated-pod-gc-threshold. */
export const TERMINATED_POD_GC_THRESHOLD = 12_500;

const NODE = { apiVersion: 'v1', kind: 'Node' };
const POD = { apiVersion: 'v1', kind: 'Pod' };
const GC_KEY = 'gc';

export interface PodGCOptions {
  /** --terminated-pod-gc-threshold (0 disables that part). */
  terminatedPodThreshold?: number;
  /** The cluster's epoch (virtual time 0), for timestamps. Default DEFAULT_EPOCH. */
  epoch?: number;
}

export class PodGCController extends Controller {
  protected readonly user = controllerUser('pod-garbage-collector');
  private pods!: Informer;
  private nodes!: Informer;
  /** The delaying queue of missing nodes: name → when its quarantine ends. */
  private readonly nodeQueue = new Map<string, number>();
  private readonly terminatedPodThreshold: number;
  private readonly epoch: number;

  constructor(opts: PodGCOptions = {}) {
    super();
    this.terminatedPodThreshold = opts.terminatedPodThreshold ?? TERMINATED_POD_GC_THRESHOLD;
    this.epoch = opts.epoch ?? DEFAULT_EPOCH;
  }

  protected setup(): void {
    this.pods = this.informer({ kind: POD, name: 'pods' });
    this.nodes = this.informer({ kind: NODE, name: 'nodes' });
    this.enqueue(GC_KEY);
  }

  override snapshot(): unknown {
    return { ...(super.snapshot() as object), quarantine: Object.fromEntries([...this.nodeQueue].sort()) };
  }

  protected reconcile(key: string): void {
    if (key !== GC_KEY) return;
    this.gc();
    schedulePass(this.ctx, GC_KEY, GC_CHECK_PERIOD_MS);
  }

  /** gc: the four sweeps, in upstream's order. */
  /**
   * One pass of the four collectors, in upstream's order. The pods are read once (the checks read
   * the same fields of each): what each collector acts on is sorted out first.
   */
  private gc(): void {
    const pods = this.pods.list();
    const existing = new Set<string>();
    for (const n of this.nodes.list()) existing.add(n.metadata.name!);
    const terminated: KubeObject[] = [];
    const terminating: KubeObject[] = [];
    const unscheduledTerminating: KubeObject[] = [];
    const due = this.ctx.now() + QUARANTINE_TIME_MS;
    for (const pod of pods) {
      const nodeName: string | undefined = pod.spec?.nodeName;
      if (this.terminatedPodThreshold > 0 && isPodTerminated(pod)) terminated.push(pod);
      if (pod.metadata.deletionTimestamp) {
        if (!nodeName) unscheduledTerminating.push(pod);
        else if (this.outOfService(nodeName)) terminating.push(pod);
      }
      // gcOrphaned's first half: a node that pods are bound to but the cache lacks is quarantined
      // (AddAfter keeps the earliest deadline).
      if (nodeName && !existing.has(nodeName) && (!this.nodeQueue.has(nodeName) || this.nodeQueue.get(nodeName)! > due)) this.nodeQueue.set(nodeName, due);
    }
    this.gcTerminated(terminated);
    this.gcTerminating(terminating);
    this.gcOrphaned(pods, existing);
    for (const pod of unscheduledTerminating) this.markFailedAndDeletePod(pod);
  }

  /** gcTerminated: terminated pods beyond the threshold, evicted ones first, then oldest. */
  private gcTerminated(terminated: KubeObject[]): void {
    const deleteCount = terminated.length - this.terminatedPodThreshold;
    if (deleteCount <= 0) return;
    this.ctx.log('podgc.terminated', { count: deleteCount });
    terminated.sort(byEvictionAndCreationTimestamp);
    for (const pod of terminated.slice(0, deleteCount)) this.markFailedAndDeletePod(pod);
  }

  /** Whether the node is not Ready and tainted out-of-service (gcTerminating's test). */
  private outOfService(nodeName: string): boolean {
    const node = this.nodes.get(undefined, nodeName);
    return node !== undefined && !isNodeReady(node) && taintKeyExists(node.spec?.taints, TAINT_NODE_OUT_OF_SERVICE);
  }

  /** gcTerminating: terminating pods on a node that is not Ready and is tainted out-of-service. */
  private gcTerminating(terminating: KubeObject[]): void {
    if (terminating.length === 0) return;
    terminating.sort(byEvictionAndCreationTimestamp);
    for (const pod of terminating) this.markFailedAndDeletePod(pod);
  }

  /**
   * gcOrphaned's second half: once a node's quarantine is over and a live GET confirms it gone,
   * its pods are marked Failed with DisruptionTarget (DeletionByPodGC) and force-deleted.
   */
  private gcOrphaned(pods: KubeObject[], existing: Set<string>): void {
    for (const nodeName of this.discoverQuarantinedNodes(existing)) {
      this.client.get(NODE, undefined, nodeName, (r) => {
        if (r.ok || r.status.code !== 404) return;
        this.deleteOrphanedPods(pods.filter((p) => p.spec?.nodeName === nodeName), nodeName);
      });
    }
  }

  /** discoverDeletedNodes' first half: nodes whose quarantine is over and still missing from the cache. */
  private discoverQuarantinedNodes(existing: Set<string>): string[] {
    const now = this.ctx.now();
    const ready: string[] = [];
    for (const [nodeName, due] of [...this.nodeQueue].sort((a, b) => a[1] - b[1] || (a[0] < b[0] ? -1 : 1))) {
      if (due > now) continue;
      this.nodeQueue.delete(nodeName);
      if (!existing.has(nodeName)) ready.push(nodeName);
    }
    return ready;
  }

  private deleteOrphanedPods(pods: KubeObject[], nodeName: string): void {
    for (const pod of pods) {
      this.ctx.log('podgc.orphaned', { pod: `${pod.metadata.namespace}/${pod.metadata.name}`, node: nodeName });
      this.markFailedAndDeletePod(pod, { type: 'DisruptionTarget', status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' });
    }
  }

  /** gcUnscheduledTerminating: terminating pods that were never bound to a node. */
  private gcUnscheduledTerminating(pods: KubeObject[]): void {
    for (const pod of pods) {
      if (!pod.metadata.deletionTimestamp || pod.spec?.nodeName) continue;
      this.markFailedAndDeletePod(pod);
    }
  }

  /**
   * markFailedAndDeletePodWithCondition: a pod not yet Succeeded or Failed is patched to
   * Failed (with the condition, if any) through the status subresource, then deleted with
   * grace period 0.
   */
  private markFailedAndDeletePod(pod: KubeObject, condition?: PodCondition): void {
    const ns = pod.metadata.namespace;
    const name = pod.metadata.name!;
    const remove = () => this.client.delete(POD, ns, name, { gracePeriodSeconds: 0 }, (r) => {
      if (!r.ok && r.status.code !== 404) this.ctx.log('podgc.delete-failed', { pod: `${ns}/${name}`, error: r.status.message });
    });
    const phase = pod.status?.phase;
    if (phase === 'Succeeded' || phase === 'Failed') {
      remove();
      return;
    }
    const status: Record<string, unknown> = { phase: 'Failed' };
    if (condition) {
      const { conditions } = updatePodCondition(pod.status?.conditions ?? [], condition, formatTime(this.ctx.now(), this.epoch));
      status.conditions = conditions.filter((c) => c.type === condition.type);
    }
    this.client.patch(POD, ns, name, { metadata: { uid: pod.metadata.uid }, status }, 'application/strategic-merge-patch+json', (r) => {
      if (r.ok) remove();
      else if (r.status.code !== 404) this.ctx.log('podgc.patch-failed', { pod: `${ns}/${name}`, error: r.status.message });
    }, 'status');
  }
}

/** isPodTerminated: any phase but Pending, Running and Unknown. */
function isPodTerminated(pod: KubeObject): boolean {
  const phase = pod.status?.phase;
  return phase !== 'Pending' && phase !== 'Running' && phase !== 'Unknown';
}

/** byEvictionAndCreationTimestamp: evicted pods first, then older first, then by name. */
function byEvictionAndCreationTimestamp(a: KubeObject, b: KubeObject): number {
  const ea = isEvicted(a);
  const eb = isEvicted(b);
  if (ea !== eb) return ea ? -1 : 1;
  const ta = a.metadata.creationTimestamp ?? '';
  const tb = b.metadata.creationTimestamp ?? '';
  if (ta !== tb) return ta < tb ? -1 : 1;
  const na = a.metadata.name ?? '';
  const nb = b.metadata.name ?? '';
  return na < nb ? -1 : na > nb ? 1 : 0;
}

/** eviction.PodIsEvicted: phase Failed with reason Evicted. */
function isEvicted(pod: KubeObject): boolean {
  return pod.status?.phase === 'Failed' && pod.status?.reason === 'Evicted';
}
