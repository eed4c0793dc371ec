// The TTL-after-finished controller (pkg/controller/ttlafterfinished/ttlafterfinished_controller.go):
// deletes a finished Job (Complete or Failed) ttlSecondsAfterFinished after the time of its
// finish condition, with background propagation. Before deleting it re-reads the Job from the
// API server and deletes with UID and resourceVersion preconditions, so a Job whose TTL was
// changed in the meantime is not deleted by a stale decision.
import type { KubeObject } from '../../api/types.ts';
import { parseTime } from '../../api/time.ts';
import type { Informer } from '../../client/informer.ts';
import { Controller, controllerUser } from './controller.ts';
import { itemBackoffMs, resyncPeriod, splitKey } from './controller-utils.ts';
import { KeyedSync, type SyncDone } from './keyed-sync.ts';
import { jobFinishedCondition } from './job-utils.ts';

/** kube-controller-manager's --concurrent-ttl-after-finished-syncs (default 5): keys synced at once. */
export const CONCURRENT_TTL_SYNCS = 5;

const JOB_KIND = { apiVersion: 'batch/v1', kind: 'Job' };

export class TTLAfterFinishedController extends Controller {
  protected readonly user = controllerUser('ttl-after-finished-controller');
  private jobInformer!: Informer;
  private keyed!: KeyedSync;

  protected setup(): void {
    this.keyed = this.keyedSync({ workers: CONCURRENT_TTL_SYNCS, sync: (k, d) => this.processJob(k, d), enqueue: (k) => this.enqueue(k), backoffMs: itemBackoffMs, logName: 'ttl-after-finished.sync-error' });
    this.jobInformer = this.informer({ kind: JOB_KIND, resyncPeriod: resyncPeriod(this.ctx.random('resync')), name: 'jobs' });
    const wake = (job: KubeObject) => {
      if (needsCleanup(job)) this.enqueue(`${job.metadata.namespace ?? ''}/${job.metadata.name}`);
    };
    this.jobInformer.addHandlers({ add: wake, update: (_old, cur) => wake(cur) });
  }

  protected reconcile(key: string): void {
    this.keyed.run(key);
  }

  override snapshot(): unknown {
    return { ...(super.snapshot() as object), ...this.keyed?.snapshot() };
  }

  /**
   * processJob: if the cached Job has expired, check again against a fresh GET and delete it
   * with preconditions; if it has not, wake up when it does.
   */
  private processJob(key: string, done: SyncDone): void {
    const [ns, name] = splitKey(key);
    const cached = this.jobInformer.get(ns, name);
    if (!cached || !needsCleanup(cached)) return done();
    const left = this.timeLeft(cached);
    if (left === undefined) return done(`unable to find the time when the Job ${ns}/${name} finished`);
    if (left > 0) return done(undefined, left);
    this.client.get(JOB_KIND, ns, name, (r) => {
      if (!r.ok) return done(r.status.code === 404 ? undefined : r.status.message);
      const fresh = r.object;
      if (!needsCleanup(fresh)) return done();
      const freshLeft = this.timeLeft(fresh);
      if (freshLeft === undefined) return done(`unable to find the time when the Job ${ns}/${name} finished`);
      if (freshLeft > 0) return done(undefined, freshLeft);
      this.ctx.log('ttl-after-finished.delete', { job: key });
      const opts = { propagationPolicy: 'Background' as const, preconditions: { uid: fresh.metadata.uid, resourceVersion: fresh.metadata.resourceVersion } };
      this.client.delete(JOB_KIND, ns, name, opts, (d) => done(d.ok || d.status.code === 404 ? undefined : d.status.message));
    });
  }

  /** processTTL / timeLeft: ms until finish time + TTL (≤ 0 = expired); undefined without a finish time. */
  private timeLeft(job: KubeObject): number | undefined {
    const finishAt = jobFinishTime(job);
    if (finishAt === undefined) return undefined;
    return finishAt + job.spec.ttlSecondsAfterFinished * 1000 - this.ctx.now();
  }
}

/** needsCleanup: a finished Job with ttlSecondsAfterFinished, not already being deleted. */
function needsCleanup(job: KubeObject): boolean {
  const ttl = job.spec?.ttlSecondsAfterFinished;
  return ttl !== undefined && ttl !== null && !!jobFinishedCondition(job) && !job.metadata.deletionTimestamp;
}

/** jobFinishTime: the lastTransitionTime of the Complete or Failed condition. */
function jobFinishTime(job: KubeObject): number | undefined {
  const t = jobFinishedCondition(job)?.lastTransitionTime;
  return t ? parseTime(t) : undefined;
}
