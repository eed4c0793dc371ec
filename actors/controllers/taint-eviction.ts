// The taint eviction controller (pkg/controller/tainteviction/taint_eviction.go and
// timed_workers.go), identity taint-eviction-controller: pods on a node with NoExecute taints
// they do not tolerate are deleted at once; pods that tolerate them all are deleted after the
// smallest tolerationSeconds among the tolerations used, counted from when the controller
// processes the taint; pods tolerating them without tolerationSeconds stay. Removing the
// taints (or the pod leaving) cancels a scheduled deletion. Before deleting, the pod gets the
// DisruptionTarget condition. Scheduled deletions are timers on the virtual clock.
import type { KubeObject } from '../../api/types.ts';
import type { Taint, Toleration } from '../../api/podutil.ts';
import { deepEqual } from '../../api/equal.ts';
import { DEFAULT_EPOCH, formatTime } from '../../api/time.ts';
import { EventRecorder } from '../../client/events.ts';
import type { Informer } from '../../client/informer.ts';
import { Controller, controllerUser, type ReconcileResult } from './controller.ts';
import { updatePodCondition } from './controller-utils.ts';
import { PodsByNode, requeueTimer } from './node-utils.ts';
import { getMatchingTolerations, getMinTolerationTimeMs, getNoExecuteTaints } from './taint-utils.ts';

/** deletePodHandler's attempts at addConditionAndDeletePod. */
export const DELETE_RETRIES = 5;
/** Pause between those attempts. */
export const DELETE_RETRY_DELAY_MS = 10;

const NODE = { apiVersion: 'v1', kind: 'Node' };
const POD = { apiVersion: 'v1', kind: 'Pod' };

/** A scheduled deletion (TimedWorker); `timer` undefined once it is running. */
interface TimedWorker {
  createdAt: number;
  fireAt: number;
  timer?: number;
}

export interface TaintEvictionOptions {
  /** The cluster's epoch (virtual time 0), for timestamps. Default DEFAULT_EPOCH. */
  epoch?: number;
}

export class TaintEvictionController extends Controller {
  protected readonly user = controllerUser('taint-eviction-controller');
  private nodes!: Informer;
  private pods!: Informer;
  private recorder!: EventRecorder;
  private readonly podsByNode = new PodsByNode();
  /** nodeName → its NoExecute taints (taintedNodes). */
  private readonly taintedNodes = new Map<string, Taint[]>();
  /** `<ns>/<name>` → scheduled deletion (the TimedWorkerQueue). */
  private readonly workers = new Map<string, TimedWorker>();
  private readonly epoch: number;

  constructor(opts: TaintEvictionOptions = {}) {
    super();
    this.epoch = opts.epoch ?? DEFAULT_EPOCH;
  }

  protected setup(): void {
    this.recorder = new EventRecorder(this.client, () => this.ctx.now(), { component: 'taint-eviction-controller' }, this.ctx.random('events'));
    this.nodes = this.informer({ kind: NODE, name: 'nodes' });
    this.pods = this.informer({ kind: POD, name: 'pods' });
    this.nodes.addHandlers({
      add: (n) => this.nodeUpdated(undefined, n),
      update: (old, n) => this.nodeUpdated(old, n),
      delete: (n) => this.nodeUpdated(n, undefined),
    });
    this.pods.addHandlers({
      add: (p) => this.podUpdated(undefined, p),
      update: (old, p) => this.podUpdated(old, p),
      delete: (p) => this.podUpdated(p, undefined),
    });
  }

  override snapshot(): unknown {
    const keys = [...this.workers.keys()].sort();
    return {
      ...(super.snapshot() as object),
      taintedNodes: [...this.taintedNodes.keys()].sort(),
      scheduled: Object.fromEntries(keys.map((k) => [k, this.workers.get(k)!.fireAt])),
    };
  }

  // ------------------------------------------------------------------ event handlers

  /** NodeUpdated: only a change in the node's NoExecute taints matters. */
  private nodeUpdated(old: KubeObject | undefined, cur: KubeObject | undefined): void {
    if (old && cur && deepEqual(getNoExecuteTaints(old.spec?.taints), getNoExecuteTaints(cur.spec?.taints))) return;
    this.enqueue(`node/${(cur ?? old)!.metadata.name}`);
  }

  /** PodUpdated: only a change in tolerations or node matters. */
  private podUpdated(old: KubeObject | undefined, cur: KubeObject | undefined): void {
    this.podsByNode.observe(old, cur);
    if (old && cur && deepEqual(old.spec?.tolerations ?? [], cur.spec?.tolerations ?? []) && old.spec?.nodeName === cur.spec?.nodeName) return;
    const p = (cur ?? old)!;
    this.enqueue(`pod/${p.metadata.namespace}/${p.metadata.name}`);
  }

  protected reconcile(key: string): ReconcileResult | void {
    const i = key.indexOf('/');
    const kind = key.slice(0, i);
    const rest = key.slice(i + 1);
    if (kind === 'node') this.handleNodeUpdate(rest);
    else if (kind === 'pod') this.handlePodUpdate(rest);
    else if (kind === 'evict') this.fireWorker(rest);
  }

  // ------------------------------------------------------------------ handlers, in upstream's order

  /**
   * handleNodeUpdate: remember the node's NoExecute taints, then re-examine every pod on it
   * (no taints left: cancel every scheduled deletion).
   */
  private handleNodeUpdate(nodeName: string): void {
    const node = this.nodes.get(undefined, nodeName);
    if (!node) {
      this.taintedNodes.delete(nodeName);
      return;
    }
    const taints = getNoExecuteTaints(node.spec?.taints);
    if (taints.length === 0) this.taintedNodes.delete(nodeName);
    else this.taintedNodes.set(nodeName, taints);
    const pods = this.podsOn(nodeName);
    if (pods.length === 0) return;
    if (taints.length === 0) {
      for (const pod of pods) this.cancelWorkWithEvent(podKey(pod));
      return;
    }
    const now = this.ctx.now();
    for (const pod of pods) this.processPodOnNode(podKey(pod), pod.spec?.tolerations, taints, now);
  }

  /** handlePodUpdate: a deleted pod's deletion is cancelled; a pod on a tainted node is examined. */
  private handlePodUpdate(key: string): void {
    const i = key.indexOf('/');
    const pod = this.pods.get(key.slice(0, i), key.slice(i + 1));
    if (!pod) {
      this.cancelWorkWithEvent(key);
      return;
    }
    const nodeName = pod.spec?.nodeName;
    if (!nodeName) return;
    const taints = this.taintedNodes.get(nodeName);
    if (!taints) return;
    this.processPodOnNode(key, pod.spec?.tolerations, taints, this.ctx.now());
  }

  /**
   * processPodOnNode: an untolerated taint ⇒ delete now; all tolerated, some for a limited
   * time ⇒ delete after the shortest tolerationSeconds (an already scheduled deletion keeps
   * its start); tolerated forever ⇒ cancel.
   */
  private processPodOnNode(key: string, tolerations: Toleration[] | undefined, taints: Taint[], now: number): void {
    if (taints.length === 0) this.cancelWorkWithEvent(key);
    const { allTolerated, used } = getMatchingTolerations(taints, tolerations);
    if (!allTolerated) {
      this.ctx.log('taint-eviction.untolerated', { pod: key });
      this.cancelWorkWithEvent(key);
      this.addWork(key, now, now);
      return;
    }
    const min = getMinTolerationTimeMs(used);
    if (min < 0) {
      this.cancelWorkWithEvent(key);
      return;
    }
    let startTime = now;
    const scheduled = this.workers.get(key);
    if (scheduled) {
      startTime = scheduled.createdAt;
      // Upstream keeps the existing deletion unless it was created this very instant; at
      // the same instant with the same deadline there is nothing to replace either.
      if (startTime + min < now + min || scheduled.fireAt === now + min) return;
      this.cancelWorkWithEvent(key);
    }
    this.addWork(key, startTime, now + min);
  }

  // ------------------------------------------------------------------ the timed worker queue

  /** AddWork: schedules the deletion unless one is already scheduled or running. */
  private addWork(key: string, createdAt: number, fireAt: number): void {
    if (this.workers.has(key)) return;
    const now = this.ctx.now();
    const worker: TimedWorker = { createdAt, fireAt };
    this.workers.set(key, worker);
    if (fireAt <= now) {
      this.deletePod(key, worker);
      return;
    }
    this.ctx.log('taint-eviction.scheduled', { pod: key, in: fireAt - now });
    worker.timer = requeueTimer(this.ctx, `evict/${key}`, fireAt - now);
  }

  /** CancelWork with the cancellation event, for a deletion still waiting on its timer. */
  private cancelWorkWithEvent(key: string): void {
    const worker = this.workers.get(key);
    if (!worker) return;
    this.workers.delete(key);
    if (worker.timer === undefined) return;
    this.ctx.cancelTimer(worker.timer);
    this.recorder.event(podRef(key), 'Normal', 'TaintManagerEviction', `Cancelling deletion of Pod ${key}`);
  }

  private fireWorker(key: string): void {
    const worker = this.workers.get(key);
    if (!worker || worker.timer === undefined || worker.fireAt > this.ctx.now()) return;
    this.deletePod(key, worker);
  }

  /**
   * deletePodHandler: the TaintManagerEviction event, then addConditionAndDeletePod (a live
   * GET, DisruptionTarget=True through the status subresource, a graceful DELETE), tried up to
   * DELETE_RETRIES times; the worker is forgotten when it ends.
   */
  private deletePod(key: string, worker: TimedWorker, attempt = 1): void {
    worker.timer = undefined;
    if (attempt === 1) this.recorder.event(podRef(key), 'Normal', 'TaintManagerEviction', `Marking for deletion Pod ${key}`);
    this.addConditionAndDeletePod(key, (err) => {
      if (err && attempt < DELETE_RETRIES) {
        this.ctx.startTimer(`retry-delete ${key}`, DELETE_RETRY_DELAY_MS, () => this.deletePod(key, worker, attempt + 1));
        return;
      }
      if (err) this.ctx.log('taint-eviction.delete-failed', { pod: key, error: err });
      if (this.workers.get(key) === worker) this.workers.delete(key);
    });
  }

  private addConditionAndDeletePod(key: string, cb: (err?: string) => void): void {
    const i = key.indexOf('/');
    const [ns, name] = [key.slice(0, i), key.slice(i + 1)];
    this.client.get(POD, ns, name, (g) => {
      if (!g.ok) return cb(g.status.message);
      const pod = g.object;
      const { conditions, changed } = updatePodCondition(pod.status?.conditions ?? [], {
        type: 'DisruptionTarget', status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint',
      }, formatTime(this.ctx.now(), this.epoch));
      const remove = () => this.client.delete(POD, ns, name, {}, (d) => cb(d.ok ? undefined : d.status.message));
      if (!changed) return remove();
      const patch = { metadata: { uid: pod.metadata.uid }, status: { conditions: conditions.filter((c) => c.type === 'DisruptionTarget') } };
      this.client.patch(POD, ns, name, patch, 'application/strategic-merge-patch+json', (p) => {
        if (!p.ok) return cb(p.status.message);
        remove();
      }, 'status');
    });
  }

  private podsOn(nodeName: string): KubeObject[] {
    return this.podsByNode.keys(nodeName).map((k) => {
      const i = k.indexOf('/');
      return this.pods.get(k.slice(0, i), k.slice(i + 1));
    }).filter((p): p is KubeObject => p !== undefined);
  }
}

function podKey(pod: KubeObject): string {
  return `${pod.metadata.namespace ?? ''}/${pod.metadata.name}`;
}

/** The bare reference upstream's events use (no UID). */
function podRef(key: string): KubeObject {
  const i = key.indexOf('/');
  return { apiVersion: 'v1', kind: 'Pod', metadata: { namespace: key.slice(0, i), name: key.slice(i + 1) } };
}
