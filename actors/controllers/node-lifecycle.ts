// The node lifecycle controller (pkg/controller/nodelifecycle/node_lifecycle_controller.go),
// identity node-controller. Every node-monitor-period it reads each node's two heartbeats (the
// Ready condition's lastHeartbeatTime and the kube-node-lease Lease's renewTime), noting on its
// own clock when either last changed (nodeHealthData.probeTimestamp); after the grace period it
// posts Ready/MemoryPressure/DiskPressure/PIDPressure Unknown, marks the node's pods not ready,
// and queues the node for the NoExecute taint (unreachable / not-ready) behind a per-zone rate
// limiter that slows or stops in a disrupted zone. It also keeps the NoSchedule taints of
// TaintNodesByCondition in step with node conditions and spec.unschedulable. Evicting the pods
// is the taint eviction controller's job.
import type { KubeObject } from '../../api/types.ts';
import { getNodeCondition, getPodCondition, type PodCondition, type Taint } from '../../api/podutil.ts';
import { clone, deepEqual } from '../../api/equal.ts';
import { DEFAULT_EPOCH, formatTime, parseTime } from '../../api/time.ts';
import { EventRecorder } from '../../client/events.ts';
import type { Informer } from '../../client/informer.ts';
import { Controller, controllerUser, type ReconcileResult } from './controller.ts';
import { lastStandingTick } from '../../runtime/index.ts';
import { updatePodCondition } from './controller-utils.ts';
import {
  getZoneKey, PodsByNode, RateLimitedTimedQueue, recordNodeEvent, recordNodeStatusChange, requeueTimer, schedulePass,
} from './node-utils.ts';
import {
  NOT_READY_TAINT, swapTaints, TAINT_NODE_DISK_PRESSURE, TAINT_NODE_MEMORY_PRESSURE, TAINT_NODE_NETWORK_UNAVAILABLE,
  TAINT_NODE_NOT_READY, TAINT_NODE_PID_PRESSURE, TAINT_NODE_UNREACHABLE, TAINT_NODE_UNSCHEDULABLE, taintExists, taintSetDiff,
  UNREACHABLE_TAINT,
} from './taint-utils.ts';

/** --node-monitor-period. */
export const NODE_MONITOR_PERIOD_MS = 5_000;
/** --node-monitor-grace-period (50 s since v1.32; 40 s before). */
export const NODE_MONITOR_GRACE_PERIOD_MS = 50_000;
/** --node-startup-grace-period. */
export const NODE_STARTUP_GRACE_PERIOD_MS = 60_000;
/** --node-eviction-rate (nodes per second tainted NoExecute, per zone). */
export const NODE_EVICTION_RATE = 0.1;
/** --secondary-node-eviction-rate (a partially disrupted zone larger than the threshold below). */
export const SECONDARY_NODE_EVICTION_RATE = 0.01;
/** --large-cluster-size-threshold. */
export const LARGE_CLUSTER_SIZE_THRESHOLD = 50;
/** --unhealthy-zone-threshold. */
export const UNHEALTHY_ZONE_THRESHOLD = 0.55;
/** scheduler.NodeEvictionPeriod: how often the NoExecute tainting pass polls its queues. */
export const NODE_EVICTION_PERIOD_MS = 100;
/** scheduler.NodeHealthUpdateRetry / the taint writes' retry-on-conflict steps. */
export const NODE_HEALTH_UPDATE_RETRY = 5;

/** Nodes with this label are left out of zone disruption counts. */
const LABEL_EXCLUDE_DISRUPTION = 'node.kubernetes.io/exclude-disruption';
const NODE = { apiVersion: 'v1', kind: 'Node' };
const POD = { apiVersion: 'v1', kind: 'Pod' };
const LEASE = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' };
const NODE_LEASE_NAMESPACE = 'kube-node-lease';
const MONITOR_KEY = 'monitorNodeHealth';
const TAINTING_KEY = 'doNoExecuteTaintingPass';
/** The conditions that turn Unknown when the kubelet goes quiet (NetworkUnavailable is the network plugin's). */
const UNKNOWN_CONDITION_TYPES = ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure'];

/** nodeConditionToTaintKeyStatusMap: which condition status means which NoSchedule taint. */
const CONDITION_TAINTS: Record<string, Record<string, string>> = {
  Ready: { False: TAINT_NODE_NOT_READY, Unknown: TAINT_NODE_UNREACHABLE },
  MemoryPressure: { True: TAINT_NODE_MEMORY_PRESSURE },
  DiskPressure: { True: TAINT_NODE_DISK_PRESSURE },
  NetworkUnavailable: { True: TAINT_NODE_NETWORK_UNAVAILABLE },
  PIDPressure: { True: TAINT_NODE_PID_PRESSURE },
};
const CONDITION_TAINT_KEYS = new Set(Object.values(CONDITION_TAINTS).flatMap((m) => Object.values(m)));

export type ZoneState = 'Initial' | 'Normal' | 'FullDisruption' | 'PartialDisruption';

/** nodeHealthData: what the controller last saw of a node, and when (its own clock). */
interface NodeHealth {
  probeTimestamp: number;
  readyTransitionTimestamp: number;
  status: any;
  /** The Lease's renewTime when last seen renewed (virtual ms). */
  leaseRenewMs?: number;
  /** The last report of a standing NodeStatus heartbeat seen (virtual ms). */
  heartbeatTick?: number;
  /**
   * The node object of the last pass when that pass found it Ready, untainted, with nothing to
   * post or retry: while it stays the same object and its Lease keeps renewing, a pass changes
   * nothing but probeTimestamp (steadyPass).
   */
  steadyNode?: KubeObject;
  steadyReady?: PodCondition;
}

interface HealthResult {
  observed: PodCondition;
  current: PodCondition | undefined;
  /** The node with its conditions set to Unknown, when they must be posted. */
  update?: KubeObject;
  health: NodeHealth;
}

export interface NodeLifecycleOptions {
  /** The cluster's epoch (virtual time 0), for reading timestamps. Default DEFAULT_EPOCH. */
  epoch?: number;
}

export class NodeLifecycleController extends Controller {
  protected readonly user = controllerUser('node-controller');
  private nodes!: Informer;
  private leases!: Informer;
  private pods!: Informer;
  private recorder!: EventRecorder;
  private readonly podsByNode = new PodsByNode();
  private readonly knownNodeSet = new Map<string, KubeObject>();
  private readonly nodeHealth = new Map<string, NodeHealth>();
  private readonly zoneStates = new Map<string, ZoneState>();
  private readonly zoneNoExecuteTainter = new Map<string, RateLimitedTimedQueue>();
  private readonly nodesToRetry = new Set<string>();
  private taintingTimer: { handle: number; due: number } | undefined;
  private readonly epoch: number;
  /** Parsed Lease renewTimes, by the cached object. */
  private readonly renewTimes = new WeakMap<KubeObject, number>();

  constructor(opts: NodeLifecycleOptions = {}) {
    super();
    this.epoch = opts.epoch ?? DEFAULT_EPOCH;
  }

  protected setup(): void {
    this.recorder = new EventRecorder(this.client, () => this.ctx.now(), { component: 'node-controller' }, this.ctx.random('events'));
    this.nodes = this.informer({ kind: NODE, name: 'nodes' });
    this.leases = this.informer({ kind: LEASE, namespace: NODE_LEASE_NAMESPACE, name: 'leases' });
    this.pods = this.informer({ kind: POD, name: 'pods' });
    this.nodes.addHandlers({
      add: (n) => this.enqueue(`node/${n.metadata.name}`),
      update: (_old, n) => this.enqueue(`node/${n.metadata.name}`),
      delete: (n) => this.nodesToRetry.delete(n.metadata.name!),
    });
    this.pods.addHandlers({
      add: (p) => this.podUpdated(undefined, p),
      update: (old, p) => this.podUpdated(old, p),
      delete: (p) => this.podsByNode.observe(p, undefined),
    });
    this.enqueue(MONITOR_KEY);
  }

  override snapshot(): unknown {
    const zones = [...this.zoneStates.keys()].sort();
    return {
      ...(super.snapshot() as object),
      zoneStates: Object.fromEntries(zones.map((z) => [z, this.zoneStates.get(z)])),
      tainters: Object.fromEntries([...this.zoneNoExecuteTainter.keys()].sort().map((z) => [z, this.zoneNoExecuteTainter.get(z)!.snapshot()])),
      probeTimestamps: Object.fromEntries([...this.nodeHealth.keys()].sort().map((n) => [n, this.nodeHealth.get(n)!.probeTimestamp])),
    };
  }

  protected reconcile(key: string): ReconcileResult | void {
    if (key === MONITOR_KEY) {
      this.monitorNodeHealth();
      schedulePass(this.ctx, MONITOR_KEY, NODE_MONITOR_PERIOD_MS);
      return;
    }
    if (key === TAINTING_KEY) {
      this.taintingTimer = undefined;
      this.doNoExecuteTaintingPass();
      this.scheduleTaintingPass();
      return;
    }
    if (key.startsWith('node/')) return this.doNoScheduleTaintingPass(key.slice('node/'.length));
    if (key.startsWith('pod/')) return this.processPod(key.slice('pod/'.length));
  }

  private nowString(): string {
    return formatTime(this.ctx.now(), this.epoch);
  }

  // ------------------------------------------------------------------ NoSchedule taints

  /**
   * doNoScheduleTaintingPass: the NoSchedule taints a node's conditions and spec.unschedulable
   * call for, swapped in without rate limit (TaintNodesByCondition).
   */
  private doNoScheduleTaintingPass(nodeName: string): ReconcileResult | void {
    const node = this.nodes.get(undefined, nodeName);
    if (!node) return;
    const wanted: Taint[] = [];
    for (const c of node.status?.conditions ?? []) {
      const key = CONDITION_TAINTS[c.type]?.[c.status];
      if (key) wanted.push({ key, effect: 'NoSchedule' });
    }
    if (node.spec?.unschedulable) wanted.push({ key: TAINT_NODE_UNSCHEDULABLE, effect: 'NoSchedule' });
    const current = ((node.spec?.taints ?? []) as Taint[]).filter((t) => t.effect === 'NoSchedule' && (t.key === TAINT_NODE_UNSCHEDULABLE || CONDITION_TAINT_KEYS.has(t.key)));
    const { toAdd, toRemove } = taintSetDiff(wanted, current);
    if (toAdd.length === 0 && toRemove.length === 0) return;
    const key = `node/${nodeName}`;
    this.swapNodeControllerTaint(node, toAdd, toRemove, (ok) => {
      if (!ok) this.requeueRateLimited(key);
    });
  }

  /**
   * SwapNodeControllerTaint: adds taints (timeAdded = now) and removes others in one patch
   * guarded by resourceVersion; on a conflict, re-reads the node and tries again.
   */
  private swapNodeControllerTaint(node: KubeObject, toAdd: Taint[], toRemove: Taint[], cb?: (ok: boolean) => void, attempt = 1): void {
    const name = node.metadata.name!;
    const { taints, changed } = swapTaints(node.spec?.taints, toAdd, toRemove, this.nowString());
    if (!changed) {
      cb?.(true);
      return;
    }
    const patch = { metadata: { resourceVersion: node.metadata.resourceVersion }, spec: { taints: taints.length ? taints : null } };
    this.client.patch(NODE, undefined, name, patch, 'application/merge-patch+json', (r) => {
      if (r.ok || r.status.code === 404) return cb?.(true);
      if (r.status.code !== 409 || attempt >= NODE_HEALTH_UPDATE_RETRY) {
        this.ctx.log('node-lifecycle.taint-failed', { node: name, error: r.status.message });
        return cb?.(false);
      }
      this.client.get(NODE, undefined, name, (g) => {
        if (!g.ok) return cb?.(g.status.code === 404);
        this.swapNodeControllerTaint(g.object, toAdd, toRemove, cb, attempt + 1);
      });
    });
  }

  // ------------------------------------------------------------------ the monitor pass

  /**
   * monitorNodeHealth: classify nodes (new ones get RegisteredNode, gone ones RemovingNode),
   * update each node's health, then adjust the zones' rate limiters to their disruption.
   */
  private monitorNodeHealth(): void {
    const nodes = this.nodes.list();
    const { added, deleted, newZoneRepresentatives } = this.classifyNodes(nodes);
    for (const node of newZoneRepresentatives) this.addPodEvictorForNewZone(node);
    for (const node of added) {
      recordNodeEvent(this.recorder, node, 'Normal', 'RegisteredNode', `Registered Node ${node.metadata.name} in Controller`);
      this.knownNodeSet.set(node.metadata.name!, node);
      this.addPodEvictorForNewZone(node);
      this.markNodeAsReachable(node);
    }
    for (const node of deleted) {
      recordNodeEvent(this.recorder, node, 'Normal', 'RemovingNode', `Removing Node ${node.metadata.name} from Controller`);
      this.knownNodeSet.delete(node.metadata.name!);
    }
    const zoneToNodeConditions = new Map<string, Array<PodCondition | undefined>>();
    for (const node of nodes) {
      const current = this.updateNode(node);
      if (node.metadata.labels?.[LABEL_EXCLUDE_DISRUPTION] !== undefined) continue;
      const zone = getZoneKey(node);
      if (!zoneToNodeConditions.has(zone)) zoneToNodeConditions.set(zone, []);
      zoneToNodeConditions.get(zone)!.push(current);
    }
    this.handleDisruption(zoneToNodeConditions, nodes);
    this.scheduleTaintingPass();
  }

  /** classifyNodes: nodes not seen before, nodes gone, and known nodes of a zone with no state. */
  private classifyNodes(nodes: KubeObject[]): { added: KubeObject[]; deleted: KubeObject[]; newZoneRepresentatives: KubeObject[] } {
    const added: KubeObject[] = [];
    const newZoneRepresentatives: KubeObject[] = [];
    const present = new Set<string>();
    for (const node of nodes) {
      present.add(node.metadata.name!);
      if (!this.knownNodeSet.has(node.metadata.name!)) added.push(node);
      else if (!this.zoneStates.has(getZoneKey(node))) newZoneRepresentatives.push(node);
    }
    const deleted = [...this.knownNodeSet.keys()].sort().filter((n) => !present.has(n)).map((n) => this.knownNodeSet.get(n)!);
    return { added, deleted, newZoneRepresentatives };
  }

  /** addPodEvictorForNewZone: a zone seen for the first time gets a state and a tainter. */
  private addPodEvictorForNewZone(node: KubeObject): void {
    const zone = getZoneKey(node);
    if (this.zoneStates.has(zone)) return;
    this.zoneStates.set(zone, 'Initial');
    this.zoneNoExecuteTainter.set(zone, new RateLimitedTimedQueue(NODE_EVICTION_RATE, this.ctx.now()));
  }

  /**
   * monitorNodeHealth's per-node step: tryUpdateNodeHealth, post the Unknown conditions when
   * due, then (once posted) the taint-based eviction step and MarkPodsNotReady. Returns the
   * node's Ready condition as it now stands, for the zone's disruption count.
   */
  private updateNode(node: KubeObject, attempt = 1): PodCondition | undefined {
    const steady = this.steadyPass(node);
    if (steady) return steady;
    const result = this.tryUpdateNodeHealth(node);
    const name = node.metadata.name!;
    result.health.steadyNode = undefined;
    this.nodeHealth.set(name, result.health);
    if (!result.update) {
      this.afterHealthUpdate(node, result.observed, result.current);
      const taints = node.spec?.taints as Taint[] | undefined;
      if (result.observed.status === 'True' && result.current?.status === 'True' && !this.nodesToRetry.has(name)
        && !taintExists(taints, UNREACHABLE_TAINT) && !taintExists(taints, NOT_READY_TAINT)) {
        result.health.steadyNode = node;
        result.health.steadyReady = result.current;
      }
      return result.current;
    }
    const updated = result.update;
    this.client.updateStatus(updated, (r) => {
      if (r.ok) {
        const health = this.nodeHealth.get(name) ?? result.health;
        this.nodeHealth.set(name, { status: updated.status, probeTimestamp: health.probeTimestamp, readyTransitionTimestamp: this.ctx.now(), leaseRenewMs: this.leaseRenewMs(name) });
        this.afterHealthUpdate(updated, result.observed, result.current);
        return;
      }
      this.ctx.log('node-lifecycle.status-update-failed', { node: name, attempt, error: r.status.message });
      if (r.status.code === 404 || attempt >= NODE_HEALTH_UPDATE_RETRY) return;
      this.client.get(NODE, undefined, name, (g) => {
        if (g.ok) this.updateNode(g.object, attempt + 1);
      });
    });
    return result.current;
  }

  /**
   * The pass of a node that is the same Ready, untainted object as at the last pass, whose Lease
   * renewed since or is still within the grace period (and whose standing NodeStatus report, if
   * any, did not tick): the full steps would at most move probeTimestamp to now. Returns its Ready condition, or undefined to take
   * the full steps.
   */
  private steadyPass(node: KubeObject): PodCondition | undefined {
    const name = node.metadata.name!;
    const h = this.nodeHealth.get(name);
    if (!h || h.steadyNode !== node || h.leaseRenewMs === undefined || this.nodesToRetry.has(name)) return undefined;
    const now = this.ctx.now();
    const renew = this.leaseRenewMs(name);
    if (renew === undefined || renew < h.leaseRenewMs) return undefined;
    // Not renewed since the last pass: nothing moves while the probe is within the grace period.
    if (renew === h.leaseRenewMs && now > h.probeTimestamp + NODE_MONITOR_GRACE_PERIOD_MS) return undefined;
    const beat = this.nodes.heartbeat(undefined, name);
    if ((beat ? lastStandingTick(beat.start, beat.period, now - 1) : undefined) !== h.heartbeatTick) return undefined;
    if (renew > h.leaseRenewMs) {
      h.leaseRenewMs = renew;
      h.probeTimestamp = now;
    }
    return h.steadyReady;
  }

  /**
   * tryUpdateNodeHealth: probeTimestamp moves to now whenever the Ready condition's
   * lastHeartbeatTime or the Lease's renewTime changed since the last look; once now is past
   * probeTimestamp + grace (startup grace for a node that never posted Ready), the four
   * kubelet conditions become Unknown (keeping lastHeartbeatTime).
   */
  private tryUpdateNodeHealth(node: KubeObject): HealthResult {
    const now = this.ctx.now();
    const name = node.metadata.name!;
    const created = node.metadata.creationTimestamp ?? this.nowString();
    let health: NodeHealth | undefined = this.nodeHealth.get(name);
    health = health ? { ...health } : undefined;
    const currentReady = getNodeCondition(node, 'Ready');
    let observed: PodCondition;
    let grace: number;
    if (!currentReady) {
      observed = { type: 'Ready', status: 'Unknown', lastHeartbeatTime: created, lastTransitionTime: created } as PodCondition;
      grace = NODE_STARTUP_GRACE_PERIOD_MS;
      const createdMs = parseTime(created, this.epoch);
      if (health) health.status = node.status;
      else health = { status: node.status, probeTimestamp: createdMs, readyTransitionTimestamp: createdMs };
    } else {
      observed = { ...currentReady };
      grace = NODE_MONITOR_GRACE_PERIOD_MS;
    }
    const saved = health ? getNodeCondition({ status: health.status } as KubeObject, 'Ready') : undefined;
    const savedLease = health?.leaseRenewMs;
    // A standing NodeStatus heartbeat posts an unchanged report every period (api/heartbeats.ts).
    const beat = this.nodes.heartbeat(undefined, name);
    const beatTick = beat ? lastStandingTick(beat.start, beat.period, now - 1) : undefined;
    const beaten = beatTick !== undefined && beatTick > (health?.heartbeatTick ?? -Infinity);
    if (!health) health = freshHealth(node, now, now);
    else if ((!saved && currentReady) || (saved && !currentReady)) health = freshHealth(node, now, now);
    else if (saved && currentReady && ((saved as any).lastHeartbeatTime !== (currentReady as any).lastHeartbeatTime || beaten)) {
      health = freshHealth(node, now, saved.lastTransitionTime !== currentReady.lastTransitionTime ? now : health.readyTransitionTimestamp);
    }
    health.heartbeatTick = beatTick;
    const renewMs = this.leaseRenewMs(name);
    if (renewMs !== undefined && (savedLease === undefined || savedLease < renewMs)) {
      health.leaseRenewMs = renewMs;
      health.probeTimestamp = now;
    }
    if (!(now > health.probeTimestamp + grace)) return { observed, current: currentReady, health };
    const update = this.withConditionsUnknown(node, created);
    const current = getNodeCondition(update, 'Ready');
    if (deepEqual(current, observed)) return { observed, current, health };
    return { observed, current, update, health };
  }

  /** The node Lease's renewTime as the cache shows it now (a standing heartbeat included), in virtual ms. */
  private leaseRenewMs(name: string): number | undefined {
    const lease = this.leases.get(NODE_LEASE_NAMESPACE, name);
    if (!lease) return undefined;
    let t = this.renewTimes.get(lease);
    if (t === undefined) this.renewTimes.set(lease, (t = timeOf(lease.spec?.renewTime, this.epoch)));
    const beat = this.leases.heartbeat(NODE_LEASE_NAMESPACE, name);
    // A period's write reaches the cache after that instant's monitor pass (a request, then a
    // watch event): the pass at a period's instant still sees the one before.
    return beat ? Math.max(t, lastStandingTick(beat.start, beat.period, this.ctx.now() - 1)) : t;
  }

  /** The node with Ready, MemoryPressure, DiskPressure and PIDPressure set to Unknown. */
  private withConditionsUnknown(node: KubeObject, created: string): KubeObject {
    const updated = clone(node) as KubeObject;
    const now = this.nowString();
    updated.status ??= {};
    const conditions: any[] = (updated.status.conditions ??= []);
    for (const type of UNKNOWN_CONDITION_TYPES) {
      const c = conditions.find((x) => x.type === type);
      if (!c) {
        conditions.push({ type, status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.', lastHeartbeatTime: created, lastTransitionTime: now });
      } else if (c.status !== 'Unknown') {
        Object.assign(c, { status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.', lastTransitionTime: now });
      }
    }
    return updated;
  }

  /**
   * The rest of monitorNodeHealth's per-node work: processTaintBaseEviction on the Ready
   * status as observed, then, when Ready just stopped being True, the NodeNotReady event and
   * MarkPodsNotReady (also retried for a node whose last attempt failed).
   */
  private afterHealthUpdate(node: KubeObject, observed: PodCondition, current: PodCondition | undefined): void {
    if (!current) return;
    const name = node.metadata.name!;
    this.processTaintBaseEviction(node, observed);
    const needsRetry = this.nodesToRetry.has(name);
    this.nodesToRetry.delete(name);
    const becameNotReady = current.status !== 'True' && observed.status === 'True';
    if (becameNotReady) recordNodeStatusChange(this.recorder, node, 'NodeNotReady');
    if (becameNotReady || (needsRetry && observed.status !== 'True')) {
      this.markPodsNotReady(this.podsOn(name), name, (err) => {
        if (err) this.nodesToRetry.add(name);
      });
    }
    this.scheduleTaintingPass();
  }

  private podsOn(nodeName: string): KubeObject[] {
    return this.podsByNode.keys(nodeName).map((k) => {
      const i = k.indexOf('/');
      return this.pods.get(k.slice(0, i), k.slice(i + 1));
    }).filter((p): p is KubeObject => p !== undefined);
  }

  /**
   * processTaintBaseEviction: a NotReady or unreachable node swaps the opposite NoExecute taint
   * at once if it has it, or else is queued for tainting; a Ready node loses both.
   */
  private processTaintBaseEviction(node: KubeObject, observed: PodCondition): void {
    const taints = node.spec?.taints as Taint[] | undefined;
    if (observed.status === 'False') {
      if (taintExists(taints, UNREACHABLE_TAINT)) this.swapNodeControllerTaint(node, [NOT_READY_TAINT], [UNREACHABLE_TAINT]);
      else if (this.markNodeForTainting(node, 'False')) this.ctx.log('node-lifecycle.queued-for-taint', { node: node.metadata.name, status: 'False' });
    } else if (observed.status === 'Unknown') {
      if (taintExists(taints, NOT_READY_TAINT)) this.swapNodeControllerTaint(node, [UNREACHABLE_TAINT], [NOT_READY_TAINT]);
      else if (this.markNodeForTainting(node, 'Unknown')) this.ctx.log('node-lifecycle.queued-for-taint', { node: node.metadata.name, status: 'Unknown' });
    } else if (observed.status === 'True') {
      this.markNodeAsReachable(node);
    }
  }

  /** markNodeForTainting: (re)queue the node in its zone's tainter unless it already has the taint. */
  private markNodeForTainting(node: KubeObject, status: 'False' | 'Unknown'): boolean {
    const queue = this.zoneNoExecuteTainter.get(getZoneKey(node));
    if (!queue) return false;
    const taints = node.spec?.taints as Taint[] | undefined;
    const name = node.metadata.name!;
    if (status === 'False' && !taintExists(taints, NOT_READY_TAINT)) queue.remove(name);
    if (status === 'Unknown' && !taintExists(taints, UNREACHABLE_TAINT)) queue.remove(name);
    return queue.add(name, node.metadata.uid ?? '', this.ctx.now());
  }

  /** markNodeAsReachable: removes both NoExecute taints and takes the node off its tainter. */
  private markNodeAsReachable(node: KubeObject): void {
    const taints = node.spec?.taints as Taint[] | undefined;
    if (taintExists(taints, UNREACHABLE_TAINT) || taintExists(taints, NOT_READY_TAINT)) {
      this.swapNodeControllerTaint(node, [], [UNREACHABLE_TAINT, NOT_READY_TAINT]);
    }
    this.zoneNoExecuteTainter.get(getZoneKey(node))?.remove(node.metadata.name!);
  }

  // ------------------------------------------------------------------ NoExecute tainting

  /**
   * doNoExecuteTaintingPass: each zone's tainter hands out nodes as its rate limiter allows;
   * each gets the NoExecute taint matching its Ready status now (the opposite one removed).
   */
  private doNoExecuteTaintingPass(): void {
    const now = this.ctx.now();
    for (const zone of [...this.zoneNoExecuteTainter.keys()].sort()) {
      const queue = this.zoneNoExecuteTainter.get(zone)!;
      queue.try(now, (v) => {
        const node = this.nodes.get(undefined, v.value);
        if (!node) return { ok: true };
        const ready = getNodeCondition(node, 'Ready');
        if (!ready) return { ok: false, waitMs: 50 };
        let add: Taint;
        let remove: Taint;
        if (ready.status === 'False') [add, remove] = [NOT_READY_TAINT, UNREACHABLE_TAINT];
        else if (ready.status === 'Unknown') [add, remove] = [UNREACHABLE_TAINT, NOT_READY_TAINT];
        else return { ok: true };
        this.ctx.log('node-lifecycle.taint-noexecute', { node: v.value, taint: add.key });
        this.swapNodeControllerTaint(node, [add], [remove], (ok) => {
          if (ok) return;
          queue.retry(v.value, v.uid, this.ctx.now());
          this.scheduleTaintingPass();
        });
        return { ok: true };
      });
    }
  }

  /**
   * Upstream polls the tainters every NodeEvictionPeriod; here a background timer is set for
   * the first 100 ms tick at which some tainter could hand out a node (none while the
   * limiters are stopped).
   */
  private scheduleTaintingPass(): void {
    const now = this.ctx.now();
    let wait = Infinity;
    for (const q of this.zoneNoExecuteTainter.values()) wait = Math.min(wait, q.nextTryMs(now));
    if (wait === Infinity) return;
    const due = Math.ceil((now + Math.max(wait, 1)) / NODE_EVICTION_PERIOD_MS) * NODE_EVICTION_PERIOD_MS;
    if (this.taintingTimer && this.taintingTimer.due <= due) return;
    if (this.taintingTimer) this.ctx.cancelTimer(this.taintingTimer.handle);
    this.taintingTimer = { handle: requeueTimer(this.ctx, TAINTING_KEY, due - now, true), due };
  }

  // ------------------------------------------------------------------ zones

  /**
   * handleDisruption: each zone is Normal, PartialDisruption (≥ 55% and more than 2 nodes not
   * Ready) or FullDisruption (none Ready). All zones fully disrupted ⇒ stop all NoExecute
   * tainting and remove those taints (the control plane is more likely cut off than every
   * node dead); leaving that state resets every node's probe time; otherwise each zone whose
   * state changed gets its rate.
   */
  private handleDisruption(zoneToNodeConditions: Map<string, Array<PodCondition | undefined>>, nodes: KubeObject[]): void {
    const newZoneStates = new Map<string, ZoneState>();
    let allAreFullyDisrupted = true;
    for (const zone of [...zoneToNodeConditions.keys()].sort()) {
      const state = this.computeZoneState(zoneToNodeConditions.get(zone)!);
      if (state !== 'FullDisruption') allAreFullyDisrupted = false;
      newZoneStates.set(zone, state);
      if (!this.zoneStates.has(zone)) this.zoneStates.set(zone, 'Initial');
    }
    let allWasFullyDisrupted = true;
    for (const zone of [...this.zoneStates.keys()].sort()) {
      if (!zoneToNodeConditions.has(zone)) {
        this.zoneStates.delete(zone);
        continue;
      }
      if (this.zoneStates.get(zone) !== 'FullDisruption') {
        allWasFullyDisrupted = false;
        break;
      }
    }
    if (allAreFullyDisrupted && allWasFullyDisrupted) return;
    const now = this.ctx.now();
    const zones = [...this.zoneStates.keys()].sort();
    if (allAreFullyDisrupted) {
      this.ctx.log('node-lifecycle.disruption', { mode: 'enter', message: 'Controller detected that all Nodes are not-Ready. Entering master disruption mode' });
      for (const node of nodes) this.markNodeAsReachable(node);
      for (const zone of zones) this.zoneNoExecuteTainter.get(zone)?.swapLimiter(0, now);
      for (const zone of zones) this.zoneStates.set(zone, 'FullDisruption');
      return;
    }
    if (allWasFullyDisrupted) {
      this.ctx.log('node-lifecycle.disruption', { mode: 'exit', message: 'Controller detected that some Nodes are Ready. Exiting master disruption mode' });
      for (const node of nodes) {
        const h = this.nodeHealth.get(node.metadata.name!);
        if (h) this.nodeHealth.set(node.metadata.name!, { ...h, probeTimestamp: now, readyTransitionTimestamp: now });
      }
      for (const zone of zones) {
        this.setLimiterInZone(zone, zoneToNodeConditions.get(zone)?.length ?? 0, newZoneStates.get(zone));
        this.zoneStates.set(zone, newZoneStates.get(zone) ?? 'Initial');
      }
      return;
    }
    for (const zone of zones) {
      const next = newZoneStates.get(zone);
      if (!next || this.zoneStates.get(zone) === next) continue;
      this.ctx.log('node-lifecycle.zone-state', { zone, state: next });
      this.setLimiterInZone(zone, zoneToNodeConditions.get(zone)?.length ?? 0, next);
      this.zoneStates.set(zone, next);
    }
  }

  /** ComputeZoneState. */
  private computeZoneState(conditions: Array<PodCondition | undefined>): ZoneState {
    let ready = 0;
    let notReady = 0;
    for (const c of conditions) {
      if (c?.status === 'True') ready++;
      else notReady++;
    }
    if (ready === 0 && notReady > 0) return 'FullDisruption';
    if (notReady > 2 && notReady / (notReady + ready) >= UNHEALTHY_ZONE_THRESHOLD) return 'PartialDisruption';
    return 'Normal';
  }

  /**
   * setLimiterInZone: Normal and FullDisruption (of one zone among others) tain at the primary
   * rate; PartialDisruption at the secondary rate in a zone above the large-cluster threshold, else not at all.
   */
  private setLimiterInZone(zone: string, zoneSize: number, state: ZoneState | undefined): void {
    const queue = this.zoneNoExecuteTainter.get(zone);
    if (!queue || !state || state === 'Initial') return;
    const qps = state === 'PartialDisruption' ? (zoneSize > LARGE_CLUSTER_SIZE_THRESHOLD ? SECONDARY_NODE_EVICTION_RATE : 0) : NODE_EVICTION_RATE;
    queue.swapLimiter(qps, this.ctx.now());
  }

  // ------------------------------------------------------------------ pods

  /** podUpdated: a pod newly bound to a node is checked against that node's health. */
  private podUpdated(old: KubeObject | undefined, pod: KubeObject): void {
    this.podsByNode.observe(old, pod);
    const nodeName = pod.spec?.nodeName;
    if (nodeName && (!old || old.spec?.nodeName !== nodeName)) this.enqueue(`pod/${pod.metadata.namespace}/${pod.metadata.name}`);
  }

  /** processPod: a pod bound to a node that is not Ready is marked not ready too. */
  private processPod(key: string): ReconcileResult | void {
    const i = key.indexOf('/');
    const pod = this.pods.get(key.slice(0, i), key.slice(i + 1));
    if (!pod) return;
    const nodeName: string = pod.spec.nodeName;
    const health = this.nodeHealth.get(nodeName);
    if (!health) return;
    if (!this.nodes.get(undefined, nodeName)) return { requeue: true };
    const ready = getNodeCondition({ status: health.status } as KubeObject, 'Ready');
    if (!ready || ready.status === 'True') return;
    this.markPodsNotReady([pod], nodeName, (err) => {
      if (err) this.requeueRateLimited(`pod/${key}`);
    });
  }

  /**
   * MarkPodsNotReady (pkg/controller/util/node): each pod's Ready condition becomes False
   * through the status subresource, with a NodeNotReady warning on the pod.
   */
  private markPodsNotReady(pods: KubeObject[], nodeName: string, done: (err?: string) => void): void {
    let pending = 1;
    let firstErr: string | undefined;
    const finish = () => {
      if (--pending === 0) done(firstErr);
    };
    for (const pod of pods) {
      if (pod.spec?.nodeName !== nodeName) continue;
      const ready = getPodCondition(pod, 'Ready');
      if (!ready) continue;
      const { conditions, changed } = updatePodCondition(pod.status?.conditions ?? [], { ...ready, status: 'False' }, this.nowString());
      if (!changed) continue;
      pending++;
      this.client.updateStatus({ ...pod, status: { ...pod.status, conditions } }, (r) => {
        if (!r.ok && r.status.code === 404) return finish();
        if (!r.ok) firstErr ??= r.status.message;
        this.recorder.event(pod, 'Warning', 'NodeNotReady', 'Node is not ready');
        finish();
      });
    }
    finish();
  }
}

function timeOf(s: string | undefined, epoch: number): number {
  return s ? parseTime(s, epoch) : -Infinity;
}

/** A fresh record (as upstream's new nodeHealthData): it forgets the Lease it saw. */
function freshHealth(node: KubeObject, now: number, readyTransition: number): NodeHealth {
  return { status: node.status, probeTimestamp: now, readyTransitionTimestamp: readyTransition };
}
