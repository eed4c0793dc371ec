// Taint-based eviction on the virtual clock (seed 1), with hand-made Nodes and Leases (no
// kubelets, so deleted pods stay Terminating and deletionTimestamp marks the eviction).
// Replay a failure with the same seed.
import { describe, expect, it } from 'vitest';
import { createCluster, type Cluster } from '../cluster/cluster.ts';
import type { KubeObject } from '../api/types.ts';
import { formatMicroTime, formatTime } from '../api/time.ts';

const SEED = 1;
const LEASE_NS = 'kube-node-lease';
const MAINTENANCE = { key: 'example.com/maintenance', effect: 'NoExecute' };

function addNode(c: Cluster, name: string): void {
  c.create({ apiVersion: 'v1', kind: 'Node', metadata: { name }, spec: {} });
  const t = formatTime(c.now());
  c.patch('node', name, { status: { conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', lastHeartbeatTime: t, lastTransitionTime: t }] } }, { type: 'merge', subresource: 'status' });
  c.create({ apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: LEASE_NS }, spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: formatMicroTime(c.now()) } });
}

/** Advances to `until`, renewing the `alive` nodes' Leases every 10 s as their kubelets would. */
async function runRenewing(c: Cluster, until: number, alive: string[]): Promise<void> {
  while (c.now() < until) {
    await c.runFor(Math.min(10_000 - (c.now() % 10_000), until - c.now()));
    if (c.now() % 10_000 === 0) {
      for (const n of alive) c.patch('lease', n, { spec: { renewTime: formatMicroTime(c.now()) } }, { namespace: LEASE_NS, type: 'merge' });
    }
  }
}

function boundPod(c: Cluster, name: string, nodeName: string, tolerations?: unknown[]): void {
  c.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName, containers: [{ name: 'c', image: 'nginx:1.27' }], ...(tolerations ? { tolerations } : {}) } });
  const t = formatTime(c.now());
  c.patch('pod', name, { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: t }] } }, { type: 'merge', subresource: 'status' });
}

function setTaints(c: Cluster, node: string, taints: unknown[]): void {
  c.patch('node', node, { spec: { taints } }, { type: 'merge' });
}

function evicted(c: Cluster, pod: string): boolean {
  const p = c.find('pod', pod);
  return p === undefined || p.metadata.deletionTimestamp !== undefined;
}

function taintEvents(c: Cluster): string[] {
  return c.events().filter((e) => e.source.component === 'taint-eviction-controller').map((e) => `${e.reason} ${e.message}`);
}

function disruptionTarget(p: KubeObject): any {
  return (p.status?.conditions ?? []).find((x: any) => x.type === 'DisruptionTarget');
}

describe('taint eviction controller', () => {
  it('evicts a pod that does not tolerate a NoExecute taint at once, marking it DisruptionTarget first', async () => {
    // k8s-facts §6.2; pkg/controller/tainteviction/taint_eviction.go processPodOnNode, addConditionAndDeletePod.
    const c = await createCluster({ seed: SEED, nodes: 0 });
    addNode(c, 'n1');
    boundPod(c, 'intolerant', 'n1');
    await runRenewing(c, 10_000, ['n1']);
    setTaints(c, 'n1', [MAINTENANCE]);
    await c.runFor(0);
    const pod = c.get('pod', 'intolerant');
    expect(pod.metadata.deletionTimestamp, `seed ${SEED}`).toBe(formatTime(10_000 + 30_000));
    expect(disruptionTarget(pod)).toMatchObject({ status: 'True', reason: 'DeletionByTaintManager', message: 'Taint manager: deleting due to NoExecute taint' });
    expect(taintEvents(c)).toEqual(['TaintManagerEviction Marking for deletion Pod default/intolerant']);
  });

  it('evicts a pod tolerating the taint for 60 s exactly 60 s after the controller sees the taint', async () => {
    // k8s-facts §6.2 tolerationSeconds; taint_eviction.go getMinTolerationTime.
    const c = await createCluster({ seed: SEED, nodes: 0 });
    addNode(c, 'n1');
    boundPod(c, 'tolerant', 'n1', [{ ...MAINTENANCE, operator: 'Exists', tolerationSeconds: 60 }]);
    boundPod(c, 'forever', 'n1', [{ ...MAINTENANCE, operator: 'Exists' }]);
    await runRenewing(c, 10_000, ['n1']);
    setTaints(c, 'n1', [MAINTENANCE]);
    await runRenewing(c, 69_999, ['n1']);
    expect(evicted(c, 'tolerant'), `seed ${SEED}: not before 60 s`).toBe(false);
    await runRenewing(c, 70_000, ['n1']);
    expect(evicted(c, 'tolerant')).toBe(true);
    expect(disruptionTarget(c.get('pod', 'tolerant'))?.reason).toBe('DeletionByTaintManager');
    await runRenewing(c, 30 * 60_000, ['n1']);
    expect(evicted(c, 'forever'), 'a toleration without tolerationSeconds tolerates forever').toBe(false);
  });

  it('cancels the scheduled eviction when the taint is removed before the deadline', async () => {
    // taint_eviction.go handleNodeUpdate (no taints left ⇒ cancelWorkWithEvent).
    const c = await createCluster({ seed: SEED, nodes: 0 });
    addNode(c, 'n1');
    boundPod(c, 'tolerant', 'n1', [{ ...MAINTENANCE, operator: 'Exists', tolerationSeconds: 60 }]);
    await runRenewing(c, 10_000, ['n1']);
    setTaints(c, 'n1', [MAINTENANCE]);
    await runRenewing(c, 40_000, ['n1']);
    setTaints(c, 'n1', []);
    await runRenewing(c, 5 * 60_000, ['n1']);
    expect(evicted(c, 'tolerant'), `seed ${SEED}`).toBe(false);
    expect(taintEvents(c)).toEqual(['TaintManagerEviction Cancelling deletion of Pod default/tolerant']);
  });

  it('evicts pods with the default 300 s tolerations about 300 s after the node is tainted unreachable', async () => {
    // k8s-facts §6.2 DefaultTolerationSeconds (added at admission) and "grace + 300 s".
    const c = await createCluster({ seed: SEED, nodes: 0 });
    addNode(c, 'dead');
    addNode(c, 'healthy');
    boundPod(c, 'web', 'dead');
    const tolerations = c.get('pod', 'web').spec.tolerations;
    expect(tolerations).toContainEqual({ key: 'node.kubernetes.io/unreachable', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 300 });
    // The dead node goes Unknown at 60 s and is tainted unreachable:NoExecute at 65.1 s (see
    // controller-node-lifecycle.test.ts); the eviction is due 300 s later.
    await runRenewing(c, 65_100, ['healthy']);
    const taint = c.get('node', 'dead').spec.taints.find((t: any) => t.effect === 'NoExecute');
    expect(taint, `seed ${SEED}`).toMatchObject({ key: 'node.kubernetes.io/unreachable', timeAdded: formatTime(65_100) });
    await runRenewing(c, 365_099, ['healthy']);
    expect(evicted(c, 'web')).toBe(false);
    await runRenewing(c, 365_100, ['healthy']);
    expect(evicted(c, 'web')).toBe(true);
    expect(taintEvents(c)).toEqual(['TaintManagerEviction Marking for deletion Pod default/web']);
  });
});
