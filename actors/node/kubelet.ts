// The node actor: a kubelet (pkg/kubelet) running on a NodeHost. It registers the Node, keeps
// the two heartbeats (Lease every 10 s; NodeStatus every 10 s, posted on change or every
// 5 min), admits the pods bound to it, runs a pod worker per pod, writes their status
// (status manager) and events, and deletes a terminated pod's object (grace 0).
import { MachineRunner, lastStandingTick, type ActorContext, type ActorLogic, type Envelope, type ExitSignal, type StandingEnd } from '../../runtime/index.ts';
import type { HeartbeatMessage } from '../../api/heartbeats.ts';
import type { KubeObject } from '../../api/types.ts';
import { ApiClient, HEARTBEAT_CLIENT, type KindRef } from '../../client/client.ts';
import { TokenBucket, type RateLimit } from '../../client/rate-limiter.ts';
import { CacheInformer, type Informer } from '../../client/informer.ts';
import { EventRecorder } from '../../client/events.ts';
import { WatchingObjectCache } from './object-cache.ts';
import { formatMicroTime, formatTime } from '../../api/time.ts';
import { deepEqual, joined } from '../../api/equal.ts';
import { isPodTerminal, podMatchesNodeSelectorAndAffinity, podRequests, resourceList } from '../../api/podutil.ts';
import { LEASE_RENEW_MS, NODE_STATUS_UPDATE_MS, nodeMachine } from '../../machines/node.ts';
import type { ProcessBehavior } from '../../cri/types.ts';
import type { NodeHost } from './host.ts';
import { PodWorker } from './pod-worker.ts';
import * as msg from './messages.ts';
import { RESOURCE_METRICS_REQUEST, serveResourceMetrics } from './metrics.ts';

/** nodeStatusReportFrequency: a NodeStatus is posted at least this often even when unchanged. */
export const NODE_STATUS_REPORT_MS = 5 * 60_000;
/** nodeLeaseDurationSeconds. */
export const NODE_LEASE_DURATION_S = 40;
/** At most this many images are reported in status.images (nodeStatusMaxImages). */
export const NODE_STATUS_MAX_IMAGES = 50;
/** Memory the kubelet keeps back (eviction-hard memory.available<100Mi). */
const EVICTION_HARD_MEMORY = 100 * 1024 * 1024;

export const KUBELET_VERSION = 'v1.32.0';

export interface KubeletOptions {
  host: NodeHost;
  epoch: number;
  behaviorFor: (pod: KubeObject, container: any) => ProcessBehavior | undefined;
  /** Client-side rate limits: the API client's (kubeAPIQPS/Burst) and the event client's (eventRecordQPS/eventBurst). */
  rateLimits?: { api: RateLimit; events: RateLimit };
}

/** The status manager's syncPeriod (status_manager.go): its ticker writes what has not got through. */
export const STATUS_SYNC_PERIOD_MS = 10_000;

export function nodeActorId(name: string): string {
  return `node/${name}`;
}

type Admission = { ok: true } | { ok: false; reason: string; message: string };

export class Kubelet implements ActorLogic {
  private ctx!: ActorContext;
  private client!: ApiClient;
  private recorder!: EventRecorder;
  /** The ConfigMaps and Secrets pod volumes read (the watch-based manager). */
  private objects!: WatchingObjectCache;
  private pods!: Informer;
  private self!: Informer;
  private node!: MachineRunner;
  private readonly workers = new Map<string, string>();
  /** Requests of the active pods admitted here, and their sums (for admission of the next one). */
  private readonly admitted = new Map<string, { cpu: number; memory: number }>();
  private readonly used = { cpu: 0, memory: 0, pods: 0 };
  private readonly statuses = new Map<string, msg.PodStatusReport>();
  /** What the pod workers call: the status manager and the event recorder (see KubeletPort). */
  private readonly port: msg.KubeletPort = {
    setPodStatus: (r) => this.onWorkerStatus(r),
    podEvent: (r) => this.onPodEvent(r),
    cachedObject: (kind, namespace, name) => this.objects.lookup(kind, namespace, name),
  };
  private readonly pendingStatus = new Set<string>();
  /** Pods whose last status write failed: written again on the status manager's next tick. */
  private readonly unsyncedStatus = new Set<string>();
  private statusRetry: number | undefined;
  private statusManagerStart = 0;
  /** The uids of the pods the kubelet's informer has (metrics leave out sandboxes it no longer knows). */
  private readonly knownPods = new Set<string>();
  private readonly knowsPod = (uid: string): boolean => this.knownPods.has(uid);
  private lastPostedStatus: any;
  private lastPostedAt = -Infinity;
  private registered = false;
  /** When the status checks started: they run on this phase every 10 s. */
  private statusPhase = 0;
  /** The standing streams carrying the Lease renewals and the unchanged status reports, when they stand. */
  private leaseStream: number | undefined;
  private statusStream: number | undefined;
  private nodeUid: string | undefined;
  private failure: unknown;

  constructor(private readonly opts: KubeletOptions) {}

  private get name(): string {
    return this.opts.host.spec.name;
  }

  start(ctx: ActorContext): void {
    this.ctx = ctx;
    this.statusManagerStart = ctx.now();
    const limits = this.opts.rateLimits;
    const host = this.opts.host;
    host.kubeletClientLimiter = TokenBucket.of(limits?.api, ctx.now());
    this.client = new ApiClient(ctx, msg.nodeUser(this.name), { timeoutMs: msg.KUBELET_REQUEST_TIMEOUT_MS, rateLimiter: () => host.kubeletClientLimiter });
    this.recorder = new EventRecorder(this.client, ctx.now, { component: 'kubelet', host: this.name }, ctx.random('events'), { eventClient: { limiter: TokenBucket.of(limits?.events, ctx.now()) } });
    this.objects = new WatchingObjectCache(ctx, this.client);
    this.pods = new CacheInformer(ctx, this.client, { kind: { apiVersion: 'v1', kind: 'Pod' }, fieldSelector: `spec.nodeName=${this.name}`, name: 'pods' });
    this.pods.addHandlers({ add: (p) => this.syncPod(p), update: (o, p) => this.syncPod(p, o), delete: (p) => this.podGone(p) });
    // The kubelet's node informer: its own Node object (labels for admission, cordon).
    this.self = new CacheInformer(ctx, this.client, { kind: { apiVersion: 'v1', kind: 'Node' }, fieldSelector: `metadata.name=${this.name}`, name: 'node' });
    this.self.addHandlers({ add: (n) => this.onNodeObject(n), update: (_o, n) => this.onNodeObject(n) });
    const clock = {
      setTimeout: (fn: () => void, ms: number) => ctx.startTimer('heartbeat', ms, () => { fn(); this.rethrow(); }, { background: true }),
      clearTimeout: (h: number) => ctx.cancelTimer(h),
    };
    this.node = new MachineRunner(nodeMachine, 'node', clock, { onEmit: (ev) => this.onNodeEmit(ev), onError: (e) => { this.failure = e; } }, { input: undefined });
    this.node.start();
    this.rethrow();
  }

  receive(env: Envelope): void {
    const m = env.message;
    if (this.client.handle(env) || this.pods.handle(env) || this.self.handle(env) || this.objects.handle(env)) return this.rethrow();
    switch (m.type) {
      case '$STANDING_END': this.onStandingEnd(m as StandingEnd); break;
      case msg.HOST_CHANGED: this.statusMayHaveChanged(); break;
      case msg.POD_TERMINATED: this.onPodTerminated(m.uid as string); break;
      case 'kubelet.flushStatus': this.flushPodStatuses(); break;
      case RESOURCE_METRICS_REQUEST: serveResourceMetrics(this.ctx, env, this.opts.host, this.knowsPod); break;
      case '$EXIT': this.onWorkerExit(m as ExitSignal); break;
    }
    this.rethrow();
  }

  stop(): void {
    this.node?.stop();
  }

  stateValue(): unknown {
    return this.node?.getSnapshot().value;
  }

  snapshot(): unknown {
    return { node: this.node?.getSnapshot().value, pods: [...this.workers.keys()].sort() };
  }

  machine(): unknown {
    return nodeMachine;
  }

  // ------------------------------------------------------------------ heartbeats

  private onNodeEmit(ev: any): void {
    if (ev.type !== 'kubelet') return;
    if (ev.op === 'registerNode') this.registerNode();
    else if (ev.op === 'renewLease') this.renewLease();
    else if (ev.op === 'syncNodeStatus') this.syncNodeStatus(false);
    else if (ev.op === 'standLease') this.standLease();
  }

  /** Right after a renewal: let one standing stream stand for the renewals to come. */
  private standLease(): void {
    const stream = this.ctx.openStanding('kube-apiserver', this.heartbeat('Lease', 'renewTime'), LEASE_RENEW_MS);
    if (stream === undefined) return;
    this.leaseStream = stream;
    this.node.send({ type: 'LEASE_STANDING' });
  }

  /** The status is unchanged and posted: one standing stream stands for the reports every nodeStatusReportFrequency. */
  private standStatus(): void {
    if (this.statusStream !== undefined) return;
    const stream = this.ctx.openStanding('kube-apiserver', this.heartbeat('Node', 'conditionHeartbeats'), NODE_STATUS_REPORT_MS, this.lastPostedAt);
    if (stream === undefined) return;
    this.statusStream = stream;
    this.node.send({ type: 'STATUS_STANDING' });
  }

  private heartbeat(kind: 'Lease' | 'Node', stamp: HeartbeatMessage['stamp']): HeartbeatMessage & { user: unknown } {
    return kind === 'Lease'
      ? { type: 'api.heartbeat', apiVersion: 'coordination.k8s.io/v1', kind, namespace: 'kube-node-lease', name: this.name, stamp, user: msg.nodeUser(this.name) }
      : { type: 'api.heartbeat', apiVersion: 'v1', kind, name: this.name, stamp, user: msg.nodeUser(this.name) };
  }

  /** A standing stream ended (the API server closed it, a fault, a restart): write each period again from the next one. */
  private onStandingEnd(m: StandingEnd): void {
    const now = this.ctx.now();
    if (m.stream === this.leaseStream) {
      this.leaseStream = undefined;
      this.node.send({ type: 'LEASE_STANDING_ENDED', resumeIn: m.lastTick + LEASE_RENEW_MS - now });
    } else if (m.stream === this.statusStream) {
      this.statusStream = undefined;
      this.resumeStatusChecks(m.lastTick);
    }
  }

  /** Something the NodeStatus reports may have changed: the checks every 10 s resume (from the next one). */
  private statusMayHaveChanged(): void {
    if (this.statusStream === undefined) return;
    const stream = this.statusStream;
    this.statusStream = undefined;
    this.ctx.closeStanding(stream);
    this.resumeStatusChecks(lastStandingTick(this.lastPostedAt, NODE_STATUS_REPORT_MS, this.ctx.now()));
  }

  private resumeStatusChecks(lastReport: number): void {
    this.lastPostedAt = lastReport;
    const since = this.ctx.now() - this.statusPhase;
    this.node.send({ type: 'STATUS_STANDING_ENDED', resumeIn: NODE_STATUS_UPDATE_MS - (since % NODE_STATUS_UPDATE_MS) });
  }

  /** registerWithAPIServer: create the Node, or take over an existing one. */
  private registerNode(): void {
    const node = this.initialNode();
    this.client.create(node, (r) => {
      if (r.ok) {
        this.nodeUid = r.object.metadata.uid;
        this.lastPostedStatus = r.object.status;
        this.lastPostedAt = this.ctx.now();
        return this.onRegistered(true);
      }
      if (r.status.code !== 409) return this.node.send({ type: 'REGISTER_FAILED' });
      this.client.get(node, undefined, this.name, (g) => {
        if (!g.ok) return this.node.send({ type: 'REGISTER_FAILED' });
        this.nodeUid = g.object.metadata.uid;
        this.lastPostedStatus = g.object.status;
        this.onRegistered(false);
      });
    });
  }

  private onRegistered(created: boolean): void {
    this.registered = true;
    this.statusPhase = this.ctx.now();
    const ref = this.nodeRef();
    this.recorder.event(ref, 'Normal', 'Starting', 'Starting kubelet.');
    if (created) {
      for (const r of ['NodeHasSufficientMemory', 'NodeHasNoDiskPressure', 'NodeHasSufficientPID']) this.recorder.event(ref, 'Normal', r, `Node ${this.name} status is now: ${r}`);
      this.recorder.event(ref, 'Normal', 'NodeAllocatableEnforced', 'Updated Node Allocatable limit across pods');
      this.recorder.event(ref, 'Normal', 'NodeReady', `Node ${this.name} status is now: NodeReady`);
    }
    this.node.send({ type: 'REGISTERED' });
    this.self.start();
    this.pods.start();
    if (!created) this.syncNodeStatus(true);
  }

  /** The node lease controller: renew the Lease's renewTime (create it the first time). */
  private renewLease(): void {
    const now = formatMicroTime(this.ctx.now(), this.opts.epoch);
    const lease: KindRef = { apiVersion: 'coordination.k8s.io/v1', kind: 'Lease' };
    this.client.patch(lease, 'kube-node-lease', this.name, { spec: { renewTime: now } }, 'application/merge-patch+json', (r) => {
      if (r.ok) return this.node.send({ type: 'LEASE_RENEWED' });
      if (r.status.code !== 404) return this.node.send({ type: 'LEASE_FAILED' });
      const created: KubeObject = {
        ...lease,
        metadata: { name: this.name, namespace: 'kube-node-lease', ownerReferences: this.nodeUid ? [{ apiVersion: 'v1', kind: 'Node', name: this.name, uid: this.nodeUid }] : undefined },
        spec: { holderIdentity: this.name, leaseDurationSeconds: NODE_LEASE_DURATION_S, renewTime: now },
      };
      this.client.create(created, (c) => this.node.send({ type: c.ok ? 'LEASE_RENEWED' : 'LEASE_FAILED' }), undefined, HEARTBEAT_CLIENT);
    }, undefined, HEARTBEAT_CLIENT);
  }

  /** tryUpdateNodeStatus: post when something changed or every nodeStatusReportFrequency. */
  private syncNodeStatus(force: boolean): void {
    if (!this.registered) return;
    // Compare with the Node as the API server has it: the node controller may have set Unknown.
    const current = this.self.get(undefined, this.name)?.status ?? this.lastPostedStatus;
    const status = this.nodeStatus(current);
    const now = this.ctx.now();
    const changed = !deepEqual(withoutHeartbeats(status), withoutHeartbeats(current));
    this.noteReadiness(status, current);
    if (!force && !changed && now - this.lastPostedAt < NODE_STATUS_REPORT_MS) return this.standStatus();
    this.lastPostedAt = now;
    this.lastPostedStatus = status;
    this.client.patch({ apiVersion: 'v1', kind: 'Node' }, undefined, this.name, { status }, 'application/merge-patch+json', (r) => {
      if (r.ok) this.standStatus();
    }, 'status', HEARTBEAT_CLIENT);
  }

  private nodeLabels(): Record<string, string> {
    const s = this.opts.host.spec;
    const labels: Record<string, string> = {
      'beta.kubernetes.io/arch': 'amd64', 'beta.kubernetes.io/os': 'linux', 'kubernetes.io/arch': 'amd64',
      'kubernetes.io/hostname': s.name, 'kubernetes.io/os': 'linux', 'node.kubernetes.io/instance-type': s.instanceType,
    };
    if (s.zone) {
      labels['topology.kubernetes.io/zone'] = s.zone;
      labels['topology.kubernetes.io/region'] = s.zone.replace(/-?[a-z]$/, '');
    }
    return { ...labels, ...(s.labels ?? {}) };
  }

  private initialNode(): KubeObject {
    const s = this.opts.host.spec;
    const spec: any = { podCIDR: this.opts.host.podCIDR, podCIDRs: [this.opts.host.podCIDR] };
    if (s.taints?.length) spec.taints = s.taints;
    return {
      apiVersion: 'v1', kind: 'Node',
      metadata: { name: s.name, labels: this.nodeLabels(), annotations: { 'node.alpha.kubernetes.io/ttl': '0', 'volumes.kubernetes.io/controller-managed-attach-detach': 'true' } },
      spec, status: this.nodeStatus(undefined),
    };
  }

  /** The NodeStatus the kubelet computes: capacity, allocatable, conditions, addresses, info, images. */
  private nodeStatus(prev: any): any {
    const s = this.opts.host.spec;
    const t = formatTime(this.ctx.now(), this.opts.epoch);
    const memory = resourceList({ memory: s.memory }).memory;
    const capacity = { cpu: s.cpu, 'ephemeral-storage': s.ephemeralStorage, 'hugepages-1Gi': '0', 'hugepages-2Mi': '0', memory: `${Math.round(memory / 1024)}Ki`, pods: String(s.pods) };
    const allocatable = { ...capacity, memory: `${Math.round((memory - EVICTION_HARD_MEMORY) / 1024)}Ki` };
    const cond = (type: string, status: string, reason: string, message: string) => {
      const old = prev?.conditions?.find((c: any) => c.type === type);
      return { type, status, lastHeartbeatTime: t, lastTransitionTime: old && old.status === status ? old.lastTransitionTime : t, reason, message };
    };
    const images = [...this.opts.host.images.entries()].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).slice(0, NODE_STATUS_MAX_IMAGES)
      .map(([ref, size]) => ({ names: [ref], sizeBytes: size }));
    return {
      capacity, allocatable,
      conditions: [
        cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory', 'kubelet has sufficient memory available'),
        cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure', 'kubelet has no disk pressure'),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID', 'kubelet has sufficient PID available'),
        this.opts.host.runtimeUp ? cond('Ready', 'True', 'KubeletReady', 'kubelet is posting ready status')
          : cond('Ready', 'False', 'KubeletNotReady', 'container runtime is down'),
      ],
      addresses: [{ type: 'InternalIP', address: this.opts.host.hostIP }, { type: 'Hostname', address: s.name }],
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        machineID: hexId(s.name, 32), systemUUID: hexId(`${s.name}/uuid`, 32), bootID: hexId(`${s.name}/boot`, 32),
        kernelVersion: '6.8.0-kubesim', osImage: 'Debian GNU/Linux 12 (bookworm)', containerRuntimeVersion: 'containerd://1.7.24',
        kubeletVersion: KUBELET_VERSION, kubeProxyVersion: KUBELET_VERSION, operatingSystem: 'linux', architecture: 'amd64',
      },
      images,
    };
  }

  /** Ready turned False or True: the node machine follows, and the kubelet records NodeNotReady / NodeReady. */
  private noteReadiness(status: any, previous: any): void {
    const ready = status.conditions.find((c: any) => c.type === 'Ready')?.status;
    const before = previous?.conditions?.find((c: any) => c.type === 'Ready')?.status;
    if (ready === before) return;
    this.node.send({ type: ready === 'True' ? 'RUNTIME_READY' : 'RUNTIME_DOWN' });
    const reason = ready === 'True' ? 'NodeReady' : 'NodeNotReady';
    if (before !== undefined) this.recorder.event(this.nodeRef(), 'Normal', reason, `Node ${this.name} status is now: ${reason}`);
  }

  /** The Node object changed: cordon state for the node machine. */
  private onNodeObject(n: KubeObject): void {
    this.node.send({ type: n.spec?.unschedulable ? 'CORDONED' : 'UNCORDONED' });
    // Another writer (the node controller's Unknown) changed what the kubelet reports.
    if (this.statusStream !== undefined && !deepEqual(withoutHeartbeats(n.status), withoutHeartbeats(this.lastPostedStatus))) this.statusMayHaveChanged();
  }

  /** Node events name the node by its name as uid, as the kubelet's node reference does. */
  private nodeRef(): KubeObject {
    return { apiVersion: 'v1', kind: 'Node', metadata: { name: this.name, uid: this.name } };
  }

  // ------------------------------------------------------------------ pods

  /**
   * HandlePodAdditions / HandlePodUpdates: start, update or terminate the pod's worker. An update
   * reaches the worker only when it changes what the worker acts on (see podChangeForWorker).
   */
  private syncPod(pod: KubeObject, old?: KubeObject): void {
    const uid = pod.metadata.uid!;
    this.knownPods.add(uid);
    const worker = this.workers.get(uid);
    const graceMs = (pod.metadata.deletionGracePeriodSeconds ?? 0) * 1000;
    if (worker) {
      if (!old || podChangeForWorker(old, pod)) this.ctx.send(worker, { type: msg.POD_UPDATE, pod });
      // A pod the API shows terminal no longer counts against admission.
      if (isPodTerminal(pod)) this.release(uid);
      // The status manager keeps the API's copy equal to the kubelet's (another writer, e.g.
      // the node controller's MarkPodsNotReady, may have changed it).
      const mine = this.statuses.get(uid);
      if (mine && !equalsMerged(pod.status, mine.status)) this.onPodStatus(mine);
      if (pod.metadata.deletionTimestamp) this.ctx.send(worker, { type: msg.POD_DELETE, graceMs });
      return;
    }
    const running = this.opts.host.sandboxes.has(uid);
    if (pod.metadata.deletionTimestamp && !running) return this.forceDelete(pod);
    if (isPodTerminal(pod) && !running) return;
    this.startWorker(pod);
    if (pod.metadata.deletionTimestamp) this.ctx.send(this.workers.get(uid)!, { type: msg.POD_DELETE, graceMs });
  }

  private startWorker(pod: KubeObject): void {
    const uid = pod.metadata.uid!;
    const id = joined(this.ctx.self, '/pod/', pod.metadata.namespace!, '/', pod.metadata.name!);
    const resumed = this.opts.host.sandboxes.has(uid);
    const admission = resumed ? undefined : this.admit(pod);
    // A pod found running after a restart counts against the next admissions as before.
    if (resumed && !isPodTerminal(pod)) this.count(uid, podRequestsOf(pod));
    const opts = { pod, host: this.opts.host, kubelet: this.ctx.self, epoch: this.opts.epoch, admission, behaviorFor: this.opts.behaviorFor, port: this.port };
    this.workers.set(uid, id);
    this.ctx.spawn({ id, type: 'pod', restart: 'temporary', start() { return new PodWorker(opts); } });
  }

  /** canAdmitPod: node affinity and resources against the pods already admitted here. */
  private admit(pod: KubeObject): Admission {
    const nodeObj = this.self.get(undefined, this.name) ?? ({ apiVersion: 'v1', kind: 'Node', metadata: { name: this.name, labels: this.nodeLabels() } } as KubeObject);
    if (!podMatchesNodeSelectorAndAffinity(pod, nodeObj)) {
      return { ok: false, reason: 'NodeAffinity', message: "Pod was rejected: Predicate NodeAffinity failed: node(s) didn't match Pod's node affinity/selector" };
    }
    const s = this.opts.host.spec;
    const alloc = resourceList({ cpu: s.cpu, memory: s.memory, pods: s.pods });
    alloc.memory -= EVICTION_HARD_MEMORY;
    const used = this.used;
    const req = podRequestsOf(pod);
    if (used.pods + 1 > s.pods) return outOfResource('pods', 1, used.pods, s.pods);
    if (req.cpu > 0 && used.cpu + req.cpu > alloc.cpu) return outOfResource('cpu', req.cpu, used.cpu, alloc.cpu);
    if (req.memory > 0 && used.memory + req.memory > alloc.memory) return outOfResource('memory', req.memory, used.memory, alloc.memory);
    this.count(pod.metadata.uid!, req);
    return { ok: true };
  }

  /** An admitted pod counts until it is terminal or its worker is gone. */
  private count(uid: string, req: { cpu: number; memory: number }): void {
    this.release(uid);
    this.admitted.set(uid, req);
    this.used.cpu += req.cpu;
    this.used.memory += req.memory;
    this.used.pods++;
  }

  private release(uid: string): void {
    const r = this.admitted.get(uid);
    if (!r) return;
    this.admitted.delete(uid);
    this.used.cpu -= r.cpu;
    this.used.memory -= r.memory;
    this.used.pods--;
  }

  /**
   * A status from a pod worker. The status manager ignores one equal to the status it already
   * holds for the pod (status_manager.go updateStatusInternal, "Ignoring same status for pod"):
   * its informer may not have seen the previous write yet, so comparing there would send it twice.
   */
  private onWorkerStatus(m: msg.PodStatusReport): unknown {
    const held = this.statuses.get(m.uid);
    if (held && deepEqual(held.status, m.status)) return held.status;
    this.onPodStatus(m);
    return m.status;
  }

  private onPodStatus(m: msg.PodStatusReport): void {
    this.statuses.set(m.uid, m);
    if (this.pendingStatus.size === 0) this.ctx.send(this.ctx.self, { type: 'kubelet.flushStatus' });
    this.pendingStatus.add(m.uid);
  }

  /** The status manager: one status write per pod per batch, skipped when unchanged. */
  private flushPodStatuses(): void {
    for (const uid of [...this.pendingStatus].sort()) {
      const m = this.statuses.get(uid);
      if (!m) continue;
      const cached = this.pods.get(m.namespace, m.name);
      if (!cached || cached.metadata.uid !== uid) continue;
      if (equalsMerged(cached.status, m.status)) continue;
      const status = mergePodStatus(m.status, cached.status);
      // Handed over: the store keeps the status's parts, which the manager holds too.
      this.client.request({
        verb: 'patch', apiVersion: 'v1', kind: 'Pod', namespace: m.namespace, name: m.name, subresource: 'status',
        body: { status }, patchType: 'application/merge-patch+json', transfer: true,
      }, (r) => {
        if (!r.ok && r.status.code !== 404) this.statusWriteFailed(uid);
      });
    }
    this.pendingStatus.clear();
  }

  /**
   * A status write failed (a timeout while partitioned, an error): the status manager's ticker
   * (syncBatch every 10 s from its start) writes it again, as it does every status the API
   * server does not have yet (needsUpdate), until one gets through.
   */
  private statusWriteFailed(uid: string): void {
    this.unsyncedStatus.add(uid);
    if (this.statusRetry !== undefined) return;
    const now = this.ctx.now();
    const ticks = Math.floor((now - this.statusManagerStart) / STATUS_SYNC_PERIOD_MS) + 1;
    this.statusRetry = this.ctx.startTimer('status-sync', this.statusManagerStart + ticks * STATUS_SYNC_PERIOD_MS - now, () => {
      this.statusRetry = undefined;
      for (const id of [...this.unsyncedStatus].sort()) if (this.statuses.has(id)) this.pendingStatus.add(id);
      this.unsyncedStatus.clear();
      this.flushPodStatuses();
      this.rethrow();
    }, { background: true });
  }

  private onPodEvent(m: msg.PodEventReport): void {
    const ref: KubeObject = { apiVersion: 'v1', kind: 'Pod', metadata: { name: m.name, namespace: m.namespace, uid: m.uid } };
    this.recorder.event(ref, m.eventType, m.reason, m.message, m.fieldPath);
  }

  /** All containers stopped after a deletion: post the final status, then delete with grace 0. */
  private onPodTerminated(uid: string): void {
    this.flushPodStatuses();
    const workerId = this.workers.get(uid);
    const pod = this.pods.list().find((p) => p.metadata.uid === uid);
    this.opts.host.sandboxes.delete(uid);
    this.workers.delete(uid);
    this.release(uid);
    if (workerId) this.ctx.stopChild(workerId);
    if (pod) this.forceDelete(pod);
  }

  private forceDelete(pod: KubeObject): void {
    this.client.delete(pod, pod.metadata.namespace, pod.metadata.name!, { gracePeriodSeconds: 0, preconditions: { uid: pod.metadata.uid } });
  }

  /** The pod object is gone from the API (force-deleted): stop its containers at once. */
  private podGone(pod: KubeObject): void {
    this.knownPods.delete(pod.metadata.uid!);
    const worker = this.workers.get(pod.metadata.uid!);
    if (worker) this.ctx.send(worker, { type: msg.POD_DELETE, graceMs: 0 });
  }

  private onWorkerExit(exit: ExitSignal): void {
    for (const [uid, id] of [...this.workers]) {
      if (id !== exit.child) continue;
      this.workers.delete(uid);
      this.release(uid);
      const pod = this.pods.list().find((p) => p.metadata.uid === uid);
      if (pod && !exit.normal) this.syncPod(pod);
    }
  }

  private rethrow(): void {
    if (this.failure !== undefined) {
      const f = this.failure;
      this.failure = undefined;
      throw f instanceof Error ? f : new Error(String(f));
    }
  }
}

/** The cpu (millicores) and memory (bytes) a pod requests, as admission counts them. */
function podRequestsOf(pod: KubeObject): { cpu: number; memory: number } {
  const r = podRequests(pod);
  return { cpu: r.cpu, memory: r.memory };
}

/** Conditions the kubelet owns; others (PodScheduled, DisruptionTarget, readiness gates) are kept. */
const KUBELET_CONDITIONS = new Set(['PodReadyToStartContainers', 'Initialized', 'Ready', 'ContainersReady']);

/**
 * mergePodStatus (status_manager.go): the kubelet's status with the conditions others own
 * (PodScheduled, DisruptionTarget, readiness gates) as the API has them; the kubelet adds
 * PodScheduled only when the pod has none (a pod created with spec.nodeName).
 */
export function mergePodStatus(mine: any, api: any): any {
  const apiConds: any[] = api?.conditions ?? [];
  const others = foreignConditions(apiConds);
  const own = (mine.conditions ?? []).filter((c: any) => KUBELET_CONDITIONS.has(c.type) || (c.type === 'PodScheduled' && !apiConds.some((a) => a.type === 'PodScheduled')));
  const ordered = [...own.filter((c: any) => c.type !== 'PodScheduled'), ...own.filter((c: any) => c.type === 'PodScheduled'), ...others];
  return { ...mine, conditions: ordered };
}

/**
 * deepEqual(api, mergePodStatus(mine, api)), without building the merged status: the check runs
 * on every pod update the kubelet hears, its own writes coming back among them.
 */
export function equalsMerged(api: any, mine: any): boolean {
  if (!api || typeof api !== 'object' || !Array.isArray(api.conditions)) return false;
  let defined = 0;
  for (const k in mine) {
    if (k === 'conditions' || mine[k] === undefined) continue;
    defined++;
    if (!deepEqual(mine[k], api[k])) return false;
  }
  for (const k in api) if (k !== 'conditions' && api[k] !== undefined) defined--;
  if (defined !== 0) return false;
  const apiConds: any[] = api.conditions;
  const mineConds: any[] = mine.conditions ?? [];
  let apiScheduled = false;
  for (let i = 0; i < apiConds.length; i++) if (apiConds[i].type === 'PodScheduled') apiScheduled = true;
  // The merged order: the kubelet's own conditions, its PodScheduled (when the API has none), then the others'.
  let j = 0;
  for (let i = 0; i < mineConds.length; i++) {
    const c = mineConds[i];
    if (KUBELET_CONDITIONS.has(c.type) && !deepEqual(c, apiConds[j++])) return false;
  }
  if (!apiScheduled) {
    for (let i = 0; i < mineConds.length; i++) if (mineConds[i].type === 'PodScheduled' && !deepEqual(mineConds[i], apiConds[j++])) return false;
  }
  for (let i = 0; i < apiConds.length; i++) {
    const c = apiConds[i];
    if (!KUBELET_CONDITIONS.has(c.type) && !deepEqual(c, apiConds[j++])) return false;
  }
  return j === apiConds.length;
}

function withoutHeartbeats(status: any): any {
  if (!status) return status;
  return { ...status, conditions: (status.conditions ?? []).map((c: any) => ({ ...c, lastHeartbeatTime: undefined })) };
}

/** A stable hex id from a name (machine ids): not random, so it survives restarts. */
function hexId(seed: string, n: number): string {
  let h = 0x811c9dc5;
  let out = '';
  while (out.length < n) {
    for (let i = 0; i < seed.length; i++) h = Math.imul(h ^ seed.charCodeAt(i), 0x01000193) >>> 0;
    h = Math.imul(h ^ out.length, 0x01000193) >>> 0;
    out += h.toString(16).padStart(8, '0');
  }
  return out.slice(0, n);
}

/** An admission rejected for a resource the node has too little of (lifecycle predicate InsufficientResourceError). */
function outOfResource(res: string, requested: number, used: number, capacity: number): Admission {
  return {
    ok: false, reason: `OutOf${res}`, message: `Pod was rejected: Node didn't have enough resource: ${res}, requested: ${requested}, used: ${used}, capacity: ${capacity}`,
  };
}

/**
 * Whether a pod's update is one its worker must hear of. The kubelet's pod config passes on an
 * update that differs semantically (podsDifferSemantically: spec, labels, annotations, deletion);
 * one that changes only the status is a reconcile, which matters to the worker only through the
 * conditions other controllers own (readiness gates). Most updates of a running pod are the status
 * its own worker generated, written back: the worker has it already.
 */
function podChangeForWorker(old: KubeObject, pod: KubeObject): boolean {
  const a = old.metadata;
  const b = pod.metadata;
  if (old.spec !== pod.spec && !deepEqual(old.spec, pod.spec)) return true;
  if (a.labels !== b.labels && !deepEqual(a.labels ?? {}, b.labels ?? {})) return true;
  if (a.annotations !== b.annotations && !deepEqual(a.annotations ?? {}, b.annotations ?? {})) return true;
  if (a.deletionTimestamp !== b.deletionTimestamp || a.deletionGracePeriodSeconds !== b.deletionGracePeriodSeconds) return true;
  const before = old.status?.conditions;
  const after = pod.status?.conditions;
  if (before === after) return false;
  return !deepEqual(foreignConditions(before), foreignConditions(after));
}

/** The conditions others own (see KUBELET_CONDITIONS), in order. */
function foreignConditions(conditions: any[] | undefined): any[] {
  const out: any[] = [];
  for (const c of conditions ?? []) if (!KUBELET_CONDITIONS.has(c.type)) out.push(c);
  return out;
}
