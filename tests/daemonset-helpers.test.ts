// The DaemonSet controller's pure helpers and the ControllerRevision helpers, with upstream's
// worked examples. Source: pkg/controller/daemon/util/daemonset_util.go, daemon_controller.go
// (NodeShouldRunDaemonPod, podsShouldBeOnNode), update.go (rollingUpdate),
// pkg/controller/history/controller_history.go, client-go util/flowcontrol/backoff.go.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from 'kubesim';
import {
  FailedPodsBackoff, addOrUpdateDaemonPodTolerations, createPodTemplate, getScaledValueFromIntOrPercent, getTargetNodeName,
  isPodUpdated, nodeShouldRunDaemonPod, podsShouldBeOnNode, replaceDaemonSetPodNodeNameNodeAffinity,
} from '../actors/controllers/daemonset-util.ts';
import { calculateStatus, getPatch, matchRevision, revisionsToDelete, rollingUpdate } from '../actors/controllers/daemonset-update.ts';
import {
  computeHash, controllerRevisionName, equalRevision, fnv32, fnv32a, newControllerRevision, safeEncodeString, sortControllerRevisions,
} from '../actors/controllers/history.ts';

const T0 = '2025-01-01T00:00:00Z';

function node(name: string, extra: { labels?: Record<string, string>; taints?: any[] } = {}): KubeObject {
  return { apiVersion: 'v1', kind: 'Node', metadata: { name, labels: { 'kubernetes.io/hostname': name, ...(extra.labels ?? {}) } }, spec: { taints: extra.taints } };
}

function daemonSet(spec: Record<string, any> = {}, podSpec: Record<string, any> = {}): KubeObject {
  return {
    apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'ds', namespace: 'default', uid: 'u1', generation: 1 },
    spec: {
      selector: { matchLabels: { app: 'ds' } }, updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 1, maxSurge: 0 } },
      template: { metadata: { labels: { app: 'ds' } }, spec: { containers: [{ name: 'c', image: 'nginx' }], ...podSpec } },
      ...spec,
    },
  };
}

function pod(name: string, nodeName: string, hash: string, opts: { ready?: boolean; phase?: string; created?: string; deleting?: boolean } = {}): KubeObject {
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', labels: { app: 'ds', 'controller-revision-hash': hash }, creationTimestamp: opts.created ?? T0, deletionTimestamp: opts.deleting ? T0 : undefined },
    spec: { nodeName },
    status: { phase: opts.phase ?? 'Running', conditions: [{ type: 'Ready', status: opts.ready === false ? 'False' : 'True', lastTransitionTime: T0 }] },
  };
}

describe('ControllerRevision helpers (controller_history.go)', () => {
  it('hashes with FNV and encodes the decimal sum with the safe alphabet, as rand.SafeEncodeString', () => {
    // FNV-1 / FNV-1a 32-bit reference vectors for "a".
    const a = new TextEncoder().encode('a');
    expect(fnv32(a)).toBe(0x050c5d7e);
    expect(fnv32a(a)).toBe(0xe40c292c);
    // '0'..'9' map to "4 5 6 7 8 9 b c d f".
    expect(safeEncodeString('0123456789')).toBe('456789bcdf');
    const t1 = { metadata: { labels: { app: 'x' } }, spec: { containers: [{ name: 'c', image: 'nginx' }] } };
    const t2 = { spec: { containers: [{ image: 'nginx', name: 'c' }] }, metadata: { labels: { app: 'x' } } };
    expect(computeHash(t1)).toMatch(/^[bcdfghjklmnpqrstvwxz2456789]+$/);
    expect(computeHash(t1)).toBe(computeHash(t2));
    expect(computeHash(t1, 1)).not.toBe(computeHash(t1));
    expect(controllerRevisionName('x'.repeat(300), 'abc')).toHaveLength(223 + 4);
  });

  it('NewControllerRevision names the revision <parent>-<hash> and labels it with the hash; equal data means equal revisions', () => {
    const parent = { apiVersion: 'apps/v1', kind: 'StatefulSet', metadata: { name: 'web', namespace: 'default', uid: 'p1' } } as KubeObject;
    const r1 = newControllerRevision(parent, { app: 'web' }, { spec: { template: { a: 1 } } }, 1);
    const r2 = newControllerRevision(parent, { app: 'web' }, { spec: { template: { a: 1 } } }, 2);
    expect(r1.metadata.name).toBe(`web-${r1.metadata.labels!['controller.kubernetes.io/hash']}`);
    expect(r1.metadata.ownerReferences).toMatchObject([{ kind: 'StatefulSet', uid: 'p1', controller: true }]);
    expect(equalRevision(r1, r2)).toBe(true);
    expect(equalRevision(r1, newControllerRevision(parent, {}, { spec: { template: { a: 2 } } }, 3))).toBe(false);
    expect(newControllerRevision(parent, {}, { x: 1 }, 1, 1).metadata.name).not.toBe(newControllerRevision(parent, {}, { x: 1 }, 1).metadata.name);
    const sorted = sortControllerRevisions([{ ...r2, metadata: { ...r2.metadata, name: 'b' } }, { ...r1, metadata: { ...r1.metadata, name: 'a' } }]);
    expect(sorted.map((r) => r.revision)).toEqual([1, 2]);
  });

  it('a DaemonSet revision stores a patch that replaces the template, and matches only that template', () => {
    const ds = daemonSet();
    expect(getPatch(ds)).toEqual({ spec: { template: { ...ds.spec.template, $patch: 'replace' } } });
    expect(matchRevision(ds, { metadata: {}, data: getPatch(ds) } as unknown as KubeObject)).toBe(true);
    const changed = daemonSet({}, { containers: [{ name: 'c', image: 'nginx:2' }] });
    expect(matchRevision(changed, { metadata: {}, data: getPatch(ds) } as unknown as KubeObject)).toBe(false);
  });

  it('cleanupHistory keeps revisionHistoryLimit old revisions and never one a live pod uses', () => {
    const rev = (n: number) => ({ metadata: { name: `r${n}`, labels: { 'controller-revision-hash': `h${n}` } }, revision: n }) as unknown as KubeObject;
    const old = [rev(3), rev(1), rev(2), rev(4)];
    expect(revisionsToDelete(old, [pod('p', 'n1', 'h1')], 2).map((r) => r.metadata.name)).toEqual(['r2', 'r3']);
    expect(revisionsToDelete(old, [], 10)).toEqual([]);
  });
});

describe('daemon pod template (daemonset_util.go)', () => {
  it('adds the daemon tolerations, replacing a matching one the template set; network-unavailable only with hostNetwork', () => {
    const spec: any = { tolerations: [{ key: 'node.kubernetes.io/not-ready', operator: 'Exists', effect: 'NoExecute', tolerationSeconds: 60 }] };
    addOrUpdateDaemonPodTolerations(spec);
    expect(spec.tolerations.map((t: any) => `${t.key}:${t.effect}:${t.tolerationSeconds ?? '-'}`)).toEqual([
      'node.kubernetes.io/not-ready:NoExecute:-', 'node.kubernetes.io/unreachable:NoExecute:-', 'node.kubernetes.io/disk-pressure:NoSchedule:-',
      'node.kubernetes.io/memory-pressure:NoSchedule:-', 'node.kubernetes.io/pid-pressure:NoSchedule:-', 'node.kubernetes.io/unschedulable:NoSchedule:-',
    ]);
    const host: any = { hostNetwork: true };
    addOrUpdateDaemonPodTolerations(host);
    expect(host.tolerations.map((t: any) => t.key)).toContain('node.kubernetes.io/network-unavailable');
  });

  it('labels pods with controller-revision-hash, and pod-template-generation when the DaemonSet carries the template generation', () => {
    const t = createPodTemplate(daemonSet().spec.template, 3, 'abc');
    expect(t.metadata.labels).toEqual({ app: 'ds', 'pod-template-generation': '3', 'controller-revision-hash': 'abc' });
    expect(createPodTemplate(daemonSet().spec.template, undefined, 'abc').metadata.labels).toEqual({ app: 'ds', 'controller-revision-hash': 'abc' });
    const p = pod('p', 'n1', 'old');
    p.metadata.labels!['pod-template-generation'] = '3';
    expect(isPodUpdated(p, 'new', 3)).toBe(true);
    expect(isPodUpdated(p, 'new', 4)).toBe(false);
    expect(isPodUpdated(pod('p', 'n1', 'new'), 'new', undefined)).toBe(true);
  });

  it('pins the pod to its node with matchFields metadata.name, replacing required terms and keeping preferred ones', () => {
    const affinity = {
      nodeAffinity: {
        requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'In', values: ['a'] }] }] },
        preferredDuringSchedulingIgnoredDuringExecution: [{ weight: 1, preference: { matchExpressions: [{ key: 'ssd', operator: 'Exists' }] } }],
      },
    };
    const out = replaceDaemonSetPodNodeNameNodeAffinity(affinity, 'node-7');
    expect(out.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms).toEqual([{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-7'] }] }]);
    expect(out.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution).toEqual(affinity.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution);
    expect(affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms[0].matchExpressions).toBeDefined();
    expect(getTargetNodeName({ metadata: {}, spec: { affinity: out } } as KubeObject)).toBe('node-7');
    expect(getTargetNodeName({ metadata: {}, spec: { nodeName: 'n', affinity: out } } as KubeObject)).toBe('n');
  });
});

describe('NodeShouldRunDaemonPod and podsShouldBeOnNode (daemon_controller.go)', () => {
  it('an untolerated NoSchedule taint stops new pods but keeps a running one; NoExecute removes it; selectors must match', () => {
    const ds = daemonSet({}, { nodeSelector: { role: 'edge' } });
    expect(nodeShouldRunDaemonPod(node('a', { labels: { role: 'edge' } }), ds)).toEqual({ shouldRun: true, shouldContinueRunning: true });
    expect(nodeShouldRunDaemonPod(node('b'), ds)).toEqual({ shouldRun: false, shouldContinueRunning: false });
    const noSchedule = node('c', { labels: { role: 'edge' }, taints: [{ key: 'k', effect: 'NoSchedule' }] });
    expect(nodeShouldRunDaemonPod(noSchedule, ds)).toEqual({ shouldRun: false, shouldContinueRunning: true });
    const noExecute = node('d', { labels: { role: 'edge' }, taints: [{ key: 'k', effect: 'NoExecute' }] });
    expect(nodeShouldRunDaemonPod(noExecute, ds)).toEqual({ shouldRun: false, shouldContinueRunning: false });
    // The daemon tolerations: cordoned and unreachable nodes still run daemon pods.
    const cordoned = node('e', { labels: { role: 'edge' }, taints: [{ key: 'node.kubernetes.io/unschedulable', effect: 'NoSchedule' }, { key: 'node.kubernetes.io/unreachable', effect: 'NoExecute' }] });
    expect(nodeShouldRunDaemonPod(cordoned, ds).shouldRun).toBe(true);
    // A new node's not-ready:NoSchedule taint is not tolerated (only NoExecute is).
    expect(nodeShouldRunDaemonPod(node('f', { labels: { role: 'edge' }, taints: [{ key: 'node.kubernetes.io/not-ready', effect: 'NoSchedule' }] }), ds))
      .toEqual({ shouldRun: false, shouldContinueRunning: true });
  });

  it('without surge only the oldest of two running pods on a node stays; a failed pod is killed once per back-off', () => {
    const ds = daemonSet();
    const map = new Map([['n1', [pod('young', 'n1', 'h', { created: '2025-01-01T00:01:00Z' }), pod('old', 'n1', 'h')]]]);
    const backoff = new FailedPodsBackoff();
    expect(podsShouldBeOnNode(node('n1'), map, ds, 'h', backoff, 0).podsToDelete).toEqual(['young']);
    const failed = new Map([['n1', [pod('f', 'n1', 'h', { phase: 'Failed' })]]]);
    const first = podsShouldBeOnNode(node('n1'), failed, ds, 'h', backoff, 10_000);
    expect(first.podsToDelete).toEqual(['f']);
    expect(first.events).toEqual([{ type: 'Warning', reason: 'FailedDaemonPod', message: 'Found failed daemon pod default/f on node n1, will try to kill it' }]);
    const again = podsShouldBeOnNode(node('n1'), failed, ds, 'h', backoff, 10_500);
    expect(again.podsToDelete).toEqual([]);
    expect(again.requeueAfter).toBe(1000);
    expect(podsShouldBeOnNode(node('n1'), failed, ds, 'h', backoff, 11_000).podsToDelete).toEqual(['f']);
    expect(podsShouldBeOnNode(node('n2'), failed, ds, 'h', backoff, 11_000).nodesNeedingDaemonPods).toEqual(['n2']);
  });

  it('the failed-pods back-off doubles from 1 s to at most 15 min and starts over after 30 min of quiet', () => {
    const b = new FailedPodsBackoff(1_000, 15 * 60_000);
    const delays: number[] = [];
    let t = 0;
    for (let i = 0; i < 12; i++) {
      b.next('k', t);
      delays.push(b.get('k'));
      t += 1;
    }
    expect(delays.slice(0, 4)).toEqual([1000, 2000, 4000, 8000]);
    expect(delays[11]).toBe(900_000);
    expect(b.isInBackOffSinceUpdate('k', t + 899_000)).toBe(true);
    b.next('k', t + 30 * 60_000 + 1);
    expect(b.get('k')).toBe(1000);
  });
});

describe('rollingUpdate (update.go)', () => {
  const nodes = ['node-1', 'node-2', 'node-3'].map((n) => node(n));
  const byName = new Map(nodes.map((n) => [n.metadata.name!, n]));

  it('maxUnavailable 1 on 3 nodes: the first sync deletes one old pod; while it is replaced nothing else goes', () => {
    const ds = daemonSet();
    const all = new Map(nodes.map((n) => [n.metadata.name!, [pod(`old-${n.metadata.name}`, n.metadata.name!, 'old')]]));
    expect(rollingUpdate(ds, nodes, all, 'new', 0, byName)).toMatchObject({ podsToDelete: ['old-node-1'], nodesToCreate: [], maxUnavailable: 1 });
    // node-1's old pod is gone, its new pod not yet available: counts as the one unavailable.
    const mid = new Map([['node-1', [pod('new-1', 'node-1', 'new', { ready: false })]], ['node-2', [pod('old-node-2', 'node-2', 'old')]], ['node-3', [pod('old-node-3', 'node-3', 'old')]]]);
    expect(rollingUpdate(ds, nodes, mid, 'new', 0, byName)).toMatchObject({ podsToDelete: [], numUnavailable: 1 });
    // An old pod that is not available is always replaced.
    const sick = new Map([...mid, ['node-3', [pod('old-node-3', 'node-3', 'old', { ready: false })]]]);
    expect(rollingUpdate(ds, nodes, sick, 'new', 0, byName)).toMatchObject({ podsToDelete: ['old-node-3'] });
  });

  it('maxUnavailable 50% of 3 nodes rounds up to 2; 0 and 0 falls back to 1', () => {
    expect(getScaledValueFromIntOrPercent('50%', 3, true)).toBe(2);
    expect(getScaledValueFromIntOrPercent('25%', 3, false)).toBe(0);
    const ds = daemonSet({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: '50%', maxSurge: 0 } } });
    const all = new Map(nodes.map((n) => [n.metadata.name!, [pod(`old-${n.metadata.name}`, n.metadata.name!, 'old')]]));
    expect(rollingUpdate(ds, nodes, all, 'new', 0, byName)).toMatchObject({ podsToDelete: ['old-node-1', 'old-node-2'], maxUnavailable: 2 });
    const zero = daemonSet({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 0 } } });
    expect(rollingUpdate(zero, nodes, all, 'new', 0, byName)).toMatchObject({ maxUnavailable: 1 });
  });

  it('maxSurge 1: a new pod goes beside one old pod; the old pod goes once the new one is available', () => {
    const ds = daemonSet({ updateStrategy: { type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } } });
    const all = new Map(nodes.map((n) => [n.metadata.name!, [pod(`old-${n.metadata.name}`, n.metadata.name!, 'old')]]));
    expect(rollingUpdate(ds, nodes, all, 'new', 0, byName)).toMatchObject({ podsToDelete: [], nodesToCreate: ['node-1'] });
    const surging = new Map([...all, ['node-1', [pod('old-node-1', 'node-1', 'old'), pod('new-1', 'node-1', 'new', { ready: false })]]]);
    expect(rollingUpdate(ds, nodes, surging, 'new', 0, byName)).toMatchObject({ podsToDelete: [], nodesToCreate: [] });
    const ready = new Map([...all, ['node-1', [pod('old-node-1', 'node-1', 'old'), pod('new-1', 'node-1', 'new')]]]);
    expect(rollingUpdate(ds, nodes, ready, 'new', 0, byName)).toMatchObject({ podsToDelete: ['old-node-1'], nodesToCreate: ['node-2'] });
  });
});

describe('DaemonSet status counts (updateDaemonSetStatus)', () => {
  it('counts desired, current, ready, available, updated, misscheduled and unavailable per node', () => {
    const ds = daemonSet({ minReadySeconds: 30 }, { nodeSelector: { role: 'edge' } });
    const nodes = [node('a', { labels: { role: 'edge' } }), node('b', { labels: { role: 'edge' } }), node('c', { labels: { role: 'edge' } }), node('d')];
    const map = new Map([
      ['a', [pod('pa', 'a', 'new')]],
      ['b', [pod('pb', 'b', 'old', { ready: false })]],
      ['d', [pod('pd', 'd', 'new')]],
    ]);
    // 60 s after T0: pa has been Ready for 60 s ≥ minReadySeconds.
    expect(calculateStatus(ds, nodes, map, 'new', 60_000)).toEqual({
      desiredNumberScheduled: 3, currentNumberScheduled: 2, numberMisscheduled: 1, numberReady: 1,
      updatedNumberScheduled: 1, numberAvailable: 1, numberUnavailable: 2,
    });
    // 10 s after T0 pa is Ready but not yet available.
    expect(calculateStatus(ds, nodes, map, 'new', 10_000)).toMatchObject({ numberReady: 1, numberAvailable: 0, numberUnavailable: 3 });
  });
});
