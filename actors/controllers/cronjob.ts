// The CronJob controller (pkg/controller/cronjob/cronjob_controllerv2.go, utils.go): creates a
// Job for each scheduled time on the virtual clock. sync cleans up finished Jobs beyond the
// history limits, then syncCronJob reconciles the active list (SawCompletedJob, MissingJob,
// lastSuccessfulTime), finds the most recent unmet schedule time (startingDeadlineSeconds, the
// "too many missed start times" warning), applies the concurrency policy (Allow, Forbid,
// Replace), creates `<cronjob>-<scheduled time in minutes since the Unix epoch>`, records it
// in status.active and lastScheduleTime, and requeues for the next schedule time + 100 ms.
import { deepEqual } from '../../api/equal.ts';
import type { KubeObject } from '../../api/types.ts';
import { clone } from '../../api/equal.ts';
import { DEFAULT_EPOCH, formatTime, parseTime } from '../../api/time.ts';
import { EventRecorder } from '../../client/events.ts';
import type { Informer } from '../../client/informer.ts';
import { Controller, controllerUser } from './controller.ts';
import { getControllerOf, hasStatusCause, itemBackoffMs, newControllerRef, resyncPeriod, splitKey } from './controller-utils.ts';
import { KeyedSync, type SyncDone } from './keyed-sync.ts';
import { jobFinishedCondition } from './job-utils.ts';
import { parseCronSchedule, type CronSchedule } from './cronjob-schedule.ts';

/** kube-controller-manager's --concurrent-cron-job-syncs (default 5): keys synced at once. */
export const CONCURRENT_CRONJOB_SYNCS = 5;

/** nextScheduleDelta: the controller wakes 100 ms after a schedule time. */
export const NEXT_SCHEDULE_DELTA_MS = 100;
/** More missed start times than this are reported as TooManyMissedTimes. */
export const MAX_MISSED_START_TIMES = 100;
export const CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION = 'batch.kubernetes.io/cronjob-scheduled-timestamp';

const CRONJOB_KIND = { apiVersion: 'batch/v1', kind: 'CronJob' };
const JOB_KIND = { apiVersion: 'batch/v1', kind: 'Job' };

type Step = (next: (err?: string) => void) => void;

/** One sync's working state: the CronJob copy that collects every status change. */
interface SyncState {
  cj: KubeObject;
  updateStatus: boolean;
}

export class CronJobController extends Controller {
  protected readonly user = controllerUser('cronjob-controller');
  private cjInformer!: Informer;
  private jobInformer!: Informer;
  private recorder!: EventRecorder;
  private keyed!: KeyedSync;

  protected setup(): void {
    this.recorder = new EventRecorder(this.client, () => this.ctx.now(), { component: 'cronjob-controller' }, this.ctx.random('events'));
    this.keyed = this.keyedSync({ workers: CONCURRENT_CRONJOB_SYNCS, sync: (k, d) => this.sync(k, d), enqueue: (k) => this.enqueue(k), backoffMs: itemBackoffMs, logName: 'cronjob.sync-error' });
    const resync = resyncPeriod(this.ctx.random('resync'));
    this.cjInformer = this.informer({ kind: CRONJOB_KIND, resyncPeriod: resync, name: 'cronjobs' });
    this.jobInformer = this.informer({ kind: JOB_KIND, resyncPeriod: resync, name: 'jobs' });
    this.cjInformer.addHandlers({ add: (cj) => this.enqueue(keyOf(cj)), update: (o, c) => this.updateCronJob(o, c), delete: (cj) => this.enqueue(keyOf(cj)) });
    this.jobInformer.addHandlers({
      add: (j) => this.wakeOwner(j),
      update: (o, c) => {
        if (o.metadata.resourceVersion === c.metadata.resourceVersion) return;
        if (!deepEqual(getControllerOf(o) ?? null, getControllerOf(c) ?? null)) this.wakeOwner(o);
        this.wakeOwner(c);
      },
      delete: (j) => this.wakeOwner(j),
    });
  }

  protected reconcile(key: string): void {
    this.keyed.run(key);
  }

  override snapshot(): unknown {
    return { ...(super.snapshot() as object), ...this.keyed?.snapshot() };
  }

  private wakeOwner(job: KubeObject): void {
    const ref = getControllerOf(job);
    if (!ref || ref.kind !== 'CronJob') return;
    const cj = this.cjInformer.get(job.metadata.namespace, ref.name);
    if (cj && cj.metadata.uid === ref.uid) this.enqueue(keyOf(cj));
  }

  /** updateCronJob: a new schedule or time zone requeues for its next time; anything else syncs now. */
  private updateCronJob(old: KubeObject, cur: KubeObject): void {
    if (old.spec?.schedule === cur.spec?.schedule && old.spec?.timeZone === cur.spec?.timeZone) {
      this.enqueue(keyOf(cur));
      return;
    }
    let sched: CronSchedule;
    try {
      sched = parseCronSchedule(cur.spec.schedule, cur.spec.timeZone);
    } catch {
      this.recorder.event(cur, 'Warning', 'UnParseableCronJobSchedule', `unparseable schedule for cronjob: ${cur.spec.schedule}`);
      return;
    }
    this.keyed.addAfter(keyOf(cur), this.nextScheduleTimeDuration(cur, this.unixNow(), sched));
  }

  private unixNow(): number {
    return DEFAULT_EPOCH + this.ctx.now();
  }

  // ------------------------------------------------------------------ sync

  private sync(key: string, done: SyncDone): void {
    const [ns, name] = splitKey(key);
    const cronJob = this.cjInformer.get(ns, name);
    if (!cronJob) {
      this.keyed.forget(key);
      return done();
    }
    const jobs = this.jobInformer.list(ns).filter((j) => getControllerOf(j)?.name === cronJob.metadata.name);
    const state: SyncState = { cj: clone(cronJob), updateStatus: false };
    state.cj.status ??= {};
    this.cleanupFinishedJobs(state, jobs, () => {
      this.syncCronJob(state, jobs, (requeueAfter, syncErr) => {
        if (syncErr) this.ctx.log('cronjob.sync', { cronjob: key, error: syncErr });
        const finish = () => (requeueAfter !== undefined ? done(undefined, requeueAfter) : done(syncErr));
        if (!state.updateStatus) return finish();
        this.client.updateStatus(state.cj, (r) => (r.ok ? finish() : done(r.status.message)));
      });
    });
  }

  /** cleanupFinishedJobs: deletes the oldest finished Jobs beyond successful/failedJobsHistoryLimit. */
  private cleanupFinishedJobs(state: SyncState, jobs: KubeObject[], done: () => void): void {
    const spec = state.cj.spec ?? {};
    const succeeded = jobs.filter((j) => jobFinishedCondition(j)?.type === 'Complete');
    const failed = jobs.filter((j) => jobFinishedCondition(j)?.type === 'Failed');
    const doomed = [...oldest(succeeded, spec.successfulJobsHistoryLimit), ...oldest(failed, spec.failedJobsHistoryLimit)];
    series(doomed.map((j): Step => (next) => this.deleteJob(state, j, () => next())), () => done());
  }

  /** syncCronJob: reconcile the active list, then maybe start the Job of the latest schedule time. */
  private syncCronJob(state: SyncState, jobs: KubeObject[], done: (requeueAfter: number | undefined, err?: string) => void): void {
    const children = new Set(jobs.map((j) => j.metadata.uid));
    const steps: Step[] = jobs.map((j) => (next) => this.reconcileChildJob(state, j, next));
    for (const ref of [...(state.cj.status.active ?? [])]) {
      if (children.has(ref.uid)) continue;
      steps.push((next) => this.client.get(JOB_KIND, ref.namespace, ref.name, (r) => {
        if (r.ok) return next();
        if (r.status.code !== 404) return next(r.status.message);
        this.recorder.event(state.cj, 'Normal', 'MissingJob', `Active job went missing: ${ref.name}`);
        deleteFromActiveList(state.cj, ref.uid);
        state.updateStatus = true;
        next();
      }));
    }
    series(steps, (err) => {
      if (err) return done(undefined, err);
      this.scheduleNext(state, done);
    });
  }

  /** The per-Job part of syncCronJob: UnexpectedJob, SawCompletedJob, lastSuccessfulTime. */
  private reconcileChildJob(state: SyncState, j: KubeObject, next: (err?: string) => void): void {
    const found = inActiveList(state.cj, j.metadata.uid!);
    const finished = jobFinishedCondition(j);
    if (!found && !finished) {
      this.client.get(CRONJOB_KIND, state.cj.metadata.namespace, state.cj.metadata.name!, (r) => {
        if (!r.ok) return next(r.status.message);
        if (inActiveList(r.object, j.metadata.uid!)) {
          state.cj = clone(r.object);
          state.cj.status ??= {};
          return next();
        }
        this.recorder.event(state.cj, 'Warning', 'UnexpectedJob', `Saw a job that the controller did not create or forgot: ${j.metadata.name}`);
        next();
      });
      return;
    }
    if (found && finished) {
      deleteFromActiveList(state.cj, j.metadata.uid!);
      this.recorder.event(state.cj, 'Normal', 'SawCompletedJob', `Saw completed job: ${j.metadata.name}, status: ${finished.type}`);
      state.updateStatus = true;
    } else if (finished?.type === 'Complete' && j.status?.completionTime) {
      const last = state.cj.status.lastSuccessfulTime;
      if (!last || parseTime(j.status.completionTime) > parseTime(last)) {
        state.cj.status.lastSuccessfulTime = j.status.completionTime;
        state.updateStatus = true;
      }
    }
    next();
  }

  /** The scheduling half of syncCronJob, after the active list is reconciled. */
  private scheduleNext(state: SyncState, done: (requeueAfter: number | undefined, err?: string) => void): void {
    const cj = state.cj;
    if (cj.metadata.deletionTimestamp || cj.spec?.suspend) return done(undefined);
    const now = this.unixNow();
    let sched: CronSchedule;
    try {
      sched = parseCronSchedule(cj.spec.schedule, cj.spec.timeZone);
    } catch (e) {
      if (cj.spec.timeZone && e instanceof RangeError) {
        this.recorder.event(cj, 'Warning', 'UnknownTimeZone', `invalid timeZone: "${cj.spec.timeZone}": unknown time zone ${cj.spec.timeZone}`);
      } else {
        this.recorder.event(cj, 'Warning', 'UnparseableSchedule', `unparseable schedule: "${cj.spec.schedule}" : ${(e as Error).message}`);
      }
      return done(undefined);
    }
    const r = mostRecentScheduleTime(cj, now, sched, true);
    if (r.error) {
      this.recorder.event(cj, 'Warning', 'InvalidSchedule', `invalid schedule: ${cj.spec.schedule} : ${r.error}`);
      return done(undefined);
    }
    if (r.mostRecent !== undefined && r.missed > MAX_MISSED_START_TIMES) {
      this.recorder.event(cj, 'Warning', 'TooManyMissedTimes', `too many missed start times: ${r.missed}. Set or decrease .spec.startingDeadlineSeconds or check clock skew`);
    }
    const scheduled = r.mostRecent;
    const requeue = () => done(this.nextScheduleTimeDuration(cj, now, sched));
    if (scheduled === undefined || scheduled > now) return requeue();
    const sds = cj.spec.startingDeadlineSeconds;
    if (sds !== undefined && sds !== null && scheduled + sds * 1000 < now) {
      this.recorder.event(cj, 'Warning', 'MissSchedule', `Missed scheduled time to start a job: ${formatRFC1123Z(scheduled)}`);
      return requeue();
    }
    const jobName = getJobName(cj, scheduled);
    const last = cj.status.lastScheduleTime;
    if ((cj.status.active ?? []).some((a: any) => a.name === jobName) || (last && parseTime(last, 0) === scheduled)) return requeue();
    if (cj.spec.concurrencyPolicy === 'Forbid' && (cj.status.active ?? []).length > 0) {
      this.recorder.event(cj, 'Normal', 'JobAlreadyActive', 'Not starting job because prior execution is running and concurrency policy is Forbid');
      return requeue();
    }
    const replace: Step[] = cj.spec.concurrencyPolicy !== 'Replace' ? [] : (cj.status.active ?? []).map((ref: any): Step => (next) => {
      this.client.get(JOB_KIND, ref.namespace, ref.name, (g) => {
        if (!g.ok) {
          this.recorder.event(cj, 'Warning', 'FailedGet', `Get job: ${g.status.message}`);
          return next(g.status.message);
        }
        this.deleteJob(state, g.object, (ok) => next(ok ? undefined : `could not replace job ${ref.namespace}/${ref.name}`));
      });
    });
    series(replace, (err) => {
      if (err) return done(undefined, err);
      this.createJob(state, scheduled, (createErr) => (createErr === null ? done(undefined) : createErr ? done(undefined, createErr) : requeue()));
    });
  }

  /**
   * Creates the Job for `scheduled` and records it in status.active and lastScheduleTime.
   * Answers undefined (created or recorded), null (stop without requeue) or an error.
   */
  private createJob(state: SyncState, scheduled: number, cb: (err: string | undefined | null) => void): void {
    const cj = state.cj;
    const req = getJobFromTemplate(cj, scheduled);
    const record = (job: KubeObject) => {
      cj.status.active = [...(cj.status.active ?? []), jobReference(job)];
      cj.status.lastScheduleTime = formatTime(scheduled - DEFAULT_EPOCH);
      state.updateStatus = true;
      cb(undefined);
    };
    this.client.create(req, (r) => {
      if (r.ok) {
        this.recorder.event(cj, 'Normal', 'SuccessfulCreate', `Created job ${r.object.metadata.name}`);
        return record(r.object);
      }
      if (hasStatusCause(r.status, 'NamespaceTerminating')) return cb(r.status.message);
      if (r.status.code !== 409 || r.status.reason !== 'AlreadyExists') {
        this.recorder.event(cj, 'Warning', 'FailedCreate', `Error creating job: ${r.status.message}`);
        return cb(r.status.message);
      }
      this.client.get(JOB_KIND, req.metadata.namespace, req.metadata.name!, (g) => {
        if (!g.ok) return cb(g.status.message);
        if (getControllerOf(g.object)?.uid !== cj.metadata.uid || inActiveList(cj, g.object.metadata.uid!)) return cb(null);
        record(g.object);
      });
    });
  }

  /** deleteJob: deletes a Job (background propagation) and drops it from the active list. */
  private deleteJob(state: SyncState, job: KubeObject, cb: (ok: boolean) => void): void {
    this.client.delete(JOB_KIND, job.metadata.namespace, job.metadata.name!, { propagationPolicy: 'Background' }, (r) => {
      if (!r.ok) {
        this.recorder.event(state.cj, 'Warning', 'FailedDelete', `Deleted job: ${r.status.message}`);
        return cb(false);
      }
      deleteFromActiveList(state.cj, job.metadata.uid!);
      this.recorder.event(state.cj, 'Normal', 'SuccessfulDelete', `Deleted job ${job.metadata.name}`);
      state.updateStatus = true;
      cb(true);
    });
  }

  /** nextScheduleTimeDuration: virtual ms until 100 ms after the next schedule time. */
  private nextScheduleTimeDuration(cj: KubeObject, now: number, sched: CronSchedule): number {
    const r = mostRecentScheduleTime(cj, now, sched, false);
    const from = r.error ? now : r.mostRecent ?? (r.missed === 0 ? r.earliest : now);
    const next = sched.next(from);
    return next === undefined ? 24 * 3_600_000 : next + NEXT_SCHEDULE_DELTA_MS - now;
  }
}

// ---------------------------------------------------------------------- helpers (utils.go)

function keyOf(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}

/** Runs steps one after another; the first error stops the run. */
function series(steps: Step[], done: (err?: string) => void): void {
  const run = (i: number): void => {
    if (i >= steps.length) return done();
    steps[i]((err) => (err ? done(err) : run(i + 1)));
  };
  run(0);
}

function inActiveList(cj: KubeObject, uid: string): boolean {
  return (cj.status?.active ?? []).some((a: any) => a.uid === uid);
}

function deleteFromActiveList(cj: KubeObject, uid: string): void {
  cj.status.active = (cj.status.active ?? []).filter((a: any) => a.uid !== uid);
  if (cj.status.active.length === 0) delete cj.status.active;
}

/** The `n` oldest of `jobs` beyond `limit`, by status.startTime then name (byJobStartTime). */
function oldest(jobs: KubeObject[], limit: number | undefined | null): KubeObject[] {
  if (limit === undefined || limit === null || jobs.length <= limit) return [];
  const sorted = [...jobs].sort((a, b) => {
    const sa = a.status?.startTime;
    const sb = b.status?.startTime;
    if (!sb) return sa ? -1 : 0;
    if (!sa) return 1;
    return parseTime(sa) - parseTime(sb) || (a.metadata.name! < b.metadata.name! ? -1 : 1);
  });
  return sorted.slice(0, jobs.length - limit);
}

export interface MostRecentSchedule {
  /** The time counted from (Unix ms): lastScheduleTime, or creation, or now − startingDeadlineSeconds. */
  earliest: number;
  /** The latest schedule time ≤ now, if any was missed. */
  mostRecent?: number;
  /** About how many schedule times were missed since `earliest`. */
  missed: number;
  error?: string;
}

/**
 * mostRecentScheduleTime (utils.go), in Unix ms. Worked example: `*\/30 * * * *` created at
 * 00:00 and synced at 02:10 → missed 4 (00:30 … 02:00), most recent 02:00.
 */
export function mostRecentScheduleTime(cj: KubeObject, now: number, sched: CronSchedule, includeStartingDeadline: boolean): MostRecentSchedule {
  const last = cj.status?.lastScheduleTime;
  let earliest = parseTime(last ?? cj.metadata.creationTimestamp, 0);
  const sds = cj.spec?.startingDeadlineSeconds;
  if (includeStartingDeadline && sds !== undefined && sds !== null) earliest = Math.max(earliest, now - sds * 1000);
  const t1 = sched.next(earliest);
  if (t1 === undefined || now < t1) return { earliest, missed: 0 };
  const t2 = sched.next(t1);
  if (t2 === undefined || now < t2) return { earliest, mostRecent: t1, missed: 1 };
  const between = Math.round((t2 - t1) / 1000);
  if (between < 1) return { earliest, missed: 0, error: 'time difference between two schedules is less than 1 second' };
  const missed = Math.floor(Math.trunc((now - t1) / 1000) / between) + 1;
  const potentialEarliest = t1 + (missed - 2) * between * 1000;
  let mostRecent: number | undefined;
  for (let t = sched.next(potentialEarliest); t !== undefined && t <= now; t = sched.next(t)) mostRecent = t;
  return { earliest, mostRecent, missed };
}

/** getJobName: `<cronjob>-<scheduled time in minutes since the Unix epoch>`. */
export function getJobName(cj: KubeObject, scheduledUnixMs: number): string {
  return `${cj.metadata.name}-${Math.floor(scheduledUnixMs / 60_000)}`;
}

/** getJobFromTemplate2: the Job of one schedule time, owned by the CronJob. */
function getJobFromTemplate(cj: KubeObject, scheduled: number): KubeObject {
  const tmpl = cj.spec?.jobTemplate ?? {};
  const annotations: Record<string, string> = { ...(tmpl.metadata?.annotations ?? {}) };
  annotations[CRONJOB_SCHEDULED_TIMESTAMP_ANNOTATION] = formatScheduledTimestamp(scheduled, cj.spec?.timeZone);
  return {
    apiVersion: 'batch/v1', kind: 'Job',
    metadata: {
      name: getJobName(cj, scheduled), namespace: cj.metadata.namespace,
      labels: { ...(tmpl.metadata?.labels ?? {}) }, annotations, ownerReferences: [newControllerRef(cj)],
    },
    spec: clone(tmpl.spec ?? {}),
  };
}

function jobReference(job: KubeObject): Record<string, string> {
  return { kind: 'Job', namespace: job.metadata.namespace!, name: job.metadata.name!, uid: job.metadata.uid!, apiVersion: 'batch/v1', resourceVersion: job.metadata.resourceVersion! };
}

/** RFC 3339 in the CronJob's time zone (UTC: `2025-01-01T00:30:00Z`). */
function formatScheduledTimestamp(unixMs: number, tz: string | undefined): string {
  if (!tz || tz === 'UTC' || tz === 'Etc/UTC') return formatTime(unixMs - DEFAULT_EPOCH);
  const parts = new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' }).formatToParts(new Date(unixMs));
  const g = (t: string) => parts.find((p) => p.type === t)!.value;
  const local = Date.UTC(+g('year'), +g('month') - 1, +g('day'), +g('hour'), +g('minute'), +g('second'));
  const off = Math.round((local - unixMs) / 60_000);
  const sign = off < 0 ? '-' : '+';
  const abs = Math.abs(off);
  return `${g('year')}-${g('month')}-${g('day')}T${g('hour')}:${g('minute')}:${g('second')}${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/** Go's time.RFC1123Z in UTC: `Wed, 01 Jan 2025 00:30:00 +0000`. */
export function formatRFC1123Z(unixMs: number): string {
  const d = new Date(unixMs);
  const days = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
  const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const p = (n: number) => String(n).padStart(2, '0');
  return `${days[d.getUTCDay()]}, ${p(d.getUTCDate())} ${months[d.getUTCMonth()]} ${d.getUTCFullYear()} ${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())} +0000`;
}
