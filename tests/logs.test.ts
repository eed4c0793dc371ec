// kubectl logs: a container's stdout and stderr as the kubelet serves them, with the API server's
// and the kubelet's checks (pkg/registry/core/pod/strategy.go LogLocation; kubelet
// validateContainerLogStatus) and kubectl's choices (the default container, the pod of a workload).
import { describe, expect, it } from 'vitest';
import { createCluster } from 'kubesim';
import { runKubectl } from '../cluster/kubectl.ts';
import { failureOf, pod } from './pod-helpers.ts';

const COUNTER = { name: 'count', image: 'busybox:1.36', command: ['sh', '-c', 'i=0; while true; do echo "$i: $(date)"; i=$((i+1)); sleep 1; done'] };

describe('kubectl logs', () => {
  it('prints what the container wrote, line by line; --tail, --since and --timestamps (RFC 3339, nanoseconds without trailing zeros)', async () => {
    // The docs' counter pod (concepts/cluster-administration/logging): one line a second.
    const c = await createCluster({ seed: 1, nodes: 1 });
    c.create(pod('counter', [COUNTER]));
    await c.runFor('30s');
    const all = c.logs('counter').split('\n').filter(Boolean);
    const started = Date.parse(c.get('pod', 'counter').status.containerStatuses[0].state.running.startedAt);
    expect(all[0]).toMatch(/^0: Wed Jan {2}1 00:00:0\d UTC 2025$/);
    expect(all.length).toBeGreaterThan(25);
    expect(all.every((l, i) => l.startsWith(`${i}: `))).toBe(true);
    expect(c.logs('counter', { tail: 2 }).split('\n')).toEqual([all.at(-2), all.at(-1), '']);
    expect(c.logs('counter', { sinceSeconds: 3 }).split('\n').filter(Boolean)).toHaveLength(3);
    const stamped = c.logs('counter', { tail: 1, timestamps: true });
    expect(stamped).toMatch(/^2025-01-01T00:00:\d\d(\.\d+)?Z \d+: Wed Jan {2}1 00:00:\d\d UTC 2025\n$/);
    expect(Date.parse(stamped.split(' ')[0])).toBeGreaterThan(started);
    expect(stamped.split(' ')[0]).not.toMatch(/0Z$/);
  });

  it('a container in CrashLoopBackOff shows its last run (stdout and stderr); --previous the run before the current one', async () => {
    const c = await createCluster({ seed: 1, nodes: 1 });
    c.create(pod('crash', [{ name: 'c', image: 'busybox:1.36', command: ['sh', '-c', 'echo "run at $(date +%s)"; echo oops >&2; exit 3'] }]));
    await c.runFor('1m');
    const status = c.get('pod', 'crash').status.containerStatuses[0];
    expect(status.state.waiting.reason).toBe('CrashLoopBackOff');
    const last = Date.parse(status.lastState.terminated.startedAt) / 1000;
    expect(c.logs('crash')).toBe(`run at ${last}\noops\n`);
    expect(c.logs('crash', { previous: true })).toBe(`run at ${last}\noops\n`);
  });

  it('a running container after a restart: its own log, and --previous the one that ran before it', async () => {
    const c = await createCluster({ seed: 1, nodes: 1 });
    c.create(pod('twice', [{ name: 'c', image: 'busybox:1.36', command: ['sh', '-c', 'echo "up at $(date +%s)"; sleep 5; exit 1'] }]));
    await c.runUntil(() => c.get('pod', 'twice').status?.containerStatuses?.[0]?.restartCount === 1 && Boolean(c.get('pod', 'twice').status.containerStatuses[0].state.running), { timeout: '1m' });
    const s = c.get('pod', 'twice').status.containerStatuses[0];
    expect(c.logs('twice')).toBe(`up at ${Date.parse(s.state.running.startedAt) / 1000}\n`);
    expect(c.logs('twice', { previous: true })).toBe(`up at ${Date.parse(s.lastState.terminated.startedAt) / 1000}\n`);
  });

  it('the kubelet\'s and the API server\'s refusals, in their words', async () => {
    const c = await createCluster({ seed: 1, nodes: 1, nodeCpu: '1' });
    c.create(pod('typo', [{ name: 'nginx', image: 'nginx:1.161' }]));
    c.create(pod('pending', [{ name: 'big', image: 'nginx', resources: { requests: { cpu: '2' } } }]));
    c.create(pod('counter', [COUNTER]));
    c.create(pod('pulling', [{ name: 'app', image: 'busybox:1.36', command: ['sleep', '3600'] }]));
    await c.runFor('100ms');
    expect(await failureOf(() => c.logs('pulling'))).toBe('container "app" in pod "pulling" is waiting to start: ContainerCreating');
    await c.runFor('1m');
    expect(await failureOf(() => c.logs('typo'))).toMatch(/^container "nginx" in pod "typo" is waiting to start: (trying and failing to pull image|image can't be pulled)$/);
    expect(await failureOf(() => c.logs('counter', { container: 'nope' }))).toBe('container nope is not valid for pod counter');
    expect(await failureOf(() => c.logs('counter', { previous: true }))).toBe('previous terminated container "count" in pod "counter" not found');
    expect(await failureOf(() => c.logs('missing'))).toBe('pods "missing" not found');
    // Not scheduled: no kubelet to ask, an empty log.
    expect(c.logs('pending')).toBe('');
    const hostIP = c.get('pod', 'counter').status.hostIP;
    c.powerOff('node-1');
    expect(await failureOf(() => c.logs('counter'))).toBe(`Error from server: Get "https://${hostIP}:10250/containerLogs/default/counter/count": dial tcp ${hostIP}:10250: connect: no route to host`);
  });

  it('picks the default container of a pod with several, and the pod of a workload, with kubectl\'s notes', async () => {
    const c = await createCluster({ seed: 1, nodes: 2 });
    c.create(pod('two', [{ ...COUNTER, name: 'main' }, { name: 'side', image: 'busybox:1.36', command: ['sh', '-c', 'echo side; sleep 3600'] }], {
      initContainers: [{ name: 'setup', image: 'busybox:1.36', command: ['sh', '-c', 'echo set up'] }],
    }));
    c.create({
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default' },
      spec: { replicas: 3, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } } },
    });
    await c.runFor('30s');
    const r = c.podLogs('two');
    expect(r.notes).toEqual(['Defaulted container "main" out of: main, side, setup (init)']);
    expect(r.text.startsWith('0: ')).toBe(true);
    expect(c.logs('two', { container: 'side' })).toBe('side\n');
    expect(c.logs('two', { container: 'setup' })).toBe('set up\n');
    const web = c.podLogs('deploy/web');
    expect(web.notes).toHaveLength(1);
    expect(web.notes[0]).toMatch(/^Found 3 pods, using pod\/web-[a-z0-9]+-[a-z0-9]{5}$/);
    // nginx's entrypoint writes its start-up notices.
    expect(web.text).toContain('nginx: [notice] 1#1: start worker processes');
    expect(await runKubectl(c, 'logs two -c side')).toBe('side');
    expect(await runKubectl(c, 'logs two --tail=1')).toMatch(/^Defaulted container "main" out of: main, side, setup \(init\)\n\d+: Wed Jan {2}1 00:00:\d\d UTC 2025$/);
  });
});
