// kubectl rollout for Deployments, on the Cluster API (staging/src/k8s.io/kubectl/pkg/cmd/rollout
// and pkg/polymorphichelpers: rollout_status.go, history.go, rollback.go, objectpauser.go,
// objectresumer.go, objectrestarter.go). Everything is client-side as in kubectl: `status`
// watches the Deployment on the virtual clock, `undo` patches the template of an older
// ReplicaSet back into the Deployment, pause/resume/restart patch the spec.
import type { Cluster } from './cluster.ts';
import type { KubeObject } from '../api/types.ts';
import { isStatusError } from '../api/errors.ts';
import { parseDuration } from './duration.ts';
import {
  ANNOTATIONS_TO_SKIP, CHANGE_CAUSE_ANNOTATION, POD_TEMPLATE_HASH_LABEL, RESTARTED_AT_ANNOTATION, TimedOutReason,
  equalIgnoreHash, getDeploymentCondition, revisionOf,
} from '../actors/controllers/deployment-util.ts';

export type RolloutAction = 'status' | 'history' | 'undo' | 'pause' | 'resume' | 'restart';

/** `kubectl rollout status` without --timeout waits forever; the simulation stops waiting after this. */
export const ROLLOUT_STATUS_MAX_WAIT_MS = 24 * 3_600_000;

/** An error as kubectl prints it; `output` holds what was printed before it (rollout status). */
export class RolloutError extends Error {
  constructor(message: string, readonly output = '') {
    super(message);
    this.name = 'RolloutError';
  }
}

interface RolloutOptions {
  namespace?: string;
  toRevision?: number;
  revision?: number;
  timeout?: string | number;
}

/** Runs `kubectl rollout ACTION KIND/NAME`; returns kubectl's output lines. */
export async function rollout(cluster: Cluster, action: RolloutAction, ref: string, opts: RolloutOptions = {}): Promise<string> {
  const { kind, name } = resolveRef(cluster, action, ref);
  const ns = opts.namespace ?? 'default';
  if (kind !== 'Deployment') {
    return action === 'status' ? rolloutStatus(cluster, kind, name, ns, opts) : restartWorkload(cluster, kind, name, ns);
  }
  switch (action) {
    case 'status': return rolloutStatus(cluster, 'Deployment', name, ns, opts);
    case 'history': return rolloutHistory(cluster, name, ns, opts.revision ?? 0);
    case 'undo': return rolloutUndo(cluster, name, ns, opts.toRevision ?? 0);
    case 'pause': return pauseOrResume(cluster, name, ns, true);
    case 'resume': return pauseOrResume(cluster, name, ns, false);
    case 'restart': return rolloutRestart(cluster, name, ns);
    default: throw new RolloutError(`error: unknown command "${action as string}" for "kubectl rollout"`);
  }
}

/**
 * `deployment/x`, `deploy/x`, `statefulset/x`, `ds/x` … → the kind and name. Deployments support
 * every action; StatefulSets and DaemonSets `status` and `restart` (kubesim does not yet read
 * their ControllerRevision history for `history`/`undo`); other kinds get kubectl's error.
 */
function resolveRef(cluster: Cluster, action: RolloutAction, ref: string): { kind: string; name: string } {
  const i = ref.indexOf('/');
  if (i < 0) throw new RolloutError(`error: you must provide a resource and a resource name together`);
  const info = cluster.resource(ref.slice(0, i));
  const workload = info.kind === 'StatefulSet' || info.kind === 'DaemonSet';
  if (info.kind !== 'Deployment' && !(workload && (action === 'status' || action === 'restart'))) {
    const what = action === 'status' ? 'status viewer' : action === 'history' ? 'history viewer' : action === 'undo' ? 'rollbacker' : action === 'restart' ? 'restarter' : action === 'pause' ? 'pauser' : 'resumer';
    throw new RolloutError(`error: no ${what} has been implemented for "${info.group ? `${info.kind}.${info.group}` : info.kind}"`);
  }
  return { kind: info.kind, name: ref.slice(i + 1) };
}

/** StatefulSetStatusViewer / DaemonSetStatusViewer (rollout_status.go). */
export function workloadStatusMessage(o: KubeObject): { message: string; done: boolean; error?: string } {
  const st = o.status ?? {};
  const name = o.metadata.name;
  if ((o.spec?.updateStrategy?.type ?? 'RollingUpdate') !== 'RollingUpdate') {
    return { message: '', done: false, error: 'rollout status is only available for RollingUpdate strategy type' };
  }
  if (o.kind === 'DaemonSet') {
    if ((o.metadata.generation ?? 0) > (st.observedGeneration ?? 0)) return { message: 'Waiting for daemon set spec update to be observed...', done: false };
    const desired = st.desiredNumberScheduled ?? 0;
    if ((st.updatedNumberScheduled ?? 0) < desired) return { message: `Waiting for daemon set "${name}" rollout to finish: ${st.updatedNumberScheduled ?? 0} out of ${desired} new pods have been updated...`, done: false };
    if ((st.numberAvailable ?? 0) < desired) return { message: `Waiting for daemon set "${name}" rollout to finish: ${st.numberAvailable ?? 0} of ${desired} updated pods are available...`, done: false };
    return { message: `daemon set "${name}" successfully rolled out`, done: true };
  }
  if (!st.observedGeneration || (o.metadata.generation ?? 0) > st.observedGeneration) return { message: 'Waiting for statefulset spec update to be observed...', done: false };
  const replicas = o.spec?.replicas ?? 1;
  if ((st.readyReplicas ?? 0) < replicas) return { message: `Waiting for ${replicas - (st.readyReplicas ?? 0)} pods to be ready...`, done: false };
  const partition = o.spec?.updateStrategy?.rollingUpdate?.partition ?? 0;
  if (partition > 0) {
    if ((st.updatedReplicas ?? 0) < replicas - partition) {
      return { message: `Waiting for partitioned roll out to finish: ${st.updatedReplicas ?? 0} out of ${replicas - partition} new pods have been updated...`, done: false };
    }
    return { message: `partitioned roll out complete: ${st.updatedReplicas ?? 0} new pods have been updated...`, done: true };
  }
  if (st.updateRevision !== st.currentRevision) {
    return { message: `waiting for statefulset rolling update to complete ${st.updatedReplicas ?? 0} pods at revision ${st.updateRevision}...`, done: false };
  }
  return { message: `statefulset rolling update complete ${st.currentReplicas ?? 0} pods at revision ${st.currentRevision}...`, done: true };
}

/** `kubectl rollout restart` of a StatefulSet or DaemonSet: the restartedAt annotation on the template. */
function restartWorkload(cluster: Cluster, kind: string, name: string, ns: string): string {
  const resource = kind === 'StatefulSet' ? 'statefulset' : 'daemonset';
  try {
    cluster.patch(resource, name, { spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: cluster.time() } } } } }, { namespace: ns, type: 'strategic' });
  } catch (e) {
    if (isStatusError(e)) throw new RolloutError(`Error from server (${e.status.reason}): ${e.status.message}`);
    throw e;
  }
  return `${resource}.apps/${name} restarted`;
}

function getWorkload(cluster: Cluster, resource: string, name: string, ns: string): KubeObject {
  try {
    return cluster.get(resource, name, ns);
  } catch (e) {
    if (isStatusError(e)) throw new RolloutError(`Error from server (${e.status.reason}): ${e.status.message}`);
    throw e;
  }
}

function getDeployment(cluster: Cluster, name: string, ns: string): KubeObject {
  try {
    return cluster.get('deployment', name, ns);
  } catch (e) {
    if (isStatusError(e)) throw new RolloutError(`Error from server (${e.status.reason}): ${e.status.message}`);
    throw e;
  }
}

// ---------------------------------------------------------------------- status

/**
 * DeploymentStatusViewer.Status: the message for one observed state of the Deployment, whether
 * the rollout is done, or the progress-deadline error.
 */
export function deploymentStatusMessage(d: KubeObject, revision = 0): { message: string; done: boolean; error?: string } {
  const name = d.metadata.name;
  if (revision > 0) {
    const rev = revisionOf(d);
    if (rev !== revision) return { message: '', done: false, error: `desired revision (${revision}) is different from the running revision (${rev})` };
  }
  const st = d.status ?? {};
  if ((d.metadata.generation ?? 0) <= (st.observedGeneration ?? 0)) {
    if (getDeploymentCondition(st, 'Progressing')?.reason === TimedOutReason) {
      return { message: '', done: false, error: `deployment "${name}" exceeded its progress deadline` };
    }
    const replicas = d.spec?.replicas;
    const updated = st.updatedReplicas ?? 0;
    if (replicas !== undefined && updated < replicas) {
      return { message: `Waiting for deployment "${name}" rollout to finish: ${updated} out of ${replicas} new replicas have been updated...`, done: false };
    }
    if ((st.replicas ?? 0) > updated) {
      return { message: `Waiting for deployment "${name}" rollout to finish: ${(st.replicas ?? 0) - updated} old replicas are pending termination...`, done: false };
    }
    if ((st.availableReplicas ?? 0) < updated) {
      return { message: `Waiting for deployment "${name}" rollout to finish: ${st.availableReplicas ?? 0} of ${updated} updated replicas are available...`, done: false };
    }
    return { message: `deployment "${name}" successfully rolled out`, done: true };
  }
  return { message: 'Waiting for deployment spec update to be observed...', done: false };
}

/**
 * `kubectl rollout status`: prints the status for the Deployment as listed, then for every
 * change the watch delivers, until done; a progress-deadline error or --timeout ends it with
 * an error (RolloutError, carrying what was printed).
 */
function rolloutStatus(cluster: Cluster, kind: string, name: string, ns: string, opts: RolloutOptions): string {
  const lines: string[] = [];
  let finished = false;
  let error: string | undefined;
  const resource = kind === 'Deployment' ? 'deployments' : kind === 'StatefulSet' ? 'statefulsets' : 'daemonsets';
  const consider = (d: KubeObject) => {
    if (finished) return;
    const s = kind === 'Deployment' ? deploymentStatusMessage(d, opts.revision ?? 0) : workloadStatusMessage(d);
    if (s.error) {
      error = s.error;
      finished = true;
      return;
    }
    lines.push(s.message);
    if (s.done) finished = true;
  };
  consider(kind === 'Deployment' ? getDeployment(cluster, name, ns) : getWorkload(cluster, resource, name, ns));
  const stop = finished ? undefined : cluster.watch(resource, (ev) => {
    if (ev.type === 'ADDED' || ev.type === 'MODIFIED') consider(ev.object);
    else if (ev.type === 'DELETED' && !finished) {
      error = 'object has been deleted';
      finished = true;
    }
  }, { namespace: ns, fieldSelector: `metadata.name=${name}` });
  const rt = cluster.runtime;
  const wait = opts.timeout !== undefined ? parseDuration(opts.timeout) : ROLLOUT_STATUS_MAX_WAIT_MS;
  const deadline = cluster.now() + wait;
  try {
    while (!finished) {
      const next = rt.nextDue();
      if (next === undefined || next > deadline) {
        rt.runFor(deadline - cluster.now());
        error = 'timed out waiting for the condition';
        break;
      }
      rt.step();
    }
  } finally {
    stop?.();
  }
  const output = lines.join('\n');
  if (error) throw new RolloutError(`error: ${error}`, output);
  return output;
}

// ---------------------------------------------------------------------- history

/** The Deployment's ReplicaSets (deploymentutil.GetAllReplicaSets: selected and controlled by it). */
function replicaSetsOf(cluster: Cluster, d: KubeObject): KubeObject[] {
  return cluster.list('replicasets', { namespace: d.metadata.namespace })
    .filter((rs) => (rs.metadata.ownerReferences ?? []).some((r: any) => r.controller && r.uid === d.metadata.uid));
}

/** `kubectl rollout history`: REVISION and CHANGE-CAUSE per ReplicaSet, or one revision's pod template. */
function rolloutHistory(cluster: Cluster, name: string, ns: string, revision: number): string {
  const d = getDeployment(cluster, name, ns);
  const history = new Map<number, KubeObject>();
  for (const rs of replicaSetsOf(cluster, d)) {
    const v = revisionOf(rs);
    if (Number.isNaN(v)) continue;
    const template = structuredClone(rs.spec.template ?? {});
    template.metadata ??= {};
    const cause = rs.metadata.annotations?.[CHANGE_CAUSE_ANNOTATION];
    template.metadata.annotations ??= {};
    if (cause) template.metadata.annotations[CHANGE_CAUSE_ANNOTATION] = cause;
    history.set(v, template);
  }
  const header = `deployment.apps/${name}`;
  if (history.size === 0) return `${header}\nNo rollout history found.`;
  if (revision > 0) {
    const template = history.get(revision);
    if (!template) throw new RolloutError('error: unable to find the specified revision');
    return `${header} with revision #${revision}\n${printTemplate(template)}`;
  }
  const rows = [['REVISION', 'CHANGE-CAUSE'], ...[...history.keys()].sort((a, b) => a - b)
    .map((r) => [String(r), history.get(r)!.metadata.annotations?.[CHANGE_CAUSE_ANNOTATION] || '<none>'])];
  return `${header}\n${tabbed(rows)}`;
}

/** A tabwriter with padding 2 (kubectl's tabbedString). */
function tabbed(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i] + 2))).join('')).join('\n');
}

/** printTemplate: the pod template as `kubectl describe` shows it (DescribePodTemplate, abridged). */
export function printTemplate(template: KubeObject | any): string {
  const rows: Array<[string, string]> = [];
  const kv = (m: Record<string, string> | undefined, sep: string) => Object.keys(m ?? {}).sort().map((k) => `${k}${sep}${m![k]}`);
  const multi = (key: string, values: string[]) => {
    if (values.length === 0) rows.push([key, '<none>']);
    values.forEach((v, i) => rows.push([i === 0 ? key : '', v]));
  };
  multi('  Labels:', kv(template.metadata?.labels, '='));
  multi('  Annotations:', kv(template.metadata?.annotations, ': '));
  const out = ['Pod Template:'];
  const flush = () => {
    const w = Math.max(...rows.map(([k]) => k.length)) + 2;
    for (const [k, v] of rows.splice(0)) out.push(`${k.padEnd(w)}${v}`);
  };
  flush();
  out.push('  Containers:');
  for (const c of template.spec?.containers ?? []) {
    out.push(`   ${c.name}:`);
    rows.push(['    Image:', c.image ?? '']);
    for (const p of c.ports ?? []) {
      rows.push(['    Port:', `${p.containerPort}/${p.protocol ?? 'TCP'}`]);
      rows.push(['    Host Port:', `${p.hostPort ?? 0}/${p.protocol ?? 'TCP'}`]);
    }
    if (!c.ports?.length) rows.push(['    Port:', '<none>'], ['    Host Port:', '<none>']);
    multi('    Environment:', (c.env ?? []).map((e: any) => `${e.name}: ${e.value ?? ''}`));
    multi('    Mounts:', (c.volumeMounts ?? []).map((m: any) => `${m.mountPath} from ${m.name} (${m.readOnly ? 'ro' : 'rw'})`));
    flush();
  }
  rows.push(['  Volumes:', (template.spec?.volumes ?? []).length ? (template.spec.volumes as any[]).map((v) => v.name).join(', ') : '<none>']);
  flush();
  return out.join('\n');
}

// ---------------------------------------------------------------------- undo

/**
 * `kubectl rollout undo` (DeploymentRollbacker.Rollback): find the ReplicaSet of --to-revision
 * (default: the one before the latest), refuse while paused, skip when the template already
 * matches, else JSON-patch its template (without pod-template-hash) and its annotations into
 * the Deployment. The controller then treats the old ReplicaSet as the new one and gives it the
 * next revision.
 */
function rolloutUndo(cluster: Cluster, name: string, ns: string, toRevision: number): string {
  if (toRevision < 0) throw new RolloutError(`error: unable to find specified revision ${toRevision} in history`);
  const d = getDeployment(cluster, name, ns);
  const rs = deploymentRevision(cluster, d, toRevision);
  if (d.spec.paused) {
    throw new RolloutError(`error: you cannot rollback a paused deployment; resume it first with 'kubectl rollout resume deployment/${name}' and try again`);
  }
  if (equalIgnoreHash(rs.spec.template, d.spec.template)) {
    return `deployment.apps/${name} skipped rollback (current template already matches revision ${toRevision})`;
  }
  const template = structuredClone(rs.spec.template);
  if (template.metadata?.labels) delete template.metadata.labels[POD_TEMPLATE_HASH_LABEL];
  const annotations: Record<string, string> = {};
  for (const k of ANNOTATIONS_TO_SKIP) if (d.metadata.annotations?.[k] !== undefined) annotations[k] = d.metadata.annotations[k];
  for (const [k, v] of Object.entries(rs.metadata.annotations ?? {})) if (!ANNOTATIONS_TO_SKIP.has(k)) annotations[k] = v as string;
  try {
    cluster.patch('deployment', name, [
      { op: 'replace', path: '/spec/template', value: template },
      { op: 'replace', path: '/metadata/annotations', value: annotations },
    ], { namespace: ns, type: 'json' });
  } catch (e) {
    if (isStatusError(e)) throw new RolloutError(`error: failed restoring revision ${toRevision}: ${e.status.message}`);
    throw e;
  }
  return `deployment.apps/${name} rolled back`;
}

/** deploymentRevision: the ReplicaSet of `toRevision`, or (0) the second newest revision. */
function deploymentRevision(cluster: Cluster, d: KubeObject, toRevision: number): KubeObject {
  let latest: KubeObject | undefined;
  let latestRevision = -1;
  let previous: KubeObject | undefined;
  let previousRevision = -1;
  for (const rs of replicaSetsOf(cluster, d)) {
    const v = revisionOf(rs);
    if (Number.isNaN(v)) continue;
    if (toRevision === 0) {
      if (latestRevision < v) {
        previousRevision = latestRevision;
        previous = latest;
        latestRevision = v;
        latest = rs;
      } else if (previousRevision < v) {
        previousRevision = v;
        previous = rs;
      }
    } else if (toRevision === v) return rs;
  }
  if (toRevision > 0) throw new RolloutError(`error: unable to find specified revision ${toRevision} in history`);
  if (!previous) throw new RolloutError(`error: no rollout history found for deployment "${d.metadata.name}"`);
  return previous;
}

// ---------------------------------------------------------------------- pause, resume, restart

/** `kubectl rollout pause|resume`: set or clear spec.paused; kubectl's error when already so. */
function pauseOrResume(cluster: Cluster, name: string, ns: string, pause: boolean): string {
  const d = getDeployment(cluster, name, ns);
  if (pause && d.spec.paused) throw new RolloutError(`error: deployments.apps "${name}" is already paused`);
  if (!pause && !d.spec.paused) throw new RolloutError(`error: deployments.apps "${name}" is not paused`);
  cluster.patch('deployment', name, { spec: { paused: pause ? true : null } }, { namespace: ns, type: 'strategic' });
  return `deployment.apps/${name} ${pause ? 'paused' : 'resumed'}`;
}

/** `kubectl rollout restart`: stamp kubectl.kubernetes.io/restartedAt on the pod template (a new revision). */
function rolloutRestart(cluster: Cluster, name: string, ns: string): string {
  const d = getDeployment(cluster, name, ns);
  if (d.spec.paused) throw new RolloutError(`error: deployments.apps "${name}" can't restart paused deployment (run rollout resume first)`);
  const patch = { spec: { template: { metadata: { annotations: { [RESTARTED_AT_ANNOTATION]: cluster.time() } } } } };
  cluster.patch('deployment', name, patch, { namespace: ns, type: 'strategic' });
  return `deployment.apps/${name} restarted`;
}
