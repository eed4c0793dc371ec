// metrics-server end to end (seed 1): it scrapes every kubelet's resource metrics every 15 s
// (--metric-resolution) and serves PodMetrics/NodeMetrics with CPU as the average rate between
// the last two scrapes and memory as the working set at the last one. Sources:
// kubernetes-sigs/metrics-server pkg/storage/{pod.go,types.go}; kubernetes/website
// tasks/run-application/horizontal-pod-autoscale-walkthrough.md (kubectl top, metrics.k8s.io).
import { describe, expect, it } from 'vitest';
import { createCluster, type Cluster } from '../cluster/cluster.ts';
import type { KubeObject } from '../api/types.ts';
import { parseQuantity } from '../api/validation.ts';
import { METRICS_LIST, METRICS_RESULT, type MetricsListRequest, type MetricsListResult } from '../actors/metrics-server.ts';

const SEED = 1;
import { RESOURCE_METRICS_REQUEST } from '../actors/node/metrics.ts';
const MiB = 1024 * 1024;


/** A client of the metrics.k8s.io message API (what `kubectl top` would use). */
function metricsClient(cluster: Cluster): (req: Omit<MetricsListRequest, 'type' | 'id'>) => MetricsListResult {
  const results = new Map<number, MetricsListResult>();
  let next = 1;
  cluster.runtime.spawn({
    id: 'metrics-probe', type: 'client', restart: 'temporary',
    start: () => ({ receive: (env) => { if (env.message.type === METRICS_RESULT) results.set(env.message.id as number, env.message as unknown as MetricsListResult); } }),
  }, '');
  return (req) => {
    const id = next++;
    cluster.runtime.send('metrics-probe', 'metrics-server', { type: METRICS_LIST, id, ...req });
    cluster.runtime.runFor(0);
    return results.get(id)!;
  };
}

function loadPod(name: string, behavior: object, labels: Record<string, string> = { app: name }): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod', metadata: { name, labels, annotations: { 'kubesim.io/behavior': JSON.stringify(behavior) } },
    spec: { containers: [{ name: 'app', image: 'registry.k8s.io/hpa-example', resources: { requests: { cpu: '200m' } } }] },
  };
}

function containerStart(c: Cluster, name: string): number {
  return Date.parse(c.get('pod', name).status.containerStatuses[0].state.running.startedAt) - c.epoch;
}

describe('metrics-server', () => {
  it('scrapes every kubelet every 15 s (metric-resolution)', async () => {
    const c = await createCluster({ seed: SEED });
    const scrapes: Array<[number, string]> = [];
    c.fault((env) => {
      if (env.message.type === RESOURCE_METRICS_REQUEST) scrapes.push([c.now(), env.to]);
      return undefined;
    });
    await c.runFor('60s');
    const times = [...new Set(scrapes.map(([t]) => t))];
    expect(times.length).toBeGreaterThanOrEqual(4);
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBe(15_000);
    for (const t of times) expect(scrapes.filter(([at]) => at === t).map(([, to]) => to).sort()).toEqual(['node/node-1', 'node/node-2', 'node/node-3']);
  });

  it('reports CPU as the average rate between the last two scrapes and memory as the working set at the last one', async () => {
    const c = await createCluster({ seed: SEED });
    const top = metricsClient(c);
    // CPU climbs 10 millicores per second from the container's start; memory climbs 1 MiB per second.
    await c.apply(loadPod('ramp', { cpu: [[0, 0], [600_000, 6000]], memory: [[0, 0], [600_000, 600 * MiB]] }));
    await c.runFor('2m');
    const r = top({ resource: 'pods', namespace: 'default' });
    expect(r.ok).toBe(true);
    const [m] = (r as { items: KubeObject[] }).items;
    expect(m).toMatchObject({ apiVersion: 'metrics.k8s.io/v1beta1', kind: 'PodMetrics', metadata: { name: 'ramp', namespace: 'default', labels: { app: 'ramp' } }, window: '15s' });
    const at = Date.parse(m.timestamp) - c.epoch;
    // The working set is the curve at the scrape: it tells the container's age to the millisecond
    // (startedAt in the pod status has whole seconds only).
    const ageMs = (parseQuantity(m.containers[0].usage.memory) / MiB) * 1000;
    expect(Math.abs(at - ageMs - containerStart(c, 'ramp'))).toBeLessThan(1000);
    // The average of a linear ramp over [at − 15 s, at] is its value in the middle of the window
    // (within a millicore: the runtime samples the curve in whole millicores every second).
    const cpu = parseQuantity(m.containers[0].usage.cpu) * 1000;
    expect(Math.abs(cpu - 10 * ((ageMs - 7_500) / 1000))).toBeLessThan(1);
  });

  it('leaves out pods with fewer than two points, filters by label selector, answers 404 for an unknown name', async () => {
    const c = await createCluster({ seed: SEED });
    const top = metricsClient(c);
    await c.apply([loadPod('web', { cpu: [[0, 50]] }, { tier: 'web' }), loadPod('db', { cpu: [[0, 80]] }, { tier: 'db' })]);
    expect(top({ resource: 'pods', namespace: 'default' })).toMatchObject({ ok: true, items: [] });
    await c.runFor('45s');
    const web = top({ resource: 'pods', namespace: 'default', labelSelector: 'tier=web' }) as { items: KubeObject[] };
    expect(web.items.map((i) => i.metadata.name)).toEqual(['web']);
    expect(web.items[0].containers[0].usage.cpu).toBe('50m');
    expect(top({ resource: 'pods', namespace: 'default', name: 'nope' })).toMatchObject({ ok: false, status: { code: 404, reason: 'NotFound', message: 'pods.metrics.k8s.io "nope" not found' } });
  });

  it('watches only Running pods (status.phase=Running), so a pod reaches it when it runs and leaves it when it finishes', async () => {
    // pkg/server/informer.go runningPodMetadataInformer: FieldSelector "status.phase=Running".
    const c = await createCluster({ seed: SEED });
    const top = metricsClient(c);
    const seen: Array<[string, string, string]> = [];
    c.fault((env) => {
      const ev = env.message.event as { type: string; object: KubeObject } | undefined;
      if (env.to === 'metrics-server' && env.message.type === 'api.watch' && ev?.object?.kind === 'Pod') seen.push([ev.type, ev.object.metadata.name!, ev.object.status?.phase]);
      return undefined;
    });
    const batch = loadPod('batch', { cpu: [[0, 40]], longRunning: false, exitAfterMs: 90_000, exitCode: 0 });
    batch.spec.restartPolicy = 'Never';
    await c.apply(batch);
    await c.runFor('60s');
    // Created, bound and Pending: nothing; the status that made it Running: ADDED.
    expect(seen).toEqual([['ADDED', 'batch', 'Running']]);
    expect((top({ resource: 'pods', namespace: 'default' }) as { items: KubeObject[] }).items.map((i) => i.metadata.name)).toEqual(['batch']);
    await c.runFor('60s');
    expect(c.get('pod', 'batch').status.phase).toBe('Succeeded');
    // Out of the selector: DELETED, with the pod as it left it.
    expect(seen.at(-1)).toEqual(['DELETED', 'batch', 'Succeeded']);
    expect(top({ resource: 'pods', namespace: 'default', name: 'batch' })).toMatchObject({ ok: false, status: { code: 404, message: 'pods.metrics.k8s.io "batch" not found' } });
  });

  it('reports NodeMetrics as the sum of the containers running on the node', async () => {
    const c = await createCluster({ seed: SEED });
    const top = metricsClient(c);
    await c.apply([loadPod('a', { cpu: [[0, 100]], memory: [[0, 30 * MiB]] }), loadPod('b', { cpu: [[0, 300]], memory: [[0, 70 * MiB]] })]);
    await c.runFor('1m');
    const nodes = (top({ resource: 'nodes' }) as { items: KubeObject[] }).items;
    expect(nodes.map((n) => n.metadata.name)).toEqual(['node-1', 'node-2', 'node-3']);
    const byNode = new Map<string, { cpu: number; memory: number }>();
    for (const name of ['a', 'b']) {
      const p = c.get('pod', name);
      const e = byNode.get(p.spec.nodeName) ?? { cpu: 0, memory: 0 };
      e.cpu += name === 'a' ? 100 : 300;
      e.memory += name === 'a' ? 30 * MiB : 70 * MiB;
      byNode.set(p.spec.nodeName, e);
    }
    for (const n of nodes) {
      const want = byNode.get(n.metadata.name!) ?? { cpu: 0, memory: 0 };
      expect(parseQuantity(n.usage.cpu) * 1000).toBeCloseTo(want.cpu, 3);
      expect(parseQuantity(n.usage.memory)).toBe(want.memory);
    }
  });
});
