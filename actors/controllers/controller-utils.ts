// Small helpers the workload and node controllers share, after pkg/controller/controller_utils.go,
// apimachinery's metav1.GetControllerOf and pkg/api/v1/pod's UpdatePodCondition.
import type { Informer } from '../../client/informer.ts';
import type { KubeObject, OwnerReference } from '../../api/types.ts';
import type { PodCondition } from '../../api/podutil.ts';
import type { Status } from '../../api/errors.ts';
import type { ApiResult } from '../../api/request.ts';
import { labelSelectorFromMeta, type LabelSelector } from '../../api/selectors.ts';

/** PodKey: `<namespace>/<name>`, the key expectations and workqueues use. */
export function podKey(pod: KubeObject): string {
  return `${pod.metadata.namespace ?? ''}/${pod.metadata.name}`;
}

/** Splits a `<namespace>/<name>` key. */
export function splitKey(key: string): [string, string] {
  const i = key.indexOf('/');
  return i < 0 ? ['', key] : [key.slice(0, i), key.slice(i + 1)];
}

/** A Namespace that exists and is not terminating (where per-namespace controllers keep their objects). */
export function isNamespaceActive(ns: KubeObject | undefined): ns is KubeObject {
  return Boolean(ns) && !ns!.metadata.deletionTimestamp && (ns!.status?.phase ?? 'Active') === 'Active';
}

/**
 * The answer to writing an object a namespace must have: the namespace's key goes back on the
 * queue (rate-limited) unless the write worked, the object already exists or the namespace is gone.
 */
export function requeueUnlessDone(requeue: () => void): (r: ApiResult) => void {
  return (r) => {
    if (!r.ok && r.status.reason !== 'AlreadyExists' && r.status.code !== 404) requeue();
  };
}

/** metav1.GetControllerOf: the owner reference with controller=true. */
export function getControllerOf(obj: KubeObject): OwnerReference | undefined {
  const refs: OwnerReference[] | undefined = obj.metadata.ownerReferences;
  if (refs) for (let i = 0; i < refs.length; i++) if (refs[i].controller === true) return refs[i];
  return undefined;
}

/** metav1.NewControllerRef: a reference that makes `owner` the controller and blocks its foreground deletion. */
export function newControllerRef(owner: KubeObject): OwnerReference {
  return { apiVersion: owner.apiVersion, kind: owner.kind, name: owner.metadata.name!, uid: owner.metadata.uid!, controller: true, blockOwnerDeletion: true };
}

/**
 * UpdatePodCondition (pkg/api/v1/pod): sets `condition` in `conditions` (lastTransitionTime =
 * now unless the status is unchanged) and reports whether anything changed.
 */
export function updatePodCondition(conditions: PodCondition[], condition: PodCondition, now: string): { conditions: PodCondition[]; changed: boolean } {
  const next: PodCondition = { ...condition, lastTransitionTime: now };
  const i = conditions.findIndex((c) => c.type === condition.type);
  if (i < 0) return { conditions: [...conditions, next], changed: true };
  const old = conditions[i];
  if (next.status === old.status) next.lastTransitionTime = old.lastTransitionTime;
  const equal = next.status === old.status && (next.reason ?? '') === (old.reason ?? '') && (next.message ?? '') === (old.message ?? '')
    && (next.lastProbeTime ?? null) === (old.lastProbeTime ?? null) && next.lastTransitionTime === old.lastTransitionTime;
  const out = [...conditions];
  out[i] = next;
  return { conditions: out, changed: !equal };
}

/** apierrors.HasStatusCause: the Status carries a cause of this type (e.g. NamespaceTerminating). */
export function hasStatusCause(status: Status, cause: string): boolean {
  return (status.details?.causes ?? []).some((c) => (c.reason as string) === cause);
}

/** client-go DefaultControllerRateLimiter's per-item back-off: 5 ms × 2^(failures−1), at most 1000 s. */
export function itemBackoffMs(failures: number): number {
  return Math.min(5 * 2 ** Math.max(0, failures - 1), 1_000_000);
}

/** cmd/kube-controller-manager ResyncPeriod: MinResyncPeriod (12 h) × a random factor in [1, 2). */
export const MIN_RESYNC_PERIOD_MS = 12 * 3_600_000;
export function resyncPeriod(random: { next(): number }): number {
  return Math.floor(MIN_RESYNC_PERIOD_MS * (1 + random.next()));
}

/** Index name: objects without a controller reference, by namespace (what an owner may adopt). */
export const ORPHAN_INDEX = 'orphans';

/** Adds the orphan index to an informer (before it starts). */
export function indexOrphans(informer: Informer): void {
  informer.addIndex(ORPHAN_INDEX, (o) => (getControllerOf(o) ? [] : [o.metadata.namespace ?? '']));
}

/**
 * The objects a ControllerRefManager can decide anything about for `owner`: those with an
 * ownerReference to it and the namespace's orphans, sorted by name. Upstream lists the whole
 * namespace; the claim's result is the same, at a cost that does not grow with the namespace.
 */
export function claimCandidates(informer: Informer, owner: KubeObject): KubeObject[] {
  if (!informer.hasIndex(ORPHAN_INDEX)) return informer.list(owner.metadata.namespace);
  const owned = informer.ownedBy(owner.metadata.uid!);
  const orphans = informer.byIndex(ORPHAN_INDEX, owner.metadata.namespace ?? '');
  if (orphans.length === 0) return owned;
  const seen = new Set(owned);
  return owned.concat(orphans.filter((o) => !seen.has(o))).sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0));
}

/** An owner's spec.selector as a LabelSelector (undefined when it does not parse). */
export function selectorOf(owner: KubeObject): LabelSelector | undefined {
  const meta = owner.spec?.selector;
  // A stored selector is frozen and shared by every version that kept it: parse it once.
  const cacheable = meta && typeof meta === 'object' && Object.isFrozen(meta);
  if (cacheable && parsedSelectors.has(meta)) return parsedSelectors.get(meta);
  let parsed: LabelSelector | undefined;
  try {
    parsed = labelSelectorFromMeta(meta);
  } catch {
    parsed = undefined;
  }
  if (cacheable) parsedSelectors.set(meta, parsed);
  return parsed;
}

const parsedSelectors = new WeakMap<object, LabelSelector | undefined>();

/** resolveControllerRef: the cached owner of `kind` that the reference names, if its UID matches. */
export function resolveControllerRef(owners: Informer, kind: string, namespace: string, ref: { kind: string; name: string; uid: string }): KubeObject | undefined {
  if (ref.kind !== kind) return undefined;
  const owner = owners.get(namespace, ref.name);
  return owner && owner.metadata.uid === ref.uid ? owner : undefined;
}

/**
 * The owners in `obj`'s namespace whose non-empty selector matches its labels (GetPodReplicaSets,
 * GetPodDaemonSets, getDeploymentsForReplicaSet, GetPodStatefulSets, getPodJobs).
 */
export function ownersSelecting(owners: Informer, obj: KubeObject, selector: (owner: KubeObject) => LabelSelector | undefined = selectorOf): KubeObject[] {
  if (!obj.metadata.labels || Object.keys(obj.metadata.labels).length === 0) return [];
  return owners.list(obj.metadata.namespace).filter((o) => {
    const sel = selector(o);
    return sel !== undefined && !sel.empty && sel.matches(obj.metadata.labels);
  });
}
