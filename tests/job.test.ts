// Jobs end to end on real kubelets: pods run their commands, exit codes decide their phase.
// Sources: kubernetes/website concepts/workloads/controllers/job.md (pod back-off failure policy,
// completion mode, activeDeadlineSeconds, podFailurePolicy, TTL mechanism for finished Jobs),
// tasks/job/indexed-parallel-processing-static.md, pkg/controller/job/job_controller.go.
import { describe, expect, it } from 'vitest';
import { createCluster, parseTime, type Cluster, type KubeObject } from 'kubesim';
import {
  backoffRemainingMs, firstPendingIndexes, intervalsString, matchSuccessPolicy, parseIndexes, withOrderedIndexes,
} from '../actors/controllers/job-utils.ts';
import { jobLifecycleEvent, jobMachine } from '../machines/job.ts';
import { initialTransition, transition } from 'xstate';

const SEED = 1;

function job(name: string, spec: Record<string, unknown>, command: string[], image = 'busybox:1.36', restartPolicy = 'Never'): KubeObject {
  const { template, ...rest } = spec as any;
  return {
    apiVersion: 'batch/v1', kind: 'Job', metadata: { name },
    spec: { ...rest, template: { ...(template ?? {}), spec: { restartPolicy, containers: [{ name: 'main', image, command }] } } },
  };
}

function jobPods(c: Cluster, name: string): KubeObject[] {
  return c.list('pods').filter((p) => p.metadata.ownerReferences?.[0]?.name === name)
    .sort((a, b) => parseTime(a.metadata.creationTimestamp!) - parseTime(b.metadata.creationTimestamp!) || (a.metadata.name! < b.metadata.name! ? -1 : 1));
}

function condition(j: KubeObject, type: string): any {
  return (j.status?.conditions ?? []).find((x: any) => x.type === type);
}

function jobEvents(c: Cluster, name: string): string[] {
  return c.events().filter((e) => e.involvedObject.name === name && e.source?.component === 'job-controller').map((e) => `${e.reason}: ${e.message}`);
}

const finished = (name: string) => (c: Cluster) => !!condition(c.get('job', name), 'Complete') || !!condition(c.get('job', name), 'Failed');

describe('Job pod failure back-off and backoffLimit', () => {
  it('re-creates failed pods after 10 s, 20 s, 40 s and fails the Job with BackoffLimitExceeded after backoffLimit+1 pods', async () => {
    // job.md "Pod backoff failure policy": exponential back-off (10s, 20s, 40s ...); backoffLimit retries.
    const c = await createCluster({ seed: SEED });
    c.create(job('fail', { backoffLimit: 3 }, ['sh', '-c', 'sleep 5; exit 1']));
    const failedCounts: number[] = [];
    c.watch('jobs', (ev) => {
      const f = ev.object.status?.failed ?? 0;
      if (failedCounts[failedCounts.length - 1] !== f) failedCounts.push(f);
    });
    await c.runUntil(finished('fail'), { timeout: '10m' });
    const j = c.get('job', 'fail');
    const pods = jobPods(c, 'fail');
    expect(pods.length).toBe(4);
    for (const p of pods) expect(p.status.phase).toBe('Failed');
    // Each replacement is created the back-off after the previous pod's container finished.
    const gaps = pods.slice(1).map((p, i) => (parseTime(p.metadata.creationTimestamp!) - parseTime(pods[i].status.containerStatuses[0].state.terminated.finishedAt)) / 1000);
    expect(gaps).toEqual([10, 20, 40]);
    expect(failedCounts).toEqual([0, 1, 2, 3, 4]);
    expect(j.status.failed).toBe(4);
    expect(j.status.active ?? 0).toBe(0);
    expect(condition(j, 'FailureTarget')).toMatchObject({ status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });
    expect(condition(j, 'Failed')).toMatchObject({ status: 'True', reason: 'BackoffLimitExceeded', message: 'Job has reached the specified backoff limit' });
    expect(j.status.completionTime).toBeUndefined();
    expect(jobEvents(c, 'fail')).toContain('BackoffLimitExceeded: Job has reached the specified backoff limit');
    // Counted pods lose the batch.kubernetes.io/job-tracking finalizer.
    for (const p of pods) expect(p.metadata.finalizers ?? []).not.toContain('batch.kubernetes.io/job-tracking');
    c.close();
  });

  it('the back-off doubles from 10 s and is capped, counted from the last failure', () => {
    // pkg/controller/job/backoff_utils.go getRemainingTimeForFailuresCount.
    expect(backoffRemainingMs(100_000, 1, 100_000)).toBe(10_000);
    expect(backoffRemainingMs(100_000, 3, 95_000)).toBe(35_000);
    expect(backoffRemainingMs(100_000, 10, 100_000)).toBe(360_000);
    expect(backoffRemainingMs(100_000, 0, undefined)).toBe(0);
  });
});

describe('Job completions and parallelism', () => {
  it('runs 5 completions at most 2 at a time and completes with CompletionsReached', async () => {
    // job.md "Parallel execution for Jobs": fixed completion count; parallelism caps active pods.
    const c = await createCluster({ seed: SEED });
    c.create(job('par', { completions: 5, parallelism: 2 }, ['sh', '-c', 'sleep 3']));
    let maxActive = 0;
    c.watch('jobs', (ev) => { maxActive = Math.max(maxActive, ev.object.status?.active ?? 0); });
    await c.runUntil(finished('par'), { timeout: '5m' });
    const j = c.get('job', 'par');
    expect(maxActive).toBe(2);
    expect(jobPods(c, 'par').length).toBe(5);
    expect(j.status).toMatchObject({ succeeded: 5, ready: 0, terminating: 0, uncountedTerminatedPods: {} });
    expect(condition(j, 'SuccessCriteriaMet')).toMatchObject({ status: 'True', reason: 'CompletionsReached' });
    expect(condition(j, 'Complete')).toMatchObject({ status: 'True', reason: 'CompletionsReached', message: 'Reached expected number of succeeded pods' });
    expect(j.status.completionTime).toBe(condition(j, 'Complete').lastTransitionTime);
    const ev = jobEvents(c, 'par');
    expect(ev.filter((e) => e.startsWith('SuccessfulCreate: Created pod: par-')).length).toBe(5);
    expect(ev).toContain('Completed: Job completed');
    // The lifecycle machine followed the conditions.
    expect((c.snapshot() as any).actors['job-controller'].state.jobs['default/par'].state).toBe('Complete');
    c.close();
  });
});

describe('Indexed Job', () => {
  it('gives each pod a completion index (annotation, label, hostname, JOB_COMPLETION_INDEX) and completes indexes 0-2', async () => {
    // job.md "Completion mode"; tasks/job/indexed-parallel-processing-static.md.
    const c = await createCluster({ seed: SEED });
    c.create(job('idx', { completions: 3, parallelism: 3, completionMode: 'Indexed' }, ['sh', '-c', 'test -n "$JOB_COMPLETION_INDEX" && sleep "$JOB_COMPLETION_INDEX"']));
    await c.runUntil(finished('idx'), { timeout: '5m' });
    const j = c.get('job', 'idx');
    expect(condition(j, 'Complete')?.status).toBe('True');
    expect(j.status.completedIndexes).toBe('0-2');
    expect(j.status.succeeded).toBe(3);
    const pods = jobPods(c, 'idx').sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
    pods.forEach((p, i) => {
      expect(p.metadata.name).toMatch(new RegExp(`^idx-${i}-`));
      expect(p.metadata.annotations?.['batch.kubernetes.io/job-completion-index']).toBe(String(i));
      expect(p.metadata.labels?.['batch.kubernetes.io/job-completion-index']).toBe(String(i));
      expect(p.spec.hostname).toBe(`idx-${i}`);
      const env = p.spec.containers[0].env.find((e: any) => e.name === 'JOB_COMPLETION_INDEX');
      expect(env.valueFrom.fieldRef.fieldPath).toBe("metadata.labels['batch.kubernetes.io/job-completion-index']");
      expect(p.status.phase).toBe('Succeeded');
      // The container really saw its index: it slept that many seconds.
      const t = p.status.containerStatuses[0].state.terminated;
      expect((parseTime(t.finishedAt) - parseTime(t.startedAt)) / 1000).toBeCloseTo(i, -0.5);
    });
    c.close();
  });

  it('keeps completed indexes as intervals, as upstream prints them', () => {
    // indexed_job_utils.go orderedIntervals.String: two adjacent indexes are listed, three are a range.
    expect(intervalsString(withOrderedIndexes(parseIndexes('1,3-5', 10), [0, 7, 8]))).toBe('0,1,3-5,7,8');
    expect(firstPendingIndexes([], parseIndexes('0,2', 5), 2, 5)).toEqual([1, 3]);
    expect(matchSuccessPolicy({ rules: [{ succeededIndexes: '0-2' }] }, 10, parseIndexes('0-2,4-7', 10))).toBe('Matched rules at index 0');
  });
});

describe('Job activeDeadlineSeconds', () => {
  it('fails a Job that runs longer than activeDeadlineSeconds with DeadlineExceeded and deletes its pod', async () => {
    // job.md "Job termination and cleanup": activeDeadlineSeconds, reason DeadlineExceeded.
    const c = await createCluster({ seed: SEED });
    c.create(job('slow', { activeDeadlineSeconds: 20, backoffLimit: 5 }, ['sh', '-c', 'sleep 600']));
    await c.runUntil(finished('slow'), { timeout: '5m' });
    const j = c.get('job', 'slow');
    expect(condition(j, 'FailureTarget')).toMatchObject({ reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' });
    const failed = condition(j, 'Failed');
    expect(failed).toMatchObject({ reason: 'DeadlineExceeded', message: 'Job was active longer than specified deadline' });
    const targetAt = (parseTime(condition(j, 'FailureTarget').lastTransitionTime) - parseTime(j.status.startTime)) / 1000;
    expect(targetAt).toBeGreaterThanOrEqual(20);
    expect(targetAt).toBeLessThanOrEqual(22);
    expect(j.status.failed).toBe(1);
    expect(jobEvents(c, 'slow')).toContain('DeadlineExceeded: Job was active longer than specified deadline');
    await c.runFor('1m');
    expect(jobPods(c, 'slow')).toEqual([]);
    c.close();
  });
});

describe('Job podFailurePolicy', () => {
  it('FailJob on exit code 42 fails the Job at the first such failure, without retries', async () => {
    // job.md "Pod failure policy": action FailJob, onExitCodes; reason PodFailurePolicy.
    const c = await createCluster({ seed: SEED });
    const j0 = job('pfp', { backoffLimit: 6 }, ['sh', '-c', 'sleep 2; exit 42']);
    j0.spec.podFailurePolicy = { rules: [
      { action: 'FailJob', onExitCodes: { containerName: 'main', operator: 'In', values: [42] } },
      { action: 'Ignore', onPodConditions: [{ type: 'DisruptionTarget' }] },
    ] };
    c.create(j0);
    await c.runUntil(finished('pfp'), { timeout: '5m' });
    const j = c.get('job', 'pfp');
    const pods = jobPods(c, 'pfp');
    expect(pods.length).toBe(1);
    const msg = `Container main for pod default/${pods[0].metadata.name} failed with exit code 42 matching FailJob rule at index 0`;
    expect(condition(j, 'Failed')).toMatchObject({ reason: 'PodFailurePolicy', message: msg });
    expect(j.status.failed).toBe(1);
    expect(jobEvents(c, 'pfp')).toContain(`PodFailurePolicy: ${msg}`);
    c.close();
  });
});

describe('TTL after finished', () => {
  it('deletes a finished Job ttlSecondsAfterFinished after it completed, and its pods with it', async () => {
    // ttlafterfinished.md: the TTL timer starts when the Job finishes; cascading (background) deletion.
    const c = await createCluster({ seed: SEED });
    c.create(job('ttl', { ttlSecondsAfterFinished: 100 }, ['sh', '-c', 'sleep 1']));
    await c.runUntil(finished('ttl'), { timeout: '5m' });
    const doneAt = parseTime(condition(c.get('job', 'ttl'), 'Complete').lastTransitionTime);
    await c.runFor('95s');
    expect(c.find('job', 'ttl')).toBeDefined();
    await c.runUntil((cl) => cl.find('job', 'ttl') === undefined, { timeout: '1m' });
    expect((c.now() - doneAt) / 1000).toBeGreaterThanOrEqual(100);
    expect((c.now() - doneAt) / 1000).toBeLessThan(102);
    await c.runFor('30s');
    expect(jobPods(c, 'ttl')).toEqual([]);
    c.close();
  });
});

describe('Job suspend', () => {
  it('a Job created suspended starts no pods and has no startTime until resumed', async () => {
    // job.md "Suspending a Job": Suspended condition (JobSuspended), Resumed event, startTime on resume.
    const c = await createCluster({ seed: SEED });
    c.create(job('sus', { suspend: true }, ['sh', '-c', 'sleep 1']));
    await c.runFor('30s');
    let j = c.get('job', 'sus');
    expect(jobPods(c, 'sus')).toEqual([]);
    expect(j.status.startTime).toBeUndefined();
    expect(condition(j, 'Suspended')).toMatchObject({ status: 'True', reason: 'JobSuspended', message: 'Job suspended' });
    c.patch('job', 'sus', { spec: { suspend: false } }, { type: 'merge' });
    await c.runUntil(finished('sus'), { timeout: '2m' });
    j = c.get('job', 'sus');
    expect(condition(j, 'Suspended')).toMatchObject({ status: 'False', reason: 'JobResumed', message: 'Job resumed' });
    expect(parseTime(j.status.startTime)).toBeGreaterThanOrEqual(30_000);
    expect(jobEvents(c, 'sus')).toEqual(expect.arrayContaining(['Suspended: Job suspended', 'Resumed: Job resumed', 'Completed: Job completed']));
    c.close();
  });
});

describe('Job lifecycle machine', () => {
  it('moves Active → FailureTarget → Failed as the conditions appear', () => {
    // machines/job.ts follows job.md "Terminal Job conditions".
    let s = initialTransition(jobMachine)[0];
    s = transition(jobMachine, s, jobLifecycleEvent({ conditions: [{ type: 'FailureTarget', status: 'True', reason: 'BackoffLimitExceeded' }] })!)[0];
    expect(s.value).toBe('FailureTarget');
    s = transition(jobMachine, s, jobLifecycleEvent({ conditions: [{ type: 'Failed', status: 'True', reason: 'BackoffLimitExceeded' }] })!)[0];
    expect(s.value).toBe('Failed');
    expect(s.context.reason).toBe('BackoffLimitExceeded');
  });
});
