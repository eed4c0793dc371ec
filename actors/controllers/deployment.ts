// The Deployment controller (pkg/controller/deployment: deployment_controller.go, sync.go,
// rolling.go, recreate.go, progress.go, rollback.go). syncDeployment claims the ReplicaSets,
// then either only scales (paused, or a scaling event: proportional scaling) or rolls out
// (RollingUpdate or Recreate), cleans up old ReplicaSets beyond revisionHistoryLimit and writes
// the status with its Available and Progressing conditions; a stalled rollout is re-checked at
// its progress deadline. Each sync drives one rollout statechart per Deployment
// (machines/deployment.ts), shown in snapshot().
//
// Upstream's sync is a sequence of blocking API calls. Here each step is a generator function:
// `yield* this.call(req)` suspends the sync until the API server's reply message arrives, so
// the code keeps upstream's order and names while every request and reply is a runtime message.
// A key is never synced twice at once; an event during a sync re-queues it afterwards.
import { createActor, type Actor } from 'xstate';
import type { KubeObject } from '../../api/types.ts';
import type { ApiRequest, ApiResult } from '../../api/request.ts';
import { labelSelectorFromMeta, type LabelSelector } from '../../api/selectors.ts';
import { clone, deepEqual } from '../../api/equal.ts';
import { parseTime } from '../../api/time.ts';
import { EventRecorder } from '../../client/events.ts';
import type { Informer } from '../../client/informer.ts';
import { deploymentMachine, stateName, type DeploymentMachineEvent } from '../../machines/deployment.ts';
import { Controller, controllerUser } from './controller.ts';
import { recheckDeletionTimestamp } from './controller-ref.ts';
import { claimCandidates, indexOrphans, getControllerOf, hasStatusCause, itemBackoffMs, newControllerRef, resyncPeriod, splitKey, resolveControllerRef, ownersSelecting, selectorOf } from './controller-utils.ts';
import { KeyedSync, type SyncDone } from './keyed-sync.ts';
import { claimReplicaSets } from './deployment-claim.ts';
import {
  DEPRECATED_ROLLBACK_TO, FailedRSCreateReason, FoundNewRSReason, NewRSAvailableReason, NewReplicaSetReason, POD_TEMPLATE_HASH_LABEL,
  PausedDeployReason, REVISION_ANNOTATION, ReplicaSetUpdatedReason, ResumedDeployReason, RollbackDone, RollbackRevisionNotFound,
  RollbackTemplateUnchanged, TimedOutReason, byCreationTimestamp, byRevision, calculateStatus, computeHash, deploymentComplete,
  deploymentProgressing, deploymentTimedOut, desiredReplicasAnnotation, equalIgnoreHash, filterActive, findActiveOrLatest,
  findNewReplicaSet, findOldReplicaSets, getDeploymentCondition, hasProgressDeadline, hasRevisionHistoryLimit, isRollingUpdate,
  isSaturated, lastRevision, maxRevision, maxSurge, maxUnavailable, newDeploymentCondition, newRSNewReplicas, proportionalSizes,
  removeDeploymentCondition, replicasAnnotationsNeedUpdate, replicasOf, revisionOf, serializeStatus, setDeploymentAnnotationsTo,
  setDeploymentCondition, setDeploymentRevision, setNewReplicaSetAnnotations, setReplicasAnnotations, specReplicas, statusEqual,
  statusReplicas, type DeploymentStatus,
} from './deployment-util.ts';

/** kube-controller-manager's --concurrent-deployment-syncs (default 5): keys synced at once. */
export const CONCURRENT_DEPLOYMENT_SYNCS = 5;

const D_KIND = { apiVersion: 'apps/v1', kind: 'Deployment' };
const RS_KIND = { apiVersion: 'apps/v1', kind: 'ReplicaSet' };
const POD_KIND = { apiVersion: 'v1', kind: 'Pod' };
const NAMESPACE_TERMINATING_CAUSE = 'NamespaceTerminating';

/** One suspended step of a sync: started with the function that resumes it. */
type Op = (resume: (value: unknown) => void) => void;
type Sync<T = void> = Generator<Op, T, unknown>;

/** An error that ends a sync and re-queues its key with back-off (upstream: syncDeployment returns err). */
class SyncError extends Error {}

/** What one sync did, for the rollout statechart. */
interface SyncReport {
  scaledUp: boolean;
  scaledDown: boolean;
  oldPodsRunning: boolean;
  paused: boolean;
  status?: DeploymentStatus;
  deployment?: KubeObject;
  newRS?: string | null;
}

type PodMap = Map<string, KubeObject[]>;

export class DeploymentController extends Controller {
  protected readonly user = controllerUser('deployment-controller');
  private dInformer!: Informer;
  private rsInformer!: Informer;
  private podInformer!: Informer;
  private recorder!: EventRecorder;
  private readonly reports = new Map<string, SyncReport>();
  private runner!: KeyedSync;
  private readonly rollouts = new Map<string, Actor<typeof deploymentMachine>>();
  /** The annotations the API server holds for a sync's working copy (to write only what changed). */
  private readonly serverAnnotations = new WeakMap<KubeObject, Record<string, string>>();

  protected setup(): void {
    this.runner = this.keyedSync({ workers: CONCURRENT_DEPLOYMENT_SYNCS, sync: (key, done, current) => this.runSync(key, done, current), enqueue: (key) => this.enqueue(key), backoffMs: itemBackoffMs, logName: 'deployment.sync-error' });
    this.recorder = new EventRecorder(this.client, () => this.ctx.now(), { component: 'deployment-controller' }, this.ctx.random('events'));
    const resync = resyncPeriod(this.ctx.random('resync'));
    this.dInformer = this.informer({ kind: D_KIND, resyncPeriod: resync, name: 'deployments' });
    this.rsInformer = this.informer({ kind: RS_KIND, resyncPeriod: resync, name: 'replicasets' });
    indexOrphans(this.rsInformer);
    this.podInformer = this.informer({ kind: POD_KIND, resyncPeriod: resync, name: 'pods' });
    this.dInformer.addHandlers({
      add: (d) => this.enqueue(keyOf(d)),
      update: (_old, cur) => this.enqueue(keyOf(cur)),
      delete: (d) => this.enqueue(keyOf(d)),
    });
    this.rsInformer.addHandlers({
      add: (rs) => this.addReplicaSet(rs),
      update: (old, cur) => this.updateReplicaSet(old, cur),
      delete: (rs) => this.deleteReplicaSet(rs),
    });
    this.podInformer.addHandlers({ delete: (pod) => this.deletePod(pod) });
  }

  override snapshot(): unknown {
    const rollouts: Record<string, unknown> = {};
    for (const [key, actor] of [...this.rollouts].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const s = actor.getSnapshot();
      rollouts[key] = { state: stateName(s.value), ...s.context };
    }
    return { ...(super.snapshot() as object), syncing: this.runner?.snapshot().syncing, rollouts };
  }

  /** The rollout statechart, for the inspector. */
  machine(): unknown {
    return deploymentMachine;
  }

  /** The rollout state of a Deployment (`Progressing.ScalingUpNewRS`, `Complete`, …), if synced. */
  rolloutState(key: string): string | undefined {
    const a = this.rollouts.get(key);
    return a ? stateName(a.getSnapshot().value) : undefined;
  }

  // ------------------------------------------------------------------ event handlers

  /** addReplicaSet: wake the owner, or every Deployment that could adopt an orphan. */
  private addReplicaSet(rs: KubeObject): void {
    if (rs.metadata.deletionTimestamp) return this.deleteReplicaSet(rs);
    const ref = getControllerOf(rs);
    if (ref) {
      const d = this.resolveControllerRef(rs.metadata.namespace!, ref);
      if (d) this.enqueue(keyOf(d));
      return;
    }
    for (const d of this.getDeploymentsForReplicaSet(rs)) this.enqueue(keyOf(d));
  }

  /** updateReplicaSet: old and new owners; label or owner changes of an orphan wake its candidates. */
  private updateReplicaSet(old: KubeObject, cur: KubeObject): void {
    if (cur.metadata.resourceVersion === old.metadata.resourceVersion) return;
    const curRef = getControllerOf(cur);
    const oldRef = getControllerOf(old);
    const refChanged = !deepEqual(curRef ?? null, oldRef ?? null);
    if (refChanged && oldRef) {
      const d = this.resolveControllerRef(old.metadata.namespace!, oldRef);
      if (d) this.enqueue(keyOf(d));
    }
    if (curRef) {
      const d = this.resolveControllerRef(cur.metadata.namespace!, curRef);
      if (d) this.enqueue(keyOf(d));
      return;
    }
    if (refChanged || !deepEqual(cur.metadata.labels ?? {}, old.metadata.labels ?? {})) {
      for (const d of this.getDeploymentsForReplicaSet(cur)) this.enqueue(keyOf(d));
    }
  }

  private deleteReplicaSet(rs: KubeObject): void {
    const ref = getControllerOf(rs);
    if (!ref) return;
    const d = this.resolveControllerRef(rs.metadata.namespace!, ref);
    if (d) this.enqueue(keyOf(d));
  }

  /** deletePod: a Recreate Deployment waits for its last old pod to go before scaling up. */
  private deletePod(pod: KubeObject): void {
    const rsRef = getControllerOf(pod);
    if (rsRef?.kind !== 'ReplicaSet') return;
    const rs = this.rsInformer.get(pod.metadata.namespace, rsRef.name);
    if (!rs || rs.metadata.uid !== rsRef.uid) return;
    const dRef = getControllerOf(rs);
    const d = dRef && this.resolveControllerRef(rs.metadata.namespace!, dRef);
    if (!d || d.spec?.strategy?.type !== 'Recreate') return;
    const rsList = this.rsInformer.ownedBy(d.metadata.uid!).filter((r) => getControllerOf(r)?.uid === d.metadata.uid);
    let numPods = 0;
    for (const pods of this.getPodMapForDeployment(d, rsList).values()) numPods += pods.length;
    if (numPods === 0) this.enqueue(keyOf(d));
  }

  private resolveControllerRef(namespace: string, ref: { kind: string; name: string; uid: string }): KubeObject | undefined {
    return resolveControllerRef(this.dInformer, 'Deployment', namespace, ref);
  }

  /** getDeploymentsForReplicaSet: Deployments whose (non-empty) selector matches the ReplicaSet. */
  private getDeploymentsForReplicaSet(rs: KubeObject): KubeObject[] {
    return ownersSelecting(this.dInformer, rs);
  }

  // ------------------------------------------------------------------ the work queue

  protected reconcile(key: string): void {
    this.runner.run(key);
  }

  /** One sync of a Deployment: runs syncDeployment's API steps, then feeds the rollout machine. */
  private runSync(key: string, done: SyncDone, current: () => boolean): void {
    this.reports.set(key, { scaledUp: false, scaledDown: false, oldPodsRunning: false, paused: false });
    const gen = this.syncDeployment(key);
    const step = (input: unknown): void => {
      if (!current()) return;
      let r: IteratorResult<Op, void>;
      try {
        r = gen.next(input);
      } catch (e) {
        if (e instanceof SyncError) return done(e.message);
        throw e;
      }
      if (!r.done) return r.value(step);
      this.driveRollout(key);
      done();
    };
    step(undefined);
  }

  private addAfter(key: string, delay: number): void {
    this.runner.addAfter(key, delay);
  }

  /** Feeds what the sync did to the Deployment's rollout statechart. */
  private driveRollout(key: string): void {
    const rep = this.reports.get(key);
    this.reports.delete(key);
    if (!this.dInformer.get(...splitKey(key))) {
      this.rollouts.get(key)?.stop();
      this.rollouts.delete(key);
      return;
    }
    if (!rep?.deployment || !rep.status) return;
    let actor = this.rollouts.get(key);
    if (!actor) {
      actor = createActor(deploymentMachine).start();
      this.rollouts.set(key, actor);
    }
    const d = rep.deployment;
    const observed = { newReplicaSet: rep.newRS ?? null, revision: Number(d.metadata.annotations?.[REVISION_ANNOTATION] ?? 0) };
    const before = stateName(actor.getSnapshot().value);
    if (rep.paused) return void actor.send({ type: 'PAUSED' });
    if (before === 'Paused') actor.send({ type: 'RESUMED' });
    const progressing = getDeploymentCondition(rep.status, 'Progressing');
    let event: DeploymentMachineEvent;
    if (rep.scaledUp) event = { type: 'NEW_RS_SCALED_UP', ...observed };
    else if (rep.scaledDown) event = { type: 'OLD_RS_SCALED_DOWN', ...observed };
    else if (deploymentComplete(d, rep.status)) event = { type: 'ROLLOUT_COMPLETE', ...observed };
    else if (progressing?.reason === TimedOutReason) event = { type: 'DEADLINE_EXCEEDED', ...observed };
    else if (rep.oldPodsRunning) event = { type: 'OLD_PODS_TERMINATING', ...observed };
    else event = { type: 'NEW_PODS_PENDING', ...observed };
    actor.send(event);
    const after = stateName(actor.getSnapshot().value);
    if (after !== before) this.ctx.log('deployment.rollout', { deployment: key, from: before, to: after });
  }

  // ------------------------------------------------------------------ API steps

  /** Sends one request and suspends the sync until its reply. */
  private *call(req: ApiRequest): Sync<ApiResult> {
    return (yield (resume) => this.client.request(req, resume)) as ApiResult;
  }

  /** PUT of a ReplicaSet; an error ends the sync. */
  private *putReplicaSet(rs: KubeObject): Sync<KubeObject> {
    const r = yield* this.call({ verb: 'update', ...RS_KIND, namespace: rs.metadata.namespace, name: rs.metadata.name, body: rs });
    if (!r.ok) throw new SyncError(r.status.message);
    return r.object;
  }

  /**
   * UpdateStatus of the Deployment. Upstream's status strategy lets a /status PUT change
   * metadata.annotations too (that is how the revision annotation is written); our API server's
   * /status takes status only, so changed annotations go first as a merge patch with the same
   * resourceVersion precondition. The working copy takes the new resourceVersion, so the next
   * write of the same sync does not conflict with this one.
   */
  private *updateDeploymentStatus(d: KubeObject): Sync<void> {
    const base = this.serverAnnotations.get(d) ?? {};
    const now: Record<string, string> = d.metadata.annotations ?? {};
    if (!deepEqual(base, now)) {
      const diff: Record<string, string | null> = {};
      for (const k of new Set([...Object.keys(base), ...Object.keys(now)])) if (base[k] !== now[k]) diff[k] = now[k] ?? null;
      const r = yield* this.call({ verb: 'patch', ...D_KIND, namespace: d.metadata.namespace, name: d.metadata.name, patchType: 'application/merge-patch+json',
        body: { metadata: { resourceVersion: d.metadata.resourceVersion, annotations: diff } } });
      if (!r.ok) throw new SyncError(r.status.message);
      d.metadata.resourceVersion = r.object.metadata.resourceVersion;
      this.serverAnnotations.set(d, { ...now });
    }
    const body = { ...d, status: serializeStatus(d.status ?? {}) };
    const r = yield* this.call({ verb: 'update', ...D_KIND, namespace: d.metadata.namespace, name: d.metadata.name, subresource: 'status', body });
    if (!r.ok) throw new SyncError(r.status.message);
    d.metadata.resourceVersion = r.object.metadata.resourceVersion;
  }

  // ------------------------------------------------------------------ syncDeployment (deployment_controller.go)

  /** syncDeployment: claim, then status-only, paused sync, rollback, scaling event, or the strategy's rollout. */
  private *syncDeployment(key: string): Sync<void> {
    const [namespace, name] = splitKey(key);
    const cached = this.dInformer.get(namespace, name);
    if (!cached) return;
    const d = clone(cached) as KubeObject;
    this.serverAnnotations.set(d, { ...(cached.metadata.annotations ?? {}) });
    this.reports.get(key)!.deployment = d;
    if (deepEqual(d.spec?.selector ?? null, {})) {
      this.recorder.event(d, 'Warning', 'SelectingAll', 'This deployment is selecting all pods. A non-empty selector is required.');
      if ((d.status?.observedGeneration ?? 0) < (d.metadata.generation ?? 0)) {
        d.status = { ...(d.status ?? {}), observedGeneration: d.metadata.generation };
        yield* this.updateDeploymentStatus(d);
      }
      return;
    }
    const rsList = yield* this.getReplicaSetsForDeployment(d);
    const podMap = this.getPodMapForDeployment(d, rsList);
    if (d.metadata.deletionTimestamp) return yield* this.syncStatusOnly(d, rsList);
    yield* this.checkPausedConditions(d);
    if (d.spec.paused) {
      this.reports.get(key)!.paused = true;
      return yield* this.sync(d, rsList);
    }
    if (getRollbackTo(d) !== undefined) return yield* this.rollback(d, rsList);
    if (yield* this.isScalingEvent(d, rsList)) return yield* this.sync(d, rsList);
    if (d.spec.strategy?.type === 'Recreate') return yield* this.rolloutRecreate(d, rsList, podMap);
    return yield* this.rolloutRolling(d, rsList);
  }

  /** getReplicaSetsForDeployment: the namespace's ReplicaSets, adopted or released by the selector. */
  private *getReplicaSetsForDeployment(d: KubeObject): Sync<KubeObject[]> {
    const all = claimCandidates(this.rsInformer, d);
    let selector: LabelSelector;
    try {
      selector = labelSelectorFromMeta(d.spec.selector);
    } catch (e) {
      throw new SyncError(`deployment ${d.metadata.namespace}/${d.metadata.name} has invalid label selector: ${(e as Error).message}`);
    }
    const canAdopt = recheckDeletionTimestamp(this.client, d);
    const [claimed, err] = (yield (resume) => claimReplicaSets(this.client, d, selector, canAdopt, all, (c, e) => resume([c, e]))) as [KubeObject[], string | undefined];
    if (err) throw new SyncError(err);
    return claimed;
  }

  /** getPodMapForDeployment: the Deployment's pods, by the UID of the ReplicaSet that controls them. */
  private getPodMapForDeployment(d: KubeObject, rsList: KubeObject[]): PodMap {
    const selector = selectorOf(d);
    const podMap: PodMap = new Map();
    for (const rs of rsList) {
      const pods = this.podInformer.ownedBy(rs.metadata.uid!).filter((p) => getControllerOf(p)?.uid === rs.metadata.uid && (selector?.matches(p.metadata.labels) ?? false));
      podMap.set(rs.metadata.uid!, pods);
    }
    return podMap;
  }

  /** syncStatusOnly: a Deployment being deleted only gets its status updated. */
  private *syncStatusOnly(d: KubeObject, rsList: KubeObject[]): Sync<void> {
    const [newRS, oldRSs] = yield* this.getAllReplicaSetsAndSyncRevision(d, rsList, false);
    yield* this.syncDeploymentStatus([...oldRSs, newRS], newRS, d);
  }

  /** sync (sync.go): for paused Deployments and scaling events: scale, clean up, status. */
  private *sync(d: KubeObject, rsList: KubeObject[]): Sync<void> {
    const [newRS, oldRSs] = yield* this.getAllReplicaSetsAndSyncRevision(d, rsList, false);
    yield* this.scale(d, newRS, oldRSs);
    // Clean up only while paused and with no rollback in flight.
    if (d.spec.paused && getRollbackTo(d) === undefined) yield* this.cleanupDeployment(oldRSs, d);
    yield* this.syncDeploymentStatus([...oldRSs, newRS], newRS, d);
  }

  /**
   * checkPausedConditions: Progressing=Unknown DeploymentPaused / DeploymentResumed, so a long
   * pause is never taken for a lack of progress (unless the deadline was already reported).
   */
  private *checkPausedConditions(d: KubeObject): Sync<void> {
    if (!hasProgressDeadline(d)) return;
    const cond = getDeploymentCondition(d.status, 'Progressing');
    if (cond?.reason === TimedOutReason) return;
    const pausedCondExists = cond?.reason === PausedDeployReason;
    const status: DeploymentStatus = clone(d.status ?? {});
    if (d.spec.paused && !pausedCondExists) {
      setDeploymentCondition(status, newDeploymentCondition('Progressing', 'Unknown', PausedDeployReason, 'Deployment is paused', this.ctx.now()));
    } else if (!d.spec.paused && pausedCondExists) {
      setDeploymentCondition(status, newDeploymentCondition('Progressing', 'Unknown', ResumedDeployReason, 'Deployment is resumed', this.ctx.now()));
    } else return;
    d.status = status;
    yield* this.updateDeploymentStatus(d);
  }

  /** isScalingEvent: an active ReplicaSet's desired-replicas annotation differs from spec.replicas. */
  private *isScalingEvent(d: KubeObject, rsList: KubeObject[]): Sync<boolean> {
    const [newRS, oldRSs] = yield* this.getAllReplicaSetsAndSyncRevision(d, rsList, false);
    if (!newRS) return false;
    for (const rs of filterActive([...oldRSs, newRS])) {
      const desired = desiredReplicasAnnotation(rs);
      if (desired !== undefined && desired !== replicasOf(d)) return true;
    }
    return false;
  }

  /**
   * getAllReplicaSetsAndSyncRevision: the new ReplicaSet (created when asked) and all old ones.
   * An updated ReplicaSet replaces its stale copy in rsList, so a later step of the same sync
   * does not PUT the stale copy again (upstream would get a 409 and retry).
   */
  private *getAllReplicaSetsAndSyncRevision(d: KubeObject, rsList: KubeObject[], createIfNotExisted: boolean): Sync<[KubeObject | undefined, KubeObject[]]> {
    const oldRSs = findOldReplicaSets(d, rsList);
    const newRS = yield* this.getNewReplicaSet(d, rsList, oldRSs, createIfNotExisted);
    if (newRS) {
      const i = rsList.findIndex((rs) => rs.metadata.uid === newRS.metadata.uid);
      if (i >= 0) rsList[i] = newRS;
    }
    return [newRS, oldRSs];
  }

  /**
   * getNewReplicaSet (sync.go): an existing new ReplicaSet gets its annotations and
   * minReadySeconds synced and the Deployment its revision; otherwise a ReplicaSet named
   * `<deployment>-<hash>` is created at revision max(old)+1 with the replicas NewRSNewReplicas
   * allows. A name taken by another template is a hash collision: collisionCount++ and retry.
   */
  private *getNewReplicaSet(d: KubeObject, rsList: KubeObject[], oldRSs: KubeObject[], createIfNotExisted: boolean): Sync<KubeObject | undefined> {
    const existing = findNewReplicaSet(d, rsList);
    const newRevision = String(maxRevision(oldRSs) + 1);
    if (existing) {
      const rsCopy = clone(existing) as KubeObject;
      const annotationsUpdated = setNewReplicaSetAnnotations(d, rsCopy, newRevision, true);
      if (annotationsUpdated || (rsCopy.spec.minReadySeconds ?? 0) !== (d.spec.minReadySeconds ?? 0)) {
        rsCopy.spec.minReadySeconds = d.spec.minReadySeconds ?? 0;
        return yield* this.putReplicaSet(rsCopy);
      }
      let needsUpdate = setDeploymentRevision(d, rsCopy.metadata.annotations![REVISION_ANNOTATION]);
      if (hasProgressDeadline(d) && !getDeploymentCondition(d.status, 'Progressing')) {
        d.status = clone(d.status ?? {});
        setDeploymentCondition(d.status, newDeploymentCondition('Progressing', 'True', FoundNewRSReason, `Found new replica set "${rsCopy.metadata.name}"`, this.ctx.now()));
        needsUpdate = true;
      }
      if (needsUpdate) yield* this.updateDeploymentStatus(d);
      return rsCopy;
    }
    if (!createIfNotExisted) return undefined;
    return yield* this.createNewReplicaSet(d, oldRSs, newRevision);
  }

  /** The creating half of getNewReplicaSet. */
  private *createNewReplicaSet(d: KubeObject, oldRSs: KubeObject[], newRevision: string): Sync<KubeObject> {
    const template = clone(d.spec.template);
    const hash = computeHash(template, d.status?.collisionCount);
    template.metadata = { ...(template.metadata ?? {}), labels: { ...(template.metadata?.labels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash } };
    const selector = clone(d.spec.selector);
    selector.matchLabels = { ...(selector.matchLabels ?? {}), [POD_TEMPLATE_HASH_LABEL]: hash };
    const newRS: KubeObject = {
      apiVersion: 'apps/v1', kind: 'ReplicaSet',
      metadata: { name: `${d.metadata.name}-${hash}`, namespace: d.metadata.namespace, ownerReferences: [newControllerRef(d)], labels: { ...template.metadata.labels } },
      spec: { replicas: 0, minReadySeconds: d.spec.minReadySeconds ?? 0, selector, template },
    };
    const newReplicasCount = newRSNewReplicas(d, [...oldRSs, newRS], newRS);
    newRS.spec.replicas = newReplicasCount;
    setNewReplicaSetAnnotations(d, newRS, newRevision, false);
    const r = yield* this.call({ verb: 'create', ...RS_KIND, namespace: d.metadata.namespace, body: newRS });
    let createdRS: KubeObject;
    let alreadyExists = false;
    if (r.ok) createdRS = r.object;
    else if (r.status.code === 409 && r.status.reason === 'AlreadyExists') {
      alreadyExists = true;
      const rs = this.rsInformer.get(d.metadata.namespace, newRS.metadata.name!);
      if (!rs) throw new SyncError(r.status.message);
      const ref = getControllerOf(rs);
      if (ref?.uid === d.metadata.uid && equalIgnoreHash(d.spec.template, rs.spec.template)) createdRS = rs;
      else {
        d.status = { ...clone(d.status ?? {}), collisionCount: (d.status?.collisionCount ?? 0) + 1 };
        try {
          yield* this.updateDeploymentStatus(d);
          this.ctx.log('deployment.hash-collision', { deployment: keyOf(d), collisionCount: d.status.collisionCount });
        } catch {
          // The original error is what requeues the Deployment.
        }
        throw new SyncError(r.status.message);
      }
    } else if (hasStatusCause(r.status, NAMESPACE_TERMINATING_CAUSE)) {
      throw new SyncError(r.status.message);
    } else {
      const msg = `Failed to create new replica set "${newRS.metadata.name}": ${r.status.message}`;
      if (hasProgressDeadline(d)) {
        d.status = clone(d.status ?? {});
        setDeploymentCondition(d.status, newDeploymentCondition('Progressing', 'False', FailedRSCreateReason, msg, this.ctx.now()));
        try {
          yield* this.updateDeploymentStatus(d);
        } catch {
          // A bigger problem is being reported.
        }
      }
      this.recorder.event(d, 'Warning', FailedRSCreateReason, msg);
      throw new SyncError(r.status.message);
    }
    if (!alreadyExists && newReplicasCount > 0) {
      this.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled up replica set ${createdRS.metadata.name} from 0 to ${newReplicasCount}`);
      this.reports.get(keyOf(d))!.scaledUp = true;
    }
    let needsUpdate = setDeploymentRevision(d, newRevision);
    if (!alreadyExists && hasProgressDeadline(d)) {
      d.status = clone(d.status ?? {});
      setDeploymentCondition(d.status, newDeploymentCondition('Progressing', 'True', NewReplicaSetReason, `Created new replica set "${createdRS.metadata.name}"`, this.ctx.now()));
      needsUpdate = true;
    }
    if (needsUpdate) yield* this.updateDeploymentStatus(d);
    return createdRS;
  }

  // ------------------------------------------------------------------ scaling (sync.go)

  /**
   * scale: one active ReplicaSet (or none) takes spec.replicas; a saturated new ReplicaSet
   * scales the old ones to 0; otherwise a rolling Deployment's active ReplicaSets share the
   * change in proportion to their sizes (k8s-facts §1.8).
   */
  private *scale(d: KubeObject, newRS: KubeObject | undefined, oldRSs: KubeObject[]): Sync<void> {
    const activeOrLatest = findActiveOrLatest(newRS, oldRSs);
    if (activeOrLatest) {
      if (replicasOf(activeOrLatest) === replicasOf(d)) return;
      yield* this.scaleReplicaSetAndRecordEvent(activeOrLatest, replicasOf(d), d);
      return;
    }
    if (isSaturated(d, newRS)) {
      for (const old of filterActive(oldRSs)) yield* this.scaleReplicaSetAndRecordEvent(old, 0, d);
      return;
    }
    if (!isRollingUpdate(d)) return;
    for (const { rs, size } of proportionalSizes(d, filterActive([...oldRSs, newRS]))) yield* this.scaleReplicaSet(rs, size, d);
  }

  private *scaleReplicaSetAndRecordEvent(rs: KubeObject, newScale: number, d: KubeObject): Sync<[boolean, KubeObject]> {
    if (replicasOf(rs) === newScale) return [false, rs];
    return yield* this.scaleReplicaSet(rs, newScale, d);
  }

  /** scaleReplicaSet: PUT the new size and replica annotations; event `Scaled up|down replica set X from A to B`. */
  private *scaleReplicaSet(rs: KubeObject, newScale: number, d: KubeObject): Sync<[boolean, KubeObject]> {
    const sizeNeedsUpdate = replicasOf(rs) !== newScale;
    const max = replicasOf(d) + maxSurge(d);
    if (!sizeNeedsUpdate && !replicasAnnotationsNeedUpdate(rs, replicasOf(d), max)) return [false, rs];
    const oldScale = replicasOf(rs);
    const rsCopy = clone(rs) as KubeObject;
    rsCopy.spec.replicas = newScale;
    setReplicasAnnotations(rsCopy, replicasOf(d), max);
    const updated = yield* this.putReplicaSet(rsCopy);
    if (sizeNeedsUpdate) {
      const op = oldScale < newScale ? 'up' : 'down';
      this.recorder.event(d, 'Normal', 'ScalingReplicaSet', `Scaled ${op} replica set ${updated.metadata.name} from ${oldScale} to ${newScale}`);
      const rep = this.reports.get(keyOf(d))!;
      if (op === 'up') rep.scaledUp = true;
      else rep.scaledDown = true;
    }
    return [sizeNeedsUpdate, updated];
  }

  /**
   * cleanupDeployment: delete the oldest old ReplicaSets beyond revisionHistoryLimit, only
   * those with no replicas (spec and status) whose latest generation was observed.
   */
  private *cleanupDeployment(oldRSs: KubeObject[], d: KubeObject): Sync<void> {
    if (!hasRevisionHistoryLimit(d)) return;
    const cleanable = oldRSs.filter((rs) => !rs.metadata.deletionTimestamp).sort(byRevision);
    const diff = cleanable.length - d.spec.revisionHistoryLimit;
    for (let i = 0; i < diff; i++) {
      const rs = cleanable[i];
      if ((rs.status?.replicas ?? 0) !== 0 || replicasOf(rs) !== 0 || (rs.metadata.generation ?? 0) > (rs.status?.observedGeneration ?? 0)) continue;
      this.ctx.log('deployment.cleanup', { deployment: keyOf(d), replicaSet: rs.metadata.name });
      const r = yield* this.call({ verb: 'delete', ...RS_KIND, namespace: rs.metadata.namespace, name: rs.metadata.name });
      if (!r.ok && r.status.code !== 404) throw new SyncError(r.status.message);
    }
  }

  /** syncDeploymentStatus: write calculateStatus when it differs. */
  private *syncDeploymentStatus(allRSs: Array<KubeObject | undefined>, newRS: KubeObject | undefined, d: KubeObject): Sync<void> {
    const newStatus = calculateStatus(allRSs, newRS, d, this.ctx.now());
    this.recordStatus(d, newStatus, newRS);
    if (statusEqual(d.status, newStatus)) return;
    d.status = newStatus;
    yield* this.updateDeploymentStatus(d);
  }

  private recordStatus(d: KubeObject, status: DeploymentStatus, newRS: KubeObject | undefined): void {
    const rep = this.reports.get(keyOf(d));
    if (!rep) return;
    rep.status = status;
    rep.newRS = newRS?.metadata.name ?? null;
  }

  // ------------------------------------------------------------------ RollingUpdate (rolling.go)

  /** rolloutRolling: scale up if we can, else scale down if we can, else clean up; then the status. */
  private *rolloutRolling(d: KubeObject, rsList: KubeObject[]): Sync<void> {
    const [newRS0, oldRSs] = yield* this.getAllReplicaSetsAndSyncRevision(d, rsList, true);
    const newRS = newRS0!;
    const allRSs = [...oldRSs, newRS];
    if (yield* this.reconcileNewReplicaSet(allRSs, newRS, d)) return yield* this.syncRolloutStatus(allRSs, newRS, d);
    if (yield* this.reconcileOldReplicaSets(allRSs, filterActive(oldRSs), newRS, d)) return yield* this.syncRolloutStatus(allRSs, newRS, d);
    if (deploymentComplete(d, d.status)) yield* this.cleanupDeployment(oldRSs, d);
    yield* this.syncRolloutStatus(allRSs, newRS, d);
  }

  /** reconcileNewReplicaSet: scale the new ReplicaSet down to spec.replicas, or up by what NewRSNewReplicas allows. */
  private *reconcileNewReplicaSet(allRSs: KubeObject[], newRS: KubeObject, d: KubeObject): Sync<boolean> {
    if (replicasOf(newRS) === replicasOf(d)) return false;
    if (replicasOf(newRS) > replicasOf(d)) return (yield* this.scaleReplicaSetAndRecordEvent(newRS, replicasOf(d), d))[0];
    const newReplicasCount = newRSNewReplicas(d, allRSs, newRS);
    return (yield* this.scaleReplicaSetAndRecordEvent(newRS, newReplicasCount, d))[0];
  }

  /**
   * reconcileOldReplicaSets: maxScaledDown = Σspec − (replicas − maxUnavailable) − the new
   * ReplicaSet's unavailable pods; unhealthy old replicas go first, then available ones while
   * the availability floor allows (k8s-facts §1.4).
   */
  private *reconcileOldReplicaSets(allRSs: KubeObject[], oldRSs: KubeObject[], newRS: KubeObject, d: KubeObject): Sync<boolean> {
    if (specReplicas(oldRSs) === 0) return false;
    const allPodsCount = specReplicas(allRSs);
    const minAvailable = replicasOf(d) - maxUnavailable(d);
    const newRSUnavailablePodCount = replicasOf(newRS) - (newRS.status?.availableReplicas ?? 0);
    const maxScaledDown = allPodsCount - minAvailable - newRSUnavailablePodCount;
    if (maxScaledDown <= 0) return false;
    const [cleanedRSs, cleanupCount] = yield* this.cleanupUnhealthyReplicas(oldRSs, d, maxScaledDown);
    const scaledDownCount = yield* this.scaleDownOldReplicaSetsForRollingUpdate([...cleanedRSs, newRS], cleanedRSs, d);
    return cleanupCount + scaledDownCount > 0;
  }

  /** cleanupUnhealthyReplicas: oldest first, scale each old ReplicaSet down by its unavailable pods, within the budget. */
  private *cleanupUnhealthyReplicas(oldRSs: KubeObject[], d: KubeObject, maxCleanupCount: number): Sync<[KubeObject[], number]> {
    const sorted = [...oldRSs].sort(byCreationTimestamp);
    let total = 0;
    for (let i = 0; i < sorted.length; i++) {
      const rs = sorted[i];
      if (total >= maxCleanupCount) break;
      if (replicasOf(rs) === 0) continue;
      const available = rs.status?.availableReplicas ?? 0;
      if (replicasOf(rs) === available) continue;
      const scaledDownCount = Math.min(maxCleanupCount - total, replicasOf(rs) - available);
      const newReplicasCount = replicasOf(rs) - scaledDownCount;
      if (newReplicasCount > replicasOf(rs)) throw new SyncError(`when cleaning up unhealthy replicas, got invalid request to scale down ${keyOf(rs)} ${replicasOf(rs)} -> ${newReplicasCount}`);
      const [, updated] = yield* this.scaleReplicaSetAndRecordEvent(rs, newReplicasCount, d);
      total += scaledDownCount;
      sorted[i] = updated;
    }
    return [sorted, total];
  }

  /** scaleDownOldReplicaSetsForRollingUpdate: oldest first, by (Σ available − minAvailable). */
  private *scaleDownOldReplicaSetsForRollingUpdate(allRSs: KubeObject[], oldRSs: KubeObject[], d: KubeObject): Sync<number> {
    const minAvailable = replicasOf(d) - maxUnavailable(d);
    const availablePodCount = statusReplicas(allRSs, 'availableReplicas');
    if (availablePodCount <= minAvailable) return 0;
    const totalScaleDownCount = availablePodCount - minAvailable;
    let total = 0;
    for (const rs of [...oldRSs].sort(byCreationTimestamp)) {
      if (total >= totalScaleDownCount) break;
      if (replicasOf(rs) === 0) continue;
      const scaleDownCount = Math.min(replicasOf(rs), totalScaleDownCount - total);
      yield* this.scaleReplicaSetAndRecordEvent(rs, replicasOf(rs) - scaleDownCount, d);
      total += scaleDownCount;
    }
    return total;
  }

  // ------------------------------------------------------------------ Recreate (recreate.go)

  /** rolloutRecreate: old ReplicaSets to 0; wait for every old pod to go; then the new ReplicaSet at full size. */
  private *rolloutRecreate(d: KubeObject, rsList: KubeObject[], podMap: PodMap): Sync<void> {
    let [newRS, oldRSs] = yield* this.getAllReplicaSetsAndSyncRevision(d, rsList, false);
    let allRSs: Array<KubeObject | undefined> = [...oldRSs, newRS];
    if (yield* this.scaleDownOldReplicaSetsForRecreate(filterActive(oldRSs), d)) return yield* this.syncRolloutStatus(allRSs, newRS, d);
    if (oldPodsRunning(newRS, oldRSs, podMap)) {
      this.reports.get(keyOf(d))!.oldPodsRunning = true;
      return yield* this.syncRolloutStatus(allRSs, newRS, d);
    }
    if (!newRS) {
      [newRS, oldRSs] = yield* this.getAllReplicaSetsAndSyncRevision(d, rsList, true);
      allRSs = [...oldRSs, newRS];
    }
    yield* this.scaleReplicaSetAndRecordEvent(newRS!, replicasOf(d), d);
    if (deploymentComplete(d, d.status)) yield* this.cleanupDeployment(oldRSs, d);
    yield* this.syncRolloutStatus(allRSs, newRS, d);
  }

  private *scaleDownOldReplicaSetsForRecreate(oldRSs: KubeObject[], d: KubeObject): Sync<boolean> {
    let scaled = false;
    for (const rs of oldRSs) {
      if (replicasOf(rs) === 0) continue;
      if ((yield* this.scaleReplicaSetAndRecordEvent(rs, 0, d))[0]) scaled = true;
    }
    return scaled;
  }

  // ------------------------------------------------------------------ progress (progress.go)

  /**
   * syncRolloutStatus: calculateStatus plus the Progressing condition — NewReplicaSetAvailable
   * when complete, ReplicaSetUpdated (lastUpdateTime refreshed) on progress, ProgressDeadlineExceeded
   * after progressDeadlineSeconds without progress — and ReplicaFailure copied from a ReplicaSet.
   * Unchanged status: re-check at the deadline instead.
   */
  private *syncRolloutStatus(allRSs: Array<KubeObject | undefined>, newRS: KubeObject | undefined, d: KubeObject): Sync<void> {
    const now = this.ctx.now();
    const newStatus = calculateStatus(allRSs, newRS, d, now);
    if (!hasProgressDeadline(d)) removeDeploymentCondition(newStatus, 'Progressing');
    const currentCond = getDeploymentCondition(d.status, 'Progressing');
    const isCompleteDeployment = newStatus.replicas === newStatus.updatedReplicas && currentCond?.reason === NewRSAvailableReason;
    const rsName = newRS?.metadata.name;
    if (hasProgressDeadline(d) && !isCompleteDeployment) {
      if (deploymentComplete(d, newStatus)) {
        const msg = rsName ? `ReplicaSet "${rsName}" has successfully progressed.` : `Deployment "${d.metadata.name}" has successfully progressed.`;
        setDeploymentCondition(newStatus, newDeploymentCondition('Progressing', 'True', NewRSAvailableReason, msg, now));
      } else if (deploymentProgressing(d, newStatus)) {
        const msg = rsName ? `ReplicaSet "${rsName}" is progressing.` : `Deployment "${d.metadata.name}" is progressing.`;
        const condition = newDeploymentCondition('Progressing', 'True', ReplicaSetUpdatedReason, msg, now);
        if (currentCond) {
          if (currentCond.status === 'True') condition.lastTransitionTime = currentCond.lastTransitionTime;
          removeDeploymentCondition(newStatus, 'Progressing');
        }
        setDeploymentCondition(newStatus, condition);
      } else if (deploymentTimedOut(d, newStatus, now)) {
        const msg = rsName ? `ReplicaSet "${rsName}" has timed out progressing.` : `Deployment "${d.metadata.name}" has timed out progressing.`;
        setDeploymentCondition(newStatus, newDeploymentCondition('Progressing', 'False', TimedOutReason, msg, now));
      }
    }
    const failure = getReplicaFailure(allRSs, newRS);
    if (failure) setDeploymentCondition(newStatus, { ...failure, lastUpdateTime: failure.lastTransitionTime });
    else removeDeploymentCondition(newStatus, 'ReplicaFailure');
    this.recordStatus(d, newStatus, newRS);
    this.requeueForMinReadySeconds(d, newStatus);
    if (statusEqual(d.status, newStatus)) {
      this.requeueStuckDeployment(d, newStatus);
      return;
    }
    d.status = newStatus;
    yield* this.updateDeploymentStatus(d);
  }

  /**
   * requeueStuckDeployment: re-check a rollout that shows no progress when its deadline passes
   * (the Progressing condition's lastUpdateTime + progressDeadlineSeconds, plus a second against
   * skew); under a second left: now, rate-limited.
   */
  private requeueStuckDeployment(d: KubeObject, newStatus: DeploymentStatus): void {
    const cond = getDeploymentCondition(d.status, 'Progressing');
    if (!hasProgressDeadline(d) || !cond) return;
    if (deploymentComplete(d, newStatus) || cond.reason === TimedOutReason) return;
    const after = parseTime(cond.lastUpdateTime) + d.spec.progressDeadlineSeconds * 1000 - this.ctx.now();
    const key = keyOf(d);
    if (after < 1000) {
      this.runner.addRateLimited(key);
      return;
    }
    this.addAfter(key, after + 1000);
  }

  /**
   * Ready pods become available minReadySeconds later without any write to tell us; the
   * ReplicaSet controller re-checks them and its status update wakes us. As a safety net the
   * Deployment is re-checked then too (plus a second, as upstream does for such waits).
   */
  private requeueForMinReadySeconds(d: KubeObject, s: DeploymentStatus): void {
    const minReady = d.spec.minReadySeconds ?? 0;
    if (minReady > 0 && (s.readyReplicas ?? 0) > (s.availableReplicas ?? 0)) this.addAfter(keyOf(d), minReady * 1000 + 1000);
  }

  // ------------------------------------------------------------------ rollback (rollback.go)

  /**
   * rollback: the deprecated rollbackTo request (annotation deprecated.deployment.rollback.to,
   * what extensions/v1beta1's spec.rollbackTo became): copy the template of the ReplicaSet of
   * that revision (0 = the previous one) into the Deployment and clear the request.
   * `kubectl rollout undo` does not use this path: it patches the template client-side.
   */
  private *rollback(d: KubeObject, rsList: KubeObject[]): Sync<void> {
    const [newRS, oldRSs] = yield* this.getAllReplicaSetsAndSyncRevision(d, rsList, true);
    const allRSs = filterDefined([...oldRSs, newRS]);
    let revision = getRollbackTo(d)!;
    if (revision === 0) {
      revision = lastRevision(allRSs);
      if (revision === 0) {
        this.recorder.event(d, 'Warning', RollbackRevisionNotFound, 'Unable to find last revision.');
        return yield* this.updateDeploymentAndClearRollbackTo(d);
      }
    }
    for (const rs of allRSs) {
      if (revisionOf(rs) !== revision) continue;
      const performed = yield* this.rollbackToTemplate(d, rs);
      if (performed) this.recorder.event(d, 'Normal', RollbackDone, `Rolled back deployment "${d.metadata.name}" to revision ${revision}`);
      return;
    }
    this.recorder.event(d, 'Warning', RollbackRevisionNotFound, 'Unable to find the revision to rollback to.');
    yield* this.updateDeploymentAndClearRollbackTo(d);
  }

  private *rollbackToTemplate(d: KubeObject, rs: KubeObject): Sync<boolean> {
    let performed = false;
    if (!equalIgnoreHash(d.spec.template, rs.spec.template)) {
      const template = clone(rs.spec.template);
      if (template.metadata?.labels) delete template.metadata.labels[POD_TEMPLATE_HASH_LABEL];
      d.spec.template = template;
      setDeploymentAnnotationsTo(d, rs);
      performed = true;
    } else {
      this.recorder.event(d, 'Warning', RollbackTemplateUnchanged, `The rollback revision contains the same template as current deployment "${d.metadata.name}"`);
    }
    yield* this.updateDeploymentAndClearRollbackTo(d);
    return performed;
  }

  private *updateDeploymentAndClearRollbackTo(d: KubeObject): Sync<void> {
    const annotations = { ...(d.metadata.annotations ?? {}) };
    delete annotations[DEPRECATED_ROLLBACK_TO];
    const body = { ...d, metadata: { ...d.metadata, annotations } };
    const r = yield* this.call({ verb: 'update', ...D_KIND, namespace: d.metadata.namespace, name: d.metadata.name, body });
    if (!r.ok) throw new SyncError(r.status.message);
  }
}

// ---------------------------------------------------------------------- helpers

/** getRollbackTo: the revision of a pending rollback request, if any (an unparseable one is ignored). */
function getRollbackTo(d: KubeObject): number | undefined {
  const v = d.metadata.annotations?.[DEPRECATED_ROLLBACK_TO];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  return Number.isInteger(n) ? n : undefined;
}

/**
 * oldPodsRunning: an old ReplicaSet still reports pods, or a pod of an old ReplicaSet is not
 * Succeeded or Failed (terminating and Unknown pods count as running).
 */
function oldPodsRunning(newRS: KubeObject | undefined, oldRSs: KubeObject[], podMap: PodMap): boolean {
  if (statusReplicas(oldRSs, 'replicas') > 0) return true;
  for (const [uid, pods] of podMap) {
    if (newRS && newRS.metadata.uid === uid) continue;
    for (const pod of pods) {
      const phase = pod.status?.phase;
      if (phase === 'Failed' || phase === 'Succeeded') continue;
      return true;
    }
  }
  return false;
}

/** getReplicaFailures: the new ReplicaSet's ReplicaFailure condition, else the first old one's. */
function getReplicaFailure(allRSs: Array<KubeObject | undefined>, newRS: KubeObject | undefined): { type: string; status: 'True' | 'False' | 'Unknown'; lastTransitionTime: string; reason: string; message: string } | undefined {
  const find = (rs: KubeObject | undefined) => (rs?.status?.conditions ?? []).find((c: any) => c.type === 'ReplicaFailure');
  const own = find(newRS);
  if (own) return { ...own };
  for (const rs of allRSs) {
    if (rs === newRS) continue;
    const c = find(rs);
    if (c) return { ...c };
  }
  return undefined;
}

function filterDefined(rss: Array<KubeObject | undefined>): KubeObject[] {
  return rss.filter((r): r is KubeObject => r !== undefined);
}

function keyOf(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

