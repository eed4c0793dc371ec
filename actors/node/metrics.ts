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
//   case RESOURCE_METRICS_REQUEST: serveResourceMetrics(this.ctx, env, this.opts.host, this.knowsPod); break;
//
// The cgroup CPU counters live with the containers' records on the host (a kubelet restart does
// not reset them): the integral of the process's piecewise-linear CPU curve, one per process.
import type { ActorContext, Envelope } from '../../runtime/index.ts';
import type { ContainerProcess } from '../../cri/types.ts';
import type { ContainerRecord, NodeHost } from './host.ts';

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

/** Per node: when its counter started and the CPU its containers have used since. */
const nodeCounters = new WeakMap<NodeHost, { startTime: number; total: number }>();

/** A steady stretch longer than this is folded into the counter (else it is computed, not stored). */
const STEADY_FOLD_MS = 3_600_000;

/**
 * The cumulative CPU (core·ns) of the record's process at `now`: trapezoids over the CPU curve in
 * steps of at most CPU_SAMPLE_STEP_MS from the last reading (from `startTime` the first time).
 * The counter lives on the record, with the process it counts: a new process starts a new one. A
 * flat stretch of the curve is one rectangle, computed without writing the counter (a scrape of
 * a settled node then reads its containers' state and writes none of it).
 */
export function cumulativeCpu(record: ContainerRecord, process: ContainerProcess, startTime: number, now: number): number {
  let c = record.cpu;
  if (!c || c.process !== process) {
    // -0, not 0: the counts outgrow small integers, and a field that starts as one changes its
    // representation later, which deprecates the hidden class of every counter made before.
    c = { process, at: startTime, total: -0, counted: -0 };
    record.cpu = c;
  }
  let t = c.at;
  if (t >= now) return c.total;
  let prev = process.cpuMillicores(t);
  // Integers, so the sum is exact either way.
  if (process.cpuSteady?.(t, now)) {
    const total = c.total + prev * (now - t) * 1_000;
    if (now - t < STEADY_FOLD_MS) return total;
    c.total = total;
    c.at = now;
    return total;
  }
  while (t < now) {
    const next = Math.min(now, t + CPU_SAMPLE_STEP_MS);
    const cur = process.cpuMillicores(next);
    // millicores × ms = 1e-3 cores × 1e6 ns = 1e3 core·ns per unit.
    c.total += ((prev + cur) / 2) * (next - t) * 1_000;
    prev = cur;
    t = next;
  }
  c.at = now;
  return c.total;
}

/**
 * What the kubelet serves on /metrics/resource at `now`: every running container of the pods
 * bound to the node (`knows(uid)`: the kubelet has the pod; a sandbox whose pod
 * it no longer knows is skipped), in the order the sandboxes were created.
 */
export function kubeletResourceMetrics(host: NodeHost, knows: (uid: string) => boolean, now: number): ResourceMetrics {
  let node = nodeCounters.get(host);
  if (!node) {
    node = { startTime: now, total: -0 };
    nodeCounters.set(host, node);
  }
  let nodeMemory = 0;
  const out: PodMetricsPoint[] = [];
  for (const sandbox of host.sandboxes.values()) {
    let containers: ContainerMetricsPoint[] | undefined;
    const records = sandbox.containers;
    for (const [name, record] of records.size === 1 ? records : [...records].sort((a, b) => (a[0] < b[0] ? -1 : 1))) {
      const process = record.process;
      const startTime = record.resume.running?.startedAt;
      if (!process || startTime === undefined || !process.running) continue;
      const cumulativeCpuUsed = Math.round(cumulativeCpu(record, process, startTime, now));
      const counter = record.cpu!;
      const memoryUsage = process.memoryBytes(now);
      node.total += cumulativeCpuUsed - counter.counted;
      counter.counted = cumulativeCpuUsed;
      nodeMemory += memoryUsage;
      (containers ??= []).push({ name, startTime, timestamp: now, cumulativeCpuUsed, memoryUsage });
    }
    if (containers && knows(sandbox.uid)) out.push({ namespace: sandbox.namespace, name: sandbox.name, uid: sandbox.uid, containers });
  }
  return {
    node: { name: host.spec.name, startTime: node.startTime, timestamp: now, cumulativeCpuUsed: Math.round(node.total), memoryUsage: nodeMemory },
    pods: out,
  };
}

/** The kubelet's handler: answers a RESOURCE_METRICS_REQUEST with the node's metrics. */
export function serveResourceMetrics(ctx: ActorContext, env: Envelope, host: NodeHost, knows: (uid: string) => boolean): void {
  const reply: ResourceMetricsResponse = { type: RESOURCE_METRICS_RESPONSE, id: env.message.id as number, ...kubeletResourceMetrics(host, knows, ctx.now()) };
  ctx.send(env.from, reply as unknown as ResourceMetricsResponse & { [k: string]: unknown });
}
