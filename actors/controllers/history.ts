// ControllerRevision helpers shared by the DaemonSet and StatefulSet controllers, after
// pkg/controller/history/controller_history.go (names, hashes, ordering, create with collision
// retry, adopt/release) and pkg/controller/controller_utils.go ComputeHash (the pod template hash
// behind the `controller-revision-hash` and `pod-template-hash` labels).
//
// Hashes follow upstream's recipe (FNV-32 / FNV-32a, the decimal digits of the sum passed through
// rand.SafeEncodeString), but what is hashed is this simulator's canonical JSON of the object,
// not Go's spew dump of the struct: the names have upstream's shape, not upstream's values.
// Writes answer by callback (never promises), so every helper that talks to the API takes one.
import type { KubeObject } from '../../api/types.ts';
import type { ApiResult } from '../../api/request.ts';
import type { LabelSelector } from '../../api/selectors.ts';
import { deepEqual, clone } from '../../api/equal.ts';
import { parseTime } from '../../api/time.ts';
import type { ApiClient } from '../../client/client.ts';
import type { Informer } from '../../client/informer.ts';
import type { CanAdopt } from './controller-ref.ts';
import { claimCandidates, getControllerOf, newControllerRef } from './controller-utils.ts';

/** apps.ControllerRevisionHashLabelKey: on DaemonSet and StatefulSet pods and DaemonSet revisions. */
export const CONTROLLER_REVISION_HASH_LABEL = 'controller-revision-hash';
/** history.ControllerRevisionHashLabel: the hash label NewControllerRevision puts on a revision. */
export const HISTORY_HASH_LABEL = 'controller.kubernetes.io/hash';
/** ControllerRevisionName truncates the prefix to this many bytes (253 − 1 − a 29-byte hash). */
export const MAX_REVISION_PREFIX_LENGTH = 223;

export const CONTROLLER_REVISION_KIND = { apiVersion: 'apps/v1', kind: 'ControllerRevision' };
const SMP = 'application/strategic-merge-patch+json' as const;

// ---------------------------------------------------------------------- hashing

const FNV_OFFSET_32 = 2166136261;
const FNV_PRIME_32 = 16777619;
const encoder = new TextEncoder();

/** hash/fnv New32a over bytes, continuing from `seed` (the running sum). */
export function fnv32a(bytes: Uint8Array, seed = FNV_OFFSET_32): number {
  let h = seed >>> 0;
  for (const b of bytes) h = Math.imul(h ^ b, FNV_PRIME_32) >>> 0;
  return h;
}

/** hash/fnv New32 (multiply, then xor) over bytes, continuing from `seed`. */
export function fnv32(bytes: Uint8Array, seed = FNV_OFFSET_32): number {
  let h = seed >>> 0;
  for (const b of bytes) h = (Math.imul(h, FNV_PRIME_32) ^ b) >>> 0;
  return h;
}

/** rand.SafeEncodeString's alphabet: no vowels, no 0/1/3, so no words and no look-alikes. */
const SAFE_ALPHANUMS = 'bcdfghjklmnpqrstvwxz2456789';

/** rand.SafeEncodeString: each byte mapped into the safe alphabet (`"123"` → `"567"`). */
export function safeEncodeString(s: string): string {
  let out = '';
  for (const b of encoder.encode(s)) out += SAFE_ALPHANUMS[b % SAFE_ALPHANUMS.length];
  return out;
}

/** JSON with object keys sorted, so equal objects hash equally whatever their key order. */
export function canonicalJSON(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map((x) => (x === undefined ? 'null' : canonicalJSON(x))).join(',')}]`;
  const obj = v as Record<string, unknown>;
  const keys = Object.keys(obj).filter((k) => obj[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJSON(obj[k])}`).join(',')}}`;
}

/**
 * controller.ComputeHash: FNV-32a of the pod template, then of collisionCount as 8 bytes
 * (little-endian uint32, zero-padded) when it is set; safe-encoded decimal of the sum.
 */
export function computeHash(template: unknown, collisionCount?: number | null): string {
  let h = fnv32a(encoder.encode(canonicalJSON(template ?? {})));
  if (collisionCount !== undefined && collisionCount !== null) {
    const bytes = new Uint8Array(8);
    new DataView(bytes.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(bytes, h);
  }
  return safeEncodeString(String(h));
}

/** HashControllerRevision: FNV-32 of the revision's data, then of the probe's decimal digits. */
export function hashControllerRevision(revision: KubeObject, probe?: number | null): string {
  let h = fnv32(encoder.encode(canonicalJSON(revision.data ?? null)));
  if (probe !== undefined && probe !== null) h = fnv32(encoder.encode(String(probe)), h);
  return safeEncodeString(String(h));
}

/** ControllerRevisionName: `<prefix>-<hash>`, the prefix cut to 223 bytes. */
export function controllerRevisionName(prefix: string, hash: string): string {
  return `${prefix.length > MAX_REVISION_PREFIX_LENGTH ? prefix.slice(0, MAX_REVISION_PREFIX_LENGTH) : prefix}-${hash}`;
}

// ---------------------------------------------------------------------- building and ordering

/**
 * NewControllerRevision: a revision controlled by `parent`, labelled like the template plus
 * controller.kubernetes.io/hash, named `<parent>-<hash of data and collisionCount>`.
 */
export function newControllerRevision(parent: KubeObject, templateLabels: Record<string, string> | undefined, data: unknown,
  revision: number, collisionCount?: number | null): KubeObject {
  const cr: KubeObject = {
    apiVersion: 'apps/v1', kind: 'ControllerRevision',
    metadata: { namespace: parent.metadata.namespace, labels: { ...(templateLabels ?? {}) }, ownerReferences: [newControllerRef(parent)] },
    data: clone(data), revision,
  };
  const hash = hashControllerRevision(cr, collisionCount);
  cr.metadata.name = controllerRevisionName(parent.metadata.name!, hash);
  cr.metadata.labels![HISTORY_HASH_LABEL] = hash;
  return cr;
}

/** byRevision.Less: by revision, then creation time, then name. */
export function compareRevisions(a: KubeObject, b: KubeObject): number {
  const ra = a.revision ?? 0;
  const rb = b.revision ?? 0;
  if (ra !== rb) return ra - rb;
  const ta = a.metadata.creationTimestamp ? parseTime(a.metadata.creationTimestamp) : 0;
  const tb = b.metadata.creationTimestamp ? parseTime(b.metadata.creationTimestamp) : 0;
  if (ta !== tb) return ta - tb;
  return a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0;
}

/** SortControllerRevisions: a sorted copy (stable), oldest revision first. */
export function sortControllerRevisions(revisions: readonly KubeObject[]): KubeObject[] {
  return [...revisions].sort(compareRevisions);
}

/** EqualRevision: different hash labels mean different; otherwise the data decides. */
export function equalRevision(lhs: KubeObject | undefined, rhs: KubeObject | undefined): boolean {
  if (!lhs || !rhs) return lhs === rhs;
  const lh = lhs.metadata.labels?.[HISTORY_HASH_LABEL];
  const rh = rhs.metadata.labels?.[HISTORY_HASH_LABEL];
  if (lh !== undefined && rh !== undefined && lh !== rh) return false;
  return deepEqual(lhs.data ?? null, rhs.data ?? null);
}

/** FindEqualRevisions: the revisions equal to `needle`, in their order. */
export function findEqualRevisions(revisions: readonly KubeObject[], needle: KubeObject): KubeObject[] {
  return revisions.filter((r) => equalRevision(r, needle));
}

/** The highest revision number (0 for none): the DaemonSet's maxRevision, the StatefulSet's base for nextRevision. */
export function maxRevision(revisions: readonly KubeObject[]): number {
  return revisions.reduce((m, r) => Math.max(m, r.revision ?? 0), 0);
}

/** nextRevision (StatefulSet): one more than the last revision of a sorted list. */
export function nextRevision(revisions: readonly KubeObject[]): number {
  return revisions.length === 0 ? 1 : (revisions[revisions.length - 1].revision ?? 0) + 1;
}

/** ListControllerRevisions: the cached revisions of the parent's namespace that match and are owned by it or by nobody. */
export function listControllerRevisions(informer: Informer, parent: KubeObject, selector: LabelSelector): KubeObject[] {
  return claimCandidates(informer, parent).filter((r) => {
    if (!selector.matches(r.metadata.labels)) return false;
    const ref = getControllerOf(r);
    return !ref || ref.uid === parent.metadata.uid;
  });
}

// ---------------------------------------------------------------------- writes

export type RevisionCallback = (err: string | undefined, revision?: KubeObject) => void;

/** How often CreateControllerRevision renames on a collision before giving up (upstream loops unbounded). */
export const MAX_CREATE_COLLISIONS = 100;

/**
 * CreateControllerRevision: creates `revision` named `<parent>-<hash(data, collisionCount)>`;
 * on AlreadyExists it GETs the existing one: the same data means done, other data bumps
 * collisionCount and tries the next name. `cb` also gets the final collisionCount, which the
 * caller stores in its status.
 */
export function createControllerRevision(client: ApiClient, parent: KubeObject, revision: KubeObject, collisionCount: number,
  cb: (err: string | undefined, created: KubeObject | undefined, collisionCount: number) => void): void {
  const attempt = (count: number, tries: number): void => {
    const body = clone(revision);
    body.metadata.name = controllerRevisionName(parent.metadata.name!, hashControllerRevision(revision, count));
    body.metadata.namespace = parent.metadata.namespace;
    client.create(body, (r: ApiResult) => {
      if (r.ok) return cb(undefined, r.object, count);
      if (r.status.reason !== 'AlreadyExists') return cb(r.status.message, undefined, count);
      client.get(CONTROLLER_REVISION_KIND, parent.metadata.namespace, body.metadata.name!, (g) => {
        if (!g.ok) return cb(g.status.message, undefined, count);
        if (deepEqual(g.object.data ?? null, body.data ?? null)) return cb(undefined, g.object, count);
        if (tries >= MAX_CREATE_COLLISIONS) return cb(`too many hash collisions creating a revision of ${parent.metadata.name}`, undefined, count + 1);
        attempt(count + 1, tries + 1);
      });
    });
  };
  attempt(collisionCount, 0);
}

/** UpdateControllerRevision: sets `revision` to newRevision (one retry from a fresh GET on a conflict). */
export function updateControllerRevision(client: ApiClient, revision: KubeObject, newRevision: number, cb: RevisionCallback): void {
  const attempt = (current: KubeObject, retries: number): void => {
    if (current.revision === newRevision) return cb(undefined, current);
    client.update({ ...current, metadata: { ...current.metadata }, revision: newRevision }, (r) => {
      if (r.ok) return cb(undefined, r.object);
      if (r.status.code !== 409 || retries <= 0) return cb(r.status.message);
      client.get(CONTROLLER_REVISION_KIND, current.metadata.namespace, current.metadata.name!, (g) => {
        if (!g.ok) cb(g.status.message);
        else attempt(g.object, retries - 1);
      });
    });
  };
  attempt(revision, 1);
}

/** DeleteControllerRevision. A revision already gone is not an error. */
export function deleteControllerRevision(client: ApiClient, revision: KubeObject, cb: (err?: string) => void): void {
  client.delete(CONTROLLER_REVISION_KIND, revision.metadata.namespace, revision.metadata.name!, {}, (r) => cb(r.ok || r.status.code === 404 ? undefined : r.status.message));
}

/**
 * ControllerRevisionControllerRefManager.ClaimControllerRevisions: keeps the revisions the parent
 * controls that still match, releases those that no longer match, adopts matching orphans
 * (after `canAdopt` confirms the parent is not being deleted). `done` gets the claimed revisions
 * and the errors of failed writes.
 */
export function claimControllerRevisions(client: ApiClient, parent: KubeObject, selector: LabelSelector, revisions: readonly KubeObject[],
  canAdopt: CanAdopt, done: (claimed: KubeObject[], errors: string[]) => void): void {
  const claimed: Array<KubeObject | undefined> = new Array(revisions.length);
  const errors: string[] = [];
  let adoptAnswer: string | undefined | null = null;
  let adoptWaiters: Array<(reason: string | undefined) => void> | undefined;
  const checkAdopt = (cb: (reason: string | undefined) => void): void => {
    if (adoptAnswer !== null) return cb(adoptAnswer);
    if (adoptWaiters) return void adoptWaiters.push(cb);
    adoptWaiters = [cb];
    canAdopt((reason) => {
      adoptAnswer = reason;
      for (const w of adoptWaiters!) w(reason);
    });
  };
  let pending = 1;
  const finish = () => {
    if (--pending === 0) done(claimed.filter((r): r is KubeObject => r !== undefined), errors);
  };
  revisions.forEach((rev, i) => {
    const ref = getControllerOf(rev);
    const matches = selector.matches(rev.metadata.labels);
    const parentDeleting = Boolean(parent.metadata.deletionTimestamp);
    if (ref) {
      if (ref.uid !== parent.metadata.uid) return;
      if (matches) {
        claimed[i] = rev;
        return;
      }
      if (parentDeleting) return;
      pending++;
      const patch = { metadata: { ownerReferences: [{ $patch: 'delete', uid: parent.metadata.uid }], uid: rev.metadata.uid } };
      client.patch(CONTROLLER_REVISION_KIND, rev.metadata.namespace, rev.metadata.name!, patch, SMP, (r) => {
        if (!r.ok && r.status.code !== 404 && r.status.code !== 422) errors.push(r.status.message);
        finish();
      });
      return;
    }
    if (parentDeleting || !matches || rev.metadata.deletionTimestamp) return;
    pending++;
    checkAdopt((reason) => {
      if (reason) {
        errors.push(`can't adopt ControllerRevision ${rev.metadata.namespace}/${rev.metadata.name} (${rev.metadata.uid}): ${reason}`);
        return finish();
      }
      const patch = { metadata: { ownerReferences: [newControllerRef(parent)], uid: rev.metadata.uid } };
      client.patch(CONTROLLER_REVISION_KIND, rev.metadata.namespace, rev.metadata.name!, patch, SMP, (r) => {
        if (r.ok) claimed[i] = r.object;
        else if (r.status.code !== 404) errors.push(r.status.message);
        finish();
      });
    });
  });
  finish();
}
