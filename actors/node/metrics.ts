// The kubelet's resource metrics endpoint (/metrics/resource, pkg/kubelet/metrics/collectors/
// resource_metrics.go), as a message: what metrics-server scrapes from every node. For each running
// container it reports the cumulative CPU time since the container started
// (container_cpu_usage_seconds_total, here in core·nanoseconds), the memory working set at the
// moment of the scrape (container_memory_working_set_bytes) and the start time
// (container_start_time_seconds); for the node, the same cumulative CPU and working set.
//
// Protocol: any actor sends `{ type: RESOURCE_METRICS_REQUEST, id }` to `node/<name>`; the kubelet
// answers `{ type: RESOURCE_METRICS_RESPONSE, id, node, pods }` (a ResourceMetricsResponse). The
// kubelet actor wires it with one line in its receive() switch:
//   case RESOURCE_METRICS_REQUEST: serveResourceMetrics(this.ctx, env, this.opts.host, this.pods.list()); break;
//
// The cgroup CPU counters live with the processes (a kubelet restart does not reset them): the
// integral of the process's piecewise-linear CPU curve, kept per process object.
import type { ActorContext, Envelope } from '../../runtime/index.ts';
import type { KubeObject } from '../../api/types.ts';
import type { ContainerProcess } from '../../cri/types.ts';
import type { NodeHost } from './host.ts';

export const RESOURCE_METRICS_REQUEST = 'kubelet.resourceMetrics';
export const RESOURCE_METRICS_RESPONSE = 'kubelet.resourceMetrics.response';

/** cAdvisor samples the cgroup counters about once a second: the integration step. */
export const CPU_SAMPLE_STEP_MS = 1_000;

/** One container's point: cumulative CPU since `startTime`, working set at `timestamp`. */
export interface ContainerMetricsPoint {
  name: string;
  /** Virtual ms the container (this incarnation of it) started. */
  startTime: number;
  /** Virtual ms the point was measured. */
  timestamp: number;
  /** CPU used since startTime, in core·nanoseconds (1 core for 1 s = 1e9). */
  cumulativeCpuUsed: number;
  /** Working set in bytes. */
  memoryUsage: number;
}

export interface PodMetricsPoint {
  namespace: string;
  name: string;
  uid: string;
  containers: ContainerMetricsPoint[];
}

export interface NodeMetricsPoint {
  name: string;
  startTime: number;
  timestamp: number;
  cumulativeCpuUsed: number;
  memoryUsage: number;
}

export interface ResourceMetrics {
  node: NodeMetricsPoint;
  pods: PodMetricsPoint[];
}

export interface ResourceMetricsResponse extends ResourceMetrics {
  type: typeof RESOURCE_METRICS_RESPONSE;
  id: number;
}

interface CpuCounter {
  at: number;
  total: number;
}

/** Per process: the CPU counter (core·ns) integrated up to `at`. */
const processCounters = new WeakMap<ContainerProcess, CpuCounter>();

/** Per node: the node's counter and what each process had contributed at the last read. */
const nodeCounters = new WeakMap<NodeHost, { startTime: number; total: number; seen: Map<ContainerProcess, number> }>();

/**
 * The process's cumulative CPU at `now`: trapezoids over the CPU curve in steps of at most
 * CPU_SAMPLE_STEP_MS from the last reading (from `startTime` the first time).
 */
export function cumulativeCpu(process: ContainerProcess, startTime: number, now: number): number {
  let c = processCounters.get(process);
  if (!c) {
    c = { at: startTime, total: 0 };
    processCounters.set(process, c);
  }
  let t = c.at;
  let prev = process.cpuMillicores(t);
  // A flat stretch of the curve: every sample's trapezoid is the same rectangle (integers, so
  // the sum is exact either way).
  if (t < now && process.cpuSteady?.(t, now)) {
    c.total += prev * (now - t) * 1_000;
    t = now;
  }
  while (t < now) {
    const next = Math.min(now, t + CPU_SAMPLE_STEP_MS);
    const cur = process.cpuMillicores(next);
    // millicores × ms = 1e-3 cores × 1e6 ns = 1e3 core·ns per unit.
    c.total += ((prev + cur) / 2) * (next - t) * 1_000;
    prev = cur;
    t = next;
  }
  c.at = Math.max(c.at, now);
  return Math.round(c.total);
}

/**
 * What the kubelet serves on /metrics/resource at `now`: every running container of the pods
 * bound to the node (the kubelet's pods; a sandbox whose pod it no longer knows is skipped).
 */
export function kubeletResourceMetrics(host: NodeHost, pods: KubeObject[], now: number): ResourceMetrics {
  const byUid = new Map<string, KubeObject>();
  for (const p of pods) if (p.metadata.uid) byUid.set(p.metadata.uid, p);
  let node = nodeCounters.get(host);
  if (!node) {
    node = { startTime: now, total: 0, seen: new Map() };
    nodeCounters.set(host, node);
  }
  const seen = new Map<ContainerProcess, number>();
  let nodeMemory = 0;
  const out: PodMetricsPoint[] = [];
  for (const uid of [...host.sandboxes.keys()].sort()) {
    const sandbox = host.sandboxes.get(uid)!;
    const pod = byUid.get(uid);
    const containers: ContainerMetricsPoint[] = [];
    const names = sandbox.containers.size === 1 ? sandbox.containers.keys() : [...sandbox.containers.keys()].sort();
    for (const name of names) {
      const record = sandbox.containers.get(name)!;
      const process = record.process;
      const startTime = record.resume.running?.startedAt;
      if (!process || !process.running || startTime === undefined) continue;
      const cumulativeCpuUsed = cumulativeCpu(process, startTime, now);
      const memoryUsage = process.memoryBytes(now);
      node.total += cumulativeCpuUsed - (node.seen.get(process) ?? 0);
      seen.set(process, cumulativeCpuUsed);
      nodeMemory += memoryUsage;
      containers.push({ name, startTime, timestamp: now, cumulativeCpuUsed, memoryUsage });
    }
    if (pod && containers.length > 0) out.push({ namespace: pod.metadata.namespace ?? 'default', name: pod.metadata.name!, uid, containers });
  }
  node.seen = seen;
  return {
    node: { name: host.spec.name, startTime: node.startTime, timestamp: now, cumulativeCpuUsed: Math.round(node.total), memoryUsage: nodeMemory },
    pods: out,
  };
}

/** The kubelet's handler: answers a RESOURCE_METRICS_REQUEST with the node's metrics. */
export function serveResourceMetrics(ctx: ActorContext, env: Envelope, host: NodeHost, pods: KubeObject[]): void {
  const reply: ResourceMetricsResponse = { type: RESOURCE_METRICS_RESPONSE, id: env.message.id as number, ...kubeletResourceMetrics(host, pods, ctx.now()) };
  ctx.send(env.from, reply as unknown as ResourceMetricsResponse & { [k: string]: unknown });
}
