// The Job controller (pkg/controller/job/job_controller.go): runs a Job's pods to completion.
// syncJob claims the Job's pods, counts finished pods through the batch.kubernetes.io/job-tracking
// finalizer (uncountedTerminatedPods, then succeeded/failed once the finalizer is removed),
// decides whether the Job met its success criteria or failed (backoffLimit, activeDeadlineSeconds,
// podFailurePolicy, backoffLimitPerIndex, successPolicy), creates or deletes pods in manageJob
// (with the pod-failure back-off of 10 s doubling), and writes the interim SuccessCriteriaMet /
// FailureTarget condition before the terminal Complete / Failed one
// (trackJobStatusAndRemoveFinalizers). Orphaned pods that still carry the finalizer lose it.
import { deepEqual } from '../../api/equal.ts';
import { initialTransition, transition } from 'xstate';
import type { KubeObject } from '../../api/types.ts';
import type { ApiResult } from '../../api/request.ts';
import { isPodActive, isPodReady } from '../../api/podutil.ts';
import { labelSelectorFromMeta, type LabelSelector } from '../../api/selectors.ts';
import { clone } from '../../api/equal.ts';
import { formatTime, parseTime } from '../../api/time.ts';
import { EventRecorder } from '../../client/events.ts';
import type { Informer } from '../../client/informer.ts';
import { jobLifecycleEvent, jobMachine } from '../../machines/job.ts';
import { Controller, controllerUser } from './controller.ts';
import { ControllerExpectations } from './expectations.ts';
import { PodControllerRefManager, recheckDeletionTimestamp } from './controller-ref.ts';
import { claimCandidates, indexOrphans, getControllerOf, hasStatusCause, newControllerRef, podKey, resyncPeriod, splitKey, resolveControllerRef, ownersSelecting } from './controller-utils.ts';
import { slowStartBatch } from './replicaset.ts';
import { KeyedSync, jobApiBackoffMs, parallel, type SyncDone } from './keyed-sync.ts';
import {
  COMPLETION_INDEX_ENV_NAME, JOB_COMPLETION_INDEX_ANNOTATION, JOB_INDEX_FAILURE_COUNT_ANNOTATION, JOB_TRACKING_FINALIZER,
  UNKNOWN_COMPLETION_INDEX, backoffRemainingMs, compareActivePodsForRemoval, ensureJobConditionStatus, findCondition,
  firstPendingIndexes, getCompletionIndex, getFinishedTime, hasJobTrackingFinalizer, intervalsHas, intervalsString,
  intervalsTotal, isIndexedJob, isPodFailed, isPodTerminating, jobFinishedCondition, matchPodFailurePolicy, matchSuccessPolicy,
  newBackoffRecord, newCondition, onlyReplaceFailedPods, parseIndexes, pastBackoffLimitOnFailure, withOrderedIndexes,
  type BackoffRecord, type JobCondition, type OrderedIntervals,
} from './job-utils.ts';

/** kube-controller-manager's --concurrent-job-syncs (default 5): keys synced at once. */
export const CONCURRENT_JOB_SYNCS = 5;

/** syncJobBatchPeriod: pod events and status updates wake the Job after 1 s, batched. */
export const SYNC_JOB_BATCH_PERIOD_MS = 1_000;
/** MaxUncountedPods: at most this many pods in uncountedTerminatedPods per sync. */
export const MAX_UNCOUNTED_PODS = 500;
/** MaxPodCreateDeletePerSync. */
export const MAX_POD_CREATE_DELETE_PER_SYNC = 500;

const JOB_KIND = { apiVersion: 'batch/v1', kind: 'Job' };
const POD_KIND = { apiVersion: 'v1', kind: 'Pod' };
const SMP = 'application/strategic-merge-patch+json' as const;
const ORPHAN_PREFIX = 'orphan-pod:';
const MAX_INT32 = 2147483647;

/** syncJobCtx: what one sync computed about a Job and its pods. */
interface SyncJobCtx {
  key: string;
  job: KubeObject;
  pods: KubeObject[];
  activePods: KubeObject[];
  finishedCondition?: JobCondition;
  succeeded: number;
  failed: number;
  prevSucceededIndexes: OrderedIntervals;
  succeededIndexes: OrderedIntervals;
  failedIndexes?: OrderedIntervals;
  newBackoffRecord: BackoffRecord;
  expectedRmFinalizers: Set<string>;
  uncounted: { succeeded: Set<string>; failed: Set<string> };
  /** For backoffLimitPerIndex: the last failed pod of each index. */
  lastFailedPodPerIndex: Map<number, KubeObject>;
  terminating: number;
  ready: number;
}

export class JobController extends Controller {
  protected readonly user = controllerUser('job-controller');
  private jobInformer!: Informer;
  private podInformer!: Informer;
  private expectations!: ControllerExpectations;
  /** finalizerExpectations (uidTrackingExpectations): pod UIDs whose finalizer removal is not yet seen. */
  private readonly finalizerExpectations = new Map<string, Set<string>>();
  private readonly podBackoffStore = new Map<string, BackoffRecord>();
  private readonly lifecycles = new Map<string, ReturnType<typeof initialTransition<typeof jobMachine>>[0]>();
  private recorder!: EventRecorder;
  private keyed!: KeyedSync;

  protected setup(): void {
    this.expectations = new ControllerExpectations(() => this.ctx.now());
    this.recorder = new EventRecorder(this.client, () => this.ctx.now(), { component: 'job-controller' }, this.ctx.random('events'));
    this.keyed = this.keyedSync({ workers: CONCURRENT_JOB_SYNCS,
      sync: (key, done) => (key.startsWith(ORPHAN_PREFIX) ? this.syncOrphanPod(key.slice(ORPHAN_PREFIX.length), done) : this.syncJob(key, done)),
      enqueue: (key) => this.enqueue(key),
      backoffMs: jobApiBackoffMs,
      logName: 'job.sync-error',
    });
    const resync = resyncPeriod(this.ctx.random('resync'));
    this.jobInformer = this.informer({ kind: JOB_KIND, resyncPeriod: resync, name: 'jobs' });
    this.podInformer = this.informer({ kind: POD_KIND, resyncPeriod: resync, name: 'pods' });
    indexOrphans(this.podInformer);
    this.jobInformer.addHandlers({ add: (j) => this.addJob(j), update: (o, c) => this.updateJob(o, c), delete: (j) => this.deleteJob(j) });
    this.podInformer.addHandlers({ add: (p) => this.addPod(p), update: (o, c) => this.updatePod(o, c), delete: (p) => this.deletePod(p, true) });
  }

  protected reconcile(key: string): void {
    this.keyed.run(key);
  }

  override snapshot(): unknown {
    const jobs = Object.fromEntries([...this.lifecycles].sort((a, b) => (a[0] < b[0] ? -1 : 1))
      .map(([k, s]) => [k, { state: s.value, reason: s.context.reason ?? null }]));
    return { ...(super.snapshot() as object), ...this.keyed?.snapshot(), expectations: this.expectations?.snapshot(), jobs };
  }

  // ------------------------------------------------------------------ event handlers

  private addJob(job: KubeObject): void {
    this.observeLifecycle(job);
    this.enqueue(keyOf(job));
  }

  /** updateJob: a spec change syncs at once, a status change is batched; re-arm activeDeadlineSeconds. */
  private updateJob(old: KubeObject, cur: KubeObject): void {
    const key = keyOf(cur);
    this.observeLifecycle(cur);
    if (old.metadata.uid !== cur.metadata.uid) this.lifecycles.delete(key);
    if (cur.metadata.generation === old.metadata.generation) this.keyed.addAfter(key, SYNC_JOB_BATCH_PERIOD_MS);
    else this.enqueue(key);
    if (jobFinishedCondition(cur)) this.cleanupPodFinalizers(cur);
    const ads = cur.spec?.activeDeadlineSeconds;
    if (cur.status?.startTime && ads !== undefined && ads !== null && old.spec?.activeDeadlineSeconds !== ads) {
      this.keyed.addAfter(key, ads * 1000 - (this.ctx.now() - parseTime(cur.status.startTime)));
    }
  }

  private deleteJob(job: KubeObject): void {
    this.lifecycles.delete(keyOf(job));
    this.enqueue(keyOf(job));
    this.cleanupPodFinalizers(job);
  }

  /** The Job's lifecycle machine follows the conditions the informer shows. */
  private observeLifecycle(job: KubeObject): void {
    const key = keyOf(job);
    let snap = this.lifecycles.get(key) ?? initialTransition(jobMachine)[0];
    const ev = jobLifecycleEvent(job.status);
    if (ev) snap = transition(jobMachine, snap, ev)[0];
    this.lifecycles.set(key, snap);
  }

  private addPod(pod: KubeObject): void {
    if (pod.metadata.deletionTimestamp) {
      this.deletePod(pod, false);
      return;
    }
    const ref = getControllerOf(pod);
    if (ref) {
      const job = this.resolveControllerRef(pod.metadata.namespace!, ref);
      if (!job) return;
      this.expectations.creationObserved(keyOf(job));
      this.keyed.addAfter(keyOf(job), SYNC_JOB_BATCH_PERIOD_MS);
      return;
    }
    if (hasJobTrackingFinalizer(pod)) this.enqueue(ORPHAN_PREFIX + podKey(pod));
    for (const job of this.getPodJobs(pod)) this.keyed.addAfter(keyOf(job), SYNC_JOB_BATCH_PERIOD_MS);
  }

  private updatePod(old: KubeObject, cur: KubeObject): void {
    if (cur.metadata.resourceVersion === old.metadata.resourceVersion) return;
    if (cur.metadata.deletionTimestamp) {
      this.deletePod(cur, false);
      return;
    }
    const finalizerRemoved = !hasJobTrackingFinalizer(cur);
    const curRef = getControllerOf(cur);
    const oldRef = getControllerOf(old);
    const refChanged = !deepEqual(curRef ?? null, oldRef ?? null);
    if (refChanged && oldRef) {
      const job = this.resolveControllerRef(old.metadata.namespace!, oldRef);
      if (job) this.wakeForPod(job, cur, finalizerRemoved);
    }
    if (curRef) {
      const job = this.resolveControllerRef(cur.metadata.namespace!, curRef);
      if (job) this.wakeForPod(job, cur, finalizerRemoved);
      return;
    }
    if (hasJobTrackingFinalizer(cur)) this.enqueue(ORPHAN_PREFIX + podKey(cur));
    if (refChanged || !deepEqual(cur.metadata.labels ?? {}, old.metadata.labels ?? {})) {
      for (const job of this.getPodJobs(cur)) this.keyed.addAfter(keyOf(job), SYNC_JOB_BATCH_PERIOD_MS);
    }
  }

  /** A Job whose pod changed syncs after the batch period (and learns of a finalizer its pod lost). */
  private wakeForPod(job: KubeObject, pod: KubeObject, finalizerRemoved: boolean): void {
    if (finalizerRemoved) this.finalizerRemovalObserved(keyOf(job), pod.metadata.uid!);
    this.keyed.addAfter(keyOf(job), SYNC_JOB_BATCH_PERIOD_MS);
  }

  /** deletePod: observed deletion (or deletionTimestamp); a finished or missing owner leaves the finalizer to the orphan path. */
  private deletePod(pod: KubeObject, final: boolean): void {
    const ref = getControllerOf(pod);
    const hasFinalizer = hasJobTrackingFinalizer(pod);
    if (!ref) {
      if (hasFinalizer) this.enqueue(ORPHAN_PREFIX + podKey(pod));
      return;
    }
    const job = this.resolveControllerRef(pod.metadata.namespace!, ref);
    if (!job || jobFinishedCondition(job)) {
      if (hasFinalizer) this.enqueue(ORPHAN_PREFIX + podKey(pod));
      return;
    }
    const key = keyOf(job);
    this.expectations.deletionObserved(key, podKey(pod));
    if (final || !hasFinalizer) this.finalizerRemovalObserved(key, pod.metadata.uid!);
    this.keyed.addAfter(key, SYNC_JOB_BATCH_PERIOD_MS);
  }

  private resolveControllerRef(namespace: string, ref: { kind: string; name: string; uid: string }): KubeObject | undefined {
    return resolveControllerRef(this.jobInformer, 'Job', namespace, ref);
  }

  /** getPodJobs: Jobs in the pod's namespace whose selector matches it. */
  private getPodJobs(pod: KubeObject): KubeObject[] {
    return ownersSelecting(this.jobInformer, pod, jobSelector);
  }

  /** cleanupPodFinalizers: a finished or deleted Job's pods that still carry the finalizer. */
  private cleanupPodFinalizers(job: KubeObject): void {
    for (const pod of this.podInformer.ownedBy(job.metadata.uid!)) {
      if (getControllerOf(pod)?.uid === job.metadata.uid && hasJobTrackingFinalizer(pod)) this.enqueue(ORPHAN_PREFIX + podKey(pod));
    }
  }

  private finalizerRemovalObserved(key: string, uid: string): void {
    this.finalizerExpectations.get(key)?.delete(uid);
  }

  // ------------------------------------------------------------------ orphan pods

  /** syncOrphanPod: removes the tracking finalizer from a pod no unfinished Job owns. */
  private syncOrphanPod(key: string, done: SyncDone): void {
    const [ns, name] = splitKey(key);
    const pod = this.podInformer.get(ns, name);
    if (!pod) return done();
    const ref = getControllerOf(pod);
    if (ref) {
      if (ref.kind !== 'Job' || ref.apiVersion !== 'batch/v1') return done();
      const job = this.resolveControllerRef(ns, ref);
      if (job && !jobFinishedCondition(job)) return done();
    }
    if (!hasJobTrackingFinalizer(pod)) return done();
    this.client.patch(POD_KIND, ns, name, removeFinalizerPatch(), SMP, (r) => done(r.ok || r.status.code === 404 ? undefined : r.status.message));
  }

  // ------------------------------------------------------------------ syncJob, in upstream's order

  private syncJob(key: string, done: SyncDone): void {
    const [ns, name] = splitKey(key);
    const shared = this.jobInformer.get(ns, name);
    if (!shared) {
      this.expectations.deleteExpectations(key);
      this.finalizerExpectations.delete(key);
      this.podBackoffStore.delete(key);
      this.keyed.forget(key);
      return done();
    }
    if (jobFinishedCondition(shared)) {
      this.podBackoffStore.delete(key);
      return done();
    }
    const job = clone(shared);
    job.status ??= {};
    job.status.uncountedTerminatedPods = normalizeUncounted(job.status.uncountedTerminatedPods);
    const satisfied = this.expectations.satisfiedExpectations(key);
    this.getPodsForJob(job, (pods, err) => {
      if (err) return done(err);
      const jobCtx = this.newSyncJobCtx(key, job, pods);
      this.decideFinished(jobCtx);
      this.manageOrFinish(jobCtx, satisfied, (manageErr, suspendCondChanged) => {
        const st = jobCtx.job.status;
        const active = st.active ?? 0;
        const needsStatusUpdate = suspendCondChanged || active !== (shared.status?.active ?? 0)
          || jobCtx.ready !== shared.status?.ready || jobCtx.terminating !== shared.status?.terminating;
        st.ready = jobCtx.ready;
        st.terminating = jobCtx.terminating;
        this.trackJobStatusAndRemoveFinalizers(jobCtx, needsStatusUpdate, (trackErr) => done(trackErr ? `tracking status: ${trackErr}` : manageErr));
      });
    });
  }

  /** getPodsForJob: claims pods (adopted ones count as carrying the finalizer). */
  private getPodsForJob(job: KubeObject, cb: (pods: KubeObject[], err?: string) => void): void {
    const selector = jobSelector(job);
    if (!selector) return cb([], `couldn't convert Job selector`);
    const candidates = claimCandidates(this.podInformer, job);
    const manager = new PodControllerRefManager(this.client, job, selector, recheckDeletionTimestamp(this.client, job));
    manager.claimPods(candidates, (claimed, errors) => {
      const pods = claimed.map((p) => {
        const adopted = !(p.metadata.ownerReferences ?? []).some((r: any) => r.uid === job.metadata.uid);
        return adopted && !hasJobTrackingFinalizer(p) ? { ...p, metadata: { ...p.metadata, finalizers: [...(p.metadata.finalizers ?? []), JOB_TRACKING_FINALIZER] } } : p;
      });
      cb(pods, errors[0]);
    });
  }

  /** The counters of syncJob: active, ready, terminating, and the newly finished pods. */
  private newSyncJobCtx(key: string, job: KubeObject, pods: KubeObject[]): SyncJobCtx {
    const st = job.status;
    const activePods = pods.filter(isPodActive);
    const jobCtx: SyncJobCtx = {
      key, job, pods, activePods,
      ready: activePods.filter(isPodReady).length,
      terminating: pods.filter(isPodTerminating).length,
      uncounted: { succeeded: new Set(st.uncountedTerminatedPods.succeeded ?? []), failed: new Set(st.uncountedTerminatedPods.failed ?? []) },
      expectedRmFinalizers: new Set(this.finalizerExpectations.get(key) ?? []),
      succeeded: 0, failed: 0, prevSucceededIndexes: [], succeededIndexes: [],
      newBackoffRecord: { failuresAfterLastSuccess: 0 }, lastFailedPodPerIndex: new Map(),
    };
    const newSucceeded = this.validPods(jobCtx, jobCtx.uncounted.succeeded, (p) => p.status?.phase === 'Succeeded');
    const newFailed = this.validPods(jobCtx, jobCtx.uncounted.failed, (p) => isPodFailed(p, job));
    const nonIgnored = newFailed.filter((p) => matchPodFailurePolicy(job.spec?.podFailurePolicy, p).countFailed).length;
    jobCtx.succeeded = (st.succeeded ?? 0) + newSucceeded.length + jobCtx.uncounted.succeeded.size;
    jobCtx.failed = (st.failed ?? 0) + nonIgnored + jobCtx.uncounted.failed.size;
    if (!st.startTime && !job.spec?.suspend) st.startTime = formatTime(this.ctx.now());
    jobCtx.newBackoffRecord = newBackoffRecord(this.podBackoffStore.get(key), newSucceeded, newFailed);
    return jobCtx;
  }

  /** getValidPodsWithFilter: pods with the finalizer, not yet uncounted, with a valid index. */
  private validPods(jobCtx: SyncJobCtx, uncounted: Set<string>, filter: (p: KubeObject) => boolean): KubeObject[] {
    const completions = jobCtx.job.spec?.completions ?? 0;
    return jobCtx.pods.filter((p) => {
      const uid = p.metadata.uid!;
      if (!hasJobTrackingFinalizer(p) || uncounted.has(uid) || jobCtx.expectedRmFinalizers.has(uid)) return false;
      if (isIndexedJob(jobCtx.job)) {
        const ix = getCompletionIndex(p);
        if (ix === UNKNOWN_COMPLETION_INDEX || ix >= completions) return false;
      }
      return filter(p);
    });
  }

  /** The part of syncJob that decides whether the Job has met its success or failure criteria. */
  private decideFinished(jobCtx: SyncJobCtx): void {
    const { job, key } = jobCtx;
    const now = formatTime(this.ctx.now());
    const met = findCondition(job, 'SuccessCriteriaMet');
    jobCtx.finishedCondition = met?.status === 'True' ? met : undefined;
    if (!jobCtx.finishedCondition) {
      const target = findCondition(job, 'FailureTarget');
      if (target?.status === 'True') jobCtx.finishedCondition = newCondition('Failed', 'True', target.reason ?? '', target.message ?? '', now);
      else {
        const msg = getFailJobMessage(job, jobCtx.pods);
        if (msg) jobCtx.finishedCondition = newCondition('FailureTarget', 'True', 'PodFailurePolicy', msg, now);
      }
    }
    if (!jobCtx.finishedCondition) {
      if (jobCtx.failed > (job.spec?.backoffLimit ?? 6) || pastBackoffLimitOnFailure(job, jobCtx.pods)) {
        jobCtx.finishedCondition = newCondition('FailureTarget', 'True', 'BackoffLimitExceeded', 'Job has reached the specified backoff limit', now);
      } else if (this.pastActiveDeadline(job)) {
        jobCtx.finishedCondition = newCondition('FailureTarget', 'True', 'DeadlineExceeded', 'Job was active longer than specified deadline', now);
      } else if (job.spec?.activeDeadlineSeconds !== undefined && job.spec?.activeDeadlineSeconds !== null && !job.spec?.suspend) {
        this.keyed.addAfter(key, job.spec.activeDeadlineSeconds * 1000 - (this.ctx.now() - parseTime(job.status.startTime)));
      }
    }
    if (!isIndexedJob(job)) return;
    const completions = job.spec.completions;
    jobCtx.prevSucceededIndexes = parseIndexes(job.status.completedIndexes, completions);
    const newlySucceeded = [...new Set(jobCtx.pods.filter((p) => p.status?.phase === 'Succeeded' && hasJobTrackingFinalizer(p))
      .map(getCompletionIndex).filter((ix) => ix !== UNKNOWN_COMPLETION_INDEX && ix < completions))].sort((a, b) => a - b);
    jobCtx.succeededIndexes = withOrderedIndexes(jobCtx.prevSucceededIndexes, newlySucceeded);
    jobCtx.succeeded = intervalsTotal(jobCtx.succeededIndexes);
    if (hasBackoffLimitPerIndex(job)) {
      this.calculateFailedIndexes(jobCtx);
      const failedTotal = intervalsTotal(jobCtx.failedIndexes!);
      if (!jobCtx.finishedCondition) {
        if (job.spec.maxFailedIndexes !== undefined && job.spec.maxFailedIndexes !== null && failedTotal > job.spec.maxFailedIndexes) {
          jobCtx.finishedCondition = newCondition('FailureTarget', 'True', 'MaxFailedIndexesExceeded', 'Job has exceeded the specified maximal number of failed indexes', now);
        } else if (failedTotal > 0 && failedTotal + jobCtx.succeeded >= completions) {
          jobCtx.finishedCondition = newCondition('FailureTarget', 'True', 'FailedIndexes', 'Job has failed indexes', now);
        }
      }
    }
    if (!jobCtx.finishedCondition) {
      const msg = matchSuccessPolicy(job.spec.successPolicy, completions, jobCtx.succeededIndexes);
      if (msg) jobCtx.finishedCondition = newCondition('SuccessCriteriaMet', 'True', 'SuccessPolicy', msg, now);
    }
  }

  /**
   * calculateFailedIndexes (backoffLimitPerIndex): an index fails when a pod of it matched a
   * FailIndex rule, or failed (counted) with job-index-failure-count ≥ backoffLimitPerIndex.
   */
  private calculateFailedIndexes(jobCtx: SyncJobCtx): void {
    const { job } = jobCtx;
    const completions = job.spec.completions;
    const limit = job.spec.backoffLimitPerIndex;
    const failed: number[] = [];
    for (const p of jobCtx.pods) {
      const ix = getCompletionIndex(p);
      if (ix === UNKNOWN_COMPLETION_INDEX || ix >= completions || !isPodFailed(p, job)) continue;
      const last = jobCtx.lastFailedPodPerIndex.get(ix);
      if (!last || getFinishedTime(p) >= getFinishedTime(last)) jobCtx.lastFailedPodPerIndex.set(ix, p);
      if (!hasJobTrackingFinalizer(p)) continue;
      const m = matchPodFailurePolicy(job.spec.podFailurePolicy, p);
      if (m.action === 'FailIndex' || (m.countFailed && indexFailureCount(p) >= limit)) failed.push(ix);
    }
    jobCtx.failedIndexes = withOrderedIndexes(parseIndexes(job.status.failedIndexes, completions), [...new Set(failed)].sort((a, b) => a - b));
  }

  private pastActiveDeadline(job: KubeObject): boolean {
    const ads = job.spec?.activeDeadlineSeconds;
    if (ads === undefined || ads === null || !job.status?.startTime || job.spec?.suspend) return false;
    return this.ctx.now() - parseTime(job.status.startTime) >= ads * 1000;
  }

  /** The branch of syncJob after the verdict: remove active pods of a finished Job, or manageJob. */
  private manageOrFinish(jobCtx: SyncJobCtx, satisfied: boolean, cb: (err: string | undefined, suspendCondChanged: boolean) => void): void {
    const { job } = jobCtx;
    const st = job.status;
    if (jobCtx.finishedCondition) {
      const active = jobCtx.activePods.length;
      this.deletePods(job, jobCtx.key, jobCtx.activePods, false, (deletedReady, deleted, err) => {
        if (deleted !== active || !satisfied) jobCtx.finishedCondition = undefined;
        st.active = active - deleted;
        jobCtx.terminating += deleted;
        jobCtx.ready -= deletedReady;
        cb(err, false);
      });
      return;
    }
    const afterManage = (active: number, err: string | undefined, called: boolean) => {
      st.active = active;
      const completions = job.spec?.completions;
      const complete = completions === undefined || completions === null ? jobCtx.succeeded > 0 && active === 0 : jobCtx.succeeded >= completions && active === 0;
      if (complete) {
        jobCtx.finishedCondition = newCondition('SuccessCriteriaMet', 'True', 'CompletionsReached', 'Reached expected number of succeeded pods', formatTime(this.ctx.now()));
        return cb(err, false);
      }
      if (!called) return cb(err, false);
      cb(err, this.syncSuspendCondition(job));
    };
    if (satisfied && !job.metadata.deletionTimestamp) this.manageJob(jobCtx, (active, err) => afterManage(active, err, true));
    else afterManage(jobCtx.activePods.length, undefined, false);
  }

  /** The Suspended condition and the Suspended / Resumed events; resuming restarts startTime. */
  private syncSuspendCondition(job: KubeObject): boolean {
    const now = formatTime(this.ctx.now());
    const suspended = !!job.spec?.suspend;
    const r = suspended
      ? ensureJobConditionStatus(job.status.conditions ?? [], 'Suspended', 'True', 'JobSuspended', 'Job suspended', now)
      : ensureJobConditionStatus(job.status.conditions ?? [], 'Suspended', 'False', 'JobResumed', 'Job resumed', now);
    if (!r.changed) return false;
    job.status.conditions = r.list;
    this.recorder.event(job, 'Normal', suspended ? 'Suspended' : 'Resumed', suspended ? 'Job suspended' : 'Job resumed');
    if (!suspended) job.status.startTime = now;
    return true;
  }

  /** manageJob: deletes surplus pods, or creates the missing ones once the back-off has passed. */
  private manageJob(jobCtx: SyncJobCtx, cb: (active: number, err?: string) => void): void {
    const { job, key } = jobCtx;
    const active = jobCtx.activePods.length;
    const parallelism = job.spec?.parallelism ?? 1;
    const removeThen = (pods: KubeObject[]) => {
      this.expectations.expectDeletions(key, pods.map(podKey));
      this.deletePods(job, key, pods, true, (removedReady, removed, err) => {
        jobCtx.terminating += removed;
        jobCtx.ready -= removedReady;
        cb(active - removed, err);
      });
    };
    if (job.spec?.suspend) return removeThen(activePodsForRemoval(job, jobCtx.activePods, active));
    const completions = job.spec?.completions;
    let wantActive: number;
    if (completions === undefined || completions === null) wantActive = jobCtx.succeeded > 0 ? active : parallelism;
    else wantActive = Math.max(0, Math.min(completions - jobCtx.succeeded, parallelism));
    const toDelete = activePodsForRemoval(job, jobCtx.activePods, Math.max(0, active - wantActive)).slice(0, MAX_POD_CREATE_DELETE_PER_SYNC);
    if (toDelete.length > 0) return removeThen(toDelete);
    const terminating = onlyReplaceFailedPods(job) ? jobCtx.terminating : 0;
    let diff = wantActive - terminating - active;
    if (diff <= 0) return cb(active);
    if (!hasBackoffLimitPerIndex(job)) {
      const remaining = backoffRemainingMs(this.ctx.now(), jobCtx.newBackoffRecord.failuresAfterLastSuccess, jobCtx.newBackoffRecord.lastFailureTime);
      // Upstream reports active=0 for a sync that waits out the back-off.
      if (remaining > 0) {
        this.keyed.addAfter(key, Math.max(remaining, SYNC_JOB_BATCH_PERIOD_MS));
        return cb(0);
      }
    }
    diff = Math.min(diff, MAX_POD_CREATE_DELETE_PER_SYNC);
    let indexes: number[] = [];
    if (isIndexedJob(job)) {
      const nonPending = withOrderedIndexes(jobCtx.succeededIndexes, flatten(jobCtx.failedIndexes ?? []));
      indexes = firstPendingIndexes(jobCtx.activePods, nonPending, diff, job.spec.completions);
      if (hasBackoffLimitPerIndex(job)) {
        const r = this.indexesReadyToCreate(jobCtx, indexes);
        if (r.indexes.length === 0 && r.remaining > 0) {
          this.keyed.addAfter(key, Math.max(r.remaining, SYNC_JOB_BATCH_PERIOD_MS));
          return cb(0);
        }
        indexes = r.indexes;
      }
      diff = indexes.length;
    }
    this.createPods(jobCtx, diff, indexes, (created, err) => cb(active + created, err));
  }

  /** getPodCreationInfoForIndependentIndexes: the indexes whose own back-off has passed. */
  private indexesReadyToCreate(jobCtx: SyncJobCtx, indexes: number[]): { indexes: number[]; remaining: number } {
    const ready: number[] = [];
    let min = Infinity;
    for (const ix of indexes) {
      const last = jobCtx.lastFailedPodPerIndex.get(ix);
      const remaining = last ? backoffRemainingMs(this.ctx.now(), indexFailureCount(last) + 1, getFinishedTime(last)) : 0;
      if (remaining === 0) ready.push(ix);
      else min = Math.min(min, remaining);
    }
    return { indexes: ready, remaining: ready.length ? 0 : min === Infinity ? 0 : min };
  }

  /** The create half of manageJob: slow-start batches of pods from the template. */
  private createPods(jobCtx: SyncJobCtx, count: number, indexes: number[], cb: (created: number, err?: string) => void): void {
    const { key } = jobCtx;
    this.expectations.expectCreations(key, count);
    this.ctx.log('job.create', { job: key, creating: count, indexes });
    let attempted = 0;
    slowStartBatch(count, 1, () => undefined, (done) => {
      const ix = indexes.length ? indexes[attempted] : UNKNOWN_COMPLETION_INDEX;
      attempted++;
      this.createPod(jobCtx, ix, (err) => {
        // A failed create will never be observed.
        if (err) this.expectations.creationObserved(key);
        done(err);
      });
    }, (successes, err) => {
      // Skipped creations (after a batch with a failure) will never be observed either.
      for (let i = attempted; i < count; i++) this.expectations.creationObserved(key);
      cb(successes, err);
    });
  }

  /** RealPodControl.CreatePodsWithGenerateName: the template with index, finalizer and our controller reference. */
  private createPod(jobCtx: SyncJobCtx, ix: number, cb: (err?: string) => void): void {
    const { job } = jobCtx;
    const pod = podFromJobTemplate(job, ix, jobCtx.lastFailedPodPerIndex.get(ix));
    this.client.create(pod, (r: ApiResult) => {
      if (!r.ok) {
        if (hasStatusCause(r.status, 'NamespaceTerminating')) return cb();
        this.recorder.event(job, 'Warning', 'FailedCreate', `Error creating: ${r.status.message}`);
        return cb(r.status.message);
      }
      this.recorder.event(job, 'Normal', 'SuccessfulCreate', `Created pod: ${r.object.metadata.name}`);
      cb();
    });
  }

  /**
   * deleteJobPods (removeFinalizer: the pods are not counted) or deleteActivePods (finalizers
   * kept: the pods count as failed). Answers (deleted ready, deleted, first error).
   */
  private deletePods(job: KubeObject, key: string, pods: KubeObject[], removeFinalizer: boolean, cb: (ready: number, deleted: number, err?: string) => void): void {
    let deleted = pods.length;
    let ready = 0;
    parallel(pods.map((pod) => (done: (err?: string) => void) => {
      const fail = (r: ApiResult & { ok: false }) => {
        this.expectations.deletionObserved(key, podKey(pod));
        if (r.status.code === 404) return done();
        deleted--;
        done(r.status.message);
      };
      const del = () => this.client.delete(POD_KIND, pod.metadata.namespace, pod.metadata.name!, {}, (r) => {
        if (!r.ok && r.status.code !== 404) return fail(r);
        if (!r.ok && removeFinalizer) this.expectations.deletionObserved(key, podKey(pod));
        if (r.ok) this.recorder.event(job, 'Normal', 'SuccessfulDelete', `Deleted pod: ${pod.metadata.name}`);
        if (isPodReady(pod)) ready++;
        done();
      });
      if (removeFinalizer && hasJobTrackingFinalizer(pod)) {
        this.client.patch(POD_KIND, pod.metadata.namespace, pod.metadata.name!, removeFinalizerPatch(), SMP, (r) => (r.ok ? del() : fail(r)));
      } else del();
    }), (err) => cb(ready, deleted, err));
  }

  // ------------------------------------------------------------------ status and finalizers

  /**
   * trackJobStatusAndRemoveFinalizers: records finished pods in uncountedTerminatedPods, removes
   * their finalizers, moves them to the counters, and adds the interim then terminal condition.
   */
  private trackJobStatusAndRemoveFinalizers(jobCtx: SyncJobCtx, needsFlush: boolean, cb: (err?: string) => void): void {
    const { job } = jobCtx;
    const isIndexed = isIndexedJob(job);
    const completions = job.spec?.completions ?? 0;
    const st = job.status;
    const uncountedStatus = st.uncountedTerminatedPods;
    const pods = isIndexed ? [...jobCtx.pods].sort((a, b) => getCompletionIndex(a) - getCompletionIndex(b)) : jobCtx.pods;
    const uidsWithFinalizer = new Set(pods.filter((p) => hasJobTrackingFinalizer(p) && !jobCtx.expectedRmFinalizers.has(p.metadata.uid!)).map((p) => p.metadata.uid!));
    if (cleanUncountedPodsWithoutFinalizers(st, uidsWithFinalizer)) needsFlush = true;
    const toRemove: KubeObject[] = [];
    const newSucceededIndexes: number[] = [];
    let reachedMax = false;
    for (const pod of pods) {
      const uid = pod.metadata.uid!;
      if (!hasJobTrackingFinalizer(pod) || jobCtx.expectedRmFinalizers.has(uid)) continue;
      const considerFailed = isPodFailed(pod, job);
      if (!this.canRemoveFinalizer(jobCtx, pod, considerFailed)) continue;
      toRemove.push(pod);
      const ix = getCompletionIndex(pod);
      if (pod.status?.phase === 'Succeeded' && !jobCtx.uncounted.failed.has(uid)) {
        if (isIndexed) {
          if (ix !== UNKNOWN_COMPLETION_INDEX && ix < completions && !intervalsHas(jobCtx.prevSucceededIndexes, ix)) {
            newSucceededIndexes.push(ix);
            needsFlush = true;
          }
        } else if (!jobCtx.uncounted.succeeded.has(uid)) {
          needsFlush = true;
          uncountedStatus.succeeded.push(uid);
        }
      } else if (considerFailed || (jobCtx.finishedCondition && jobCtx.finishedCondition.type !== 'SuccessCriteriaMet')) {
        if (!jobCtx.uncounted.failed.has(uid) && (!isIndexed || (ix !== UNKNOWN_COMPLETION_INDEX && ix < completions))) {
          if (matchPodFailurePolicy(job.spec?.podFailurePolicy, pod).countFailed) {
            needsFlush = true;
            uncountedStatus.failed.push(uid);
          }
        }
      }
      if (newSucceededIndexes.length + uncountedStatus.succeeded.length + uncountedStatus.failed.length >= MAX_UNCOUNTED_PODS) {
        reachedMax = true;
        break;
      }
    }
    if (isIndexed) needsFlush = this.updateIndexedStatus(jobCtx, newSucceededIndexes) || needsFlush;
    needsFlush = this.prepareFinishedCondition(jobCtx) || needsFlush;
    this.flushUncountedAndRemoveFinalizers(jobCtx, toRemove, uidsWithFinalizer, needsFlush, (flushNeeded, err) => {
      if (err) return cb(err);
      const finished = !reachedMax && this.enactJobFinished(jobCtx);
      if (!finished && !flushNeeded) return cb();
      this.updateJobStatus(jobCtx, (updErr) => {
        if (updErr) return cb(`removing uncounted pods from status: ${updErr}`);
        if (finished) this.recordJobFinished(jobCtx.job, jobCtx.finishedCondition!);
        cb();
      });
    });
  }

  /** completedIndexes, succeeded and failedIndexes of an Indexed Job; answers whether they changed. */
  private updateIndexedStatus(jobCtx: SyncJobCtx, newSucceededIndexes: number[]): boolean {
    const st = jobCtx.job.status;
    let changed = false;
    jobCtx.succeededIndexes = withOrderedIndexes(jobCtx.succeededIndexes, [...new Set(newSucceededIndexes)].sort((a, b) => a - b));
    const s = intervalsString(jobCtx.succeededIndexes);
    if (s !== (st.completedIndexes ?? '')) changed = true;
    st.succeeded = intervalsTotal(jobCtx.succeededIndexes);
    st.completedIndexes = s;
    const failed = jobCtx.failedIndexes ? intervalsString(jobCtx.failedIndexes) : undefined;
    if (failed !== st.failedIndexes) {
      st.failedIndexes = failed;
      changed = true;
    }
    return changed;
  }

  /** Appends the interim FailureTarget / SuccessCriteriaMet condition and prepares the terminal one. */
  private prepareFinishedCondition(jobCtx: SyncJobCtx): boolean {
    const fc = jobCtx.finishedCondition;
    if (!fc) return false;
    const st = jobCtx.job.status;
    const now = formatTime(this.ctx.now());
    if (fc.type === 'FailureTarget') {
      st.conditions = [...(st.conditions ?? []), fc];
      jobCtx.finishedCondition = newCondition('Failed', 'True', fc.reason ?? '', fc.message ?? '', now);
      return true;
    }
    if (fc.type === 'SuccessCriteriaMet') {
      let changed = false;
      if (findCondition(jobCtx.job, 'SuccessCriteriaMet')?.status !== 'True') {
        st.conditions = [...(st.conditions ?? []), fc];
        changed = true;
      }
      jobCtx.finishedCondition = newCondition('Complete', 'True', fc.reason ?? '', fc.message ?? '', now);
      return changed;
    }
    return false;
  }

  /** canRemoveFinalizer: the Job is ending, the pod succeeded, or it failed. */
  private canRemoveFinalizer(jobCtx: SyncJobCtx, pod: KubeObject, considerFailed: boolean): boolean {
    if (jobCtx.job.metadata.deletionTimestamp || jobCtx.finishedCondition || pod.status?.phase === 'Succeeded') return true;
    return considerFailed;
  }

  /**
   * flushUncountedAndRemoveFinalizers: flush the status (new uncounted UIDs, interim condition),
   * remove the finalizers, move the removed ones to the counters; answers whether a flush is still due.
   */
  private flushUncountedAndRemoveFinalizers(jobCtx: SyncJobCtx, toRemove: KubeObject[], uidsWithFinalizer: Set<string>, needsFlush: boolean, cb: (needsFlush: boolean, err?: string) => void): void {
    const removeFinalizers = () => {
      this.removeTrackingFinalizerFromPods(jobCtx.key, toRemove, (removed, rmErr) => {
        for (const uid of removed) uidsWithFinalizer.delete(uid);
        let flush = needsFlush;
        if (cleanUncountedPodsWithoutFinalizers(jobCtx.job.status, uidsWithFinalizer)) flush = true;
        if (rmErr && flush) return this.updateJobStatus(jobCtx, (err) => cb(flush, err ? `removing uncounted pods from status: ${err}` : rmErr));
        cb(flush, rmErr);
      });
    };
    if (!needsFlush) return removeFinalizers();
    this.updateJobStatus(jobCtx, (err) => {
      if (err) return cb(needsFlush, `adding uncounted pods to status: ${err}`);
      this.podBackoffStore.set(jobCtx.key, jobCtx.newBackoffRecord);
      needsFlush = false;
      removeFinalizers();
    });
  }

  /** removeTrackingFinalizerFromPods: answers the UIDs whose finalizer is gone (404 counts). */
  private removeTrackingFinalizerFromPods(key: string, pods: KubeObject[], cb: (removed: string[], err?: string) => void): void {
    if (pods.length === 0) return cb([]);
    let expected = this.finalizerExpectations.get(key);
    if (!expected) this.finalizerExpectations.set(key, (expected = new Set()));
    for (const p of pods) expected.add(p.metadata.uid!);
    const removed: string[] = [];
    parallel(pods.map((pod) => (done: (err?: string) => void) => {
      this.client.patch(POD_KIND, pod.metadata.namespace, pod.metadata.name!, removeFinalizerPatch(), SMP, (r) => {
        if (!r.ok) {
          this.finalizerRemovalObserved(key, pod.metadata.uid!);
          if (r.status.code !== 404) return done(`removing tracking finalizer: ${r.status.message}`);
        }
        removed.push(pod.metadata.uid!);
        done();
      });
    }), (err) => cb(removed, err));
  }

  /** enactJobFinished: the terminal condition once nothing is uncounted and no pod is terminating. */
  private enactJobFinished(jobCtx: SyncJobCtx): boolean {
    const fc = jobCtx.finishedCondition;
    if (!fc) return false;
    const st = jobCtx.job.status;
    const u = st.uncountedTerminatedPods;
    if ((u?.succeeded?.length ?? 0) + (u?.failed?.length ?? 0) > 0) return false;
    if (jobCtx.terminating > 0) return false;
    const now = formatTime(this.ctx.now());
    st.conditions = ensureJobConditionStatus(st.conditions ?? [], fc.type, fc.status, fc.reason ?? '', fc.message ?? '', now).list;
    if (fc.type === 'Complete') st.completionTime = findCondition(jobCtx.job, 'Complete')!.lastTransitionTime;
    return true;
  }

  private recordJobFinished(job: KubeObject, fc: JobCondition): void {
    if (fc.type === 'Complete') {
      const completions = job.spec?.completions;
      if (completions !== undefined && completions !== null && (job.status?.succeeded ?? 0) > completions) {
        this.recorder.event(job, 'Warning', 'TooManySucceededPods', 'Too many succeeded pods running after completion count reached');
      }
      this.recorder.event(job, 'Normal', 'Completed', 'Job completed');
    } else {
      this.recorder.event(job, 'Warning', fc.reason ?? '', fc.message ?? '');
    }
  }

  /** updateJobStatus: PUT status; the sync continues with the stored object. */
  private updateJobStatus(jobCtx: SyncJobCtx, cb: (err?: string) => void): void {
    const body = clone(jobCtx.job);
    body.status = wireStatus(body.status);
    this.client.updateStatus(body, (r) => {
      if (!r.ok) return cb(r.status.message);
      const stored = clone(r.object);
      stored.status ??= {};
      stored.status.uncountedTerminatedPods = normalizeUncounted(stored.status.uncountedTerminatedPods);
      stored.status.ready = jobCtx.ready;
      stored.status.terminating = jobCtx.terminating;
      jobCtx.job = stored;
      cb();
    });
  }
}

// ---------------------------------------------------------------------- helpers

function keyOf(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

/** The labels the job strategy puts on the template (and the selector it generates) when none is given. */
export function generatedJobLabels(job: KubeObject): Record<string, string> {
  const uid = job.metadata.uid!;
  return { 'batch.kubernetes.io/controller-uid': uid, 'batch.kubernetes.io/job-name': job.metadata.name!, 'controller-uid': uid, 'job-name': job.metadata.name! };
}

/** The Job's selector: spec.selector, or the generated controller-uid selector. */
function jobSelector(job: KubeObject): LabelSelector | undefined {
  try {
    return labelSelectorFromMeta(job.spec?.selector ?? { matchLabels: { 'batch.kubernetes.io/controller-uid': job.metadata.uid } });
  } catch {
    return undefined;
  }
}

function hasBackoffLimitPerIndex(job: KubeObject): boolean {
  return isIndexedJob(job) && job.spec?.backoffLimitPerIndex !== undefined && job.spec?.backoffLimitPerIndex !== null;
}

function indexFailureCount(pod: KubeObject): number {
  const v = Number.parseInt(pod.metadata.annotations?.[JOB_INDEX_FAILURE_COUNT_ANNOTATION] ?? '0', 10);
  return Number.isFinite(v) && v >= 0 ? Math.min(v, MAX_INT32) : 0;
}

function flatten(oi: OrderedIntervals): number[] {
  const out: number[] = [];
  for (const iv of oi) for (let i = iv.first; i <= iv.last; i++) out.push(i);
  return out;
}

/** getFailJobMessage: the first failed pod that matches a FailJob rule. */
function getFailJobMessage(job: KubeObject, pods: KubeObject[]): string | undefined {
  if (!job.spec?.podFailurePolicy) return undefined;
  for (const p of pods) {
    if (!isPodFailed(p, job)) continue;
    const m = matchPodFailurePolicy(job.spec.podFailurePolicy, p);
    if (m.failJobMessage) return m.failJobMessage;
  }
  return undefined;
}

/** activePodsForRemoval: duplicate, unindexed or out-of-range indexes first, then by ActivePods order. */
function activePodsForRemoval(job: KubeObject, pods: KubeObject[], rmAtLeast: number): KubeObject[] {
  let rm: KubeObject[] = [];
  let left: KubeObject[] = pods;
  if (isIndexedJob(job)) {
    rm = [];
    left = [];
    const byIndex = new Map<number, KubeObject[]>();
    for (const p of pods) {
      const ix = getCompletionIndex(p);
      if (ix === UNKNOWN_COMPLETION_INDEX || ix >= job.spec.completions) rm.push(p);
      else byIndex.set(ix, [...(byIndex.get(ix) ?? []), p]);
    }
    for (const ix of [...byIndex.keys()].sort((a, b) => a - b)) {
      const same = byIndex.get(ix)!.sort(compareActivePodsForRemoval);
      rm.push(...same.slice(0, -1));
      left.push(same[same.length - 1]);
    }
  }
  if (rm.length < rmAtLeast) rm = rm.concat([...left].sort(compareActivePodsForRemoval).slice(0, rmAtLeast - rm.length));
  return rm;
}

/** The pod the Job creates for `ix` (−1 for NonIndexed): template, labels, index, finalizer, owner. */
export function podFromJobTemplate(job: KubeObject, ix: number, lastFailedPodOfIndex?: KubeObject): KubeObject {
  const template = clone(job.spec?.template ?? {});
  const meta = template.metadata ?? {};
  const labels: Record<string, string> = { ...(job.spec?.selector ? {} : generatedJobLabels(job)), ...(meta.labels ?? {}) };
  const annotations: Record<string, string> = { ...(meta.annotations ?? {}) };
  const spec = template.spec ?? {};
  let generateName = `${job.metadata.name}-`;
  if (ix !== UNKNOWN_COMPLETION_INDEX) {
    for (const c of [...(spec.initContainers ?? []), ...(spec.containers ?? [])]) addCompletionIndexEnvVariable(c);
    annotations[JOB_COMPLETION_INDEX_ANNOTATION] = String(ix);
    labels[JOB_COMPLETION_INDEX_ANNOTATION] = String(ix);
    spec.hostname = `${job.metadata.name}-${ix}`;
    generateName = podGenerateNameWithIndex(job.metadata.name!, ix);
    if (hasBackoffLimitPerIndex(job)) {
      annotations[JOB_INDEX_FAILURE_COUNT_ANNOTATION] = String(lastFailedPodOfIndex ? indexFailureCount(lastFailedPodOfIndex) + 1 : 0);
    }
  }
  const finalizers: string[] = [...(meta.finalizers ?? [])];
  if (!finalizers.includes(JOB_TRACKING_FINALIZER)) finalizers.push(JOB_TRACKING_FINALIZER);
  const pod: KubeObject = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { generateName, namespace: job.metadata.namespace, labels, finalizers, ownerReferences: [newControllerRef(job)] },
    spec,
  };
  if (Object.keys(annotations).length) pod.metadata.annotations = annotations;
  return pod;
}

/** addCompletionIndexEnvVariable: JOB_COMPLETION_INDEX from the index label (PodIndexLabel, GA in v1.32). */
function addCompletionIndexEnvVariable(c: any): void {
  if ((c.env ?? []).some((e: any) => e.name === COMPLETION_INDEX_ENV_NAME)) return;
  c.env = [...(c.env ?? []), { name: COMPLETION_INDEX_ENV_NAME, valueFrom: { fieldRef: { fieldPath: `metadata.labels['${JOB_COMPLETION_INDEX_ANNOTATION}']` } } }];
}

/** podGenerateNameWithIndex: `<job>-<index>-`, the job name cut so the prefix stays ≤ 58 characters. */
function podGenerateNameWithIndex(jobName: string, ix: number): string {
  const suffix = `-${ix}-`;
  const prefix = jobName + suffix;
  return prefix.length > 58 ? jobName.slice(0, 58 - suffix.length) + suffix : prefix;
}

function removeFinalizerPatch(): unknown {
  return { metadata: { '$deleteFromPrimitiveList/finalizers': [JOB_TRACKING_FINALIZER] } };
}

function normalizeUncounted(u: any): { succeeded: string[]; failed: string[] } {
  return { succeeded: [...(u?.succeeded ?? [])], failed: [...(u?.failed ?? [])] };
}

/** cleanUncountedPodsWithoutFinalizers: UIDs whose finalizer is gone move to the counters. */
function cleanUncountedPodsWithoutFinalizers(st: any, uidsWithFinalizer: Set<string>): boolean {
  const u = st.uncountedTerminatedPods;
  let updated = false;
  for (const field of ['succeeded', 'failed'] as const) {
    const kept = u[field].filter((uid: string) => uidsWithFinalizer.has(uid));
    if (kept.length !== u[field].length) {
      updated = true;
      st[field] = (st[field] ?? 0) + u[field].length - kept.length;
      u[field] = kept;
    }
  }
  return updated;
}

/** The status as the API serialises it: zero counters and empty lists omitted (omitempty). */
function wireStatus(st: any): any {
  const out = { ...st };
  for (const f of ['active', 'succeeded', 'failed']) if (!out[f]) delete out[f];
  if (!out.completedIndexes) delete out.completedIndexes;
  if (out.failedIndexes === undefined) delete out.failedIndexes;
  const u: any = {};
  if (st.uncountedTerminatedPods?.succeeded?.length) u.succeeded = [...st.uncountedTerminatedPods.succeeded];
  if (st.uncountedTerminatedPods?.failed?.length) u.failed = [...st.uncountedTerminatedPods.failed];
  out.uncountedTerminatedPods = u;
  return out;
}
