// Pure helpers of the Deployment controller, after pkg/controller/deployment/util/deployment_util.go,
// pkg/controller/controller_utils.go (ComputeHash, ReplicaSet sorting) and apimachinery's
// intstr.GetScaledValueFromIntOrPercent. No I/O, no clock: `now` is passed in (virtual ms).
import type { KubeObject } from '../../api/types.ts';
import { deepEqual, clone } from '../../api/equal.ts';
import { formatTime, parseTime } from '../../api/time.ts';

// ---------------------------------------------------------------------- names (deployment_util.go)

export const REVISION_ANNOTATION = 'deployment.kubernetes.io/revision';
export const REVISION_HISTORY_ANNOTATION = 'deployment.kubernetes.io/revision-history';
export const DESIRED_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/desired-replicas';
export const MAX_REPLICAS_ANNOTATION = 'deployment.kubernetes.io/max-replicas';
export const CHANGE_CAUSE_ANNOTATION = 'kubernetes.io/change-cause';
export const LAST_APPLIED_ANNOTATION = 'kubectl.kubernetes.io/last-applied-configuration';
export const RESTARTED_AT_ANNOTATION = 'kubectl.kubernetes.io/restartedAt';
/** apps.DeprecatedRollbackTo: what extensions/v1beta1's spec.rollbackTo round-trips through. */
export const DEPRECATED_ROLLBACK_TO = 'deprecated.deployment.rollback.to';
/** apps.DefaultDeploymentUniqueLabelKey. */
export const POD_TEMPLATE_HASH_LABEL = 'pod-template-hash';

export const RollbackRevisionNotFound = 'DeploymentRollbackRevisionNotFound';
export const RollbackTemplateUnchanged = 'DeploymentRollbackTemplateUnchanged';
export const RollbackDone = 'DeploymentRollback';
export const ReplicaSetUpdatedReason = 'ReplicaSetUpdated';
export const FailedRSCreateReason = 'ReplicaSetCreateError';
export const NewReplicaSetReason = 'NewReplicaSetCreated';
export const FoundNewRSReason = 'FoundNewReplicaSet';
export const NewRSAvailableReason = 'NewReplicaSetAvailable';
export const TimedOutReason = 'ProgressDeadlineExceeded';
export const PausedDeployReason = 'DeploymentPaused';
export const ResumedDeployReason = 'DeploymentResumed';
export const MinimumReplicasAvailable = 'MinimumReplicasAvailable';
export const MinimumReplicasUnavailable = 'MinimumReplicasUnavailable';

/** Annotations never copied from a Deployment to its ReplicaSets (annotationsToSkip). */
export const ANNOTATIONS_TO_SKIP = new Set([LAST_APPLIED_ANNOTATION, REVISION_ANNOTATION, REVISION_HISTORY_ANNOTATION,
  DESIRED_REPLICAS_ANNOTATION, MAX_REPLICAS_ANNOTATION, DEPRECATED_ROLLBACK_TO]);

/** maxRevHistoryLengthInChars (deployment_controller.go): the revision-history annotation's bound. */
export const MAX_REV_HISTORY_LENGTH_IN_CHARS = 2000;
const MAX_INT32 = 2147483647;

// ---------------------------------------------------------------------- ComputeHash

/** FNV-1a, 32 bit (hash/fnv New32a). */
export function fnv32a(bytes: Uint8Array, seed = 0x811c9dc5): number {
  let h = seed >>> 0;
  for (const b of bytes) {
    h ^= b;
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

/** rand.SafeEncodeString: each character maps to the alphabet without vowels and look-alikes. */
export const SAFE_ALPHABET = 'bcdfghjklmnpqrstvwxz2456789';
export function safeEncodeString(s: string): string {
  let out = '';
  for (const ch of s) out += SAFE_ALPHABET[ch.codePointAt(0)! % SAFE_ALPHABET.length];
  return out;
}

/** JSON with object keys sorted at every level: the canonical form the hash is computed over. */
export function canonicalJSON(v: unknown): string {
  if (v === null || typeof v !== 'object') return JSON.stringify(v) ?? 'null';
  if (Array.isArray(v)) return `[${v.map(canonicalJSON).join(',')}]`;
  const o = v as Record<string, unknown>;
  const keys = Object.keys(o).filter((k) => o[k] !== undefined).sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJSON(o[k])}`).join(',')}}`;
}

/**
 * ComputeHash (controller_utils.go): FNV-32a over the pod template, then the collision count as
 * 8 little-endian bytes (a uint32 in an 8-byte buffer), rendered as the decimal sum passed
 * through SafeEncodeString. Upstream feeds the template to hashutil.DeepHashObject (a spew dump
 * of the Go struct), which JavaScript cannot reproduce byte for byte: we hash the template's
 * canonical JSON (sorted keys) instead, so names are deterministic and change exactly when the
 * template does, but differ from a real cluster's.
 */
export function computeHash(template: unknown, collisionCount?: number): string {
  const enc = new TextEncoder();
  let h = fnv32a(enc.encode(canonicalJSON(template ?? {})));
  if (collisionCount !== undefined && collisionCount !== null) {
    const buf = new Uint8Array(8);
    new DataView(buf.buffer).setUint32(0, collisionCount >>> 0, true);
    h = fnv32a(buf, h);
  }
  return safeEncodeString(String(h));
}

// ---------------------------------------------------------------------- int-or-percent

/** intstr.GetScaledValueFromIntOrPercent: "25%" of total, rounded up or down; an int as is. */
export function scaledValue(v: number | string | undefined | null, total: number, roundUp: boolean): number {
  if (v === undefined || v === null) return 0;
  if (typeof v === 'number') return v;
  const m = /^(\d+)%$/.exec(v);
  if (!m) throw new Error(`invalid value for IntOrString: invalid type: string is not a percentage`);
  const x = (Number(m[1]) * total) / 100;
  return roundUp ? Math.ceil(x) : Math.floor(x);
}

export function isRollingUpdate(d: KubeObject): boolean {
  return (d.spec?.strategy?.type ?? 'RollingUpdate') === 'RollingUpdate';
}

export function replicasOf(o: KubeObject | undefined): number {
  return o?.spec?.replicas ?? 0;
}

/**
 * ResolveFenceposts: maxSurge rounds up, maxUnavailable down; when both come out 0 (1% of 2),
 * maxUnavailable becomes 1, on the theory that a surge may be blocked by quota.
 */
export function resolveFenceposts(maxSurge: number | string | undefined, maxUnavailable: number | string | undefined, desired: number): [number, number] {
  const surge = scaledValue(maxSurge ?? 0, desired, true);
  let unavailable = scaledValue(maxUnavailable ?? 0, desired, false);
  if (surge === 0 && unavailable === 0) unavailable = 1;
  return [surge, unavailable];
}

/** MaxUnavailable: 0 unless RollingUpdate with replicas; never more than spec.replicas. */
export function maxUnavailable(d: KubeObject): number {
  const replicas = replicasOf(d);
  if (!isRollingUpdate(d) || replicas === 0) return 0;
  const ru = d.spec.strategy?.rollingUpdate ?? {};
  const [, u] = resolveFenceposts(ru.maxSurge, ru.maxUnavailable, replicas);
  return Math.min(u, replicas);
}

/** MaxSurge: 0 unless RollingUpdate. */
export function maxSurge(d: KubeObject): number {
  if (!isRollingUpdate(d)) return 0;
  const ru = d.spec.strategy?.rollingUpdate ?? {};
  return resolveFenceposts(ru.maxSurge, ru.maxUnavailable, replicasOf(d))[0];
}

// ---------------------------------------------------------------------- ReplicaSet lists

export function revisionOf(o: KubeObject): number {
  const v = o.metadata.annotations?.[REVISION_ANNOTATION];
  if (v === undefined) return 0;
  const n = Number(v);
  return Number.isInteger(n) ? n : NaN;
}

/** MaxRevision: the highest parseable revision. */
export function maxRevision(rss: KubeObject[]): number {
  let max = 0;
  for (const rs of rss) {
    const v = revisionOf(rs);
    if (!Number.isNaN(v) && v > max) max = v;
  }
  return max;
}

/** LastRevision: the second highest revision (what `undo` goes back to). */
export function lastRevision(rss: KubeObject[]): number {
  let max = 0;
  let secMax = 0;
  for (const rs of rss) {
    const v = revisionOf(rs);
    if (Number.isNaN(v)) continue;
    if (v >= max) {
      secMax = max;
      max = v;
    } else if (v > secMax) secMax = v;
  }
  return secMax;
}

const created = (o: KubeObject) => o.metadata.creationTimestamp ?? '';
const byName = (a: KubeObject, b: KubeObject) => (a.metadata.name! < b.metadata.name! ? -1 : a.metadata.name! > b.metadata.name! ? 1 : 0);

/** ReplicaSetsByCreationTimestamp: oldest first, then by name. */
export function byCreationTimestamp(a: KubeObject, b: KubeObject): number {
  if (created(a) !== created(b)) return created(a) < created(b) ? -1 : 1;
  return byName(a, b);
}

/** ReplicaSetsBySizeOlder: largest first; equal sizes oldest first. */
export function bySizeOlder(a: KubeObject, b: KubeObject): number {
  if (replicasOf(a) !== replicasOf(b)) return replicasOf(b) - replicasOf(a);
  return byCreationTimestamp(a, b);
}

/** ReplicaSetsBySizeNewer: largest first; equal sizes newest first. */
export function bySizeNewer(a: KubeObject, b: KubeObject): number {
  if (replicasOf(a) !== replicasOf(b)) return replicasOf(b) - replicasOf(a);
  if (created(a) === created(b)) return -byName(a, b);
  return created(a) < created(b) ? 1 : -1;
}

/** ReplicaSetsByRevision: lowest revision first, then oldest. */
export function byRevision(a: KubeObject, b: KubeObject): number {
  const ra = revisionOf(a);
  const rb = revisionOf(b);
  if (ra === rb || Number.isNaN(ra) || Number.isNaN(rb)) return byCreationTimestamp(a, b);
  return ra - rb;
}

/** FilterActiveReplicaSets: those with spec.replicas > 0. */
export function filterActive(rss: Array<KubeObject | undefined>): KubeObject[] {
  return rss.filter((rs): rs is KubeObject => rs !== undefined && replicasOf(rs) > 0);
}

/** GetReplicaCountForReplicaSets: Σ spec.replicas. */
export function specReplicas(rss: Array<KubeObject | undefined>): number {
  return rss.reduce((n, rs) => n + (rs ? replicasOf(rs) : 0), 0);
}

/** GetActualReplicaCountForReplicaSets, GetReadyReplicaCountForReplicaSets, GetAvailableReplicaCountForReplicaSets. */
export function statusReplicas(rss: Array<KubeObject | undefined>, field: 'replicas' | 'readyReplicas' | 'availableReplicas'): number {
  return rss.reduce((n, rs) => n + (rs?.status?.[field] ?? 0), 0);
}

/** EqualIgnoreHash: templates equal apart from the pod-template-hash label (nil and empty alike). */
export function equalIgnoreHash(t1: any, t2: any): boolean {
  return deepEqual(normalizeTemplate(t1), normalizeTemplate(t2));
}

function normalizeTemplate(t: any): unknown {
  const c = clone(t ?? {});
  c.metadata ??= {};
  if (c.metadata.labels) delete c.metadata.labels[POD_TEMPLATE_HASH_LABEL];
  return dropEmpty(c);
}

/** Semantic.DeepEqual treats empty and absent maps and slices alike. */
function dropEmpty(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(dropEmpty);
  if (v === null || typeof v !== 'object') return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v)) {
    const y = dropEmpty(x);
    if (y === undefined || y === null) continue;
    if (typeof y === 'object' && Object.keys(y).length === 0) continue;
    out[k] = y;
  }
  return out;
}

/** FindNewReplicaSet: the oldest ReplicaSet whose template equals the Deployment's. */
export function findNewReplicaSet(d: KubeObject, rsList: KubeObject[]): KubeObject | undefined {
  return [...rsList].sort(byCreationTimestamp).find((rs) => equalIgnoreHash(rs.spec?.template, d.spec?.template));
}

/** FindOldReplicaSets: every other ReplicaSet (all old ones). */
export function findOldReplicaSets(d: KubeObject, rsList: KubeObject[]): KubeObject[] {
  const newRS = findNewReplicaSet(d, rsList);
  return rsList.filter((rs) => !newRS || rs.metadata.uid !== newRS.metadata.uid);
}

/** FindActiveOrLatest: the only active ReplicaSet, or the newest when none is active; undefined if several are. */
export function findActiveOrLatest(newRS: KubeObject | undefined, oldRSs: KubeObject[]): KubeObject | undefined {
  if (!newRS && oldRSs.length === 0) return undefined;
  const olds = [...oldRSs].sort((a, b) => byCreationTimestamp(b, a));
  const active = filterActive([...olds, newRS]);
  if (active.length === 0) return newRS ?? olds[0];
  if (active.length === 1) return active[0];
  return undefined;
}

// ---------------------------------------------------------------------- annotations

function intAnnotation(rs: KubeObject, key: string): number | undefined {
  const v = rs.metadata.annotations?.[key];
  if (v === undefined) return undefined;
  const n = Number(v);
  return Number.isInteger(n) ? n : undefined;
}

export const desiredReplicasAnnotation = (rs: KubeObject) => intAnnotation(rs, DESIRED_REPLICAS_ANNOTATION);
export const maxReplicasAnnotation = (rs: KubeObject) => intAnnotation(rs, MAX_REPLICAS_ANNOTATION);

/** SetReplicasAnnotations: desired-replicas and max-replicas; true when one changed. Mutates rs. */
export function setReplicasAnnotations(rs: KubeObject, desired: number, max: number): boolean {
  const a = (rs.metadata.annotations ??= {});
  let changed = false;
  if (a[DESIRED_REPLICAS_ANNOTATION] !== String(desired)) {
    a[DESIRED_REPLICAS_ANNOTATION] = String(desired);
    changed = true;
  }
  if (a[MAX_REPLICAS_ANNOTATION] !== String(max)) {
    a[MAX_REPLICAS_ANNOTATION] = String(max);
    changed = true;
  }
  return changed;
}

/** ReplicasAnnotationsNeedUpdate. */
export function replicasAnnotationsNeedUpdate(rs: KubeObject, desired: number, max: number): boolean {
  const a = rs.metadata.annotations ?? {};
  return a[DESIRED_REPLICAS_ANNOTATION] !== String(desired) || a[MAX_REPLICAS_ANNOTATION] !== String(max);
}

/** copyDeploymentAnnotationsToReplicaSet: all but the skipped ones; true when something changed. */
function copyDeploymentAnnotationsToReplicaSet(d: KubeObject, rs: KubeObject): boolean {
  const a = (rs.metadata.annotations ??= {});
  let changed = false;
  for (const [k, v] of Object.entries(d.metadata.annotations ?? {})) {
    if (ANNOTATIONS_TO_SKIP.has(k) || a[k] === v) continue;
    a[k] = v as string;
    changed = true;
  }
  return changed;
}

/**
 * SetNewReplicaSetAnnotations: copies the Deployment's annotations, raises the revision to
 * newRevision (keeping the old one in revision-history, bounded in characters, when a reused
 * ReplicaSet gets a new revision) and, for a ReplicaSet about to be created, the replica
 * annotations. Mutates rs; true when an annotation changed.
 */
export function setNewReplicaSetAnnotations(d: KubeObject, rs: KubeObject, newRevision: string, exists: boolean, limitInChars = MAX_REV_HISTORY_LENGTH_IN_CHARS): boolean {
  let changed = copyDeploymentAnnotationsToReplicaSet(d, rs);
  const a = (rs.metadata.annotations ??= {});
  const oldRevision: string | undefined = a[REVISION_ANNOTATION];
  const oldRevisionInt = oldRevision === undefined ? 0 : Number(oldRevision);
  if (oldRevision !== undefined && !Number.isInteger(oldRevisionInt)) return false;
  const newRevisionInt = Number(newRevision);
  if (oldRevisionInt < newRevisionInt) {
    a[REVISION_ANNOTATION] = newRevision;
    changed = true;
  }
  if (oldRevision !== undefined && oldRevision !== '' && oldRevisionInt < newRevisionInt) {
    const history: string = a[REVISION_HISTORY_ANNOTATION] ?? '';
    const olds = history.split(',');
    if (olds[0].length === 0) a[REVISION_HISTORY_ANNOTATION] = oldRevision;
    else {
      let totalLen = history.length + oldRevision.length + 1;
      let start = 0;
      while (totalLen > limitInChars && start < olds.length) {
        totalLen -= olds[start].length + 1;
        start++;
      }
      if (totalLen <= limitInChars) a[REVISION_HISTORY_ANNOTATION] = [...olds.slice(start), oldRevision].join(',');
    }
  }
  if (!exists && setReplicasAnnotations(rs, replicasOf(d), replicasOf(d) + maxSurge(d))) changed = true;
  return changed;
}

/** SetDeploymentRevision: true when the Deployment's revision annotation changed. Mutates d. */
export function setDeploymentRevision(d: KubeObject, revision: string): boolean {
  const a = (d.metadata.annotations ??= {});
  if (a[REVISION_ANNOTATION] === revision) return false;
  a[REVISION_ANNOTATION] = revision;
  return true;
}

/** SetDeploymentAnnotationsTo: keep the skipped annotations, take the rest from the ReplicaSet. */
export function setDeploymentAnnotationsTo(d: KubeObject, rs: KubeObject): void {
  const kept = Object.fromEntries(Object.entries(d.metadata.annotations ?? {}).filter(([k]) => ANNOTATIONS_TO_SKIP.has(k)));
  for (const [k, v] of Object.entries(rs.metadata.annotations ?? {})) if (!ANNOTATIONS_TO_SKIP.has(k)) kept[k] = v;
  d.metadata.annotations = kept;
}

// ---------------------------------------------------------------------- scaling arithmetic

/**
 * NewRSNewReplicas. RollingUpdate: grow the new ReplicaSet by what the surge allows
 * (maxTotal = replicas + maxSurge, minus Σ spec.replicas), never past spec.replicas.
 * Recreate: spec.replicas at once.
 */
export function newRSNewReplicas(d: KubeObject, allRSs: KubeObject[], newRS: KubeObject): number {
  if (!isRollingUpdate(d)) return replicasOf(d);
  const surge = scaledValue(d.spec.strategy?.rollingUpdate?.maxSurge ?? 0, replicasOf(d), true);
  const current = specReplicas(allRSs);
  const maxTotal = replicasOf(d) + surge;
  if (current >= maxTotal) return replicasOf(newRS);
  const scaleUp = Math.min(maxTotal - current, replicasOf(d) - replicasOf(newRS));
  return replicasOf(newRS) + scaleUp;
}

/** IsSaturated: the new ReplicaSet has, wants and makes available exactly spec.replicas. */
export function isSaturated(d: KubeObject, rs: KubeObject | undefined): boolean {
  if (!rs) return false;
  const desired = desiredReplicasAnnotation(rs);
  if (desired === undefined) return false;
  return replicasOf(rs) === replicasOf(d) && desired === replicasOf(d) && (rs.status?.availableReplicas ?? 0) === replicasOf(d);
}

/**
 * getReplicaSetFraction: the change that keeps this ReplicaSet's share of the Deployment when
 * it goes from its max-replicas annotation (replicas + maxSurge before the scale; else the
 * Deployment's status.replicas) to replicas + maxSurge now: round(size × new / old) − size.
 */
export function getReplicaSetFraction(rs: KubeObject, d: KubeObject): number {
  if (replicasOf(d) === 0) return -replicasOf(rs);
  const deploymentMaxReplicas = replicasOf(d) + maxSurge(d);
  let before = maxReplicasAnnotation(rs) ?? 0;
  if (before === 0) {
    before = d.status?.replicas ?? 0;
    if (before === 0) return 0;
  }
  const newSize = (replicasOf(rs) * deploymentMaxReplicas) / before;
  return Math.round(newSize) - replicasOf(rs);
}

/**
 * GetProportion: this ReplicaSet's share of `toAdd`, capped at what is left (for a scale up)
 * or floored at it (for a scale down).
 * Doc example (k8s-facts §1.8): 10 replicas, maxSurge 3, old RS 8 and new RS 5 (max-replicas
 * 13), scaled to 15 (18 allowed): old gets round(8·18/13) − 8 = 3, new round(5·18/13) − 5 = 2.
 */
export function getProportion(rs: KubeObject | undefined, d: KubeObject, toAdd: number, added: number): number {
  if (!rs || replicasOf(rs) === 0 || toAdd === 0 || toAdd === added) return 0;
  const fraction = getReplicaSetFraction(rs, d);
  const allowed = toAdd - added;
  return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
}

/**
 * The sizes `scale` (sync.go) gives each active ReplicaSet of a rolling Deployment whose
 * replicas changed mid-rollout: proportions from the largest ReplicaSet down (newer first when
 * growing, older first when shrinking), the leftover to the first, never below 0.
 */
export function proportionalSizes(d: KubeObject, activeRSs: KubeObject[]): Array<{ rs: KubeObject; size: number }> {
  const total = specReplicas(activeRSs);
  const allowed = replicasOf(d) > 0 ? replicasOf(d) + maxSurge(d) : 0;
  const toAdd = allowed - total;
  const sorted = [...activeRSs];
  if (toAdd > 0) sorted.sort(bySizeNewer);
  else if (toAdd < 0) sorted.sort(bySizeOlder);
  let added = 0;
  const sizes = sorted.map((rs) => {
    if (toAdd === 0) return replicasOf(rs);
    const p = getProportion(rs, d, toAdd, added);
    added += p;
    return replicasOf(rs) + p;
  });
  if (sorted.length && toAdd !== 0) sizes[0] = Math.max(0, sizes[0] + toAdd - added);
  return sorted.map((rs, i) => ({ rs, size: sizes[i] }));
}

// ---------------------------------------------------------------------- status and conditions

export interface DeploymentCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  lastUpdateTime: string;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

export interface DeploymentStatus {
  observedGeneration?: number;
  replicas?: number;
  updatedReplicas?: number;
  readyReplicas?: number;
  availableReplicas?: number;
  unavailableReplicas?: number;
  conditions?: DeploymentCondition[];
  collisionCount?: number;
}

export function newDeploymentCondition(type: string, status: DeploymentCondition['status'], reason: string, message: string, nowMs: number): DeploymentCondition {
  const t = formatTime(nowMs);
  return { type, status, lastUpdateTime: t, lastTransitionTime: t, reason, message };
}

export function getDeploymentCondition(status: DeploymentStatus | undefined, type: string): DeploymentCondition | undefined {
  return (status?.conditions ?? []).find((c) => c.type === type);
}

/** SetDeploymentCondition: no change for the same status and reason; keeps lastTransitionTime for the same status. */
export function setDeploymentCondition(status: DeploymentStatus, condition: DeploymentCondition): void {
  const current = getDeploymentCondition(status, condition.type);
  if (current && current.status === condition.status && current.reason === condition.reason) return;
  const next = { ...condition };
  if (current && current.status === condition.status) next.lastTransitionTime = current.lastTransitionTime;
  status.conditions = [...(status.conditions ?? []).filter((c) => c.type !== condition.type), next];
}

export function removeDeploymentCondition(status: DeploymentStatus, type: string): void {
  status.conditions = (status.conditions ?? []).filter((c) => c.type !== type);
}

export function hasProgressDeadline(d: KubeObject): boolean {
  const p = d.spec?.progressDeadlineSeconds;
  return p !== undefined && p !== null && p !== MAX_INT32;
}

export function hasRevisionHistoryLimit(d: KubeObject): boolean {
  const l = d.spec?.revisionHistoryLimit;
  return l !== undefined && l !== null && l !== MAX_INT32;
}

/**
 * calculateStatus (sync.go): counts over all ReplicaSets, the new one's replicas as updated,
 * and the Available condition: True when available ≥ replicas − maxUnavailable.
 */
export function calculateStatus(allRSs: Array<KubeObject | undefined>, newRS: KubeObject | undefined, d: KubeObject, nowMs: number): DeploymentStatus {
  const available = statusReplicas(allRSs, 'availableReplicas');
  const unavailable = Math.max(0, specReplicas(allRSs) - available);
  const status: DeploymentStatus = {
    observedGeneration: d.metadata.generation,
    replicas: statusReplicas(allRSs, 'replicas'),
    updatedReplicas: statusReplicas([newRS], 'replicas'),
    readyReplicas: statusReplicas(allRSs, 'readyReplicas'),
    availableReplicas: available,
    unavailableReplicas: unavailable,
    conditions: [...(d.status?.conditions ?? [])],
  };
  if (d.status?.collisionCount !== undefined) status.collisionCount = d.status.collisionCount;
  if (available >= replicasOf(d) - maxUnavailable(d)) {
    setDeploymentCondition(status, newDeploymentCondition('Available', 'True', MinimumReplicasAvailable, 'Deployment has minimum availability.', nowMs));
  } else {
    setDeploymentCondition(status, newDeploymentCondition('Available', 'False', MinimumReplicasUnavailable, 'Deployment does not have minimum availability.', nowMs));
  }
  return status;
}

/** DeploymentComplete: every replica updated and available, and the latest generation observed. */
export function deploymentComplete(d: KubeObject, s: DeploymentStatus | undefined): boolean {
  const r = replicasOf(d);
  return (s?.updatedReplicas ?? 0) === r && (s?.replicas ?? 0) === r && (s?.availableReplicas ?? 0) === r
    && (s?.observedGeneration ?? 0) >= (d.metadata.generation ?? 0);
}

/** DeploymentProgressing: more updated, fewer old, or more ready or available replicas than before. */
export function deploymentProgressing(d: KubeObject, s: DeploymentStatus): boolean {
  const old: DeploymentStatus = d.status ?? {};
  const oldOld = (old.replicas ?? 0) - (old.updatedReplicas ?? 0);
  const newOld = (s.replicas ?? 0) - (s.updatedReplicas ?? 0);
  return (s.updatedReplicas ?? 0) > (old.updatedReplicas ?? 0) || newOld < oldOld
    || (s.readyReplicas ?? 0) > (old.readyReplicas ?? 0) || (s.availableReplicas ?? 0) > (old.availableReplicas ?? 0);
}

/** DeploymentTimedOut: no progress since the Progressing condition's lastUpdateTime + progressDeadlineSeconds. */
export function deploymentTimedOut(d: KubeObject, s: DeploymentStatus, nowMs: number): boolean {
  if (!hasProgressDeadline(d)) return false;
  const c = getDeploymentCondition(s, 'Progressing');
  if (!c) return false;
  if (c.reason === NewRSAvailableReason) return false;
  if (c.reason === TimedOutReason) return true;
  return parseTime(c.lastUpdateTime) + d.spec.progressDeadlineSeconds * 1000 < nowMs;
}

/** The status as Go would serialise it: zero counts omitted (omitempty). */
export function serializeStatus(s: DeploymentStatus): DeploymentStatus {
  const out: DeploymentStatus = {};
  for (const k of ['observedGeneration', 'replicas', 'updatedReplicas', 'readyReplicas', 'availableReplicas', 'unavailableReplicas'] as const) {
    if (s[k]) out[k] = s[k];
  }
  if (s.conditions?.length) out.conditions = s.conditions;
  if (s.collisionCount !== undefined) out.collisionCount = s.collisionCount;
  return out;
}

/** reflect.DeepEqual(d.Status, newStatus), with absent counts read as 0. */
export function statusEqual(a: DeploymentStatus | undefined, b: DeploymentStatus): boolean {
  return deepEqual(serializeStatus(a ?? {}), serializeStatus(b));
}
