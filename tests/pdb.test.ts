// The disruption controller end to end on the virtual clock (seed 1): PodDisruptionBudget
// status for integer and percentage minAvailable / maxUnavailable, bare pods, SyncFailed, and
// the 2-minute life of a status.disruptedPods entry. Replay a failure with the same seed.
import { describe, expect, it } from 'vitest';
import { createCluster, type Cluster } from '../cluster/cluster.ts';
import { evict } from '../cluster/drain.ts';
import type { KubeObject } from '../api/types.ts';
import { getScaledValueFromIntOrPercent } from '../actors/controllers/disruption-budget.ts';

const SEED = 1;

function replicaSet(name: string, replicas: number): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name },
    spec: { replicas, selector: { matchLabels: { app: name } }, template: { metadata: { labels: { app: name } }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } } },
  };
}

function pdb(name: string, app: string, spec: Record<string, unknown>): KubeObject {
  return { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget', metadata: { name }, spec: { ...spec, selector: { matchLabels: { app } } } };
}

function readyCount(c: Cluster, app: string): number {
  return c.list('pods', { labelSelector: `app=${app}` }).filter((p) => !p.metadata.deletionTimestamp && (p.status?.conditions ?? []).some((x: any) => x.type === 'Ready' && x.status === 'True')).length;
}

async function clusterWith(app: string, replicas: number): Promise<Cluster> {
  const c = await createCluster({ seed: SEED });
  c.create(replicaSet(app, replicas));
  await c.runUntil((x) => readyCount(x, app) === replicas, { timeout: '2m' });
  return c;
}

function numbers(p: KubeObject): Record<string, unknown> {
  const { currentHealthy, desiredHealthy, expectedPods, disruptionsAllowed, observedGeneration } = p.status;
  const cond = p.status.conditions.find((x: any) => x.type === 'DisruptionAllowed');
  return { currentHealthy, desiredHealthy, expectedPods, disruptionsAllowed, observedGeneration, condition: `${cond.status}/${cond.reason}` };
}

describe('PodDisruptionBudget status (disruption controller)', () => {
  it('percentages round up: 7 pods with minAvailable 50% need 4 healthy pods', () => {
    // D:tasks/run-application/configure-pdb "Rounding logic when specifying percentages"; intstr.GetScaledValueFromIntOrPercent.
    expect(getScaledValueFromIntOrPercent('50%', 7, true)).toBe(4);
    expect(getScaledValueFromIntOrPercent('30%', 7, true)).toBe(3);
    expect(getScaledValueFromIntOrPercent(2, 7, true)).toBe(2);
  });

  it('reports expectedPods, desiredHealthy, currentHealthy and disruptionsAllowed for int and percent minAvailable and maxUnavailable', async () => {
    // D:tasks/run-application/configure-pdb (7 replicas examples); K:pkg/controller/disruption/disruption.go getExpectedPodCount, updatePdbStatus.
    const c = await clusterWith('web', 7);
    const cases: [string, Record<string, unknown>, Record<string, unknown>][] = [
      ['min-int', { minAvailable: 4 }, { currentHealthy: 7, desiredHealthy: 4, expectedPods: 7, disruptionsAllowed: 3, observedGeneration: 1, condition: 'True/SufficientPods' }],
      ['min-pct', { minAvailable: '50%' }, { currentHealthy: 7, desiredHealthy: 4, expectedPods: 7, disruptionsAllowed: 3, observedGeneration: 1, condition: 'True/SufficientPods' }],
      ['max-int', { maxUnavailable: 2 }, { currentHealthy: 7, desiredHealthy: 5, expectedPods: 7, disruptionsAllowed: 2, observedGeneration: 1, condition: 'True/SufficientPods' }],
      ['max-pct', { maxUnavailable: '30%' }, { currentHealthy: 7, desiredHealthy: 4, expectedPods: 7, disruptionsAllowed: 3, observedGeneration: 1, condition: 'True/SufficientPods' }],
      ['min-all', { minAvailable: '100%' }, { currentHealthy: 7, desiredHealthy: 7, expectedPods: 7, disruptionsAllowed: 0, observedGeneration: 1, condition: 'False/InsufficientPods' }],
      ['max-zero', { maxUnavailable: 0 }, { currentHealthy: 7, desiredHealthy: 7, expectedPods: 7, disruptionsAllowed: 0, observedGeneration: 1, condition: 'False/InsufficientPods' }],
    ];
    for (const [name, spec] of cases) c.create(pdb(name, 'web', spec));
    await c.runFor('5s');
    for (const [name, , want] of cases) expect(numbers(c.get('pdb', name)), `${name} (seed ${SEED})`).toEqual(want);
    const cond = c.get('pdb', 'min-int').status.conditions;
    expect(cond).toEqual([{ type: 'DisruptionAllowed', status: 'True', observedGeneration: 1, lastTransitionTime: expect.any(String), reason: 'SufficientPods', message: '' }]);
  });

  it('follows the ReplicaSet scale: scaling to 4 with maxUnavailable 25% gives expectedPods 4, desiredHealthy 3', async () => {
    // K:pkg/controller/disruption/disruption.go getExpectedScale (the controller's spec.replicas), observedGeneration after a spec change.
    const c = await clusterWith('web', 2);
    c.create(pdb('web', 'web', { maxUnavailable: '25%' }));
    await c.runFor('5s');
    expect(numbers(c.get('pdb', 'web'))).toMatchObject({ expectedPods: 2, desiredHealthy: 1, disruptionsAllowed: 1 });
    c.patch('replicaset', 'web', { spec: { replicas: 4 } }, { type: 'merge' });
    await c.runUntil((x) => readyCount(x, 'web') === 4, { timeout: '2m' });
    await c.runFor('5s');
    expect(numbers(c.get('pdb', 'web'))).toMatchObject({ expectedPods: 4, desiredHealthy: 3, currentHealthy: 4, disruptionsAllowed: 1 });
    c.patch('pdb', 'web', { spec: { maxUnavailable: 2 } }, { type: 'merge' });
    await c.runFor('5s');
    expect(numbers(c.get('pdb', 'web'))).toMatchObject({ observedGeneration: 2, desiredHealthy: 2, disruptionsAllowed: 2 });
  });

  it('takes a Deployment\'s replicas, not its ReplicaSet\'s, as expectedPods', async () => {
    // K:pkg/controller/disruption/disruption.go getPodDeployment (a ReplicaSet controlled by a Deployment counts as the Deployment).
    const c = await createCluster({ seed: SEED });
    c.create({ ...replicaSet('api', 4), kind: 'Deployment' });
    await c.runUntil((x) => readyCount(x, 'api') === 4, { timeout: '2m' });
    c.create(pdb('api', 'api', { maxUnavailable: '50%' }));
    await c.runFor('5s');
    expect(numbers(c.get('pdb', 'api')), `seed ${SEED}`).toEqual({ currentHealthy: 4, desiredHealthy: 2, expectedPods: 4, disruptionsAllowed: 2, observedGeneration: 1, condition: 'True/SufficientPods' });
    c.patch('deployment', 'api', { spec: { replicas: 6 } }, { type: 'merge' });
    await c.runUntil((x) => readyCount(x, 'api') === 6, { timeout: '2m' });
    await c.runFor('5s');
    expect(numbers(c.get('pdb', 'api'))).toMatchObject({ expectedPods: 6, desiredHealthy: 3, disruptionsAllowed: 3 });
  });

  it('counts bare pods for an integer minAvailable, and only Ready pods as healthy', async () => {
    // D:tasks/run-application/configure-pdb "Arbitrary workloads": only an integer .spec.minAvailable works for pods without a controller.
    const c = await createCluster({ seed: SEED });
    for (const n of ['a', 'b']) c.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: n, labels: { app: 'bare' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] } });
    c.create({ apiVersion: 'v1', kind: 'Pod', metadata: { name: 'never-ready', labels: { app: 'bare' } }, spec: { containers: [{ name: 'c', image: 'nginx:1.27', readinessProbe: { httpGet: { path: '/ready', port: 80 }, periodSeconds: 5 } }] } });
    c.create(pdb('bare', 'bare', { minAvailable: 1 }));
    c.create(pdb('bare-pct', 'bare', { maxUnavailable: '50%' }));
    await c.runFor('1m');
    expect(numbers(c.get('pdb', 'bare'))).toEqual({ currentHealthy: 2, desiredHealthy: 1, expectedPods: 3, disruptionsAllowed: 1, observedGeneration: 1, condition: 'True/SufficientPods' });
    // A percentage over unmanaged pods: no controller to scale by, so nothing is expected or allowed.
    expect(numbers(c.get('pdb', 'bare-pct'))).toMatchObject({ expectedPods: 0, desiredHealthy: 0, disruptionsAllowed: 0 });
    const unmanaged = c.events().find((e) => e.reason === 'UnmanagedPods' && e.involvedObject.name === 'bare-pct');
    expect(unmanaged?.message).toBe('Pods selected by this PodDisruptionBudget (selector: &LabelSelector{MatchLabels:map[string]string{app: bare,},MatchExpressions:[]LabelSelectorRequirement{},}) were found '
      + 'to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.');
  });

  it('a pod whose controller has no scale subresource makes a percentage budget fail safe with SyncFailed', async () => {
    // K:pkg/controller/disruption/disruption.go getScaleController and failSafe (DisruptionAllowed=False, reason SyncFailed, the error as message).
    const c = await createCluster({ seed: SEED });
    const job = c.create({ apiVersion: 'batch/v1', kind: 'Job', metadata: { name: 'batch' }, spec: { template: { metadata: { labels: { app: 'batch' } }, spec: { restartPolicy: 'Never', containers: [{ name: 'c', image: 'nginx:1.27' }] } } } });
    c.create({
      apiVersion: 'v1', kind: 'Pod', metadata: { name: 'batch-x', labels: { app: 'batch' }, ownerReferences: [{ apiVersion: 'batch/v1', kind: 'Job', name: 'batch', uid: job.metadata.uid!, controller: true }] },
      spec: { containers: [{ name: 'c', image: 'nginx:1.27' }] },
    });
    c.create(pdb('batch', 'batch', { maxUnavailable: '10%' }));
    await c.runFor('30s');
    const st = c.get('pdb', 'batch').status;
    expect(st.disruptionsAllowed).toBe(0);
    expect(st.conditions).toEqual([{ type: 'DisruptionAllowed', status: 'False', lastTransitionTime: expect.any(String), reason: 'SyncFailed', message: 'jobs.batch does not implement the scale subresource' }]);
    expect(c.events().some((e) => e.reason === 'CalculateExpectedPodCountFailed' && e.message === 'Failed to calculate the number of expected pods: jobs.batch does not implement the scale subresource')).toBe(true);
  });

  it('an evicted pod counts as disrupted for 2 minutes; if it is never deleted the entry is dropped', async () => {
    // K:pkg/controller/disruption/disruption.go DeletionTimeout (2 min), buildDisruptedPodMap, countHealthyPods;
    // K:pkg/registry/core/pod/storage/eviction.go checkAndDecrement records the pod before the delete is tried.
    const c = await clusterWith('web', 3);
    c.create(pdb('web', 'web', { minAvailable: 1 }));
    await c.runFor('5s');
    expect(c.get('pdb', 'web').status.disruptionsAllowed).toBe(2);
    const pod = c.list('pods', { labelSelector: 'app=web' })[0];
    const t0 = c.now();
    // The eviction takes a disruption, then its delete fails on a UID precondition: the pod stays.
    const r = evict(c, pod.metadata.name!, { deleteOptions: { preconditions: { uid: 'not-the-pod' } } });
    expect(r.ok).toBe(false);
    expect(!r.ok && r.status.code).toBe(409);
    await c.runFor('5s');
    let st = c.get('pdb', 'web').status;
    expect(Object.keys(st.disruptedPods)).toEqual([pod.metadata.name]);
    expect(st).toMatchObject({ currentHealthy: 2, disruptionsAllowed: 1 });
    await c.runUntil((x) => x.get('pdb', 'web').status.disruptedPods === undefined, { timeout: '5m' });
    const dropped = c.now() - t0;
    expect(dropped, `seed ${SEED}`).toBeGreaterThanOrEqual(120_000);
    expect(dropped).toBeLessThan(123_000);
    st = c.get('pdb', 'web').status;
    expect(st).toMatchObject({ currentHealthy: 3, disruptionsAllowed: 2 });
    const notDeleted = c.events().find((e) => e.reason === 'NotDeleted');
    expect(notDeleted).toMatchObject({ type: 'Warning', involvedObject: { name: pod.metadata.name }, message: "Pod was expected by PDB default/default to be deleted but it wasn't" });
  });
});
