// The model checker on the StatefulSet and Deployment controllers: a planted OrderedReady bug
// (after a restart, ordinal N+1 before N is Running and Ready) is found, shrunk and replayed
// byte-identically; the real controllers pass the same checks with the same budgets; the
// built-in properties catch what they claim to. checker/README.md.
import { describe, expect, it } from 'vitest';
import { join } from 'node:path';
import { explore } from '../checker/explore.ts';
import { shrink } from '../checker/shrink.ts';
import { loadCheck } from '../checker/replay-file.ts';
import { noAcceptedObjectLost, rolloutWithinBounds, rwoVolumeAttachedToOneNode, statefulSetOnePodPerOrdinal } from '../checker/properties.ts';
import { replaysIdentically } from './checker-helpers.ts';
import type { KubeObject } from '../api/types.ts';
import type { CheckView, StoreChange } from '../checker/types.ts';

const CHECKS = join(import.meta.dirname, '..', 'checker', 'checks');
const STS = join(CHECKS, 'sts-ordered-ready.check.ts');
/** The random-walk budget both the planted and the real StatefulSet controller get. */
const WALKS = 40;


describe('model checker: StatefulSet OrderedReady under controller crashes', () => {
  // docs concepts/workloads/controllers/statefulset "Deployment and Scaling Guarantees";
  // Sieve (OSDI 2022) / Anvil (OSDI 2024): state lost across a restart.
  it('a controller that trusts existing pods after a restart creates web-1 before web-0 is Ready: found, shrunk, replayed', async () => {
    const { def } = await loadCheck(STS);
    const r = await explore(def, { strategy: 'random', seed: 1, maxExecutions: WALKS });
    expect(r.violation?.property).toBe('statefulset-ordered-ready');
    expect(r.violation?.message).toMatch(/web-1 was created while web-0 was not Running and Ready/);
    const small = await shrink(def, r.violation!);
    expect(small.property).toBe('statefulset-ordered-ready');
    expect(small.schedule.length).toBeLessThanOrEqual(r.violation!.schedule.length);
    expect(small.schedule.filter((c) => c !== '.')).toContain('crash:statefulset-controller');
    const lines = await replaysIdentically(STS, def, small);
    expect(lines.some((l) => l.includes('"what":"crash"'))).toBe(true);
    const bfs = await explore(def, { strategy: 'bfs', maxExecutions: 100 });
    expect(bfs.violation?.property).toBe('statefulset-ordered-ready');
    expect(bfs.violation!.schedule.length).toBeLessThanOrEqual(small.schedule.length);
    console.log(`sts planted: random found it after ${r.executions} walks (${r.distinctStates} distinct states, ${r.transitions} transitions), `
      + `${r.violation!.schedule.length} → ${small.schedule.length} choice points shrunk (${small.schedule.join(' ')}); BFS: ${bfs.executions} executions, ${bfs.violation!.schedule.length} choice points`);
    // The coverage table names the StatefulSet machine's states.
    expect(r.coverage.some((c) => c.actorType.startsWith('controller/StatefulSetController') && /^Scaling\./.test(c.state))).toBe(true);
  });

  it('the real StatefulSet controller keeps OrderedReady and reconciles (ESR) under the same budget', async () => {
    const { def } = await loadCheck(STS, 'real');
    const r = await explore(def, { strategy: 'random', seed: 1, maxExecutions: WALKS });
    expect(r.violation).toBeUndefined();
    expect(r.executions).toBe(WALKS);
    const bfs = await explore(def, { strategy: 'bfs', maxExecutions: 100 });
    expect(bfs.violation).toBeUndefined();
    const states = new Set(r.coverage.filter((c) => c.actorType === 'controller/StatefulSetController').map((c) => c.state));
    expect([...states]).toEqual(expect.arrayContaining(['Scaling.CreatingOrdinal', 'Scaling.WaitingForRunningAndReady']));
    console.log(`sts real: ${r.executions} walks, ${r.distinctStates} distinct states, ${r.transitions} transitions; BFS ${bfs.executions} executions, ${bfs.distinctStates} distinct states; machine states ${[...states].join(', ')}`);
  });
});

describe('model checker: Deployment rolling update under crash and delay faults', () => {
  // docs concepts/workloads/controllers/deployment "Max Surge", "Max Unavailable".
  it('the real Deployment controller stays within replicas ± surge/unavailable and completes the rollout', async () => {
    const { def } = await loadCheck(join(CHECKS, 'deployment-rollout.check.ts'));
    const r = await explore(def, { strategy: 'random', seed: 1, maxExecutions: WALKS });
    expect(r.violation).toBeUndefined();
    const states = new Set(r.coverage.filter((c) => c.actorType === 'controller/DeploymentController').map((c) => c.state));
    expect([...states]).toEqual(expect.arrayContaining(['Progressing.ScalingUpNewRS', 'Progressing.ScalingDownOldRS']));
    console.log(`deployment rollout: ${r.executions} walks, ${r.distinctStates} distinct states, ${r.transitions} transitions; machine states ${[...states].join(', ')}`);
  });
});

/** A view over given objects (for properties on hand-made states). */
function fakeView(objects: KubeObject[], changes: StoreChange[] = [], accepted = new Map<string, KubeObject>()): CheckView {
  return {
    cluster: { epoch: 0 } as CheckView['cluster'], now: () => 0, lastFaultAt: undefined, faults: 0, changes, accepted,
    objects: (kind, ns) => objects.filter((o) => o.kind === kind && (ns === undefined || o.metadata.namespace === ns)),
    find: (kind, ns, name) => objects.find((o) => o.kind === kind && o.metadata.namespace === ns && o.metadata.name === name),
  };
}

const ready = { phase: 'Running', conditions: [{ type: 'Ready', status: 'True' }] };
const ref = (kind: string, name: string, uid: string) => [{ apiVersion: 'apps/v1', kind, name, uid, controller: true }];

describe('built-in properties on hand-made states', () => {
  it('rollout-within-bounds arms after the first rollout and flags a surge past maxSurge', () => {
    const d: KubeObject = {
      apiVersion: 'apps/v1', kind: 'Deployment', metadata: { name: 'web', namespace: 'default', uid: 'd1', generation: 2 },
      spec: { replicas: 3, strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } } },
      status: { replicas: 3, updatedReplicas: 3, availableReplicas: 3, observedGeneration: 1 },
    };
    const rs: KubeObject = { apiVersion: 'apps/v1', kind: 'ReplicaSet', metadata: { name: 'web-a', namespace: 'default', uid: 'rs1', ownerReferences: ref('Deployment', 'web', 'd1') } };
    const pod = (i: number): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name: `web-a-${i}`, namespace: 'default', uid: `p${i}`, ownerReferences: ref('ReplicaSet', 'web-a', 'rs1') }, status: ready });
    const inv = rolloutWithinBounds();
    const three = fakeView([d, rs, pod(0), pod(1), pod(2)]);
    expect(inv.check(three)).toBeUndefined();
    // Per execution: another view (execution) starts unarmed, so 5 pods there pass until it completes.
    expect(inv.check(fakeView([d, rs, pod(0), pod(1), pod(2), pod(3), pod(4)]))).toBeUndefined();
    // The same execution, later: 5 pods.
    const pods = [d, rs, pod(0), pod(1), pod(2)];
    const same = fakeView(pods);
    expect(inv.check(same)).toBeUndefined();
    pods.push(pod(3), pod(4));
    expect(inv.check(same)).toMatch(/5 pods for replicas=3 maxSurge=1/);
    pods.splice(2, 5);
    expect(inv.check(same)).toMatch(/0 available pods for replicas=3 maxUnavailable=0/);
  });

  it('one pod per ordinal, RWO attachment and nothing-lost flag what they claim', () => {
    const set: KubeObject = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'default', uid: 's1' }, spec: {} };
    const p = (name: string, index: string): KubeObject => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: name, labels: { 'apps.kubernetes.io/pod-index': index }, ownerReferences: ref('StatefulSet', 'web', 's1') }, status: ready });
    expect(statefulSetOnePodPerOrdinal().check(fakeView([set, p('web-0', '0'), p('web-1', '1')]))).toBeUndefined();
    expect(statefulSetOnePodPerOrdinal().check(fakeView([set, p('web-0', '0'), p('web-1', '0')]))).toMatch(/2 pods for ordinal 0/);
    const pv: KubeObject = { apiVersion: 'v1', kind: 'PersistentVolume', metadata: { name: 'pv1' }, spec: { accessModes: ['ReadWriteOnce'] } };
    const va = (node: string): KubeObject => ({ apiVersion: 'storage.k8s.io/v1', kind: 'VolumeAttachment', metadata: { name: `va-${node}` }, spec: { nodeName: node, source: { persistentVolumeName: 'pv1' } }, status: { attached: true } });
    expect(rwoVolumeAttachedToOneNode().check(fakeView([pv, va('node-1')]))).toBeUndefined();
    expect(rwoVolumeAttachedToOneNode().check(fakeView([pv, va('node-1'), va('node-2')]))).toMatch(/pv1 .* attached to 2 nodes/);
    const pod = p('web-0', '0');
    const removed: StoreChange = { type: 'DELETED', resource: '/pods', object: pod, old: pod, request: { verb: 'update', apiVersion: 'v1', kind: 'Pod', namespace: 'default', name: 'web-0' }, from: 'x' };
    expect(noAcceptedObjectLost().check(fakeView([], [removed]))).toMatch(/removed without a DELETE/);
    const deleted = { ...removed, request: { ...removed.request!, verb: 'delete' as const } };
    expect(noAcceptedObjectLost().check(fakeView([], [deleted]))).toBeUndefined();
    expect(noAcceptedObjectLost().check(fakeView([], [], new Map([['/pods|default/web-0', pod]])))).toMatch(/gone without a DELETE/);
  });
});
