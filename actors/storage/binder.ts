// The persistentvolume-binder controller (K:pkg/controller/volume/persistentvolume/pv_controller.go,
// pv_controller_base.go): binds claims to volumes (smallest fitting volume, index.go
// findBestMatchForClaim), leaves WaitForFirstConsumer claims to the scheduler until it picked a
// node, hands dynamic provisioning to the external CSI provisioner (annotations and the
// ExternalProvisioning event), releases volumes whose claim is gone and applies their reclaim
// policy, and marks claims Lost whose volume disappeared. Every PV and PVC has its lifecycle
// machine (machines/pv.ts, machines/pvc.ts); the controller reports what it observes to the
// machine and writes the phase the machine is in. Events come from `persistentvolume-controller`.
import { createActor, type AnyActorRef } from 'xstate';
import type { KubeObject } from '../../api/types.ts';
import { formatTime } from '../../api/time.ts';
import type { ApiResult } from '../../api/request.ts';
import type { Informer } from '../../client/informer.ts';
import { EventRecorder } from '../../client/events.ts';
import { Controller, controllerUser } from '../controllers/controller.ts';
import { pvMachine, type PVPhase } from '../../machines/pv.ts';
import { pvcMachine, type PVCPhase } from '../../machines/pvc.ts';
import {
  ANN, REF, claimClass, claimKey, copyOf, findBestMatchForClaim, hasAnnotation, isVolumeBoundToClaim, podClaims,
} from './util.ts';

/** --pvclaimbinder-sync-period: every claim and volume is synced again this often. */
export const PV_SYNC_PERIOD_MS = 15_000;
export const PV_CONTROLLER = 'persistentvolume-controller';

export const MSG = {
  waitForFirstConsumer: 'waiting for first consumer to be created before binding',
  noClassNoVolume: 'no persistent volumes available for this claim and no storage class is set',
  claimLostReference: 'Bound claim has lost reference to PersistentVolume. Data on the volume is lost!',
  claimLostVolume: 'Bound claim has lost its PersistentVolume. Data on the volume is lost!',
  claimMisbound: 'Two claims are bound to the same volume, this one is bound incorrectly',
  externalProvisioning: (p: string) => `Waiting for a volume to be created either by the external provisioner '${p}' or manually by the system administrator. If volume creation is delayed, please verify that the provisioner is running and correctly registered.`,
} as const;

export class PersistentVolumeController extends Controller {
  protected readonly user = controllerUser('persistent-volume-binder');
  private volumes!: Informer;
  private claims!: Informer;
  private classes!: Informer;
  private pods!: Informer;
  private recorder!: EventRecorder;
  private readonly pvActors = new Map<string, AnyActorRef>();
  private readonly pvcActors = new Map<string, AnyActorRef>();

  constructor(private readonly epoch?: number) {
    super();
  }

  protected setup(): void {
    this.recorder = new EventRecorder(this.client, () => this.ctx.now(), { component: PV_CONTROLLER }, this.ctx.random('events'));
    this.volumes = this.informer({ kind: REF.pv, name: 'pvs', resyncPeriod: PV_SYNC_PERIOD_MS });
    this.claims = this.informer({ kind: REF.pvc, name: 'pvcs', resyncPeriod: PV_SYNC_PERIOD_MS });
    this.classes = this.informer({ kind: REF.storageClass, name: 'storageclasses' });
    this.pods = this.informer({ kind: REF.pod, name: 'pods' });
    this.volumes.addHandlers({
      add: (pv) => this.enqueue(`pv:${pv.metadata.name}`),
      update: (_o, pv) => this.enqueue(`pv:${pv.metadata.name}`),
      delete: (pv) => this.volumeDeleted(pv),
    });
    this.claims.addHandlers({
      add: (c) => this.enqueue(`pvc:${claimKey(c)}`),
      update: (_o, c) => this.enqueue(`pvc:${claimKey(c)}`),
      delete: (c) => this.claimDeleted(c),
    });
    this.classes.addHandlers({ add: () => this.enqueuePendingClaims(), update: () => this.enqueuePendingClaims() });
  }

  override snapshot(): unknown {
    const states = (m: Map<string, AnyActorRef>) => Object.fromEntries([...m].sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, a]) => [k, a.getSnapshot().value]));
    return { ...(super.snapshot() as object), volumes: states(this.pvActors), claims: states(this.pvcActors) };
  }

  override stop(): void {
    super.stop();
    for (const a of [...this.pvActors.values(), ...this.pvcActors.values()]) a.stop();
  }

  protected reconcile(key: string): void {
    if (key.startsWith('pv:')) {
      const pv = this.volumes.get(undefined, key.slice(3));
      if (pv) this.syncVolume(pv);
      return;
    }
    const [ns, name] = key.slice(4).split('/');
    const claim = this.claims.get(ns, name);
    if (claim) this.syncClaim(claim, key);
  }

  // ------------------------------------------------------------------ event handlers

  private volumeDeleted(pv: KubeObject): void {
    this.pvActors.get(pv.metadata.name!)?.stop();
    this.pvActors.delete(pv.metadata.name!);
    const ref = pv.spec?.claimRef;
    if (ref) this.enqueue(`pvc:${ref.namespace}/${ref.name}`);
  }

  private claimDeleted(claim: KubeObject): void {
    const key = claimKey(claim);
    this.pvcActors.get(key)?.stop();
    this.pvcActors.delete(key);
    for (const pv of this.volumes.list()) if (isVolumeBoundToClaim(pv, claim)) this.enqueue(`pv:${pv.metadata.name}`);
  }

  private enqueuePendingClaims(): void {
    for (const c of this.claims.list()) if (c.status?.phase !== 'Bound') this.enqueue(`pvc:${claimKey(c)}`);
  }

  // ------------------------------------------------------------------ claims (syncClaim)

  /** syncClaim: unbound claims look for a volume; bound ones keep their volume consistent. */
  private syncClaim(claim: KubeObject, key: string): void {
    if (!hasAnnotation(claim, ANN.bindCompleted)) this.syncUnboundClaim(claim, key);
    else this.syncBoundClaim(claim, key);
  }

  private syncUnboundClaim(claim: KubeObject, key: string): void {
    if (claim.spec?.volumeName) return this.syncPreboundClaim(claim, key);
    const delayBinding = this.isDelayBindingMode(claim);
    const volume = findBestMatchForClaim(claim, this.volumes.list(), delayBinding);
    if (volume) return this.bind(volume, claim, key);
    if (delayBinding && !hasAnnotation(claim, ANN.selectedNode)) this.emitEventForUnboundDelayBindingClaim(claim);
    else if (claimClass(claim) !== '') this.provisionClaim(claim, key);
    else {
      this.recorder.event(claim, 'Normal', 'FailedBinding', MSG.noClassNoVolume);
      this.claimPhase(claim, { type: 'WAITING', reason: 'FailedBinding' });
    }
    this.updateClaimStatus(claim, key, undefined);
  }

  /** The user (or the provisioner) named the volume: bind when it exists and is free or ours. */
  private syncPreboundClaim(claim: KubeObject, key: string): void {
    const volume = this.volumes.get(undefined, claim.spec.volumeName);
    if (!volume) return this.updateClaimStatus(claim, key, undefined);
    if (!volume.spec?.claimRef || isVolumeBoundToClaim(volume, claim)) return this.bind(volume, claim, key);
    if (!hasAnnotation(claim, ANN.boundByController)) {
      this.recorder.event(claim, 'Warning', 'FailedBinding', `volume "${volume.metadata.name}" already bound to a different claim.`);
    }
    this.updateClaimStatus(claim, key, undefined);
  }

  private syncBoundClaim(claim: KubeObject, key: string): void {
    if (!claim.spec?.volumeName) return this.claimLost(claim, key, MSG.claimLostReference);
    const volume = this.volumes.get(undefined, claim.spec.volumeName);
    if (!volume) return this.claimLost(claim, key, MSG.claimLostVolume);
    const ref = volume.spec?.claimRef;
    if (!ref || ref.uid === claim.metadata.uid || isVolumeBoundToClaim(volume, claim)) return this.bind(volume, claim, key);
    if (claim.status?.phase !== 'Lost') this.recorder.event(claim, 'Warning', 'ClaimMisbound', MSG.claimMisbound);
    this.claimPhase(claim, { type: 'VOLUME_LOST' });
    this.writeClaimStatus(claim, key, 'Lost', undefined);
  }

  private claimLost(claim: KubeObject, key: string, message: string): void {
    if (claim.status?.phase !== 'Lost') this.recorder.event(claim, 'Warning', 'ClaimLost', message);
    this.claimPhase(claim, { type: 'VOLUME_LOST' });
    this.writeClaimStatus(claim, key, 'Lost', undefined);
  }

  /** IsDelayBindingMode: the claim's class binds WaitForFirstConsumer (a missing class does not). */
  private isDelayBindingMode(claim: KubeObject): boolean {
    const name = claimClass(claim);
    if (!name) return false;
    return this.classes.get(undefined, name)?.volumeBindingMode === 'WaitForFirstConsumer';
  }

  /** emitEventForUnboundDelayBindingClaim: WaitForFirstConsumer, or WaitForPodScheduled naming the pods. */
  private emitEventForUnboundDelayBindingClaim(claim: KubeObject): void {
    const pods = this.pods.list(claim.metadata.namespace)
      .filter((p) => !p.spec?.nodeName && podClaims(p).some((c) => c.claim === claim.metadata.name))
      .map((p) => p.metadata.name!);
    if (pods.length === 0) {
      this.recorder.event(claim, 'Normal', 'WaitForFirstConsumer', MSG.waitForFirstConsumer);
      this.claimPhase(claim, { type: 'WAITING', reason: 'WaitForFirstConsumer' });
      return;
    }
    const message = pods.length > 1 ? `waiting for pods ${pods.join(',')} to be scheduled` : `waiting for pod ${pods[0]} to be scheduled`;
    this.recorder.event(claim, 'Normal', 'WaitForPodScheduled', message);
    this.claimPhase(claim, { type: 'WAITING', reason: 'WaitForPodScheduled' });
  }

  /** provisionClaim for an external (CSI) provisioner: annotate the claim, then wait for its PV. */
  private provisionClaim(claim: KubeObject, key: string): void {
    const className = claimClass(claim);
    const sc = this.classes.get(undefined, className);
    if (!sc) {
      this.recorder.event(claim, 'Warning', 'ProvisioningFailed', `storageclass.storage.k8s.io "${className}" not found`);
      this.claimPhase(claim, { type: 'WAITING', reason: 'ProvisioningFailed' });
      return;
    }
    const provisioner: string = sc.provisioner;
    this.recorder.event(claim, 'Normal', 'ExternalProvisioning', MSG.externalProvisioning(provisioner));
    this.claimPhase(claim, { type: 'WAITING', reason: 'ExternalProvisioning' });
    const a = claim.metadata.annotations ?? {};
    if (a[ANN.storageProvisioner] === provisioner && a[ANN.betaStorageProvisioner] === provisioner) return;
    const patch = { metadata: { annotations: { [ANN.storageProvisioner]: provisioner, [ANN.betaStorageProvisioner]: provisioner } } };
    this.client.patch(REF.pvc, claim.metadata.namespace, claim.metadata.name!, patch, 'application/merge-patch+json', this.onWrite(key));
  }

  // ------------------------------------------------------------------ binding (bind)

  /**
   * bind: bindVolumeToClaim (claimRef, bound-by-controller) → updateVolumePhase(Bound) →
   * bindClaimToVolume (volumeName, bind-completed, bound-by-controller) → updateClaimStatus(Bound).
   * Each step writes only when something changes, so a level-triggered re-sync is cheap.
   */
  private bind(volume: KubeObject, claim: KubeObject, key: string): void {
    this.bindVolumeToClaim(volume, claim, key, (pv) => {
      this.updateVolumePhase(pv, { type: 'CLAIM_BOUND', claim: claimKey(claim) }, key, () => {
        this.bindClaimToVolume(claim, pv, key, (c) => this.updateClaimStatus(c, key, pv));
      });
    });
  }

  private bindVolumeToClaim(volume: KubeObject, claim: KubeObject, key: string, next: (pv: KubeObject) => void): void {
    const ref = volume.spec?.claimRef;
    if (ref && ref.uid === claim.metadata.uid && ref.name === claim.metadata.name && ref.namespace === claim.metadata.namespace) return next(volume);
    const pv = copyOf(volume);
    pv.spec.claimRef = {
      kind: 'PersistentVolumeClaim', namespace: claim.metadata.namespace, name: claim.metadata.name,
      uid: claim.metadata.uid, apiVersion: 'v1', resourceVersion: claim.metadata.resourceVersion,
    };
    if (!ref) pv.metadata.annotations = { ...(pv.metadata.annotations ?? {}), [ANN.boundByController]: 'yes' };
    this.client.update(pv, this.chain(key, next));
  }

  private bindClaimToVolume(claim: KubeObject, volume: KubeObject, key: string, next: (c: KubeObject) => void): void {
    const a = claim.metadata.annotations ?? {};
    if (claim.spec?.volumeName === volume.metadata.name && a[ANN.bindCompleted] === 'yes') return next(claim);
    const c = copyOf(claim);
    const annotations: Record<string, string> = { ...(c.metadata.annotations ?? {}), [ANN.bindCompleted]: 'yes' };
    if (!claim.spec?.volumeName) annotations[ANN.boundByController] = 'yes';
    c.metadata.annotations = annotations;
    c.spec.volumeName = volume.metadata.name;
    this.client.update(c, this.chain(key, next));
  }

  /** updateClaimStatus: Pending, or Bound with the volume's access modes and capacity. */
  private updateClaimStatus(claim: KubeObject, key: string, volume: KubeObject | undefined): void {
    if (volume) this.claimPhase(claim, { type: 'VOLUME_BOUND', volume: volume.metadata.name! });
    const phase = this.pvcActors.get(claimKey(claim))?.getSnapshot().value as PVCPhase | undefined;
    this.writeClaimStatus(claim, key, volume ? (phase ?? 'Bound') : 'Pending', volume);
  }

  private writeClaimStatus(claim: KubeObject, key: string, phase: PVCPhase, volume: KubeObject | undefined): void {
    const s = claim.status ?? {};
    const accessModes = volume ? volume.spec?.accessModes : undefined;
    const capacity = volume ? (s.capacity && phase === s.phase ? s.capacity : volume.spec?.capacity) : undefined;
    const same = s.phase === phase && JSON.stringify(s.accessModes) === JSON.stringify(accessModes ?? s.accessModes)
      && JSON.stringify(s.capacity) === JSON.stringify(capacity ?? s.capacity);
    if (same) return;
    const c = copyOf(claim);
    c.status = { ...s, phase };
    if (accessModes) c.status.accessModes = accessModes;
    if (capacity) c.status.capacity = capacity;
    this.client.updateStatus(c, this.onWrite(key));
  }

  /** updateVolumePhase: writes the phase the volume's machine reached (and lastPhaseTransitionTime). */
  private updateVolumePhase(volume: KubeObject, event: Parameters<AnyActorRef['send']>[0], key: string, next?: (pv: KubeObject) => void): void {
    const phase = this.volumePhase(volume, event);
    if (volume.status?.phase === phase) return next?.(volume);
    const pv = copyOf(volume);
    pv.status = { ...(pv.status ?? {}), phase, lastPhaseTransitionTime: formatTime(this.ctx.now(), this.epoch) };
    this.client.updateStatus(pv, next ? this.chain(key, next) : this.onWrite(key));
  }

  // ------------------------------------------------------------------ volumes (syncVolume)

  /** syncVolume: Available without a claim; Released (then reclaim) once its claim is gone. */
  private syncVolume(volume: KubeObject): void {
    const key = `pv:${volume.metadata.name}`;
    const ref = volume.spec?.claimRef;
    if (!ref || !ref.uid) return this.updateVolumePhase(volume, { type: 'UNCLAIMED' }, key);
    let claim = this.claims.get(ref.namespace, ref.name);
    if (claim && claim.metadata.uid !== ref.uid) claim = undefined;
    if (!claim) {
      const released = () => this.reclaimVolume(this.volumes.get(undefined, volume.metadata.name!) ?? volume, key);
      if (volume.status?.phase !== 'Released' && volume.status?.phase !== 'Failed') this.updateVolumePhase(volume, { type: 'CLAIM_DELETED' }, key, released);
      else released();
      return;
    }
    if (!claim.spec?.volumeName) return this.enqueue(`pvc:${claimKey(claim)}`);
    if (claim.spec.volumeName === volume.metadata.name) return this.updateVolumePhase(volume, { type: 'CLAIM_BOUND', claim: claimKey(claim) }, key);
    // The claim got bound to another volume: a volume we bound is freed again.
    if (hasAnnotation(volume, ANN.boundByController) && !hasAnnotation(volume, ANN.provisionedBy)) this.unbindVolume(volume, key);
  }

  private unbindVolume(volume: KubeObject, key: string): void {
    const pv = copyOf(volume);
    delete pv.spec.claimRef;
    if (pv.metadata.annotations) delete pv.metadata.annotations[ANN.boundByController];
    this.client.update(pv, this.chain(key, (updated) => this.updateVolumePhase(updated, { type: 'UNCLAIMED' }, key)));
  }

  /**
   * reclaimVolume: Retain keeps the volume Released with its data; Delete of a volume an external
   * provisioner created is the provisioner's (DeleteVolume, then the PV goes); any other Delete or
   * Recycle has no plug-in here and fails as upstream's does without one.
   */
  private reclaimVolume(volume: KubeObject, key: string): void {
    const policy = volume.spec?.persistentVolumeReclaimPolicy ?? 'Retain';
    if (policy === 'Retain' || volume.status?.phase === 'Failed') return;
    if (policy === 'Delete' && hasAnnotation(volume, ANN.provisionedBy)) return;
    const [reason, message] = policy === 'Delete'
      ? ['VolumeFailedDelete', `error getting deleter volume plugin for volume "${volume.metadata.name}": no deletable volume plugin matched`]
      : ['VolumeFailedRecycle', 'No recycler plugin found for the volume!'];
    this.recorder.event(volume, 'Warning', reason, message);
    const phase = this.volumePhase(volume, { type: 'RECLAIM_FAILED', message });
    const pv = copyOf(volume);
    pv.status = { ...(pv.status ?? {}), phase, message, lastPhaseTransitionTime: formatTime(this.ctx.now(), this.epoch) };
    this.client.updateStatus(pv, this.onWrite(key));
  }

  // ------------------------------------------------------------------ lifecycle machines

  private volumePhase(volume: KubeObject, event: any): PVPhase {
    const name = volume.metadata.name!;
    let actor = this.pvActors.get(name);
    if (!actor) {
      actor = createActor(pvMachine, { input: { name, phase: volume.status?.phase } }).start();
      this.pvActors.set(name, actor);
    }
    actor.send(event);
    return actor.getSnapshot().value as PVPhase;
  }

  private claimPhase(claim: KubeObject, event: any): void {
    const key = claimKey(claim);
    let actor = this.pvcActors.get(key);
    if (!actor) {
      actor = createActor(pvcMachine, { input: { name: key, phase: claim.status?.phase } }).start();
      this.pvcActors.set(key, actor);
    }
    actor.send(event);
  }

  /** A write callback that continues with the stored object, or requeues the key on failure. */
  private chain(key: string, next: (obj: KubeObject) => void): (r: ApiResult) => void {
    return (r) => {
      if (r.ok) next(r.object);
      else if (r.status.code !== 404) this.requeueRateLimited(key);
    };
  }
}
