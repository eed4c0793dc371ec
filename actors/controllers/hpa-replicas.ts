// The HPA's replica calculator for resource metrics (pkg/controller/podautoscaler/
// replica_calculator.go: GetResourceReplicas, GetRawResourceReplicas, calcPlainMetricReplicas,
// groupPods, calculateRequests). Pure: pods, metrics and the time in; a replica count out.
//
// Worked example (the documentation's): 1 replica at 200m against a 100m target (ratio 2.0)
// gives ceil(1 × 2.0) = 2; a ratio within [0.9, 1.1] keeps the current count.
import type { KubeObject } from '../../api/types.ts';
import { getPodCondition } from '../../api/podutil.ts';
import { parseTime } from '../../api/time.ts';
import { getMetricUsageRatio, getResourceUtilizationRatio, milliValue, type PodMetricsInfo } from './hpa-metrics.ts';

/** --horizontal-pod-autoscaler-tolerance. */
export const DEFAULT_TOLERANCE = 0.1;
/** --horizontal-pod-autoscaler-cpu-initialization-period. */
export const CPU_INITIALIZATION_PERIOD_MS = 5 * 60_000;
/** --horizontal-pod-autoscaler-initial-readiness-delay. */
export const DELAY_OF_INITIAL_READINESS_STATUS_MS = 30_000;

export interface CalculatorOptions {
  now: number;
  tolerance?: number;
  cpuInitializationPeriodMs?: number;
  delayOfInitialReadinessStatusMs?: number;
  epoch?: number;
}

export type ReplicaResult<T> = ({ ok: true; replicas: number } & T) | { ok: false; error: string };

/** Tolerances.isWithin: no change when 1 − down ≤ ratio ≤ 1 + up. */
export function isWithinTolerance(ratio: number, tolerance = DEFAULT_TOLERANCE): boolean {
  return 1 - tolerance <= ratio && ratio <= 1 + tolerance;
}

export interface PodGroups {
  readyPodCount: number;
  unreadyPods: Set<string>;
  missingPods: Set<string>;
  ignoredPods: Set<string>;
}

/**
 * groupPods: deleted and Failed pods are ignored; Pending pods count as unready; pods without a
 * metric are missing; for CPU, a pod is unready when it has no Ready condition or start time, or,
 * within the CPU initialization period, when it is not Ready or its sample started before the
 * last readiness change; after that period, when it is not Ready and never became Ready after
 * the initial readiness delay.
 */
export function groupPods(pods: KubeObject[], metrics: PodMetricsInfo, resource: string, opts: CalculatorOptions): PodGroups {
  const cpuInit = opts.cpuInitializationPeriodMs ?? CPU_INITIALIZATION_PERIOD_MS;
  const readinessDelay = opts.delayOfInitialReadinessStatusMs ?? DELAY_OF_INITIAL_READINESS_STATUS_MS;
  const g: PodGroups = { readyPodCount: 0, unreadyPods: new Set(), missingPods: new Set(), ignoredPods: new Set() };
  for (const pod of pods) {
    const name = pod.metadata.name!;
    if (pod.metadata.deletionTimestamp || pod.status?.phase === 'Failed') {
      g.ignoredPods.add(name);
      continue;
    }
    if ((pod.status?.phase ?? 'Pending') === 'Pending') {
      g.unreadyPods.add(name);
      continue;
    }
    const metric = metrics.get(name);
    if (!metric) {
      g.missingPods.add(name);
      continue;
    }
    if (resource === 'cpu') {
      const ready = getPodCondition(pod, 'Ready');
      const startTime = pod.status?.startTime;
      let unready: boolean;
      if (!ready || !startTime) unready = true;
      else {
        const start = parseTime(startTime, opts.epoch);
        const transition = ready.lastTransitionTime ? parseTime(ready.lastTransitionTime, opts.epoch) : start;
        if (start + cpuInit > opts.now) unready = ready.status === 'False' || metric.timestamp < transition + metric.windowMs;
        else unready = ready.status === 'False' && start + readinessDelay > transition;
      }
      if (unready) {
        g.unreadyPods.add(name);
        continue;
      }
    }
    g.readyPodCount++;
  }
  return g;
}

/**
 * calculateRequests: per pod, the request of the named container or the sum over the app
 * containers and sidecars; a container without a request for the resource is an error.
 */
export function calculateRequests(pods: KubeObject[], container: string, resource: string): Map<string, number> | string {
  const requests = new Map<string, number>();
  for (const pod of pods) {
    const containers: any[] = [...(pod.spec?.containers ?? []), ...(pod.spec?.initContainers ?? []).filter((c: any) => c.restartPolicy === 'Always')];
    let request = 0;
    let found = container === '';
    for (const c of containers) {
      if (container !== '' && c.name !== container) continue;
      // API defaulting copies limits into unset requests.
      const q = c.resources?.requests?.[resource] ?? c.resources?.limits?.[resource];
      if (q === undefined) return `missing request for ${resource} in container ${c.name} of Pod ${pod.metadata.name}`;
      request += milliValue(q);
      if (container !== '') {
        found = true;
        break;
      }
    }
    if (!found) return `container ${container} not found in Pod ${pod.metadata.name}`;
    requests.set(pod.metadata.name!, request);
  }
  return requests;
}

function removeMetricsForPods(metrics: PodMetricsInfo, pods: Set<string>): void {
  for (const p of pods) metrics.delete(p);
}

/**
 * The pods' metrics the calculation uses: ignored and unready pods' samples removed; the counts
 * and sets the second pass needs; or upstream's error when no pods or no usable samples remain.
 */
function readyPodMetrics(pods: KubeObject[], podMetrics: PodMetricsInfo, resource: string, opts: CalculatorOptions):
  { metrics: PodMetricsInfo; readyPodCount: number; unreadyPods: Set<string>; missingPods: Set<string> } | { error: string } {
  const metrics: PodMetricsInfo = new Map(podMetrics);
  if (pods.length === 0) return { error: 'no pods returned by selector while calculating replica count' };
  const { readyPodCount, unreadyPods, missingPods, ignoredPods } = groupPods(pods, metrics, resource, opts);
  removeMetricsForPods(metrics, ignoredPods);
  removeMetricsForPods(metrics, unreadyPods);
  if (metrics.size === 0) return { error: 'did not receive metrics for targeted pods (pods might be unready)' };
  return { metrics, readyPodCount, unreadyPods, missingPods };
}

/**
 * The second pass's answer: the current count when the re-computed ratio is within tolerance,
 * flips the direction, or would move the count against it; otherwise ceil(ratio × pods).
 */
function recomputedReplicas(currentReplicas: number, usageRatio: number, newUsageRatio: number, podCount: number, tolerance: number): number {
  if (isWithinTolerance(newUsageRatio, tolerance) || (usageRatio < 1.0 && newUsageRatio > 1.0) || (usageRatio > 1.0 && newUsageRatio < 1.0)) return currentReplicas;
  const newReplicas = Math.ceil(newUsageRatio * podCount);
  if ((newUsageRatio < 1.0 && newReplicas > currentReplicas) || (newUsageRatio > 1.0 && newReplicas < currentReplicas)) return currentReplicas;
  return newReplicas;
}

/**
 * GetResourceReplicas: the replicas for a target utilization (percentage of request). Missing
 * pods count as 100% of request (or the target, if above 100%) on a scale-down and 0% on a
 * scale-up; unready pods count as 0% on a scale-up; a re-computed ratio that is within tolerance
 * or flips the direction keeps the current count.
 */
export function getResourceReplicas(currentReplicas: number, targetUtilization: number, resource: string, pods: KubeObject[],
  podMetrics: PodMetricsInfo, container: string, opts: CalculatorOptions): ReplicaResult<{ utilization: number; rawUtilization: number }> {
  const tolerance = opts.tolerance ?? DEFAULT_TOLERANCE;
  const ready = readyPodMetrics(pods, podMetrics, resource, opts);
  if ('error' in ready) return { ok: false, error: ready.error };
  const { metrics, readyPodCount, unreadyPods, missingPods } = ready;
  const requests = calculateRequests(pods, container, resource);
  if (typeof requests === 'string') return { ok: false, error: requests };
  const first = getResourceUtilizationRatio(metrics, requests, targetUtilization);
  if (typeof first === 'string') return { ok: false, error: first };
  const { ratio: usageRatio, utilization, rawAverage: rawUtilization } = first;
  const keep = { ok: true as const, replicas: currentReplicas, utilization, rawUtilization };
  const scaleUpWithUnready = unreadyPods.size > 0 && usageRatio > 1.0;
  if (!scaleUpWithUnready && missingPods.size === 0) {
    if (isWithinTolerance(usageRatio, tolerance)) return keep;
    return { ...keep, replicas: Math.ceil(usageRatio * readyPodCount) };
  }
  if (missingPods.size > 0) {
    const fallback = usageRatio < 1.0 ? Math.max(100, targetUtilization) : 0;
    if (usageRatio !== 1.0) for (const p of missingPods) metrics.set(p, { timestamp: 0, windowMs: 0, value: Math.trunc((requests.get(p)! * fallback) / 100) });
  }
  if (scaleUpWithUnready) for (const p of unreadyPods) metrics.set(p, { timestamp: 0, windowMs: 0, value: 0 });
  const second = getResourceUtilizationRatio(metrics, requests, targetUtilization);
  if (typeof second === 'string') return { ok: false, error: second };
  const newUsageRatio = second.ratio;
  return { ...keep, replicas: recomputedReplicas(currentReplicas, usageRatio, newUsageRatio, metrics.size, tolerance) };
}

/**
 * GetRawResourceReplicas / calcPlainMetricReplicas: the replicas for a target average value;
 * missing pods count as exactly the target on a scale-down and 0 on a scale-up.
 */
export function getRawResourceReplicas(currentReplicas: number, targetUsage: number, resource: string, pods: KubeObject[],
  podMetrics: PodMetricsInfo, opts: CalculatorOptions): ReplicaResult<{ usage: number }> {
  const tolerance = opts.tolerance ?? DEFAULT_TOLERANCE;
  const ready = readyPodMetrics(pods, podMetrics, resource, opts);
  if ('error' in ready) return { ok: false, error: ready.error };
  const { metrics, readyPodCount, unreadyPods, missingPods } = ready;
  const { ratio: usageRatio, usage } = getMetricUsageRatio(metrics, targetUsage);
  const keep = { ok: true as const, replicas: currentReplicas, usage };
  const scaleUpWithUnready = unreadyPods.size > 0 && usageRatio > 1.0;
  if (!scaleUpWithUnready && missingPods.size === 0) {
    if (isWithinTolerance(usageRatio, tolerance)) return keep;
    return { ...keep, replicas: Math.ceil(usageRatio * readyPodCount) };
  }
  if (missingPods.size > 0 && usageRatio !== 1.0) {
    for (const p of missingPods) metrics.set(p, { timestamp: 0, windowMs: 0, value: usageRatio < 1.0 ? targetUsage : 0 });
  }
  if (scaleUpWithUnready) for (const p of unreadyPods) metrics.set(p, { timestamp: 0, windowMs: 0, value: 0 });
  const { ratio: newUsageRatio } = getMetricUsageRatio(metrics, targetUsage);
  return { ...keep, replicas: recomputedReplicas(currentReplicas, usageRatio, newUsageRatio, metrics.size, tolerance) };
}
