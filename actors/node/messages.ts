// Messages between a kubelet and its pod workers, what a pod worker reports to its kubelet, and
// the node identity.
import type { KubeObject, UserInfo } from '../../api/types.ts';
import type { CachedKind } from './object-cache.ts';

export const POD_TERMINATED = 'kubelet.podTerminated';
export const POD_DELETE = 'kubelet.podDelete';
export const POD_UPDATE = 'kubelet.podUpdate';
/** What the kubelet's NodeStatus reports changed on the host (an image pulled, the container runtime broke or was repaired). */
export const HOST_CHANGED = 'kubelet.hostChanged';

/** A fault: the container's process dies with this exit code (a segfault, an OOM kill from outside). */
export const CONTAINER_CRASH = 'kubelet.containerCrash';

/** A pod's status as its worker computed it (status manager SetPodStatus). */
export interface PodStatusReport {
  uid: string;
  namespace: string;
  name: string;
  status: any;
}

/** An event about a pod (or one of its containers) for the kubelet's recorder. */
export interface PodEventReport {
  uid: string;
  namespace: string;
  name: string;
  eventType: 'Normal' | 'Warning';
  reason: string;
  message: string;
  fieldPath?: string;
}

/**
 * The kubelet's status manager and event recorder as its pod workers call them. Pod workers are
 * goroutines of the kubelet and call these directly, in the worker's own step; the status
 * manager's write to the API server is still a separate step (kubelet.flushStatus).
 */
export interface KubeletPort {
  /** Hands the status manager a pod's status; returns the status it holds for the pod (an equal one it kept, or this one). */
  setPodStatus(r: PodStatusReport): unknown;
  podEvent(r: PodEventReport): void;
  /** The ConfigMap or Secret from the kubelet's watch-based cache; undefined until it has listed. */
  cachedObject(kind: CachedKind, namespace: string, name: string): { object: KubeObject | undefined } | undefined;
}

export interface ContainerCrash {
  type: typeof CONTAINER_CRASH;
  container: string;
  exitCode: number;
}

export interface PodDelete {
  type: typeof POD_DELETE;
  graceMs: number;
}

export interface PodUpdate {
  type: typeof POD_UPDATE;
  pod: KubeObject;
}

/** The kubelet's identity (Node authorizer: system:node:<name> in group system:nodes). */
export function nodeUser(node: string): UserInfo {
  return { username: `system:node:${node}`, groups: ['system:nodes', 'system:authenticated'] };
}

/** Requests a kubelet gives up on (client timeout): a partitioned node notices it is cut off. */
export const KUBELET_REQUEST_TIMEOUT_MS = 10_000;
