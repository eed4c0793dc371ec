// CronJobs on the virtual clock (the virtual epoch is 2025-01-01T00:00:00Z) with real kubelets.
// Sources: kubernetes/website concepts/workloads/controllers/cron-jobs.md (schedule syntax,
// concurrency policy, jobs history limits, deadline for delayed job start, CronJob limitations),
// pkg/controller/cronjob/cronjob_controllerv2.go and utils.go.
import { describe, expect, it } from 'vitest';
import { createCluster, parseTime, type Cluster, type KubeObject } from 'kubesim';
import { parseCronSchedule } from '../actors/controllers/cronjob-schedule.ts';
import { getJobName, mostRecentScheduleTime } from '../actors/controllers/cronjob.ts';

const SEED = 1;
const EPOCH = Date.UTC(2025, 0, 1);

function cronJob(name: string, spec: Record<string, unknown>, command: string[]): KubeObject {
  return {
    apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name },
    spec: { ...spec, jobTemplate: { spec: { backoffLimit: 0, template: { spec: { restartPolicy: 'Never', containers: [{ name: 'hello', image: 'busybox:1.36', command }] } } } } },
  };
}

function cjEvents(c: Cluster, name: string): string[] {
  return c.events().filter((e) => e.involvedObject.name === name && e.source?.component === 'cronjob-controller').map((e) => `${e.reason}: ${e.message}`);
}

function jobsOf(c: Cluster, name: string): KubeObject[] {
  return c.list('jobs').filter((j) => j.metadata.ownerReferences?.[0]?.name === name);
}

const minutes = (iso: string) => (parseTime(iso) / 60_000);

describe('cron schedules', () => {
  it('computes next times like robfig/cron, including descriptors, names, steps and time zones', () => {
    // cron-jobs.md "Schedule syntax".
    const at = (iso: string) => Date.parse(iso);
    const next = (spec: string, from: string, tz?: string) => new Date(parseCronSchedule(spec, tz).next(at(from))!).toISOString();
    expect(next('*/30 * * * *', '2025-01-01T00:00:00Z')).toBe('2025-01-01T00:30:00.000Z');
    expect(next('0 0 13 * 5', '2025-01-01T00:00:00Z')).toBe('2025-01-03T00:00:00.000Z'); // dom OR dow (Friday 3rd)
    expect(next('0 3 * * 1', '2025-01-01T00:00:00Z')).toBe('2025-01-06T03:00:00.000Z');
    expect(next('@monthly', '2025-01-15T00:00:00Z')).toBe('2025-02-01T00:00:00.000Z');
    expect(next('30 9 * jan-mar mon-fri', '2025-03-31T10:00:00Z')).toBe('2026-01-01T09:30:00.000Z');
    expect(next('0 9 * * *', '2025-01-01T00:00:00Z', 'America/New_York')).toBe('2025-01-01T14:00:00.000Z');
    expect(() => parseCronSchedule('61 * * * *')).toThrow();
  });

  it('counts missed schedule times as upstream (worked example: */30 created at 00:00, synced at 02:10)', () => {
    // utils.go mostRecentScheduleTime.
    const cj: KubeObject = { apiVersion: 'batch/v1', kind: 'CronJob', metadata: { name: 'x', creationTimestamp: '2025-01-01T00:00:00Z' }, spec: {} };
    const r = mostRecentScheduleTime(cj, Date.parse('2025-01-01T02:10:00Z'), parseCronSchedule('*/30 * * * *'), false);
    expect(r.missed).toBe(4);
    expect(new Date(r.mostRecent!).toISOString()).toBe('2025-01-01T02:00:00.000Z');
    expect(getJobName(cj, Date.parse('2025-01-01T00:30:00Z'))).toBe('x-28928190');
  });
});

describe('CronJob scheduling', () => {
  it('creates <cronjob>-<minutes since the epoch> at each */30 time and keeps 3 successful Jobs', async () => {
    // cron-jobs.md "Job creation", "Jobs history limits" (successfulJobsHistoryLimit defaults to 3).
    const c = await createCluster({ seed: SEED });
    c.create(cronJob('hello', { schedule: '*/30 * * * *' }, ['sh', '-c', 'date; echo Hello from the Kubernetes cluster']));
    const created: Array<[string, number]> = [];
    c.watch('jobs', (ev) => { if (ev.type === 'ADDED') created.push([ev.object.metadata.name!, c.now()]); });
    await c.runFor('2h5m');
    const base = EPOCH / 60_000;
    expect(created.map(([n]) => n)).toEqual([30, 60, 90, 120].map((m) => `hello-${base + m}`));
    // Each Job is created 100 ms after its schedule time (nextScheduleDelta).
    expect(created.map(([, t]) => t)).toEqual([30, 60, 90, 120].map((m) => m * 60_000 + 100));
    const names = jobsOf(c, 'hello').map((j) => j.metadata.name).sort();
    expect(names).toEqual([60, 90, 120].map((m) => `hello-${base + m}`));
    const st = c.get('cronjob', 'hello').status;
    expect(st.lastScheduleTime).toBe('2025-01-01T02:00:00Z');
    expect(minutes(st.lastSuccessfulTime)).toBeGreaterThanOrEqual(120);
    expect(st.active).toBeUndefined();
    const ev = cjEvents(c, 'hello');
    // Events live an hour after their last write (--event-ttl): those of the first run are gone.
    expect(ev).not.toContain(`SuccessfulCreate: Created job hello-${base + 30}`);
    expect(ev).toContain(`SuccessfulCreate: Created job hello-${base + 120}`);
    expect(ev).toContain(`SawCompletedJob: Saw completed job: hello-${base + 120}, status: Complete`);
    expect(ev).toContain(`SuccessfulDelete: Deleted job hello-${base + 30}`);
    expect(jobsOf(c, 'hello')[0].metadata.annotations?.['batch.kubernetes.io/cronjob-scheduled-timestamp']).toMatch(/^2025-01-01T0[12]:[03]0:00Z$/);
    c.close();
  });

  it('keeps only failedJobsHistoryLimit (1) failed Jobs', async () => {
    // cron-jobs.md "Jobs history limits": failedJobsHistoryLimit defaults to 1.
    const c = await createCluster({ seed: SEED });
    c.create(cronJob('broken', { schedule: '*/10 * * * *' }, ['sh', '-c', 'exit 3']));
    await c.runFor('45m');
    const jobs = jobsOf(c, 'broken');
    expect(jobs.length).toBe(1);
    expect(jobs[0].metadata.name).toBe(`broken-${EPOCH / 60_000 + 40}`);
    expect(jobs[0].status.conditions.find((x: any) => x.type === 'Failed').reason).toBe('BackoffLimitExceeded');
    expect(cjEvents(c, 'broken')).toContain(`SawCompletedJob: Saw completed job: broken-${EPOCH / 60_000 + 10}, status: Failed`);
    c.close();
  });
});

describe('CronJob concurrencyPolicy', () => {
  const longJob = ['sh', '-c', 'sleep 2700'];

  it('Allow runs overlapping Jobs', async () => {
    // cron-jobs.md "Concurrency policy": Allow (default).
    const c = await createCluster({ seed: SEED });
    c.create(cronJob('allow', { schedule: '*/30 * * * *' }, longJob));
    await c.runFor('61m');
    expect(c.get('cronjob', 'allow').status.active.length).toBe(2);
    c.close();
  });

  it('Forbid skips a run while the previous Job is still running', async () => {
    // cron-jobs.md "Concurrency policy": Forbid.
    const c = await createCluster({ seed: SEED });
    c.create(cronJob('forbid', { schedule: '*/30 * * * *', concurrencyPolicy: 'Forbid' }, longJob));
    await c.runFor('61m');
    expect(jobsOf(c, 'forbid').map((j) => j.metadata.name)).toEqual([`forbid-${EPOCH / 60_000 + 30}`]);
    expect(cjEvents(c, 'forbid')).toContain('JobAlreadyActive: Not starting job because prior execution is running and concurrency policy is Forbid');
    // Without startingDeadlineSeconds the skipped 01:00 run is still due: it starts late, as soon
    // as the 00:30 Job finishes (about 01:15), and nothing runs twice at once.
    let created = 0;
    c.watch('jobs', (ev) => { if (ev.type === 'ADDED' && ev.object.metadata.name === `forbid-${EPOCH / 60_000 + 60}`) created = c.now(); });
    await c.runFor('30m');
    expect(jobsOf(c, 'forbid').map((j) => j.metadata.name)).toEqual([`forbid-${EPOCH / 60_000 + 30}`, `forbid-${EPOCH / 60_000 + 60}`]);
    expect(created / 60_000).toBeGreaterThan(75);
    expect(created / 60_000).toBeLessThan(77);
    c.close();
  });

  it('Replace deletes the running Job and starts the new one', async () => {
    // cron-jobs.md "Concurrency policy": Replace.
    const c = await createCluster({ seed: SEED });
    c.create(cronJob('replace', { schedule: '*/30 * * * *', concurrencyPolicy: 'Replace' }, longJob));
    await c.runFor('61m');
    const base = EPOCH / 60_000;
    expect(jobsOf(c, 'replace').map((j) => j.metadata.name)).toEqual([`replace-${base + 60}`]);
    expect(cjEvents(c, 'replace')).toContain(`SuccessfulDelete: Deleted job replace-${base + 30}`);
    expect(c.get('cronjob', 'replace').status.active.map((a: any) => a.name)).toEqual([`replace-${base + 60}`]);
    c.close();
  });
});

describe('CronJob missed schedules', () => {
  it('a resumed CronJob starts the most recent missed run late, unless startingDeadlineSeconds has passed', async () => {
    // cron-jobs.md "Deadline for delayed Job start" and "CronJob limitations".
    const c = await createCluster({ seed: SEED });
    const base = EPOCH / 60_000;
    c.create(cronJob('late', { schedule: '*/30 * * * *', suspend: true }, ['sh', '-c', 'true']));
    c.create(cronJob('strict', { schedule: '*/30 * * * *', suspend: true, startingDeadlineSeconds: 200 }, ['sh', '-c', 'true']));
    await c.runFor('70m');
    c.patch('cronjob', 'late', { spec: { suspend: false } }, { type: 'merge' });
    c.patch('cronjob', 'strict', { spec: { suspend: false } }, { type: 'merge' });
    await c.runFor('1m');
    expect(jobsOf(c, 'late').map((j) => j.metadata.name)).toEqual([`late-${base + 60}`]);
    expect(jobsOf(c, 'strict')).toEqual([]);
    await c.runFor('20m');
    expect(jobsOf(c, 'strict').map((j) => j.metadata.name)).toEqual([`strict-${base + 90}`]);
    c.close();
  });

  it('warns about too many missed start times (> 100) and still starts the latest one', async () => {
    // utils.go nextScheduleTime: TooManyMissedTimes.
    const c = await createCluster({ seed: SEED });
    c.create(cronJob('every', { schedule: '* * * * *', suspend: true }, ['sh', '-c', 'true']));
    await c.runFor('2h30s');
    c.patch('cronjob', 'every', { spec: { suspend: false } }, { type: 'merge' });
    await c.runFor('5s');
    expect(cjEvents(c, 'every').some((e) => /^TooManyMissedTimes: too many missed start times: 12\d\. Set or decrease \.spec\.startingDeadlineSeconds or check clock skew$/.test(e))).toBe(true);
    expect(jobsOf(c, 'every').map((j) => j.metadata.name)).toEqual([`every-${EPOCH / 60_000 + 120}`]);
    c.close();
  });
});
