// `kubectl logs`: which container and which of its instances the request reads, as the API server
// (pod log subresource: validateContainer) and the kubelet (validateContainerLogStatus) decide,
// and the lines as the container runtime's log file holds them (actors/node/host.ts ContainerLog).
import type { KubeObject } from '../api/types.ts';
import { newBadRequest } from '../api/errors.ts';
import { labelSelectorFromMeta } from '../api/selectors.ts';
import type { ContainerLog, ContainerRecord } from '../actors/node/host.ts';
import { goSort } from '../cli/describe.ts';

export interface LogOptions {
  /** -c: the container; the default container when unset. */
  container?: string;
  /** --previous: the last terminated instance. */
  previous?: boolean;
  /** --tail: the last N lines (-1 or unset: all). */
  tail?: number;
  /** --timestamps: each line prefixed with its RFC 3339 time (nanoseconds, trailing zeros cut). */
  timestamps?: boolean;
  /** --since: lines no older than this many seconds. */
  sinceSeconds?: number;
}

/** The container `kubectl logs POD` reads without -c, and kubectl's note when it had to choose. */
export function defaultContainer(pod: KubeObject): { name: string; note?: string } {
  const spec = pod.spec ?? {};
  const annotated = pod.metadata.annotations?.['kubectl.kubernetes.io/default-container'];
  const containers: any[] = spec.containers ?? [];
  if (annotated && [...containers, ...(spec.initContainers ?? [])].some((c: any) => c.name === annotated)) return { name: annotated };
  const name = containers[0]?.name ?? '';
  const all = [...containers.map((c) => c.name), ...(spec.initContainers ?? []).map((c: any) => `${c.name} (init)`), ...(spec.ephemeralContainers ?? []).map((c: any) => `${c.name} (ephem)`)];
  return all.length > 1 ? { name, note: `Defaulted container "${name}" out of: ${all.join(', ')}` } : { name };
}

/**
 * The container a request names (-c), or else the default one, with kubectl's note when it chose
 * among several; checked as the API server checks it.
 */
export function podContainer(pod: KubeObject, container: string | undefined, notes: string[]): string {
  let name = container;
  if (name === undefined) {
    const chosen = defaultContainer(pod);
    name = chosen.name;
    if (chosen.note) notes.push(chosen.note);
  }
  validateLogContainer(pod, name);
  return name;
}

/** The API server's check (validateContainer): the pod has a container of that name. */
export function validateLogContainer(pod: KubeObject, container: string): void {
  const spec = pod.spec ?? {};
  const known = [...(spec.containers ?? []), ...(spec.initContainers ?? []), ...(spec.ephemeralContainers ?? [])].some((c: any) => c.name === container);
  if (!known) throw newBadRequest(`container ${container} is not valid for pod ${pod.metadata.name}`);
}

/**
 * The ID of the container instance whose log is read (the kubelet's validateContainerLogStatus on
 * the pod's status), or a BadRequest with the kubelet's words. A running container is read, a
 * terminated one, or else the last terminated one (a container in CrashLoopBackOff shows its last
 * run); --previous reads the last terminated one only.
 */
export function logContainerID(pod: KubeObject, container: string, previous: boolean): string {
  const podName = pod.metadata.name;
  const statuses: any[] = [...(pod.status?.containerStatuses ?? []), ...(pod.status?.initContainerStatuses ?? []), ...(pod.status?.ephemeralContainerStatuses ?? [])];
  const status = statuses.find((s) => s.name === container);
  if (!status) throw newBadRequest(`container "${container}" in pod "${podName}" is waiting to start: ContainerCreating`);
  const { running, terminated, waiting } = status.state ?? {};
  const last = status.lastState?.terminated;
  if (previous) {
    if (!last?.containerID) throw newBadRequest(`previous terminated container "${container}" in pod "${podName}" not found`);
    return last.containerID;
  }
  if (running) return running.containerID ?? status.containerID;
  if (terminated) {
    if (terminated.containerID) return terminated.containerID;
    if (last?.containerID) return last.containerID;
    throw newBadRequest(`container "${container}" in pod "${podName}" is terminated`);
  }
  if (last) {
    if (!last.containerID) throw newBadRequest(`container "${container}" in pod "${podName}" is terminated`);
    return last.containerID;
  }
  if (waiting) {
    if (waiting.reason === 'ErrImagePull') throw newBadRequest(`container "${container}" in pod "${podName}" is waiting to start: image can't be pulled`);
    if (waiting.reason === 'ImagePullBackOff') throw newBadRequest(`container "${container}" in pod "${podName}" is waiting to start: trying and failing to pull image`);
    throw newBadRequest(`container "${container}" in pod "${podName}" is waiting to start: ${waiting.reason}`);
  }
  throw newBadRequest(`container "${container}" in pod "${podName}" is waiting to start - no logs yet`);
}

/** The log of one container instance, from the runtime's record of the container. */
export function instanceLog(record: ContainerRecord | undefined, containerID: string): ContainerLog | undefined {
  if (record?.log?.containerID === containerID) return record.log;
  if (record?.previousLog?.containerID === containerID) return record.previousLog;
  return undefined;
}

/** The lines kubectl prints: --since, then --tail, optionally with their timestamps. */
export function formatLog(log: ContainerLog | undefined, opts: LogOptions, nowMs: number, epochMs: number): string {
  if (!log) return '';
  const since = opts.sinceSeconds !== undefined ? nowMs - opts.sinceSeconds * 1000 : -Infinity;
  const rows: string[] = [];
  for (const b of log.batches) {
    if (b.at < since) continue;
    const stamp = opts.timestamps ? `${rfc3339Nano(epochMs + b.at)} ` : '';
    for (const line of b.lines) rows.push(stamp + line);
  }
  const from = opts.tail !== undefined && opts.tail >= 0 ? Math.max(0, rows.length - opts.tail) : 0;
  let out = '';
  for (let i = from; i < rows.length; i++) out += `${rows[i]}\n`;
  return out;
}

/** time.RFC3339Nano: fractional seconds without trailing zeros. */
function rfc3339Nano(ms: number): string {
  return new Date(ms).toISOString().replace(/\.(\d*?)0*Z$/, (_m, frac: string) => (frac ? `.${frac}Z` : 'Z'));
}

/**
 * The pod `kubectl logs TYPE/NAME` reads for a workload (polymorphichelpers' GetFirstPod): its
 * selector's pods, as listed, sorted (Go's sort.Sort) in controller.ByLogging order: assigned
 * first; Running (and any phase but these), Unknown, then Pending; ready first, and ready for
 * longer first; more restarts first; older first. `found` is how many matched, for kubectl's
 * "Found N pods, using pod/NAME".
 */
export function podForLogs(workload: KubeObject, pods: KubeObject[]): { pod: KubeObject | undefined; found: number } {
  const selector = labelSelectorFromMeta(workload.spec?.selector);
  const matching = pods.filter((p) => p.metadata.namespace === workload.metadata.namespace && selector.matches(p.metadata.labels));
  goSort(matching, (a, b) => byLogging(a, b) < 0);
  return { pod: matching[0], found: matching.length };
}

/** Go's map lookup gives 0 for a phase it does not list. */
const PHASE_RANK: Record<string, number> = { Running: 0, Unknown: 1, Pending: 2 };

function byLogging(a: KubeObject, b: KubeObject): number {
  const assigned = Number(!a.spec?.nodeName) - Number(!b.spec?.nodeName);
  if (assigned) return assigned;
  const phase = (PHASE_RANK[a.status?.phase] ?? 0) - (PHASE_RANK[b.status?.phase] ?? 0);
  if (phase) return phase;
  const ra = readySince(a);
  const rb = readySince(b);
  if ((ra === undefined) !== (rb === undefined)) return ra === undefined ? 1 : -1;
  if (ra !== undefined && rb !== undefined && ra !== rb) return ra - rb;
  const restarts = maxRestarts(b) - maxRestarts(a);
  if (restarts) return restarts;
  const ca = Date.parse(a.metadata.creationTimestamp ?? '') || Infinity;
  const cb = Date.parse(b.metadata.creationTimestamp ?? '') || Infinity;
  return ca - cb;
}

function readySince(p: KubeObject): number | undefined {
  const c = (p.status?.conditions ?? []).find((x: any) => x.type === 'Ready');
  return c?.status === 'True' ? Date.parse(c.lastTransitionTime ?? '') || 0 : undefined;
}

function maxRestarts(p: KubeObject): number {
  let n = 0;
  for (const s of p.status?.containerStatuses ?? []) n = Math.max(n, s.restartCount ?? 0);
  return n;
}
