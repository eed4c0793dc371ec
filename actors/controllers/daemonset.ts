// The DaemonSet controller (pkg/controller/daemon/daemon_controller.go and update.go): one pod per
// eligible node. syncDaemonSet constructs the history (ControllerRevisions, the current one's
// hash), then manage creates pods on nodes that should run one and have none and deletes pods
// where none may run (and failed ones, with back-off), rollingUpdate (or OnDelete: nothing)
// replaces old pods within maxUnavailable / maxSurge, cleanupHistory trims revisions, and
// updateDaemonSetStatus writes the counts. Pods are created with node affinity
// `matchFields metadata.name In [node]`; the default scheduler binds them.
// The API answers by callback, so one sync spans several deliveries; a key is never synced twice
// at once (as the workqueue guarantees) and an event during a sync re-queues it afterwards.
import type { KubeObject } from '../../api/types.ts';
import type { ApiResult } from '../../api/request.ts';
import { clone, deepEqual } from '../../api/equal.ts';
import { isPodReady, isPodTerminal } from '../../api/podutil.ts';
import { EventRecorder } from '../../client/events.ts';
import type { Informer } from '../../client/informer.ts';
import { KeyedSync } from './keyed-sync.ts';
import { Controller, controllerUser } from './controller.ts';
import { ControllerExpectations } from './expectations.ts';
import { PodControllerRefManager, recheckDeletionTimestamp } from './controller-ref.ts';
import { claimCandidates, indexOrphans, getControllerOf, hasStatusCause, itemBackoffMs, newControllerRef, resyncPeriod, splitKey, resolveControllerRef, ownersSelecting, selectorOf } from './controller-utils.ts';
import { slowStartBatch, SLOW_START_INITIAL_BATCH_SIZE } from './replicaset.ts';
import {
  CONTROLLER_REVISION_KIND, claimControllerRevisions, computeHash, deleteControllerRevision, maxRevision, updateControllerRevision,
} from './history.ts';
import {
  DAEMONSET_UNIQUE_LABEL, FailedPodsBackoff, SELECTING_ALL_REASON, createPodTemplate, getTargetNodeName, getTemplateGeneration,
  getUnscheduledPodsWithoutNode, nodeShouldRunDaemonPod, podsShouldBeOnNode, replaceDaemonSetPodNodeNameNodeAffinity, shouldIgnoreNodeUpdate,
} from './daemonset-util.ts';
import { calculateStatus, getPatch, matchRevision, revisionsToDelete, rollingUpdate, type DaemonSetStatusCounts } from './daemonset-update.ts';

/** kube-controller-manager's --concurrent-daemonset-syncs (default 2): keys synced at once. */
export const CONCURRENT_DAEMONSET_SYNCS = 2;

/** BurstReplicas: at most this many creates and this many deletes per sync. */
export const DS_BURST_REPLICAS = 250;
/** StatusUpdateRetries: one GET-and-retry after a failed status update. */
export const DS_STATUS_UPDATE_RETRIES = 1;
/** BackoffGCInterval: how often the failed-pods back-off forgets stale entries. */
export const BACKOFF_GC_INTERVAL_MS = 60_000;

const DS_KIND = { apiVersion: 'apps/v1', kind: 'DaemonSet' };
const POD_KIND = { apiVersion: 'v1', kind: 'Pod' };
const NODE_KIND = { apiVersion: 'v1', kind: 'Node' };
const NAMESPACE_TERMINATING_CAUSE = 'NamespaceTerminating';

type Done = (err?: string) => void;
type NodeToPods = Map<string, KubeObject[]>;

export class DaemonSetController extends Controller {
  /** Upstream's client is built as "daemon-set-controller"; its events say "daemonset-controller". */
  protected readonly user = controllerUser('daemon-set-controller');
  private dsInformer!: Informer;
  private historyInformer!: Informer;
  private podInformer!: Informer;
  private nodeInformer!: Informer;
  private expectations!: ControllerExpectations;
  private recorder!: EventRecorder;
  private readonly failedPodsBackoff = new FailedPodsBackoff(1_000, 15 * 60_000);
  /** The work queue's per-key guarantees for syncs that span several API round trips. */
  private runner!: KeyedSync;

  protected setup(): void {
    this.runner = this.keyedSync({ workers: CONCURRENT_DAEMONSET_SYNCS, sync: (key, done) => this.syncDaemonSet(key, done), enqueue: (key) => this.enqueue(key), backoffMs: itemBackoffMs, logName: 'daemonset.sync-error' });
    this.expectations = new ControllerExpectations(() => this.ctx.now());
    this.recorder = new EventRecorder(this.client, () => this.ctx.now(), { component: 'daemonset-controller' }, this.ctx.random('events'));
    const resync = resyncPeriod(this.ctx.random('resync'));
    this.dsInformer = this.informer({ kind: DS_KIND, resyncPeriod: resync, name: 'daemonsets' });
    this.historyInformer = this.informer({ kind: CONTROLLER_REVISION_KIND, resyncPeriod: resync, name: 'controllerrevisions' });
    indexOrphans(this.historyInformer);
    this.podInformer = this.informer({ kind: POD_KIND, resyncPeriod: resync, name: 'pods' });
    this.nodeInformer = this.informer({ kind: NODE_KIND, resyncPeriod: resync, name: 'nodes' });
    indexOrphans(this.podInformer);
    this.dsInformer.addHandlers({
      add: (ds) => this.enqueue(keyOf(ds)),
      update: (old, cur) => this.updateDaemonset(old, cur),
      delete: (ds) => this.deleteDaemonset(ds),
    });
    this.historyInformer.addHandlers({
      add: (h) => this.addHistory(h),
      update: (old, cur) => this.updateHistory(old, cur),
      delete: (h) => this.deleteHistory(h),
    });
    this.podInformer.addHandlers({
      add: (pod) => this.addPod(pod),
      update: (old, cur) => this.updatePod(old, cur),
      delete: (pod) => this.deletePod(pod),
    });
    this.nodeInformer.addHandlers({
      add: (node) => this.addNode(node),
      update: (old, cur) => this.updateNode(old, cur),
    });
    this.scheduleBackoffGC();
  }

  override snapshot(): unknown {
    return {
      ...(super.snapshot() as object), expectations: this.expectations?.snapshot(), syncing: this.runner?.snapshot().syncing,
      failedPodsBackoff: this.failedPodsBackoff.snapshot(),
    };
  }

  /** Run's `wait.Until(failedPodsBackoff.GC, BackoffGCInterval)`. */
  private scheduleBackoffGC(): void {
    this.ctx.startTimer('failed-pods-backoff-gc', BACKOFF_GC_INTERVAL_MS, () => {
      this.failedPodsBackoff.gc(this.ctx.now());
      this.scheduleBackoffGC();
    }, { background: true });
  }

  // ------------------------------------------------------------------ event handlers

  private updateDaemonset(old: KubeObject, cur: KubeObject): void {
    if (old.metadata.uid !== cur.metadata.uid) this.deleteDaemonset(old);
    this.enqueue(keyOf(cur));
  }

  /** Deleting a DaemonSet drops its expectations, so a new one with the same name starts clean. */
  private deleteDaemonset(ds: KubeObject): void {
    this.expectations.deleteExpectations(keyOf(ds));
    this.enqueue(keyOf(ds));
  }

  /** addHistory: a controlled revision needs nothing; an orphan wakes the DaemonSets that may adopt it. */
  private addHistory(h: KubeObject): void {
    if (h.metadata.deletionTimestamp) return this.deleteHistory(h);
    const ref = getControllerOf(h);
    if (ref) return;
    for (const ds of this.getDaemonSetsMatching(h)) this.enqueue(keyOf(ds));
  }

  private updateHistory(old: KubeObject, cur: KubeObject): void {
    if (cur.metadata.resourceVersion === old.metadata.resourceVersion) return;
    this.enqueueOwnersOfUpdate(old, cur);
  }

  /**
   * The shared part of updatePod and updateHistory: a changed controller ref wakes the old owner;
   * an owned object wakes its owner (returned); an orphan whose labels or ref changed wakes every
   * DaemonSet that selects it.
   */
  private enqueueOwnersOfUpdate(old: KubeObject, cur: KubeObject): KubeObject | undefined {
    const curRef = getControllerOf(cur);
    const oldRef = getControllerOf(old);
    const refChanged = !deepEqual(curRef ?? null, oldRef ?? null);
    if (refChanged && oldRef) {
      const ds = this.resolveControllerRef(old.metadata.namespace!, oldRef);
      if (ds) this.enqueue(keyOf(ds));
    }
    if (curRef) {
      const ds = this.resolveControllerRef(cur.metadata.namespace!, curRef);
      if (ds) this.enqueue(keyOf(ds));
      return ds;
    }
    if (refChanged || !deepEqual(cur.metadata.labels ?? {}, old.metadata.labels ?? {})) {
      for (const ds of this.getDaemonSetsMatching(cur)) this.enqueue(keyOf(ds));
    }
    return undefined;
  }

  private deleteHistory(h: KubeObject): void {
    const ref = getControllerOf(h);
    const ds = ref && this.resolveControllerRef(h.metadata.namespace!, ref);
    if (ds) this.enqueue(keyOf(ds));
  }

  /** addPod: a pod with our controller ref is an observed creation; an orphan wakes matching DaemonSets. */
  private addPod(pod: KubeObject): void {
    if (pod.metadata.deletionTimestamp) return this.deletePod(pod);
    const ref = getControllerOf(pod);
    if (ref) {
      const ds = this.resolveControllerRef(pod.metadata.namespace!, ref);
      if (!ds) return;
      this.expectations.creationObserved(keyOf(ds));
      this.enqueue(keyOf(ds));
      return;
    }
    for (const ds of this.getDaemonSetsMatching(pod)) this.enqueue(keyOf(ds));
  }

  /** updatePod: a deletionTimestamp counts as a deletion; becoming Ready re-checks after minReadySeconds. */
  private updatePod(old: KubeObject, cur: KubeObject): void {
    if (cur.metadata.resourceVersion === old.metadata.resourceVersion) return;
    if (cur.metadata.deletionTimestamp) return this.deletePod(cur);
    const ds = this.enqueueOwnersOfUpdate(old, cur);
    const minReady = ds?.spec?.minReadySeconds ?? 0;
    // Upstream adds a second to avoid millisecond skew in AddAfter.
    if (ds && !isPodReady(old) && isPodReady(cur) && minReady > 0) this.enqueueAfter(keyOf(ds), minReady * 1000 + 1000);
  }

  /** deletePod: DeletionObserved (plain expectations: any deletion of one of our pods counts). */
  private deletePod(pod: KubeObject): void {
    const ref = getControllerOf(pod);
    const ds = ref && this.resolveControllerRef(pod.metadata.namespace!, ref);
    if (!ds) return;
    this.expectations.lowerExpectations(keyOf(ds), 0, 1);
    this.enqueue(keyOf(ds));
  }

  /** addNode: every DaemonSet that should run on the new node. */
  private addNode(node: KubeObject): void {
    for (const ds of this.dsInformer.list()) if (nodeShouldRunDaemonPod(node, ds).shouldRun) this.enqueue(keyOf(ds));
  }

  /** updateNode: ignores heartbeats; wakes DaemonSets whose verdict for the node changed. */
  private updateNode(old: KubeObject, cur: KubeObject): void {
    if (shouldIgnoreNodeUpdate(old, cur)) return;
    for (const ds of this.dsInformer.list()) {
      const a = nodeShouldRunDaemonPod(old, ds);
      const b = nodeShouldRunDaemonPod(cur, ds);
      if (a.shouldRun !== b.shouldRun || a.shouldContinueRunning !== b.shouldContinueRunning) this.enqueue(keyOf(ds));
    }
  }

  /** resolveControllerRef: the cached DaemonSet the reference names, if its UID matches. */
  private resolveControllerRef(namespace: string, ref: { kind: string; name: string; uid: string }): KubeObject | undefined {
    return resolveControllerRef(this.dsInformer, 'DaemonSet', namespace, ref);
  }

  /** GetPodDaemonSets / GetHistoryDaemonSets: DaemonSets of the namespace whose non-empty selector matches. */
  private getDaemonSetsMatching(obj: KubeObject): KubeObject[] {
    return ownersSelecting(this.dsInformer, obj);
  }

  // ------------------------------------------------------------------ the work queue

  protected reconcile(key: string): void {
    this.runner.run(key);
  }

  // ------------------------------------------------------------------ the sync, in upstream's order

  /** syncDaemonSet: history, then manage and roll (when expectations are met), then status. */
  private syncDaemonSet(key: string, done: Done): void {
    const [namespace, name] = splitKey(key);
    const ds = this.dsInformer.get(namespace, name);
    if (!ds) {
      this.expectations.deleteExpectations(key);
      return done();
    }
    const nodeList = this.nodeInformer.list();
    if (deepEqual(ds.spec?.selector ?? null, {})) {
      this.recorder.event(ds, 'Warning', SELECTING_ALL_REASON, 'This daemon set is selecting all pods. A non-empty selector is required.');
      return done();
    }
    // A DaemonSet being deleted may have lost its history: no status can be trusted.
    if (ds.metadata.deletionTimestamp) return done();
    this.constructHistory(ds, (histErr, cur, old) => {
      if (histErr || !cur) return done(`failed to construct revisions of DaemonSet: ${histErr}`);
      const hash = cur.metadata.labels?.[DAEMONSET_UNIQUE_LABEL] ?? '';
      if (!this.expectations.satisfiedExpectations(key)) return this.updateDaemonSetStatus(ds, nodeList, hash, false, done);
      this.updateDaemonSet(ds, nodeList, hash, key, old ?? [], (err) => {
        this.updateDaemonSetStatus(ds, nodeList, hash, true, (statusErr) => done(err ?? statusErr));
      });
    });
  }

  /** updateDaemonSet: manage, then the update strategy if manage's writes were observed, then cleanupHistory. */
  private updateDaemonSet(ds: KubeObject, nodeList: KubeObject[], hash: string, key: string, old: KubeObject[], done: Done): void {
    this.manage(ds, nodeList, hash, (err) => {
      if (err) return done(err);
      const cleanup = () => this.cleanupHistory(ds, old, (cErr) => done(cErr && `failed to clean up revisions of DaemonSet: ${cErr}`));
      if (!this.expectations.satisfiedExpectations(key) || ds.spec?.updateStrategy?.type !== 'RollingUpdate') return cleanup();
      this.rollingUpdate(ds, nodeList, hash, (rErr) => (rErr ? done(rErr) : cleanup()));
    });
  }

  /**
   * getNodesToDaemonPods: the claimed pods (adopting matching orphans, releasing our pods that no
   * longer match) grouped by target node; terminal pods already being deleted are left out
   * unless `includeDeletedTerminal`.
   */
  private getNodesToDaemonPods(ds: KubeObject, includeDeletedTerminal: boolean, cb: (err: string | undefined, map: NodeToPods) => void): void {
    const selector = selectorOf(ds);
    if (!selector) return cb('invalid selector', new Map());
    const manager = new PodControllerRefManager(this.client, ds, selector, recheckDeletionTimestamp(this.client, ds));
    manager.claimPods(claimCandidates(this.podInformer, ds), (claimed, errors) => {
      if (errors.length) return cb(errors[0], new Map());
      const map: NodeToPods = new Map();
      for (const pod of claimed) {
        if (!includeDeletedTerminal && isPodTerminal(pod) && pod.metadata.deletionTimestamp) continue;
        const nodeName = getTargetNodeName(pod);
        if (nodeName === undefined) continue;
        const list = map.get(nodeName);
        if (list) list.push(pod);
        else map.set(nodeName, [pod]);
      }
      cb(undefined, map);
    });
  }


  /** manage: per node, podsShouldBeOnNode; plus pending pods aimed at vanished nodes; then syncNodes. */
  private manage(ds: KubeObject, nodeList: KubeObject[], hash: string, done: Done): void {
    this.getNodesToDaemonPods(ds, false, (err, nodeToDaemonPods) => {
      if (err) return done(`couldn't get node to daemon pod mapping for daemon set "${ds.metadata.name}": ${err}`);
      const nodesNeeding: string[] = [];
      const podsToDelete: string[] = [];
      const now = this.ctx.now();
      for (const node of nodeList) {
        const plan = podsShouldBeOnNode(node, nodeToDaemonPods, ds, hash, this.failedPodsBackoff, now);
        nodesNeeding.push(...plan.nodesNeedingDaemonPods);
        podsToDelete.push(...plan.podsToDelete);
        for (const e of plan.events) this.recorder.event(ds, e.type, e.reason, e.message);
        if (plan.requeueAfter !== undefined) this.enqueueAfter(keyOf(ds), plan.requeueAfter);
      }
      podsToDelete.push(...getUnscheduledPodsWithoutNode(nodeList, nodeToDaemonPods));
      this.syncNodes(ds, podsToDelete, nodesNeeding, hash, done);
    });
  }

  /**
   * syncNodes: sets expectations, creates pods on the nodes in slow-start batches (1, 2, 4, …;
   * the first failing batch stops the rest), then deletes the pods in parallel. At most
   * BurstReplicas of each per sync.
   */
  private syncNodes(ds: KubeObject, podsToDelete: string[], nodesNeeding: string[], hash: string, done: Done): void {
    const key = keyOf(ds);
    const createDiff = Math.min(nodesNeeding.length, DS_BURST_REPLICAS);
    const deleteDiff = Math.min(podsToDelete.length, DS_BURST_REPLICAS);
    this.expectations.setExpectations(key, createDiff, deleteDiff);
    const errors: string[] = [];
    const template = createPodTemplate(ds.spec?.template, getTemplateGeneration(ds), hash);
    let next = 0;
    const createOne = (cb: (err?: string) => void) => {
      const nodeName = nodesNeeding[next++];
      this.createPod(ds, template, nodeName, (err) => {
        if (err) {
          this.expectations.creationObserved(key);
          errors.push(err);
        }
        cb(err);
      });
    };
    if (createDiff > 0) this.ctx.log('daemonset.create', { daemonSet: key, nodes: nodesNeeding.slice(0, createDiff) });
    slowStartBatch(createDiff, SLOW_START_INITIAL_BATCH_SIZE, () => {}, createOne, () => {
      // Creates never attempted after a failed batch will never be observed.
      const skipped = createDiff - next;
      if (skipped > 0) this.expectations.lowerExpectations(key, skipped, 0);
      this.deletePods(ds, podsToDelete.slice(0, deleteDiff), errors, () => done(aggregate(errors)));
    });
  }

  /** The deletes of syncNodes, in parallel; a failed delete is no longer expected; NotFound is not an error. */
  private deletePods(ds: KubeObject, names: string[], errors: string[], done: () => void): void {
    if (names.length === 0) return done();
    this.ctx.log('daemonset.delete', { daemonSet: keyOf(ds), pods: names });
    let pending = names.length;
    for (const name of names) {
      this.deletePod1(ds, name, (err, notFound) => {
        if (err) {
          this.expectations.lowerExpectations(keyOf(ds), 0, 1);
          if (!notFound) errors.push(err);
        }
        if (--pending === 0) done();
      });
    }
  }

  /** RealPodControl.CreatePods with the pod's affinity pinned to the node; events as upstream. */
  private createPod(ds: KubeObject, template: any, nodeName: string, cb: (err?: string) => void): void {
    const podTemplate = clone(template);
    podTemplate.spec.affinity = replaceDaemonSetPodNodeNameNodeAffinity(podTemplate.spec.affinity, nodeName);
    const pod = podFromTemplate(ds, podTemplate);
    if (Object.keys(pod.metadata.labels ?? {}).length === 0) return cb('unable to create pods, no labels');
    this.client.create(pod, (r: ApiResult) => {
      if (r.ok) {
        this.recorder.event(ds, 'Normal', 'SuccessfulCreate', `Created pod: ${r.object.metadata.name}`);
        return cb();
      }
      // In a terminating namespace every create fails: not an error (and not uncounted, as upstream).
      if (hasStatusCause(r.status, NAMESPACE_TERMINATING_CAUSE)) return cb();
      this.recorder.event(ds, 'Warning', 'FailedCreate', `Error creating: ${r.status.message}`);
      cb(r.status.message);
    });
  }

  /** RealPodControl.DeletePod. */
  private deletePod1(ds: KubeObject, name: string, cb: (err?: string, notFound?: boolean) => void): void {
    this.client.delete(POD_KIND, ds.metadata.namespace, name, {}, (r: ApiResult) => {
      if (r.ok) {
        this.recorder.event(ds, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
        cb();
      } else if (r.status.code === 404) {
        cb(r.status.message, true);
      } else {
        this.recorder.event(ds, 'Warning', 'FailedDelete', `Error deleting: ${r.status.message}`);
        cb(`unable to delete pods: ${r.status.message}`);
      }
    });
  }

  /** rollingUpdate: the plan of daemonset-update.ts, applied through syncNodes. */
  private rollingUpdate(ds: KubeObject, nodeList: KubeObject[], hash: string, done: Done): void {
    this.getNodesToDaemonPods(ds, false, (err, nodeToDaemonPods) => {
      if (err) return done(`couldn't get node to daemon pod mapping for daemon set "${ds.metadata.name}": ${err}`);
      const nodes = new Map(this.nodeInformer.list().map((n) => [n.metadata.name!, n] as const));
      let plan;
      try {
        plan = rollingUpdate(ds, nodeList, nodeToDaemonPods, hash, this.ctx.now(), nodes);
      } catch (e) {
        return done(`couldn't get unavailable numbers: ${(e as Error).message}`);
      }
      if ('error' in plan) return done(plan.error);
      this.ctx.log('daemonset.rolling-update', { daemonSet: keyOf(ds), maxUnavailable: plan.maxUnavailable, maxSurge: plan.maxSurge, numUnavailable: plan.numUnavailable, delete: plan.podsToDelete, create: plan.nodesToCreate });
      this.syncNodes(ds, plan.podsToDelete, plan.nodesToCreate, hash, done);
    });
  }

  // ------------------------------------------------------------------ history (update.go)

  /**
   * constructHistory: claims the DaemonSet's ControllerRevisions, labels any without the hash
   * label (with its name), splits them into the current one (storing this template) and old
   * ones, creates the current one if missing (revision = max old + 1) or dedups it and raises
   * its revision number.
   */
  private constructHistory(ds: KubeObject, cb: (err: string | undefined, cur?: KubeObject, old?: KubeObject[]) => void): void {
    this.controlledHistories(ds, (err, histories) => {
      if (err) return cb(err);
      forEachSeries<KubeObject, KubeObject>(histories, (h, next) => {
        if (h.metadata.labels?.[DAEMONSET_UNIQUE_LABEL] !== undefined) return next(undefined, h);
        const toUpdate = { ...h, metadata: { ...h.metadata, labels: { ...(h.metadata.labels ?? {}), [DAEMONSET_UNIQUE_LABEL]: h.metadata.name! } } };
        this.client.update(toUpdate, (r) => (r.ok ? next(undefined, r.object) : next(r.status.message)));
      }, (lErr, labelled) => {
        if (lErr) return cb(lErr);
        const current = labelled.filter((h) => matchRevision(ds, h));
        const old = labelled.filter((h) => !matchRevision(ds, h));
        const currRevision = maxRevision(old) + 1;
        if (current.length === 0) return this.snapshotRevision(ds, currRevision, (sErr, cur) => cb(sErr, cur, old));
        this.dedupCurHistories(ds, current, (dErr, cur) => {
          if (dErr || !cur) return cb(dErr);
          if ((cur.revision ?? 0) >= currRevision) return cb(undefined, cur, old);
          updateControllerRevision(this.client, cur, currRevision, (uErr, updated) => cb(uErr, updated, old));
        });
      });
    });
  }

  /** controlledHistories: the namespace's revisions, claimed through the ref manager (adoption after a live GET). */
  private controlledHistories(ds: KubeObject, cb: (err: string | undefined, histories: KubeObject[]) => void): void {
    const selector = selectorOf(ds);
    if (!selector) return cb('invalid selector', []);
    const all = this.historyInformer.list(ds.metadata.namespace);
    claimControllerRevisions(this.client, ds, selector, all, recheckDeletionTimestamp(this.client, ds), (claimed, errors) => cb(errors[0], claimed));
  }

  /** dedupCurHistories: keep the highest revision, relabel pods to its hash, delete the duplicates. */
  private dedupCurHistories(ds: KubeObject, current: KubeObject[], cb: (err: string | undefined, keep?: KubeObject) => void): void {
    if (current.length === 1) return cb(undefined, current[0]);
    let keep = current[0];
    for (const h of current) if ((h.revision ?? 0) >= (keep.revision ?? 0)) keep = h;
    const keepHash = keep.metadata.labels?.[DAEMONSET_UNIQUE_LABEL];
    this.getNodesToDaemonPods(ds, true, (err, map) => {
      if (err) return cb(err);
      const pods = [...map.values()].flat().filter((p) => p.metadata.labels?.[DAEMONSET_UNIQUE_LABEL] !== keepHash);
      forEachSeries(pods, (pod, next) => {
        const patch = { metadata: { labels: { [DAEMONSET_UNIQUE_LABEL]: keepHash } } };
        this.client.patch(POD_KIND, pod.metadata.namespace, pod.metadata.name!, patch, 'application/merge-patch+json', (r) => next(r.ok ? undefined : r.status.message, pod));
      }, (pErr) => {
        if (pErr) return cb(pErr);
        const dups = current.filter((h) => h.metadata.name !== keep.metadata.name);
        forEachSeries(dups, (h, next) => deleteControllerRevision(this.client, h, (dErr) => next(dErr, h)), (dErr) => cb(dErr, keep));
      });
    });
  }

  /**
   * snapshot: creates the revision `<ds>-<ComputeHash(template, collisionCount)>`. If the name
   * is taken by the same template, that one is current; by another, status.collisionCount is
   * raised (unless ours was stale) and the sync fails, to retry under a new name.
   */
  private snapshotRevision(ds: KubeObject, revision: number, cb: (err: string | undefined, cur?: KubeObject) => void): void {
    const collisionCount = ds.status?.collisionCount;
    const hash = computeHash(ds.spec?.template, collisionCount);
    const name = `${ds.metadata.name}-${hash}`;
    const history: KubeObject = {
      apiVersion: 'apps/v1', kind: 'ControllerRevision',
      metadata: {
        name, namespace: ds.metadata.namespace, labels: { ...(ds.spec?.template?.metadata?.labels ?? {}), [DAEMONSET_UNIQUE_LABEL]: hash },
        ownerReferences: [newControllerRef(ds)],
      },
      data: getPatch(ds), revision,
    };
    if (ds.metadata.annotations) history.metadata.annotations = { ...ds.metadata.annotations };
    this.client.create(history, (r) => {
      if (r.ok) return cb(undefined, r.object);
      if (r.status.reason !== 'AlreadyExists') return cb(r.status.message);
      this.client.get(CONTROLLER_REVISION_KIND, ds.metadata.namespace, name, (g) => {
        if (!g.ok) return cb(g.status.message);
        if (matchRevision(ds, g.object)) return cb(undefined, g.object);
        this.bumpCollisionCount(ds, r.status.message, cb);
      });
    });
  }

  /** The hash collision branch of snapshot. */
  private bumpCollisionCount(ds: KubeObject, outerErr: string, cb: (err: string | undefined) => void): void {
    this.client.get(DS_KIND, ds.metadata.namespace, ds.metadata.name!, (g) => {
      if (!g.ok) return cb(g.status.message);
      const fresh = g.object;
      if ((fresh.status?.collisionCount ?? null) !== (ds.status?.collisionCount ?? null)) {
        return cb(`found a stale collision count (${ds.status?.collisionCount}, expected ${fresh.status?.collisionCount}) of DaemonSet "${ds.metadata.name}" while processing; will retry until it is updated`);
      }
      const status = { ...(fresh.status ?? {}), collisionCount: (fresh.status?.collisionCount ?? 0) + 1 };
      this.ctx.log('daemonset.hash-collision', { daemonSet: keyOf(ds), collisionCount: status.collisionCount });
      this.client.updateStatus({ ...fresh, status }, (u) => cb(u.ok ? outerErr : u.status.message));
    });
  }

  /** cleanupHistory: deletes the oldest old revisions beyond revisionHistoryLimit that no live pod uses. */
  private cleanupHistory(ds: KubeObject, old: KubeObject[], done: Done): void {
    this.getNodesToDaemonPods(ds, true, (err, map) => {
      if (err) return done(`couldn't get node to daemon pod mapping for daemon set "${ds.metadata.name}": ${err}`);
      const doomed = revisionsToDelete(old, [...map.values()].flat(), ds.spec?.revisionHistoryLimit ?? 10);
      forEachSeries(doomed, (h, next) => deleteControllerRevision(this.client, h, (dErr) => next(dErr, h)), (dErr) => done(dErr));
    });
  }

  // ------------------------------------------------------------------ status

  /** updateDaemonSetStatus: counts, storeDaemonSetStatus, and a re-check after minReadySeconds while not all are available. */
  private updateDaemonSetStatus(ds: KubeObject, nodeList: KubeObject[], hash: string, updateObservedGen: boolean, done: Done): void {
    this.getNodesToDaemonPods(ds, false, (err, map) => {
      if (err) return done(`couldn't get node to daemon pod mapping for daemon set "${ds.metadata.name}": ${err}`);
      const counts = calculateStatus(ds, nodeList, map, hash, this.ctx.now());
      this.storeDaemonSetStatus(ds, counts, updateObservedGen, (sErr) => {
        if (sErr) return done(`error storing status for daemon set "${ds.metadata.name}": ${sErr}`);
        const minReady = ds.spec?.minReadySeconds ?? 0;
        if (minReady > 0 && counts.numberReady !== counts.numberAvailable) this.enqueueAfter(keyOf(ds), minReady * 1000);
        done();
      });
    });
  }

  /** storeDaemonSetStatus: PUT /status unless nothing changed; one GET-and-retry on failure. */
  private storeDaemonSetStatus(ds: KubeObject, counts: DaemonSetStatusCounts, updateObservedGen: boolean, cb: Done): void {
    const st = ds.status ?? {};
    const same = (Object.keys(counts) as Array<keyof DaemonSetStatusCounts>).every((k) => (st[k] ?? 0) === counts[k]);
    if (same && (st.observedGeneration ?? 0) >= (ds.metadata.generation ?? 0)) return cb();
    const attempt = (current: KubeObject, retriesLeft: number) => {
      const status = { ...(current.status ?? {}), ...counts };
      if (updateObservedGen) status.observedGeneration = ds.metadata.generation;
      this.client.updateStatus({ ...current, status }, (r) => {
        if (r.ok) return cb();
        if (retriesLeft <= 0) return cb(r.status.message);
        this.client.get(DS_KIND, ds.metadata.namespace, ds.metadata.name!, (g) => (g.ok ? attempt(g.object, retriesLeft - 1) : cb(g.status.message)));
      });
    };
    attempt(ds, DS_STATUS_UPDATE_RETRIES);
  }
}

// ---------------------------------------------------------------------- helpers

/** GetPodFromTemplate + the controller reference: the pod a DaemonSet creates (generateName `<ds>-`). */
function podFromTemplate(ds: KubeObject, template: any): KubeObject {
  const meta = template.metadata ?? {};
  const pod: KubeObject = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { generateName: `${ds.metadata.name}-`, namespace: ds.metadata.namespace, labels: { ...(meta.labels ?? {}) }, ownerReferences: [newControllerRef(ds)] },
    spec: template.spec,
  };
  if (meta.annotations && Object.keys(meta.annotations).length) pod.metadata.annotations = { ...meta.annotations };
  if (meta.finalizers?.length) pod.metadata.finalizers = [...meta.finalizers];
  return pod;
}

/** utilerrors.NewAggregate's message: one error as is, several as `[a, b]`. */
function aggregate(errors: string[]): string | undefined {
  if (errors.length === 0) return undefined;
  return errors.length === 1 ? errors[0] : `[${errors.join(', ')}]`;
}

/** Runs `fn` on each item in turn (each waits for the previous answer); stops at the first error. */
function forEachSeries<T, R>(items: readonly T[], fn: (item: T, next: (err: string | undefined, result?: R) => void) => void,
  done: (err: string | undefined, results: R[]) => void): void {
  const results: R[] = [];
  const step = (i: number): void => {
    if (i >= items.length) return done(undefined, results);
    fn(items[i], (err, result) => {
      if (err) return done(err, results);
      if (result !== undefined) results.push(result);
      step(i + 1);
    });
  };
  step(0);
}

function keyOf(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

/** The DaemonSet's selector; undefined when it cannot be parsed. */

