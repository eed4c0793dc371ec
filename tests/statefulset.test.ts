// StatefulSet ordering, identity, updates, status and revisions end to end, with real kubelets and
// the scheduler. k8s-facts §3; D:concepts/workloads/controllers/statefulset ("Deployment and Scaling
// Guarantees", "Update Strategies"); K:pkg/controller/statefulset/stateful_set_control.go.
// No test here depends on storage: the sets have no volumeClaimTemplates (see statefulset-storage.test.ts).
import { describe, expect, it } from 'vitest';
import { createCluster, type Cluster, type KubeObject, type WatchEvent } from 'kubesim';

const LABELS = { app: 'nginx' };

function statefulSet(spec: Record<string, unknown> = {}, name = 'web'): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name },
    spec: {
      serviceName: 'nginx', replicas: 3, selector: { matchLabels: LABELS },
      template: { metadata: { labels: LABELS }, spec: { containers: [{ name: 'nginx', image: 'registry.k8s.io/nginx-slim:0.21', ports: [{ containerPort: 80, name: 'web' }] }] } },
      ...spec,
    },
  };
}

const HEADLESS = { apiVersion: 'v1', kind: 'Service', metadata: { name: 'nginx', labels: LABELS }, spec: { clusterIP: 'None', selector: LABELS, ports: [{ port: 80, name: 'web' }] } };

const ordinal = (p: KubeObject) => Number(p.metadata.name!.split('-').pop());
const runningAndReady = (p: KubeObject | undefined) => p !== undefined && !p.metadata.deletionTimestamp && p.status?.phase === 'Running'
  && (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');

/**
 * Keeps the pods of `web` as the store has them (a watch delivers every change in order), and
 * checks the StatefulSet guarantees at each creation and deletion.
 */
class PodLog {
  readonly pods = new Map<string, KubeObject>();
  readonly created: string[] = [];
  readonly deleted: string[] = [];
  readonly violations: string[] = [];
  orderedReady = true;

  constructor(c: Cluster, private readonly set = 'web') {
    c.watch('pods', (ev) => this.onEvent(ev));
  }

  private onEvent(ev: WatchEvent): void {
    const pod = ev.object;
    const name = pod.metadata.name!;
    if (!name.startsWith(`${this.set}-`)) return;
    const before = this.pods.get(name);
    if (ev.type === 'ADDED') {
      if (before) this.violations.push(`two pods named ${name}`);
      this.created.push(name);
      if (this.orderedReady) this.checkPredecessorsReady(name, ordinal(pod));
    }
    const startsDeletion = (ev.type === 'DELETED' && !before?.metadata.deletionTimestamp) || (pod.metadata.deletionTimestamp && !before?.metadata.deletionTimestamp);
    if (startsDeletion) this.deleted.push(name);
    if (ev.type === 'DELETED') this.pods.delete(name);
    else this.pods.set(name, pod);
  }

  private checkPredecessorsReady(name: string, k: number): void {
    for (let j = 0; j < k; j++) {
      if (!runningAndReady(this.pods.get(`${this.set}-${j}`))) this.violations.push(`${name} created while ${this.set}-${j} was not Running and Ready`);
    }
  }

  ready(): string[] {
    return [...this.pods.values()].filter(runningAndReady).map((p) => p.metadata.name!).sort();
  }
}

/** Steps the runtime one delivery at a time until `done` (or fails after `maxMs` of virtual time). */
function stepUntil(c: Cluster, done: () => boolean, maxMs: number, onStep?: () => void): void {
  const end = c.now() + maxMs;
  while (!done()) {
    expect(c.runtime.step(), `runtime went idle at ${c.now()} ms (seed ${c.runtime.seed})`).toBe(true);
    if (c.now() > end) throw new Error(`not done within ${maxMs} ms of virtual time (seed ${c.runtime.seed}, t=${c.now()} ms)`);
    onStep?.();
  }
}

function controllerView(c: Cluster, key = 'default/web'): { state: string; context: any } {
  const actors = (c.snapshot() as any).actors;
  return actors['statefulset-controller'].state.statefulSets[key];
}

describe('StatefulSet: OrderedReady', () => {
  it('creates web-0, web-1, web-2 in order, each only once its predecessors are Running and Ready, through a controller crash and a container crash', async () => {
    // D:…/statefulset "Deployment and Scaling Guarantees": if web-0 fails after web-1 is Running and
    // Ready but before web-2 is launched, web-2 waits until web-0 is Running and Ready again.
    const c = await createCluster({ seed: 11 });
    const log = new PodLog(c);
    c.create(HEADLESS);
    c.create(statefulSet());
    stepUntil(c, () => log.created.includes('web-1'), 30_000);
    c.crash('statefulset-controller');
    stepUntil(c, () => runningAndReady(log.pods.get('web-1')), 30_000);
    expect(log.created).not.toContain('web-2');
    c.crashContainer('web-0', { exitCode: 137 });
    stepUntil(c, () => log.ready().length === 3, 60_000);
    expect(log.violations).toEqual([]);
    expect(log.created).toEqual(['web-0', 'web-1', 'web-2']);
    expect(c.get('pod', 'web-0').status.containerStatuses[0].restartCount).toBe(1);
  });

  it('gives each pod a stable identity: name, hostname, subdomain (its DNS name), pod-name, pod-index and revision labels, and an owner reference', async () => {
    // D:…/statefulset "Pod Identity", "Pod Name Label"; K:…/stateful_set_utils.go initIdentity, updateIdentity.
    const c = await createCluster({ seed: 12 });
    c.create(HEADLESS);
    const set = c.create(statefulSet({ replicas: 2 }));
    await c.runUntil((cl) => cl.list('pods').filter(runningAndReady).length === 2, { timeout: '2m' });
    const pod = c.get('pod', 'web-1');
    const sts = c.get('sts', 'web');
    expect(pod.metadata.labels).toEqual({ app: 'nginx', 'statefulset.kubernetes.io/pod-name': 'web-1', 'apps.kubernetes.io/pod-index': '1', 'controller-revision-hash': sts.status.updateRevision });
    expect(pod.spec.hostname).toBe('web-1');
    expect(pod.spec.subdomain).toBe('nginx');
    expect(`${pod.spec.hostname}.${pod.spec.subdomain}.${pod.metadata.namespace}.svc.cluster.local`).toBe('web-1.nginx.default.svc.cluster.local');
    expect(pod.metadata.generateName).toBe('web-');
    expect(pod.metadata.ownerReferences).toEqual([{ apiVersion: 'apps/v1', kind: 'StatefulSet', name: 'web', uid: set.metadata.uid, controller: true, blockOwnerDeletion: true }]);
    expect(sts.status.updateRevision).toMatch(/^web-[bcdfghjklmnpqrstvwxz2456789]+$/);
  });

  it('starts at spec.ordinals.start', async () => {
    // k8s-facts §3.1 (StatefulSetStartOrdinal, GA 1.31).
    const c = await createCluster({ seed: 13 });
    c.create(statefulSet({ replicas: 2, ordinals: { start: 5 } }));
    await c.runUntil((cl) => cl.list('pods').filter(runningAndReady).length === 2, { timeout: '2m' });
    expect(c.list('pods').map((p) => p.metadata.name)).toEqual(['web-5', 'web-6']);
    expect(c.get('pod', 'web-6').metadata.labels?.['apps.kubernetes.io/pod-index']).toBe('6');
  });

  it('waits minReadySeconds after a pod is Ready before creating the next, and the inspector shows what it waits for', async () => {
    // K:…/stateful_set_control.go processReplica (isRunningAndAvailable); machines/statefulset.ts.
    const c = await createCluster({ seed: 14 });
    const log = new PodLog(c);
    c.create(statefulSet({ replicas: 2, minReadySeconds: 10 }));
    stepUntil(c, () => runningAndReady(log.pods.get('web-0')), 30_000);
    const readyAt = c.now();
    stepUntil(c, () => controllerView(c).state === 'Scaling.WaitingForAvailable', 5_000);
    expect(controllerView(c).context).toMatchObject({ waitingFor: 'web-0', reason: expect.stringContaining('not Available') });
    stepUntil(c, () => log.created.includes('web-1'), 30_000);
    expect(c.now() - readyAt).toBeGreaterThanOrEqual(10_000);
    stepUntil(c, () => controllerView(c).state === 'Scaling.WaitingForRunningAndReady', 5_000);
    expect(controllerView(c).context).toMatchObject({ waitingFor: 'web-1', reason: 'not Running and Ready' });
    stepUntil(c, () => controllerView(c).state === 'Idle', 60_000);
    await c.runUntil((cl) => cl.get('sts', 'web').status.availableReplicas === 2, { timeout: '10s' });
    const st = c.get('sts', 'web').status;
    expect(st).toMatchObject({ replicas: 2, readyReplicas: 2, availableReplicas: 2, observedGeneration: 1, collisionCount: 0 });
  });

  it('scales down from the highest ordinal, deleting each only after its successor is gone', async () => {
    // D:…/statefulset "Deployment and Scaling Guarantees": terminated in reverse order, each after its successors are completely shut down.
    const c = await createCluster({ seed: 15 });
    const log = new PodLog(c);
    c.create(statefulSet({ replicas: 5 }));
    stepUntil(c, () => log.ready().length === 5, 60_000);
    c.patch('sts', 'web', { spec: { replicas: 2 } }, { type: 'merge' });
    const check = () => {
      const deleting = [...log.pods.values()].filter((p) => p.metadata.deletionTimestamp).map(ordinal);
      for (const k of deleting) for (const p of log.pods.values()) if (ordinal(p) > k) log.violations.push(`web-${k} deleted while ${p.metadata.name} still exists`);
      if (deleting.length > 1) log.violations.push(`${deleting.length} pods terminating at once`);
    };
    stepUntil(c, () => log.pods.size === 2 && log.ready().length === 2, 120_000, check);
    expect(log.violations).toEqual([]);
    expect(log.deleted).toEqual(['web-4', 'web-3', 'web-2']);
    const events = c.events().filter((e) => e.reason === 'SuccessfulDelete').map((e) => e.message);
    expect(events).toEqual(['delete Pod web-4 in StatefulSet web successful', 'delete Pod web-3 in StatefulSet web successful', 'delete Pod web-2 in StatefulSet web successful']);
  });

  it('records upstream\'s events for each pod it creates', async () => {
    // K:…/stateful_pod_control.go recordPodEvent.
    const c = await createCluster({ seed: 16 });
    c.create(statefulSet({ replicas: 2 }));
    await c.runFor('1m');
    expect(c.timeline().filter((e) => e.object === 'statefulset/web').map((e) => `${e.type} ${e.reason} ${e.message}`)).toEqual([
      'Normal SuccessfulCreate create Pod web-0 in StatefulSet web successful',
      'Normal SuccessfulCreate create Pod web-1 in StatefulSet web successful',
    ]);
  });
});

describe('StatefulSet: Parallel', () => {
  it('creates every pod without waiting, and deletes all condemned pods at once', async () => {
    // D:…/statefulset "Parallel Pod Management".
    const c = await createCluster({ seed: 21 });
    const log = new PodLog(c);
    log.orderedReady = false;
    c.create(statefulSet({ replicas: 5, podManagementPolicy: 'Parallel' }));
    stepUntil(c, () => log.created.length === 5, 10_000);
    expect(log.ready()).toEqual([]);
    stepUntil(c, () => log.ready().length === 5, 60_000);
    c.patch('sts', 'web', { spec: { replicas: 1 } }, { type: 'merge' });
    stepUntil(c, () => log.deleted.length === 4, 10_000);
    expect(log.deleted.sort()).toEqual(['web-1', 'web-2', 'web-3', 'web-4']);
    stepUntil(c, () => log.pods.size === 1, 60_000);
    expect([...log.pods.keys()]).toEqual(['web-0']);
  });
});

describe('StatefulSet: identity through deletion', () => {
  it('a deleted pod comes back with the same name and hostname, as a new pod', async () => {
    // D:…/statefulset "Pod Identity": the identity sticks to the pod, whatever node it is (re)scheduled on.
    const c = await createCluster({ seed: 31 });
    c.create(statefulSet());
    await c.runUntil((cl) => cl.list('pods').filter(runningAndReady).length === 3, { timeout: '2m' });
    const before = c.get('pod', 'web-1');
    c.delete('pod', 'web-1');
    await c.runUntil((cl) => runningAndReady(cl.find('pod', 'web-1')) && cl.get('pod', 'web-1').metadata.uid !== before.metadata.uid, { timeout: '2m' });
    const after = c.get('pod', 'web-1');
    expect(after.spec.hostname).toBe('web-1');
    expect(after.metadata.labels?.['statefulset.kubernetes.io/pod-name']).toBe('web-1');
    expect(c.list('pods').map((p) => p.metadata.name)).toEqual(['web-0', 'web-1', 'web-2']);
  });
});

describe('StatefulSet: updates', () => {
  it('RollingUpdate replaces pods from the highest ordinal down, one at a time, each after the previous is Running and Ready', async () => {
    // D:…/statefulset "Rolling Updates"; K:…/stateful_set_control.go updateStatefulSetAfterInvariantEstablished.
    const c = await createCluster({ seed: 41 });
    const log = new PodLog(c);
    c.create(statefulSet());
    stepUntil(c, () => log.ready().length === 3, 60_000);
    const oldRevision = c.get('sts', 'web').status.currentRevision;
    log.created.length = 0;
    log.deleted.length = 0;
    log.orderedReady = false;
    c.patch('sts', 'web', { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'registry.k8s.io/nginx-slim:0.24' }] } } } });
    let sawMidRollout = false;
    const check = () => {
      const notReady = ['web-0', 'web-1', 'web-2'].filter((n) => !runningAndReady(log.pods.get(n)));
      if (notReady.length > 1) log.violations.push(`${notReady.join(', ')} unavailable together`);
      if (!sawMidRollout && log.deleted.length === 2) {
        sawMidRollout = true;
        c.crash('statefulset-controller');
      }
    };
    stepUntil(c, () => c.get('sts', 'web').status.currentRevision !== oldRevision, 120_000, check);
    expect(log.violations).toEqual([]);
    expect(log.deleted).toEqual(['web-2', 'web-1', 'web-0']);
    expect(log.created).toEqual(['web-2', 'web-1', 'web-0']);
    const st = c.get('sts', 'web').status;
    expect(st).toMatchObject({ replicas: 3, readyReplicas: 3, currentReplicas: 3, updatedReplicas: 3 });
    expect(st.currentRevision).toBe(st.updateRevision);
    expect(c.list('pods').map((p) => p.spec.containers[0].image)).toEqual(Array(3).fill('registry.k8s.io/nginx-slim:0.24'));
    expect(c.list('controllerrevisions').map((r) => r.revision)).toEqual([1, 2].sort());
  });

  it('a partition keeps lower ordinals at the old revision, even when they are deleted', async () => {
    // D:…/statefulset "Partitions".
    const c = await createCluster({ seed: 42 });
    c.create(statefulSet({ replicas: 4, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { partition: 2 } } }));
    await c.runUntil((cl) => cl.list('pods').filter(runningAndReady).length === 4, { timeout: '2m' });
    c.patch('sts', 'web', { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'registry.k8s.io/nginx-slim:0.24' }] } } } });
    await c.runUntil((cl) => cl.get('sts', 'web').status.updatedReplicas === 2 && cl.list('pods').filter(runningAndReady).length === 4, { timeout: '2m' });
    const image = (n: string) => c.get('pod', n).spec.containers[0].image;
    expect(['web-0', 'web-1', 'web-2', 'web-3'].map(image)).toEqual(['registry.k8s.io/nginx-slim:0.21', 'registry.k8s.io/nginx-slim:0.21', 'registry.k8s.io/nginx-slim:0.24', 'registry.k8s.io/nginx-slim:0.24']);
    const st = c.get('sts', 'web').status;
    expect(st.currentRevision).not.toBe(st.updateRevision);
    expect(st).toMatchObject({ currentReplicas: 2, updatedReplicas: 2 });
    c.delete('pod', 'web-1');
    await c.runFor('1m');
    expect(image('web-1')).toBe('registry.k8s.io/nginx-slim:0.21');
    c.patch('sts', 'web', { spec: { updateStrategy: { rollingUpdate: { partition: 0 } } } }, { type: 'merge' });
    await c.runUntil((cl) => cl.get('sts', 'web').status.currentRevision === cl.get('sts', 'web').status.updateRevision, { timeout: '2m' });
    expect(['web-0', 'web-1', 'web-2', 'web-3'].map(image)).toEqual(Array(4).fill('registry.k8s.io/nginx-slim:0.24'));
  });

  it('OnDelete updates nothing until a pod is deleted; the replacement has the new template', async () => {
    // D:…/statefulset "On Delete".
    const c = await createCluster({ seed: 43 });
    c.create(statefulSet({ updateStrategy: { type: 'OnDelete' } }));
    await c.runUntil((cl) => cl.list('pods').filter(runningAndReady).length === 3, { timeout: '2m' });
    c.patch('sts', 'web', { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'registry.k8s.io/nginx-slim:0.24' }] } } } });
    await c.runFor('2m');
    expect(c.events().filter((e) => e.reason === 'SuccessfulDelete')).toEqual([]);
    expect(c.get('sts', 'web').status.currentReplicas).toBe(3);
    expect(c.get('sts', 'web').status.updatedReplicas ?? 0).toBe(0);
    c.delete('pod', 'web-1');
    await c.runUntil((cl) => runningAndReady(cl.find('pod', 'web-1')), { timeout: '2m' });
    expect(c.get('pod', 'web-1').spec.containers[0].image).toBe('registry.k8s.io/nginx-slim:0.24');
    expect(c.get('pod', 'web-0').spec.containers[0].image).toBe('registry.k8s.io/nginx-slim:0.21');
    await c.runFor('10s');
    expect(c.get('sts', 'web').status).toMatchObject({ currentReplicas: 2, updatedReplicas: 1 });
  });

  it('maxUnavailable lets a rolling update replace two pods at a time', async () => {
    // k8s-facts §3.3 (MaxUnavailableStatefulSet); K:…/stateful_set_utils.go getStatefulSetMaxUnavailable.
    const c = await createCluster({ seed: 44 });
    const log = new PodLog(c);
    c.create(statefulSet({ replicas: 4, podManagementPolicy: 'Parallel', updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 2 } } }));
    log.orderedReady = false;
    stepUntil(c, () => log.ready().length === 4, 60_000);
    log.deleted.length = 0;
    c.patch('sts', 'web', { spec: { template: { spec: { containers: [{ name: 'nginx', image: 'registry.k8s.io/nginx-slim:0.24' }] } } } });
    let maxTerminating = 0;
    stepUntil(c, () => log.deleted.length === 2, 30_000);
    expect(log.deleted).toEqual(['web-3', 'web-2']);
    stepUntil(c, () => c.get('sts', 'web').status.updatedReplicas === 4 && log.ready().length === 4, 120_000, () => {
      maxTerminating = Math.max(maxTerminating, 4 - log.ready().length);
    });
    expect(maxTerminating).toBeLessThanOrEqual(2);
    expect(log.deleted).toEqual(['web-3', 'web-2', 'web-1', 'web-0']);
  });
});

describe('StatefulSet: revisions and status', () => {
  it('keeps revisionHistoryLimit old ControllerRevisions, and a rollback reuses the old revision with a new number', async () => {
    // K:…/stateful_set_control.go getStatefulSetRevisions, truncateHistory.
    const c = await createCluster({ seed: 51 });
    c.create(statefulSet({ replicas: 1, revisionHistoryLimit: 1 }));
    await c.runUntil((cl) => cl.list('pods').filter(runningAndReady).length === 1, { timeout: '1m' });
    const setImage = async (tag: string) => {
      c.patch('sts', 'web', { spec: { template: { spec: { containers: [{ name: 'nginx', image: `registry.k8s.io/nginx-slim:${tag}` }] } } } });
      await c.runUntil((cl) => {
        const s = cl.get('sts', 'web');
        return s.status.observedGeneration === s.metadata.generation && s.status.currentRevision === s.status.updateRevision && s.status.readyReplicas === 1;
      }, { timeout: '2m' });
      await c.runFor('5s');
    };
    const first = c.get('sts', 'web').status.currentRevision;
    await setImage('0.22');
    await setImage('0.23');
    await setImage('0.24');
    const revs = c.list('controllerrevisions');
    expect(revs.map((r) => r.revision)).toEqual([3, 4]);
    expect(revs.every((r) => r.metadata.ownerReferences?.[0].name === 'web' && r.metadata.labels?.app === 'nginx')).toBe(true);
    await setImage('0.23');
    const after = c.list('controllerrevisions').sort((a, b) => a.revision - b.revision);
    expect(after.map((r) => r.revision)).toEqual([4, 5]);
    expect(after[1].data.spec.template.spec.containers[0].image).toBe('registry.k8s.io/nginx-slim:0.23');
    expect(c.get('sts', 'web').status.currentRevision).toBe(after[1].metadata.name);
    expect(first).not.toBe(after[1].metadata.name);
  });
});

describe('StatefulSet: decisions (planStatefulSet, pure)', () => {
  // K:…/stateful_set_control.go processReplica, processCondemned; k8s-facts §3.2.
  const rev = (name: string) => ({ apiVersion: 'apps/v1', kind: 'ControllerRevision', metadata: { name }, data: {}, revision: 1 });
  const set = (spec: Record<string, unknown> = {}) => ({ ...statefulSet(spec), metadata: { name: 'web', namespace: 'default', uid: 'u1', generation: 1 }, status: {} });
  const pod = (n: number, phase: string, ready: boolean, extra: Record<string, unknown> = {}): KubeObject => ({
    apiVersion: 'v1', kind: 'Pod', metadata: { name: `web-${n}`, namespace: 'default', labels: { ...LABELS, 'statefulset.kubernetes.io/pod-name': `web-${n}`, 'controller-revision-hash': 'web-1' }, ...extra },
    spec: { containers: [] }, status: { phase, conditions: [{ type: 'Ready', status: ready ? 'True' : 'False' }] },
  });
  const plan = async (s: KubeObject, pods: KubeObject[]) => {
    const { planStatefulSet } = await import('../actors/controllers/statefulset-control.ts');
    return planStatefulSet({ set: s, currentRevision: rev('web-1'), updateRevision: rev('web-1'), collisionCount: 0, pods, claim: () => undefined, nowMs: 0 });
  };

  it('a Failed pod is deleted so that it can be recreated', async () => {
    const p = await plan(set(), [pod(0, 'Running', true), pod(1, 'Failed', false), pod(2, 'Running', true)]);
    expect(p.stages.flatMap((s) => s.units.flat()).map((w) => `${w.op} ${w.pod.metadata.name}`)).toEqual(['deletePod web-1']);
    expect(p.progress).toMatchObject({ phase: 'Scaling', step: 'RecreatingFailedPod', pod: 'web-1' });
  });

  it('scale-down waits while a predecessor is not Running and Ready', async () => {
    // D:…/statefulset: web-1 is not terminated until web-0 is Running and Ready again.
    const p = await plan(set({ replicas: 1 }), [pod(0, 'Running', false), pod(1, 'Running', true)]);
    expect(p.stages).toEqual([]);
    expect(p.progress).toMatchObject({ phase: 'Scaling', step: 'WaitingForRunningAndReady', pod: 'web-0', reason: 'not Running and Ready' });
  });

  it('OrderedReady does not create web-2 while web-1 is Pending; Parallel does', async () => {
    const ordered = await plan(set(), [pod(0, 'Running', true), pod(1, 'Pending', false)]);
    expect(ordered.stages).toEqual([]);
    expect(ordered.progress).toMatchObject({ step: 'WaitingForRunningAndReady', pod: 'web-1' });
    const parallel = await plan(set({ podManagementPolicy: 'Parallel' }), [pod(0, 'Running', true), pod(1, 'Pending', false)]);
    expect(parallel.stages.flatMap((s) => s.units.flat()).map((w) => `${w.op} ${w.pod.metadata.name}`)).toEqual(['createPod web-2']);
  });

  it('maxUnavailable: an integer, or a percentage of replicas rounded down, at least 1 (50% of 5 → 2; 10% of 5 → 1)', async () => {
    const { getStatefulSetMaxUnavailable } = await import('../actors/controllers/statefulset-utils.ts');
    expect([getStatefulSetMaxUnavailable(undefined, 5), getStatefulSetMaxUnavailable(3, 5), getStatefulSetMaxUnavailable('50%', 5), getStatefulSetMaxUnavailable('10%', 5)]).toEqual([1, 3, 2, 1]);
  });
});
