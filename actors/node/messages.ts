// Messages between a kubelet and its pod workers, and the node identity.
import type { KubeObject, UserInfo } from '../../api/types.ts';

export const POD_STATUS = 'kubelet.podStatus';
export const POD_EVENT = 'kubelet.podEvent';
export const POD_TERMINATED = 'kubelet.podTerminated';
export const POD_DELETE = 'kubelet.podDelete';
export const POD_UPDATE = 'kubelet.podUpdate';
/** What the kubelet's NodeStatus reports changed on the host (an image pulled, the container runtime broke or was repaired). */
export const HOST_CHANGED = 'kubelet.hostChanged';

/** A fault: the container's process dies with this exit code (a segfault, an OOM kill from outside). */
export const CONTAINER_CRASH = 'kubelet.containerCrash';

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
