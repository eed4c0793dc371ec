// The HPA's arithmetic as pure functions: the replica calculation with its tolerance, pod grouping
// during the CPU initialization period, missing metrics, and the behavior policies and
// stabilization windows. Sources: kubernetes/website concepts/workloads/autoscaling/
// horizontal-pod-autoscale.md ("Algorithm details", "Scaling policies", "Stabilization window"),
// k8s-facts.md §5, and pkg/controller/podautoscaler/{replica_calculator.go, horizontal.go}.
import { describe, expect, it } from 'vitest';
import type { KubeObject } from '../api/types.ts';
import { formatTime } from '../api/time.ts';
import {
  calculateScaleDownLimitWithBehaviors, calculateScaleUpLimitWithScalingRules, convertDesiredReplicasWithRules, newHistory,
  normalizeDesiredReplicas, normalizeDesiredReplicasWithBehaviors, storeScaleEvent, type HPAScalingRules,
} from '../actors/controllers/hpa-behavior.ts';
import { getRawResourceReplicas, getResourceReplicas, groupPods, isWithinTolerance } from '../actors/controllers/hpa-replicas.ts';
import { formatMilliQuantity, getPodMetrics, milliValue, type PodMetricsInfo } from '../actors/controllers/hpa-metrics.ts';

const MIN = 60_000;

/** A Running pod with one container requesting `cpu`, started at `start`, Ready since `readySince` (or not Ready). */
function pod(name: string, opts: { start?: number; ready?: boolean; readySince?: number; phase?: string; cpu?: string; deleted?: boolean } = {}): KubeObject {
  const start = opts.start ?? 0;
  const ready = opts.ready ?? true;
  return {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { name, namespace: 'default', ...(opts.deleted ? { deletionTimestamp: formatTime(start) } : {}) },
    spec: { containers: [{ name: 'app', image: 'hpa-example', resources: { requests: { cpu: opts.cpu ?? '200m' } } }] },
    status: {
      phase: opts.phase ?? 'Running', startTime: formatTime(start),
      conditions: [{ type: 'Ready', status: ready ? 'True' : 'False', lastTransitionTime: formatTime(opts.readySince ?? start) }],
    },
  };
}

function metrics(entries: Array<[string, number, number?]>, windowMs = 15_000): PodMetricsInfo {
  return new Map(entries.map(([name, value, timestamp]) => [name, { value, timestamp: timestamp ?? 10 * MIN, windowMs }]));
}

describe('replica calculation (desired = ceil(current × metric / target))', () => {
  it('1 replica at 200% of a 50% target asks for 4 replicas; 4 at 30% ask for 3', () => {
    // horizontal-pod-autoscale.md, Algorithm details: desiredReplicas = ceil[currentReplicas * (currentMetricValue / desiredMetricValue)]
    const opts = { now: 20 * MIN };
    const up = getResourceReplicas(1, 50, 'cpu', [pod('a')], metrics([['a', 400]]), '', opts);
    expect(up).toMatchObject({ ok: true, replicas: 4, utilization: 200 });
    const four = ['a', 'b', 'c', 'd'];
    const down = getResourceReplicas(4, 50, 'cpu', four.map((n) => pod(n)), metrics(four.map((n) => [n, 60] as [string, number])), '', opts);
    expect(down).toMatchObject({ ok: true, replicas: 3, utilization: 30, rawUtilization: 60 });
  });

  it('a ratio within 10% of the target keeps the current count (tolerance 0.1, bounds included)', () => {
    // horizontal-pod-autoscale.md: "if the ratio is sufficiently close to 1.0 (within a globally-configurable tolerance, 0.1 by default)"
    expect(isWithinTolerance(1.1)).toBe(true);
    expect(isWithinTolerance(0.9)).toBe(true);
    expect(isWithinTolerance(1.12)).toBe(false);
    const names = ['a', 'b', 'c', 'd'];
    const at = (m: number) => getResourceReplicas(4, 50, 'cpu', names.map((n) => pod(n)), metrics(names.map((n) => [n, m] as [string, number])), '', { now: 20 * MIN });
    expect(at(110)).toMatchObject({ replicas: 4, utilization: 55 });
    expect(at(90)).toMatchObject({ replicas: 4, utilization: 45 });
    expect(at(112)).toMatchObject({ replicas: 5, utilization: 56 });
  });

  it('on a scale-down, pods without metrics are assumed to use 100% of their request', () => {
    // horizontal-pod-autoscale.md: missing metrics are assumed 100% of the desired value on scale down, 0% on scale up
    const pods = [pod('a'), pod('b'), pod('c')];
    // Measured: 20% for a and b (ratio 0.4). With c at 100%: (20+20+100)/3 = 46% → ratio 0.93, within tolerance.
    const r = getResourceReplicas(3, 50, 'cpu', pods, metrics([['a', 40], ['b', 40]]), '', { now: 20 * MIN });
    expect(r).toMatchObject({ ok: true, replicas: 3, utilization: 20 });
    // 10% each against 80%: with c at 100%, (10+10+100)/3 = 40% → ratio 0.5 → ceil(0.5 × 3) = 2,
    // not the ceil(0.125 × 2) = 1 the two measured pods alone would give.
    const r2 = getResourceReplicas(3, 80, 'cpu', pods, metrics([['a', 20], ['b', 20]]), '', { now: 20 * MIN });
    expect(r2).toMatchObject({ ok: true, replicas: 2, utilization: 10 });
  });

  it('on a scale-up, pods without metrics and not-yet-ready pods are assumed to use 0%', () => {
    // horizontal-pod-autoscale.md: "assume those pods were consuming 0% of the desired metric" on scale up
    const pods = [pod('a'), pod('b'), pod('c', { phase: 'Pending' })];
    const r = getResourceReplicas(3, 50, 'cpu', pods, metrics([['a', 300]]), '', { now: 20 * MIN });
    // a: 150%; b missing (0%), c pending (0%): 50% over 3 pods → ratio 1.0 → within tolerance: keep 3.
    expect(r).toMatchObject({ ok: true, replicas: 3, utilization: 150 });
    const r2 = getResourceReplicas(3, 50, 'cpu', pods, metrics([['a', 400]]), '', { now: 20 * MIN });
    // 200% / 3 = 66% → ratio 1.33 → ceil(1.33 × 3) = 4.
    expect(r2).toMatchObject({ ok: true, replicas: 4, utilization: 200 });
  });

  it('AverageValue targets compare the average raw usage with the target (missing pods count as the target on a scale-down)', () => {
    // horizontal-pod-autoscale.md: AverageValue; replica_calculator.go calcPlainMetricReplicas
    const pods = [pod('a'), pod('b')];
    expect(getRawResourceReplicas(2, 100, 'cpu', pods, metrics([['a', 300], ['b', 300]]), { now: 20 * MIN })).toMatchObject({ replicas: 6, usage: 300 });
    expect(getRawResourceReplicas(2, 100, 'cpu', pods, metrics([['a', 20]]), { now: 20 * MIN })).toMatchObject({ replicas: 2, usage: 20 });
  });

  it('a container without a cpu request makes the utilization undefined', () => {
    // horizontal-pod-autoscale.md: "If some of the Pod's containers do not have the relevant resource request set, CPU utilization for the Pod will not be defined"
    const p = pod('a');
    delete p.spec.containers[0].resources;
    expect(getResourceReplicas(1, 50, 'cpu', [p], metrics([['a', 100]]), '', { now: 20 * MIN })).toEqual({ ok: false, error: 'missing request for cpu in container app of Pod a' });
  });
});

describe('pods set aside for CPU (cpu-initialization-period 5 min, initial-readiness-delay 30 s)', () => {
  it('within 5 min of its start, a pod is unready until one metric window has passed since it became Ready', () => {
    // horizontal-pod-autoscale.md: "--horizontal-pod-autoscaler-cpu-initialization-period", replica_calculator.go groupPods
    const now = 2 * MIN;
    const pods = [pod('old', { start: -30 * MIN }), pod('fresh', { start: 60_000, readySince: 70_000 }), pod('settled', { start: 0, readySince: 10_000 })];
    const m = metrics([['old', 100, now], ['fresh', 100, 80_000], ['settled', 100, 30_000]]);
    const g = groupPods(pods, m, 'cpu', { now });
    // fresh: sample at 80 s < Ready at 70 s + 15 s window → unready; settled: 30 s ≥ 10 s + 15 s → ready.
    expect([...g.unreadyPods]).toEqual(['fresh']);
    expect(g.readyPodCount).toBe(2);
    // The same pods counting memory: readiness does not matter.
    expect(groupPods(pods, m, 'memory', { now }).readyPodCount).toBe(3);
  });

  it('after the initialization period, only a pod that never became Ready after the 30 s delay is unready', () => {
    // horizontal-pod-autoscale.md: "--horizontal-pod-autoscaler-initial-readiness-delay"
    const now = 30 * MIN;
    const pods = [
      pod('never-ready', { start: 0, ready: false, readySince: 20_000 }),
      pod('was-ready', { start: 0, ready: false, readySince: 10 * MIN }),
      pod('deleting', { deleted: true }), pod('failed', { phase: 'Failed' }), pod('pending', { phase: 'Pending' }), pod('no-metrics'),
    ];
    const m = metrics([['never-ready', 1, now], ['was-ready', 1, now], ['deleting', 1, now], ['failed', 1, now], ['pending', 1, now]]);
    const g = groupPods(pods, m, 'cpu', { now });
    expect([...g.unreadyPods].sort()).toEqual(['never-ready', 'pending']);
    expect([...g.ignoredPods].sort()).toEqual(['deleting', 'failed']);
    expect([...g.missingPods]).toEqual(['no-metrics']);
    expect(g.readyPodCount).toBe(1);
  });
});

describe('scaling limits and behavior policies', () => {
  it('without a behavior, a scale-up is limited to max(2 × current, 4) and clamped to maxReplicas', () => {
    // horizontal.go convertDesiredReplicasWithRules / calculateScaleUpLimit
    expect(convertDesiredReplicasWithRules(1, 10, 1, 10)).toMatchObject({ replicas: 4, reason: 'ScaleUpLimit' });
    expect(convertDesiredReplicasWithRules(5, 20, 1, 100)).toMatchObject({ replicas: 10, reason: 'ScaleUpLimit' });
    expect(convertDesiredReplicasWithRules(5, 20, 1, 8)).toMatchObject({ replicas: 8, reason: 'TooManyReplicas', message: 'the desired replica count is more than the maximum replica count' });
    expect(convertDesiredReplicasWithRules(5, 1, 2, 8)).toMatchObject({ replicas: 2, reason: 'TooFewReplicas', message: 'the desired replica count is less than the minimum replica count' });
    expect(convertDesiredReplicasWithRules(5, 6, 2, 8)).toMatchObject({ replicas: 6, reason: 'DesiredWithinRange', message: 'the desired count is within the acceptable range' });
  });

  it('a Percent scale-down policy of 10% removes 8 pods from 80 and then 8 from 72 (7.2 rounded up)', () => {
    // horizontal-pod-autoscale.md, Scaling policies: "10% of 72 is 7.2 pods, rounded up to 8"
    const rules: HPAScalingRules = { selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 60 }, { type: 'Percent', value: 10, periodSeconds: 60 }] };
    expect(calculateScaleDownLimitWithBehaviors(80, [], [], rules, 0)).toBe(72);
    expect(calculateScaleDownLimitWithBehaviors(72, [], [], rules, 0)).toBe(64);
    // Below 40 replicas the Pods policy (4) allows the bigger change.
    expect(calculateScaleDownLimitWithBehaviors(30, [], [], rules, 0)).toBe(26);
    // selectPolicy Min: the smallest change; Disabled: none.
    expect(calculateScaleDownLimitWithBehaviors(80, [], [], { ...rules, selectPolicy: 'Min' }, 0)).toBe(76);
    expect(calculateScaleDownLimitWithBehaviors(80, [], [], { ...rules, selectPolicy: 'Disabled' }, 0)).toBe(80);
  });

  it('the default scale-up policies allow the larger of +4 pods and +100% per 15 s', () => {
    // horizontal-pod-autoscale.md, Default Behavior; k8s-facts.md §5
    const rules: HPAScalingRules = { selectPolicy: 'Max', policies: [{ type: 'Pods', value: 4, periodSeconds: 15 }, { type: 'Percent', value: 100, periodSeconds: 15 }] };
    expect(calculateScaleUpLimitWithScalingRules(3, [], [], rules, 0)).toBe(7);
    expect(calculateScaleUpLimitWithScalingRules(10, [], [], rules, 0)).toBe(20);
    // A scale-up of 3 → 7 five seconds ago counts against the period: the period started at 3.
    const h = newHistory();
    storeScaleEvent(h, { scaleUp: rules, scaleDown: rules }, 3, 7, 10_000);
    expect(calculateScaleUpLimitWithScalingRules(7, h.scaleUpEvents, h.scaleDownEvents, rules, 15_000)).toBe(7);
    // Once the event is 15 s old it no longer counts.
    expect(calculateScaleUpLimitWithScalingRules(7, h.scaleUpEvents, h.scaleDownEvents, rules, 25_000)).toBe(14);
  });

  it('scale-down stabilization applies the highest recommendation of the last 5 minutes', () => {
    // horizontal-pod-autoscale.md, Stabilization window
    const h = newHistory();
    const at = (t: number, desired: number, current: number) => normalizeDesiredReplicas(h, current, desired, 1, 10, t);
    h.recommendations.push({ recommendation: 5, timestamp: 0 });
    expect(at(15_000, 2, 5)).toMatchObject({ desiredReplicas: 5, ableToScale: { reason: 'ScaleDownStabilized' } });
    expect(at(300_000, 2, 5).desiredReplicas).toBe(5);
    // 315 s: the 5 from t=0 left the window; the highest left is 2.
    expect(at(315_000, 1, 5)).toMatchObject({ desiredReplicas: 2, ableToScale: { reason: 'ScaleDownStabilized' } });
  });

  it('a scale-up stabilization window applies the lowest recommendation of the window', () => {
    // horizontal-pod-autoscale.md: stabilizationWindowSeconds for scaleUp
    const h = newHistory();
    const up: HPAScalingRules = { stabilizationWindowSeconds: 60, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] };
    const down: HPAScalingRules = { stabilizationWindowSeconds: 0, selectPolicy: 'Max', policies: [{ type: 'Percent', value: 100, periodSeconds: 15 }] };
    const arg = (desired: number) => ({ scaleUp: up, scaleDown: down, minReplicas: 1, maxReplicas: 10, currentReplicas: 2, desiredReplicas: desired });
    h.recommendations.push({ recommendation: 2, timestamp: 0 });
    expect(normalizeDesiredReplicasWithBehaviors(h, arg(4), 15_000)).toMatchObject({ desiredReplicas: 2, ableToScale: { reason: 'ScaleUpStabilized', message: 'recent recommendations were lower than current one, applying the lowest recent recommendation' } });
    expect(normalizeDesiredReplicasWithBehaviors(h, arg(4), 45_000).desiredReplicas).toBe(2);
    // At 75 s only the 4s of 15 s and 45 s are left in the window.
    expect(normalizeDesiredReplicasWithBehaviors(h, arg(4), 75_000)).toMatchObject({ desiredReplicas: 4, ableToScale: { reason: 'ReadyForNewScale' }, scalingLimited: { status: 'False', reason: 'DesiredWithinRange' } });
  });
});

describe('resource metrics client', () => {
  it('sums container usage per pod in milli-units and formats quantities as Kubernetes does', () => {
    // pkg/controller/podautoscaler/metrics/client.go getPodMetrics
    const items: KubeObject[] = [
      { apiVersion: 'metrics.k8s.io/v1beta1', kind: 'PodMetrics', metadata: { name: 'a', namespace: 'default' }, timestamp: formatTime(30_000), window: '15s', containers: [{ name: 'x', usage: { cpu: '120m', memory: '10Mi' } }, { name: 'y', usage: { cpu: '1500000n', memory: '1Ki' } }] },
      { apiVersion: 'metrics.k8s.io/v1beta1', kind: 'PodMetrics', metadata: { name: 'b', namespace: 'default' }, timestamp: formatTime(30_000), window: '15s', containers: [] },
    ];
    const cpu = getPodMetrics(items, 'cpu');
    expect([...cpu.keys()]).toEqual(['a']);
    expect(cpu.get('a')).toEqual({ value: 122, timestamp: 30_000, windowMs: 15_000 });
    expect(getPodMetrics(items, 'memory').get('a')!.value).toBe((10 * 1024 * 1024 + 1024) * 1000);
    expect(milliValue('250m')).toBe(250);
    expect(formatMilliQuantity(60)).toBe('60m');
    expect(formatMilliQuantity(2_000_000)).toBe('2k');
  });
});
