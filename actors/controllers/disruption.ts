// The disruption controller (pkg/controller/disruption/disruption.go): keeps every
// PodDisruptionBudget's status current — expectedPods from the scale of the pods' controllers,
// desiredHealthy, currentHealthy (Ready, not being deleted, not recently evicted),
// disruptionsAllowed, disruptedPods with their 2-minute DeletionTimeout, observedGeneration and
// the DisruptionAllowed condition — so the eviction subresource (api/eviction.ts) can decide.
// It also resets DisruptionTarget conditions left on pods that were never deleted.
import type { KubeObject } from '../../api/types.ts';
import { isStatusError } from '../../api/errors.ts';
import { lookupKind, noKindMatchError } from '../../api/registry.ts';
import { formatTime } from '../../api/time.ts';
import { DISRUPTION_ALLOWED, SYNC_FAILED, pdbSelectsPod, setStatusCondition } from '../../api/eviction.ts';
import { EventRecorder } from '../../client/events.ts';
import type { Informer } from '../../client/informer.ts';
import { Controller, controllerUser, type ReconcileResult } from './controller.ts';
import { getControllerOf, splitKey, updatePodCondition } from './controller-utils.ts';
import {
  buildDisruptedPodMap, countHealthyPods, getExpectedPodCount, labelSelectorString, pdbStatusUpdate, staleDisruptionWait,
  type ControllerScale, type ScaleFinder,
} from './disruption-budget.ts';

const PDB_KIND = { apiVersion: 'policy/v1', kind: 'PodDisruptionBudget' };
const POD_KIND = { apiVersion: 'v1', kind: 'Pod' };
/** Keys of the stale-DisruptionTarget queue share the work queue under this prefix. */
const STALE_POD_PREFIX = 'stale-pod:';

type OwnerRef = { apiVersion: string; kind: string; name: string; uid: string };

export class DisruptionController extends Controller {
  protected readonly user = controllerUser('disruption-controller');
  private pdbInformer!: Informer;
  private podInformer!: Informer;
  private rcInformer!: Informer;
  private rsInformer!: Informer;
  private deploymentInformer!: Informer;
  private statefulSetInformer!: Informer;
  private recorder!: EventRecorder;

  protected setup(): void {
    this.recorder = new EventRecorder(this.client, () => this.ctx.now(), { component: 'controllermanager' }, this.ctx.random('events'));
    this.pdbInformer = this.informer({ kind: PDB_KIND, name: 'pdbs' });
    this.podInformer = this.informer({ kind: POD_KIND, name: 'pods' });
    this.rcInformer = this.informer({ kind: { apiVersion: 'v1', kind: 'ReplicationController' }, name: 'rcs' });
    this.rsInformer = this.informer({ kind: { apiVersion: 'apps/v1', kind: 'ReplicaSet' }, name: 'rss' });
    this.deploymentInformer = this.informer({ kind: { apiVersion: 'apps/v1', kind: 'Deployment' }, name: 'deployments' });
    this.statefulSetInformer = this.informer({ kind: { apiVersion: 'apps/v1', kind: 'StatefulSet' }, name: 'statefulsets' });
    this.pdbInformer.addHandlers({ add: (p) => this.enqueue(keyOf(p)), update: (_o, p) => this.enqueue(keyOf(p)), delete: (p) => this.enqueue(keyOf(p)) });
    this.podInformer.addHandlers({ add: (p) => this.podChanged(p), update: (_o, p) => this.podChanged(p), delete: (p) => this.podDeleted(p) });
  }

  // ------------------------------------------------------------------ event handlers

  /** addPod / updatePod: wake the pod's PDB; schedule the reset of a stale DisruptionTarget. */
  private podChanged(pod: KubeObject): void {
    const pdb = this.getPdbForPod(pod);
    if (pdb) this.enqueue(keyOf(pdb));
    const wait = staleDisruptionWait(pod, this.ctx.now());
    if (wait !== undefined) this.enqueueAfter(STALE_POD_PREFIX + keyOf(pod), wait);
  }

  private podDeleted(pod: KubeObject): void {
    const pdb = this.getPdbForPod(pod);
    if (pdb) this.enqueue(keyOf(pdb));
  }

  /** getPdbForPod: the first matching PDB by name; several is a Warning event on the pod. */
  private getPdbForPod(pod: KubeObject): KubeObject | undefined {
    const pdbs = this.pdbInformer.list(pod.metadata.namespace).filter((pdb) => pdbSelectsPod(pdb, pod));
    if (pdbs.length > 1) {
      const msg = `Pod "${pod.metadata.namespace}"/"${pod.metadata.name}" matches multiple PodDisruptionBudgets.  Chose "${pdbs[0].metadata.name}" arbitrarily.`;
      this.recorder.event(pod, 'Warning', 'MultiplePodDisruptionBudgets', msg);
    }
    return pdbs[0];
  }

  // ------------------------------------------------------------------ the work queue

  protected reconcile(key: string): ReconcileResult | void {
    if (key.startsWith(STALE_POD_PREFIX)) return this.syncStalePodDisruption(key.slice(STALE_POD_PREFIX.length));
    return this.sync(key);
  }

  /** sync: trySync; a failure other than a conflict writes the fail-safe status (SyncFailed). */
  private sync(key: string): void {
    const [namespace, name] = splitKey(key);
    const pdb = this.pdbInformer.get(namespace, name);
    if (!pdb) return;
    try {
      this.trySync(key, pdb);
    } catch (e) {
      const message = isStatusError(e) ? e.status.message : (e as Error).message;
      this.ctx.log('disruption.sync-failed', { pdb: key, error: message });
      this.failSafe(key, pdb, message);
    }
  }

  /** trySync: pods → expected and desired counts → disruptedPods → currentHealthy → status. */
  private trySync(key: string, pdb: KubeObject): void {
    const pods = this.getPodsForPdb(pdb);
    if (pods.length === 0) this.recorder.event(pdb, 'Normal', 'NoPods', 'No matching pods found');
    let counts;
    try {
      counts = getExpectedPodCount(pdb, pods, this.finder);
    } catch (e) {
      this.recorder.event(pdb, 'Warning', 'CalculateExpectedPodCountFailed', `Failed to calculate the number of expected pods: ${(e as Error).message}`);
      throw e;
    }
    if (counts.unmanagedPods.length > 0) {
      this.recorder.event(pdb, 'Warning', 'UnmanagedPods', `Pods selected by this PodDisruptionBudget (selector: ${labelSelectorString(pdb.spec?.selector)}) were found `
        + 'to be unmanaged. As a result, the status of the PDB cannot be calculated correctly, which may result in undefined behavior. '
        + 'To account for these pods please set ".spec.minAvailable" field of the PDB to an integer value.');
    }
    const now = this.ctx.now();
    const { disruptedPods, recheckTime, notDeleted } = buildDisruptedPodMap(pods, pdb, now);
    for (const pod of notDeleted) {
      // Upstream prints the PDB's namespace twice here (pdb.Namespace, pdb.Namespace).
      this.recorder.event(pod, 'Warning', 'NotDeleted', `Pod was expected by PDB ${pdb.metadata.namespace}/${pdb.metadata.namespace} to be deleted but it wasn't`);
    }
    const currentHealthy = countHealthyPods(pods, disruptedPods, now);
    this.updatePdbStatus(key, pdb, { currentHealthy, desiredHealthy: counts.desiredHealthy, expectedCount: counts.expectedCount, disruptedPods }, (ok) => {
      // enqueuePdbForRecheck: look again when the earliest entry expires (a second later, as
      // the entry is kept while it has not yet passed its deadline).
      if (ok && recheckTime !== undefined) this.enqueueAfter(key, Math.max(0, recheckTime - this.ctx.now()) + 1000);
    });
  }

  /** getPodsForPdb: the namespace's pods its selector matches (an empty selector: all of them). */
  private getPodsForPdb(pdb: KubeObject): KubeObject[] {
    return this.podInformer.list(pdb.metadata.namespace).filter((pod) => pdbSelectsPod(pdb, pod));
  }

  /** updatePdbStatus: write only what changed (writePdbStatus; a failure requeues with back-off). */
  private updatePdbStatus(key: string, pdb: KubeObject, counts: Parameters<typeof pdbStatusUpdate>[1], done?: (ok: boolean) => void): void {
    const status = pdbStatusUpdate(pdb, counts, formatTime(this.ctx.now()));
    if (!status) {
      done?.(true);
      return;
    }
    this.client.updateStatus({ ...pdb, status }, this.onWrite(key, (r) => done?.(r.ok)));
  }

  /**
   * failSafe: at least set disruptionsAllowed to 0 with DisruptionAllowed=False/SyncFailed and
   * the error as its message, so no eviction is approved on a status that cannot be computed.
   */
  private failSafe(key: string, pdb: KubeObject, message: string): void {
    const st = pdb.status ?? {};
    const status = { ...st, disruptionsAllowed: 0 };
    status.conditions = setStatusCondition(st.conditions ?? [], {
      type: DISRUPTION_ALLOWED, status: 'False', reason: SYNC_FAILED, message, observedGeneration: st.observedGeneration,
    }, formatTime(this.ctx.now()));
    this.client.updateStatus({ ...pdb, status }, this.onWrite(key));
  }

  // ------------------------------------------------------------------ controllers' scale (finders)

  /** The finders in upstream's order: RC, Deployment (through its ReplicaSet), ReplicaSet, StatefulSet, scale. */
  private readonly finder: ScaleFinder = (ref, namespace) =>
    this.getPodReplicationController(ref, namespace) ?? this.getPodDeployment(ref, namespace) ?? this.getPodReplicaSet(ref, namespace)
    ?? this.getPodStatefulSet(ref, namespace) ?? this.getScaleController(ref, namespace);

  private getPodReplicationController(ref: OwnerRef, namespace: string): ControllerScale | undefined {
    if (!verifyGroupKind(ref, 'ReplicationController', [''])) return undefined;
    return scaleOf(this.rcInformer.get(namespace, ref.name), ref.uid);
  }

  /** getPodDeployment: a ReplicaSet controlled by a Deployment counts as the Deployment's scale. */
  private getPodDeployment(ref: OwnerRef, namespace: string): ControllerScale | undefined {
    if (!verifyGroupKind(ref, 'ReplicaSet', ['apps', 'extensions'])) return undefined;
    const rs = this.rsInformer.get(namespace, ref.name);
    if (!rs || rs.metadata.uid !== ref.uid) return undefined;
    const owner = getControllerOf(rs);
    if (!owner || !verifyGroupKind(owner, 'Deployment', ['apps', 'extensions'])) return undefined;
    return scaleOf(this.deploymentInformer.get(namespace, owner.name), owner.uid);
  }

  /** getPodReplicaSet: a ReplicaSet no Deployment controls. */
  private getPodReplicaSet(ref: OwnerRef, namespace: string): ControllerScale | undefined {
    if (!verifyGroupKind(ref, 'ReplicaSet', ['apps', 'extensions'])) return undefined;
    const rs = this.rsInformer.get(namespace, ref.name);
    if (!rs || rs.metadata.uid !== ref.uid || getControllerOf(rs)?.kind === 'Deployment') return undefined;
    return scaleOf(rs, ref.uid);
  }

  private getPodStatefulSet(ref: OwnerRef, namespace: string): ControllerScale | undefined {
    if (!verifyGroupKind(ref, 'StatefulSet', ['apps'])) return undefined;
    return scaleOf(this.statefulSetInformer.get(namespace, ref.name), ref.uid);
  }

  /**
   * getScaleController: any kind with a scale subresource. Upstream GETs the scale from the API;
   * the built-in scalable kinds are read from the caches here. A kind without one is an error.
   */
  private getScaleController(ref: OwnerRef, namespace: string): ControllerScale | undefined {
    const slash = ref.apiVersion.indexOf('/');
    const info = lookupKind(ref.apiVersion, ref.kind);
    if (!info) throw noKindMatchError(ref.apiVersion, ref.kind);
    if (!info.scale) {
      const group = slash < 0 ? '' : ref.apiVersion.slice(0, slash);
      throw new Error(`${info.resource}${group ? `.${group}` : ''} does not implement the scale subresource`);
    }
    const informer = { ReplicationController: this.rcInformer, ReplicaSet: this.rsInformer, Deployment: this.deploymentInformer, StatefulSet: this.statefulSetInformer }[info.kind];
    return scaleOf(informer?.get(namespace, ref.name), ref.uid);
  }

  // ------------------------------------------------------------------ stale DisruptionTarget conditions

  /** syncStalePodDisruption: after 2 minutes without a deletion, DisruptionTarget goes False. */
  private syncStalePodDisruption(podKeyStr: string): ReconcileResult | void {
    const [namespace, name] = splitKey(podKeyStr);
    const pod = this.podInformer.get(namespace, name);
    if (!pod) return;
    const wait = staleDisruptionWait(pod, this.ctx.now());
    if (wait === undefined) return;
    if (wait > 0) return { requeueAfter: wait };
    const { conditions, changed } = updatePodCondition(pod.status?.conditions ?? [], { type: 'DisruptionTarget', status: 'False' }, formatTime(this.ctx.now()));
    if (!changed) return;
    this.client.updateStatus({ ...pod, status: { ...pod.status, conditions } }, this.onWrite(STALE_POD_PREFIX + podKeyStr));
  }
}

/** verifyGroupKind: the reference names this kind in one of these API groups. */
function verifyGroupKind(ref: OwnerRef, kind: string, groups: string[]): boolean {
  if (ref.kind !== kind) return false;
  const slash = ref.apiVersion.indexOf('/');
  return groups.includes(slash < 0 ? '' : ref.apiVersion.slice(0, slash));
}

function scaleOf(obj: KubeObject | undefined, uid: string): ControllerScale | undefined {
  if (!obj || obj.metadata.uid !== uid) return undefined;
  return { uid, scale: obj.spec?.replicas ?? 1 };
}

function keyOf(o: KubeObject): string {
  return `${o.metadata.namespace ?? ''}/${o.metadata.name}`;
}
