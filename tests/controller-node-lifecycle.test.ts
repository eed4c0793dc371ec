// The node lifecycle controller on hand-made Node and Lease objects (no kubelets), virtual
// clock, seed 1: heartbeat grace, Unknown conditions, NoSchedule/NoExecute taints, pods marked
// not ready, events, and the full-disruption brake. Replay a failure with the same seed.
import { describe, expect, it } from 'vitest';
import { createCluster, type Cluster } from '../cluster/cluster.ts';
import type { KubeObject } from '../api/types.ts';
import { formatMicroTime, formatTime } from '../api/time.ts';

const SEED = 1;
const LEASE_NS = 'kube-node-lease';

/** A Node as a kubelet would register it, Ready, with its Lease. */
function addNode(c: Cluster, name: string): void {
  c.create({ apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name } }, spec: {} });
  postStatus(c, name, 'True');
  c.create({
    apiVersion: 'coordination.k8s.io/v1', kind: 'Lease', metadata: { name, namespace: LEASE_NS },
    spec: { holderIdentity: name, leaseDurationSeconds: 40, renewTime: formatMicroTime(c.now()) },
  });
}

/** The kubelet's NodeStatus post: the four conditions with a fresh lastHeartbeatTime. */
function postStatus(c: Cluster, name: string, ready: 'True' | 'False'): void {
  const t = formatTime(c.now());
  const cond = (type: string, status: string, reason: string) => ({ type, status, reason, lastHeartbeatTime: t, lastTransitionTime: t });
  c.patch('node', name, {
    status: {
      conditions: [
        cond('MemoryPressure', 'False', 'KubeletHasSufficientMemory'), cond('DiskPressure', 'False', 'KubeletHasNoDiskPressure'),
        cond('PIDPressure', 'False', 'KubeletHasSufficientPID'), cond('Ready', ready, ready === 'True' ? 'KubeletReady' : 'KubeletNotReady'),
      ],
    },
  }, { type: 'merge', subresource: 'status' });
}

function renewLease(c: Cluster, name: string): void {
  c.patch('lease', name, { spec: { renewTime: formatMicroTime(c.now()) } }, { namespace: LEASE_NS, type: 'merge' });
}

/** Advances to virtual time `until`, renewing the Leases of `alive` nodes every 10 s (the kubelet's renew interval). */
async function runRenewing(c: Cluster, until: number, alive: () => string[]): Promise<void> {
  while (c.now() < until) {
    await c.runFor(Math.min(10_000 - (c.now() % 10_000), until - c.now()));
    if (c.now() % 10_000 === 0) for (const n of alive()) renewLease(c, n);
  }
}

function boundPod(c: Cluster, name: string, nodeName: string): void {
  c.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName, containers: [{ name: 'c', image: 'nginx:1.27' }] } });
  const t = formatTime(c.now());
  c.patch('pod', name, { status: { phase: 'Running', conditions: [{ type: 'Ready', status: 'True', lastTransitionTime: t }] } }, { type: 'merge', subresource: 'status' });
}

function condition(obj: KubeObject, type: string): any {
  return (obj.status?.conditions ?? []).find((x: any) => x.type === type);
}

function taints(c: Cluster, node: string): Array<{ key: string; effect: string; timeAdded?: string }> {
  return c.get('node', node).spec.taints ?? [];
}

describe('node lifecycle controller', () => {
  it('node Ready turns Unknown 60 s after the last lease renewal (seen at the next 5 s monitor pass, then 50 s grace, strictly after)', async () => {
    // k8s-facts §6.1; pkg/controller/nodelifecycle/node_lifecycle_controller.go tryUpdateNodeHealth.
    const c = await createCluster({ seed: SEED, nodes: 0 });
    addNode(c, 'dead');
    addNode(c, 'healthy');
    boundPod(c, 'web', 'dead');
    // The dead node's kubelet renews its Lease at 10 s and 20 s, then stops. The monitor pass
    // at 20 s runs before that renewal, so the controller sees it at 25 s (probeTimestamp); the
    // 50 s grace ends at 75 s, and upstream requires now to be after it: the 80 s pass posts Unknown.
    let deadAlive = true;
    await runRenewing(c, 20_000, () => (deadAlive ? ['dead', 'healthy'] : ['healthy']));
    deadAlive = false;
    const lastRenewal = c.now();
    const heartbeat = condition(c.get('node', 'dead'), 'Ready').lastHeartbeatTime;
    await runRenewing(c, lastRenewal + 59_999, () => ['healthy']);
    expect(condition(c.get('node', 'dead'), 'Ready').status, `seed ${SEED}: still True just before 60 s`).toBe('True');
    await runRenewing(c, lastRenewal + 60_000, () => ['healthy']);
    const node = c.get('node', 'dead');
    const unknownAt = formatTime(lastRenewal + 60_000);
    for (const type of ['Ready', 'MemoryPressure', 'DiskPressure', 'PIDPressure']) {
      expect(condition(node, type), type).toMatchObject({
        status: 'Unknown', reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.',
        lastTransitionTime: unknownAt, lastHeartbeatTime: heartbeat,
      });
    }
    expect(condition(c.get('node', 'healthy'), 'Ready').status).toBe('True');
    // TaintNodesByCondition: the NoSchedule taint follows the condition at once, without rate limit.
    expect(taints(c, 'dead')).toEqual([{ key: 'node.kubernetes.io/unreachable', effect: 'NoSchedule', timeAdded: unknownAt }]);
    // MarkPodsNotReady, with the events upstream records.
    expect(condition(c.get('pod', 'web'), 'Ready')).toMatchObject({ status: 'False', lastTransitionTime: unknownAt });
    const events = c.events().filter((e) => e.source.component === 'node-controller');
    expect(events.map((e) => `${e.type} ${e.reason} ${e.involvedObject.kind}/${e.involvedObject.name}: ${e.message}`)).toEqual([
      'Normal RegisteredNode Node/dead: Node dead event: Registered Node dead in Controller',
      'Normal RegisteredNode Node/healthy: Node healthy event: Registered Node healthy in Controller',
      'Normal NodeNotReady Node/dead: Node dead status is now: NodeNotReady',
      'Warning NodeNotReady Pod/web: Node is not ready',
    ]);
  });

  it('taints an unreachable node NoExecute on the next monitor pass and removes both taints when it is Ready again', async () => {
    // k8s-facts §6.1–6.2; node_lifecycle_controller.go processTaintBaseEviction, doNoExecuteTaintingPass.
    const c = await createCluster({ seed: SEED, nodes: 0 });
    addNode(c, 'dead');
    addNode(c, 'healthy');
    // Created just after the 0 s pass: first seen (probeTimestamp) at 5 s, Unknown at the 60 s pass.
    await runRenewing(c, 60_000, () => ['healthy']);
    expect(condition(c.get('node', 'dead'), 'Ready').status, `seed ${SEED}`).toBe('Unknown');
    await runRenewing(c, 65_099, () => ['healthy']);
    expect(taints(c, 'dead').map((t) => `${t.key}:${t.effect}`)).toEqual(['node.kubernetes.io/unreachable:NoSchedule']);
    await runRenewing(c, 65_100, () => ['healthy']);
    // The 65 s pass observes Ready=Unknown and queues the node; the tainter's next 100 ms tick
    // taints it (its rate limiter starts with a token).
    expect(taints(c, 'dead').slice(1)).toEqual([{ key: 'node.kubernetes.io/unreachable', effect: 'NoExecute', timeAdded: formatTime(65_100) }]);

    // The kubelet comes back: a status post with a fresh heartbeat and a lease renewal.
    renewLease(c, 'dead');
    postStatus(c, 'dead', 'True');
    await runRenewing(c, c.now() + 10_000, () => ['healthy', 'dead']);
    expect(taints(c, 'dead')).toEqual([]);
  });

  it('swaps not-ready for unreachable taints as the Ready condition goes False', async () => {
    // node_lifecycle_controller.go nodeConditionToTaintKeyStatusMap and processTaintBaseEviction.
    const c = await createCluster({ seed: SEED, nodes: 0 });
    addNode(c, 'sick');
    addNode(c, 'healthy');
    await runRenewing(c, 10_000, () => ['sick', 'healthy']);
    postStatus(c, 'sick', 'False');
    await runRenewing(c, 20_000, () => ['sick', 'healthy']);
    expect(taints(c, 'sick').map((t) => `${t.key}:${t.effect}`).sort(), `seed ${SEED}`).toEqual([
      'node.kubernetes.io/not-ready:NoExecute', 'node.kubernetes.io/not-ready:NoSchedule',
    ]);
    // The kubelet stops: after the grace period Ready is Unknown and the taints say unreachable.
    await runRenewing(c, 100_000, () => ['healthy']);
    expect(condition(c.get('node', 'sick'), 'Ready').status).toBe('Unknown');
    expect(taints(c, 'sick').map((t) => `${t.key}:${t.effect}`).sort()).toEqual([
      'node.kubernetes.io/unreachable:NoExecute', 'node.kubernetes.io/unreachable:NoSchedule',
    ]);
  });

  it('a node that never posted status turns Unknown (NodeStatusNeverUpdated) after the 60 s startup grace', async () => {
    // k8s-facts §6.1 --node-startup-grace-period; tryUpdateNodeHealth's fake Ready condition.
    const c = await createCluster({ seed: SEED, nodes: 0 });
    c.create({ apiVersion: 'v1', kind: 'Node', metadata: { name: 'silent' }, spec: {} });
    await c.runFor('60s');
    expect(c.get('node', 'silent').status?.conditions ?? [], `seed ${SEED}`).toEqual([]);
    await c.runFor('5s');
    const node = c.get('node', 'silent');
    expect(condition(node, 'Ready')).toMatchObject({
      status: 'Unknown', reason: 'NodeStatusNeverUpdated', message: 'Kubelet never posted node status.',
      lastHeartbeatTime: node.metadata.creationTimestamp, lastTransitionTime: formatTime(65_000),
    });
  });

  it('stops NoExecute tainting when every node is unhealthy (full disruption), keeping the NoSchedule taint', async () => {
    // k8s-facts §6.1 (all zones unhealthy ⇒ stop evictions); node_lifecycle_controller.go handleDisruption.
    const c = await createCluster({ seed: SEED, nodes: 0 });
    addNode(c, 'only');
    await c.runFor('5m');
    expect(condition(c.get('node', 'only'), 'Ready').status, `seed ${SEED}`).toBe('Unknown');
    expect(taints(c, 'only').map((t) => `${t.key}:${t.effect}`)).toEqual(['node.kubernetes.io/unreachable:NoSchedule']);
  });

  it('taints a cordoned node node.kubernetes.io/unschedulable:NoSchedule and removes it on uncordon', async () => {
    // k8s-facts §6.4; node_lifecycle_controller.go doNoScheduleTaintingPass.
    const c = await createCluster({ seed: SEED, nodes: 0 });
    addNode(c, 'n1');
    await c.runFor('1s');
    c.patch('node', 'n1', { spec: { unschedulable: true } }, { type: 'merge' });
    await c.runFor('1s');
    expect(taints(c, 'n1'), `seed ${SEED}`).toEqual([{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule', timeAdded: formatTime(1_000) }]);
    c.patch('node', 'n1', { spec: { unschedulable: false } }, { type: 'merge' });
    await c.runFor('1s');
    expect(taints(c, 'n1')).toEqual([]);
  });
});
