// The kubelet and the pod lifecycle, on pods bound directly to a node (spec.nodeName), so the
// scheduler is not involved. k8s-facts §7 (pods & kubelet), §16 (events), §17 (start sequence).
import { describe, expect, it } from 'vitest';
import { createCluster, type Cluster, type KubeObject } from 'kubesim';

function pod(name: string, spec: Record<string, any>, meta: Record<string, any> = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, ...meta }, spec: { nodeName: 'node-1', ...spec } };
}

function reasons(c: Cluster, name: string): string[] {
  return c.events().filter((e) => e.involvedObject.name === name).map((e) => `${e.reason}: ${e.message}`);
}

function container(c: Cluster, name: string, index = 0): any {
  return c.get('pod', name).status.containerStatuses?.[index];
}

/** Virtual times (ms) at which the pod's restartCount went up. */
function watchRestarts(c: Cluster, name: string): number[] {
  const times: number[] = [];
  let last = 0;
  c.watch('pods', (ev) => {
    const n = ev.object.status?.containerStatuses?.[0]?.restartCount ?? 0;
    if (ev.object.metadata.name === name && n > last) {
      last = n;
      times.push(c.now());
    }
  });
  return times;
}

describe('pod start-up', () => {
  it('a pod bound to a node pulls, creates and starts its container, then is Running and Ready', async () => {
    // k8s-facts §17 (start sequence), §7.4 (conditions), §16 (event messages)
    const c = await createCluster({ seed: 1 });
    c.create(pod('web', { containers: [{ name: 'nginx', image: 'nginx:1.14.2', ports: [{ containerPort: 80 }] }] }));
    await c.runFor('1m');
    const p = c.get('pod', 'web');
    expect(p.status.phase).toBe('Running');
    expect(p.status.podIP).toMatch(/^10\.244\.1\.\d+$/);
    expect(p.status.hostIP).toBe('172.18.0.2');
    expect(Object.fromEntries(p.status.conditions.map((x: any) => [x.type, x.status]))).toEqual({
      PodReadyToStartContainers: 'True', Initialized: 'True', Ready: 'True', ContainersReady: 'True', PodScheduled: 'True',
    });
    expect(container(c, 'web')).toMatchObject({ name: 'nginx', ready: true, started: true, restartCount: 0, image: 'nginx:1.14.2' });
    expect(container(c, 'web').state.running.startedAt).toBeDefined();
    expect(container(c, 'web').imageID).toMatch(/^docker\.io\/library\/nginx@sha256:[0-9a-f]{64}$/);
    const ev = reasons(c, 'web');
    expect(ev[0]).toBe('Pulling: Pulling image "nginx:1.14.2"');
    expect(ev[1]).toMatch(/^Pulled: Successfully pulled image "nginx:1\.14\.2" in [\d.]+m?s \([\d.]+m?s including waiting\)\. Image size: \d+ bytes\.$/);
    expect(ev.slice(2)).toEqual(['Created: Created container: nginx', 'Started: Started container nginx']);
  });

  it('a container not started yet waits as ContainerCreating, or PodInitializing in a pod with init containers', async () => {
    // convertToAPIContainerStatuses: defaultWaitingState is ContainerCreating, PodInitializing
    // when the pod has init containers (for its init containers too).
    const c = await createCluster({ seed: 1 });
    const first = new Map<string, any>();
    c.watch('pods', (ev) => {
      const st = ev.object.status;
      const name = ev.object.metadata.name!;
      if (st?.containerStatuses && !first.has(name)) first.set(name, st);
    });
    c.create(pod('plain', { containers: [{ name: 'app', image: 'nginx:1.14.2' }] }));
    c.create(pod('inits', { initContainers: [{ name: 'setup', image: 'busybox:1.36', command: ['sleep', '5'] }], containers: [{ name: 'app', image: 'nginx:1.14.2' }] }));
    await c.runFor('1m');
    expect(first.get('plain').containerStatuses[0].state).toEqual({ waiting: { reason: 'ContainerCreating' } });
    expect(first.get('inits').containerStatuses[0].state).toEqual({ waiting: { reason: 'PodInitializing' } });
    expect(first.get('inits').initContainerStatuses[0].state).toEqual({ waiting: { reason: 'PodInitializing' } });
  });

  it('the status manager writes each new pod status once, however many times the pod worker reports it', async () => {
    // status_manager.go: a status equal to the one held for the pod is ignored, even before
    // the kubelet's informer has seen the previous write come back.
    const c = await createCluster({ seed: 1, trace: true });
    c.create(pod('web', { containers: [{ name: 'nginx', image: 'nginx:1.14.2' }] }));
    await c.runFor('1m');
    const writes = c.traceLines().map((l) => JSON.parse(l)).filter((r) => r.kind === 'deliver' && r.to === 'kube-apiserver'
      && r.msg.request?.subresource === 'status' && r.msg.request?.name === 'web');
    // Two, as upstream's SyncPod writes them: Pending (ContainerCreating) as the first sync begins,
    // before it makes the sandbox and starts the container; then Running and Ready, with the
    // sandbox's condition and IP, from the next sync. No status of the sandbox alone.
    const statuses = writes.map((r) => r.msg.request.body.status);
    expect(statuses.map((s) => s.phase)).toEqual(['Pending', 'Running']);
    const sandboxCondition = (s: any) => s.conditions.find((x: any) => x.type === 'PodReadyToStartContainers')?.status;
    expect(statuses.map(sandboxCondition)).toEqual(['False', 'True']);
    expect(statuses.map((s) => s.podIP === undefined)).toEqual([true, false]);
    expect(c.get('pod', 'web').status.phase).toBe('Running');
  });

  it("a container's events name it in involvedObject.fieldPath, as the kubelet's are", async () => {
    const c = await createCluster({ seed: 1 });
    c.create(pod('web', { initContainers: [{ name: 'setup', image: 'busybox:1.36', command: ['true'] }], containers: [{ name: 'nginx', image: 'nginx:1.14.2' }] }));
    await c.runFor('1m');
    const started = c.events().filter((e) => e.involvedObject.name === 'web' && e.reason === 'Started');
    expect(started.map((e) => e.involvedObject.fieldPath)).toEqual(['spec.initContainers{setup}', 'spec.containers{nginx}']);
    expect(started[0].involvedObject).toMatchObject({ kind: 'Pod', namespace: 'default', name: 'web' });
  });

  it('a second pod with the same image on the node finds it already present', async () => {
    const c = await createCluster({ seed: 1 });
    c.create(pod('a', { containers: [{ name: 'nginx', image: 'nginx:1.14.2' }] }));
    await c.runFor('30s');
    c.create(pod('b', { containers: [{ name: 'nginx', image: 'nginx:1.14.2' }] }));
    await c.runFor('30s');
    expect(reasons(c, 'b')[0]).toBe('Pulled: Container image "nginx:1.14.2" already present on machine');
  });

  it('init containers run one at a time, in order, before the app containers', async () => {
    // D:concepts/workloads/pods/init-containers
    const c = await createCluster({ seed: 1 });
    c.create(pod('init', {
      initContainers: [
        { name: 'first', image: 'busybox:1.36', command: ['sh', '-c', 'sleep 5'] },
        { name: 'second', image: 'busybox:1.36', command: ['sh', '-c', 'sleep 5'] },
      ],
      containers: [{ name: 'app', image: 'nginx:1.14.2' }],
    }));
    await c.runFor('4s');
    const early = c.get('pod', 'init');
    expect(early.status.phase).toBe('Pending');
    expect(early.status.initContainerStatuses[0].state.running).toBeDefined();
    expect(early.status.initContainerStatuses[1].state.waiting.reason).toBe('PodInitializing');
    expect(early.status.containerStatuses[0].state.waiting.reason).toBe('PodInitializing');
    await c.runFor('1m');
    const p = c.get('pod', 'init');
    expect(p.status.phase).toBe('Running');
    const [first, second] = p.status.initContainerStatuses.map((s: any) => s.state.terminated);
    expect(first).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(Date.parse(second.startedAt)).toBeGreaterThanOrEqual(Date.parse(first.finishedAt));
    expect(Date.parse(p.status.containerStatuses[0].state.running.startedAt)).toBeGreaterThanOrEqual(Date.parse(second.finishedAt));
  });

  it('a pod deleted while its init container runs goes away; its app container never starts', async () => {
    // The kubelet kills what runs and starts nothing more once the pod is being deleted.
    const c = await createCluster({ seed: 1 });
    c.create(pod('stuck', {
      terminationGracePeriodSeconds: 5,
      initContainers: [{ name: 'wait', image: 'busybox:1.36', command: ['sh', '-c', 'sleep 3600'] }],
      containers: [{ name: 'app', image: 'nginx:1.14.2' }],
    }));
    await c.runFor('10s');
    expect(c.get('pod', 'stuck').status.containerStatuses[0].state).toEqual({ waiting: { reason: 'PodInitializing' } });
    const t0 = c.now();
    c.delete('pod', 'stuck');
    await c.runUntil((cl) => cl.find('pod', 'stuck') === undefined, { timeout: '1m' });
    expect(c.now() - t0).toBeLessThanOrEqual(5_000);
    expect(reasons(c, 'stuck').filter((r) => /^(Created|Started|Killing)/.test(r))).toEqual([
      'Created: Created container: wait', 'Started: Started container wait', 'Killing: Stopping container wait',
    ]);
  });
});

describe('readiness gates', () => {
  it('a pod with a readiness gate is Ready only once another controller sets its condition True', async () => {
    // D:concepts/workloads/pods/pod-lifecycle#pod-readiness-gate; GeneratePodReadyCondition's reason and messages
    const c = await createCluster({ seed: 1 });
    c.create(pod('gated', { readinessGates: [{ conditionType: 'www.example.com/feature-1' }], containers: [{ name: 'nginx', image: 'nginx:1.14.2' }] }));
    await c.runFor('1m');
    const ready = (): any => c.get('pod', 'gated').status.conditions.find((x: any) => x.type === 'Ready');
    expect(c.get('pod', 'gated').status.conditions.find((x: any) => x.type === 'ContainersReady').status).toBe('True');
    expect(ready()).toMatchObject({ status: 'False', reason: 'ReadinessGatesNotReady', message: 'corresponding condition of pod readiness gate "www.example.com/feature-1" does not exist.' });
    const gate = (status: string) => ({ type: 'www.example.com/feature-1', status, lastProbeTime: null, lastTransitionTime: '2025-01-01T00:01:00Z' });
    c.patch('pod', 'gated', { status: { conditions: [...c.get('pod', 'gated').status.conditions, gate('False')] } }, { type: 'merge', subresource: 'status' });
    await c.runFor('5s');
    expect(ready()).toMatchObject({ status: 'False', reason: 'ReadinessGatesNotReady', message: 'the status of pod readiness gate "www.example.com/feature-1" is not "True", but False' });
    const others = c.get('pod', 'gated').status.conditions.filter((x: any) => x.type !== 'www.example.com/feature-1');
    c.patch('pod', 'gated', { status: { conditions: [...others, gate('True')] } }, { type: 'merge', subresource: 'status' });
    await c.runFor('5s');
    expect(ready().status).toBe('True');
    expect(c.get('pod', 'gated').status.conditions.find((x: any) => x.type === 'www.example.com/feature-1').status).toBe('True');
  });
});

describe('sidecars and hooks', () => {
  it('a sidecar (an init container with restartPolicy Always) starts before the app container and keeps running', async () => {
    // D:concepts/workloads/pods/sidecar-containers; k8s-facts §7.7
    const c = await createCluster({ seed: 1 });
    c.create(pod('with-sidecar', {
      initContainers: [{ name: 'logshipper', image: 'busybox:1.36', restartPolicy: 'Always', command: ['sh', '-c', 'while true; do sleep 5; done'] }],
      containers: [{ name: 'app', image: 'nginx:1.14.2' }],
    }));
    await c.runFor('1m');
    const p = c.get('pod', 'with-sidecar');
    expect(p.status.phase).toBe('Running');
    const sidecar = p.status.initContainerStatuses[0];
    expect(sidecar.state.running).toBeDefined();
    expect(sidecar.started).toBe(true);
    expect(Date.parse(p.status.containerStatuses[0].state.running.startedAt)).toBeGreaterThanOrEqual(Date.parse(sidecar.state.running.startedAt));
    expect(p.status.conditions.find((x: any) => x.type === 'Initialized').status).toBe('True');
  });

  it('a preStop hook runs before SIGTERM: the pod goes once the hook is done', async () => {
    // k8s-facts §7.6: preStop, then SIGTERM, within terminationGracePeriodSeconds
    const c = await createCluster({ seed: 1 });
    c.create(pod('graceful', { containers: [{ name: 'nginx', image: 'nginx:1.14.2', lifecycle: { preStop: { exec: { command: ['sh', '-c', 'sleep 5'] } } } }] }));
    await c.runFor('30s');
    const t0 = c.now();
    c.delete('pod', 'graceful');
    await c.runUntil((cl) => cl.find('pod', 'graceful') === undefined, { timeout: '1m' });
    expect(Math.round((c.now() - t0) / 1000)).toBe(5);
  });
});

describe('restarts and back-off', () => {
  it('a container that keeps exiting restarts at once, then after 10, 20, 40, 80, 160, 300, 300 s', async () => {
    // k8s-facts §7.3: crash back-off 10 s doubling to 300 s; busybox without a command exits at once.
    const c = await createCluster({ seed: 1 });
    const times = watchRestarts(c, 'crash');
    c.create(pod('crash', { containers: [{ name: 'box', image: 'busybox:1.36' }] }));
    await c.runFor('20m');
    const gaps = times.slice(1).map((t, i) => Math.round((t - times[i]) / 1000));
    expect(gaps.slice(0, 7)).toEqual([10, 20, 40, 80, 160, 300, 300]);
    const s = container(c, 'crash');
    expect(c.get('pod', 'crash').status.phase).toBe('Running');
    expect(s.lastState.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
    expect(reasons(c, 'crash')).toContain(`BackOff: Back-off restarting failed container box in pod crash_default(${c.get('pod', 'crash').metadata.uid})`);
  });

  it('while a container backs off, each retry of the pod worker (every 10-15 s) records BackOff again', async () => {
    // pod_workers.go: a sync that fails on the back-off is tried again after wait.Jitter(10 s, 0.5);
    // kuberuntime doBackOff records BackOff at each. The first 25 events of the pod get written at once.
    const c = await createCluster({ seed: 1 });
    const writes: Array<[number, number]> = [];
    c.watch('events', (ev, cl) => { if (ev.object.reason === 'BackOff' && ev.object.involvedObject.name === 'crash') writes.push([ev.object.count, cl.now()]); });
    c.create(pod('crash', { containers: [{ name: 'box', image: 'busybox:1.36' }] }));
    await c.runFor('2m');
    expect(writes.map(([n]) => n)).toEqual(writes.map((_, i) => i + 1));
    const gaps = writes.slice(1).map(([, t], i) => t - writes[i][1]);
    // Within one back-off the retries are 10 to 15 s apart (a restart starts a new back-off at once).
    expect(gaps.filter((g) => g >= 10_000 && g <= 15_000).length).toBeGreaterThanOrEqual(3);
    expect(writes.length).toBeGreaterThan(container(c, 'crash').restartCount);
  });

  it('the back-off is forgotten after a container runs for 10 minutes', async () => {
    // k8s-facts §7.3: "reset after the container runs 10 min without problems"
    const c = await createCluster({ seed: 1 });
    const long = watchRestarts(c, 'long');
    const short = watchRestarts(c, 'short');
    const behaviour = (ms: number) => ({ 'kubesim.io/behavior': JSON.stringify({ exitAfterMs: ms, exitCode: 1 }) });
    c.create(pod('long', { containers: [{ name: 'app', image: 'nginx:1.14.2' }] }, { annotations: behaviour(11 * 60_000) }));
    c.create(pod('short', { containers: [{ name: 'app', image: 'nginx:1.14.2' }] }, { annotations: behaviour(5 * 60_000) }));
    await c.runFor('40m');
    const gaps = (t: number[]) => t.slice(1).map((x, i) => Math.round((x - t[i]) / 1000));
    // Eleven minutes of running each time: every restart is immediate.
    expect(gaps(long).length).toBeGreaterThanOrEqual(2);
    expect(gaps(long).every((g) => g === 660)).toBe(true);
    // Five minutes of running: the back-off grows: 300 + 10, 300 + 20, ...
    expect(gaps(short).slice(0, 3)).toEqual([310, 320, 340]);
  });

  it('restartPolicy Never: a failing container leaves the pod Failed; OnFailure with exit 0: Succeeded', async () => {
    // k8s-facts §7.1, §7.3
    const c = await createCluster({ seed: 1 });
    c.create(pod('never', { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36', command: ['sh', '-c', 'exit 3'] }] }));
    c.create(pod('ok', { restartPolicy: 'OnFailure', containers: [{ name: 'c', image: 'busybox:1.36', command: ['sh', '-c', 'echo done'] }] }));
    await c.runFor('1m');
    expect(c.get('pod', 'never').status.phase).toBe('Failed');
    expect(container(c, 'never').state.terminated).toMatchObject({ exitCode: 3, reason: 'Error' });
    expect(container(c, 'never').restartCount).toBe(0);
    expect(c.get('pod', 'ok').status.phase).toBe('Succeeded');
    expect(container(c, 'ok').state.terminated).toMatchObject({ exitCode: 0, reason: 'Completed' });
  });

  it('a container over its memory limit is OOMKilled with exit code 137 and restarted', async () => {
    // k8s-facts §7.8
    const c = await createCluster({ seed: 1 });
    const behaviour = { 'kubesim.io/behavior': JSON.stringify({ memory: [[0, 50 * 2 ** 20], [60_000, 300 * 2 ** 20]] }) };
    c.create(pod('hog', { containers: [{ name: 'app', image: 'nginx:1.14.2', resources: { limits: { memory: '200Mi' } } }] }, { annotations: behaviour }));
    await c.runFor('50s');
    const s = container(c, 'hog');
    expect(s.restartCount).toBe(1);
    expect(s.lastState.terminated).toMatchObject({ exitCode: 137, reason: 'OOMKilled' });
  });
});

describe('settled pods', () => {
  /** The pod worker actor of a pod on node-1. */
  const worker = (c: Cluster, name: string) => c.runtime.logicOf(c.runtime.actorIds().find((a) => a.endsWith(`/pod/default/${name}`))!)!;

  it('a settled pod worker hibernates its machines and wakes, with its state intact, for a crash and a deletion', async () => {
    // Hibernation is ours (memory for large clusters); what the pod does afterwards is upstream's.
    const c = await createCluster({ seed: 1 });
    c.create(pod('web', { containers: [{ name: 'nginx', image: 'nginx:1.14.2' }] }));
    c.create(pod('probed', { containers: [{ name: 'nginx', image: 'nginx:1.14.2', readinessProbe: { httpGet: { path: '/', port: 80 } } }] }));
    await c.runFor('1m');
    expect(worker(c, 'web').hibernating!()).toBe(true);
    expect(worker(c, 'web').snapshot!()).toMatchObject({ pod: 'Running', containers: { nginx: { Running: {} } } });
    // A readiness probe every 10 s is work to do: that pod stays awake.
    expect(worker(c, 'probed').hibernating!()).toBe(false);

    // The first restart is immediate; the second waits out a 10 s back-off, awake.
    c.crashContainer('web', { exitCode: 1 });
    await c.runFor('1s');
    expect(container(c, 'web')).toMatchObject({ restartCount: 1, state: { running: {} }, lastState: { terminated: { exitCode: 1, reason: 'Error' } } });
    c.crashContainer('web', { exitCode: 2 });
    await c.runFor('1s');
    // Waiting out the back-off, the exit just seen is the last state (convertToAPIContainerStatuses).
    const dead = container(c, 'web').containerID;
    expect(container(c, 'web')).toMatchObject({ restartCount: 1, state: { waiting: { reason: 'CrashLoopBackOff' } }, lastState: { terminated: { exitCode: 2, reason: 'Error', containerID: dead } } });
    expect(worker(c, 'web').hibernating!()).toBe(false);
    await c.runFor('1m');
    expect(container(c, 'web')).toMatchObject({ restartCount: 2, ready: true, state: { running: {} }, lastState: { terminated: { exitCode: 2, containerID: dead } } });
    expect(container(c, 'web').containerID).not.toBe(dead);
    expect(worker(c, 'web').hibernating!()).toBe(true);

    c.delete('pod', 'web');
    await c.runFor('1m');
    expect(c.list('pod').map((p) => p.metadata.name)).toEqual(['probed']);
    expect(reasons(c, 'web').slice(-1)).toEqual(['Killing: Stopping container nginx']);
  });
});

describe('probes', () => {
  it('the docs\' liveness exec example: cat /tmp/healthy fails after 30 s and the container is restarted', async () => {
    // D:tasks/configure-pod-container/configure-liveness-readiness-startup-probes (exec-liveness.yaml)
    const c = await createCluster({ seed: 1 });
    c.create(pod('liveness-exec', {
      containers: [{
        name: 'liveness', image: 'registry.k8s.io/busybox:1.27.2',
        args: ['/bin/sh', '-c', 'touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep 600'],
        livenessProbe: { exec: { command: ['cat', '/tmp/healthy'] }, initialDelaySeconds: 5, periodSeconds: 5 },
      }],
    }));
    await c.runFor('30s');
    expect(container(c, 'liveness-exec').restartCount).toBe(0);
    // Third failure at 40 s; `sh` as PID 1 ignores SIGTERM, so the kill lands when the 30 s grace ends.
    await c.runFor('39s');
    expect(container(c, 'liveness-exec').restartCount).toBe(0);
    await c.runFor('2s');
    expect(container(c, 'liveness-exec').restartCount).toBe(1);
    const ev = reasons(c, 'liveness-exec');
    expect(ev.some((e) => e.startsWith('Unhealthy: Liveness probe failed: cat: can\'t open \'/tmp/healthy\': No such file or directory'))).toBe(true);
    expect(ev).toContain('Killing: Container liveness failed liveness probe, will be restarted');
  });

  it('the docs\' liveness HTTP example: agnhost liveness answers 500 after 10 s and is restarted', async () => {
    // D:tasks/configure-pod-container/configure-liveness-readiness-startup-probes (http-liveness.yaml)
    const c = await createCluster({ seed: 1 });
    c.create(pod('liveness-http', {
      containers: [{
        name: 'liveness', image: 'registry.k8s.io/e2e-test-images/agnhost:2.40', args: ['liveness'],
        livenessProbe: { httpGet: { path: '/healthz', port: 8080, httpHeaders: [{ name: 'Custom-Header', value: 'Awesome' }] }, initialDelaySeconds: 3, periodSeconds: 3 },
      }],
    }));
    await c.runFor('40s');
    expect(container(c, 'liveness-http').restartCount).toBeGreaterThanOrEqual(1);
    expect(reasons(c, 'liveness-http')).toContain('Unhealthy: Liveness probe failed: HTTP probe failed with statuscode: 500');
  });

  it('a failing readiness probe keeps the pod Running but not Ready', async () => {
    // k8s-facts §7.5: readiness failure ⇒ Ready=false, container keeps running
    const c = await createCluster({ seed: 1 });
    c.create(pod('unready', { containers: [{ name: 'web', image: 'nginx:1.14.2', readinessProbe: { httpGet: { path: '/not-there', port: 80 }, periodSeconds: 5 } }] }));
    await c.runFor('1m');
    const p = c.get('pod', 'unready');
    expect(p.status.phase).toBe('Running');
    expect(p.status.conditions.find((x: any) => x.type === 'Ready')).toMatchObject({ status: 'False', reason: 'ContainersNotReady', message: 'containers with unready status: [web]' });
    expect(container(c, 'unready').restartCount).toBe(0);
  });
});

describe('images and configuration errors', () => {
  it('a tag that does not exist: ErrImagePull, then ImagePullBackOff, with upstream\'s messages', async () => {
    // D:concepts/workloads/controllers/deployment (nginx:1.161), k8s-facts §7.2, §16
    const c = await createCluster({ seed: 1 });
    c.create(pod('typo', { containers: [{ name: 'nginx', image: 'nginx:1.161' }] }));
    await c.runFor('500ms');
    await c.runUntil((cl) => container(cl, 'typo')?.state?.waiting?.reason === 'ErrImagePull', { timeout: '10s' });
    await c.runFor('30s');
    expect(container(c, 'typo').state.waiting.reason).toBe('ImagePullBackOff');
    const ev = reasons(c, 'typo');
    expect(ev).toContain('Failed: Failed to pull image "nginx:1.161": rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:1.161": failed to resolve reference "docker.io/library/nginx:1.161": docker.io/library/nginx:1.161: not found');
    expect(ev).toContain('Failed: Error: ErrImagePull');
    expect(ev).toContain('BackOff: Back-off pulling image "nginx:1.161"');
    expect(ev).toContain('Failed: Error: ImagePullBackOff');
    expect(c.get('pod', 'typo').status.phase).toBe('Pending');
    // 1.32: the waiting message during the back-off carries the last pull's error.
    expect(container(c, 'typo').state.waiting.message).toBe('Back-off pulling image "nginx:1.161": ErrImagePull: rpc error: code = NotFound desc = failed to pull and unpack image "docker.io/library/nginx:1.161": failed to resolve reference "docker.io/library/nginx:1.161": docker.io/library/nginx:1.161: not found');
  });

  it('a failed pull is retried only at the pod worker\'s syncs, 10–15 s apart: ErrImagePull shows until one finds the image back-off (10 s doubling) running', async () => {
    // pod_workers.go: a failed sync is tried again after wait.Jitter(10 s, 0.5); the image
    // manager pulls unless the last failure is within its back-off (flowcontrol.Backoff 10 s → 300 s).
    // As `kubectl get pods -w` shows it: ErrImagePull, ImagePullBackOff 10–15 s later, ErrImagePull again after the back-off.
    const c = await createCluster({ seed: 1 });
    const seen: Array<[number, string]> = [];
    c.watch('pods', (e) => {
      const reason = e.object.status?.containerStatuses?.[0]?.state?.waiting?.reason;
      if (e.object.metadata.name === 'typo' && reason && reason !== seen.at(-1)?.[1]) seen.push([c.now(), reason]);
    });
    c.create(pod('typo', { containers: [{ name: 'nginx', image: 'nginx:1.161' }] }));
    await c.runFor('20s');
    // The first resync (10–15 s after the failure) finds the 10 s back-off over: it pulls again.
    const pulling = () => c.events().find((e) => e.involvedObject.name === 'typo' && e.reason === 'Pulling')?.count;
    expect(pulling()).toBe(2);
    expect(container(c, 'typo').state.waiting.reason).toBe('ErrImagePull');
    await c.runFor('3m');
    const reasons = seen.map(([, r]) => r);
    expect(reasons.slice(0, 6)).toEqual(['ContainerCreating', 'ErrImagePull', 'ImagePullBackOff', 'ErrImagePull', 'ImagePullBackOff', 'ErrImagePull']);
    const at = (i: number) => seen[i][0];
    expect(at(1)).toBeLessThan(1_000);
    // The second resync finds the 20 s back-off running.
    expect(at(2) - at(1)).toBeGreaterThanOrEqual(20_000);
    expect(at(2) - at(1)).toBeLessThanOrEqual(32_000);
    // Each later failure shows ErrImagePull until the next resync, 10–15 s, then ImagePullBackOff.
    for (const i of [3, 5]) {
      if (!seen[i + 1]) continue;
      expect(at(i + 1) - at(i)).toBeGreaterThanOrEqual(10_000);
      expect(at(i + 1) - at(i)).toBeLessThanOrEqual(15_000);
    }
    // Pulls again at the first resync after the back-off (40 s, then 80 s) has run out.
    expect(at(5) - at(3)).toBeGreaterThanOrEqual(40_000);
    expect(at(5) - at(3)).toBeLessThanOrEqual(40_000 + 16_000);
  });

  it('imagePullPolicy Never with the image absent: ErrImageNeverPull, never ImagePullBackOff, the Warning again at every sync', async () => {
    // images/image_manager.go: the Never policy is checked before any back-off; each sync fails the same way.
    const c = await createCluster({ seed: 1 });
    const seen = new Set<string>();
    c.watch('pods', (e) => {
      const reason = e.object.status?.containerStatuses?.[0]?.state?.waiting?.reason;
      if (e.object.metadata.name === 'local' && reason) seen.add(reason);
    });
    c.create(pod('local', { containers: [{ name: 'app', image: 'nginx:1.25', imagePullPolicy: 'Never' }] }));
    await c.runFor('1m');
    expect([...seen]).toEqual(['ContainerCreating', 'ErrImageNeverPull']);
    expect(container(c, 'local').state.waiting.message).toBe('Container image "nginx:1.25" is not present with pull policy of Never');
    const warning = c.events().find((e) => e.involvedObject.name === 'local' && e.reason === 'ErrImageNeverPull')!;
    expect(warning.type).toBe('Warning');
    // One at the start and one per sync 10–15 s apart.
    expect(warning.count).toBeGreaterThanOrEqual(5);
    expect(warning.count).toBeLessThanOrEqual(7);
  });

  it('a missing ConfigMap key is CreateContainerConfigError; a missing ConfigMap volume is FailedMount', async () => {
    // k8s-facts §7.2, §16 (FailedMount)
    const c = await createCluster({ seed: 1 });
    c.create(pod('env', { containers: [{ name: 'app', image: 'nginx:1.14.2', env: [{ name: 'LEVEL', valueFrom: { configMapKeyRef: { name: 'settings', key: 'level' } } }] }] }));
    c.create(pod('vol', { containers: [{ name: 'app', image: 'nginx:1.14.2', volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg' }] }], volumes: [{ name: 'cfg', configMap: { name: 'missing' } }] }));
    await c.runFor('20s');
    expect(container(c, 'env').state.waiting).toMatchObject({ reason: 'CreateContainerConfigError', message: 'configmap "settings" not found' });
    expect(reasons(c, 'vol')).toContain('FailedMount: MountVolume.SetUp failed for volume "cfg" : configmap "missing" not found');
    c.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'settings' }, data: { level: 'debug' } });
    await c.runFor('20s');
    expect(container(c, 'env').state.running).toBeDefined();
  });
  it('a ConfigMap volume that cannot be mounted: FailedMount at a back-off of 500 ms doubling, then WaitForAttachAndMount gives up after 2 min 3 s', async () => {
    // volumemanager: the reconciler retries a failed mount after 0.5, 1, 2, 4 … s (up to 2 min 2 s);
    // SyncPod waits 2 min 3 s for the pod's volumes, then fails and the pod worker tries again 10–15 s later.
    const c = await createCluster({ seed: 1 });
    c.create(pod('vol', { containers: [{ name: 'app', image: 'nginx:1.14.2', volumeMounts: [{ name: 'cfg', mountPath: '/etc/cfg' }] }], volumes: [{ name: 'cfg', configMap: { name: 'missing' } }] }));
    const mountFailed = () => c.events().find((e) => e.involvedObject.name === 'vol' && e.message.startsWith('MountVolume.SetUp failed'));
    await c.runFor('33s');
    // Tries at 0, 0.5, 1.5, 3.5, 7.5, 15.5 and 31.5 s: as `kubectl describe` shows on a real node, "(x7 over 33s)".
    expect(mountFailed()).toMatchObject({ type: 'Warning', reason: 'FailedMount', count: 7, message: 'MountVolume.SetUp failed for volume "cfg" : configmap "missing" not found' });
    await c.runFor('1m29s');
    const gaveUp = () => c.events().find((e) => e.involvedObject.name === 'vol' && e.message.startsWith('Unable to attach or mount volumes'));
    expect(gaveUp()).toBeUndefined();
    await c.runFor('1s');
    expect(gaveUp()).toMatchObject({
      type: 'Warning', reason: 'FailedMount',
      message: 'Unable to attach or mount volumes: unmounted volumes=[cfg], unattached volumes=[], failed to process volumes=[]: timed out waiting for the condition',
    });
    expect(container(c, 'vol').state.waiting.reason).toBe('ContainerCreating');
    // Once the ConfigMap exists, the next try (within 2 min 2 s) mounts it and the container starts.
    c.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'missing' }, data: { a: 'b' } });
    await c.runFor('2m5s');
    expect(container(c, 'vol').state.running).toBeDefined();
  });

  it('a container that cannot be created (CreateContainerConfigError) is tried again at each pod worker sync, 10–15 s apart', async () => {
    // pod_workers.go: a failed sync is tried again after wait.Jitter(10 s, 0.5); each try fails the same way until the ConfigMap exists.
    const c = await createCluster({ seed: 1 });
    c.create(pod('env', { containers: [{ name: 'app', image: 'nginx:1.14.2', env: [{ name: 'LEVEL', valueFrom: { configMapKeyRef: { name: 'settings', key: 'level' } } }] }] }));
    await c.runFor('2m');
    const failed = c.events().find((e) => e.involvedObject.name === 'env' && e.message === 'Error: configmap "settings" not found')!;
    // The first try, then one each 10–15 s (12.5 s on average) for the rest of the two minutes;
    // a fixed 10 s would make 12.
    expect(failed.count).toBeGreaterThanOrEqual(1 + Math.floor(115 / 15));
    expect(failed.count).toBeLessThanOrEqual(11);
    expect(container(c, 'env').state.waiting.reason).toBe('CreateContainerConfigError');
  });
});

describe('termination', () => {
  it('a process that ignores SIGTERM is killed when the 30 s grace period ends', async () => {
    // k8s-facts §7.6
    const c = await createCluster({ seed: 1, trace: true });
    c.create(pod('sleeper', { containers: [{ name: 'c', image: 'busybox:1.36', command: ['sh', '-c', 'sleep 3600'] }] }));
    c.create(pod('web', { containers: [{ name: 'nginx', image: 'nginx:1.14.2' }] }));
    await c.runFor('30s');
    const t0 = c.now();
    c.delete('pod', 'sleeper');
    c.delete('pod', 'web');
    expect(c.get('pod', 'sleeper').metadata.deletionGracePeriodSeconds).toBe(30);
    await c.runUntil((cl) => cl.find('pod', 'web') === undefined, { timeout: '30s' });
    expect(c.now() - t0).toBeLessThan(2_000);
    await c.runUntil((cl) => cl.find('pod', 'sleeper') === undefined, { timeout: '1m' });
    expect(Math.round((c.now() - t0) / 1000)).toBe(30);
    expect(reasons(c, 'sleeper')).toContain('Killing: Stopping container c');
    // The deleted pods' workers stopped cleanly: no error while stopping their machines.
    expect(c.traceLines().filter((l) => l.includes('stop-error'))).toEqual([]);
  });
});

describe('nodes and kubelet faults', () => {
  it('each node registers Ready with capacity and allocatable and renews its Lease every 10 s', async () => {
    // k8s-facts §6.1
    const c = await createCluster({ seed: 1, nodes: 2, nodeCpu: '8', nodeMemory: '32Gi' });
    await c.runFor('1m');
    const n = c.get('node', 'node-2');
    expect(n.status.capacity).toMatchObject({ cpu: '8', memory: '33554432Ki', pods: '110' });
    expect(n.status.allocatable.memory).toBe('33452032Ki');
    expect(n.status.conditions.find((x: any) => x.type === 'Ready')).toMatchObject({ status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' });
    expect(n.metadata.labels?.['kubernetes.io/hostname']).toBe('node-2');
    const lease = c.get('lease', 'node-2', 'kube-node-lease');
    expect(lease.spec).toMatchObject({ holderIdentity: 'node-2', leaseDurationSeconds: 40 });
    expect(lease.spec.renewTime).toBe('2025-01-01T00:01:00.000000Z');
  });

  it('a broken container runtime makes the node NotReady; its pods are evicted 300 s after the not-ready taint', async () => {
    // k8s-facts §6.1 (KubeletNotReady), §6.2 (not-ready taint, 300 s default toleration)
    const c = await createCluster({ seed: 1 });
    c.create(pod('web', { containers: [{ name: 'nginx', image: 'nginx:1.14.2' }] }));
    await c.runFor('30s');
    const t0 = c.now();
    c.breakContainerRuntime('node-1');
    await c.runUntil((cl) => cl.get('node', 'node-1').status.conditions.find((x: any) => x.type === 'Ready').status === 'False', { timeout: '15s' });
    expect(c.now() - t0).toBeLessThanOrEqual(10_000);
    expect(c.get('node', 'node-1').status.conditions.find((x: any) => x.type === 'Ready')).toMatchObject({ reason: 'KubeletNotReady', message: 'container runtime is down' });
    expect(c.runtime.logicOf('node/node-1')!.stateValue!()).toMatchObject({ Registered: { Condition: 'NotReady' } });
    expect(reasons(c, 'node-1')).toContain('NodeNotReady: Node node-1 status is now: NodeNotReady');
    await c.runUntil((cl) => (cl.get('node', 'node-1').spec.taints ?? []).some((t: any) => t.key === 'node.kubernetes.io/not-ready' && t.effect === 'NoExecute'), { timeout: '1m' });
    const tainted = c.now();
    await c.runUntil((cl) => Boolean(cl.find('pod', 'web')?.metadata.deletionTimestamp) || !cl.find('pod', 'web'), { timeout: '10m' });
    expect(Math.round((c.now() - tainted) / 1000)).toBe(300);
    c.repairContainerRuntime('node-1');
    await c.runFor('15s');
    expect(c.get('node', 'node-1').status.conditions.find((x: any) => x.type === 'Ready').status).toBe('True');
  });

  it('a kubelet crash does not restart containers: the pod keeps running with the same restart count', async () => {
    // Containers are the runtime's, not the kubelet's: a restarted kubelet finds them running.
    const c = await createCluster({ seed: 1 });
    c.create(pod('web', { containers: [{ name: 'nginx', image: 'nginx:1.14.2' }] }));
    await c.runFor('30s');
    const before = container(c, 'web');
    c.crashKubelet('node-1');
    await c.runFor('30s');
    expect(c.runtime.incarnation('node/node-1')).toBe(2);
    const after = container(c, 'web');
    expect(after.restartCount).toBe(0);
    expect(after.state.running.startedAt).toBe(before.state.running.startedAt);
    expect(c.get('pod', 'web').status.phase).toBe('Running');
  });

  it('a restarted kubelet counts the pods it finds running when it admits the next one', async () => {
    // canAdmitPod sums the requests of every active pod on the node, old or new.
    const c = await createCluster({ seed: 1, nodeCpu: '2' });
    const busy = { name: 'c', image: 'nginx:1.14.2', resources: { requests: { cpu: '1500m' } } };
    c.create(pod('first', { containers: [busy] }));
    await c.runFor('30s');
    c.crashKubelet('node-1');
    await c.runFor('30s');
    c.create(pod('second', { containers: [busy] }));
    await c.runFor('30s');
    expect(c.get('pod', 'first').status.phase).toBe('Running');
    expect(c.get('pod', 'second').status).toMatchObject({ phase: 'Failed', reason: 'OutOfcpu' });
  });
});
