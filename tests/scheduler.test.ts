// kube-scheduler: placement, FailedScheduling messages, the scheduling queue, preemption,
// topology spread and inter-pod anti-affinity, end to end on the virtual clock (seed 1).
// Nodes are created as Node objects (no kubelets run here). Replay: same seed, same trace.
import { describe, expect, it } from 'vitest';
import { createCluster, type Cluster } from '../cluster/cluster.ts';
import type { KubeObject } from '../api/types.ts';
import type { Scheduler } from '../actors/scheduler/scheduler.ts';
import { CYCLES_PER_TURN, explainPlacement, filterResults } from '../actors/scheduler/scheduler.ts';
import { registerPriorityAdmission } from '../api/admission-priority.ts';
import { VerdictLog } from '../actors/scheduler/explain.ts';

interface NodeOpts {
  cpu?: string;
  memory?: string;
  pods?: string;
  labels?: Record<string, string>;
  taints?: Array<{ key: string; value?: string; effect: string }>;
  unschedulable?: boolean;
  images?: Array<{ names: string[]; sizeBytes: number }>;
}

function node(name: string, o: NodeOpts = {}): KubeObject {
  const resources = { cpu: o.cpu ?? '4', memory: o.memory ?? '16Gi', pods: o.pods ?? '110', 'ephemeral-storage': '100Gi' };
  return {
    apiVersion: 'v1', kind: 'Node',
    metadata: { name, labels: { 'kubernetes.io/hostname': name, 'kubernetes.io/os': 'linux', ...(o.labels ?? {}) } },
    spec: { ...(o.taints ? { taints: o.taints } : {}), ...(o.unschedulable ? { unschedulable: true } : {}) },
    status: {
      capacity: resources, allocatable: resources,
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status' }],
      ...(o.images ? { images: o.images } : {}),
    },
  };
}

interface PodOpts {
  cpu?: string;
  memory?: string;
  labels?: Record<string, string>;
  priority?: number;
  priorityClassName?: string;
  preemptionPolicy?: string;
  nodeName?: string;
  nodeSelector?: Record<string, string>;
  tolerations?: unknown[];
  affinity?: unknown;
  topologySpreadConstraints?: unknown[];
  hostPort?: number;
  image?: string;
  schedulingGates?: unknown[];
}

function pod(name: string, o: PodOpts = {}): KubeObject {
  const requests: Record<string, string> = {};
  if (o.cpu) requests.cpu = o.cpu;
  if (o.memory) requests.memory = o.memory;
  const spec: Record<string, unknown> = {
    containers: [{
      name: 'app', image: o.image ?? 'nginx:1.27', resources: Object.keys(requests).length ? { requests } : {},
      ...(o.hostPort ? { ports: [{ containerPort: 80, hostPort: o.hostPort }] } : {}),
    }],
  };
  // The Priority admission plugin computes spec.priority from a PriorityClass (a raw value is refused).
  if (o.priority !== undefined && o.priorityClassName === undefined) o = { ...o, priorityClassName: `prio-${o.priority}`, priority: undefined };
  for (const k of ['priority', 'priorityClassName', 'preemptionPolicy', 'nodeName', 'nodeSelector', 'tolerations', 'affinity', 'topologySpreadConstraints', 'schedulingGates'] as const) {
    if (o[k] !== undefined) spec[k] = o[k];
  }
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', labels: o.labels ?? {} }, spec };
}

/** PriorityClasses prio-<value> for the pods built with `priority`. */
function priorityClasses(c: Cluster, ...values: number[]): void {
  for (const value of values) c.create({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: `prio-${value}` }, value });
}

/** Where each named pod was bound ('' when pending). */
function placement(c: Cluster, names: string[]): Record<string, string> {
  return Object.fromEntries(names.map((n) => [n, c.get('pod', n, 'default').spec.nodeName ?? '']));
}

/** Messages of the events about one object with the given reason, oldest first. */
function eventMessages(c: Cluster, name: string, reason: string): string[] {
  return c.events().filter((e) => e.involvedObject.name === name && e.reason === reason).map((e) => e.message);
}

function scheduler(c: Cluster): Scheduler {
  return c.runtime.logicOf('kube-scheduler') as Scheduler;
}

const CONTROL_PLANE_TAINT = { key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' };

async function clusterWith(nodes: KubeObject[], opts: { trace?: boolean } = {}): Promise<Cluster> {
  const c = await createCluster({ nodes: 0, seed: 1, trace: opts.trace });
  for (const n of nodes) c.create(n);
  await c.runFor('1s');
  return c;
}

function failedScheduling(c: Cluster, name: string): string | undefined {
  return eventMessages(c, name, 'FailedScheduling').at(-1);
}

describe('kube-scheduler placement', () => {
  it('binds a pod to a node and records Scheduled "Successfully assigned default/web to <node>"', async () => {
    // k8s-facts §16 (default-scheduler Scheduled); pkg/scheduler/schedule_one.go finishBinding.
    const c = await clusterWith([node('n1')]);
    c.create(pod('web', { cpu: '100m' }));
    await c.runFor('5s');
    const p = c.get('pod', 'web', 'default');
    expect(p.spec.nodeName).toBe('n1');
    expect(p.status.conditions.find((x: any) => x.type === 'PodScheduled')).toMatchObject({ status: 'True' });
    const ev = c.events().find((e) => e.reason === 'Scheduled')!;
    // Written through events.k8s.io/v1 (tools/events), as core/v1 shows it: reportingComponent, not source.
    expect(ev).toMatchObject({
      type: 'Normal', message: 'Successfully assigned default/web to n1', action: 'Binding', source: {}, firstTimestamp: null, lastTimestamp: null,
      eventTime: expect.stringMatching(/^2025-01-01T00:00:0\d\.\d{6}Z$/), reportingComponent: 'default-scheduler', reportingInstance: 'default-scheduler-kubesim-control-plane',
    });
    expect(ev.count).toBeUndefined();
  });

  it('spreads equal pods across equal nodes (LeastAllocated) and stops when cpu runs out', async () => {
    // k8s-facts §8.1: NodeResourcesFit LeastAllocated score; §7.8 requests.
    const c = await clusterWith([node('n1', { cpu: '2' }), node('n2', { cpu: '2' }), node('n3', { cpu: '2' })]);
    const names = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6', 'p7'];
    for (const n of names) c.create(pod(n, { cpu: '1' }));
    await c.runFor('5s');
    const where = placement(c, names);
    const perNode: Record<string, number> = {};
    for (const n of Object.values(where)) if (n) perNode[n] = (perNode[n] ?? 0) + 1;
    expect(perNode).toEqual({ n1: 2, n2: 2, n3: 2 });
    expect(where.p7).toBe('');
    expect(failedScheduling(c, 'p7')).toBe('0/3 nodes are available: 3 Insufficient cpu. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.');
  });

  it('keeps its own assumed pods in account: the first pods fill a node before the informer confirms them', async () => {
    // pkg/scheduler/backend/cache: AssumePod counts a pod on its node before the binding is observed.
    const c = await clusterWith([node('n1', { cpu: '1' })]);
    for (const n of ['a', 'b', 'c']) c.create(pod(n, { cpu: '500m' }));
    await c.runFor('5s');
    expect(Object.values(placement(c, ['a', 'b', 'c'])).filter(Boolean)).toHaveLength(2);
  });

  it('runs up to 128 scheduling cycles a turn, each counting the pods the cycles before it placed', async () => {
    // 300 pods wait with no node; two nodes of 10 pods' cpu each arrive, and every pod is active
    // at once: turns of at most 128 cycles, and from the 21st pod on both nodes are full although
    // no binding is confirmed yet.
    const c = await clusterWith([], { trace: true });
    const names = Array.from({ length: 300 }, (_, i) => `p${i}`);
    for (const n of names) c.create(pod(n, { cpu: '400m' }));
    await c.runFor('30s');
    const from = c.traceLines().length;
    c.create(node('n1', { cpu: '4' }));
    c.create(node('n2', { cpu: '4' }));
    await c.runFor('15s');
    // Cycles per turn: the scheduler's decisions logged between deliveries to it.
    const perTurn: number[] = [];
    for (const r of c.traceLines().slice(from).map((l) => JSON.parse(l))) {
      if (r.kind === 'deliver' && r.to === 'kube-scheduler') perTurn.push(0);
      else if (r.kind === 'log' && r.actor === 'kube-scheduler' && r.what === 'scheduling-decision') perTurn[perTurn.length - 1]++;
    }
    expect(Math.max(...perTurn)).toBe(CYCLES_PER_TURN);
    expect(CYCLES_PER_TURN).toBe(128);
    expect(perTurn.reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual(300);
    const where = Object.values(placement(c, names));
    expect(where.filter((n) => n === 'n1')).toHaveLength(10);
    expect(where.filter((n) => n === 'n2')).toHaveLength(10);
    expect(where.filter((n) => n === '')).toHaveLength(280);
  });

  it('prefers the node that already has the image (ImageLocality)', async () => {
    // pkg/scheduler/framework/plugins/imagelocality: image size × spread, weight 1.
    const big = { names: ['docker.io/library/bigapp:1.0'], sizeBytes: 800 * 1024 * 1024 };
    const c = await clusterWith([node('n1'), node('n2', { images: [big] }), node('n3')]);
    c.create(pod('app', { image: 'bigapp:1.0', cpu: '100m' }));
    await c.runFor('5s');
    expect(c.get('pod', 'app', 'default').spec.nodeName).toBe('n2');
  });

  it('scores image locality from the nodes as they are now: an image gone, a node removed and another added', async () => {
    const big = { names: ['docker.io/library/bigapp:1.0'], sizeBytes: 800 * 1024 * 1024 };
    const c = await clusterWith([node('n1'), node('n2', { images: [big] }), node('n3'), node('n5', { images: [big] })]);
    const imageScore = (name: string, at: string): number => {
      const d = scheduler(c).decision(`default/${name}`)!;
      const k = d.scorePlugins.findIndex((p) => p.name === 'ImageLocality');
      return d.nodes.find((v) => v.node === at)!.scores![k];
    };
    c.create(pod('first', { image: 'bigapp:1.0', cpu: '100m' }));
    await c.runFor('2s');
    expect(imageScore('first', 'n2')).toBeGreaterThan(0);
    expect(imageScore('first', 'n1')).toBe(0);
    // n2 goes with its pod (n4 takes its place in the scheduler's cache, without the image); n3 pulls the image.
    c.delete('pod', 'first', { namespace: 'default', gracePeriodSeconds: 0 });
    c.delete('node', 'n2');
    c.create(node('n4'));
    c.patch('node', 'n3', { status: { images: [big] } }, { type: 'merge', subresource: 'status' });
    await c.runFor('2s');
    c.create(pod('second', { image: 'bigapp:1.0', cpu: '100m' }));
    await c.runFor('2s');
    expect(['n3', 'n5']).toContain(c.get('pod', 'second', 'default').spec.nodeName);
    expect(imageScore('second', 'n4')).toBe(0);
    expect(imageScore('second', 'n1')).toBe(0);
    // Two of four nodes have the image, as before: the same score.
    expect(imageScore('second', 'n3')).toBe(imageScore('first', 'n2'));
    expect(imageScore('second', 'n5')).toBe(imageScore('first', 'n2'));
  });
});

describe('FailedScheduling events as tools/events records them (series)', () => {
  // client-go tools/events event_broadcaster.go: the isomorphic key leaves the note out and keeps
  // the pod reference's resourceVersion; the second occurrence patches series {count: 2}, later
  // ones are written by refreshExistingEventSeries (every 30 min) and finishSeries (quiet 6 min).
  it('a pod retried every 5 min: one Event, then a series written at its 2nd occurrence, every 30 min and when it ends', async () => {
    // A node with its kubelet (it stays Ready, so every attempt fails for the same reason).
    const c = await createCluster({ seed: 1, nodes: 1, nodeCpu: '1' });
    c.create(pod('big', { cpu: '2' }));
    const failed = () => c.events().filter((e) => e.involvedObject.name === 'big' && e.reason === 'FailedScheduling');
    const attempts = () => scheduler(c).decision('default/big')!.attempt;
    await c.runFor('1m');
    // The first attempt saw the pod before its PodScheduled=False write: its own resourceVersion, its own Event.
    expect(failed()).toHaveLength(1);
    expect(failed()[0].series).toBeUndefined();
    await c.runFor('10m');
    const [first, series] = failed();
    expect(failed()).toHaveLength(2);
    expect(first.involvedObject.resourceVersion).not.toBe(series.involvedObject.resourceVersion);
    expect(series.series).toMatchObject({ count: 2 });
    expect(series.message).toBe(first.message);
    // Later occurrences are counted in the recorder, not written.
    await c.runFor('17m');
    expect(attempts()).toBeGreaterThan(4);
    expect(failed()[1].series.count).toBe(2);
    // refreshExistingEventSeries at 30 min writes the count (every attempt after the first).
    await c.runFor('3m');
    const n = attempts();
    expect(failed()[1].series.count).toBe(n - 1);
    // A node that fits: the series goes quiet, and finishSeries writes its last count.
    await c.runFor('2m');
    const last = attempts();
    expect(last).toBeGreaterThan(n);
    const large = c.addNode({ cpu: '4' });
    await c.runFor('14m');
    expect(c.get('pod', 'big', 'default').spec.nodeName).toBe(large);
    expect(failed()).toHaveLength(2);
    expect(failed()[1].series.count).toBe(last - 1);
    expect(Date.parse(failed()[1].series.lastObservedTime)).toBeGreaterThan(Date.parse(failed()[1].eventTime));
  });
});

describe('FailedScheduling messages (FitError.Error)', () => {
  it('counts and sorts reasons: 1 untolerated control-plane taint, 2 Insufficient cpu, then the preemption summary', async () => {
    // pkg/scheduler/framework/types.go FitError.Error; preemption.go "Preemption is not helpful for scheduling".
    const c = await clusterWith([
      node('cp', { cpu: '4', taints: [CONTROL_PLANE_TAINT] }), node('w1', { cpu: '1' }), node('w2', { cpu: '1' }),
    ]);
    c.create(pod('big', { cpu: '2' }));
    await c.runFor('5s');
    const msg = '0/3 nodes are available: 1 node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.';
    expect(failedScheduling(c, 'big')).toBe(msg);
    const cond = c.get('pod', 'big', 'default').status.conditions.find((x: any) => x.type === 'PodScheduled');
    expect(cond).toMatchObject({ status: 'False', reason: 'Unschedulable', message: msg });
    expect(c.events().find((e) => e.reason === 'FailedScheduling')).toMatchObject({ type: 'Warning', action: 'Scheduling', reportingComponent: 'default-scheduler' });
  });

  it('reports Insufficient memory', async () => {
    // pkg/scheduler/framework/plugins/noderesources/fit.go fitsRequest.
    const c = await clusterWith([node('n1', { memory: '1Gi' })]);
    c.create(pod('m', { memory: '2Gi' }));
    await c.runFor('5s');
    expect(failedScheduling(c, 'm')).toBe('0/1 nodes are available: 1 Insufficient memory. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.');
  });

  it('lists every insufficient resource of a node: 2 Insufficient cpu, 2 Insufficient memory', async () => {
    // fit.go keeps all failure reasons of a node; the histogram counts each.
    const c = await clusterWith([node('n1', { cpu: '1', memory: '1Gi' }), node('n2', { cpu: '1', memory: '1Gi' })]);
    c.create(pod('huge', { cpu: '2', memory: '2Gi' }));
    await c.runFor('5s');
    expect(failedScheduling(c, 'huge')).toBe('0/2 nodes are available: 2 Insufficient cpu, 2 Insufficient memory. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.');
  });

  it('reports Too many pods when the node is at its pods allocatable', async () => {
    // fit.go: len(nodeInfo.Pods)+1 > allocatable pods → "Too many pods".
    const c = await clusterWith([node('n1', { pods: '1' })]);
    c.create(pod('first'));
    await c.runFor('2s');
    c.create(pod('second'));
    await c.runFor('5s');
    expect(c.get('pod', 'first', 'default').spec.nodeName).toBe('n1');
    expect(failedScheduling(c, 'second')).toBe('0/1 nodes are available: 1 Too many pods. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.');
  });

  it("reports node(s) didn't match Pod's node affinity/selector", async () => {
    // pkg/scheduler/framework/plugins/nodeaffinity ErrReasonPod.
    const c = await clusterWith([node('n1', { labels: { disk: 'hdd' } }), node('n2')]);
    c.create(pod('ssd', { nodeSelector: { disk: 'ssd' } }));
    await c.runFor('5s');
    expect(failedScheduling(c, 'ssd')).toBe("0/2 nodes are available: 2 node(s) didn't match Pod's node affinity/selector. preemption: 0/2 nodes are available: 2 Preemption is not helpful for scheduling.");
  });

  it('reports node(s) were unschedulable for a cordoned node', async () => {
    // pkg/scheduler/framework/plugins/nodeunschedulable ErrReasonUnschedulable; kubectl cordon.
    const c = await clusterWith([node('n1', { unschedulable: true })]);
    c.create(pod('p'));
    await c.runFor('5s');
    expect(failedScheduling(c, 'p')).toBe('0/1 nodes are available: 1 node(s) were unschedulable. preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.');
  });

  it('sorts mixed reasons as strings and counts each node once per reason', async () => {
    // FitError.Error: reasons histogram "<count> <reason>", sort.Strings.
    const c = await clusterWith([
      node('a', { unschedulable: true }), node('b', { taints: [{ key: 'dedicated', value: 'gpu', effect: 'NoSchedule' }] }),
      node('c', { labels: { zone: 'x' } }), node('d', { cpu: '1' }), node('e', { cpu: '1' }),
    ]);
    c.create(pod('p', { cpu: '2', affinity: { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'zone', operator: 'DoesNotExist' }] }] } } } }));
    await c.runFor('5s');
    expect(failedScheduling(c, 'p')).toBe(
      "0/5 nodes are available: 1 node(s) didn't match Pod's node affinity/selector, 1 node(s) had untolerated taint {dedicated: gpu}, 1 node(s) were unschedulable, 2 Insufficient cpu. preemption: 0/5 nodes are available: 2 No preemption victims found for incoming pod, 3 Preemption is not helpful for scheduling.",
    );
  });

  it('says "no nodes available to schedule pods" when the cluster has no nodes', async () => {
    // pkg/scheduler/schedule_one.go ErrNoNodesAvailable.
    const c = await clusterWith([]);
    c.create(pod('lonely'));
    await c.runFor('3s');
    expect(failedScheduling(c, 'lonely')).toBe('no nodes available to schedule pods');
    expect(c.get('pod', 'lonely', 'default').status.conditions.find((x: any) => x.type === 'PodScheduled')).toMatchObject({ status: 'False', reason: 'Unschedulable', message: 'no nodes available to schedule pods' });
  });
});

describe('scheduling queue', () => {
  it('a pending pod is scheduled when a node is added (unschedulable pods are moved on NodeAdd)', async () => {
    // k8s-facts §8.3; scheduling_queue.go MoveAllToActiveOrBackoffQueue on NodeAdd.
    const c = await clusterWith([node('small', { cpu: '1' })]);
    c.create(pod('p', { cpu: '2' }));
    await c.runFor('10s');
    expect(c.get('pod', 'p', 'default').spec.nodeName).toBeUndefined();
    c.create(node('large', { cpu: '8' }));
    await c.runFor('2s');
    expect(c.get('pod', 'p', 'default').spec.nodeName).toBe('large');
    expect(eventMessages(c, 'p', 'Scheduled')).toEqual(['Successfully assigned default/p to large']);
  });

  it('retries a pod that keeps failing after 1 s, 2 s, 4 s, 8 s, then every 10 s (podInitialBackoff 1 s, podMaxBackoff 10 s)', async () => {
    // k8s-facts §8.3: backoff doubles per attempt from 1 s to 10 s; backoffQ is flushed every second.
    const c = await clusterWith([node('n1', { cpu: '1' })], { trace: true });
    const start = c.now();
    c.create(pod('big', { cpu: '100' }));
    // A relevant event (allocatable grows a little) every 200 ms moves the pod out of unschedulablePods.
    for (let i = 1; c.now() - start < 37_000; i++) {
      c.patch('node', 'n1', { status: { allocatable: { cpu: `${1000 + i}m` } } }, { type: 'merge', subresource: 'status' });
      await c.runFor('200ms');
    }
    const attempts = c.traceLines().map((l) => JSON.parse(l)).filter((r) => r.what === 'scheduling-decision' && r.pod === 'default/big').map((r) => r.t as number);
    const gaps = attempts.slice(1, 7).map((t, i) => t - attempts[i]);
    const expected = [1000, 2000, 4000, 8000, 10000, 10000];
    gaps.forEach((g, i) => {
      expect(g).toBeGreaterThanOrEqual(expected[i]);
      expect(g).toBeLessThan(expected[i] + 1000);
    });
  });

  it('a pod without new events waits in unschedulablePods, not in backoff', async () => {
    // scheduling_queue.go: rejected pods park until a cluster event or the 5-minute leftover flush.
    const c = await clusterWith([node('n1', { cpu: '1' })], { trace: true });
    c.create(pod('big', { cpu: '2' }));
    await c.runFor('4m');
    const attempts = c.traceLines().map((l) => JSON.parse(l)).filter((r) => r.what === 'scheduling-decision');
    expect(attempts).toHaveLength(1);
    await c.runFor('2m');
    const after = c.traceLines().map((l) => JSON.parse(l)).filter((r) => r.what === 'scheduling-decision');
    expect(after).toHaveLength(2);
    expect(after[1].t - after[0].t).toBeGreaterThan(5 * 60_000);
  });

  it('schedules higher spec.priority first (PrioritySort)', async () => {
    // k8s-facts §8.3: activeQ ordered by priority, then enqueue time.
    const c = await clusterWith([]);
    priorityClasses(c, 1, 100);
    c.create(pod('low', { cpu: '1', priority: 1 }));
    c.create(pod('high', { cpu: '1', priority: 100 }));
    await c.runFor('5s');
    c.create(node('n1', { cpu: '1' }));
    await c.runFor('3s');
    expect(placement(c, ['low', 'high'])).toEqual({ low: '', high: 'n1' });
  });

  it('keeps a pod with schedulingGates out of scheduling until the gates are removed', async () => {
    // k8s-facts §8.3: scheduling gates (PodSchedulingReadiness).
    const c = await clusterWith([node('n1')]);
    c.create(pod('gated', { schedulingGates: [{ name: 'example.com/wait' }] }));
    await c.runFor('5s');
    expect(c.get('pod', 'gated', 'default').spec.nodeName).toBeUndefined();
    expect(eventMessages(c, 'gated', 'FailedScheduling')).toEqual([]);
    c.patch('pod', 'gated', { spec: { schedulingGates: null } }, { type: 'merge', namespace: 'default' });
    await c.runFor('2s');
    expect(c.get('pod', 'gated', 'default').spec.nodeName).toBe('n1');
  });

  it('leaves pods of another scheduler alone', async () => {
    // schedulerName selects the profile; kube-scheduler only takes default-scheduler pods.
    const c = await clusterWith([node('n1')]);
    const p = pod('other');
    p.spec.schedulerName = 'my-scheduler';
    c.create(p);
    await c.runFor('5s');
    expect(c.get('pod', 'other', 'default').spec.nodeName).toBeUndefined();
  });
});

describe('priority and preemption', () => {
  it('preempts a lower-priority pod: DisruptionTarget, deletion, Preempted event, nominatedNodeName, then binds', async () => {
    // pkg/scheduler/framework/preemption/preemption.go PreemptPod; default_preemption.go SelectVictimsOnNode.
    const c = await clusterWith([node('n1', { cpu: '1' })]);
    registerPriorityAdmission((c as any).server);
    c.create({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'low' }, value: 10 });
    c.create({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'high' }, value: 1000 });
    c.create(pod('victim', { cpu: '800m', priorityClassName: 'low' }));
    await c.runFor('2s');
    expect(c.get('pod', 'victim', 'default').spec.nodeName).toBe('n1');
    const preemptor = c.create(pod('vip', { cpu: '500m', priorityClassName: 'high' }));
    await c.runFor('2s');
    const victim = c.get('pod', 'victim', 'default');
    expect(victim.metadata.deletionTimestamp).toBeDefined();
    expect(victim.status.conditions.find((x: any) => x.type === 'DisruptionTarget')).toMatchObject({
      status: 'True', reason: 'PreemptionByScheduler', message: 'default-scheduler: preempting to accommodate a higher priority pod',
    });
    expect(eventMessages(c, 'victim', 'Preempted')).toEqual([`Preempted by pod ${preemptor.metadata.uid} on node n1`]);
    const vip = c.get('pod', 'vip', 'default');
    expect(vip.status.nominatedNodeName).toBe('n1');
    expect(failedScheduling(c, 'vip')).toBe('0/1 nodes are available: 1 Insufficient cpu.');
    // The kubelet would finish the graceful deletion; here the pod is removed at once.
    c.delete('pod', 'victim', { namespace: 'default', gracePeriodSeconds: 0 });
    await c.runFor('3s');
    expect(c.get('pod', 'vip', 'default').spec.nodeName).toBe('n1');
  });

  it('picks the victims with the lowest priority and as few as needed', async () => {
    // default_preemption.go: reprieve the most important pods first; pickOneNodeForPreemption.
    const c = await clusterWith([node('n1', { cpu: '2' }), node('n2', { cpu: '2' })]);
    priorityClasses(c, 5, 20, 30, 50, 100);
    c.create(pod('a1', { cpu: '1', priority: 5, nodeName: 'n1' }));
    c.create(pod('a2', { cpu: '1', priority: 50, nodeName: 'n1' }));
    c.create(pod('b1', { cpu: '1', priority: 20, nodeName: 'n2' }));
    c.create(pod('b2', { cpu: '1', priority: 30, nodeName: 'n2' }));
    await c.runFor('1s');
    c.create(pod('urgent', { cpu: '1', priority: 100 }));
    await c.runFor('2s');
    // n1 needs only a1 (priority 5) evicted, n2 only b1 (priority 20): the lower highest-priority victim wins.
    expect(c.get('pod', 'urgent', 'default').status.nominatedNodeName).toBe('n1');
    const deleting = ['a1', 'a2', 'b1', 'b2'].filter((n) => c.get('pod', n, 'default').metadata.deletionTimestamp);
    expect(deleting).toEqual(['a1']);
  });

  it('does not preempt with preemptionPolicy Never', async () => {
    // default_preemption.go PodEligibleToPreemptOthers: "not eligible due to preemptionPolicy=Never."
    const c = await clusterWith([node('n1', { cpu: '1' })]);
    priorityClasses(c, 1, 100);
    c.create(pod('old', { cpu: '1', priority: 1, nodeName: 'n1' }));
    await c.runFor('1s');
    // preemptionPolicy comes from the PriorityClass (Priority admission).
    c.create({ apiVersion: 'scheduling.k8s.io/v1', kind: 'PriorityClass', metadata: { name: 'polite' }, value: 100, preemptionPolicy: 'Never' });
    c.create(pod('polite', { cpu: '1', priorityClassName: 'polite' }));
    await c.runFor('3s');
    expect(failedScheduling(c, 'polite')).toBe('0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.');
    expect(c.get('pod', 'old', 'default').metadata.deletionTimestamp).toBeUndefined();
  });
});

describe('topology spread and inter-pod affinity', () => {
  const zoneSpread = [{ maxSkew: 1, topologyKey: 'topology.kubernetes.io/zone', whenUnsatisfiable: 'DoNotSchedule', labelSelector: { matchLabels: { app: 'web' } } }];

  it('spreads pods evenly across zones with a DoNotSchedule constraint (maxSkew 1)', async () => {
    // D:concepts/scheduling-eviction/topology-spread-constraints; podtopologyspread/filtering.go.
    const zone = (z: string) => ({ labels: { 'topology.kubernetes.io/zone': z } });
    const c = await clusterWith([node('a1', zone('a')), node('a2', zone('a')), node('b1', zone('b')), node('c1', zone('c'))]);
    const names = ['w1', 'w2', 'w3', 'w4', 'w5', 'w6'];
    for (const n of names) c.create(pod(n, { cpu: '100m', labels: { app: 'web' }, topologySpreadConstraints: zoneSpread }));
    await c.runFor('5s');
    const perZone: Record<string, number> = {};
    for (const n of Object.values(placement(c, names))) perZone[n[0]] = (perZone[n[0]] ?? 0) + 1;
    expect(perZone).toEqual({ a: 2, b: 2, c: 2 });
  });

  it("rejects nodes that would exceed maxSkew: node(s) didn't match pod topology spread constraints", async () => {
    // podtopologyspread ErrReasonConstraintsNotMatch; the full zone is skew 2 > 1.
    const zone = (z: string) => ({ labels: { 'topology.kubernetes.io/zone': z } });
    const c = await clusterWith([node('a1', zone('a')), node('b1', { ...zone('b'), pods: '1' })]);
    c.create(pod('w1', { labels: { app: 'web' }, nodeName: 'b1' }));
    c.create(pod('w2', { labels: { app: 'web' }, nodeName: 'a1' }));
    c.create(pod('w3', { labels: { app: 'web' }, nodeName: 'a1' }));
    await c.runFor('1s');
    c.create(pod('w4', { labels: { app: 'web' }, topologySpreadConstraints: zoneSpread }));
    await c.runFor('5s');
    expect(failedScheduling(c, 'w4')).toBe("0/2 nodes are available: 1 Too many pods, 1 node(s) didn't match pod topology spread constraints. preemption: 0/2 nodes are available: 2 No preemption victims found for incoming pod.");
  });

  it('required pod anti-affinity by hostname puts each replica on its own node', async () => {
    // D:concepts/scheduling-eviction/assign-pod-node (inter-pod anti-affinity); interpodaffinity/filtering.go.
    const c = await clusterWith([node('n1'), node('n2'), node('n3')]);
    const anti = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'db' } }, topologyKey: 'kubernetes.io/hostname' }] } };
    const names = ['db1', 'db2', 'db3', 'db4'];
    for (const n of names) c.create(pod(n, { labels: { app: 'db' }, affinity: anti }));
    await c.runFor('5s');
    const where = placement(c, names);
    expect(new Set(Object.values(where).filter(Boolean)).size).toBe(3);
    const pending = names.find((n) => !where[n])!;
    expect(failedScheduling(c, pending)).toBe("0/3 nodes are available: 3 node(s) didn't match pod anti-affinity rules. preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.");
  });

  it("an existing pod's anti-affinity keeps matching pods off its node", async () => {
    // interpodaffinity ErrReasonExistingAntiAffinityRulesNotMatch (symmetry).
    const c = await clusterWith([node('n1')]);
    const anti = { podAntiAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { team: 'noisy' } }, topologyKey: 'kubernetes.io/hostname' }] } };
    c.create(pod('loner', { affinity: anti, nodeName: 'n1' }));
    await c.runFor('1s');
    c.create(pod('noisy', { labels: { team: 'noisy' } }));
    await c.runFor('3s');
    expect(failedScheduling(c, 'noisy')).toBe("0/1 nodes are available: 1 node(s) didn't satisfy existing pods anti-affinity rules. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.");
  });

  it("required pod affinity needs a matching pod in the domain: node(s) didn't match pod affinity rules", async () => {
    // interpodaffinity ErrReasonAffinityRulesNotMatch.
    const c = await clusterWith([node('n1'), node('n2')]);
    c.create(pod('cache', { labels: { app: 'cache' }, nodeName: 'n2' }));
    await c.runFor('1s');
    const aff = { podAffinity: { requiredDuringSchedulingIgnoredDuringExecution: [{ labelSelector: { matchLabels: { app: 'cache' } }, topologyKey: 'kubernetes.io/hostname' }] } };
    c.create(pod('near', { affinity: aff }));
    await c.runFor('3s');
    expect(c.get('pod', 'near', 'default').spec.nodeName).toBe('n2');
  });

  it("host ports conflict: node(s) didn't have free ports for the requested pod ports", async () => {
    // pkg/scheduler/framework/plugins/nodeports.
    const c = await clusterWith([node('n1')]);
    c.create(pod('p1', { hostPort: 8080 }));
    await c.runFor('2s');
    c.create(pod('p2', { hostPort: 8080 }));
    await c.runFor('3s');
    expect(failedScheduling(c, 'p2')).toBe("0/1 nodes are available: 1 node(s) didn't have free ports for the requested pod ports. preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.");
  });
});

describe('explainability', () => {
  it('keeps the last decision per pod with each filter result and score, and explains it in words', async () => {
    // The inspector reads Scheduler.snapshot().decisions; explainPlacement renders one.
    const c = await clusterWith([node('cp', { taints: [CONTROL_PLANE_TAINT] }), node('w1'), node('w2', { cpu: '8' })]);
    c.create(pod('web', { cpu: '1' }));
    await c.runFor('3s');
    const d = scheduler(c).decision('default/web')!;
    expect(d.outcome).toBe('Scheduled');
    expect(d.node).toBe('w2');
    expect(d.nodes).toHaveLength(3);
    const cp = d.nodes.find((v) => v.node === 'cp')!;
    expect(filterResults(d, cp)).toMatchObject({ NodeUnschedulable: 'pass', NodeName: 'pass', TaintToleration: 'node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }', NodeAffinity: 'not run' });
    expect(d.scorePlugins.map((p) => p.name)).toContain('NodeResourcesFit');
    const lines = explainPlacement(d);
    expect(lines[0]).toContain('scheduled on w2');
    expect(lines.some((l) => l.includes('w2: score') && l.includes('← chosen'))).toBe(true);
    expect(lines.some((l) => l.includes('cp: rejected by TaintToleration'))).toBe(true);
    // The runtime's snapshot carries the decision with its verdicts.
    const snap = JSON.stringify(c.runtime.snapshot());
    expect(snap).toContain('default/web');
    expect(snap).toContain('"node":"cp","reasons":["node(s) had untolerated taint {node-role.kubernetes.io/control-plane: }"],"rejectedBy":"TaintToleration"');
  });

  it('keeps every node verdict of the last 100 attempts; older ones keep the best five, the chosen node and one per rejection', async () => {
    const nodes = [node('cp', { taints: [CONTROL_PLANE_TAINT] }), node('small', { cpu: '1' }), ...Array.from({ length: 8 }, (_, i) => node(`w${i}`, { cpu: '64' }))];
    const c = await clusterWith(nodes);
    // 130 attempts: the last 29 reuse the storage of verdicts that only a summary keeps now.
    for (let i = 0; i < 130; i++) c.create(pod(`p${i}`, { cpu: '2' }));
    await c.runFor('10s');
    for (const name of ['p100', 'p129']) {
      const recent = scheduler(c).decision(`default/${name}`)!;
      expect(recent.outcome).toBe('Scheduled');
      expect(recent.nodes.map((v) => v.node).sort()).toEqual(nodes.map((n) => n.metadata.name).sort());
      const scored = recent.nodes.filter((v) => !v.rejectedBy);
      expect(scored.every((v) => v.scores!.length === recent.scorePlugins.length && v.total !== undefined)).toBe(true);
      // The total is each score times its plugin's weight, and the chosen node has the highest.
      for (const v of scored) expect(v.total).toBe(v.scores!.reduce((t, s, k) => t + s * recent.scorePlugins[k].weight, 0));
      expect(scored.find((v) => v.node === recent.node)!.total).toBe(Math.max(...scored.map((v) => v.total!)));
    }
    const recent = scheduler(c).decision('default/p129')!;
    const old = scheduler(c).decision('default/p0')!;
    const feasible = old.nodes.filter((v) => !v.rejectedBy);
    expect(feasible.length).toBeLessThanOrEqual(6);
    expect(feasible.some((v) => v.node === old.node)).toBe(true);
    expect(old.nodes.filter((v) => v.rejectedBy).map((v) => v.rejectedBy).sort()).toEqual(['NodeResourcesFit', 'TaintToleration']);
    // What the inspector shows is the JSON of a decision: the verdicts are part of it.
    expect(JSON.parse(JSON.stringify(recent)).nodes).toHaveLength(10);
  });

  it('a summary keeps the five best feasible nodes (ties by name), the chosen one and one rejection per reason, in evaluation order', () => {
    // 30 nodes evaluated in a shuffled order, totals with many ties, four rejections of two kinds.
    const names = Array.from({ length: 30 }, (_, i) => `node-${String(i).padStart(2, '0')}`);
    const evaluated = names.map((n, i) => ({ n, i, key: (i * 17) % 31 })).sort((a, b) => a.key - b.key).map((x) => x.n);
    const totalOf = (name: string) => [300, 250, 250, 200][Number(name.slice(5)) % 4];
    for (const withRanks of [true, false]) {
      const log = new VerdictLog();
      log.reserve(evaluated.length + 4);
      const feasible: string[] = [];
      evaluated.forEach((name, k) => {
        if (k % 9 === 4) log.reject({ node: `${name}-x`, rejectedBy: k % 2 ? 'NodeResourcesFit' : 'TaintToleration', reasons: ['r'] });
        log.pass(name, withRanks ? names.indexOf(name) : -1);
        feasible.push(name);
      });
      const totals = log.startTotals(feasible.length);
      feasible.forEach((name, i) => { totals[i] = totalOf(name); });
      log.addScores(feasible.map((name) => totalOf(name) / 10));
      const chosen = feasible.indexOf('node-17'); // not among the best: kept besides them
      log.choose(chosen);
      const summary = log.summary('node-17', 5);
      const best = [...feasible].sort((a, b) => totalOf(b) - totalOf(a) || (a < b ? -1 : 1)).slice(0, 5);
      expect(summary.filter((v) => !v.rejectedBy).map((v) => v.node).sort()).toEqual([...best, 'node-17'].sort());
      expect(summary.filter((v) => v.rejectedBy).map((v) => v.rejectedBy).sort()).toEqual(['NodeResourcesFit', 'TaintToleration']);
      // In evaluation order, each feasible node with its total.
      const at = (v: { node: string }) => (v.node.endsWith('-x') ? evaluated.indexOf(v.node.slice(0, -2)) - 0.5 : evaluated.indexOf(v.node));
      expect(summary.map(at)).toEqual(summary.map(at).sort((a, b) => a - b));
      for (const v of summary.filter((x) => !x.rejectedBy)) expect(v.total).toBe(totalOf(v.node));
    }
  });

  it('the same seed gives the same placements (ties broken by the seeded stream)', async () => {
    // ARCHITECTURE.md: same scenario and seed, same trace.
    const run = async () => {
      const c = await clusterWith([node('n1'), node('n2'), node('n3'), node('n4')]);
      const names = Array.from({ length: 10 }, (_, i) => `p${i}`);
      for (const n of names) c.create(pod(n, { cpu: '100m' }));
      await c.runFor('5s');
      return placement(c, names);
    };
    expect(await run()).toEqual(await run());
  });
});
