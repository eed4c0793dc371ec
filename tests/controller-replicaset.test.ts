// The ReplicaSet controller end to end on the virtual clock (seed 1): slow-start batches,
// scale-down rank order, adoption and release, crash and dropped-event recovery, status and
// ReplicaFailure. Replay any failure with the same seed: the run is deterministic.
import { describe, expect, it } from 'vitest';
import { createCluster, type Cluster } from '../cluster/cluster.ts';
import type { KubeObject } from '../api/types.ts';
import { formatTime } from '../api/time.ts';

const SEED = 1;

function replicaSet(name: string, replicas: number, extra: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name },
    spec: {
      replicas, selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }], ...extra } },
    },
  };
}

/** The pods the user sees through a watch, kept current as the run goes (no extra steps). */
function watchPods(c: Cluster): Map<string, KubeObject> {
  const pods = new Map<string, KubeObject>();
  c.watch('pods', (ev) => {
    if (ev.type === 'DELETED') pods.delete(ev.object.metadata.name!);
    else if (ev.type === 'ADDED' || ev.type === 'MODIFIED') pods.set(ev.object.metadata.name!, ev.object);
  });
  return pods;
}

function activeCount(pods: Map<string, KubeObject>): number {
  return [...pods.values()].filter((p) => !p.metadata.deletionTimestamp && p.status?.phase !== 'Succeeded' && p.status?.phase !== 'Failed').length;
}

/** Steps the runtime for `ms` virtual ms, calling `check` after every step. */
function stepFor(c: Cluster, ms: number, check: () => void): void {
  const end = c.now() + ms;
  while (c.now() < end && c.runtime.step()) check();
}

function ownedBy(pod: KubeObject, rs: KubeObject): boolean {
  return (pod.metadata.ownerReferences ?? []).some((r: any) => r.controller && r.uid === rs.metadata.uid);
}

describe('ReplicaSet controller', () => {
  it('creates the pods in slow-start batches of 1, 2, 4 and reports them ready', async () => {
    // k8s-facts §2.1; pkg/controller/replicaset/replica_set.go slowStartBatch, calculateStatus.
    const c = await createCluster({ seed: SEED, trace: true });
    c.create(replicaSet('web', 7));
    await c.runFor('30s');
    const batches = c.traceLines().map((l) => JSON.parse(l)).filter((r) => r.what === 'replicaset.batch').map((r) => r.size);
    expect(batches, `seed ${SEED}`).toEqual([1, 2, 4]);
    const pods = c.list('pods', { labelSelector: 'app=web' });
    expect(pods).toHaveLength(7);
    expect(pods.every((p) => p.metadata.generateName === 'web-' && p.status.phase === 'Running')).toBe(true);
    const rs = c.get('replicaset', 'web');
    expect(rs.status).toEqual({ replicas: 7, fullyLabeledReplicas: 7, readyReplicas: 7, availableReplicas: 7, observedGeneration: 1 });
    const created = c.events().filter((e) => e.reason === 'SuccessfulCreate' && e.involvedObject.name === 'web');
    expect(created).toHaveLength(7);
    expect(created[0].source.component).toBe('replicaset-controller');
    expect(created.map((e) => e.message).sort()).toEqual(pods.map((p) => `Created pod: ${p.metadata.name}`).sort());
  });

  it('syncs at most 5 ReplicaSets at once (--concurrent-replicaset-syncs); the others wait in its work queue', async () => {
    // k8s-facts §19: each of the controller's 5 workers syncs one ReplicaSet, slow-start batches included.
    // With the client's rate limit (20 requests a second after a burst of 30), creating 320 pods
    // takes a while: each sync holds its worker through its batches of 1, 2, 4, 8, 16 and 9.
    const c = await createCluster({ seed: SEED, trace: true });
    for (let i = 1; i <= 8; i++) c.create(replicaSet(`rs-${i}`, 40));
    await c.runFor('1m');
    const batches = c.traceLines().map((l) => JSON.parse(l)).filter((r) => r.what === 'replicaset.batch');
    let creating = 0;
    let most = 0;
    for (const b of batches) {
      creating += b.size === 1 ? 1 : b.size === 9 ? -1 : 0;
      most = Math.max(most, creating);
    }
    expect(batches).toHaveLength(48);
    expect(most).toBe(5);
    expect(c.list('pods')).toHaveLength(320);
  });

  it('scales down unassigned, then Pending, then not-ready pods, then the cheapest to delete', async () => {
    // k8s-facts §2.2; pkg/controller/controller_utils.go ActivePodsWithRanks.Less, PodDeletionCost.
    const c = await createCluster({ seed: SEED, nodes: 0 });
    const t = formatTime(0);
    for (const n of ['n1', 'n2']) {
      // Cordoned, so the scheduler leaves the unassigned pod alone.
      c.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: n }, spec: { unschedulable: true } });
    }
    const pod = (name: string, nodeName?: string, annotations?: Record<string, string>): KubeObject => ({
      apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'web' }, ...(annotations ? { annotations } : {}) },
      spec: { ...(nodeName ? { nodeName } : {}), containers: [{ name: 'c', image: 'nginx:1.27' }] },
    });
    c.create(pod('unassigned'));
    c.create(pod('pending', 'n1'));
    c.create(pod('not-ready', 'n1'));
    c.create(pod('ready', 'n2'));
    c.create(pod('ready-costly', 'n2', { 'controller.kubernetes.io/pod-deletion-cost': '100' }));
    const running = (ready: boolean) => ({ status: { phase: 'Running', conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: t }] } });
    c.patch('pod', 'not-ready', running(false), { type: 'merge', subresource: 'status' });
    c.patch('pod', 'ready', running(true), { type: 'merge', subresource: 'status' });
    c.patch('pod', 'ready-costly', running(true), { type: 'merge', subresource: 'status' });
    c.create(replicaSet('web', 5));
    await c.runFor('1s');
    const rs = c.get('replicaset', 'web');
    expect(c.list('pods').every((p) => ownedBy(p, rs)), 'all five orphans adopted').toBe(true);
    const order: string[] = [];
    for (const replicas of [4, 3, 2, 1]) {
      c.patch('replicaset', 'web', { spec: { replicas } }, { type: 'merge' });
      await c.runFor('1s');
      const terminating = c.list('pods').filter((p) => p.metadata.deletionTimestamp).map((p) => p.metadata.name!);
      const gone = ['unassigned', 'pending', 'not-ready', 'ready', 'ready-costly'].filter((n) => !c.find('pod', n));
      for (const n of [...gone, ...terminating]) if (!order.includes(n)) order.push(n);
    }
    expect(order, `seed ${SEED}`).toEqual(['unassigned', 'pending', 'not-ready', 'ready']);
    expect(c.get('pod', 'ready-costly').metadata.deletionTimestamp).toBeUndefined();
  });

  it('keeps its status counts current as pods and the template change: available after minReadySeconds, fully labelled per template', async () => {
    // replica_set_utils.go calculateStatus: readyReplicas, availableReplicas (Ready for
    // minReadySeconds), fullyLabeledReplicas (pods carrying every template label).
    const c = await createCluster({ seed: SEED });
    const rs = replicaSet('web', 3);
    rs.spec.minReadySeconds = 30;
    c.create(rs);
    await c.runFor('10s');
    expect(c.get('replicaset', 'web').status).toMatchObject({ replicas: 3, fullyLabeledReplicas: 3, readyReplicas: 3, availableReplicas: 0 });
    // The controller syncs again once minReadySeconds have passed (AddAfter).
    await c.runFor('30s');
    expect(c.get('replicaset', 'web').status).toMatchObject({ replicas: 3, readyReplicas: 3, availableReplicas: 3 });
    // A template label the pods lack: none is fully labelled, all are still the ReplicaSet's.
    c.patch('replicaset', 'web', { spec: { template: { metadata: { labels: { app: 'web', tier: 'front' } } } } }, { type: 'merge' });
    await c.runFor('5s');
    expect(c.get('replicaset', 'web').status).toMatchObject({ replicas: 3, fullyLabeledReplicas: 0, readyReplicas: 3, availableReplicas: 3 });
    // One pod relabelled with the label too counts again; a pod deleted is replaced by a new one
    // (from the new template), ready but not yet available.
    const [first, second] = c.list('pods', { labelSelector: 'app=web' }).map((p) => p.metadata.name!);
    c.patch('pod', first, { metadata: { labels: { tier: 'front' } } }, { type: 'merge' });
    c.delete('pod', second);
    await c.runFor('20s');
    expect(c.get('replicaset', 'web').status).toMatchObject({ replicas: 3, fullyLabeledReplicas: 2, readyReplicas: 3, availableReplicas: 2 });
    await c.runFor('40s');
    expect(c.get('replicaset', 'web').status).toMatchObject({ replicas: 3, fullyLabeledReplicas: 2, readyReplicas: 3, availableReplicas: 3 });
  });

  it('releases a relabelled pod, replaces it, and adopts it back when its labels match again', async () => {
    // k8s-facts §2.3; pkg/controller/controller_ref_manager.go ClaimPods (adopt / release).
    const c = await createCluster({ seed: SEED });
    c.create(replicaSet('web', 2));
    await c.runFor('20s');
    const rs = c.get('replicaset', 'web');
    const [first] = c.list('pods', { labelSelector: 'app=web' });
    const name = first.metadata.name!;
    c.patch('pod', name, { metadata: { labels: { app: 'debug' } } }, { type: 'merge' });
    await c.runFor('20s');
    expect(c.get('pod', name).metadata.ownerReferences ?? [], 'released').toEqual([]);
    const serving = c.list('pods', { labelSelector: 'app=web' });
    expect(serving).toHaveLength(2);
    expect(serving.every((p) => ownedBy(p, rs) && p.metadata.name !== name)).toBe(true);

    c.patch('pod', name, { metadata: { labels: { app: 'web' } } }, { type: 'merge' });
    await c.runFor('40s');
    expect(ownedBy(c.get('pod', name), rs), 'adopted back').toBe(true);
    const active = c.list('pods', { labelSelector: 'app=web' }).filter((p) => !p.metadata.deletionTimestamp);
    expect(active).toHaveLength(2);
    expect(c.get('replicaset', 'web').status.replicas).toBe(2);
  });

  it('converges to exactly the desired replicas when the controller crashes mid-creation, never exceeding them', async () => {
    // Level-triggered recovery (ARCHITECTURE.md "A crash"); k8s-facts §2.1 expectations.
    const c = await createCluster({ seed: SEED, trace: true });
    const pods = watchPods(c);
    let max = 0;
    const check = () => {
      max = Math.max(max, activeCount(pods));
    };
    c.create(replicaSet('web', 10));
    // Step until the second batch has landed: the third (4 pods) is being created.
    while (pods.size < 3) {
      c.runtime.step();
      check();
    }
    const before = pods.size;
    c.crash('replicaset-controller');
    stepFor(c, 60_000, check);
    expect(before, 'crashed mid-creation').toBeLessThan(10);
    const restarts = c.traceLines().map((l) => JSON.parse(l)).filter((r) => r.kind === 'restart' && r.actor === 'replicaset-controller');
    expect(restarts, 'restarted by kube-controller-manager').toHaveLength(1);
    expect(activeCount(pods), `seed ${SEED}`).toBe(10);
    expect(c.list('pods')).toHaveLength(10);
    expect(max, 'never more than spec.replicas active pods').toBeLessThanOrEqual(10);
    expect(c.get('replicaset', 'web').status.readyReplicas).toBe(10);
  });

  it('heals a dropped watch event: the pod\'s next update satisfies the expectations', async () => {
    // client-go informers are level-triggered; pkg/controller/controller_utils.go expectations.
    const c = await createCluster({ seed: SEED, trace: true });
    const pods = watchPods(c);
    let dropped: string | undefined;
    c.fault((env) => {
      const m: any = env.message;
      // The controllers of kube-controller-manager hear pods through its shared informers.
      if (dropped || env.to !== 'shared-informers' || m.type !== 'api.watch') return undefined;
      if (m.event?.type !== 'ADDED' || m.event.object.kind !== 'Pod') return undefined;
      dropped = m.event.object.metadata.name;
      return { action: 'drop', reason: 'test: lose one pod ADDED event' };
    });
    let max = 0;
    c.create(replicaSet('web', 5));
    stepFor(c, 60_000, () => {
      max = Math.max(max, activeCount(pods));
    });
    expect(dropped, 'an ADDED event was dropped').toBeDefined();
    expect(c.traceLines().some((l) => l.includes('lose one pod ADDED event'))).toBe(true);
    expect(c.list('pods', { labelSelector: 'app=web' })).toHaveLength(5);
    expect(max).toBeLessThanOrEqual(5);
    expect(c.get('replicaset', 'web').status).toMatchObject({ replicas: 5, readyReplicas: 5, availableReplicas: 5 });
    // Scaling still works afterwards: the expectations were satisfied, not stuck for 5 minutes.
    c.patch('replicaset', 'web', { spec: { replicas: 6 } }, { type: 'merge' });
    await c.runFor('20s');
    expect(c.list('pods', { labelSelector: 'app=web' })).toHaveLength(6);
  });

  it('reports ReplicaFailure FailedCreate while pod creation is forbidden, and clears it once creation succeeds', async () => {
    // k8s-facts §2.1 status; replica_set_utils.go calculateStatus; the Priority admission plugin.
    const c = await createCluster({ seed: SEED });
    c.create(replicaSet('web', 2, { priorityClassName: 'batch-high' }));
    await c.runFor('10s');
    const rs = c.get('replicaset', 'web');
    const failure = (rs.status.conditions ?? []).find((x: any) => x.type === 'ReplicaFailure');
    expect(failure, `seed ${SEED}`).toMatchObject({ status: 'True', reason: 'FailedCreate' });
    expect(failure.message).toContain('batch-high');
    expect(rs.status.replicas).toBe(0);
    const warning = c.events().find((e) => e.reason === 'FailedCreate');
    expect(warning?.type).toBe('Warning');
    // Admission runs before the name is generated: the message names the generateName prefix.
    expect(warning?.message).toBe('Error creating: pods "web-" is forbidden: no PriorityClass with name batch-high was found');

    c.create({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'batch-high' }, value: 1000 });
    await c.runFor('60s');
    const healed = c.get('replicaset', 'web');
    expect((healed.status.conditions ?? []).some((x: any) => x.type === 'ReplicaFailure')).toBe(false);
    expect(healed.status).toMatchObject({ replicas: 2, readyReplicas: 2, availableReplicas: 2 });
  });
});
