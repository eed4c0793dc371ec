// DaemonSets end to end on real nodes (kubelets, the scheduler, node lifecycle, pod GC).
// Docs: concepts/workloads/controllers/daemonset, tasks/manage-daemon/update-daemon-set;
// source: pkg/controller/daemon/daemon_controller.go, update.go; k8s-facts §4.
import { describe, expect, it } from 'vitest';
import { createCluster, type Cluster, type KubeObject } from 'kubesim';

const NS = 'kube-system';
const FLUENTD = 'name=fluentd-elasticsearch';
const MANIFEST = 'manifests/fluentd-elasticsearch-daemonset.yaml';

function isReady(p: KubeObject): boolean {
  return (p.status?.conditions ?? []).some((c: any) => c.type === 'Ready' && c.status === 'True');
}

/** Pods of the selector that are not terminating. */
function active(c: Cluster, labelSelector: string, namespace = NS): KubeObject[] {
  return c.list('pods', { namespace, labelSelector }).filter((p) => !p.metadata.deletionTimestamp);
}

function readyPods(c: Cluster, labelSelector: string, namespace = NS): KubeObject[] {
  return active(c, labelSelector, namespace).filter((p) => p.status?.phase === 'Running' && isReady(p));
}

function nodesOf(pods: KubeObject[]): string[] {
  return pods.map((p) => p.spec.nodeName as string).sort();
}

function ds(name: string, spec: Record<string, unknown> = {}, podSpec: Record<string, unknown> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name, namespace: 'default' },
    spec: {
      selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'agent', image: 'nginx:1.25' }], ...podSpec } },
      ...spec,
    },
  };
}

function dsEvents(c: Cluster, name: string, namespace: string, reason?: string): string[] {
  return c.events({ namespace }).filter((e) => e.involvedObject.kind === 'DaemonSet' && e.involvedObject.name === name && (!reason || e.reason === reason))
    .map((e) => `${e.reason}: ${e.message}`);
}

const hashOf = (p: KubeObject) => p.metadata.labels?.['controller-revision-hash'] as string;

describe('DaemonSet placement', () => {
  it("the docs' fluentd-elasticsearch DaemonSet runs one Running pod on every node", async () => {
    // D:concepts/workloads/controllers/daemonset "How Daemon Pods are scheduled", "Taints and tolerations".
    const c = await createCluster({ seed: 1 });
    await c.apply(MANIFEST);
    await c.runUntil((cl) => readyPods(cl, FLUENTD).length === 3, { timeout: '2m' });
    await c.runFor('10s');
    const pods = readyPods(c, FLUENTD);
    expect(nodesOf(pods)).toEqual(['node-1', 'node-2', 'node-3']);
    for (const p of pods) {
      // Pinned by node affinity, bound by the default scheduler.
      expect(p.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms)
        .toEqual([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [p.spec.nodeName] }] }]);
      expect(p.metadata.generateName).toBe('fluentd-elasticsearch-');
      expect(p.metadata.ownerReferences).toMatchObject([{ kind: 'DaemonSet', name: 'fluentd-elasticsearch', controller: true }]);
      const tolerations = p.spec.tolerations.map((t: any) => `${t.key}:${t.effect}${t.tolerationSeconds === undefined ? '' : `:${t.tolerationSeconds}`}`);
      expect(tolerations).toEqual([
        'node-role.kubernetes.io/control-plane:NoSchedule', 'node-role.kubernetes.io/master:NoSchedule',
        'node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/unreachable:NoExecute',
        'node.kubernetes.io/disk-pressure:NoSchedule', 'node.kubernetes.io/memory-pressure:NoSchedule',
        'node.kubernetes.io/pid-pressure:NoSchedule', 'node.kubernetes.io/unschedulable:NoSchedule',
      ]);
    }
    // One ControllerRevision; every pod carries its hash.
    const revs = c.list('controllerrevisions', { namespace: NS });
    expect(revs.map((r) => r.revision)).toEqual([1]);
    expect(revs[0].metadata.name).toBe(`fluentd-elasticsearch-${hashOf(pods[0])}`);
    expect(new Set(pods.map(hashOf))).toEqual(new Set([revs[0].metadata.labels?.['controller-revision-hash']]));
    expect(c.get('daemonset', 'fluentd-elasticsearch', NS).status).toMatchObject({
      desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 3, numberAvailable: 3, updatedNumberScheduled: 3,
      numberMisscheduled: 0, observedGeneration: 1,
    });
    expect(c.get('daemonset', 'fluentd-elasticsearch', NS).status.numberUnavailable ?? 0).toBe(0);
    expect(dsEvents(c, 'fluentd-elasticsearch', NS).sort()).toEqual(pods.map((p) => `SuccessfulCreate: Created pod: ${p.metadata.name}`).sort());
  });

  it('a node that joins gets a daemon pod, and the pod of a removed node goes away', async () => {
    // D:…/daemonset overview: "As nodes are added to the cluster, Pods are added to them. As nodes
    // are removed from the cluster, those Pods are garbage collected."
    const c = await createCluster({ seed: 2 });
    await c.apply(MANIFEST);
    await c.runUntil((cl) => readyPods(cl, FLUENTD).length === 3, { timeout: '2m' });
    c.addNode({ name: 'node-4' });
    await c.runUntil((cl) => readyPods(cl, FLUENTD).length === 4, { timeout: '2m' });
    expect(nodesOf(readyPods(c, FLUENTD))).toEqual(['node-1', 'node-2', 'node-3', 'node-4']);
    const gone = readyPods(c, FLUENTD).find((p) => p.spec.nodeName === 'node-2')!.metadata.name!;
    c.removeNode('node-2');
    await c.runUntil((cl) => !cl.find('pod', gone, NS) && cl.get('daemonset', 'fluentd-elasticsearch', NS).status.desiredNumberScheduled === 3, { timeout: '5m' });
    expect(nodesOf(readyPods(c, FLUENTD))).toEqual(['node-1', 'node-3', 'node-4']);
    expect(c.get('daemonset', 'fluentd-elasticsearch', NS).status).toMatchObject({ desiredNumberScheduled: 3, currentNumberScheduled: 3, numberReady: 3 });
  });

  it('a deleted daemon pod is replaced on the same node', async () => {
    // D:…/daemonset "Bare Pods": a DaemonSet replaces Pods that are deleted or terminated for any reason.
    const c = await createCluster({ seed: 3 });
    c.create(ds('agent'));
    await c.runUntil((cl) => readyPods(cl, 'app=agent', 'default').length === 3, { timeout: '2m' });
    const victim = readyPods(c, 'app=agent', 'default').find((p) => p.spec.nodeName === 'node-2')!.metadata.name!;
    c.delete('pod', victim);
    await c.runUntil((cl) => readyPods(cl, 'app=agent', 'default').length === 3 && !cl.find('pod', victim), { timeout: '2m' });
    expect(nodesOf(readyPods(c, 'app=agent', 'default'))).toEqual(['node-1', 'node-2', 'node-3']);
  });

  it('nodeSelector limits daemon pods to matching nodes; relabelling a node adds or removes its pod', async () => {
    // D:…/daemonset "Running Pods on select Nodes" and "Updating a DaemonSet": node label changes
    // promptly add pods to newly matching nodes and delete them from newly not-matching ones.
    const c = await createCluster({ seed: 4, nodes: 0 });
    c.addNode({ name: 'ssd-1', labels: { disktype: 'ssd' } });
    c.addNode({ name: 'hdd-1', labels: { disktype: 'hdd' } });
    c.addNode({ name: 'ssd-2', labels: { disktype: 'ssd' } });
    await c.runFor('5s');
    c.create(ds('ssd-monitor', {}, { nodeSelector: { disktype: 'ssd' } }));
    await c.runUntil((cl) => readyPods(cl, 'app=ssd-monitor', 'default').length === 2, { timeout: '2m' });
    await c.runFor('5s');
    expect(nodesOf(active(c, 'app=ssd-monitor', 'default'))).toEqual(['ssd-1', 'ssd-2']);
    expect(c.get('daemonset', 'ssd-monitor').status).toMatchObject({ desiredNumberScheduled: 2, currentNumberScheduled: 2, numberMisscheduled: 0 });
    c.patch('node', 'hdd-1', { metadata: { labels: { disktype: 'ssd' } } });
    c.patch('node', 'ssd-2', { metadata: { labels: { disktype: 'hdd' } } });
    await c.runUntil((cl) => nodesOf(readyPods(cl, 'app=ssd-monitor', 'default')).join() === 'hdd-1,ssd-1' && active(cl, 'app=ssd-monitor', 'default').length === 2, { timeout: '2m' });
    await c.runFor('5s');
    expect(c.get('daemonset', 'ssd-monitor').status).toMatchObject({ desiredNumberScheduled: 2, currentNumberScheduled: 2, numberReady: 2, numberMisscheduled: 0 });
  });

  it('a tainted node gets no daemon pod unless the DaemonSet tolerates the taint', async () => {
    // D:concepts/scheduling-eviction/taint-and-toleration; NodeShouldRunDaemonPod: an untolerated
    // NoSchedule or NoExecute taint keeps new daemon pods off (no automatic control-plane toleration).
    const c = await createCluster({ seed: 5, nodes: 2 });
    c.addNode({ name: 'gpu-1', taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] });
    await c.runFor('5s');
    c.create(ds('plain'));
    c.create(ds('tolerant', {}, { tolerations: [{ key: 'dedicated', operator: 'Equal', value: 'gpu', effect: 'NoSchedule' }] }));
    await c.runUntil((cl) => readyPods(cl, 'app=plain', 'default').length === 2 && readyPods(cl, 'app=tolerant', 'default').length === 3, { timeout: '2m' });
    await c.runFor('10s');
    expect(nodesOf(active(c, 'app=plain', 'default'))).toEqual(['node-1', 'node-2']);
    expect(nodesOf(active(c, 'app=tolerant', 'default'))).toEqual(['gpu-1', 'node-1', 'node-2']);
    expect(c.get('daemonset', 'plain').status).toMatchObject({ desiredNumberScheduled: 2, currentNumberScheduled: 2 });
    expect(c.get('daemonset', 'tolerant').status).toMatchObject({ desiredNumberScheduled: 3, currentNumberScheduled: 3 });
  });

  it('a cordoned node still gets a daemon pod (the unschedulable toleration)', async () => {
    // D:…/daemonset "Taints and tolerations": because of node.kubernetes.io/unschedulable:NoSchedule,
    // DaemonSet Pods run on nodes marked unschedulable.
    const c = await createCluster({ seed: 6 });
    c.cordon('node-3');
    await c.runUntil((cl) => (cl.get('node', 'node-3').spec.taints ?? []).some((t: any) => t.key === 'node.kubernetes.io/unschedulable'), { timeout: '1m' });
    c.create(ds('agent'));
    c.create({ apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web' }, spec: { replicas: 6, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'web', image: 'nginx:1.25' }] } } } });
    await c.runUntil((cl) => readyPods(cl, 'app=agent', 'default').length === 3 && readyPods(cl, 'app=web', 'default').length === 6, { timeout: '2m' });
    expect(nodesOf(readyPods(c, 'app=agent', 'default'))).toEqual(['node-1', 'node-2', 'node-3']);
    // Ordinary pods stay off the cordoned node.
    expect(nodesOf(readyPods(c, 'app=web', 'default'))).not.toContain('node-3');
  });

  it('a NoSchedule taint added later leaves the running daemon pod (counted misscheduled); NoExecute removes it', async () => {
    // NodeShouldRunDaemonPod's shouldContinueRunning: only an untolerated NoExecute taint evicts a
    // daemon pod already on the node; updateDaemonSetStatus counts pods where none should run.
    const c = await createCluster({ seed: 7 });
    c.create(ds('agent'));
    await c.runUntil((cl) => readyPods(cl, 'app=agent', 'default').length === 3, { timeout: '2m' });
    const onNode3 = readyPods(c, 'app=agent', 'default').find((p) => p.spec.nodeName === 'node-3')!.metadata.name!;
    c.patch('node', 'node-3', { spec: { taints: [{ key: 'maintenance', value: 'soon', effect: 'NoSchedule' }] } }, { type: 'merge' });
    await c.runUntil((cl) => cl.get('daemonset', 'agent').status.numberMisscheduled === 1, { timeout: '1m' });
    await c.runFor('10s');
    expect(c.get('pod', onNode3).metadata.deletionTimestamp).toBeUndefined();
    expect(c.get('daemonset', 'agent').status).toMatchObject({ desiredNumberScheduled: 2, currentNumberScheduled: 2, numberMisscheduled: 1, numberReady: 2 });
    c.patch('node', 'node-3', { spec: { taints: [{ key: 'maintenance', value: 'now', effect: 'NoExecute' }] } }, { type: 'merge' });
    await c.runUntil((cl) => !cl.find('pod', onNode3) && cl.get('daemonset', 'agent').status.numberMisscheduled === 0, { timeout: '2m' });
    expect(nodesOf(active(c, 'app=agent', 'default'))).toEqual(['node-1', 'node-2']);
  });

  it('a failed daemon pod is deleted with a FailedDaemonPod event and recreated, with back-off on repeated failures', async () => {
    // podsShouldBeOnNode: failed pods are killed, at most once per back-off delay per node
    // (failedPodsBackoff = flowcontrol.NewBackOff(1s, 15min) in kube-controller-manager).
    // node-1 is cut off first, so its kubelet cannot overwrite the Failed phase we report.
    const c = await createCluster({ seed: 8 });
    c.create(ds('agent'));
    await c.runUntil((cl) => readyPods(cl, 'app=agent', 'default').length === 3, { timeout: '2m' });
    const deletedAt: number[] = [];
    c.watch('pods', (ev) => { if (ev.type === 'DELETED') deletedAt.push(c.now()); }, { namespace: 'default', labelSelector: 'app=agent' });
    c.partition('node-1');
    const onNode1 = (cl: Cluster) => active(cl, 'app=agent', 'default').find((p) => p.spec.nodeName === 'node-1');
    const fail = (): string => {
      const pod = onNode1(c)!;
      c.patch('pod', pod.metadata.name!, { status: { phase: 'Failed' } }, { type: 'merge', subresource: 'status' });
      return pod.metadata.name!;
    };
    const first = fail();
    await c.runUntil((cl) => !cl.find('pod', first) && onNode1(cl) !== undefined, { timeout: '10s' });
    const second = fail();
    await c.runUntil((cl) => !cl.find('pod', second) && onNode1(cl) !== undefined, { timeout: '10s' });
    // The second failure on the node, within 1 s of the first kill, waits out the back-off.
    expect(deletedAt).toHaveLength(2);
    expect(deletedAt[1] - deletedAt[0]).toBeGreaterThanOrEqual(1000);
    expect(deletedAt[1] - deletedAt[0]).toBeLessThan(1100);
    expect(dsEvents(c, 'agent', 'default', 'FailedDaemonPod')).toEqual([
      `FailedDaemonPod: Found failed daemon pod default/${first} on node node-1, will try to kill it`,
      `FailedDaemonPod: Found failed daemon pod default/${second} on node node-1, will try to kill it`,
    ]);
    // Each kill was followed by a replacement pod for node-1.
    expect(dsEvents(c, 'agent', 'default', 'SuccessfulCreate')).toHaveLength(5);
    expect(onNode1(c)!.metadata.name).not.toBe(second);
    c.heal('node-1');
  });
});

describe('DaemonSet updates', () => {
  /** A watch-fed view of the pods (what `kubectl get pods -w` shows), started before the change. */
  function watchPods(c: Cluster, selector: string, namespace: string): { pods: Map<string, KubeObject>; stop: () => void } {
    const pods = new Map<string, KubeObject>(c.list('pods', { namespace, labelSelector: selector }).map((p) => [p.metadata.name!, p]));
    const stop = c.watch('pods', (ev) => {
      if (ev.type === 'DELETED') pods.delete(ev.object.metadata.name!);
      else pods.set(ev.object.metadata.name!, ev.object);
    }, { namespace, labelSelector: selector });
    return { pods, stop };
  }

  /** Steps the runtime one entry at a time until `done`, checking `invariant` on the view after every step. */
  function stepWatching(c: Cluster, pods: Map<string, KubeObject>, done: () => boolean, invariant: () => void, maxMs: number): void {
    const end = c.now() + maxMs;
    invariant();
    while (!done()) {
      expect(c.runtime.step()).toBe(true);
      expect(c.now()).toBeLessThanOrEqual(end);
      invariant();
    }
  }

  /** (old, new) pods not terminating, as a user watching `kubectl get pods` would count them. */
  function oldNew(pods: Map<string, KubeObject>, oldHash: string): [number, number] {
    const live = [...pods.values()].filter((p) => !p.metadata.deletionTimestamp);
    return [live.filter((p) => hashOf(p) === oldHash).length, live.filter((p) => hashOf(p) !== oldHash).length];
  }

  function allNewAndReady(pods: Map<string, KubeObject>, oldHash: string): boolean {
    const live = [...pods.values()].filter((p) => !p.metadata.deletionTimestamp);
    return live.length === 3 && live.every((p) => hashOf(p) !== oldHash && isReady(p));
  }

  it('RollingUpdate with maxUnavailable 1 replaces one node at a time and never has more than one node unavailable', async () => {
    // D:tasks/manage-daemon/update-daemon-set; update.go rollingUpdate (maxSurge 0): delete old
    // available pods while numUnavailable < maxUnavailable; manage creates the new pod once the
    // old one is gone, so at most one pod per node.
    const c = await createCluster({ seed: 9 });
    await c.apply(MANIFEST);
    await c.runUntil((cl) => readyPods(cl, FLUENTD).length === 3 && cl.get('daemonset', 'fluentd-elasticsearch', NS).status.numberAvailable === 3, { timeout: '2m' });
    const oldHash = hashOf(readyPods(c, FLUENTD)[0]);
    const { pods, stop } = watchPods(c, FLUENTD, NS);
    c.patch('daemonset', 'fluentd-elasticsearch', { spec: { template: { spec: { containers: [{ name: 'fluentd-elasticsearch', image: 'quay.io/fluentd_elasticsearch/fluentd:v2.6.0' }] } } } }, { namespace: NS });
    const states: Array<[number, number]> = [];
    stepWatching(c, pods, () => allNewAndReady(pods, oldHash), () => {
      const live = [...pods.values()].filter((p) => !p.metadata.deletionTimestamp);
      // Never more than maxUnavailable (1) nodes without a Ready pod.
      expect(new Set(live.filter(isReady).map((p) => p.spec.nodeName)).size).toBeGreaterThanOrEqual(2);
      // At most one pod per node, terminating ones included.
      const perNode = new Map<string, number>();
      for (const p of pods.values()) perNode.set(p.spec.nodeName ?? '', (perNode.get(p.spec.nodeName ?? '') ?? 0) + 1);
      expect(Math.max(...perNode.values())).toBe(1);
      const s = oldNew(pods, oldHash);
      const last = states[states.length - 1];
      if (!last || last[0] !== s[0] || last[1] !== s[1]) states.push(s);
    }, 5 * 60_000);
    stop();
    const revs = () => c.list('controllerrevisions', { namespace: NS });
    // Upstream's counts at each step: an old pod goes, its node's new pod comes, then the next node.
    expect(states).toEqual([[3, 0], [2, 0], [2, 1], [1, 1], [1, 2], [0, 2], [0, 3]]);
    await c.runFor('5s');
    expect(revs().map((r) => r.revision).sort()).toEqual([1, 2]);
    expect(c.get('daemonset', 'fluentd-elasticsearch', NS).status).toMatchObject({
      desiredNumberScheduled: 3, currentNumberScheduled: 3, updatedNumberScheduled: 3, numberAvailable: 3, numberReady: 3, observedGeneration: 2,
    });
    const deletes = dsEvents(c, 'fluentd-elasticsearch', NS, 'SuccessfulDelete');
    expect(deletes).toHaveLength(3);
  });

  it('RollingUpdate with maxSurge 1 starts the new pod beside the old one and never drops below full availability', async () => {
    // D:…/daemonset "MaxSurge"; update.go rollingUpdate with surge: new pod first, the old pod
    // goes once the new one is available.
    const c = await createCluster({ seed: 10 });
    c.create(ds('agent', { updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } }));
    await c.runUntil((cl) => readyPods(cl, 'app=agent', 'default').length === 3 && cl.get('daemonset', 'agent').status.numberAvailable === 3, { timeout: '2m' });
    const oldHash = hashOf(readyPods(c, 'app=agent', 'default')[0]);
    const { pods, stop } = watchPods(c, 'app=agent', 'default');
    c.patch('daemonset', 'agent', { spec: { template: { spec: { containers: [{ name: 'agent', image: 'nginx:1.26' }] } } } });
    const states: Array<[number, number]> = [];
    stepWatching(c, pods, () => allNewAndReady(pods, oldHash), () => {
      const live = [...pods.values()].filter((p) => !p.metadata.deletionTimestamp);
      expect(new Set(live.filter(isReady).map((p) => p.spec.nodeName)).size).toBe(3);
      const s = oldNew(pods, oldHash);
      const last = states[states.length - 1];
      if (!last || last[0] !== s[0] || last[1] !== s[1]) states.push(s);
    }, 5 * 60_000);
    stop();
    expect(states).toEqual([[3, 0], [3, 1], [2, 1], [2, 2], [1, 2], [1, 3], [0, 3]]);
  });

  it('OnDelete replaces only the pods you delete', async () => {
    // D:tasks/manage-daemon/update-daemon-set "DaemonSet Update Strategy": with OnDelete, new pods
    // are only created when old pods are deleted manually.
    const c = await createCluster({ seed: 11 });
    c.create(ds('agent', { updateStrategy: { type: 'OnDelete' } }));
    await c.runUntil((cl) => readyPods(cl, 'app=agent', 'default').length === 3, { timeout: '2m' });
    const oldHash = hashOf(readyPods(c, 'app=agent', 'default')[0]);
    c.patch('daemonset', 'agent', { spec: { template: { spec: { containers: [{ name: 'agent', image: 'nginx:1.26' }] } } } });
    await c.runFor('1m');
    expect(readyPods(c, 'app=agent', 'default').map(hashOf)).toEqual([oldHash, oldHash, oldHash]);
    expect(c.get('daemonset', 'agent').status).toMatchObject({ updatedNumberScheduled: 0, numberAvailable: 3, observedGeneration: 2 });
    const victim = readyPods(c, 'app=agent', 'default').find((p) => p.spec.nodeName === 'node-2')!;
    c.delete('pod', victim.metadata.name!);
    await c.runUntil((cl) => readyPods(cl, 'app=agent', 'default').length === 3 && !cl.find('pod', victim.metadata.name!), { timeout: '1m' });
    await c.runFor('10s');
    const pods = readyPods(c, 'app=agent', 'default');
    expect(pods.filter((p) => hashOf(p) !== oldHash).map((p) => p.spec.nodeName)).toEqual(['node-2']);
    expect(pods.find((p) => p.spec.nodeName === 'node-2')!.spec.containers[0].image).toBe('nginx:1.26');
    expect(c.get('daemonset', 'agent').status).toMatchObject({ updatedNumberScheduled: 1, currentNumberScheduled: 3 });
  });

  it('a DaemonSet deleted with --cascade=orphan leaves its pods, and a new one with the same selector adopts them', async () => {
    // D:…/daemonset "Updating a DaemonSet": with --cascade=orphan the Pods stay; a new DaemonSet with
    // the same selector adopts them (ClaimPods, ClaimControllerRevisions after a live GET).
    const c = await createCluster({ seed: 13 });
    c.create(ds('agent'));
    await c.runUntil((cl) => readyPods(cl, 'app=agent', 'default').length === 3, { timeout: '2m' });
    const names = readyPods(c, 'app=agent', 'default').map((p) => p.metadata.name).sort();
    c.delete('daemonset', 'agent', { propagationPolicy: 'Orphan' });
    await c.runUntil((cl) => !cl.find('daemonset', 'agent') && cl.list('pods', { namespace: 'default', labelSelector: 'app=agent' }).every((p) => !p.metadata.ownerReferences?.length), { timeout: '1m' });
    expect(readyPods(c, 'app=agent', 'default').map((p) => p.metadata.name).sort()).toEqual(names);
    const uid = c.create(ds('agent')).metadata.uid;
    await c.runUntil((cl) => readyPods(cl, 'app=agent', 'default').every((p) => p.metadata.ownerReferences?.[0]?.uid === uid)
      && cl.get('daemonset', 'agent').status?.updatedNumberScheduled === 3, { timeout: '1m' });
    expect(readyPods(c, 'app=agent', 'default').map((p) => p.metadata.name).sort()).toEqual(names);
    const revs = c.list('controllerrevisions', { namespace: 'default' });
    expect(revs.map((r) => [r.revision, r.metadata.ownerReferences?.[0]?.uid])).toEqual([[1, uid]]);
    expect(dsEvents(c, 'agent', 'default', 'SuccessfulCreate')).toHaveLength(3);
  });

  it('a DaemonSet controller crash mid-rollout resumes from the informer caches without duplicating history', async () => {
    // Level-triggered: a restarted controller re-lists and converges; constructHistory finds the
    // existing revisions (controllerrevisions are named by template hash).
    const c = await createCluster({ seed: 12 });
    c.create(ds('agent'));
    await c.runUntil((cl) => readyPods(cl, 'app=agent', 'default').length === 3, { timeout: '2m' });
    c.patch('daemonset', 'agent', { spec: { template: { spec: { containers: [{ name: 'agent', image: 'nginx:1.26' }] } } } });
    await c.runFor('1s');
    c.crash('daemonset-controller');
    await c.runUntil((cl) => {
      const st = cl.get('daemonset', 'agent').status;
      return st.updatedNumberScheduled === 3 && st.numberAvailable === 3 && readyPods(cl, 'app=agent', 'default').length === 3;
    }, { timeout: '5m' });
    expect(c.list('controllerrevisions', { namespace: 'default' }).map((r) => r.revision).sort()).toEqual([1, 2]);
    expect(readyPods(c, 'app=agent', 'default').every((p) => p.spec.containers[0].image === 'nginx:1.26')).toBe(true);
  });
});
