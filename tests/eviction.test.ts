// The pods/eviction subresource (seed 1): allowed and refused evictions with the exact Status
// bodies, disruptedPods accounting, several budgets, pods that need no budget check, unready
// pods under IfHealthyBudget and AlwaysAllow. Replay a failure with the same seed.
import { describe, expect, it } from 'vitest';
import { createCluster, type Cluster } from '../cluster/cluster.ts';
import { evict } from '../cluster/drain.ts';
import type { KubeObject } from '../api/types.ts';

const SEED = 1;

function replicaSet(name: string, replicas: number): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name },
    // tier=rs keeps the ReplicaSet from adopting the bare pods the tests add with app=<name>.
    spec: { replicas, selector: { matchLabels: { app: name, tier: 'rs' } }, template: { metadata: { labels: { app: name, tier: 'rs' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } } },
  };
}

function pdb(name: string, app: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name }, spec: { ...spec, selector: { matchLabels: { app } } } };
}

function ready(p: KubeObject): boolean {
  return !p.metadata.deletionTimestamp && (p.status?.conditions ?? []).some((x: any) => x.type === 'Ready' && x.status === 'True');
}

async function webWithBudget(spec: Record<string, unknown>, replicas = 3): Promise<Cluster> {
  const c = await createCluster({ seed: SEED });
  c.create(replicaSet('web', replicas));
  await c.runUntil((x) => x.list('pods', { labelSelector: 'app=web' }).filter(ready).length === replicas, { timeout: '2m' });
  c.create(pdb('web-pdb', 'web', spec));
  await c.runFor('5s');
  return c;
}

const SUCCESS = { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 };

describe('Eviction API (pods/eviction)', () => {
  it('an eviction the budget allows answers Status Success, takes one disruption and marks the pod DisruptionTarget', async () => {
    // D:concepts/scheduling-eviction/api-eviction; K:pkg/registry/core/pod/storage/eviction.go checkAndDecrement, addConditionAndDeletePod.
    const c = await webWithBudget({ minAvailable: 2 });
    expect(c.get('pdb', 'web-pdb').status.disruptionsAllowed).toBe(1);
    const pod = c.list('pods', { labelSelector: 'app=web' })[0].metadata.name!;
    const r = evict(c, pod);
    expect(r, `seed ${SEED}`).toEqual({ ok: true, object: SUCCESS });
    // Read before the controller recomputes: the handler's own write.
    const st = c.get('pdb', 'web-pdb').status;
    expect(st.disruptionsAllowed).toBe(0);
    expect(st.disruptedPods).toEqual({ [pod]: c.time() });
    expect(st.conditions.find((x: any) => x.type === 'DisruptionAllowed')).toMatchObject({ status: 'False', reason: 'InsufficientPods' });
    const evicted = c.find('pod', pod);
    if (evicted) {
      expect(evicted.metadata.deletionTimestamp).toBeDefined();
      expect(evicted.status.conditions.find((x: any) => x.type === 'DisruptionTarget')).toMatchObject({ status: 'True', reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting' });
    }
  });

  it('an eviction that would violate the budget is refused with 429 TooManyRequests naming the budget and its numbers', async () => {
    // D:concepts/scheduling-eviction/api-eviction (429); K:pkg/registry/core/pod/storage/eviction.go checkAndDecrement.
    const c = await webWithBudget({ minAvailable: 3 });
    const pod = c.list('pods', { labelSelector: 'app=web' })[0].metadata.name!;
    const r = evict(c, pod);
    expect(r).toEqual({
      ok: false,
      status: {
        kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: "Cannot evict pod as it would violate the pod's disruption budget.",
        reason: 'TooManyRequests', details: { causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget web-pdb needs 3 healthy pods and has 3 currently' }] }, code: 429,
      },
    });
    expect(c.get('pod', pod).metadata.deletionTimestamp).toBeUndefined();
  });

  it('a second eviction right after the first is refused until the replacement is Ready, then allowed', async () => {
    // K:pkg/controller/disruption/disruption.go countHealthyPods (disruptedPods and terminating pods are not healthy).
    const c = await webWithBudget({ minAvailable: 2 });
    const [a, b] = c.list('pods', { labelSelector: 'app=web' }).map((p) => p.metadata.name!);
    expect(evict(c, a).ok).toBe(true);
    const refused = evict(c, b);
    // The handler only decremented disruptionsAllowed; currentHealthy is the controller's last count.
    expect(!refused.ok && refused.status.details?.causes?.[0].message).toBe('The disruption budget web-pdb needs 2 healthy pods and has 3 currently');
    await c.runUntil((x) => x.list('pods', { labelSelector: 'app=web' }).filter(ready).length === 3, { timeout: '2m' });
    await c.runFor('1s');
    expect(c.get('pdb', 'web-pdb').status).toMatchObject({ currentHealthy: 3, disruptionsAllowed: 1 });
    expect(evict(c, b).ok).toBe(true);
  });

  it('a budget whose status has not caught up with its spec refuses with "is still being processed"', async () => {
    // K:pkg/registry/core/pod/storage/eviction.go checkAndDecrement: observedGeneration < generation → createTooManyRequestsError (retry after 10 s).
    const c = await webWithBudget({ minAvailable: 1 });
    c.fault((env) => (env.from === 'disruption-controller' && (env.message as any).request?.subresource === 'status' ? { action: 'drop', reason: 'test' } : undefined));
    c.patch('pdb', 'web-pdb', { spec: { minAvailable: 2 } }, { type: 'merge' });
    await c.runFor('1s');
    const r = evict(c, c.list('pods', { labelSelector: 'app=web' })[0].metadata.name!);
    expect(!r.ok && r.status).toMatchObject({
      code: 429, reason: 'TooManyRequests', message: "Cannot evict pod as it would violate the pod's disruption budget.",
      details: { retryAfterSeconds: 10, causes: [{ reason: 'DisruptionBudget', message: 'The disruption budget web-pdb is still being processed by the server.' }] },
    });
  });

  it('a pod selected by two budgets cannot be evicted: 500 with upstream message', async () => {
    // D:concepts/scheduling-eviction/api-eviction (500 for misconfiguration); K:…/eviction.go getPodDisruptionBudgets.
    const c = await webWithBudget({ minAvailable: 1 });
    c.create(pdb('web-pdb-2', 'web', { maxUnavailable: 1 }));
    await c.runFor('5s');
    const pod = c.list('pods', { labelSelector: 'app=web' })[0].metadata.name!;
    const r = evict(c, pod);
    expect(r).toEqual({ ok: false, status: { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.', code: 500 } });
    expect(c.get('pod', pod).metadata.deletionTimestamp).toBeUndefined();
    // The controller warns on the pod's next event.
    c.patch('pod', pod, { metadata: { annotations: { touched: 'yes' } } }, { type: 'merge' });
    await c.runFor('1s');
    expect(c.events().some((e) => e.reason === 'MultiplePodDisruptionBudgets' && e.message === `Pod "default"/"${pod}" matches multiple PodDisruptionBudgets.  Chose "web-pdb" arbitrarily.`)).toBe(true);
  });

  it('a pod no budget covers is deleted gracefully, honouring the Eviction\'s DeleteOptions', async () => {
    // D:concepts/scheduling-eviction/api-eviction ("like DELETE"); pods not covered by a PDB are always evictable.
    const c = await createCluster({ seed: SEED });
    c.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'solo' }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } });
    await c.runUntil((x) => ready(x.get('pod', 'solo')), { timeout: '1m' });
    c.fault((env) => (env.to.startsWith('node/') && (env.message as any).type === 'api.watch' ? { action: 'drop', reason: 'keep the kubelet from finishing at once' } : undefined));
    expect(evict(c, 'solo', { deleteOptions: { gracePeriodSeconds: 7 } })).toEqual({ ok: true, object: SUCCESS });
    const solo = c.get('pod', 'solo');
    expect(solo.metadata.deletionGracePeriodSeconds).toBe(7);
    expect(solo.status.conditions.find((x: any) => x.type === 'DisruptionTarget')).toEqual({
      type: 'DisruptionTarget', status: 'True', lastProbeTime: null, lastTransitionTime: c.time(), reason: 'EvictionByEvictionAPI', message: 'Eviction API: evicting',
    });
  });

  it('terminal pods and pods already being deleted are evicted whatever the budget says', async () => {
    // K:pkg/registry/core/pod/storage/eviction.go canIgnorePDB (Succeeded, Failed, Pending, or a deletionTimestamp).
    const c = await webWithBudget({ minAvailable: 3 });
    c.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'done', labels: { app: 'web' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'busybox:1.36', command: ['sh', '-c', 'echo done'] }] } });
    await c.runUntil((x) => x.get('pod', 'done').status.phase === 'Succeeded', { timeout: '1m' });
    await c.runFor('2s');
    expect(c.get('pdb', 'web-pdb').status.disruptionsAllowed).toBe(0);
    expect(evict(c, 'done')).toEqual({ ok: true, object: SUCCESS });
    expect(c.find('pod', 'done')).toBeUndefined();
    const pod = c.list('pods', { labelSelector: 'app=web' }).find(ready)!.metadata.name!;
    c.fault((env) => (env.to.startsWith('node/') && (env.message as any).type === 'api.watch' ? { action: 'drop', reason: 'keep the pod terminating' } : undefined));
    c.delete('pod', pod);
    expect(evict(c, pod)).toEqual({ ok: true, object: SUCCESS });
  });

  it('an unready pod goes under IfHealthyBudget only while the budget is met; AlwaysAllow evicts it anyway', async () => {
    // D:tasks/run-application/configure-pdb "Unhealthy Pod Eviction Policy"; K:…/eviction.go (unready pods do not take a disruption).
    const c = await webWithBudget({ minAvailable: 3 });
    const unready = (name: string) => ({
      apiVersion: 'v1', kind: 'Pod', metadata: { name, labels: { app: 'web' } },
      spec: { containers: [{ name: 'c', image: 'nginx:1.27', readinessProbe: { httpGet: { path: '/ready', port: 80 }, periodSeconds: 5 } }] },
    });
    c.create(unready('sick-1'));
    await c.runUntil((x) => x.get('pod', 'sick-1').status.phase === 'Running', { timeout: '1m' });
    await c.runFor('5s');
    // 3 healthy of 3 desired: the budget is met, so the unready pod may go without using a disruption.
    expect(c.get('pdb', 'web-pdb').status).toMatchObject({ currentHealthy: 3, desiredHealthy: 3, disruptionsAllowed: 0, expectedPods: 4 });
    expect(evict(c, 'sick-1')).toEqual({ ok: true, object: SUCCESS });
    expect(c.get('pdb', 'web-pdb').status.disruptedPods).toBeUndefined();
    await c.runUntil((x) => !x.find('pod', 'sick-1'), { timeout: '1m' });

    // 3 healthy of 4 desired: IfHealthyBudget refuses, AlwaysAllow evicts.
    c.patch('pdb', 'web-pdb', { spec: { minAvailable: 4 } }, { type: 'merge' });
    c.create(unready('sick-2'));
    await c.runUntil((x) => x.get('pod', 'sick-2').status.phase === 'Running', { timeout: '1m' });
    await c.runFor('5s');
    const refused = evict(c, 'sick-2');
    expect(!refused.ok && refused.status.details?.causes?.[0].message).toBe('The disruption budget web-pdb needs 4 healthy pods and has 3 currently');
    c.patch('pdb', 'web-pdb', { spec: { unhealthyPodEvictionPolicy: 'AlwaysAllow' } }, { type: 'merge' });
    await c.runFor('2s');
    expect(evict(c, 'sick-2')).toEqual({ ok: true, object: SUCCESS });
  });

  it('rejects an Eviction whose name differs from the URL, and a missing pod with 404', async () => {
    // K:pkg/registry/core/pod/storage/eviction.go Create (BadRequest), store.Get (NotFound).
    const c = await createCluster({ seed: SEED, nodes: 0 });
    const bad = evict(c, 'a', { body: { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name: 'b' } } });
    expect(!bad.ok && [bad.status.code, bad.status.message]).toEqual([400, 'name in URL does not match name in Eviction object']);
    const missing = evict(c, 'ghost');
    expect(!missing.ok && [missing.status.code, missing.status.message]).toEqual([404, 'pods "ghost" not found']);
  });
});
