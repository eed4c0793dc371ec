// The pod garbage collector on the virtual clock (seed 1), without kubelets: orphaned pods,
// unscheduled terminating pods, and pods terminating on out-of-service nodes.
// Replay a failure with the same seed.
import { describe, expect, it } from 'vitest';
import { createCluster, type Cluster } from '../cluster/cluster.ts';
import type { KubeObject, WatchEvent } from '../api/types.ts';
import { formatTime } from '../api/time.ts';

const SEED = 1;

function boundPod(c: Cluster, name: string, nodeName: string): void {
  c.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName, containers: [{ name: 'c', image: 'nginx:1.27' }] } });
  c.patch('pod', name, { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: formatTime(c.now()) }] } }, { type: 'merge', subresource: 'status' });
}

/** Every watch event for one pod, with the virtual time it arrived. */
function recordPod(c: Cluster, name: string): Array<{ t: number; ev: WatchEvent }> {
  const seen: Array<{ t: number; ev: WatchEvent }> = [];
  c.watch('pods', (ev) => {
    if (ev.object.metadata.name === name) seen.push({ t: c.now(), ev });
  });
  return seen;
}

describe('pod garbage collector', () => {
  it('marks an orphaned pod Failed (DeletionByPodGC) and force-deletes it after the 40 s quarantine', async () => {
    // k8s-facts §6.2, §7.6; pkg/controller/podgc/gc_controller.go gcOrphaned (gcCheckPeriod 20 s, quarantineTime 40 s).
    const c = await createCluster({ seed: SEED, nodes: 0 });
    c.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'gone' }, spec: {} });
    boundPod(c, 'orphan', 'gone');
    const seen = recordPod(c, 'orphan');
    await c.runFor('30s');
    c.delete('node', 'gone');
    // The 40 s pass finds the node missing and quarantines it until 80 s; the 80 s pass
    // confirms it is gone with a GET, marks the pod Failed and deletes it with grace 0.
    await c.runFor(79_999 - c.now());
    expect(c.get('pod', 'orphan').status.phase, `seed ${SEED}`).toBe('Running');
    await c.runFor(1);
    expect(c.find('pod', 'orphan')).toBeUndefined();
    const failed = seen.find((s) => s.ev.type === 'MODIFIED' && s.ev.object.status?.phase === 'Failed');
    expect(failed?.t).toBe(80_000);
    const cond = (failed!.ev.object.status.conditions ?? []).find((x: any) => x.type === 'DisruptionTarget');
    expect(cond).toMatchObject({ status: 'True', reason: 'DeletionByPodGC', message: 'PodGC: node no longer exists' });
    const last = seen[seen.length - 1];
    expect(last.ev.type).toBe('DELETED');
    expect(last.t).toBe(80_000);
  });

  it('force-deletes a pod terminating on a not-ready node tainted out-of-service', async () => {
    // k8s-facts §6.2 (non-graceful node shutdown), §7.6; gc_controller.go gcTerminating.
    const c = await createCluster({ seed: SEED, nodes: 0 });
    c.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'down' }, spec: {} });
    c.patch('node', 'down', { status: { conditions: [{ type: 'Ready', status: 'False', lastHeartbeatTime: formatTime(0), lastTransitionTime: formatTime(0) }] } }, { type: 'merge', subresource: 'status' });
    boundPod(c, 'stuck', 'down');
    c.delete('pod', 'stuck');
    await c.runFor('25s');
    expect(c.get('pod', 'stuck').metadata.deletionTimestamp, `seed ${SEED}: waits for the kubelet`).toBeDefined();
    c.patch('node', 'down', { spec: { taints: [{ key: 'node.kubernetes.io/out-of-service', value: 'nodeshutdown', effect: 'NoExecute' }] } }, { type: 'merge' });
    await c.runFor('20s');
    expect(c.find('pod', 'stuck')).toBeUndefined();
  });

  it('marks Failed and force-deletes a terminating pod that was never scheduled', async () => {
    // gc_controller.go gcUnscheduledTerminating.
    const c = await createCluster({ seed: SEED, nodes: 0 });
    c.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'never-bound', finalizers: ['example.com/hold'] }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } });
    c.delete('pod', 'never-bound');
    await c.runFor('20s');
    const pod: KubeObject = c.get('pod', 'never-bound');
    expect(pod.status.phase, `seed ${SEED}`).toBe('Failed');
    expect(pod.metadata.deletionTimestamp).toBeDefined();
  });
});
