// Pure helpers of the Job controller, after pkg/controller/job: indexed_job_utils.go (completion
// indexes and their interval notation), backoff_utils.go (the pod-failure back-off record),
// pod_failure_policy.go, success_policy.go and the condition helpers of job_controller.go.
import type { KubeObject } from '../../api/types.ts';
import { getPodCondition } from '../../api/podutil.ts';
import { parseTime } from '../../api/time.ts';

export const JOB_TRACKING_FINALIZER = 'batch.kubernetes.io/job-tracking';
export const JOB_COMPLETION_INDEX_ANNOTATION = 'batch.kubernetes.io/job-completion-index';
export const JOB_INDEX_FAILURE_COUNT_ANNOTATION = 'batch.kubernetes.io/job-index-failure-count';
export const JOB_INDEX_IGNORED_FAILURE_COUNT_ANNOTATION = 'batch.kubernetes.io/job-index-ignored-failure-count';
export const COMPLETION_INDEX_ENV_NAME = 'JOB_COMPLETION_INDEX';
export const UNKNOWN_COMPLETION_INDEX = -1;
/** DefaultJobPodFailureBackOff. */
export const DEFAULT_JOB_POD_FAILURE_BACKOFF_MS = 10_000;
/**
 * MaxJobPodFailureBackOff as the Job documentation states it ("capped at six minutes"); the
 * controller source of v1.31+ raised the constant to 10 min.
 */
export const MAX_JOB_POD_FAILURE_BACKOFF_MS = 360_000;

export interface JobCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastProbeTime?: string;
  lastTransitionTime?: string;
  reason?: string;
  message?: string;
}

// ---------------------------------------------------------------------- completion indexes

export interface Interval {
  first: number;
  last: number;
}

/** orderedIntervals: sorted, non-overlapping, non-adjacent index ranges. */
export type OrderedIntervals = Interval[];

export function isIndexedJob(job: KubeObject): boolean {
  return job.spec?.completionMode === 'Indexed';
}

/** getCompletionIndex: the pod's completion index annotation, or -1. */
export function getCompletionIndex(pod: KubeObject): number {
  const v = pod.metadata.annotations?.[JOB_COMPLETION_INDEX_ANNOTATION];
  if (v === undefined || !/^\+?\d+$/.test(v)) return UNKNOWN_COMPLETION_INDEX;
  return Number(v);
}

/** withOrderedIndexes: the intervals with `indexes` (sorted ascending) merged in. */
export function withOrderedIndexes(oi: OrderedIntervals, indexes: number[]): OrderedIntervals {
  const result: OrderedIntervals = [];
  const push = (iv: Interval) => {
    const last = result[result.length - 1];
    if (!last || iv.first > last.last + 1) result.push({ ...iv });
    else if (last.last < iv.last) last.last = iv.last;
  };
  let i = 0;
  let j = 0;
  while (i < oi.length && j < indexes.length) {
    if (oi[i].first < indexes[j]) push(oi[i++]);
    else { push({ first: indexes[j], last: indexes[j] }); j++; }
  }
  while (i < oi.length) push(oi[i++]);
  while (j < indexes.length) { push({ first: indexes[j], last: indexes[j] }); j++; }
  return result;
}

export function intervalsTotal(oi: OrderedIntervals): number {
  return oi.reduce((n, iv) => n + iv.last - iv.first + 1, 0);
}

export function intervalsHas(oi: OrderedIntervals, ix: number): boolean {
  return oi.some((iv) => iv.first <= ix && ix <= iv.last);
}

/** orderedIntervals.String: "1,3-5,7,8" — two adjacent indexes are listed, three or more are a range. */
export function intervalsString(oi: OrderedIntervals): string {
  return oi.map((iv) => (iv.last === iv.first ? `${iv.first}` : `${iv.first}${iv.last === iv.first + 1 ? ',' : '-'}${iv.last}`)).join(',');
}

/** parseIndexesFromString: "1,3-5" → intervals, ignoring corrupt parts and indexes ≥ completions. */
export function parseIndexes(s: string | undefined | null, completions: number): OrderedIntervals {
  if (!s) return [];
  const result: OrderedIntervals = [];
  for (const part of s.split(',')) {
    const [a, b] = part.split('-');
    const first = Number.parseInt(a, 10);
    if (!Number.isFinite(first)) continue;
    if (first >= completions) break;
    let last = b === undefined ? first : Number.parseInt(b, 10);
    if (!Number.isFinite(last)) continue;
    if (last >= completions) last = completions - 1;
    const prev = result[result.length - 1];
    if (prev && prev.last === first - 1) prev.last = last;
    else result.push({ first, last });
  }
  return result;
}

/** firstPendingIndexes: `count` indexes below `completions` that are neither active nor done. */
export function firstPendingIndexes(activePods: KubeObject[], nonPending: OrderedIntervals, count: number, completions: number): number[] {
  if (count === 0) return [];
  const active = [...new Set(activePods.map(getCompletionIndex).filter((i) => i !== UNKNOWN_COMPLETION_INDEX))].sort((a, b) => a - b);
  const taken = withOrderedIndexes(nonPending, active);
  const result: number[] = [];
  let candidate = 0;
  for (const iv of taken) {
    for (; candidate < completions && result.length < count && candidate < iv.first; candidate++) result.push(candidate);
    if (candidate < iv.last + 1) candidate = iv.last + 1;
  }
  for (; candidate < completions && result.length < count; candidate++) result.push(candidate);
  return result;
}

// ---------------------------------------------------------------------- pod failure policy

export interface PodFailurePolicyMatch {
  /** A FailJob rule matched: the Job fails with this message. */
  failJobMessage?: string;
  /** False when an Ignore rule matched (the failure does not count towards backoffLimit). */
  countFailed: boolean;
  action?: 'FailJob' | 'FailIndex' | 'Ignore' | 'Count';
}

/** matchPodFailurePolicy: the first rule (in order) that matches the failed pod. */
export function matchPodFailurePolicy(policy: any, pod: KubeObject): PodFailurePolicyMatch {
  if (!policy) return { countFailed: true };
  const rules: any[] = policy.rules ?? [];
  for (let index = 0; index < rules.length; index++) {
    const rule = rules[index];
    let failMessage: string | undefined;
    if (rule.onExitCodes) {
      const cs = matchOnExitCodes(pod, rule.onExitCodes);
      if (!cs) continue;
      failMessage = `Container ${cs.name} for pod ${pod.metadata.namespace}/${pod.metadata.name} failed with exit code ${cs.state.terminated.exitCode} matching ${rule.action} rule at index ${index}`;
    } else if (rule.onPodConditions) {
      const cond = matchOnPodConditions(pod, rule.onPodConditions);
      if (!cond) continue;
      failMessage = `Pod ${pod.metadata.namespace}/${pod.metadata.name} has condition ${cond.type} matching ${rule.action} rule at index ${index}`;
    } else continue;
    switch (rule.action) {
      case 'Ignore': return { countFailed: false, action: 'Ignore' };
      case 'Count': return { countFailed: true, action: 'Count' };
      case 'FailIndex': return { countFailed: true, action: 'FailIndex' };
      case 'FailJob': return { failJobMessage: failMessage, countFailed: true, action: 'FailJob' };
    }
  }
  return { countFailed: true };
}

function matchOnExitCodes(pod: KubeObject, req: any): any {
  const match = (list: any[] | undefined) => (list ?? []).find((cs) => {
    const t = cs.state?.terminated;
    if (!t || t.exitCode === 0) return false;
    if (req.containerName && req.containerName !== cs.name) return false;
    const values: number[] = req.values ?? [];
    return req.operator === 'In' ? values.includes(t.exitCode) : req.operator === 'NotIn' ? !values.includes(t.exitCode) : false;
  });
  return match(pod.status?.containerStatuses) ?? match(pod.status?.initContainerStatuses);
}

function matchOnPodConditions(pod: KubeObject, patterns: any[]): any {
  for (const c of pod.status?.conditions ?? []) {
    for (const p of patterns) if (c.type === p.type && c.status === (p.status ?? 'True')) return c;
  }
  return undefined;
}

// ---------------------------------------------------------------------- success policy

/** matchSuccessPolicy (success_policy.go): "Matched rules at index N" for the first rule met. */
export function matchSuccessPolicy(policy: any, completions: number, succeeded: OrderedIntervals): string | undefined {
  if (!policy || succeeded.length === 0) return undefined;
  const rules: any[] = policy.rules ?? [];
  for (let index = 0; index < rules.length; index++) {
    const rule = rules[index];
    if (rule.succeededIndexes !== undefined && rule.succeededIndexes !== null) {
      const required = parseIndexes(rule.succeededIndexes, completions);
      if (required.length === 0) continue;
      let contains = 0;
      for (const r of required) for (const s of succeeded) contains += Math.max(0, Math.min(r.last, s.last) - Math.max(r.first, s.first) + 1);
      if (contains === intervalsTotal(required) || (rule.succeededCount !== undefined && contains >= rule.succeededCount)) return `Matched rules at index ${index}`;
    } else if (rule.succeededCount !== undefined && intervalsTotal(succeeded) >= rule.succeededCount) {
      return `Matched rules at index ${index}`;
    }
  }
  return undefined;
}

// ---------------------------------------------------------------------- pods

export function hasJobTrackingFinalizer(pod: KubeObject): boolean {
  return (pod.metadata.finalizers ?? []).includes(JOB_TRACKING_FINALIZER);
}

/** onlyReplaceFailedPods: podReplacementPolicy Failed, or any podFailurePolicy. */
export function onlyReplaceFailedPods(job: KubeObject): boolean {
  return job.spec?.podReplacementPolicy === 'Failed' || !!job.spec?.podFailurePolicy;
}

/** isPodFailed: phase Failed, or (unless only failed pods are replaced) deleted before succeeding. */
export function isPodFailed(pod: KubeObject, job: KubeObject): boolean {
  if (pod.status?.phase === 'Failed') return true;
  if (onlyReplaceFailedPods(job)) return false;
  return !!pod.metadata.deletionTimestamp && pod.status?.phase !== 'Succeeded';
}

/** IsPodTerminating: being deleted and not yet terminal. */
export function isPodTerminating(pod: KubeObject): boolean {
  const phase = pod.status?.phase;
  return !!pod.metadata.deletionTimestamp && phase !== 'Succeeded' && phase !== 'Failed';
}

/**
 * getFinishedTime (backoff_utils.go): the latest container finishedAt when every container has
 * terminated; else the Ready=False transition; else deletionTimestamp − grace; else creation.
 */
export function getFinishedTime(pod: KubeObject): number {
  const statuses: any[] = pod.status?.containerStatuses ?? [];
  let latest: number | undefined;
  let all = statuses.length > 0;
  for (const cs of statuses) {
    const at = cs.state?.terminated?.finishedAt;
    if (!at) { all = false; break; }
    latest = Math.max(latest ?? -Infinity, parseTime(at));
  }
  if (all && latest !== undefined) return latest;
  const ready = getPodCondition(pod, 'Ready');
  if (ready?.status === 'False' && ready.lastTransitionTime) return parseTime(ready.lastTransitionTime);
  if (pod.metadata.deletionTimestamp) return parseTime(pod.metadata.deletionTimestamp) - (pod.metadata.deletionGracePeriodSeconds ?? 0) * 1000;
  return parseTime(pod.metadata.creationTimestamp ?? '');
}

/** The pod-failure back-off of one Job: failures since the last success and when the last one was. */
export interface BackoffRecord {
  failuresAfterLastSuccess: number;
  lastFailureTime?: number;
}

/** backoffStore.newBackoffRecord: folds newly finished pods into the previous record. */
export function newBackoffRecord(prev: BackoffRecord | undefined, newSucceeded: KubeObject[], newFailed: KubeObject[]): BackoffRecord {
  const rec: BackoffRecord = { failuresAfterLastSuccess: prev?.failuresAfterLastSuccess ?? 0, lastFailureTime: prev?.lastFailureTime };
  const failedTimes = newFailed.map(getFinishedTime).sort((a, b) => a - b);
  if (newSucceeded.length === 0) {
    if (failedTimes.length === 0) return rec;
    return { failuresAfterLastSuccess: rec.failuresAfterLastSuccess + failedTimes.length, lastFailureTime: failedTimes[failedTimes.length - 1] };
  }
  const lastSuccess = Math.max(...newSucceeded.map(getFinishedTime));
  const out: BackoffRecord = { failuresAfterLastSuccess: 0 };
  for (let i = failedTimes.length - 1; i >= 0 && failedTimes[i] > lastSuccess; i--) {
    out.lastFailureTime ??= failedTimes[i];
    out.failuresAfterLastSuccess++;
  }
  return out;
}

/**
 * getRemainingTimeForFailuresCount: 10 s after the first failure, doubling per further failure
 * up to the cap, counted from the last failure. Worked example: 3 failures → 40 s after the third.
 */
export function backoffRemainingMs(nowMs: number, failures: number, lastFailureTime: number | undefined,
  base = DEFAULT_JOB_POD_FAILURE_BACKOFF_MS, max = MAX_JOB_POD_FAILURE_BACKOFF_MS): number {
  if (failures === 0 || lastFailureTime === undefined) return 0;
  let backoff = base;
  for (let i = 1; i < failures; i++) {
    backoff *= 2;
    if (backoff >= max) { backoff = max; break; }
  }
  const elapsed = nowMs - lastFailureTime;
  return backoff < elapsed ? 0 : backoff - elapsed;
}

/** pastBackoffLimitOnFailure: restartPolicy OnFailure counts container restarts of live pods. */
export function pastBackoffLimitOnFailure(job: KubeObject, pods: KubeObject[]): boolean {
  if (job.spec?.template?.spec?.restartPolicy !== 'OnFailure') return false;
  let restarts = 0;
  for (const p of pods) {
    if (p.status?.phase !== 'Running' && p.status?.phase !== 'Pending') continue;
    for (const cs of [...(p.status?.initContainerStatuses ?? []), ...(p.status?.containerStatuses ?? [])]) restarts += cs.restartCount ?? 0;
  }
  const limit = job.spec?.backoffLimit ?? 6;
  return limit === 0 ? restarts > 0 : restarts >= limit;
}

/** controller.ActivePods ordering: unscheduled < scheduled, Pending < Unknown < Running, not ready < ready. */
export function compareActivePodsForRemoval(a: KubeObject, b: KubeObject): number {
  const scheduled = (p: KubeObject) => (p.spec?.nodeName ? 1 : 0);
  const phase = (p: KubeObject) => ({ Pending: 0, Unknown: 1, Running: 2 } as Record<string, number>)[p.status?.phase ?? 'Pending'] ?? 0;
  const ready = (p: KubeObject) => (getPodCondition(p, 'Ready')?.status === 'True' ? 1 : 0);
  return scheduled(a) - scheduled(b) || phase(a) - phase(b) || ready(a) - ready(b)
    || (parseTime(b.metadata.creationTimestamp ?? '') - parseTime(a.metadata.creationTimestamp ?? ''))
    || (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0);
}

// ---------------------------------------------------------------------- conditions

export function findCondition(job: KubeObject, type: string): JobCondition | undefined {
  return (job.status?.conditions ?? []).find((c: JobCondition) => c.type === type);
}

/** IsJobFinished: a Complete or Failed condition that is True. */
export function jobFinishedCondition(job: KubeObject): JobCondition | undefined {
  return (job.status?.conditions ?? []).find((c: JobCondition) => (c.type === 'Complete' || c.type === 'Failed') && c.status === 'True');
}

export function newCondition(type: string, status: JobCondition['status'], reason: string, message: string, now: string): JobCondition {
  return { type, status, lastProbeTime: now, lastTransitionTime: now, reason, message };
}

/** ensureJobConditionStatus: sets a condition (a False one is never added from nothing). */
export function ensureJobConditionStatus(list: JobCondition[], type: string, status: JobCondition['status'], reason: string, message: string, now: string): { list: JobCondition[]; changed: boolean } {
  const i = list.findIndex((c) => c.type === type);
  if (i >= 0) {
    const c = list[i];
    if (c.status === status && c.reason === reason && c.message === message) return { list, changed: false };
    const out = [...list];
    out[i] = newCondition(type, status, reason, message, now);
    return { list: out, changed: true };
  }
  if (status === 'False') return { list, changed: false };
  return { list: [...list, newCondition(type, status, reason, message, now)], changed: true };
}
