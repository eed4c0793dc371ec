// Determinism: the same scenario and seed give a byte-identical trace; a trace replays.
// DEVELOPERS.md principle 1; issue "Foundation", must-show 1.
import { describe, expect, it } from 'vitest';
import { createCluster } from 'kubesim';

async function scenario(seed: number): Promise<{ trace: string[]; uids: string[]; snapshot: string }> {
  const c = await createCluster({ seed, trace: true });
  const owner = c.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owner' } });
  for (let i = 0; i < 3; i++) {
    c.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { generateName: 'dep-', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata.uid! }] } });
  }
  c.create({ apiVersion: 'v1', kind: 'Namespace', metadata: { name: 'scratch' } });
  c.create({
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web' },
    spec: { replicas: 4, selector: { matchLabels: { app: 'web' } }, template: { metadata: { labels: { app: 'web' } }, spec: { containers: [{ name: 'c', image: 'busybox:1.36', command: ['sh', '-c', 'sleep $((RANDOM % 20)); exit 1'] }] } } },
  });
  c.create({ apiVersion: 'v1', kind: 'Secret', metadata: { name: 's', namespace: 'scratch' }, stringData: { k: 'v' } });
  await c.runFor('10s');
  c.crash('garbage-collector');
  c.powerOff('node-2');
  c.delete('configmap', 'owner');
  c.delete('namespace', 'scratch');
  await c.runFor('7m');
  const uids = c.all().map((o) => o.metadata.uid!);
  return { trace: c.traceLines(), uids, snapshot: JSON.stringify(c.snapshot()) };
}

describe('determinism', () => {
  it('two runs with the same seed produce byte-identical traces and snapshots', async () => {
    const a = await scenario(11);
    const b = await scenario(11);
    expect(a.trace.length).toBeGreaterThan(50);
    expect(b.trace.join('\n')).toBe(a.trace.join('\n'));
    expect(b.snapshot).toBe(a.snapshot);
  });

  it('a different seed changes the uids', async () => {
    const a = await scenario(11);
    const c = await scenario(12);
    expect(c.uids).not.toEqual(a.uids);
    expect(c.uids.length).toBe(a.uids.length);
  });

  it('the garbage collector, crashed mid-run, restarts and still deletes the dependents', async () => {
    const c = await createCluster({ seed: 3 });
    const owner = c.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owner' } });
    c.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dep', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata.uid! }] } });
    c.crash('garbage-collector');
    c.delete('configmap', 'owner');
    await c.runFor('5s');
    expect(c.runtime.incarnation('garbage-collector')).toBe(2);
    expect(c.find('configmap', 'dep')).toBeUndefined();
  });

  it('a crashed API server keeps its data; watchers re-list and re-watch', async () => {
    const c = await createCluster({ seed: 3 });
    c.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'kept' } });
    c.crash('kube-apiserver');
    await c.runFor('5s');
    expect(c.runtime.incarnation('kube-apiserver')).toBe(2);
    expect(c.get('configmap', 'kept').metadata.name).toBe('kept');
    // The garbage collector re-watched: it still collects dependents of a deleted owner.
    const owner = c.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'owner' } });
    c.create({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'dep', ownerReferences: [{ apiVersion: 'v1', kind: 'ConfigMap', name: 'owner', uid: owner.metadata.uid! }] } });
    await c.runFor('1s');
    c.delete('configmap', 'owner');
    await c.runFor('5s');
    expect(c.find('configmap', 'dep')).toBeUndefined();
  });
});
