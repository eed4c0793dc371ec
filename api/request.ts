// The API's request and response shapes: what a client sends to the kube-apiserver actor.
import type { KubeObject, UserInfo, WatchEvent } from './types.ts';
import type { Status } from './errors.ts';
import type { PatchType } from './patch.ts';

export type Verb = 'create' | 'get' | 'list' | 'update' | 'patch' | 'delete' | 'watch' | 'unwatch';

/** DeleteOptions (metav1.DeleteOptions). */
export interface DeleteOptions {
  gracePeriodSeconds?: number;
  propagationPolicy?: 'Foreground' | 'Background' | 'Orphan';
  preconditions?: { uid?: string; resourceVersion?: string };
}

export interface ListOptions {
  labelSelector?: string;
  fieldSelector?: string;
  /** For watch: start after this version; '' or '0' = send the current state first. */
  resourceVersion?: string;
  /**
   * kubesim's own, for the system's informers: take a standing heartbeat as one STANDING event
   * instead of a MODIFIED event per period (api/heartbeats.ts). Other watches get every write.
   */
  coalesceHeartbeats?: boolean;
  /**
   * kubesim's own, for the every-kind pseudo-resource ('*'): resources to leave out (by plural
   * name, any group), as the garbage collector ignores events (DefaultIgnoredResources).
   */
  excludeResources?: string[];
}

/** One API request. `kind` and `apiVersion` name the resource; `body` is the object to write. */
export interface ApiRequest {
  verb: Verb;
  apiVersion: string;
  kind: string;
  namespace?: string;
  name?: string;
  /** 'status', 'scale', 'finalize', 'binding', 'eviction' */
  subresource?: string;
  body?: unknown;
  patchType?: PatchType;
  deleteOptions?: DeleteOptions;
  listOptions?: ListOptions;
  dryRun?: boolean;
  /** Client-chosen watch id (watch and unwatch). */
  watchId?: string;
  /**
   * kubesim's own, for system components' hot paths (event recorders, the kubelet's status
   * manager): the sender hands the body over and never changes it again, so the server may keep
   * its parts, frozen, instead of copying them.
   */
  transfer?: boolean;
}

export type ApiResult =
  | { ok: true; object: KubeObject }
  | { ok: false; status: Status };

/** Messages on the wire between a client actor and the kube-apiserver actor. */
export interface ApiRequestMessage {
  type: 'api.request';
  id: number;
  user: UserInfo;
  request: ApiRequest;
  /** Nobody waits for the answer (an event broadcaster's write): the server sends none. */
  noReply?: boolean;
  [k: string]: unknown;
}

export interface ApiResponseMessage {
  type: 'api.response';
  id: number;
  result: ApiResult;
  [k: string]: unknown;
}

export interface ApiWatchMessage {
  type: 'api.watch';
  watchId: string;
  event: WatchEvent;
  [k: string]: unknown;
}

/** The kube-apiserver actor's id. */
export const APISERVER = 'kube-apiserver';
