// Self-healing end to end: a ReplicaSet of 5 on 3 nodes through a pod deletion, a container
// crash and a node power-off. k8s-facts §2 (ReplicaSet), §6.1–6.2 (node lifecycle, eviction).
import { describe, expect, it } from 'vitest';
import { createCluster, type Cluster } from 'kubesim';

const RS = {
  apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'frontend' },
  spec: {
    replicas: 5, selector: { matchLabels: { tier: 'frontend' } },
    template: { metadata: { labels: { tier: 'frontend' } }, spec: { containers: [{ name: 'php-redis', image: 'nginx:1.25' }] } },
  },
};

function active(c: Cluster) {
  return c.list('pods', { labelSelector: 'tier=frontend' }).filter((p) => !p.metadata.deletionTimestamp);
}

function ready(c: Cluster) {
  return active(c).filter((p) => (p.status?.conditions ?? []).some((x: any) => x.type === 'Ready' && x.status === 'True'));
}

/** Steps the runtime one delivery at a time until `done`, checking the ReplicaSet invariant at every step. */
function stepUntil(c: Cluster, done: () => boolean, maxMs: number): void {
  const end = c.now() + maxMs;
  while (!done()) {
    expect(c.runtime.step()).toBe(true);
    expect(c.now()).toBeLessThanOrEqual(end);
    // Never more than `replicas` pods that are not terminating (issue 3, must-show 4).
    expect(active(c).length).toBeLessThanOrEqual(5);
  }
}

describe('self-healing', () => {
  it('replaces a deleted pod, restarts a crashed container in place, and replaces the pods of a lost node', async () => {
    const c = await createCluster({ seed: 3 });
    c.create(RS);
    stepUntil(c, () => ready(c).length === 5, 60_000);

    const victim = ready(c)[0].metadata.name!;
    c.delete('pod', victim);
    stepUntil(c, () => ready(c).length === 5 && !c.find('pod', victim), 60_000);

    const crashed = ready(c)[0].metadata.name!;
    c.crashContainer(crashed, { exitCode: 139 });
    stepUntil(c, () => ready(c).length === 5, 60_000);
    const after = c.get('pod', crashed).status.containerStatuses[0];
    expect(after.restartCount).toBe(1);
    expect(after.lastState.terminated).toMatchObject({ exitCode: 139, reason: 'Error' });

    const node = ready(c).find((p) => p.spec.nodeName)!.spec.nodeName;
    const lost = ready(c).filter((p) => p.spec.nodeName === node).map((p) => p.metadata.name);
    const t0 = c.now();
    c.powerOff(node);
    // Nothing happens for the node-monitor grace period; the pods are evicted after 300 s more.
    stepUntil(c, () => c.now() - t0 >= 45_000, 46_000);
    expect(c.get('node', node).status.conditions.find((x: any) => x.type === 'Ready').status).toBe('True');
    stepUntil(c, () => c.get('node', node).status.conditions.find((x: any) => x.type === 'Ready').status === 'Unknown', 30_000);
    const taints = () => (c.get('node', node).spec.taints ?? []).map((t: any) => `${t.key}:${t.effect}`);
    stepUntil(c, () => taints().includes('node.kubernetes.io/unreachable:NoSchedule'), 1_000);
    stepUntil(c, () => ready(c).filter((p) => p.spec.nodeName !== node).length === 5, 420_000);
    const elapsed = (c.now() - t0) / 1000;
    // About 5 min 50 s (50 s grace + 300 s toleration), plus the 5 s monitor-period phases.
    expect(elapsed).toBeGreaterThanOrEqual(350);
    expect(elapsed).toBeLessThanOrEqual(375);
    // The lost pods stay Terminating: nobody can confirm they stopped (k8s-facts §6.2).
    for (const name of lost) expect(c.get('pod', name!).metadata.deletionTimestamp).toBeDefined();
  });

  it('a node that comes back after its pods were evicted cleans them up', async () => {
    const c = await createCluster({ seed: 4 });
    c.create(RS);
    await c.runUntil((cl) => ready(cl).length === 5, { timeout: '1m' });
    const node = ready(c)[0].spec.nodeName;
    c.powerOff(node);
    await c.runFor('7m');
    c.powerOn(node);
    await c.runFor('2m');
    // The returning kubelet finds no containers for the evicted pods and deletes them for good.
    expect(c.list('pods', { labelSelector: 'tier=frontend' }).filter((p) => p.metadata.deletionTimestamp)).toEqual([]);
    expect(ready(c).length).toBe(5);
    expect(c.get('node', node).status.conditions.find((x: any) => x.type === 'Ready').status).toBe('True');
  });

  it('a partitioned node goes Unknown like a dead one, and recovers when the partition heals', async () => {
    const c = await createCluster({ seed: 5 });
    c.create(RS);
    await c.runUntil((cl) => ready(cl).length === 5, { timeout: '1m' });
    c.partition('node-2');
    await c.runFor('90s');
    expect(c.get('node', 'node-2').status.conditions.find((x: any) => x.type === 'Ready').status).toBe('Unknown');
    c.heal('node-2');
    await c.runFor('30s');
    expect(c.get('node', 'node-2').status.conditions.find((x: any) => x.type === 'Ready').status).toBe('True');
    expect((c.get('node', 'node-2').spec.taints ?? []).filter((t: any) => t.key.startsWith('node.kubernetes.io/unreachable'))).toEqual([]);
    expect(ready(c).length).toBe(5);
  });

  it('a container restart during a short partition reaches the API on the status manager\'s next 10 s tick after it heals', async () => {
    const c = await createCluster({ seed: 5, nodes: 1 });
    c.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'web' }, spec: { containers: [{ name: 'nginx', image: 'nginx:1.25' }] } });
    await c.runFor('20s');
    c.partition('node-1');
    await c.runFor('5s');
    c.crashContainer('web');
    // 30 s: under the 50 s grace period, so the node controller never touches the pod.
    await c.runFor('30s');
    expect(c.get('pod', 'web').status.containerStatuses[0].restartCount).toBe(0);
    c.heal('node-1');
    // The write made during the partition timed out; the ticker (every 10 s since the kubelet
    // started) writes it again at 60 s.
    await c.runUntil((cl) => cl.get('pod', 'web').status.containerStatuses[0].restartCount === 1, { timeout: '10s' });
    expect(c.now()).toBe(60_000);
  });
});

describe('scenarios run', () => {
  it('every scenario file runs to completion', async () => {
    const { execFileSync } = await import('node:child_process');
    const root = new URL('..', import.meta.url).pathname;
    for (const s of ['self-healing', 'crashloop', 'bad-image', 'probes', 'unschedulable', 'rolling-update', 'bad-rollout', 'statefulset', 'database-failover']) {
      const out = execFileSync(process.execPath, ['--import', 'tsx', `scenarios/${s}.ts`], { cwd: root, encoding: 'utf8' });
      expect(out.length).toBeGreaterThan(200);
    }
  });
});
