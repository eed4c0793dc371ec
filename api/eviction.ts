// The pods/eviction subresource (pkg/registry/core/pod/storage/eviction.go): POST a policy/v1
// Eviction and the API server deletes the pod only if no PodDisruptionBudget would be violated.
// It runs inside the API server, atomically, as upstream's handler does against etcd: read the
// pod, skip the budget for pods that cannot count (terminal, Pending, already being deleted),
// find the one PDB selecting the pod, verify-and-decrement its status.disruptionsAllowed while
// recording the pod in status.disruptedPods, mark the pod DisruptionTarget and delete it.
// Also the shared PDB helpers of k8s.io/component-helpers/apps/poddisruptionbudget.
import type { KubeObject, UserInfo } from './types.ts';
import type { ApiServer, SubresourceHandler } from './server.ts';
import type { DeleteOptions } from './request.ts';
import { StatusError, newBadRequest, newConflict, newForbidden, type Status, type StatusCause } from './errors.ts';
import { lookupKind } from './registry.ts';
import { labelSelectorFromMeta } from './selectors.ts';
import { isPodReady } from './podutil.ts';

/** MaxDisruptedPodSize: evictions approved but not yet seen by the PDB controller, at most. */
export const MAX_DISRUPTED_POD_SIZE = 2000;
/** The message of every 429 the eviction subresource returns. */
export const EVICTION_TOO_MANY_REQUESTS = "Cannot evict pod as it would violate the pod's disruption budget.";
/** The 500 for a pod selected by several budgets (returned as a Status, not an error, upstream). */
export const MULTIPLE_PDBS_MESSAGE = 'This pod has more than one PodDisruptionBudget, which the eviction subresource does not support.';
/** policyv1.DisruptionBudgetCause */
export const DISRUPTION_BUDGET_CAUSE = 'DisruptionBudget';
/** The pod condition an eviction adds before deleting (PodDisruptionConditions, GA 1.31). */
export const DISRUPTION_TARGET = 'DisruptionTarget';
export const EVICTION_BY_EVICTION_API = 'EvictionByEvictionAPI';

const POD = lookupKind('v1', 'Pod')!;
const PDB = lookupKind('policy/v1', 'PodDisruptionBudget')!;
/** The API server's loopback identity: upstream writes the PDB status through its own client. */
const LOOPBACK: UserInfo = { username: 'system:apiserver', groups: ['system:masters'] };

/** Eviction.deleteOptions as a client sends it. */
interface EvictionDeleteOptions extends DeleteOptions {
  dryRun?: string[];
}

/** Serves POST pods/NAME/eviction. */
export function registerEviction(server: ApiServer): void {
  server.registerSubresource('Pod', 'eviction', evictionHandler);
}

const evictionHandler: SubresourceHandler = ({ server, namespace, name, body, user, dryRun }) => {
  const eviction = (body ?? {}) as KubeObject;
  if (eviction.metadata?.name !== name) throw newBadRequest('name in URL does not match name in Eviction object');
  const options: EvictionDeleteOptions = { ...(eviction.deleteOptions ?? {}) };
  const isDryRun = dryRun || (options.dryRun ?? []).length > 0;
  const pod = server.get(POD, namespace, name);

  // A terminal, Pending or terminating pod cannot count towards a budget: delete it directly.
  if (canIgnorePDB(pod)) {
    const opts = shouldEnforceResourceVersion(pod) && resourceVersionIsUnset(options) ? withResourceVersion(options, pod) : options;
    if (!isDryRun) addConditionAndDeletePod(server, pod, opts, user);
    return successStatus();
  }

  const pdbs = getPodDisruptionBudgets(server, pod);
  if (pdbs.length > 1) throw multiplePdbsStatus();
  let deleteOptions = options;
  if (pdbs.length === 1) {
    const pdb = pdbs[0];
    if (unhealthyPodMayGo(pod, pdb)) {
      // The pod does not count as healthy: deleting it cannot disrupt the application, so no
      // disruption is used; the resourceVersion precondition guards against it turning Ready.
      deleteOptions = withResourceVersion(options, pod);
    } else {
      checkAndDecrement(server, pod, pdb, isDryRun);
    }
  }
  if (isDryRun) return successStatus();
  try {
    addConditionAndDeletePod(server, pod, deleteOptions, user);
  } catch (e) {
    if (e instanceof StatusError && e.code === 409 && deleteOptions !== options && resourceVersionIsUnset(options)) {
      throw tooManyRequestsStillProcessing(pdbs[0].metadata.name!);
    }
    throw e;
  }
  return successStatus();
};

/** canIgnorePDB: Succeeded, Failed, Pending, or already carrying a deletionTimestamp. */
export function canIgnorePDB(pod: KubeObject): boolean {
  const phase = pod.status?.phase;
  return phase === 'Succeeded' || phase === 'Failed' || phase === 'Pending' || Boolean(pod.metadata.deletionTimestamp);
}

/** shouldEnforceResourceVersion: not for terminal or terminating pods. */
function shouldEnforceResourceVersion(pod: KubeObject): boolean {
  const phase = pod.status?.phase;
  return !(phase === 'Succeeded' || phase === 'Failed' || pod.metadata.deletionTimestamp);
}

function resourceVersionIsUnset(opts: DeleteOptions): boolean {
  return !opts.preconditions?.resourceVersion;
}

function withResourceVersion(opts: EvictionDeleteOptions, pod: KubeObject): EvictionDeleteOptions {
  return { ...opts, preconditions: { ...(opts.preconditions ?? {}), resourceVersion: pod.metadata.resourceVersion } };
}

/**
 * An unready pod under a budget: with unhealthyPodEvictionPolicy AlwaysAllow it may always go;
 * with IfHealthyBudget (the default) only while the budget is met (currentHealthy >=
 * desiredHealthy > 0). Otherwise checkAndDecrement decides (and refuses when nothing is allowed).
 */
function unhealthyPodMayGo(pod: KubeObject, pdb: KubeObject): boolean {
  if (isPodReady(pod)) return false;
  if (pdb.spec?.unhealthyPodEvictionPolicy === 'AlwaysAllow') return true;
  const st = pdb.status ?? {};
  return (st.currentHealthy ?? 0) >= (st.desiredHealthy ?? 0) && (st.desiredHealthy ?? 0) > 0;
}

/**
 * getPodDisruptionBudgets: the PDBs of the pod's namespace whose selector matches its labels.
 * policy/v1: an empty selector matches every pod, an absent one none; an unparsable one none.
 */
export function getPodDisruptionBudgets(server: ApiServer, pod: KubeObject): KubeObject[] {
  const list = server.list(PDB, pod.metadata.namespace).items as KubeObject[];
  return list.filter((pdb) => pdbSelectsPod(pdb, pod));
}

export function pdbSelectsPod(pdb: KubeObject, pod: KubeObject): boolean {
  if (pdb.metadata.namespace !== pod.metadata.namespace) return false;
  try {
    return labelSelectorFromMeta(pdb.spec?.selector).matches(pod.metadata.labels ?? {});
  } catch {
    return false;
  }
}

/**
 * checkAndDecrement: refuses while the controller has not observed the PDB's generation, when
 * the status is broken, or when no disruption is allowed (429 with a DisruptionBudget cause);
 * otherwise takes one disruption and records the pod in disruptedPods (not on dry runs).
 */
function checkAndDecrement(server: ApiServer, pod: KubeObject, pdb: KubeObject, dryRun: boolean): void {
  const st = pdb.status ?? {};
  const name = pdb.metadata.name!;
  if ((st.observedGeneration ?? 0) < (pdb.metadata.generation ?? 0)) throw tooManyRequestsStillProcessing(name);
  const allowed: number = st.disruptionsAllowed ?? 0;
  if (allowed < 0) throw newForbidden({ group: 'policy', resource: 'poddisruptionbudget' }, name, 'pdb disruptions allowed is negative');
  if (Object.keys(st.disruptedPods ?? {}).length > MAX_DISRUPTED_POD_SIZE) {
    throw newForbidden({ group: 'policy', resource: 'poddisruptionbudget' }, name, 'DisruptedPods map too big - too many evictions not confirmed by PDB controller');
  }
  if (allowed === 0) {
    throw tooManyRequests(0, `The disruption budget ${name} needs ${st.desiredHealthy ?? 0} healthy pods and has ${st.currentHealthy ?? 0} currently`);
  }
  if (dryRun) return;
  const status = { ...st, disruptionsAllowed: allowed - 1, disruptedPods: { ...(st.disruptedPods ?? {}), [pod.metadata.name!]: server.time() } };
  const next: KubeObject = { ...pdb, status };
  if (status.disruptionsAllowed === 0) updateDisruptionAllowedCondition(next, server.time());
  server.updateObjectStatus(PDB, next, LOOPBACK);
}

/**
 * addConditionAndDeletePod: on the latest pod (checking the preconditions first), set
 * DisruptionTarget=True (EvictionByEvictionAPI) through the status store, move a
 * resourceVersion precondition to the version that write made, then delete as DELETE would.
 */
function addConditionAndDeletePod(server: ApiServer, pod: KubeObject, opts: EvictionDeleteOptions, user: UserInfo): void {
  const latest = server.get(POD, pod.metadata.namespace, pod.metadata.name!);
  checkPreconditions(latest, opts);
  const condition = { type: DISRUPTION_TARGET, status: 'True', lastProbeTime: null, lastTransitionTime: server.time(), reason: EVICTION_BY_EVICTION_API, message: 'Eviction API: evicting' };
  const conditions: any[] = latest.status?.conditions ?? [];
  const old = conditions.find((c) => c.type === DISRUPTION_TARGET);
  if (old?.status === 'True') condition.lastTransitionTime = old.lastTransitionTime;
  const changed = !old || old.status !== 'True' || old.reason !== condition.reason || old.message !== condition.message;
  let deleteOptions: DeleteOptions = { ...opts };
  delete (deleteOptions as EvictionDeleteOptions).dryRun;
  if (changed) {
    const next: KubeObject = { ...latest, status: { ...latest.status, conditions: old ? conditions.map((c) => (c === old ? condition : c)) : [...conditions, condition] } };
    const updated = server.updateObjectStatus(POD, next, user);
    if (!resourceVersionIsUnset(opts)) deleteOptions = { ...deleteOptions, preconditions: { ...opts.preconditions, resourceVersion: updated.metadata.resourceVersion } };
  }
  server.deleteObject(POD, pod.metadata.namespace, pod.metadata.name!, deleteOptions, user);
}

function checkPreconditions(pod: KubeObject, opts: DeleteOptions): void {
  const p = opts.preconditions;
  const gr = { group: '', resource: 'pods' };
  if (p?.uid && p.uid !== pod.metadata.uid) {
    throw newConflict(gr, pod.metadata.name!, `Precondition failed: UID in precondition: ${p.uid}, UID in object meta: ${pod.metadata.uid}`);
  }
  if (p?.resourceVersion && p.resourceVersion !== pod.metadata.resourceVersion) {
    throw newConflict(gr, pod.metadata.name!, `Precondition failed: ResourceVersion in precondition: ${p.resourceVersion}, ResourceVersion in object meta: ${pod.metadata.resourceVersion}`);
  }
}

/** The Status a successful eviction answers with (the create handler fills in code 201). */
function successStatus(): KubeObject {
  return { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Success', code: 201 } as KubeObject;
}

/** errors.NewTooManyRequests with a DisruptionBudget cause (retryAfterSeconds 0 is omitted). */
function tooManyRequests(retryAfterSeconds: number, causeMessage: string): StatusError {
  const details: Status['details'] = {};
  if (retryAfterSeconds) details.retryAfterSeconds = retryAfterSeconds;
  // The cause has no field (upstream omits it) and a reason outside the field-error causes.
  details.causes = [{ reason: DISRUPTION_BUDGET_CAUSE, message: causeMessage } as unknown as StatusCause];
  return new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: EVICTION_TOO_MANY_REQUESTS, reason: 'TooManyRequests', details, code: 429 });
}

/** createTooManyRequestsError: the PDB's status is behind its spec, or a race with readiness. */
function tooManyRequestsStillProcessing(pdbName: string): StatusError {
  return tooManyRequests(10, `The disruption budget ${pdbName} is still being processed by the server.`);
}

/** Upstream returns this Status (code 500, no reason) as the result; clients read it as an error. */
function multiplePdbsStatus(): StatusError {
  return new StatusError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: MULTIPLE_PDBS_MESSAGE, code: 500 } as Status);
}

// ---------------------------------------------------------------------- pdbhelper

export interface MetaCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  observedGeneration?: number;
  lastTransitionTime: string;
  reason: string;
  message: string;
}

/** policyv1 DisruptionAllowedCondition and its reasons. */
export const DISRUPTION_ALLOWED = 'DisruptionAllowed';
export const SUFFICIENT_PODS = 'SufficientPods';
export const INSUFFICIENT_PODS = 'InsufficientPods';
export const SYNC_FAILED = 'SyncFailed';

/**
 * meta.SetStatusCondition: adds the condition, or updates it in place; lastTransitionTime
 * changes only when the status does.
 */
export function setStatusCondition(conditions: MetaCondition[], cond: Omit<MetaCondition, 'lastTransitionTime'>, now: string): MetaCondition[] {
  const i = conditions.findIndex((c) => c.type === cond.type);
  if (i < 0) return [...conditions, withOrder({ ...cond, lastTransitionTime: now })];
  const old = conditions[i];
  const next = withOrder({ ...cond, lastTransitionTime: old.status === cond.status ? old.lastTransitionTime : now });
  const out = [...conditions];
  out[i] = next;
  return out;
}

/** metav1.Condition's field order, observedGeneration omitted when 0. */
function withOrder(c: MetaCondition): MetaCondition {
  const out: MetaCondition = { type: c.type, status: c.status } as MetaCondition;
  if (c.observedGeneration) out.observedGeneration = c.observedGeneration;
  out.lastTransitionTime = c.lastTransitionTime;
  out.reason = c.reason;
  out.message = c.message;
  return out;
}

/** UpdateDisruptionAllowedCondition: True/SufficientPods when disruptions are allowed, else False/InsufficientPods. */
export function updateDisruptionAllowedCondition(pdb: KubeObject, now: string): void {
  const st = pdb.status;
  const allowed = (st.disruptionsAllowed ?? 0) > 0;
  st.conditions = setStatusCondition(st.conditions ?? [], {
    type: DISRUPTION_ALLOWED, status: allowed ? 'True' : 'False', reason: allowed ? SUFFICIENT_PODS : INSUFFICIENT_PODS,
    message: '', observedGeneration: st.observedGeneration,
  }, now);
}

/** ConditionsAreUpToDate: the DisruptionAllowed condition agrees with disruptionsAllowed for this generation. */
export function conditionsAreUpToDate(pdb: KubeObject): boolean {
  const st = pdb.status ?? {};
  const cond = (st.conditions ?? []).find((c: MetaCondition) => c.type === DISRUPTION_ALLOWED);
  if (!cond || st.observedGeneration !== pdb.metadata.generation) return false;
  if ((st.disruptionsAllowed ?? 0) > 0) return cond.status === 'True' && cond.reason === SUFFICIENT_PODS;
  return cond.status === 'False' && cond.reason === INSUFFICIENT_PODS;
}
