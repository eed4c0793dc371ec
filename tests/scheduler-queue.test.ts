// The scheduling queue on its own (pkg/scheduler/backend/queue/scheduling_queue.go), and the
// pure helpers of the algorithm: PrioritySort order, back-off durations, percentageOfNodesToScore,
// and FitError message formatting. k8s-facts §8.2, §8.3.
import { describe, expect, it } from 'vitest';
import { SchedulingQueue, backoffDuration } from '../actors/scheduler/queue.ts';
import { fitErrorMessage, numFeasibleNodesToFind } from '../actors/scheduler/framework.ts';
import type { KubeObject } from '../api/types.ts';

function pod(name: string, priority?: number): KubeObject {
  return { apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'default', uid: `uid-${name}` }, spec: { priority, containers: [] } };
}

describe('scheduling queue', () => {
  it('PrioritySort pops the highest priority first, then the earliest enqueued', () => {
    // k8s-facts §8.3: activeQ ordered by priority, then timestamp.
    let now = 0;
    const q = new SchedulingQueue(() => now);
    q.add(pod('a', 0));
    now = 1;
    q.add(pod('b', 10));
    now = 2;
    q.add(pod('c', 10));
    q.add(pod('d'));
    const order: string[] = [];
    for (let p = q.pop(); p; p = q.pop()) order.push(p.pod.metadata.name!);
    expect(order).toEqual(['b', 'c', 'a', 'd']);
  });

  it('back-off is 1 s doubling per attempt up to 10 s (podInitialBackoffSeconds 1, podMaxBackoffSeconds 10)', () => {
    // k8s-facts §8.3.
    expect([1, 2, 3, 4, 5, 6].map(backoffDuration)).toEqual([1000, 2000, 4000, 8000, 10000, 10000]);
  });

  it('a pod that failed with an error waits in backoffQ until the flush after its back-off', () => {
    // scheduling_queue.go: errors go to backoffQ; flushBackoffQCompleted moves expired pods.
    let now = 0;
    const q = new SchedulingQueue(() => now);
    q.add(pod('x'));
    const p = q.pop()!;
    q.requeue(p, p.pod, undefined);
    expect(q.location('uid-x')).toBe('backoff');
    now = 999;
    q.flushBackoffCompleted();
    expect(q.location('uid-x')).toBe('backoff');
    now = 1000;
    q.flushBackoffCompleted();
    expect(q.location('uid-x')).toBe('active');
  });

  it('a rejected pod parks in unschedulablePods until an event that may help, or 5 minutes', () => {
    // scheduling_queue.go: MoveAllToActiveOrBackoffQueue, flushUnschedulablePodsLeftover.
    let now = 0;
    const q = new SchedulingQueue(() => now);
    q.add(pod('x'));
    const p = q.pop()!;
    q.requeue(p, p.pod, new Set(['NodeResourcesFit']));
    expect(q.location('uid-x')).toBe('unschedulable');
    q.moveAllToActiveOrBackoff((qp) => qp.unschedulablePlugins.has('NodeAffinity'));
    expect(q.location('uid-x')).toBe('unschedulable');
    now = 500;
    q.moveAllToActiveOrBackoff((qp) => qp.unschedulablePlugins.has('NodeResourcesFit'));
    expect(q.location('uid-x')).toBe('backoff');
    now = 1000;
    q.flushBackoffCompleted();
    const again = q.pop()!;
    q.requeue(again, again.pod, new Set(['NodeResourcesFit']));
    now = 1000 + 5 * 60_000;
    q.flushUnschedulableLeftover();
    expect(q.location('uid-x')).toBe('unschedulable');
    now += 1;
    q.flushUnschedulableLeftover();
    expect(q.location('uid-x')).toBe('active');
  });
});

describe('scheduling algorithm helpers', () => {
  it('percentageOfNodesToScore: all nodes below 100, 50% of 100, 10% of 5000, never fewer than 100', () => {
    // k8s-facts §8.2: 50 − n/125 percent, floored at 5 %, at least 100 nodes.
    expect(numFeasibleNodesToFind(50)).toBe(50);
    expect(numFeasibleNodesToFind(100)).toBe(100);
    expect(numFeasibleNodesToFind(1000)).toBe(420);
    expect(numFeasibleNodesToFind(5000)).toBe(500);
    expect(numFeasibleNodesToFind(15000)).toBe(750);
    expect(numFeasibleNodesToFind(5000, 1)).toBe(100);
  });

  it('FitError message: "0/N nodes are available: " + sorted "<count> <reason>" histogram', () => {
    // pkg/scheduler/framework/types.go FitError.Error.
    const st = (...reasons: string[]) => ({ code: 'Unschedulable' as const, plugin: 'X', reasons });
    expect(fitErrorMessage(3, [st('Insufficient cpu'), st('Insufficient cpu', 'Insufficient memory'), st('node(s) were unschedulable')]))
      .toBe('0/3 nodes are available: 1 Insufficient memory, 1 node(s) were unschedulable, 2 Insufficient cpu.');
    expect(fitErrorMessage(3, [st('No preemption victims found for incoming pod')], 'Preemption is not helpful for scheduling'))
      .toBe('0/3 nodes are available: 1 No preemption victims found for incoming pod, 2 Preemption is not helpful for scheduling.');
  });
});
