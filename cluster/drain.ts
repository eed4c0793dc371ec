// kubectl cordon / uncordon / drain, client-side on the Cluster API, after
// staging/src/k8s.io/kubectl/pkg/cmd/drain/drain.go (RunCordonOrUncordon, RunDrain,
// deleteOrEvictPodsSimple), pkg/drain/drain.go (GetPodsForDeletion, evictPods, waitForDelete),
// pkg/drain/filters.go (the DaemonSet, mirror, local-storage and unreplicated filters) and
// pkg/drain/cordon.go. kubectl evicts every pod in its own goroutine; here each pod is a task
// with a due time on the virtual clock (retry 5 s after a 429, poll for deletion every 1 s),
// run in (due time, order) while cluster.runFor moves the simulation between them.
import type { ActorContext, ActorLogic, Envelope } from '../runtime/index.ts';
import { ApiClient } from '../client/client.ts';
import { SYSTEM_MASTERS, type KubeObject } from '../api/types.ts';
import type { ApiResult } from '../api/request.ts';
import { isStatusError } from '../api/errors.ts';
import type { Cluster } from './cluster.ts';
import { formatDuration, parseDuration } from './duration.ts';

export interface DrainOptions {
  /** --ignore-daemonsets */
  ignoreDaemonSets?: boolean;
  /** --delete-emptydir-data */
  deleteEmptyDirData?: boolean;
  /** --force */
  force?: boolean;
  /** --timeout: give up after this long (0 or unset: never). */
  timeout?: string | number;
  /** --grace-period (negative or unset: each pod's own terminationGracePeriodSeconds). */
  gracePeriodSeconds?: number;
}

/** What `kubectl drain` printed, when it failed: `output` is the whole transcript, `error` the last line. */
export class DrainError extends Error {
  constructor(readonly output: string, readonly error: string) {
    super(output);
    this.name = 'DrainError';
  }
}

/** kubectl's retry interval after a 429 from the eviction subresource. */
export const EVICTION_RETRY_MS = 5_000;
/** waitForDelete's poll interval. */
export const DELETE_POLL_MS = 1_000;

const DAEMONSET_FATAL = 'DaemonSet-managed Pods (use --ignore-daemonsets to ignore)';
const DAEMONSET_WARNING = 'ignoring DaemonSet-managed Pods';
const LOCAL_STORAGE_FATAL = 'Pods with local storage (use --delete-emptydir-data to override)';
const LOCAL_STORAGE_WARNING = 'deleting Pods with local storage';
const UNMANAGED_FATAL = 'cannot delete Pods that declare no controller (use --force to override)';
const UNMANAGED_WARNING = 'deleting Pods that declare no controller';
const MIRROR_POD_ANNOTATION = 'kubernetes.io/config.mirror';

// ---------------------------------------------------------------------- cordon

/**
 * `kubectl cordon NODE` (unschedulable = true) or `kubectl uncordon NODE`: patches
 * spec.unschedulable unless it already has the wanted value.
 */
export function cordon(cluster: Cluster, node: string, unschedulable = true): string {
  const current = cluster.get('node', node);
  if (Boolean(current.spec?.unschedulable) === unschedulable) return `node/${node} already ${unschedulable ? 'cordoned' : 'uncordoned'}`;
  // CordonHelper's patch: unschedulable is omitempty, so uncordoning removes the field.
  cluster.patch('node', node, { spec: { unschedulable: unschedulable ? true : null } }, { type: 'merge' });
  return `node/${node} ${unschedulable ? 'cordoned' : 'uncordoned'}`;
}

// ---------------------------------------------------------------------- drain

/** `kubectl drain NODE`: cordon, check and evict the node's pods, wait for them to go. */
export async function drain(cluster: Cluster, node: string, opts: DrainOptions = {}): Promise<string> {
  const out: string[] = [cordon(cluster, node, true)];
  const fail = (err: string): never => {
    out.push(`error: unable to drain node "${node}", aborting command...`, '', 'There are pending nodes to be drained:', ` ${node}`, `error: ${err}`);
    throw new DrainError(out.join('\n'), err);
  };
  const list = getPodsForDeletion(cluster, node, opts);
  if (list.errors.length) fail(aggregate(list.errors));
  const warnings = list.warnings();
  if (warnings) out.push(`WARNING: ${warnings}`);
  const errors = await evictPods(cluster, list.pods(), opts, out);
  if (errors.length) {
    const err = aggregate(errors);
    const pending = getPodsForDeletion(cluster, node, opts).pods();
    if (pending.length) out.push(`There are pending pods in node "${node}" when an error occurred: ${err}`, ...pending.map((p) => `pod/${p.metadata.name}`));
    fail(err);
  }
  out.push(`node/${node} drained`);
  return out.join('\n');
}

// ---------------------------------------------------------------------- GetPodsForDeletion and filters

interface PodDeleteStatus {
  delete: boolean;
  reason: 'Okay' | 'Skip' | 'Warning' | 'Error';
  message?: string;
}

const okay = (): PodDeleteStatus => ({ delete: true, reason: 'Okay' });
const skip = (): PodDeleteStatus => ({ delete: false, reason: 'Skip' });
const warning = (del: boolean, message: string): PodDeleteStatus => ({ delete: del, reason: 'Warning', message });
const error = (message: string): PodDeleteStatus => ({ delete: false, reason: 'Error', message });

export interface PodDeleteList {
  items: { pod: KubeObject; status: PodDeleteStatus }[];
  /** The pods to evict. */
  pods(): KubeObject[];
  /** `message: ns/a, ns/b; message2: ...` for warnings. */
  warnings(): string;
  /** One error per message: `cannot delete <message>: ns/a, ns/b`. */
  errors: string[];
}

/** GetPodsForDeletion: the node's pods (all namespaces) through the filters; the last filter's verdict stands. */
export function getPodsForDeletion(cluster: Cluster, node: string, opts: DrainOptions): PodDeleteList {
  const pods = cluster.list('pods', { fieldSelector: `spec.nodeName=${node}` });
  const filters = [daemonSetFilter, mirrorPodFilter, localStorageFilter, unreplicatedFilter];
  const items = pods.map((pod) => {
    let status = okay();
    for (const filter of filters) {
      status = filter(cluster, pod, opts);
      if (!status.delete) break;
    }
    return { pod, status };
  });
  const byMessage = (reason: PodDeleteStatus['reason']) => {
    const groups = new Map<string, string[]>();
    for (const { pod, status } of items) {
      if (status.reason !== reason) continue;
      const msg = status.message || (reason === 'Error' ? 'unexpected error' : '');
      const names = groups.get(msg) ?? [];
      names.push(`${pod.metadata.namespace}/${pod.metadata.name}`);
      groups.set(msg, names);
    }
    return [...groups];
  };
  const errors = byMessage('Error').map(([msg, names]) => (msg.toLowerCase().startsWith('cannot delete') ? `${msg}: ${names.join(', ')}` : `cannot delete ${msg}: ${names.join(', ')}`));
  return {
    items, errors,
    pods: () => items.filter((i) => i.status.delete).map((i) => i.pod),
    warnings: () => byMessage('Warning').map(([msg, names]) => `${msg}: ${names.join(', ')}`).join('; '),
  };
}

type PodFilter = (cluster: Cluster, pod: KubeObject, opts: DrainOptions) => PodDeleteStatus;

function isFinished(pod: KubeObject): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

function controllerOf(pod: KubeObject): { kind: string; name: string } | undefined {
  return (pod.metadata.ownerReferences ?? []).find((r: any) => r.controller === true);
}

/** DaemonSet pods are never evicted: an error without --ignore-daemonsets, a warning with it. */
const daemonSetFilter: PodFilter = (cluster, pod, opts) => {
  const ref = controllerOf(pod);
  if (!ref || ref.kind !== 'DaemonSet' || isFinished(pod)) return okay();
  try {
    cluster.get('daemonsets', ref.name, pod.metadata.namespace);
  } catch (e) {
    if (!isStatusError(e)) throw e;
    // An orphan of a deleted DaemonSet is removed with a warning under --force.
    if (e.code === 404 && opts.force) return warning(true, e.message);
    return error(e.message);
  }
  return opts.ignoreDaemonSets ? warning(false, DAEMONSET_WARNING) : error(DAEMONSET_FATAL);
};

/** Mirror pods (static pods' API copies) cannot be deleted through the API: skipped silently. */
const mirrorPodFilter: PodFilter = (_cluster, pod) => (pod.metadata.annotations?.[MIRROR_POD_ANNOTATION] !== undefined ? skip() : okay());

/** Pods with an emptyDir volume lose its data: they need --delete-emptydir-data. */
const localStorageFilter: PodFilter = (_cluster, pod, opts) => {
  if (!(pod.spec?.volumes ?? []).some((v: any) => v.emptyDir) || isFinished(pod)) return okay();
  return opts.deleteEmptyDirData ? warning(true, LOCAL_STORAGE_WARNING) : error(LOCAL_STORAGE_FATAL);
};

/** Pods no controller will recreate need --force. */
const unreplicatedFilter: PodFilter = (_cluster, pod, opts) => {
  if (isFinished(pod) || controllerOf(pod)) return okay();
  return opts.force ? warning(true, UNMANAGED_WARNING) : error(UNMANAGED_FATAL);
};

// ---------------------------------------------------------------------- evictPods and waitForDelete

interface EvictionTask {
  pod: KubeObject;
  phase: 'evict' | 'wait';
  due: number;
  /** Tie-break among tasks due at the same time: order of (re)scheduling. */
  seq: number;
}

/**
 * evictPods: for each pod, print `evicting pod ns/name` and POST its Eviction; on 429 print
 * kubectl's retry line and try again 5 s later; once accepted, poll every second until the pod
 * is gone (or replaced by another with the same name) and print `pod/name evicted`. The global
 * --timeout ends both loops. Returns the errors, as the goroutines report them.
 */
async function evictPods(cluster: Cluster, pods: KubeObject[], opts: DrainOptions, out: string[]): Promise<string[]> {
  const timeoutMs = opts.timeout === undefined ? 0 : parseDuration(opts.timeout);
  const globalTimeout = formatDuration(timeoutMs);
  const deadline = timeoutMs > 0 ? cluster.now() + timeoutMs : Infinity;
  let seq = 0;
  const tasks: EvictionTask[] = pods.map((pod) => ({ pod, phase: 'evict', due: cluster.now(), seq: seq++ }));
  const errors: string[] = [];
  while (tasks.length) {
    tasks.sort((a, b) => a.due - b.due || a.seq - b.seq);
    const task = tasks[0];
    if (task.due > cluster.now()) await cluster.runFor(task.due - cluster.now());
    const outcome = task.phase === 'evict' ? evictStep(cluster, task, opts, out, deadline, globalTimeout) : waitStep(cluster, task, out, deadline, globalTimeout);
    if (outcome === 'again') {
      task.seq = seq++;
      continue;
    }
    tasks.shift();
    if (outcome !== 'done') errors.push(outcome);
  }
  return errors;
}

/** One turn of the eviction loop: 'again' (rescheduled), 'done', or an error message. */
function evictStep(cluster: Cluster, task: EvictionTask, opts: DrainOptions, out: string[], deadline: number, globalTimeout: string): string {
  const { name, namespace } = task.pod.metadata;
  out.push(`evicting pod ${namespace}/${name}`);
  if (cluster.now() >= deadline) return `error when evicting pods/"${name}" -n "${namespace}": global timeout reached: ${globalTimeout}`;
  const r = evictPod(cluster, task.pod, opts);
  if (r.ok) {
    task.phase = 'wait';
    task.due = cluster.now();
    return 'again';
  }
  if (r.status.code === 404) return 'done';
  if (r.status.code === 429) {
    out.push(`error when evicting pods/"${name}" -n "${namespace}" (will retry after 5s): ${r.status.message}`);
    task.due = cluster.now() + EVICTION_RETRY_MS;
    return 'again';
  }
  return `error when evicting pods/"${name}" -n "${namespace}": ${r.status.message}`;
}

/** One poll of waitForDelete (PollImmediate: the first poll is at once). */
function waitStep(cluster: Cluster, task: EvictionTask, out: string[], deadline: number, globalTimeout: string): string {
  const { name, namespace, uid } = task.pod.metadata;
  let current: KubeObject | undefined;
  try {
    current = cluster.find('pod', name!, namespace);
  } catch (e) {
    if (!isStatusError(e)) throw e;
    return `error when waiting for pod "${name}" in namespace "${namespace}" to terminate: ${e.message}`;
  }
  if (!current || current.metadata.uid !== uid) {
    out.push(`pod/${name} evicted`);
    return 'done';
  }
  if (cluster.now() >= deadline) return `error when waiting for pod "${name}" in namespace "${namespace}" to terminate: global timeout reached: ${globalTimeout}`;
  task.due = cluster.now() + DELETE_POLL_MS;
  return 'again';
}

/** EvictPod: POST a policy/v1 Eviction with kubectl's DeleteOptions (the grace period when >= 0). */
function evictPod(cluster: Cluster, pod: KubeObject, opts: DrainOptions): ApiResult {
  const deleteOptions = opts.gracePeriodSeconds !== undefined && opts.gracePeriodSeconds >= 0 ? { gracePeriodSeconds: opts.gracePeriodSeconds } : {};
  return evict(cluster, pod.metadata.name!, { namespace: pod.metadata.namespace, deleteOptions });
}

/**
 * POST pods/NAME/eviction with a policy/v1 Eviction (as `kubectl drain` and the client-go
 * `EvictV1` call do); runs the cluster until the answer arrives and returns it (a Status on
 * success, the error Status otherwise). `body` replaces the Eviction sent, for odd requests.
 */
export function evict(cluster: Cluster, name: string, opts: { namespace?: string; deleteOptions?: Record<string, unknown>; body?: unknown } = {}): ApiResult {
  const namespace = opts.namespace ?? 'default';
  const body = opts.body ?? { apiVersion: 'policy/v1', kind: 'Eviction', metadata: { name, namespace }, deleteOptions: opts.deleteOptions ?? {} };
  let result: ApiResult | undefined;
  cluster.runtime.input('evict', { pod: `${namespace}/${name}` });
  drainClient(cluster).request({ verb: 'create', apiVersion: 'v1', kind: 'Pod', namespace, name, subresource: 'eviction', body }, (r) => { result = r; });
  cluster.runtime.runUntil(() => result !== undefined, { timeout: 60_000, what: `reply to the eviction of pod ${name}` });
  return result!;
}

/** utilerrors.NewAggregate(errs).Error(): one message as is, several as `[a, b]` (duplicates once). */
function aggregate(errs: string[]): string {
  const unique = [...new Set(errs)];
  return unique.length === 1 ? unique[0] : `[${unique.join(', ')}]`;
}

// ---------------------------------------------------------------------- the client that POSTs evictions

/** The Cluster API has no POST for subresources other than through its private kubectl client. */
const DRAIN_CLIENT = 'kubectl-drain';

class DrainClientActor implements ActorLogic {
  client!: ApiClient;
  start(ctx: ActorContext): void {
    this.client = new ApiClient(ctx, SYSTEM_MASTERS);
  }
  receive(env: Envelope): void {
    this.client.handle(env);
  }
}

function drainClient(cluster: Cluster): ApiClient {
  const rt = cluster.runtime;
  if (rt.status(DRAIN_CLIENT) !== 'running') rt.spawn({ id: DRAIN_CLIENT, type: 'client', restart: 'temporary', start: () => new DrainClientActor() }, '');
  return (rt.logicOf(DRAIN_CLIENT) as DrainClientActor).client;
}
