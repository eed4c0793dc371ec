// The pod status a kubelet reports (pkg/kubelet/kubelet_pods.go generateAPIPodStatus,
// getPhase; pkg/kubelet/status/generate.go for the conditions), computed from the container
// machines' snapshots. Pure.
import type { KubeObject } from '../../api/types.ts';
import { formatTime } from '../../api/time.ts';
import { deepEqual, intern } from '../../api/equal.ts';
import type { ContainerContext, Termination } from '../../machines/container.ts';
import type { PodPhase } from '../../machines/pod.ts';
import { backOffPullingMessage } from '../../cri/images.ts';

export interface ContainerView {
  name: string;
  image: string;
  imageID: string;
  containerID: string | undefined;
  /** The container machine's state value and context. */
  value: any;
  context: ContainerContext;
}

export interface PodView {
  pod: KubeObject;
  /**
   * The status the kubelet last generated for the pod (its status manager's copy; generateAPIPodStatus'
   * oldPodStatus): the transition times of the conditions the kubelet owns and the parts that did
   * not change come from it. The API's status until the first.
   */
  previous?: any;
  init: ContainerView[];
  app: ContainerView[];
  sandboxReady: boolean;
  initialized: boolean;
  terminating: boolean;
  rejected?: { reason: string; message: string };
  podIP: string | undefined;
  hostIP: string;
  startTime: number | undefined;
  now: number;
  epoch: number;
}

export function topState(value: any): string {
  return typeof value === 'string' ? value : Object.keys(value)[0];
}

/**
 * The waiting reason of a container. One not started yet shows the kubelet's default waiting
 * state: PodInitializing in a pod with init containers, else ContainerCreating
 * (convertToAPIContainerStatuses' defaultWaitingState).
 */
function waitingReason(value: any, pod: KubeObject): string {
  const inner = typeof value === 'string' ? undefined : value.Waiting;
  if (!inner) return 'ContainerCreating';
  const reason = typeof inner === 'string' ? inner : Object.keys(inner)[0];
  if (reason === 'Idle') return (pod.spec?.initContainers ?? []).length > 0 ? 'PodInitializing' : 'ContainerCreating';
  if (reason === 'Creating') return 'ContainerCreating';
  return reason;
}

function terminatedState(t: Termination, containerID: string | undefined, epoch: number): any {
  const s: any = { exitCode: t.exitCode, reason: t.reason, startedAt: formatTime(t.startedAt, epoch), finishedAt: formatTime(t.finishedAt, epoch) };
  if (t.message) s.message = t.message;
  const id = t.containerID ?? containerID;
  if (id) s.containerID = id;
  return { terminated: s };
}

/** The container's v1.ContainerStatus. */
export function containerStatus(c: ContainerView, epoch: number, pod: KubeObject): any {
  const ctx = c.context;
  const top = topState(c.value);
  let state: any;
  if (top === 'Running' || top === 'Stopping') state = { running: { startedAt: formatTime(ctx.startedAt ?? 0, epoch) } };
  else if ((top === 'Terminated' || top === 'Dead') && ctx.termination) state = terminatedState(ctx.termination, c.containerID, epoch);
  else {
    const shown = top === 'Dead' ? 'ContainerCreating' : waitingReason(c.value, pod);
    // A failed pull shows its own reason (ErrImagePull, ErrImageNeverPull, ...).
    const reason = shown === 'ErrImagePull' ? ctx.pullReason ?? shown : shown;
    state = { waiting: { reason } };
    if (reason === 'CrashLoopBackOff') {
      state.waiting.message = `back-off ${Math.round((ctx.backoff?.ms ?? 0) / 1000)}s restarting failed container=${c.name} pod=${pod.metadata.name}_${pod.metadata.namespace}(${pod.metadata.uid})`;
    } else if (reason === 'ImagePullBackOff' && ctx.message) {
      // 1.32's image manager: the back-off message, then the last pull's error (prevPullErrMsg).
      state.waiting.message = `${backOffPullingMessage(c.image)}: ${ctx.pullReason ?? 'ErrImagePull'}: ${ctx.message}`;
    } else if (ctx.message && reason !== 'PodInitializing' && reason !== 'ContainerCreating') state.waiting.message = ctx.message;
  }
  // Waiting to restart (CrashLoopBackOff), the exit just seen is the last state, as upstream's
  // convertToAPIContainerStatuses moves State.Terminated to LastTerminationState.
  const last = top === 'Waiting' && ctx.termination ? ctx.termination : ctx.lastTermination;
  const status: any = {
    name: c.name, state, lastState: last ? terminatedState(last, undefined, epoch) : {},
    ready: top === 'Running' && ctx.ready, restartCount: ctx.restartCount, image: c.image, imageID: c.imageID,
  };
  if (c.containerID && (top !== 'Waiting' || last)) status.containerID = c.containerID;
  status.started = top === 'Running' && ctx.started;
  return status;
}

/** getPhase (kubelet_pods.go): the phase from the containers and the restart policy. */
export function podPhase(view: PodView, statuses: any[], initStatuses: any[]): PodPhase {
  const policy = view.pod.spec?.restartPolicy ?? 'Always';
  if (view.rejected) return 'Failed';
  let pendingInit = 0;
  for (let i = 0; i < initStatuses.length; i++) {
    if (view.init[i].context.kind === 'sidecar') continue;
    const t = initStatuses[i].state.terminated;
    if (t && t.exitCode === 0) continue;
    if (t && policy === 'Never') return 'Failed';
    pendingInit++;
  }
  let waiting = 0;
  let running = 0;
  let stopped = 0;
  let succeeded = 0;
  for (const s of statuses) {
    if (s.state.running) running++;
    else if (s.state.terminated) {
      stopped++;
      if (s.state.terminated.exitCode === 0) succeeded++;
    } else if (s.state.waiting) {
      if (s.lastState.terminated) stopped++;
      else waiting++;
    }
  }
  if (pendingInit > 0 && !view.initialized) return 'Pending';
  if (waiting > 0) return 'Pending';
  if (running > 0) return 'Running';
  if (stopped > 0) {
    if (view.terminating) return stopped === succeeded ? 'Succeeded' : 'Failed';
    if (policy === 'Always') return 'Running';
    if (stopped === succeeded) return 'Succeeded';
    if (policy === 'Never') return 'Failed';
    return 'Running';
  }
  return 'Pending';
}

function condition(type: string, ok: boolean, prev: any[] | undefined, now: string, reason?: string, message?: string): any {
  const status = ok ? 'True' : 'False';
  const old = prev?.find((c) => c.type === type);
  const c: any = { type, status, lastProbeTime: null, lastTransitionTime: old && old.status === status ? old.lastTransitionTime : now };
  if (!ok && reason) c.reason = reason;
  if (!ok && message) c.message = message;
  // Unchanged, it is the posted condition itself: the next stored version shares it.
  return same(c, old);
}

/** `next`, or the posted `prev` where it equals it (the next stored version then shares it). */
function same<T>(next: T, prev: T | undefined): T {
  return prev !== undefined && deepEqual(next, prev) ? prev : next;
}

/** The posted container statuses where nothing changed (element by element, then the array). */
function sameStatuses(next: any[], prev: any[] | undefined): any[] {
  if (!prev) return next;
  let all = next.length === prev.length;
  for (let i = 0; i < next.length; i++) {
    const old = prev.find((p) => p.name === next[i].name);
    next[i] = same(next[i], old);
    if (next[i] !== prev[i]) all = false;
  }
  return all ? prev : next;
}

/**
 * Why the pod's readiness gates hold it back (GeneratePodReadyCondition's message), or undefined
 * when they all pass. A gate is a condition other controllers set: the API's status has it.
 */
function readinessGatesNotReady(pod: KubeObject, conditions: any[] | undefined): string | undefined {
  const gates: any[] | undefined = pod.spec?.readinessGates;
  if (!gates?.length) return undefined;
  const unready: string[] = [];
  for (const g of gates) {
    const c = (conditions ?? []).find((x: any) => x.type === g.conditionType);
    if (!c) unready.push(`corresponding condition of pod readiness gate "${g.conditionType}" does not exist.`);
    else if (c.status !== 'True') unready.push(`the status of pod readiness gate "${g.conditionType}" is not "True", but ${c.status}`);
  }
  return unready.length ? unready.join(', ') : undefined;
}

/** The whole v1.PodStatus the kubelet posts. */
export function computePodStatus(view: PodView): any {
  const { pod, epoch } = view;
  const now = formatTime(view.now, epoch);
  const api = pod.status;
  // What the kubelet last generated (or the API's status): transition times and unchanged parts come from it.
  const posted = view.previous ?? api;
  const prev = posted?.conditions;
  const initStatuses = view.init.map((c) => containerStatus(c, epoch, pod));
  const statuses = view.app.map((c) => containerStatus(c, epoch, pod));
  const phase = podPhase(view, statuses, initStatuses);
  const notReady = statuses.filter((s) => !s.ready).map((s) => s.name);
  const terminal = phase === 'Succeeded' || phase === 'Failed';
  const containersReady = notReady.length === 0 && statuses.length > 0 && !view.terminating;
  const gates = readinessGatesNotReady(pod, api?.conditions);
  const unreadyMsg = intern(`containers with unready status: [${notReady.join(' ')}]`);
  const initPending = view.init.filter((c, i) => c.context.kind !== 'sidecar' && initStatuses[i].state.terminated?.exitCode !== 0).map((c) => c.name);
  const conditions = [
    condition('PodReadyToStartContainers', view.sandboxReady && !terminal, prev, now),
    condition('Initialized', view.initialized || initPending.length === 0, prev, now, 'ContainersNotInitialized', `containers with incomplete status: [${initPending.join(' ')}]`),
    // GeneratePodReadyCondition: as ContainersReady while that is False; then the readiness gates.
    containersReady && gates
      ? condition('Ready', false, prev, now, 'ReadinessGatesNotReady', gates)
      : condition('Ready', containersReady, prev, now, terminal ? 'PodCompleted' : 'ContainersNotReady', terminal ? undefined : unreadyMsg),
    condition('ContainersReady', containersReady, prev, now, terminal ? 'PodCompleted' : 'ContainersNotReady', terminal ? undefined : unreadyMsg),
    (prev ?? []).find((c: any) => c.type === 'PodScheduled') ?? condition('PodScheduled', true, prev, now),
  ];
  // The conditions the kubelet does not own, as the API has them (readiness gates, DisruptionTarget).
  for (const c of api?.conditions ?? []) if (!conditions.some((x) => x.type === c.type)) conditions.push(c);
  const status: any = { phase, conditions, hostIP: view.hostIP, hostIPs: same([{ ip: view.hostIP }], posted?.hostIPs) };
  if (view.podIP) {
    status.podIP = view.podIP;
    status.podIPs = same([{ ip: view.podIP }], posted?.podIPs);
  }
  if (view.startTime !== undefined) status.startTime = formatTime(view.startTime, epoch);
  if (initStatuses.length) status.initContainerStatuses = sameStatuses(initStatuses, posted?.initContainerStatuses);
  status.containerStatuses = sameStatuses(statuses, posted?.containerStatuses);
  status.qosClass = pod.status?.qosClass;
  if (view.rejected) {
    status.reason = view.rejected.reason;
    status.message = view.rejected.message;
  }
  return status;
}
