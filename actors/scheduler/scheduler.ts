// kube-scheduler as an actor (pkg/scheduler/scheduler.go, schedule_one.go, eventhandlers.go):
// informers on pods, nodes and namespaces feed the cache and the scheduling queue; one pod is
// scheduled per delivery (ScheduleOne), so other messages interleave; a chosen node is assumed in
// the cache and bound through pods/binding; a pod no node fits gets a FailedScheduling event, the
// PodScheduled=False condition and, when preemption helps, victims evicted and a nominated node.
// Every attempt is kept (last 1,000 pods) for explainPlacement and logged as `scheduling-decision`.
import type { ActorContext, ActorLogic, Envelope } from '../../runtime/index.ts';
import type { KubeObject, UserInfo } from '../../api/types.ts';
import { isPodTerminal, getPodCondition } from '../../api/podutil.ts';
import { formatTime } from '../../api/time.ts';
import { deepEqual } from '../../api/equal.ts';
import { ApiClient } from '../../client/client.ts';
import { CLIENT_RATE_LIMITS, TokenBucket, type RateLimit } from '../../client/rate-limiter.ts';
import { CacheInformer, type Informer } from '../../client/informer.ts';
import { SeriesEventRecorder } from '../../client/event-series.ts';
import { SchedulerCache } from './cache.ts';
import { SchedulingQueue, BACKOFF_FLUSH_MS, UNSCHEDULABLE_FLUSH_MS, type QueuedPodInfo } from './queue.ts';
import { SchedulingAlgorithm, fitErrorMessage } from './framework.ts';
import { filterPlugins, mayHelp, nodeSchedulingPropertiesChanged, preFilter, REASON, type ClusterEvent } from './plugins.ts';
import { preempt, type PreemptionResult } from './preemption.ts';
import { KeptDecision, VerdictLog, type NodeVerdict, type SchedulingDecision } from './explain.ts';
import { VolumeBinding, VOLUME_PLUGIN_NAMES, preFilterFitError } from './volume-binding.ts';

export { explainPlacement, filterResults, type SchedulingDecision, type NodeVerdict } from './explain.ts';

export const SCHEDULER_NAME = 'default-scheduler';
/** The host kube-scheduler runs on (its events' reportingInstance is `default-scheduler-<host>`). */
export const SCHEDULER_HOST = 'kubesim-control-plane';
export const SCHEDULER_USER: UserInfo = { username: 'system:kube-scheduler', groups: ['system:authenticated'] };
/** How many pods' last decisions the scheduler keeps for the inspector. */
export const DECISIONS_MAX = 1_000;
/** The newest decisions keep every node's verdict; older ones keep a summary (memory bound). */
export const FULL_DECISIONS = 100;
/**
 * Scheduling cycles the scheduler runs in one turn (one runtime step) while pods are active, as
 * its ScheduleOne loop goes on from pod to pod without waiting for its informers: each cycle sees
 * the pods the ones before it assumed, bindings go out as messages, and informer events that
 * arrive meanwhile are handled after the turn (as they may be upstream, where they run in other
 * goroutines). One cycle a turn made the next wait behind every message queued at that instant,
 * by which time the nodes' data had left the processor's caches. In a 30,000-pod bring-up, side
 * by side: 8 a turn took 8% less time than one, 32 12%; 128 took 3% less than 32, and 512 no less
 * than 128.
 */
export const CYCLES_PER_TURN = 128;
/** Retired verdict logs kept for reuse. */
const SPARE_LOGS = 8;
/** What a summarised decision keeps: the best feasible nodes and one rejected node per reason. */
const SUMMARY_FEASIBLE = 5;
/** validation.NoteLengthLimit: longer event messages are truncated with " ...". */
const NOTE_LENGTH_LIMIT = 1024;
const POD_REF = { apiVersion: 'v1', kind: 'Pod' };
const STRATEGIC = 'application/strategic-merge-patch+json';

interface Failure {
  /** Plugins that rejected the pod (a rejection); undefined for an error. */
  rejectedBy: Set<string> | undefined;
  message: string;
  /** New nominated node: a name, '' to clear, undefined to leave as is. */
  nominated?: string;
}

export class Scheduler implements ActorLogic {
  readonly cache = new SchedulerCache();
  private ctx!: ActorContext;
  private client!: ApiClient;
  private recorder!: SeriesEventRecorder;
  private queue!: SchedulingQueue;
  private algorithm!: SchedulingAlgorithm;
  private pods!: Informer;
  private nodes!: Informer;
  private namespaces!: Informer;
  private volumeBinding!: VolumeBinding;
  private informers: Informer[] = [];
  private readonly decisions = new Map<string, KeptDecision>();
  /** The newest decisions, which keep every node's verdict, and their summaries (taken when recorded). */
  private readonly fullDecisions: Array<{ decision: KeptDecision; summary: NodeVerdict[] }> = [];
  /** Logs of decisions that keep only their summary now, for the next attempts (VerdictLog.recycle). */
  private readonly spareLogs: VerdictLog[] = [];
  private workScheduled = false;
  private readonly stats = { attempts: 0, scheduled: 0, unschedulable: 0, errors: 0, preemptions: 0 };

  /** `rateLimit`: clientConnection.qps / burst, for its client and, separately, its event client. */
  constructor(private readonly rateLimit: RateLimit = CLIENT_RATE_LIMITS.scheduler) {}

  start(ctx: ActorContext): void {
    this.ctx = ctx;
    this.client = new ApiClient(ctx, SCHEDULER_USER, { rateLimiter: TokenBucket.of(this.rateLimit, ctx.now()) });
    const eventClient = { limiter: TokenBucket.of(this.rateLimit, ctx.now()) };
    this.recorder = new SeriesEventRecorder(this.client, ctx, SCHEDULER_NAME, `${SCHEDULER_NAME}-${SCHEDULER_HOST}`, ctx.random('events'), eventClient);
    this.queue = new SchedulingQueue(() => ctx.now());
    this.algorithm = new SchedulingAlgorithm(this.cache, ctx.random('select-host'));
    this.pods = new CacheInformer(ctx, this.client, { kind: POD_REF, name: 'scheduler-pods' });
    this.nodes = new CacheInformer(ctx, this.client, { kind: { apiVersion: 'v1', kind: 'Node' }, name: 'scheduler-nodes' });
    this.namespaces = new CacheInformer(ctx, this.client, { kind: { apiVersion: 'v1', kind: 'Namespace' }, name: 'scheduler-namespaces' });
    this.volumeBinding = new VolumeBinding(ctx, this.client, () => this.queue.moveAllToActiveOrBackoff((p) => [...p.unschedulablePlugins].some((x) => VOLUME_PLUGIN_NAMES.has(x))));
    this.informers = [this.nodes, this.namespaces, this.pods, ...this.volumeBinding.informers];
    this.nodes.addHandlers({ add: (n) => this.addNode(n), update: (o, n) => this.updateNode(o, n), delete: (n) => this.cache.removeNode(n.metadata.name!) });
    this.pods.addHandlers({ add: (p) => this.addPod(p), update: (o, p) => this.updatePod(o, p), delete: (p) => this.deletePod(p) });
    for (const inf of this.informers) inf.start();
    this.armFlushTimers(true, true);
  }

  receive(env: Envelope): void {
    if (this.client.handle(env)) {
      this.kick();
      return;
    }
    for (const inf of this.informers) if (inf.handle(env)) return this.kick();
    switch (env.message.type) {
      case 'scheduler.schedule-one':
        this.workScheduled = false;
        for (let i = 0; i < CYCLES_PER_TURN && this.queue.activeSize > 0; i++) this.scheduleOne();
        break;
      case 'scheduler.flush-backoff':
        this.queue.flushBackoffCompleted();
        this.armFlushTimers(true, false);
        break;
      case 'scheduler.flush-unschedulable':
        this.queue.flushUnschedulableLeftover();
        this.armFlushTimers(false, true);
        break;
    }
    this.kick();
  }

  /** The last scheduling decision for a pod (`namespace/name`), for the inspector and tests. */
  decision(podKey: string): SchedulingDecision | undefined {
    for (const d of this.decisions.values()) if (d.pod === podKey) return d;
    return undefined;
  }

  snapshot(): unknown {
    let assumed = 0;
    for (const p of this.cache.pods.values()) if (p.assumed) assumed++;
    return {
      queue: this.queue?.snapshot(),
      cache: { nodes: this.cache.numNodes, pods: this.cache.pods.size, assumed },
      nextStartNodeIndex: this.algorithm?.nextStartNodeIndex,
      stats: { ...this.stats },
      decisions: [...this.decisions.values()],
    };
  }

  // ---------------------------------------------------------------- timers and work

  /** flushBackoffQCompleted every 1 s, flushUnschedulablePodsLeftover every 30 s (background unless pods wait). */
  private armFlushTimers(backoff: boolean, unschedulable: boolean): void {
    if (backoff) this.ctx.startTimer('flush-backoff', BACKOFF_FLUSH_MS, { type: 'scheduler.flush-backoff' }, { background: this.queue.backoffSize === 0 });
    if (unschedulable) this.ctx.startTimer('flush-unschedulable', UNSCHEDULABLE_FLUSH_MS, { type: 'scheduler.flush-unschedulable' }, { background: true });
  }

  private kick(): void {
    if (this.workScheduled || this.queue.activeSize === 0 || !this.informers.every((i) => i.synced)) return;
    this.workScheduled = true;
    this.ctx.send(this.ctx.self, { type: 'scheduler.schedule-one' });
  }

  // ---------------------------------------------------------------- event handlers (eventhandlers.go)

  private responsibleFor(pod: KubeObject): boolean {
    return (pod.spec?.schedulerName ?? SCHEDULER_NAME) === SCHEDULER_NAME;
  }

  private addNode(node: KubeObject): void {
    this.cache.addNode(node);
    this.moveAll({ type: 'NodeAdd', node });
  }

  private updateNode(old: KubeObject, node: KubeObject): void {
    this.cache.addNode(node);
    if (nodeSchedulingPropertiesChanged(old, node)) this.moveAll({ type: 'NodeUpdate', old, node });
  }

  private addPod(pod: KubeObject): void {
    if (isPodTerminal(pod)) return;
    if (pod.spec?.nodeName) {
      this.cache.addOrUpdatePod(pod);
      this.moveAll({ type: 'AssignedPodAdd', pod });
    } else if (this.responsibleFor(pod) && !pod.metadata.deletionTimestamp) {
      this.cache.nominate(pod, pod.status?.nominatedNodeName || undefined);
      this.queue.add(pod);
    }
  }

  private updatePod(old: KubeObject, pod: KubeObject): void {
    const uid = pod.metadata.uid!;
    if (pod.spec?.nodeName) {
      this.queue.delete(uid);
      this.cache.nominate(pod, undefined);
      if (isPodTerminal(pod)) {
        if (this.cache.removePod(uid)) this.moveAll({ type: 'AssignedPodDelete', pod });
        return;
      }
      const wasAssigned = Boolean(old.spec?.nodeName);
      this.cache.addOrUpdatePod(pod);
      if (!wasAssigned) this.moveAll({ type: 'AssignedPodAdd', pod });
      else if (old.metadata.labels !== pod.metadata.labels && !deepEqual(old.metadata.labels ?? {}, pod.metadata.labels ?? {})) this.moveAll({ type: 'AssignedPodUpdate', old, pod });
      return;
    }
    if (isPodTerminal(pod) || pod.metadata.deletionTimestamp || !this.responsibleFor(pod)) {
      this.queue.delete(uid);
      this.cache.nominate(pod, undefined);
      return;
    }
    this.cache.nominate(pod, pod.status?.nominatedNodeName || undefined);
    if (this.queue.has(uid)) this.queue.update(old, pod);
    else if (!this.cache.isAssumed(uid)) this.queue.add(pod);
  }

  private deletePod(pod: KubeObject): void {
    const uid = pod.metadata.uid!;
    this.queue.delete(uid);
    this.cache.nominate(pod, undefined);
    if (this.cache.removePod(uid)) this.moveAll({ type: 'AssignedPodDelete', pod });
  }

  /** MoveAllToActiveOrBackoffQueue with each rejecting plugin's queueing hint. */
  private moveAll(ev: ClusterEvent): void {
    this.queue.moveAllToActiveOrBackoff((p) => {
      if (p.unschedulablePlugins.size === 0) return true;
      for (const plugin of p.unschedulablePlugins) if (mayHelp(plugin, ev, p.pod)) return true;
      return false;
    });
  }

  // ---------------------------------------------------------------- ScheduleOne

  private scheduleOne(): void {
    const p = this.queue.pop();
    if (!p) return;
    const pod = this.pods.get(p.pod.metadata.namespace, p.pod.metadata.name!);
    if (!pod || pod.metadata.uid !== p.uid || pod.spec?.nodeName || this.cache.isAssumed(p.uid)) {
      this.queue.done(p.uid);
      return;
    }
    if (pod.metadata.deletionTimestamp) {
      this.recorder.event(pod, undefined, 'Warning', 'FailedScheduling', 'Scheduling', `skip schedule deleting pod: ${pod.metadata.namespace}/${pod.metadata.name}`);
      this.queue.done(p.uid);
      return;
    }
    this.stats.attempts++;
    const decision = this.newDecision(pod, p);
    const state = preFilter(this.cache, pod, (ns) => this.namespaces.get(undefined, ns)?.metadata.labels);
    const volumeStatus = this.volumeBinding.preFilter(state, this.cache);
    if (volumeStatus) {
      this.fail(p, pod, decision, { rejectedBy: new Set([volumeStatus.plugin]), message: preFilterFitError(this.cache.numNodes, volumeStatus), nominated: '' });
      return;
    }
    const result = this.algorithm.schedulePod(state, decision, decision.verdictLog!);
    if (result.kind === 'Scheduled') {
      decision.outcome = 'Scheduled';
      decision.node = result.node;
      this.record(decision);
      this.assumeAndBind(p, pod, result.node);
      return;
    }
    if (result.kind === 'NoNodes') {
      this.fail(p, pod, decision, { rejectedBy: new Set(), message: REASON.noNodes, nominated: '' });
      return;
    }
    const pre = preempt(this.cache, state, result.diagnosis, filterPlugins(), this.ctx.random('preemption'));
    const message = fitErrorMessage(result.numAllNodes, result.diagnosis.statuses.values(), undefined, pre.message);
    decision.preemption = { nominatedNode: pre.nominatedNode, victims: pre.victims.map((v) => `${v.namespace}/${v.name}`), message: pre.message || undefined };
    if (pre.nominatedNode) this.prepareCandidate(pod, pre);
    const nominated = pre.nominatedNode ?? (pre.clearNomination ? '' : undefined);
    this.fail(p, pod, decision, { rejectedBy: result.diagnosis.unschedulablePlugins, message, nominated });
  }

  private newDecision(pod: KubeObject, p: QueuedPodInfo): KeptDecision {
    const log = this.spareLogs.pop() ?? new VerdictLog();
    return new KeptDecision(`${pod.metadata.namespace}/${pod.metadata.name}`, p.uid, p.attempts, this.ctx.now(), this.cache.numNodes, log);
  }

  /** Keeps the pod's last decision (at most DECISIONS_MAX pods) and logs its summary. */
  private record(d: KeptDecision): void {
    this.decisions.delete(d.uid);
    this.decisions.set(d.uid, d);
    if (this.decisions.size > DECISIONS_MAX) this.decisions.delete(this.decisions.keys().next().value!);
    // The summary is taken now, while the attempt's verdicts are still in the processor's cache;
    // it replaces them once FULL_DECISIONS newer attempts are kept.
    const log = d.verdictLog;
    if (log) this.fullDecisions.push({ decision: d, summary: log.summary(d.node, SUMMARY_FEASIBLE) });
    if (this.fullDecisions.length > FULL_DECISIONS) {
      const old = this.fullDecisions.shift()!;
      const retired = old.decision.summarise(old.summary);
      // Nothing reads a retired log any more: the next attempt fills it.
      if (retired && this.spareLogs.length < SPARE_LOGS) {
        retired.recycle();
        this.spareLogs.push(retired);
      }
    }
    // Built only when somebody records the trace: an object of nine fields a pod otherwise.
    if (this.ctx.tracing) this.ctx.log('scheduling-decision', {
      pod: d.pod, attempt: d.attempt, outcome: d.outcome, node: d.node ?? null, message: d.message ?? null,
      nodes: d.numAllNodes, evaluated: d.evaluatedNodes, feasible: d.feasibleNodes,
      nominatedNode: d.preemption?.nominatedNode ?? null,
    });
  }

  // ---------------------------------------------------------------- binding

  /** assume, then bind through pods/binding; on failure forget the pod and retry with back-off. */
  private assumeAndBind(p: QueuedPodInfo, pod: KubeObject, node: string): void {
    const uid = p.uid;
    const ns = pod.metadata.namespace!;
    const name = pod.metadata.name!;
    this.cache.assumePod(pod, node);
    this.cache.nominate(pod, undefined);
    this.queue.done(uid);
    this.stats.scheduled++;
    const binding = { apiVersion: 'v1', kind: 'Binding', metadata: { name, namespace: ns, uid }, target: { apiVersion: 'v1', kind: 'Node', name: node } };
    this.volumeBinding.preBind(pod, node, (error) => {
      if (error) return this.bindFailed(p, pod, node, `running PreBind plugin "VolumeBinding": ${error}`);
      this.client.request({ verb: 'create', ...POD_REF, namespace: ns, name, subresource: 'binding', body: binding }, (r) => {
        if (r.ok) this.recorder.event(pod, undefined, 'Normal', 'Scheduled', 'Binding', `Successfully assigned ${ns}/${name} to ${node}`);
        else this.bindFailed(p, pod, node, r.status.message);
      });
    });
  }

  /** A failed PreBind or bind: forget the assumed pod and retry with back-off. */
  private bindFailed(p: QueuedPodInfo, pod: KubeObject, node: string, message: string): void {
    const uid = p.uid;
    this.stats.scheduled--;
    if (this.cache.isAssumed(uid)) {
      this.cache.removePod(uid);
      this.moveAll({ type: 'AssignedPodDelete', pod: { ...pod, spec: { ...pod.spec, nodeName: node } } });
    }
    const decision = this.newDecision(pod, p);
    decision.outcome = 'SchedulerError';
    this.fail(p, pod, decision, { rejectedBy: undefined, message, nominated: '' });
  }

  // ---------------------------------------------------------------- failures (handleSchedulingFailure)

  private fail(p: QueuedPodInfo, pod: KubeObject, decision: KeptDecision, f: Failure): void {
    if (f.rejectedBy) this.stats.unschedulable++;
    else this.stats.errors++;
    decision.outcome = f.rejectedBy ? 'Unschedulable' : 'SchedulerError';
    decision.message = f.message;
    this.record(decision);
    const cached = this.pods.get(pod.metadata.namespace, pod.metadata.name!);
    if (cached && cached.metadata.uid === p.uid && !cached.spec?.nodeName) this.queue.requeue(p, cached, f.rejectedBy);
    else this.queue.done(p.uid);
    if (f.nominated !== undefined) this.cache.nominate(pod, f.nominated || undefined);
    this.recorder.event(pod, undefined, 'Warning', 'FailedScheduling', 'Scheduling', truncateMessage(f.message));
    this.updatePodStatus(cached ?? pod, f.rejectedBy ? 'Unschedulable' : 'SchedulerError', f.message, f.nominated);
  }

  /** updatePod: PodScheduled=False and nominatedNodeName, patched only when they change. */
  private updatePodStatus(pod: KubeObject, reason: string, message: string, nominated: string | undefined): void {
    const old = getPodCondition(pod, 'PodScheduled');
    const conditionChanged = !old || old.status !== 'False' || old.reason !== reason || old.message !== message;
    const nnnChanged = nominated !== undefined && (pod.status?.nominatedNodeName ?? '') !== nominated;
    if (!conditionChanged && !nnnChanged) return;
    const status: Record<string, unknown> = {};
    if (conditionChanged) {
      const since = old && old.status === 'False' && old.lastTransitionTime ? old.lastTransitionTime : formatTime(this.ctx.now());
      status.conditions = [{ type: 'PodScheduled', status: 'False', lastProbeTime: null, lastTransitionTime: since, reason, message }];
    }
    if (nnnChanged) status.nominatedNodeName = nominated || null;
    this.client.patch(POD_REF, pod.metadata.namespace, pod.metadata.name!, { status }, STRATEGIC, undefined, 'status');
  }

  // ---------------------------------------------------------------- preemption (prepareCandidate)

  /** Evicts the victims (DisruptionTarget condition first, then delete, then a Preempted event) and clears weaker nominations. */
  private prepareCandidate(preemptor: KubeObject, pre: PreemptionResult): void {
    const node = pre.nominatedNode!;
    this.stats.preemptions++;
    const message = `${preemptor.spec?.schedulerName ?? SCHEDULER_NAME}: preempting to accommodate a higher priority pod`;
    for (const v of pre.victims) {
      const victim = v.pod;
      if (victim.metadata.deletionTimestamp) continue;
      const ns = victim.metadata.namespace;
      const name = victim.metadata.name!;
      const condition = { type: 'DisruptionTarget', status: 'True', reason: 'PreemptionByScheduler', message, lastTransitionTime: formatTime(this.ctx.now()) };
      this.client.patch(POD_REF, ns, name, { status: { conditions: [condition] } }, STRATEGIC, (r) => {
        if (!r.ok) return;
        this.client.delete(POD_REF, ns, name, { preconditions: { uid: v.uid } }, (d) => {
          if (d.ok) this.recorder.event(victim, preemptor, 'Normal', 'Preempted', 'Preempting', `Preempted by pod ${preemptor.metadata.uid} on node ${node}`);
        });
      }, 'status');
    }
    const priority = typeof preemptor.spec?.priority === 'number' ? preemptor.spec.priority : 0;
    for (const np of [...(this.cache.nominated.get(node)?.values() ?? [])]) {
      if (np.uid === preemptor.metadata.uid || np.priority >= priority) continue;
      this.client.patch(POD_REF, np.namespace, np.name, { status: { nominatedNodeName: null } }, STRATEGIC, undefined, 'status');
    }
  }
}

/** truncateMessage: event notes are limited to 1024 characters. */
function truncateMessage(message: string): string {
  if (message.length <= NOTE_LENGTH_LIMIT) return message;
  const suffix = ' ...';
  return message.slice(0, NOTE_LENGTH_LIMIT - suffix.length) + suffix;
}

