// The HPA controller's resource metrics client (pkg/controller/podautoscaler/metrics/client.go,
// utilization.go): turns the metrics.k8s.io PodMetrics the metrics-server answers with into one
// value per pod (milli-units: millicores, or bytes × 1000), and the ratios the replica calculator
// works with. Also the small quantity and duration helpers the HPA status needs.
import type { KubeObject } from '../../api/types.ts';
import { parseQuantity } from '../../api/validation.ts';
import { parseTime } from '../../api/time.ts';

/** PodMetric: one pod's value, and when and over which window it was measured. */
export interface PodMetric {
  /** Virtual ms. */
  timestamp: number;
  windowMs: number;
  /** Milli-units (MilliValue). */
  value: number;
}

/** PodMetricsInfo: pod name → metric. */
export type PodMetricsInfo = Map<string, PodMetric>;

/** Quantity.MilliValue(): the value × 1000, rounded up. */
export function milliValue(q: string | number | undefined): number {
  if (q === undefined) return NaN;
  const x = parseQuantity(q) * 1000;
  const r = Math.round(x);
  return Math.abs(x - r) < 1e-6 ? r : Math.ceil(x);
}

/** Go's time.ParseDuration for what metav1.Duration prints (1h2m3.5s, 15s, 500ms). */
export function parseGoDuration(s: string | undefined): number {
  if (!s) return 0;
  let ms = 0;
  const re = /(\d+(?:\.\d+)?)(h|ms|m|s|us|µs|ns)/g;
  const unit: Record<string, number> = { h: 3_600_000, m: 60_000, s: 1_000, ms: 1, us: 1e-3, µs: 1e-3, ns: 1e-6 };
  for (let m = re.exec(s); m; m = re.exec(s)) ms += Number(m[1]) * unit[m[2]];
  return ms;
}

/**
 * getPodMetrics: a pod's value is the sum over its containers; a pod with no containers or a
 * container without the resource is left out (its metrics are missing).
 */
export function getPodMetrics(items: KubeObject[], resource: string, epoch?: number): PodMetricsInfo {
  const res: PodMetricsInfo = new Map();
  for (const m of items) {
    const containers: any[] = m.containers ?? [];
    let sum = 0;
    let missing = containers.length === 0;
    for (const c of containers) {
      const q = c.usage?.[resource];
      if (q === undefined) {
        missing = true;
        break;
      }
      sum += milliValue(q);
    }
    if (!missing) res.set(m.metadata.name!, { timestamp: parseTime(m.timestamp, epoch), windowMs: parseGoDuration(m.window), value: sum });
  }
  return res;
}

/** getContainerMetrics: one named container's value per pod; a pod without that container is an error. */
export function getContainerMetrics(items: KubeObject[], resource: string, container: string, epoch?: number): PodMetricsInfo | string {
  const res: PodMetricsInfo = new Map();
  for (const m of items) {
    const c = (m.containers ?? []).find((x: any) => x.name === container);
    if (!c) return `container ${container} not present in metrics for pod ${m.metadata.namespace}/${m.metadata.name}`;
    const q = c.usage?.[resource];
    if (q !== undefined) res.set(m.metadata.name!, { timestamp: parseTime(m.timestamp, epoch), windowMs: parseGoDuration(m.window), value: milliValue(q) });
  }
  return res;
}

/**
 * GetResourceUtilizationRatio: total usage over total requests of the pods that have both, as a
 * whole percentage (integer division, as upstream), its ratio to the target, and the average raw
 * value. Errors when no metric matches a known pod.
 */
export function getResourceUtilizationRatio(metrics: PodMetricsInfo, requests: Map<string, number>, targetUtilization: number):
  { ratio: number; utilization: number; rawAverage: number } | string {
  let metricsTotal = 0;
  let requestsTotal = 0;
  let entries = 0;
  for (const [pod, m] of metrics) {
    const request = requests.get(pod);
    if (request === undefined) continue;
    metricsTotal += m.value;
    requestsTotal += request;
    entries++;
  }
  if (requestsTotal === 0) return 'no metrics returned matched known pods';
  const utilization = Math.trunc((metricsTotal * 100) / requestsTotal);
  return { ratio: utilization / targetUtilization, utilization, rawAverage: Math.trunc(metricsTotal / entries) };
}

/** GetMetricUsageRatio: the average value (integer division) and its ratio to the target. */
export function getMetricUsageRatio(metrics: PodMetricsInfo, targetUsage: number): { ratio: number; usage: number } {
  let total = 0;
  for (const m of metrics.values()) total += m.value;
  const usage = Math.trunc(total / metrics.size);
  return { ratio: usage / targetUsage, usage };
}

/** resource.NewMilliQuantity(v, DecimalSI).String(): 60m, 1, 2k, 1500m. */
export function formatMilliQuantity(milli: number): string {
  if (milli === 0) return '0';
  if (milli % 1000 !== 0) return `${milli}m`;
  let n = milli / 1000;
  const suffixes = ['', 'k', 'M', 'G', 'T', 'P', 'E'];
  let i = 0;
  while (n % 1000 === 0 && i < suffixes.length - 1) {
    n /= 1000;
    i++;
  }
  return `${n}${suffixes[i]}`;
}
