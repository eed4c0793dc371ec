// Client-side rate limits (client-go's token buckets) on the virtual clock: each component's
// requests wait for a token as upstream's do, with upstream's QPS and burst by default
// (kube-controller-manager 20/30 per controller, kube-scheduler 50/100, kubelet 50/100), and
// the waits show in the trace as client-go logs them. Seed 1: any failure replays.
import { describe, expect, it } from 'vitest';
import { createCluster, type Cluster } from '../cluster/cluster.ts';
import type { KubeObject } from '../api/types.ts';
import { DEFAULT_EPOCH } from '../api/time.ts';
import { TokenBucket } from '../client/rate-limiter.ts';

function replicaSet(name: string, replicas: number): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name },
    spec: {
      replicas, selector: { matchLabels: { app: name } },
      template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } },
    },
  };
}

function pod(name: string, node?: string): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name }, spec: { nodeName: node, containers: [{ name: 'c', image: 'nginx:1.27' }] } };
}

/** Virtual seconds since the cluster started, of a Kubernetes timestamp. */
function seconds(t: string): number {
  return (Date.parse(t) - DEFAULT_EPOCH) / 1000;
}

function creationSeconds(c: Cluster): number[] {
  return c.list('pods').map((p) => seconds(p.metadata.creationTimestamp!)).sort((a, b) => a - b);
}

function scheduledSeconds(c: Cluster): number[] {
  return c.list('pods').map((p) => seconds(p.status!.conditions!.find((x: { type: string }) => x.type === 'PodScheduled')!.lastTransitionTime!)).sort((a, b) => a - b);
}

describe('the token bucket', () => {
  it('lets a burst through at once, then one request per 1/qps s, in the order reserved', () => {
    const bucket = new TokenBucket(20, 30, 0);
    const waits = Array.from({ length: 32 }, () => bucket.reserve(0));
    expect(waits.slice(0, 30)).toEqual(Array(30).fill(0));
    expect(waits.slice(30)).toEqual([50, 100]);
    // A second later the debt is paid and 18 tokens are back.
    expect(bucket.waitMs(1_100)).toBe(0);
  });
});

describe('client-side rate limits', () => {
  it('pace a ReplicaSet controller that creates 200 pods at 20 requests/s after a burst of 30', async () => {
    const c = await createCluster({ seed: 1, nodes: 10, trace: true });
    c.create(replicaSet('web', 200));
    await c.runFor('60s');
    const created = creationSeconds(c);
    expect(created).toHaveLength(200);
    // The first slow-start batches fit the burst of 30 tokens (creates and their events share it;
    // after 25 events about the ReplicaSet, its event spam filter writes no more).
    expect(created.filter((t) => t === 0).length).toBeGreaterThanOrEqual(7);
    expect(created.filter((t) => t < 1).length).toBeLessThan(60);
    // 200 creates and 25 events at 20/s after the burst: the last pod about 9 s later.
    expect(created.at(-1)).toBeGreaterThanOrEqual(8);
    expect(created.at(-1)).toBeLessThanOrEqual(11);
    expect(c.get('replicasets', 'web').status).toMatchObject({ replicas: 200, readyReplicas: 200, availableReplicas: 200 });
    // client-go's log line for a wait above a second (request.go tryThrottle), at most every 10 s.
    const waits = c.traceLines().map((l) => JSON.parse(l)).filter((r) => r.what === 'client-throttling');
    expect(waits[0]).toMatchObject({ actor: 'replicaset-controller' });
    expect(waits[0].message).toMatch(/^Waited for \d+(\.\d+)?s due to client-side throttling, not priority and fairness, request: POST:\/api\/v1\/namespaces\/default\/(pods|events)$/);
    for (let i = 1; i < waits.length; i++) if (waits[i].actor === waits[i - 1].actor) expect(waits[i].t - waits[i - 1].t).toBeGreaterThanOrEqual(10_000);
  });

  it('are off with clientRateLimits: false, and a component can be given its own', async () => {
    const off = await createCluster({ seed: 1, nodes: 10, clientRateLimits: false });
    off.create(replicaSet('web', 200));
    await off.runFor('30s');
    expect(creationSeconds(off).at(-1)).toBe(0);

    // As a scale test runs kube-controller-manager with --kube-api-qps=100 --kube-api-burst=100.
    const fast = await createCluster({ seed: 1, nodes: 10, clientRateLimits: { controllerManager: { qps: 100, burst: 100 } } });
    fast.create(replicaSet('web', 200));
    await fast.runFor('30s');
    // 200 creates and 25 events, a burst of 100, then 100/s: the last pod 1 s later.
    expect(creationSeconds(fast).at(-1)).toBe(1);
  });

  it('a ReplicaSet whose creates wait minutes on the limiter never holds more than its replicas (the sync is not abandoned while they wait)', async () => {
    // 100 creates at one every 4 s: the sync's requests go out over 400 s, past the 60 s after which
    // a sync whose answers never come is abandoned, and past its expectations' 5 minutes.
    const c = await createCluster({ seed: 1, nodes: 3, clientRateLimits: { controllerManager: { qps: 0.25, burst: 1 } } });
    c.create(replicaSet('web', 100));
    let most = 0;
    c.watch('pods', (_ev, cl) => { most = Math.max(most, cl.list('pods').filter((p) => !p.metadata.deletionTimestamp).length); });
    await c.runFor('40m');
    expect(most).toBe(100);
    expect(c.list('pods')).toHaveLength(100);
    expect(c.get('replicasets', 'web').status).toMatchObject({ replicas: 100, readyReplicas: 100 });
  });

  it('pace the CSI provisioner at 5 requests/s after a burst of 10: 30 claims are provisioned over about 10 s', async () => {
    const c = await createCluster({ seed: 1, nodes: 1 });
    c.create({ apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass', metadata: { name: 'fast' }, provisioner: 'csi.kubesim.io', volumeBindingMode: 'Immediate' });
    for (let i = 0; i < 30; i++) {
      c.create({ apiVersion: 'v1', kind: 'PersistentVolumeClaim', metadata: { name: `data-${i}` }, spec: { storageClassName: 'fast', accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } });
    }
    await c.runFor('2m');
    const created = c.list('pv').map((pv) => seconds(pv.metadata.creationTimestamp!)).sort((a, b) => a - b);
    expect(created).toHaveLength(30);
    expect(c.list('pvc').filter((pvc) => pvc.status?.phase === 'Bound')).toHaveLength(30);
    // A PV and the claim's events for each: the last PV about 10 s after the first (1 s unthrottled).
    expect(created.at(-1)! - created[0]).toBeGreaterThanOrEqual(6);
    expect(created.at(-1)! - created[0]).toBeLessThanOrEqual(12);
  });

  it('pace the scheduler: 300 pending pods are bound at 50/s after a burst of 100', async () => {
    const c = await createCluster({ seed: 1, nodes: 10 });
    for (let i = 0; i < 300; i++) c.create(pod(`p-${String(i).padStart(3, '0')}`));
    await c.runFor('30s');
    const scheduled = scheduledSeconds(c);
    expect(scheduled).toHaveLength(300);
    // A burst of 100 at once, then 50/s (timestamps are to the second): the last of the other
    // 200 at 4 s. Its events go through a bucket of their own, so they take no binding's turn.
    const firstSecond = scheduled.filter((t) => t === 0).length;
    expect(firstSecond).toBeGreaterThanOrEqual(100);
    expect(firstSecond).toBeLessThanOrEqual(150);
    expect(scheduled.at(-1)).toBe(4);
    expect(c.events({ fieldSelector: 'reason=Scheduled' })).toHaveLength(300);
  });

  it('keep the kubelet events apart: events throttled to 1/s do not hold up its pod status writes', async () => {
    const c = await createCluster({ seed: 1, nodes: 1, clientRateLimits: { kubeletEvents: { qps: 1, burst: 1 } } });
    const node = c.nodeNames()[0];
    for (let i = 0; i < 40; i++) c.create(pod(`p-${i}`, node));
    await c.runFor('20s');
    // Four events a pod wait minutes for their turn; the status writes have their own bucket.
    expect(c.list('pods').filter((p) => p.status?.phase === 'Running')).toHaveLength(40);
    expect(c.events({ fieldSelector: 'source=kubelet' }).length).toBeLessThan(40);
  });

  it('leave the kubelet heartbeats alone: a kubelet throttled to 1 request/s keeps its node Ready', async () => {
    const c = await createCluster({ seed: 1, nodes: 1, clientRateLimits: { kubelet: { qps: 1, burst: 1 } } });
    const node = c.nodeNames()[0];
    for (let i = 0; i < 40; i++) c.create(pod(`p-${i}`, node));
    await c.runFor('30s');
    // Pod status writes wait their turn: after 30 s most pods are not Running yet as the API sees them.
    const running = c.list('pods').filter((p) => p.status?.phase === 'Running').length;
    expect(running).toBeLessThan(40);
    await c.runFor('4m30s');
    // The Lease and NodeStatus go through the heartbeat client (QPS -1): the node never goes NotReady.
    const lease = c.get('leases', node, 'kube-node-lease');
    expect(seconds(lease.spec.renewTime)).toBeGreaterThanOrEqual(290);
    expect(c.get('nodes', node).status!.conditions!.find((x: { type: string }) => x.type === 'Ready')!.status).toBe('True');
    // About three status writes a pod at one a second: all 40 are Running within 5 minutes.
    expect(c.list('pods').filter((p) => p.status?.phase === 'Running')).toHaveLength(40);
  });
});
