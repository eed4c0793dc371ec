// Batch workloads: the documentation's pi Job, a Job whose pods fail until its backoffLimit
// (re-created after 10 s, 20 s, 40 s of back-off), the Indexed Job of "Indexed Job for Parallel
// Processing with Static Work Assignment", and a CronJob every 30 minutes over a simulated day.
// Run: npx tsx scenarios/batch.ts
import { createCluster, type KubeObject } from 'kubesim';
import { say } from './lib/show.ts';

const cluster = await createCluster({ seed: 1 });

const conditions = (j: KubeObject) => (j.status?.conditions ?? []).filter((c: any) => c.status === 'True').map((c: any) => `${c.type}(${c.reason})`).join(' ');
const seen = new Map<string, string>();
let runs = 0;
cluster.watch('jobs', (ev) => {
  const j = ev.object;
  if (j.metadata.ownerReferences?.[0]?.kind === 'CronJob') return;
  const s = j.status ?? {};
  const u = s.uncountedTerminatedPods ?? {};
  const uncounted = (u.succeeded?.length ?? 0) + (u.failed?.length ?? 0);
  const line = `active=${s.active ?? 0} succeeded=${s.succeeded ?? 0} failed=${s.failed ?? 0}${uncounted ? ` uncounted=${uncounted}` : ''}${s.completedIndexes ? ` completedIndexes=${s.completedIndexes}` : ''} ${conditions(j)}`;
  if (seen.get(j.metadata.name!) === line || ev.type === 'DELETED') return;
  seen.set(j.metadata.name!, line);
  say(cluster, `job/${j.metadata.name}  ${line}`);
});
cluster.watch('pods', (ev) => {
  const p = ev.object;
  if (ev.type !== 'MODIFIED' || !['Succeeded', 'Failed'].includes(p.status?.phase) || seen.get(p.metadata.name!)) return;
  if (p.metadata.name!.startsWith('hello-') && runs > 4) return;
  seen.set(p.metadata.name!, p.status.phase);
  const t = p.status.containerStatuses?.[0]?.state?.terminated;
  say(cluster, `  pod/${p.metadata.name} ${p.status.phase} (exit code ${t?.exitCode})`);
});

say(cluster, 'Part 1: the pi Job (perl, one-shot) and a Job whose pods exit 1 after 5 s (backoffLimit: 3)');
await cluster.apply(`
apiVersion: batch/v1
kind: Job
metadata:
  name: pi
spec:
  backoffLimit: 4
  template:
    spec:
      containers:
      - name: pi
        image: perl:5.34.0
        command: ["perl", "-Mbignum=bpi", "-wle", "print bpi(2000)"]
      restartPolicy: Never
---
apiVersion: batch/v1
kind: Job
metadata:
  name: flaky
spec:
  backoffLimit: 3
  template:
    spec:
      containers:
      - name: worker
        image: busybox:1.36
        command: ["sh", "-c", "sleep 5; exit 1"]
      restartPolicy: Never
`);
await cluster.runUntil((c) => (c.get('job', 'flaky').status?.conditions ?? []).some((x: any) => x.type === 'Failed'), { timeout: '10m' });
say(cluster, 'kubectl describe job flaky (events):');
for (const e of cluster.events().filter((x) => x.involvedObject.name === 'flaky')) console.log(`    ${e.type.padEnd(8)}${e.reason.padEnd(22)}${e.lastTimestamp}  ${e.message}`);

say(cluster, 'Part 2: an Indexed Job (completions 5, parallelism 3); each pod prints items[$JOB_COMPLETION_INDEX]');
await cluster.apply(`
apiVersion: batch/v1
kind: Job
metadata:
  name: indexed-job
spec:
  completions: 5
  parallelism: 3
  completionMode: Indexed
  template:
    spec:
      restartPolicy: Never
      containers:
      - name: worker
        image: busybox:1.36
        command: ["sh", "-c", "set -- foo bar baz qux xyz; shift $JOB_COMPLETION_INDEX; echo $1; sleep 2"]
`);
await cluster.runUntil((c) => (c.get('job', 'indexed-job').status?.conditions ?? []).some((x: any) => x.type === 'Complete'), { timeout: '5m' });
for (const p of cluster.list('pods').filter((x) => x.metadata.name!.startsWith('indexed-job-')).sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1))) {
  console.log(`    ${p.metadata.name}  hostname=${p.spec.hostname}  index=${p.metadata.annotations?.['batch.kubernetes.io/job-completion-index']}  ${p.status.phase}`);
}

say(cluster, 'Part 3: a CronJob "*/30 * * * *" with a short job, over a simulated day');
await cluster.apply(`
apiVersion: batch/v1
kind: CronJob
metadata:
  name: hello
spec:
  schedule: "*/30 * * * *"
  jobTemplate:
    spec:
      template:
        spec:
          containers:
          - name: hello
            image: busybox:1.36
            command: ["sh", "-c", "date; echo Hello from the Kubernetes cluster"]
          restartPolicy: OnFailure
`);
cluster.watch('events', (ev) => {
  const e = ev.object;
  if (ev.type !== 'ADDED' || e.source?.component !== 'cronjob-controller') return;
  if (e.reason === 'SuccessfulCreate') runs++;
  if (runs <= 4 || cluster.now() > 23.5 * 3_600_000) say(cluster, `cronjob/hello  ${e.reason}: ${e.message}`);
  else if (runs === 5 && e.reason === 'SuccessfulCreate') say(cluster, 'cronjob/hello  ... (every 30 minutes) ...');
});
await cluster.runFor('24h');
const cj = cluster.get('cronjob', 'hello');
say(cluster, `cronjob/hello: ${runs} Jobs created; lastScheduleTime=${cj.status.lastScheduleTime} lastSuccessfulTime=${cj.status.lastSuccessfulTime}`);
say(cluster, `Jobs kept (successfulJobsHistoryLimit 3): ${cluster.list('jobs').filter((j) => j.metadata.name!.startsWith('hello-')).map((j) => j.metadata.name).join(', ')}`);
