// Pure helpers of the StatefulSet controller, after pkg/controller/statefulset/stateful_set_utils.go:
// ordinals and names, the pod's identity (name, hostname, subdomain, pod-name and pod-index
// labels) and storage (one PVC per volumeClaimTemplate per ordinal), the health predicates the
// ordering rules use, the PVC retention policy's owner references, revisions as patches of the
// pod template, and the status arithmetic. Nothing here talks to the API.
import type { KubeObject, OwnerReference } from '../../api/types.ts';
import { isPodAvailable, isPodReady } from '../../api/podutil.ts';
import { clone } from '../../api/equal.ts';
import { newControllerRef } from './controller-utils.ts';
import { CONTROLLER_REVISION_HASH_LABEL, newControllerRevision } from './history.ts';

/** apps.StatefulSetPodNameLabel. */
export const POD_NAME_LABEL = 'statefulset.kubernetes.io/pod-name';
/** apps.PodIndexLabel (PodIndexLabel: GA 1.32). */
export const POD_INDEX_LABEL = 'apps.kubernetes.io/pod-index';
export { CONTROLLER_REVISION_HASH_LABEL };

/** statefulPodRegex: `(.*)-([0-9]+)$`. */
const STATEFUL_POD_RE = /^(.*)-([0-9]+)$/;

/** getParentNameAndOrdinal: `web-3` → ['web', 3]; not a stateful name → ['', -1]. */
export function getParentNameAndOrdinal(pod: KubeObject): [string, number] {
  const m = STATEFUL_POD_RE.exec(pod.metadata.name ?? '');
  if (!m) return ['', -1];
  const n = Number(m[2]);
  return [m[1], Number.isSafeInteger(n) && n <= 2 ** 31 - 1 ? n : -1];
}

export function getOrdinal(pod: KubeObject): number {
  return getParentNameAndOrdinal(pod)[1];
}

/** getStartOrdinal: spec.ordinals.start, or 0. */
export function getStartOrdinal(set: KubeObject): number {
  return set.spec?.ordinals?.start ?? 0;
}

/** getEndOrdinal: the last ordinal in range (inclusive). */
export function getEndOrdinal(set: KubeObject): number {
  return getStartOrdinal(set) + replicasOf(set) - 1;
}

export function replicasOf(set: KubeObject): number {
  return set.spec?.replicas ?? 1;
}

export function podInOrdinalRange(pod: KubeObject, set: KubeObject): boolean {
  const o = getOrdinal(pod);
  return o >= getStartOrdinal(set) && o <= getEndOrdinal(set);
}

/** getPodName: `<set>-<ordinal>`. */
export function getPodName(set: KubeObject, ordinal: number): string {
  return `${set.metadata.name}-${ordinal}`;
}

/** getPersistentVolumeClaimName: `<template>-<set>-<ordinal>` (www-web-0). */
export function getPersistentVolumeClaimName(set: KubeObject, template: KubeObject, ordinal: number): string {
  return `${template.metadata?.name}-${set.metadata.name}-${ordinal}`;
}

/** isMemberOf: the pod's name says it belongs to the set. */
export function isMemberOf(set: KubeObject, pod: KubeObject): boolean {
  return getParentNameAndOrdinal(pod)[0] === set.metadata.name;
}

/** identityMatches: a valid ordinal name of this set, in its namespace, with the pod-name label. */
export function identityMatches(set: KubeObject, pod: KubeObject): boolean {
  const [parent, ordinal] = getParentNameAndOrdinal(pod);
  return ordinal >= 0 && parent === set.metadata.name && pod.metadata.name === getPodName(set, ordinal)
    && pod.metadata.namespace === set.metadata.namespace && pod.metadata.labels?.[POD_NAME_LABEL] === pod.metadata.name;
}

/** storageMatches: every volumeClaimTemplate is a volume of the pod naming its per-ordinal claim. */
export function storageMatches(set: KubeObject, pod: KubeObject): boolean {
  const ordinal = getOrdinal(pod);
  if (ordinal < 0) return false;
  const volumes = new Map<string, any>((pod.spec?.volumes ?? []).map((v: any): [string, any] => [v.name, v]));
  return (set.spec?.volumeClaimTemplates ?? []).every((t: KubeObject) =>
    volumes.get(t.metadata?.name ?? '')?.persistentVolumeClaim?.claimName === getPersistentVolumeClaimName(set, t, ordinal));
}

/**
 * getPersistentVolumeClaims: the claims of the pod's ordinal, keyed by template name, in
 * template order; labels are the template's plus the set's selector matchLabels.
 */
export function getPersistentVolumeClaims(set: KubeObject, pod: KubeObject): Array<[string, KubeObject]> {
  const ordinal = getOrdinal(pod);
  return (set.spec?.volumeClaimTemplates ?? []).map((t: any): [string, KubeObject] => {
    const claim: KubeObject = { apiVersion: 'v1', kind: 'PersistentVolumeClaim', ...clone(t), metadata: clone(t.metadata ?? {}) };
    claim.metadata.name = getPersistentVolumeClaimName(set, t, ordinal);
    claim.metadata.namespace = set.metadata.namespace;
    claim.metadata.labels = { ...(claim.metadata.labels ?? {}), ...(set.spec?.selector?.matchLabels ?? {}) };
    delete claim.status;
    return [t.metadata?.name, claim];
  });
}

/** updateStorage: the template claims become volumes (replacing same-named ones); other volumes stay. */
export function updateStorage(set: KubeObject, pod: KubeObject): void {
  const claims = getPersistentVolumeClaims(set, pod);
  const names = new Set(claims.map(([n]) => n));
  const volumes = claims.map(([name, c]) => ({ name, persistentVolumeClaim: { claimName: c.metadata.name } }));
  pod.spec.volumes = [...volumes, ...(pod.spec.volumes ?? []).filter((v: any) => !names.has(v.name))];
  if (pod.spec.volumes.length === 0) delete pod.spec.volumes;
}

/** updateIdentity: name, namespace, and the pod-name and pod-index labels. */
export function updateIdentity(set: KubeObject, pod: KubeObject): void {
  const ordinal = getOrdinal(pod);
  pod.metadata.name = getPodName(set, ordinal);
  pod.metadata.namespace = set.metadata.namespace;
  pod.metadata.labels = { ...(pod.metadata.labels ?? {}), [POD_NAME_LABEL]: pod.metadata.name, [POD_INDEX_LABEL]: String(ordinal) };
}

/** initIdentity: updateIdentity plus the immutable hostname and subdomain (set only at creation). */
export function initIdentity(set: KubeObject, pod: KubeObject): void {
  updateIdentity(set, pod);
  pod.spec.hostname = pod.metadata.name;
  if (set.spec?.serviceName) pod.spec.subdomain = set.spec.serviceName;
}

// ---------------------------------------------------------------------- health

export function isCreated(pod: KubeObject): boolean {
  return Boolean(pod.status?.phase);
}
export function isPending(pod: KubeObject): boolean {
  return pod.status?.phase === 'Pending';
}
export function isFailed(pod: KubeObject): boolean {
  return pod.status?.phase === 'Failed';
}
export function isSucceeded(pod: KubeObject): boolean {
  return pod.status?.phase === 'Succeeded';
}
export function isTerminating(pod: KubeObject): boolean {
  return Boolean(pod.metadata.deletionTimestamp);
}
/** isRunningAndReady: phase Running and the Ready condition True. */
export function isRunningAndReady(pod: KubeObject): boolean {
  return pod.status?.phase === 'Running' && isPodReady(pod);
}
/** isRunningAndAvailable: Ready for minReadySeconds. */
export function isRunningAndAvailable(pod: KubeObject, minReadySeconds: number, nowMs: number, epoch?: number): boolean {
  return isPodAvailable(pod, minReadySeconds, nowMs, epoch);
}
/** isUnavailable: not available, or terminating. */
export function isUnavailable(pod: KubeObject, minReadySeconds: number, nowMs: number, epoch?: number): boolean {
  return !isPodAvailable(pod, minReadySeconds, nowMs, epoch) || isTerminating(pod);
}
/** allowsBurst: podManagementPolicy Parallel. */
export function allowsBurst(set: KubeObject): boolean {
  return set.spec?.podManagementPolicy === 'Parallel';
}

export function getPodRevision(pod: KubeObject): string {
  return pod.metadata.labels?.[CONTROLLER_REVISION_HASH_LABEL] ?? '';
}

// ---------------------------------------------------------------------- new pods

/** newStatefulSetPod: GetPodFromTemplate (generateName `<set>-`, controller ref), then identity and storage. */
export function newStatefulSetPod(set: KubeObject, ordinal: number): KubeObject {
  const template = set.spec?.template ?? {};
  const meta = template.metadata ?? {};
  const pod: KubeObject = {
    apiVersion: 'v1', kind: 'Pod',
    metadata: { generateName: `${set.metadata.name}-`, name: getPodName(set, ordinal), namespace: set.metadata.namespace, labels: { ...(meta.labels ?? {}) }, ownerReferences: [newControllerRef(set)] },
    spec: clone(template.spec ?? {}),
  };
  if (meta.annotations && Object.keys(meta.annotations).length) pod.metadata.annotations = { ...meta.annotations };
  if (meta.finalizers?.length) pod.metadata.finalizers = [...meta.finalizers];
  initIdentity(set, pod);
  updateStorage(set, pod);
  return pod;
}

/**
 * newVersionedStatefulSetPod: ordinals below the partition (or, without rollingUpdate, below
 * start + status.currentReplicas) are created at the current revision, the rest at the update
 * revision. Go's precedence is kept: (RollingUpdate && no rollingUpdate && below current) || (rollingUpdate && below partition).
 */
export function newVersionedStatefulSetPod(currentSet: KubeObject, updateSet: KubeObject, currentRevision: string, updateRevision: string, ordinal: number): KubeObject {
  const strategy = currentSet.spec?.updateStrategy ?? {};
  const start = getStartOrdinal(currentSet);
  const atCurrent = (strategy.type === 'RollingUpdate' && !strategy.rollingUpdate && ordinal < start + (currentSet.status?.currentReplicas ?? 0))
    || (Boolean(strategy.rollingUpdate) && ordinal < start + (strategy.rollingUpdate.partition ?? 0));
  const pod = newStatefulSetPod(atCurrent ? currentSet : updateSet, ordinal);
  pod.metadata.labels![CONTROLLER_REVISION_HASH_LABEL] = atCurrent ? currentRevision : updateRevision;
  return pod;
}

// ---------------------------------------------------------------------- revisions

/** getPatch: the revision's data, a strategic merge patch that replaces spec.template. */
export function getPatch(set: KubeObject): unknown {
  return { spec: { template: { ...clone(set.spec?.template ?? {}), $patch: 'replace' } } };
}

/** newRevision: a ControllerRevision of the set's template (labels: the template's; annotations: the set's). */
export function newRevision(set: KubeObject, revision: number, collisionCount: number): KubeObject {
  const cr = newControllerRevision(set, set.spec?.template?.metadata?.labels, getPatch(set), revision, collisionCount);
  if (set.metadata.annotations) cr.metadata.annotations = { ...set.metadata.annotations };
  return cr;
}

/** ApplyRevision: the set with the revision's template restored. */
export function applyRevision(set: KubeObject, revision: KubeObject): KubeObject {
  const restored = clone(set);
  const template = clone(revision.data?.spec?.template ?? set.spec?.template ?? {});
  delete template.$patch;
  restored.spec = { ...restored.spec, template };
  return restored;
}

// ---------------------------------------------------------------------- PVC retention policy

export interface RetentionPolicy {
  whenDeleted: 'Retain' | 'Delete';
  whenScaled: 'Retain' | 'Delete';
}

export function getRetentionPolicy(set: KubeObject): RetentionPolicy {
  const p = set.spec?.persistentVolumeClaimRetentionPolicy ?? {};
  return { whenDeleted: p.whenDeleted === 'Delete' ? 'Delete' : 'Retain', whenScaled: p.whenScaled === 'Delete' ? 'Delete' : 'Retain' };
}

function matchesRef(ref: OwnerReference, obj: KubeObject): boolean {
  return ref.apiVersion === obj.apiVersion && ref.kind === obj.kind && ref.name === obj.metadata.name;
}

function hasOwnerRef(target: KubeObject, owner: KubeObject): boolean {
  return (target.metadata.ownerReferences ?? []).some((r: OwnerReference) => r.uid === owner.metadata.uid);
}

/** hasStaleOwnerRef: a reference that names `obj` but carries another UID. */
export function hasStaleOwnerRef(target: KubeObject, obj: KubeObject): boolean {
  const ref = (target.metadata.ownerReferences ?? []).find((r: OwnerReference) => matchesRef(r, obj));
  return ref !== undefined && ref.uid !== obj.metadata.uid;
}

/** hasUnexpectedController: with a Delete policy, a controller of the claim that is neither the set nor the pod. */
function hasUnexpectedController(claim: KubeObject, set: KubeObject, pod: KubeObject): boolean {
  const p = getRetentionPolicy(set);
  if (p.whenScaled === 'Retain' && p.whenDeleted === 'Retain') return false;
  for (const ref of claim.metadata.ownerReferences ?? []) {
    if (matchesRef(ref, set)) {
      if (ref.uid !== set.metadata.uid) return true;
      continue;
    }
    if (matchesRef(ref, pod)) {
      if (ref.uid !== pod.metadata.uid) return true;
      continue;
    }
    if (ref.controller) return true;
  }
  return false;
}

function hasNonControllerOwner(claim: KubeObject, set: KubeObject, pod: KubeObject): boolean {
  return (claim.metadata.ownerReferences ?? []).some((r: OwnerReference) => (r.uid === set.metadata.uid || r.uid === pod.metadata.uid) && !r.controller);
}

/**
 * isClaimOwnerUpToDate: Retain/Retain → no reference to set or pod; whenDeleted=Delete → the set
 * owns the claim; whenScaled=Delete → a condemned pod (out of range) owns it.
 */
export function isClaimOwnerUpToDate(claim: KubeObject, set: KubeObject, pod: KubeObject): boolean {
  if (hasStaleOwnerRef(claim, set) || hasStaleOwnerRef(claim, pod)) return true;
  if (hasUnexpectedController(claim, set, pod)) return !(hasOwnerRef(claim, set) || hasOwnerRef(claim, pod));
  if (hasNonControllerOwner(claim, set, pod)) return false;
  const { wantSet, wantPod } = wantedOwners(set, pod);
  return hasOwnerRef(claim, set) === wantSet && hasOwnerRef(claim, pod) === wantPod;
}

function wantedOwners(set: KubeObject, pod: KubeObject): { wantSet: boolean; wantPod: boolean } {
  const p = getRetentionPolicy(set);
  const scaledDown = !podInOrdinalRange(pod, set);
  if (p.whenScaled === 'Retain') return { wantSet: p.whenDeleted === 'Delete', wantPod: false };
  if (p.whenDeleted === 'Retain') return { wantSet: false, wantPod: scaledDown };
  return { wantSet: !scaledDown, wantPod: scaledDown };
}

/** updateClaimOwnerRefForSetAndPod: the claim's owner references per the policy (controller refs). */
export function updateClaimOwnerRefForSetAndPod(claim: KubeObject, set: KubeObject, pod: KubeObject): OwnerReference[] {
  const unexpected = hasUnexpectedController(claim, set, pod);
  const refs: OwnerReference[] = (claim.metadata.ownerReferences ?? []).filter((r: OwnerReference) => !matchesRef(r, set) && !matchesRef(r, pod));
  if (unexpected) return refs;
  const { wantSet, wantPod } = wantedOwners(set, pod);
  if (wantPod && pod.metadata.uid) refs.push(newControllerRef(pod));
  if (wantSet) refs.push(newControllerRef(set));
  return refs;
}

// ---------------------------------------------------------------------- status

export interface StatefulSetStatus {
  observedGeneration?: number;
  replicas: number;
  readyReplicas: number;
  currentReplicas: number;
  updatedReplicas: number;
  availableReplicas: number;
  currentRevision: string;
  updateRevision: string;
  collisionCount: number;
}

/** computeReplicaStatus / updateStatus: counts over the given pod lists (placeholders are not created). */
export function countReplicas(status: StatefulSetStatus, minReadySeconds: number, nowMs: number, epoch: number | undefined, ...lists: KubeObject[][]): void {
  status.replicas = status.readyReplicas = status.availableReplicas = status.currentReplicas = status.updatedReplicas = 0;
  for (const list of lists) {
    for (const pod of list) {
      if (isCreated(pod)) status.replicas++;
      if (isRunningAndReady(pod)) {
        status.readyReplicas++;
        if (isRunningAndAvailable(pod, minReadySeconds, nowMs, epoch)) status.availableReplicas++;
      }
      if (isCreated(pod) && !isTerminating(pod)) {
        const rev = getPodRevision(pod);
        if (rev === status.currentRevision) status.currentReplicas++;
        if (rev === status.updateRevision) status.updatedReplicas++;
      }
    }
  }
}

/** completeRollingUpdate: every replica updated and ready → the update revision becomes current. */
export function completeRollingUpdate(set: KubeObject, status: StatefulSetStatus): void {
  const replicas = replicasOf(set);
  if (set.spec?.updateStrategy?.type === 'RollingUpdate' && status.updatedReplicas === replicas && status.readyReplicas === replicas && status.replicas === replicas) {
    status.currentReplicas = status.updatedReplicas;
    status.currentRevision = status.updateRevision;
  }
}

/** inconsistentStatus: the computed status differs from the stored one (or observes a newer generation). */
export function inconsistentStatus(set: KubeObject, status: StatefulSetStatus): boolean {
  const s = set.status ?? {};
  return (status.observedGeneration ?? 0) > (s.observedGeneration ?? 0) || status.replicas !== (s.replicas ?? 0)
    || status.currentReplicas !== (s.currentReplicas ?? 0) || status.readyReplicas !== (s.readyReplicas ?? 0)
    || status.updatedReplicas !== (s.updatedReplicas ?? 0) || status.currentRevision !== (s.currentRevision ?? '')
    || status.availableReplicas !== (s.availableReplicas ?? 0) || status.updateRevision !== (s.updateRevision ?? '');
}

/** The status as the API stores it: omitempty fields left out when zero, as Go's JSON does. */
export function statusObject(status: StatefulSetStatus): Record<string, unknown> {
  const out: Record<string, unknown> = { replicas: status.replicas, availableReplicas: status.availableReplicas, collisionCount: status.collisionCount };
  if (status.observedGeneration) out.observedGeneration = status.observedGeneration;
  for (const k of ['readyReplicas', 'currentReplicas', 'updatedReplicas', 'currentRevision', 'updateRevision'] as const) if (status[k]) out[k] = status[k];
  return out;
}

/**
 * getStatefulSetMaxUnavailable: rollingUpdate.maxUnavailable (default 1) as a number of pods;
 * a percentage of replicas rounds down, and the result is at least 1. 50% of 5 → 2; 10% of 5 → 1.
 */
export function getStatefulSetMaxUnavailable(maxUnavailable: number | string | undefined, replicas: number): number {
  let n: number;
  if (maxUnavailable === undefined || maxUnavailable === null) n = 1;
  else if (typeof maxUnavailable === 'number') n = maxUnavailable;
  else if (maxUnavailable.endsWith('%')) n = Math.floor((Number(maxUnavailable.slice(0, -1)) * replicas) / 100);
  else n = Number(maxUnavailable);
  return Number.isFinite(n) && n >= 1 ? n : 1;
}
