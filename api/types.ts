// Kubernetes object shapes shared by the API machinery, the client and the actors.
// Objects are plain Kubernetes JSON (apiVersion, kind, metadata, spec, status).
import type { ObjectMeta as K8sObjectMeta, OwnerReference as K8sOwnerReference } from 'kubernetes-types/meta/v1.js';

/** kubernetes-types declares fields readonly; the API server and controllers build objects. */
export type Mutable<T> = T extends ReadonlyArray<infer U> ? Mutable<U>[] : T extends object ? { -readonly [K in keyof T]: Mutable<T[K]> } : T;

export type ObjectMeta = Mutable<K8sObjectMeta>;
export type OwnerReference = Mutable<K8sOwnerReference>;

/** Any Kubernetes object as stored by the API server. */
export interface KubeObject {
  apiVersion: string;
  kind: string;
  metadata: ObjectMeta;
  spec?: any;
  status?: any;
  [field: string]: any;
}

/** The identity a request is made with (authentication's output). */
export interface UserInfo {
  username: string;
  groups: string[];
}

export const SYSTEM_MASTERS: UserInfo = { username: 'kubernetes-admin', groups: ['system:masters', 'system:authenticated'] };

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED' | 'BOOKMARK' | 'ERROR';

export interface WatchEvent<T = KubeObject> {
  /**
   * STANDING is kubesim's own: sent only to watches that asked for coalesced heartbeats (the
   * system's informers), it says a standing heartbeat now renews the object every period
   * (`standing`), or no longer does (`standing: null`). See api/heartbeats.ts.
   */
  type: WatchEventType | 'STANDING';
  object: T;
  standing?: import('./heartbeats.ts').StandingHeartbeat | null;
}
