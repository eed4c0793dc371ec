// Workload benchmarks: 1,000 Deployments of 10 replicas on 500 nodes (bring-up, then a rolling
// update of all of them), and 1,000 StatefulSets of 3 replicas with one PVC each on 500 nodes
// (bring-up, then a rolling update). Wall time, virtual/wall ratio, peak heap. Without client-side
// rate limits: the simulator's own speed, not the controllers' request budgets.
import { createCluster, type Cluster } from '../index.ts';
import { fmt, gc, print } from './harness.ts';

function deployment(i: number, image: string): any {
  return {
    apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: `web-${i}` },
    spec: {
      replicas: 10, selector: { matchLabels: { app: `web-${i}` } },
      template: { metadata: { labels: { app: `web-${i}` } }, spec: { containers: [{ name: 'web', image, resources: { requests: { cpu: '10m', memory: '16Mi' } } }] } },
    },
  };
}

function statefulSet(i: number, image: string): any {
  return {
    apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: `db-${i}` },
    spec: {
      replicas: 3, serviceName: `db-${i}`, selector: { matchLabels: { app: `db-${i}` } },
      template: { metadata: { labels: { app: `db-${i}` } }, spec: { containers: [{ name: 'db', image, resources: { requests: { cpu: '10m', memory: '16Mi' } }, volumeMounts: [{ name: 'data', mountPath: '/data' }] }] } },
      volumeClaimTemplates: [{ metadata: { name: 'data' }, spec: { accessModes: ['ReadWriteOnce'], resources: { requests: { storage: '1Gi' } } } }],
    },
  };
}

/** Runs in 5 s slices until `done`, tracking the peak heap; returns wall ms and virtual ms. */
async function until(c: Cluster, done: () => boolean, limitMs: number): Promise<{ wall: number; virtual: number; peak: number }> {
  const w0 = performance.now();
  const v0 = c.now();
  let peak = 0;
  while (!done() && c.now() - v0 < limitMs) {
    await c.runFor('5s');
    peak = Math.max(peak, process.memoryUsage().heapUsed);
  }
  return { wall: performance.now() - w0, virtual: c.now() - v0, peak };
}

function rows(label: string, r: { wall: number; virtual: number; peak: number }): Array<[string, string]> {
  return [[`${label} wall time`, `${(r.wall / 1000).toFixed(1)} s`], [`${label} virtual time`, `${(r.virtual / 1000).toFixed(0)} s (${fmt(r.virtual / r.wall)}x real time)`], [`${label} peak heap`, `${(r.peak / 2 ** 20).toFixed(0)} MB`]];
}

export async function deploymentsBench(count = 1_000, nodes = 500): Promise<void> {
  gc();
  const c = await createCluster({ seed: 1, nodes, clientRateLimits: false });
  for (let i = 0; i < count; i++) c.create(deployment(i, 'nginx:1.25'));
  const server = c.apiServer;
  const complete = (image: string) => () => {
    const ds = server.list(c.resource('deployments'), 'default').items;
    return ds.every((d: any) => d.status?.updatedReplicas === 10 && d.status?.availableReplicas === 10 && d.status?.replicas === 10 && d.spec.template.spec.containers[0].image === image);
  };
  const up = await until(c, complete('nginx:1.25'), 3_600_000);
  for (let i = 0; i < count; i++) c.patch('deployment', `web-${i}`, { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.26' }] } } } });
  const roll = await until(c, complete('nginx:1.26'), 3_600_000);
  print(`${count} Deployments × 10 replicas on ${nodes} nodes`, [...rows('bring-up', up), ...rows('rolling update', roll), ['runtime steps', fmt(c.runtime.steps)]]);
}

export async function statefulSetsBench(count = 1_000, nodes = 500): Promise<void> {
  gc();
  const c = await createCluster({ seed: 1, nodes, clientRateLimits: false });
  for (let i = 0; i < count; i++) c.create(statefulSet(i, 'nginx:1.25'));
  const server = c.apiServer;
  const ready = (image: string) => () => {
    const ss = server.list(c.resource('statefulsets'), 'default').items;
    return ss.every((s: any) => s.status?.readyReplicas === 3 && s.status?.updatedReplicas === 3 && s.spec.template.spec.containers[0].image === image);
  };
  const up = await until(c, ready('nginx:1.25'), 3_600_000);
  for (let i = 0; i < count; i++) c.patch('statefulset', `db-${i}`, { spec: { template: { spec: { containers: [{ name: 'db', image: 'nginx:1.26' }] } } } });
  const roll = await until(c, ready('nginx:1.26'), 3_600_000);
  print(`${count} StatefulSets × 3 replicas with a PVC each on ${nodes} nodes`, [...rows('to all Ready', up), ...rows('rolling update', roll), ['runtime steps', fmt(c.runtime.steps)]]);
}

export async function workloadsBench(): Promise<void> {
  await deploymentsBench();
  await statefulSetsBench();
}
