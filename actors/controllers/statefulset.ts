// The StatefulSet controller (pkg/controller/statefulset/stateful_set.go, stateful_set_control.go,
// stateful_pod_control.go, stateful_set_status_updater.go): pods `<set>-<ordinal>` with stable
// hostnames and one PVC per volumeClaimTemplate per ordinal, created in order and each only
// once its predecessors are Running and Ready (OrderedReady) or all at once (Parallel), deleted
// from the highest ordinal down, rolled to a new ControllerRevision from the highest ordinal
// down to the partition. sync adopts orphan revisions, claims pods, resolves the current and
// update revisions, asks planStatefulSet (statefulset-control.ts) what to do, hands the verdict
// to the set's machine (machines/statefulset.ts) which emits the writes, performs them, then
// updates the status and truncates the history. No expectations, as upstream: pods have fixed
// names, so a stale cache makes a create fail with AlreadyExists and the key is retried.
import { createActor, type Actor } from 'xstate';
import type { KubeObject } from '../../api/types.ts';
import type { ApiResult } from '../../api/request.ts';
import type { LabelSelector } from '../../api/selectors.ts';
import { deepEqual } from '../../api/equal.ts';
import { isPodReady } from '../../api/podutil.ts';
import { EventRecorder } from '../../client/events.ts';
import type { Informer } from '../../client/informer.ts';
import { statefulSetMachine, stateName, type PerformEmitted } from '../../machines/statefulset.ts';
import { KeyedSync } from './keyed-sync.ts';
import { Controller, controllerUser } from './controller.ts';
import { PodControllerRefManager, recheckDeletionTimestamp } from './controller-ref.ts';
import { ORPHAN_INDEX, getControllerOf, indexOrphans, itemBackoffMs, resyncPeriod, splitKey, resolveControllerRef, ownersSelecting, selectorOf } from './controller-utils.ts';
import {
  claimControllerRevisions, createControllerRevision, deleteControllerRevision, equalRevision, findEqualRevisions, listControllerRevisions,
  nextRevision, sortControllerRevisions, updateControllerRevision,
} from './history.ts';
import { slowStartBatch } from './replicaset.ts';
import { planStatefulSet, type Plan, type Stage, type Write } from './statefulset-control.ts';
import {
  completeRollingUpdate, getPersistentVolumeClaimName, getPersistentVolumeClaims, getPodRevision, identityMatches,
  inconsistentStatus, isClaimOwnerUpToDate, isMemberOf, newRevision, replicasOf, statusObject, storageMatches, updateClaimOwnerRefForSetAndPod,
  updateIdentity, updateStorage, type StatefulSetStatus,
} from './statefulset-utils.ts';

/** kube-controller-manager's --concurrent-statefulset-syncs (default 5): keys synced at once. */
export const CONCURRENT_STATEFULSET_SYNCS = 5;

const STS_KIND = { apiVersion: 'apps/v1', kind: 'StatefulSet' };
const POD_KIND = { apiVersion: 'v1', kind: 'Pod' };
const PVC_KIND = { apiVersion: 'v1', kind: 'PersistentVolumeClaim' };
const REVISION_KIND = { apiVersion: 'apps/v1', kind: 'ControllerRevision' };

/** statefulSetResyncPeriod: every StatefulSet is re-synced every 30 s. */
export const STATEFULSET_RESYNC_MS = 30_000;
/** The component name on the controller's events. */
export const COMPONENT = 'statefulset-controller';

type Done = (err?: string, requeueAfter?: number) => void;
type Cb = (err?: string) => void;
type Revisions = { current: KubeObject; update: KubeObject; collisionCount: number };

export class StatefulSetController extends Controller {
  protected readonly user = controllerUser(COMPONENT);
  private setInformer!: Informer;
  private podInformer!: Informer;
  private revInformer!: Informer;
  private claimInformer!: Informer;
  private recorder!: EventRecorder;
  /** One machine per StatefulSet key: what the set is doing and waiting for. */
  private readonly machines = new Map<string, Actor<typeof statefulSetMachine>>();
  private emitted: PerformEmitted | undefined;
  /** The work queue's per-key guarantees for syncs that span several API round trips. */
  private runner!: KeyedSync;

  protected setup(): void {
    this.runner = this.keyedSync({ workers: CONCURRENT_STATEFULSET_SYNCS, sync: (key, done) => this.sync(key, done), enqueue: (key) => this.enqueue(key), backoffMs: itemBackoffMs, logName: 'statefulset.sync-error' });
    this.recorder = new EventRecorder(this.client, () => this.ctx.now(), { component: COMPONENT }, this.ctx.random('events'));
    const resync = resyncPeriod(this.ctx.random('resync'));
    this.setInformer = this.informer({ kind: STS_KIND, resyncPeriod: STATEFULSET_RESYNC_MS, name: 'statefulsets' });
    this.podInformer = this.informer({ kind: POD_KIND, resyncPeriod: resync, name: 'pods' });
    this.revInformer = this.informer({ kind: REVISION_KIND, resyncPeriod: resync, name: 'controllerrevisions' });
    indexOrphans(this.revInformer);
    this.claimInformer = this.informer({ kind: PVC_KIND, resyncPeriod: resync, name: 'persistentvolumeclaims' });
    indexOrphans(this.podInformer);
    this.setInformer.addHandlers({
      add: (s) => this.enqueue(keyOf(s)),
      update: (_old, cur) => this.enqueue(keyOf(cur)),
      delete: (s) => this.enqueue(keyOf(s)),
    });
    this.podInformer.addHandlers({
      add: (p) => this.addPod(p),
      update: (old, cur) => this.updatePod(old, cur),
      delete: (p) => this.deletePod(p),
    });
  }

  override snapshot(): unknown {
    const sets: Record<string, unknown> = {};
    for (const [key, m] of [...this.machines].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const s = m.getSnapshot();
      sets[key] = { state: stateName(s.value), context: s.context };
    }
    return { ...(super.snapshot() as object), syncing: this.runner?.snapshot().syncing, statefulSets: sets };
  }

  stateValue(): unknown {
    const out: Record<string, string> = {};
    for (const [key, m] of [...this.machines].sort((a, b) => (a[0] < b[0] ? -1 : 1))) out[key] = stateName(m.getSnapshot().value);
    return out;
  }

  override stop(): void {
    super.stop();
    for (const m of this.machines.values()) m.stop();
  }

  // ------------------------------------------------------------------ event handlers

  /** addPod: a controlled pod wakes its set; an orphan wakes every set whose selector matches. */
  private addPod(pod: KubeObject): void {
    if (pod.metadata.deletionTimestamp) return this.deletePod(pod);
    const ref = getControllerOf(pod);
    if (ref) {
      const set = this.resolveControllerRef(pod.metadata.namespace!, ref);
      if (set) this.enqueue(keyOf(set));
      return;
    }
    for (const set of this.getPodStatefulSets(pod)) this.enqueue(keyOf(set));
  }

  /** updatePod: label or owner changes wake the old and new owners; readiness changes wake the set. */
  private updatePod(old: KubeObject, cur: KubeObject): void {
    if (cur.metadata.resourceVersion === old.metadata.resourceVersion) return;
    const labelChanged = !deepEqual(cur.metadata.labels ?? {}, old.metadata.labels ?? {});
    const curRef = getControllerOf(cur);
    const oldRef = getControllerOf(old);
    if (!deepEqual(curRef ?? null, oldRef ?? null) && oldRef) {
      const set = this.resolveControllerRef(old.metadata.namespace!, oldRef);
      if (set) this.enqueue(keyOf(set));
    }
    if (curRef) {
      const set = this.resolveControllerRef(cur.metadata.namespace!, curRef);
      if (!set) return;
      this.enqueue(keyOf(set));
      const minReady = set.spec?.minReadySeconds ?? 0;
      if (!isPodReady(old) && isPodReady(cur) && minReady > 0) this.enqueueAfter(keyOf(set), minReady * 1000 + 1000);
      return;
    }
    if (labelChanged || !deepEqual(curRef ?? null, oldRef ?? null)) for (const set of this.getPodStatefulSets(cur)) this.enqueue(keyOf(set));
  }

  private deletePod(pod: KubeObject): void {
    const ref = getControllerOf(pod);
    if (!ref) return;
    const set = this.resolveControllerRef(pod.metadata.namespace!, ref);
    if (set) this.enqueue(keyOf(set));
  }

  private resolveControllerRef(namespace: string, ref: { kind: string; name: string; uid: string }): KubeObject | undefined {
    return resolveControllerRef(this.setInformer, 'StatefulSet', namespace, ref);
  }

  /** GetPodStatefulSets: sets of the pod's namespace whose selector matches its labels. */
  private getPodStatefulSets(pod: KubeObject): KubeObject[] {
    return ownersSelecting(this.setInformer, pod);
  }

  // ------------------------------------------------------------------ the work queue

  protected reconcile(key: string): void {
    this.runner.run(key);
  }

  // ------------------------------------------------------------------ the sync, in upstream's order

  /** sync: adopt orphan revisions, claim pods, then UpdateStatefulSet; requeue while not all available after minReadySeconds. */
  private sync(key: string, done: Done): void {
    const [namespace, name] = splitKey(key);
    const set = this.setInformer.get(namespace, name);
    if (!set) {
      this.machines.get(key)?.stop();
      this.machines.delete(key);
      return done();
    }
    const selector = selectorOf(set);
    if (!selector) return done();
    this.adoptOrphanRevisions(set, selector, (adoptErr) => {
      if (adoptErr) return done(adoptErr);
      this.getPodsForStatefulSet(set, selector, (pods, claimErr) => {
        if (claimErr) return done(claimErr);
        this.updateStatefulSet(set, selector, pods, (err, status) => {
          const minReady = set.spec?.minReadySeconds ?? 0;
          const waitAvailable = !err && minReady > 0 && status !== undefined && status.availableReplicas !== replicasOf(set);
          done(err, waitAvailable ? minReady * 1000 : undefined);
        });
      });
    });
  }

  /** adoptOrphanRevisions: matching revisions without a controller are adopted (after a live GET of the set). */
  private adoptOrphanRevisions(set: KubeObject, selector: LabelSelector, cb: Cb): void {
    const orphans = listControllerRevisions(this.revInformer, set, selector).filter((r) => !getControllerOf(r));
    if (orphans.length === 0) return cb();
    claimControllerRevisions(this.client, set, selector, orphans, recheckDeletionTimestamp(this.client, set), (_claimed, errors) =>
      cb(errors.length ? `can't adopt ControllerRevisions: ${errors[0]}` : undefined));
  }

  /** getPodsForStatefulSet: owned pods and the namespace's orphans named like members, claimed through the ControllerRefManager. */
  private getPodsForStatefulSet(set: KubeObject, selector: LabelSelector, cb: (pods: KubeObject[], err?: string) => void): void {
    const owned = this.podInformer.ownedBy(set.metadata.uid!);
    const orphans = this.podInformer.byIndex(ORPHAN_INDEX, set.metadata.namespace ?? '').filter((p) => isMemberOf(set, p));
    const manager = new PodControllerRefManager(this.client, set, selector, recheckDeletionTimestamp(this.client, set));
    manager.claimPods([...owned, ...orphans], (claimed, errors) => cb(claimed.filter((p) => isMemberOf(set, p)), errors[0]));
  }

  /** UpdateStatefulSet: revisions, the plan, its writes (emitted by the set's machine), status, history. */
  private updateStatefulSet(set: KubeObject, selector: LabelSelector, pods: KubeObject[], cb: (err?: string, status?: StatefulSetStatus) => void): void {
    const revisions = sortControllerRevisions(listControllerRevisions(this.revInformer, set, selector));
    this.getStatefulSetRevisions(set, revisions, (revErr, revs) => {
      if (revErr || !revs) return cb(revErr ?? 'no revisions');
      const plan = planStatefulSet({
        set, currentRevision: revs.current, updateRevision: revs.update, collisionCount: revs.collisionCount, pods,
        claim: (n) => this.claimInformer.get(set.metadata.namespace, n), nowMs: this.ctx.now(),
      });
      const stages = this.drive(set, plan);
      this.runStages(set, stages, (writeErr) => {
        this.updateStatefulSetStatus(set, plan.status, (statusErr) => {
          this.truncateHistory(set, pods, revisions, revs, (historyErr) => cb(writeErr ?? statusErr ?? historyErr, plan.status));
        });
      });
    });
  }

  /** Hands the sync's verdict to the set's machine; the machine emits the writes to perform. */
  private drive(set: KubeObject, plan: Plan): Stage[] {
    const machine = this.machineFor(keyOf(set));
    this.emitted = undefined;
    const p = plan.progress;
    machine.send({ type: 'SYNCED', at: this.ctx.now(), phase: p.phase, step: p.step, pod: p.pod, reason: p.reason, pods: p.pods, writes: plan.stages });
    const emitted = this.emitted as PerformEmitted | undefined;
    this.emitted = undefined;
    if (p.pod) this.ctx.log('statefulset.progress', { statefulSet: keyOf(set), phase: p.phase, step: p.step ?? null, pod: p.pod, reason: p.reason ?? null });
    return (emitted?.writes as Stage[] | undefined) ?? [];
  }

  private machineFor(key: string): Actor<typeof statefulSetMachine> {
    let m = this.machines.get(key);
    if (!m) {
      const ctx = this.ctx;
      const clock = { setTimeout: (fn: () => void, ms: number) => ctx.startTimer('statefulset-machine', ms, () => fn()), clearTimeout: (h: number) => ctx.cancelTimer(h) };
      m = createActor(statefulSetMachine, { input: { statefulSet: key, at: ctx.now() }, clock: clock as any });
      m.on('perform', (ev) => { this.emitted = ev; });
      m.start();
      this.machines.set(key, m);
    }
    return m;
  }

  /**
   * getStatefulSetRevisions: the update revision is the set's template as a revision — the last
   * one if equal, an older equal one renumbered (a rollback), or a new one; the current revision
   * is status.currentRevision's, or the update revision when there is none.
   */
  private getStatefulSetRevisions(set: KubeObject, revisions: KubeObject[], cb: (err: string | undefined, revs?: Revisions) => void): void {
    let collisionCount: number = set.status?.collisionCount ?? 0;
    const candidate = newRevision(set, nextRevision(revisions), collisionCount);
    const equal = findEqualRevisions(revisions, candidate);
    const withUpdate = (err: string | undefined, update?: KubeObject) => {
      if (err || !update) return cb(err ?? 'no update revision');
      const current = revisions.find((r) => r.metadata.name === set.status?.currentRevision) ?? update;
      cb(undefined, { current, update, collisionCount });
    };
    if (equal.length && equalRevision(revisions[revisions.length - 1], equal[equal.length - 1])) return withUpdate(undefined, revisions[revisions.length - 1]);
    if (equal.length) return updateControllerRevision(this.client, equal[equal.length - 1], candidate.revision, withUpdate);
    createControllerRevision(this.client, set, candidate, collisionCount, (err, created, count) => {
      collisionCount = count;
      withUpdate(err, created);
    });
  }

  // ------------------------------------------------------------------ performing the writes

  /** runForAll: stages in order; OrderedReady units one by one, Parallel units in slow-start batches; the first error ends the sync's writes. */
  private runStages(set: KubeObject, stages: Stage[], cb: Cb): void {
    const next = (i: number): void => {
      if (i >= stages.length) return cb();
      const stage = stages[i];
      const unit = (u: Write[], done: Cb) => this.runUnit(set, u, stage.name === 'update', done);
      const after = (err?: string) => (err ? cb(err) : next(i + 1));
      if (stage.burst) {
        let k = 0;
        slowStartBatch(stage.units.length, 1, () => {}, (done) => unit(stage.units[k++], done), (_n, err) => after(err));
      } else {
        this.sequence(stage.units, unit, after);
      }
    };
    next(0);
  }

  private sequence<T>(items: T[], fn: (item: T, cb: Cb) => void, cb: Cb): void {
    const step = (i: number): void => {
      if (i >= items.length) return cb();
      fn(items[i], (err) => (err ? cb(err) : step(i + 1)));
    };
    step(0);
  }

  private runUnit(set: KubeObject, writes: Write[], ignoreNotFound: boolean, cb: Cb): void {
    this.sequence(writes, (w, done) => {
      switch (w.op) {
        case 'createPod': return this.createStatefulPod(set, w.pod, done);
        case 'deletePod': return this.deleteStatefulPod(set, w.pod, (err, notFound) => done(notFound && ignoreNotFound ? undefined : err));
        case 'updatePod': return this.updateStatefulPod(set, w.pod, done);
        case 'createMissingClaims': return this.createMissingPersistentVolumeClaims(set, w.pod, done);
        case 'fixClaims': return this.updatePodClaimForRetentionPolicy(set, w.pod, done);
      }
    }, cb);
  }

  /** CreateStatefulPod: the pod's claims first, then the pod; AlreadyExists is an error without an event. */
  private createStatefulPod(set: KubeObject, pod: KubeObject, cb: Cb): void {
    this.createPersistentVolumeClaims(set, pod, (claimErr) => {
      if (claimErr) {
        this.recordPodEvent('create', set, pod, claimErr);
        return cb(claimErr);
      }
      this.client.create(pod, (r: ApiResult) => {
        if (!r.ok && r.status.reason === 'AlreadyExists') return cb(r.status.message);
        const created = r.ok ? r.object : pod;
        this.updatePodClaimForRetentionPolicy(set, created, (policyErr) => {
          if (policyErr) {
            this.recordPodEvent('update', set, pod, policyErr);
            return cb(policyErr);
          }
          const err = r.ok ? undefined : r.status.message;
          this.recordPodEvent('create', set, pod, err);
          cb(err);
        });
      });
    });
  }

  /** DeleteStatefulPod. */
  private deleteStatefulPod(set: KubeObject, pod: KubeObject, cb: (err?: string, notFound?: boolean) => void): void {
    this.client.delete(POD_KIND, pod.metadata.namespace, pod.metadata.name!, {}, (r) => {
      const err = r.ok ? undefined : r.status.message;
      this.recordPodEvent('delete', set, pod, err);
      cb(err, !r.ok && r.status.code === 404);
    });
  }

  /** UpdateStatefulPod: restore identity labels and claim volumes (creating missing claims), then PUT; one retry on a conflict. */
  private updateStatefulPod(set: KubeObject, pod: KubeObject, cb: Cb, retries = 1): void {
    const fix = (): boolean => {
      let dirty = false;
      if (!identityMatches(set, pod)) {
        updateIdentity(set, pod);
        dirty = true;
      }
      if (!storageMatches(set, pod)) {
        updateStorage(set, pod);
        dirty = true;
      }
      return dirty;
    };
    if (!fix()) return cb();
    this.createPersistentVolumeClaims(set, pod, (claimErr) => {
      if (claimErr) {
        this.recordPodEvent('update', set, pod, claimErr);
        return cb(claimErr);
      }
      this.client.update(pod, (r) => {
        if (r.ok || r.status.code !== 409 || retries <= 0) {
          const err = r.ok ? undefined : r.status.message;
          this.recordPodEvent('update', set, pod, err);
          return cb(err);
        }
        const fresh = this.podInformer.get(pod.metadata.namespace, pod.metadata.name!);
        if (!fresh) return cb(r.status.message);
        this.updateStatefulPod(set, structuredClone(fresh), cb, retries - 1);
      });
    });
  }

  /** createMissingPersistentVolumeClaims: for a Pending pod, its claims and their retention owners. */
  private createMissingPersistentVolumeClaims(set: KubeObject, pod: KubeObject, cb: Cb): void {
    this.createPersistentVolumeClaims(set, pod, (err) => {
      if (err) return cb(err);
      this.updatePodClaimForRetentionPolicy(set, pod, (policyErr) => {
        if (policyErr) this.recordPodEvent('update', set, pod, policyErr);
        cb(policyErr);
      });
    });
  }

  /** createPersistentVolumeClaims: creates the claims the cache does not have; one being deleted is an error. */
  private createPersistentVolumeClaims(set: KubeObject, pod: KubeObject, cb: Cb): void {
    const errs: string[] = [];
    this.sequence(getPersistentVolumeClaims(set, pod), ([, claim], next) => {
      const name = claim.metadata.name!;
      const cached = this.claimInformer.get(claim.metadata.namespace, name);
      if (cached) {
        if (cached.metadata.deletionTimestamp) errs.push(`pvc ${name} is being deleted`);
        return next();
      }
      this.client.create(claim, (r) => {
        if (!r.ok) errs.push(`failed to create PVC ${name}: ${r.status.message}`);
        if (r.ok || r.status.reason !== 'AlreadyExists') this.recordClaimEvent('create', set, pod, claim, r.ok ? undefined : r.status.message);
        next();
      });
    }, () => cb(aggregate(errs)));
  }

  /** UpdatePodClaimForRetentionPolicy: each cached claim of the pod gets the owner references its policy asks for. */
  private updatePodClaimForRetentionPolicy(set: KubeObject, pod: KubeObject, cb: Cb): void {
    const templates: KubeObject[] = set.spec?.volumeClaimTemplates ?? [];
    const ordinal = Number(pod.metadata.name!.slice(pod.metadata.name!.lastIndexOf('-') + 1));
    this.sequence(templates, (t, next) => {
      const name = getPersistentVolumeClaimName(set, t, ordinal);
      const claim = this.claimInformer.get(set.metadata.namespace, name);
      if (!claim || isClaimOwnerUpToDate(claim, set, pod)) return next();
      const refs = updateClaimOwnerRefForSetAndPod(claim, set, pod);
      this.client.update({ ...claim, metadata: { ...claim.metadata, ownerReferences: refs } }, (r) =>
        next(r.ok ? undefined : `Could not update claim ${name} for delete policy ownerRefs: ${r.status.message}`));
    }, cb);
  }

  // ------------------------------------------------------------------ status and history

  /** updateStatefulSetStatus: complete a finished rolling update, then PUT the status if it changed (one retry from a fresh GET). */
  private updateStatefulSetStatus(set: KubeObject, status: StatefulSetStatus, cb: Cb): void {
    completeRollingUpdate(set, status);
    if (!inconsistentStatus(set, status)) return cb();
    const body = statusObject(status);
    const attempt = (current: KubeObject, retries: number): void => {
      this.client.updateStatus({ ...current, status: body }, (r) => {
        if (r.ok) return cb();
        if (retries <= 0) return cb(r.status.message);
        this.client.get(STS_KIND, set.metadata.namespace, set.metadata.name!, (g) => (g.ok ? attempt(g.object, retries - 1) : cb(g.status.message)));
      });
    };
    attempt(set, 1);
  }

  /** truncateHistory: revisions that no pod, nor current nor update, uses are deleted, oldest first, down to revisionHistoryLimit. */
  private truncateHistory(set: KubeObject, pods: KubeObject[], revisions: KubeObject[], revs: Revisions, cb: Cb): void {
    const live = new Set([revs.current.metadata.name, revs.update.metadata.name, ...pods.map(getPodRevision)]);
    const history = revisions.filter((r) => !live.has(r.metadata.name));
    const limit = set.spec?.revisionHistoryLimit ?? 10;
    if (limit < 0 || history.length <= limit) return cb();
    this.sequence(history.slice(0, history.length - limit), (r, next) => deleteControllerRevision(this.client, r, next), cb);
  }

  // ------------------------------------------------------------------ events

  /** recordPodEvent: `create Pod web-0 in StatefulSet web successful` / `… failed error: …`. */
  private recordPodEvent(verb: string, set: KubeObject, pod: KubeObject, err?: string): void {
    const title = verb[0].toUpperCase() + verb.slice(1);
    if (!err) this.recorder.event(set, 'Normal', `Successful${title}`, `${verb} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} successful`);
    else this.recorder.event(set, 'Warning', `Failed${title}`, `${verb} Pod ${pod.metadata.name} in StatefulSet ${set.metadata.name} failed error: ${err}`);
  }

  /** recordClaimEvent: `create Claim www-web-0 Pod web-0 in StatefulSet web success`. */
  private recordClaimEvent(verb: string, set: KubeObject, pod: KubeObject, claim: KubeObject, err?: string): void {
    const title = verb[0].toUpperCase() + verb.slice(1);
    const [c, p, s] = [claim.metadata.name, pod.metadata.name, set.metadata.name];
    if (!err) this.recorder.event(set, 'Normal', `Successful${title}`, `${verb} Claim ${c} Pod ${p} in StatefulSet ${s} success`);
    else this.recorder.event(set, 'Warning', `Failed${title}`, `${verb} Claim ${c} for Pod ${p} in StatefulSet ${s} failed error: ${err}`);
  }
}

/** utilerrors.NewAggregate's message: one error as is, several as `[a, b]`. */
function aggregate(errs: string[]): string | undefined {
  if (errs.length === 0) return undefined;
  return errs.length === 1 ? errs[0] : `[${errs.join(', ')}]`;
}

function keyOf(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

