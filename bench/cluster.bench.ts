// Cluster bring-up and idle cost: N nodes, ReplicaSets of 100 pods, until every pod is Running
// and Ready (without client-side rate limits, and for 30,000 pods with upstream's too); then one
// simulated hour of the settled cluster (heartbeats only).
import { createCluster, type Cluster } from '../index.ts';
import { fmt, gc, print } from './harness.ts';

function replicaSet(i: number): any {
  return {
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: `rs-${i}` },
    spec: {
      replicas: 100, selector: { matchLabels: { app: `rs-${i}` } },
      template: { metadata: { labels: { app: `rs-${i}` } }, spec: { containers: [{ name: 'web', image: 'nginx:1.25', resources: { requests: { cpu: '10m', memory: '16Mi' } } }] } },
    },
  };
}

/** Pods whose Ready condition is True, read straight from the store (a list would sort 30,000 pods each time). */
function readyCount(c: Cluster): number {
  let n = 0;
  for (const p of (c as any).server.objects.get('/pods').values()) {
    if ((p.status?.conditions ?? []).some((x: any) => x.type === 'Ready' && x.status === 'True')) n++;
  }
  return n;
}

/**
 * `limited`: with upstream's client-side rate limits, which pace the bring-up over many virtual
 * minutes as on a real cluster; without them every pod is created and bound within the first
 * virtual seconds, the hardest case for the simulator.
 */
export async function bringUp(nodes: number, pods: number, limited = false, settledHour = true): Promise<void> {
  gc();
  const heap0 = process.memoryUsage().heapUsed;
  const t0 = performance.now();
  const c = await createCluster({ seed: 1, nodes, nodePods: 110, clientRateLimits: limited ? undefined : false });
  const tBoot = performance.now();
  for (let i = 0; i < pods / 100; i++) c.create(replicaSet(i));
  let peak = 0;
  let ready = 0;
  while (ready < pods) {
    await c.runFor(limited ? '30s' : '5s');
    ready = readyCount(c);
    peak = Math.max(peak, process.memoryUsage().heapUsed);
    if (c.now() > 3_600_000) break;
  }
  const wall = performance.now() - t0;
  gc();
  const heapAfter = process.memoryUsage().heapUsed;
  const how = limited ? 'upstream client rate limits (KCM 20/s, scheduler 50/s), ready counted every 30 s' : 'no client rate limits';
  print(`Bring-up: ${nodes} nodes, ${pods} pods (ReplicaSets of 100) until all Running and Ready, ${how}`, [
    ['pods ready', `${ready} / ${pods}`],
    ['wall time', `${(wall / 1000).toFixed(1)} s (cluster boot ${((tBoot - t0) / 1000).toFixed(1)} s)`],
    ['virtual time', `${(c.now() / 1000).toFixed(0)} s`],
    ['runtime steps', `${fmt(c.runtime.steps)} (${fmt(c.runtime.steps / (wall / 1000))}/s)`],
    ['peak heap used (garbage included)', `${(peak / 2 ** 20).toFixed(0)} MB`],
    ['live heap once ready (after a full GC)', `${((heapAfter - heap0) / 2 ** 20).toFixed(0)} MB`],
    ['live heap per pod (incl. nodes)', `${Math.round((heapAfter - heap0) / pods)} B`],
  ]);
  if (nodes >= 1000 && !limited && settledHour) await settled(c, `${nodes}-node cluster with its ${pods} pods`);
}

/** One simulated hour of a settled cluster: nothing happens but its periodic work. */
async function settled(c: Cluster, what: string): Promise<void> {
  const t0 = performance.now();
  const s0 = c.runtime.steps;
  await c.runFor('1h');
  const wall = performance.now() - t0;
  print(`Settled ${what}: one simulated hour`, [
    ['wall time', `${(wall / 1000).toFixed(1)} s`],
    ['virtual / wall', `${(3_600_000 / wall).toFixed(0)}x real time`],
    ['runtime steps', `${fmt(c.runtime.steps - s0)}`],
  ]);
}

/** A 1,000-node cluster with no workload: its hour is heartbeats, health checks and metrics scrapes only. */
export async function heartbeatsOnly(nodes: number): Promise<void> {
  gc();
  const c = await createCluster({ seed: 1, nodes, nodePods: 110 });
  await c.runFor('2m');
  await settled(c, `${nodes}-node cluster, no workload (heartbeats only)`);
}

export async function clusterBench(): Promise<void> {
  await bringUp(100, 3_000);
  await heartbeatsOnly(1_000);
  await bringUp(1_000, 30_000);
  await bringUp(1_000, 30_000, true);
}
