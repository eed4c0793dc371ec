// The ReplicaSet controller (pkg/controller/replicaset/replica_set.go, replica_set_utils.go):
// keeps spec.replicas active pods per ReplicaSet. syncReplicaSet claims pods (adopt/release via
// the ControllerRefManager), manageReplicas creates in slow-start batches or deletes by rank,
// and calculateStatus/updateReplicaSetStatus report replicas, readiness and ReplicaFailure.
// Expectations keep it from acting twice on a cache that has not caught up with its own writes.
// The API answers by callback, so one sync spans several deliveries; a key is never synced twice
// at once (as the workqueue guarantees) and an event during a sync re-queues it afterwards.
import type { KubeObject } from '../../api/types.ts';
import type { ApiResult } from '../../api/request.ts';
import { getPodCondition, isAvailableSince, isPodActive, isPodReady, isReadyConditionAvailable, type PodCondition } from '../../api/podutil.ts';
import type { LabelSelector } from '../../api/selectors.ts';
import { deepEqual, clone } from '../../api/equal.ts';
import { formatTime, parseTime } from '../../api/time.ts';
import { EventRecorder } from '../../client/events.ts';
import type { Informer } from '../../client/informer.ts';
import { KeyedSync } from './keyed-sync.ts';
import { Controller, controllerUser } from './controller.ts';
import { ControllerExpectations } from './expectations.ts';
import { PodControllerRefManager, isClaimed, recheckDeletionTimestamp } from './controller-ref.ts';
import { getPodsToDelete } from './pod-ranking.ts';
import { claimCandidates, indexOrphans, getControllerOf, hasStatusCause, itemBackoffMs, newControllerRef, podKey, resyncPeriod, splitKey, resolveControllerRef, ownersSelecting, selectorOf } from './controller-utils.ts';

/** kube-controller-manager's --concurrent-replicaset-syncs (default 5): keys synced at once. */
export const CONCURRENT_REPLICASET_SYNCS = 5;

/** BurstReplicas: at most this many creates or deletes per sync. */
export const BURST_REPLICAS = 500;
/** SlowStartInitialBatchSize: the first create batch; each successful batch doubles the next. */
export const SLOW_START_INITIAL_BATCH_SIZE = 1;
/** statusUpdateRetries: one GET-and-retry after a failed status update. */
export const STATUS_UPDATE_RETRIES = 1;

const RS_KIND = { apiVersion: 'apps/v1', kind: 'ReplicaSet' };
const POD_KIND = { apiVersion: 'v1', kind: 'Pod' };
const NAMESPACE_TERMINATING_CAUSE = 'NamespaceTerminating';

type Done = (err?: string, requeueAfter?: number) => void;

export class ReplicaSetController extends Controller {
  protected readonly user = controllerUser('replicaset-controller');
  private rsInformer!: Informer;
  private podInformer!: Informer;
  private expectations!: ControllerExpectations;
  private recorder!: EventRecorder;
  /** The work queue's per-key guarantees for syncs that span several API round trips. */
  private runner!: KeyedSync;
  /** What each ReplicaSet's last sync read of its pods, reused while a pod object is the same. */
  private readonly podFacts = new PodFactsCache();

  protected setup(): void {
    this.runner = this.keyedSync({ workers: CONCURRENT_REPLICASET_SYNCS, sync: (key, done) => this.syncReplicaSet(key, done), enqueue: (key) => this.enqueue(key), backoffMs: itemBackoffMs, logName: 'replicaset.sync-error' });
    this.expectations = new ControllerExpectations(() => this.ctx.now());
    this.recorder = new EventRecorder(this.client, () => this.ctx.now(), { component: 'replicaset-controller' }, this.ctx.random('events'));
    const resync = resyncPeriod(this.ctx.random('resync'));
    this.rsInformer = this.informer({ kind: RS_KIND, resyncPeriod: resync, name: 'replicasets' });
    this.podInformer = this.informer({ kind: POD_KIND, resyncPeriod: resync, name: 'pods' });
    indexOrphans(this.podInformer);
    this.rsInformer.addHandlers({
      add: (rs) => this.enqueue(keyOf(rs)),
      update: (old, cur) => this.updateRS(old, cur),
      delete: (rs) => this.deleteRS(rs),
    });
    this.podInformer.addHandlers({
      add: (pod) => this.addPod(pod),
      update: (old, cur) => this.updatePod(old, cur),
      delete: (pod) => this.deletePod(pod),
    });
  }

  override snapshot(): unknown {
    return { ...(super.snapshot() as object), expectations: this.expectations?.snapshot(), syncing: this.runner?.snapshot().syncing };
  }

  // ------------------------------------------------------------------ event handlers

  private updateRS(old: KubeObject, cur: KubeObject): void {
    if (old.metadata.uid !== cur.metadata.uid) this.deleteRS(old);
    this.enqueue(keyOf(cur));
  }

  /** Deleting a ReplicaSet drops its expectations, so a new one with the same name starts clean. */
  private deleteRS(rs: KubeObject): void {
    this.expectations.deleteExpectations(keyOf(rs));
    this.podFacts.forget(keyOf(rs));
    this.enqueue(keyOf(rs));
  }

  /** addPod: a pod with our controller ref is an observed creation; an orphan wakes matching ReplicaSets. */
  private addPod(pod: KubeObject): void {
    if (pod.metadata.deletionTimestamp) {
      this.deletePod(pod);
      return;
    }
    const ref = getControllerOf(pod);
    if (ref) {
      const rs = this.resolveControllerRef(pod.metadata.namespace!, ref);
      if (!rs) return;
      this.expectations.creationObserved(keyOf(rs));
      this.enqueue(keyOf(rs));
      return;
    }
    for (const rs of this.getPodReplicaSets(pod)) this.enqueue(keyOf(rs));
  }

  /** updatePod: a deletionTimestamp counts as a deletion; label or owner changes wake old and new owners. */
  private updatePod(old: KubeObject, cur: KubeObject): void {
    if (cur.metadata.resourceVersion === old.metadata.resourceVersion) return;
    const labelChanged = !deepEqual(cur.metadata.labels ?? {}, old.metadata.labels ?? {});
    if (cur.metadata.deletionTimestamp) {
      this.deletePod(cur);
      if (labelChanged) this.deletePod(old);
      return;
    }
    const curRef = getControllerOf(cur);
    const oldRef = getControllerOf(old);
    const refChanged = !deepEqual(curRef ?? null, oldRef ?? null);
    if (refChanged && oldRef) {
      const rs = this.resolveControllerRef(old.metadata.namespace!, oldRef);
      if (rs) this.enqueue(keyOf(rs));
    }
    if (curRef) {
      const rs = this.resolveControllerRef(cur.metadata.namespace!, curRef);
      if (!rs) return;
      this.enqueue(keyOf(rs));
      const minReady = rs.spec?.minReadySeconds ?? 0;
      // Upstream adds a second to avoid millisecond skew in AddAfter.
      // minReadySeconds first: without it, neither version's conditions need reading.
      if (minReady > 0 && !isPodReady(old) && isPodReady(cur)) this.enqueueAfter(keyOf(rs), minReady * 1000 + 1000);
      return;
    }
    if (labelChanged || refChanged) for (const rs of this.getPodReplicaSets(cur)) this.enqueue(keyOf(rs));
  }

  private deletePod(pod: KubeObject): void {
    const ref = getControllerOf(pod);
    if (!ref) return;
    const rs = this.resolveControllerRef(pod.metadata.namespace!, ref);
    if (!rs) return;
    this.expectations.deletionObserved(keyOf(rs), podKey(pod));
    this.enqueue(keyOf(rs));
  }

  /** resolveControllerRef: the cached ReplicaSet the reference names, if its UID matches. */
  private resolveControllerRef(namespace: string, ref: { kind: string; name: string; uid: string }): KubeObject | undefined {
    return resolveControllerRef(this.rsInformer, 'ReplicaSet', namespace, ref);
  }

  /** GetPodReplicaSets: ReplicaSets in the pod's namespace whose (non-empty) selector matches it. */
  private getPodReplicaSets(pod: KubeObject): KubeObject[] {
    return ownersSelecting(this.rsInformer, pod);
  }

  // ------------------------------------------------------------------ the work queue

  protected reconcile(key: string): void {
    this.runner.run(key);
  }

  // ------------------------------------------------------------------ the sync, in upstream's order

  /** syncReplicaSet: claim pods, manage replicas if expectations are met, then update status. */
  private syncReplicaSet(key: string, done: Done): void {
    const [namespace, name] = splitKey(key);
    const rs = this.rsInformer.get(namespace, name);
    if (!rs) {
      this.expectations.deleteExpectations(key);
      done();
      return;
    }
    const rsNeedsSync = this.expectations.satisfiedExpectations(key);
    const selector = selectorOf(rs);
    if (!selector) {
      done();
      return;
    }
    const facts = this.podFacts.of(key, rs, selector, claimCandidates(this.podInformer, rs));
    const filteredPods = facts.activePods();
    // Every active pod already ours (most syncs): the ControllerRefManager would claim them all,
    // adopting and releasing nothing, and the status counts come from what the facts hold.
    const counted = facts.allActiveClaimed() ? facts : undefined;
    const afterClaim = (claimed: KubeObject[]) => {
      if (rsNeedsSync && !rs.metadata.deletionTimestamp) this.manageReplicas(claimed, rs, (manageErr) => this.finishSync(rs, claimed, manageErr, done, counted));
      else this.finishSync(rs, claimed, undefined, done, counted);
    };
    if (counted) {
      afterClaim(filteredPods);
      return;
    }
    this.claimPods(rs, selector, filteredPods, (claimed, claimErr) => {
      if (claimErr) {
        done(claimErr);
        return;
      }
      afterClaim(claimed);
    });
  }


  /**
   * calculateStatus and updateReplicaSetStatus; re-check availability after minReadySeconds.
   * `counted`: the pod facts, when `pods` are their active pods (then counted from the facts,
   * which no other sync of this ReplicaSet changes meanwhile).
   */
  private finishSync(rs: KubeObject, pods: KubeObject[], manageErr: string | undefined, done: Done, counted?: PodFacts): void {
    const now = this.ctx.now();
    const newStatus = counted ? statusFromCounts(rs, pods.length, counted.activeCounts(rs.spec?.minReadySeconds ?? 0, now), manageErr, now) : calculateStatus(rs, pods, manageErr, now);
    this.updateReplicaSetStatus(rs, newStatus, (updated, err) => {
      if (err || !updated) {
        done(err ?? 'status update failed');
        return;
      }
      const replicas = updated.spec?.replicas ?? 1;
      const minReady = updated.spec?.minReadySeconds ?? 0;
      const st = updated.status ?? {};
      const waitAvailable = !manageErr && minReady > 0 && (st.readyReplicas ?? 0) === replicas && (st.availableReplicas ?? 0) !== replicas;
      done(manageErr, waitAvailable ? minReady * 1000 : undefined);
    });
  }

  /** claimPods: adopt matching orphans (after a live GET of the ReplicaSet) and release non-matching pods. */
  private claimPods(rs: KubeObject, selector: LabelSelector, pods: KubeObject[], cb: (claimed: KubeObject[], err?: string) => void): void {
    const manager = new PodControllerRefManager(this.client, rs, selector, recheckDeletionTimestamp(this.client, rs));
    manager.claimPods(pods, (claimed, errors) => cb(claimed, errors[0]));
  }

  /** manageReplicas: create or delete the difference, at most BurstReplicas per sync. */
  private manageReplicas(filteredPods: KubeObject[], rs: KubeObject, done: (err?: string) => void): void {
    const key = keyOf(rs);
    const replicas = rs.spec?.replicas ?? 1;
    const diff = filteredPods.length - replicas;
    if (diff < 0) {
      const count = Math.min(-diff, BURST_REPLICAS);
      this.expectations.expectCreations(key, count);
      this.ctx.log('replicaset.scale-up', { replicaSet: key, need: replicas, creating: count });
      slowStartBatch(count, SLOW_START_INITIAL_BATCH_SIZE, (size) => this.ctx.log('replicaset.batch', { replicaSet: key, size }), (cb) => this.createPod(rs, cb), (successes, err) => {
        // Skipped and failed creates will never be observed: stop expecting them.
        for (let i = successes; i < count; i++) this.expectations.creationObserved(key);
        done(err);
      });
    } else if (diff > 0) {
      const count = Math.min(diff, BURST_REPLICAS);
      const podsToDelete = getPodsToDelete(filteredPods, this.getIndirectlyRelatedPods(rs), count, this.ctx.now());
      this.expectations.expectDeletions(key, podsToDelete.map(podKey));
      this.ctx.log('replicaset.scale-down', { replicaSet: key, need: replicas, deleting: podsToDelete.map((p) => p.metadata.name) });
      this.deletePods(rs, podsToDelete, done);
    } else {
      done();
    }
  }

  /** Deletes in parallel; a failed delete is no longer expected; NotFound is not an error. */
  private deletePods(rs: KubeObject, pods: KubeObject[], done: (err?: string) => void): void {
    let pending = pods.length;
    let firstErr: string | undefined;
    for (const pod of pods) {
      this.deletePodOf(rs, pod, (err, notFound) => {
        if (err) {
          this.expectations.deletionObserved(keyOf(rs), podKey(pod));
          if (!notFound) firstErr ??= err;
        }
        if (--pending === 0) done(firstErr);
      });
    }
  }

  /** RealPodControl.CreatePods: a pod from the template, with our controller reference. */
  private createPod(rs: KubeObject, cb: (err?: string) => void): void {
    const pod = getPodFromTemplate(rs);
    if (Object.keys(pod.metadata.labels ?? {}).length === 0) {
      cb('unable to create pods, no labels');
      return;
    }
    this.client.create(pod, (r: ApiResult) => {
      if (!r.ok) {
        // Creation in a terminating namespace fails for every pod: no event, and not an error.
        if (hasStatusCause(r.status, NAMESPACE_TERMINATING_CAUSE)) {
          cb();
          return;
        }
        this.recorder.event(rs, 'Warning', 'FailedCreate', `Error creating: ${r.status.message}`);
        cb(r.status.message);
        return;
      }
      this.recorder.event(rs, 'Normal', 'SuccessfulCreate', `Created pod: ${r.object.metadata.name}`);
      cb();
    });
  }

  /** RealPodControl.DeletePod. */
  private deletePodOf(rs: KubeObject, pod: KubeObject, cb: (err?: string, notFound?: boolean) => void): void {
    const name = pod.metadata.name!;
    this.client.delete(POD_KIND, pod.metadata.namespace, name, {}, (r: ApiResult) => {
      if (r.ok) {
        this.recorder.event(rs, 'Normal', 'SuccessfulDelete', `Deleted pod: ${name}`);
        cb();
      } else if (r.status.code === 404) {
        cb(r.status.message, true);
      } else {
        this.recorder.event(rs, 'Warning', 'FailedDelete', `Error deleting: ${r.status.message}`);
        cb(`unable to delete pods: ${r.status.message}`);
      }
    });
  }

  /** getIndirectlyRelatedPods: pods of every ReplicaSet with the same controller (a Deployment's). */
  private getIndirectlyRelatedPods(rs: KubeObject): KubeObject[] {
    const owner = getControllerOf(rs);
    if (!owner) return [];
    const seen = new Set<string>();
    const related: KubeObject[] = [];
    // From the owner and orphan indexes rather than the whole namespace (pods another controller
    // owns are not related, whatever their labels).
    for (const other of this.rsInformer.ownedBy(owner.uid)) {
      if (getControllerOf(other)?.uid !== owner.uid || other.metadata.namespace !== rs.metadata.namespace) continue;
      const sel = selectorOf(other);
      if (!sel) continue;
      for (const pod of claimCandidates(this.podInformer, other)) {
        if (!sel.matches(pod.metadata.labels) || seen.has(pod.metadata.uid!)) continue;
        seen.add(pod.metadata.uid!);
        related.push(pod);
      }
    }
    return related;
  }

  /** updateReplicaSetStatus: PUT /status unless nothing changed; one GET-and-retry on failure. */
  private updateReplicaSetStatus(rs: KubeObject, newStatus: ReplicaSetStatus, cb: (updated?: KubeObject, err?: string) => void): void {
    const st = rs.status ?? {};
    if ((st.replicas ?? 0) === newStatus.replicas && (st.fullyLabeledReplicas ?? 0) === newStatus.fullyLabeledReplicas
      && (st.readyReplicas ?? 0) === newStatus.readyReplicas && (st.availableReplicas ?? 0) === newStatus.availableReplicas
      && rs.metadata.generation === st.observedGeneration && deepEqual(st.conditions ?? [], newStatus.conditions ?? [])) {
      cb(rs);
      return;
    }
    const status = { ...newStatus, observedGeneration: rs.metadata.generation };
    if (!status.conditions?.length) delete status.conditions;
    const attempt = (current: KubeObject, retriesLeft: number) => {
      this.client.updateStatus({ ...current, status }, (r) => {
        if (r.ok) return cb(r.object);
        if (retriesLeft <= 0) return cb(undefined, r.status.message);
        this.client.get(RS_KIND, rs.metadata.namespace, rs.metadata.name!, (g) => {
          if (!g.ok) cb(undefined, g.status.message);
          else attempt(g.object, retriesLeft - 1);
        });
      });
    };
    attempt(rs, STATUS_UPDATE_RETRIES);
  }
}

// ---------------------------------------------------------------------- pure helpers

export interface ReplicaSetStatus {
  replicas: number;
  fullyLabeledReplicas: number;
  readyReplicas: number;
  availableReplicas: number;
  observedGeneration?: number;
  conditions?: PodCondition[];
  [field: string]: unknown;
}

/**
 * calculateStatus: counts the claimed active pods, those carrying all template labels, the
 * Ready ones and the Available ones (Ready for minReadySeconds); sets ReplicaFailure
 * (FailedCreate when short of replicas, FailedDelete when over) on a manageReplicas error,
 * and removes it after a sync without one.
 */
export function calculateStatus(rs: KubeObject, filteredPods: KubeObject[], manageErr: string | undefined, nowMs: number): ReplicaSetStatus {
  const templateLabels = Object.entries(rs.spec?.template?.metadata?.labels ?? {});
  const minReady = rs.spec?.minReadySeconds ?? 0;
  let fullyLabeled = 0;
  let ready = 0;
  let available = 0;
  for (const pod of filteredPods) {
    if (hasLabels(pod.metadata.labels ?? {}, templateLabels)) fullyLabeled++;
    // The Ready condition found once for both counts (a scan of the pod's conditions each).
    const readyCondition = getPodCondition(pod, 'Ready');
    if (readyCondition?.status === 'True') {
      ready++;
      if (isReadyConditionAvailable(readyCondition, minReady, nowMs)) available++;
    }
  }
  return statusFromCounts(rs, filteredPods.length, { fullyLabeled, ready, available }, manageErr, nowMs);
}

interface StatusCounts {
  fullyLabeled: number;
  ready: number;
  available: number;
}

/** calculateStatus once the `replicas` claimed pods are counted. */
function statusFromCounts(rs: KubeObject, replicas: number, counts: StatusCounts, manageErr: string | undefined, nowMs: number): ReplicaSetStatus {
  const newStatus: ReplicaSetStatus = clone(rs.status ?? {});
  const { fullyLabeled, ready, available } = counts;
  const conditions: PodCondition[] = newStatus.conditions ?? [];
  const failure = conditions.find((c) => c.type === 'ReplicaFailure');
  if (manageErr && !failure) {
    const diff = replicas - (rs.spec?.replicas ?? 1);
    const reason = diff < 0 ? 'FailedCreate' : diff > 0 ? 'FailedDelete' : '';
    newStatus.conditions = [...conditions, { type: 'ReplicaFailure', status: 'True', lastTransitionTime: formatTime(nowMs), reason, message: manageErr }];
  } else if (!manageErr && failure) {
    newStatus.conditions = conditions.filter((c) => c.type !== 'ReplicaFailure');
  }
  newStatus.replicas = replicas;
  newStatus.fullyLabeledReplicas = fullyLabeled;
  newStatus.readyReplicas = ready;
  newStatus.availableReplicas = available;
  return newStatus;
}

function hasLabels(labels: Record<string, string>, wanted: Array<[string, unknown]>): boolean {
  for (let i = 0; i < wanted.length; i++) if (labels[wanted[i][0]] !== wanted[i][1]) return false;
  return true;
}

/**
 * slowStartBatch: calls `fn` `count` times in batches of initialBatchSize, 2×, 4×, …; a batch
 * starts only when every call of the previous one has answered, and the first batch with a
 * failure ends the run. `done` gets the number of successful calls and the first error.
 */
export function slowStartBatch(count: number, initialBatchSize: number, onBatch: (size: number) => void,
  fn: (cb: (err?: string) => void) => void, done: (successes: number, err?: string) => void): void {
  let remaining = count;
  let successes = 0;
  const run = (batchSize: number): void => {
    if (batchSize <= 0) {
      done(successes);
      return;
    }
    onBatch(batchSize);
    let pending = batchSize;
    const errors: string[] = [];
    for (let i = 0; i < batchSize; i++) {
      fn((err) => {
        if (err) errors.push(err);
        if (--pending > 0) return;
        successes += batchSize - errors.length;
        if (errors.length) {
          done(successes, errors[0]);
          return;
        }
        remaining -= batchSize;
        run(Math.min(2 * batchSize, remaining));
      });
    }
  };
  run(Math.min(remaining, initialBatchSize));
}

/** GetPodFromTemplate: labels, annotations, finalizers and spec from the template; generateName `<rs>-`. */
export function getPodFromTemplate(rs: KubeObject): KubeObject {
  const template = rs.spec?.template ?? {};
  const meta = template.metadata ?? {};
  const pod: KubeObject = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { generateName: `${rs.metadata.name}-`, namespace: rs.metadata.namespace, labels: { ...(meta.labels ?? {}) }, ownerReferences: [newControllerRef(rs)] },
    spec: clone(template.spec ?? {}),
  };
  if (meta.annotations && Object.keys(meta.annotations).length) pod.metadata.annotations = { ...meta.annotations };
  if (meta.finalizers?.length) pod.metadata.finalizers = [...meta.finalizers];
  return pod;
}

function keyOf(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

/**
 * What a ReplicaSet's sync reads of each candidate pod (pkg/controller's IsPodActive, the claim,
 * calculateStatus' label and Ready checks), kept per ReplicaSet and reused while the informer
 * hands the same pod object at the same place: a sync follows one pod's change, and reading the
 * other 99 pods' fields again was a cache miss or more each (2 s of a 30,000-pod bring-up).
 * Everything is read again when the ReplicaSet's uid, selector or template labels change.
 */
class PodFactsCache {
  private readonly byReplicaSet = new Map<string, PodFacts>();

  of(key: string, rs: KubeObject, selector: LabelSelector, pods: KubeObject[]): PodFacts {
    let facts = this.byReplicaSet.get(key);
    if (!facts || !facts.sameOwner(rs, selector)) this.byReplicaSet.set(key, (facts = new PodFacts(rs, selector)));
    facts.update(pods);
    return facts;
  }

  forget(key: string): void {
    this.byReplicaSet.delete(key);
  }
}

const ACTIVE = 1;
const CLAIMED = 2;
const FULLY_LABELED = 4;
const READY = 8;

class PodFacts {
  private pods: KubeObject[] = [];
  private flags = new Uint8Array(0);
  /** When each Ready pod became Ready (its condition's lastTransitionTime; NaN when it has none). */
  private readySince = new Float64Array(0);
  private readonly uid: string | undefined;
  private readonly templateLabels: Array<[string, unknown]>;
  private readonly labelsObject: unknown;

  constructor(rs: KubeObject, private readonly selector: LabelSelector) {
    this.uid = rs.metadata.uid;
    this.labelsObject = rs.spec?.template?.metadata?.labels;
    this.templateLabels = Object.entries(rs.spec?.template?.metadata?.labels ?? {});
  }

  sameOwner(rs: KubeObject, selector: LabelSelector): boolean {
    return rs.metadata.uid === this.uid && selector === this.selector && rs.spec?.template?.metadata?.labels === this.labelsObject;
  }

  /** Takes the sync's candidates: facts of a pod object seen at the same place are kept. */
  update(pods: KubeObject[]): void {
    const before = this.pods;
    let flags = this.flags;
    let since = this.readySince;
    if (flags.length < pods.length) {
      flags = new Uint8Array(pods.length);
      flags.set(this.flags);
      since = new Float64Array(pods.length);
      since.set(this.readySince);
    }
    for (let i = 0; i < pods.length; i++) {
      const pod = pods[i];
      if (i < before.length && before[i] === pod) continue;
      let f = 0;
      if (isPodActive(pod)) f |= ACTIVE;
      if (isClaimed(pod, this.uid, this.selector)) f |= CLAIMED;
      if (hasLabels(pod.metadata.labels ?? {}, this.templateLabels)) f |= FULLY_LABELED;
      const ready = getPodCondition(pod, 'Ready');
      if (ready?.status === 'True') f |= READY;
      flags[i] = f;
      since[i] = ready?.lastTransitionTime ? parseTime(ready.lastTransitionTime) : Number.NaN;
    }
    this.pods = pods;
    this.flags = flags;
    this.readySince = since;
  }

  /** The active pods, in the candidates' order (IsPodActive). */
  activePods(): KubeObject[] {
    const out: KubeObject[] = [];
    for (let i = 0; i < this.pods.length; i++) if (this.flags[i] & ACTIVE) out.push(this.pods[i]);
    return out;
  }

  /** Whether the claim would keep every active pod and adopt or release none. */
  allActiveClaimed(): boolean {
    for (let i = 0; i < this.pods.length; i++) if ((this.flags[i] & (ACTIVE | CLAIMED)) === ACTIVE) return false;
    return true;
  }

  /** calculateStatus' counts over the active pods (all claimed), availability at `nowMs`. */
  activeCounts(minReadySeconds: number, nowMs: number): StatusCounts {
    let fullyLabeled = 0;
    let ready = 0;
    let available = 0;
    for (let i = 0; i < this.pods.length; i++) {
      const f = this.flags[i];
      if (!(f & ACTIVE)) continue;
      if (f & FULLY_LABELED) fullyLabeled++;
      if (!(f & READY)) continue;
      ready++;
      if (isAvailableSince(this.readySince[i], minReadySeconds, nowMs)) available++;
    }
    return { fullyLabeled, ready, available };
  }
}
