// The simulated CSI driver `csi.kubesim.io` and its Kubernetes sidecars, after the CSI spec's
// volume lifecycle (container-storage-interface/spec spec.md, k8s-facts §10.3):
// - csi-provisioner (kubernetes-csi/external-provisioner): a claim annotated for this driver gets
//   CreateVolume (in the selected node's zone for WaitForFirstConsumer, else in a zone the class
//   allows) and a PV pre-bound to it with spec.csi and node affinity on the zone; a Released PV
//   with reclaimPolicy Delete gets DeleteVolume and is deleted.
// - csi-attacher (kubernetes-csi/external-attacher): ControllerPublishVolume for each
//   VolumeAttachment of this driver (status.attached), ControllerUnpublishVolume when it is deleted.
// - csi-resizer (kubernetes-csi/external-resizer): ControllerExpandVolume when a bound claim asks
//   for more than its capacity (online expansion: no node step needed).
// The disks themselves are the cluster's VolumeBackend; these actors are its only writers on the
// controller side (the kubelet's NodeStage/NodePublish are in mount.ts).
import type { KubeObject } from '../../api/types.ts';
import type { Informer } from '../../client/informer.ts';
import { EventRecorder } from '../../client/events.ts';
import { formatTime } from '../../api/time.ts';
import { Controller, controllerUser } from '../controllers/controller.ts';
import type { VolumeBackend } from './backend.ts';
import {
  ANN, CSI_DRIVER, FINALIZER, REF, ZONE_LABEL, claimClass, claimKey, claimRequest, copyOf, csiDriverObject, csiSource,
  defaultStorageClass, hasAnnotation, volumeCapacity,
} from './util.ts';

/** How long the simulated cloud takes: CreateVolume, ControllerPublishVolume, ControllerExpandVolume. */
export const CREATE_VOLUME_MS = 1_000;
export const ATTACH_MS = 1_000;
export const EXPAND_MS = 1_000;
/** The sidecars' component names in events (`<driver>_<pod>_<uid>` upstream). */
export const PROVISIONER_COMPONENT = `${CSI_DRIVER}_csi-controller-0`;
export const RESIZER_COMPONENT = `external-resizer ${CSI_DRIVER}`;

/** Reports a CSI error as the sidecars print gRPC status errors. */
export function rpcError(code: string, desc: string): string {
  return `rpc error: code = ${code} desc = ${desc}`;
}

// ==================================================================== provisioner

export class CSIProvisioner extends Controller {
  protected readonly user = controllerUser('csi-provisioner');
  private claims!: Informer;
  private volumes!: Informer;
  private classes!: Informer;
  private nodes!: Informer;
  private recorder!: EventRecorder;
  /** CreateVolume calls in flight: claim uid → when the disk is ready. */
  private readonly creating = new Map<string, number>();

  constructor(private readonly backend: VolumeBackend, private readonly epoch?: number) {
    super();
  }

  protected setup(): void {
    this.recorder = new EventRecorder(this.client, () => this.ctx.now(), { component: PROVISIONER_COMPONENT }, this.ctx.random('events'));
    this.installDefaults();
    this.claims = this.informer({ kind: REF.pvc, name: 'pvcs' });
    this.volumes = this.informer({ kind: REF.pv, name: 'pvs' });
    this.classes = this.informer({ kind: REF.storageClass, name: 'storageclasses' });
    this.nodes = this.informer({ kind: REF.node, name: 'nodes' });
    this.claims.addHandlers({ add: (c) => this.enqueue(`pvc:${claimKey(c)}`), update: (_o, c) => this.enqueue(`pvc:${claimKey(c)}`) });
    this.volumes.addHandlers({ add: (pv) => this.enqueue(`pv:${pv.metadata.name}`), update: (_o, pv) => this.enqueue(`pv:${pv.metadata.name}`) });
  }

  override snapshot(): unknown {
    return { ...(super.snapshot() as object), creating: Object.fromEntries([...this.creating].sort()) };
  }

  /** kind and minikube ship a default StorageClass; the driver registers its CSIDriver object. */
  private installDefaults(): void {
    this.client.create(defaultStorageClass());
    this.client.create(csiDriverObject());
  }

  protected reconcile(key: string): void {
    if (key.startsWith('pv:')) {
      const pv = this.volumes.get(undefined, key.slice(3));
      if (pv && hasAnnotation(pv, ANN.provisionedBy) && pv.metadata.annotations![ANN.provisionedBy] === CSI_DRIVER) this.syncVolume(pv, key);
      return;
    }
    const [ns, name] = key.slice(4).split('/');
    const claim = this.claims.get(ns, name);
    if (claim && this.shouldProvision(claim)) return this.provisionClaimOperation(claim, key);
  }

  /** shouldProvision: unbound, annotated for this driver, and (WaitForFirstConsumer) a node was selected. */
  private shouldProvision(claim: KubeObject): boolean {
    if (claim.spec?.volumeName || claim.metadata.deletionTimestamp) return false;
    if (claim.metadata.annotations?.[ANN.storageProvisioner] !== CSI_DRIVER) return false;
    const sc = this.classes.get(undefined, claimClass(claim));
    if (!sc || sc.provisioner !== CSI_DRIVER) return false;
    if (sc.volumeBindingMode === 'WaitForFirstConsumer' && !hasAnnotation(claim, ANN.selectedNode)) return false;
    return !this.volumes.get(undefined, `pvc-${claim.metadata.uid}`);
  }

  /** provisionClaimOperation: Provisioning event, CreateVolume, then the PV (ProvisioningSucceeded). */
  private provisionClaimOperation(claim: KubeObject, key: string): void {
    const uid = claim.metadata.uid!;
    const sc = this.classes.get(undefined, claimClass(claim))!;
    const topology = this.accessibleZone(claim, sc);
    if ('error' in topology) {
      this.recorder.event(claim, 'Warning', 'ProvisioningFailed', `failed to provision volume with StorageClass "${sc.metadata.name}": ${topology.error}`);
      this.requeueRateLimited(key);
      return;
    }
    const due = this.creating.get(uid);
    if (due === undefined) {
      this.recorder.event(claim, 'Normal', 'Provisioning', `External provisioner is provisioning volume for claim "${claimKey(claim)}"`);
      this.creating.set(uid, this.ctx.now() + CREATE_VOLUME_MS);
      this.enqueueAfter(key, CREATE_VOLUME_MS);
      return;
    }
    if (this.ctx.now() < due) return;
    const name = `pvc-${uid}`;
    this.backend.create(name, claimRequest(claim), topology.zone);
    this.client.create(this.volumeFor(claim, sc, name, topology.zone), (r) => {
      this.creating.delete(uid);
      if (r.ok || r.status.code === 409) this.recorder.event(claim, 'Normal', 'ProvisioningSucceeded', `Successfully provisioned volume ${name}`);
      else this.requeueRateLimited(key);
    });
  }

  /** The zone of the selected node (WaitForFirstConsumer), else one the class allows (seeded choice). */
  private accessibleZone(claim: KubeObject, sc: KubeObject): { zone: string | undefined } | { error: string } {
    const selected = claim.metadata.annotations?.[ANN.selectedNode];
    if (selected) {
      const node = this.nodes.get(undefined, selected);
      if (!node) return { error: `failed to get target node: node "${selected}" not found` };
      return { zone: node.metadata.labels?.[ZONE_LABEL] };
    }
    const allowed = new Set<string>();
    for (const t of sc.allowedTopologies ?? []) for (const e of t.matchLabelExpressions ?? []) if (e.key === ZONE_LABEL) for (const v of e.values ?? []) allowed.add(v);
    const zones = [...new Set(this.nodes.list().map((n) => n.metadata.labels?.[ZONE_LABEL]).filter((z): z is string => Boolean(z)))]
      .filter((z) => allowed.size === 0 || allowed.has(z)).sort();
    if (zones.length === 0) return allowed.size ? { error: rpcError('ResourceExhausted', 'no node in the requested topology') } : { zone: undefined };
    return { zone: zones[this.ctx.random('zones').int(zones.length)] };
  }

  private volumeFor(claim: KubeObject, sc: KubeObject, name: string, zone: string | undefined): KubeObject {
    const spec: Record<string, unknown> = {
      capacity: { storage: claim.spec.resources.requests.storage },
      accessModes: claim.spec.accessModes,
      persistentVolumeReclaimPolicy: sc.reclaimPolicy ?? 'Delete',
      storageClassName: sc.metadata.name,
      volumeMode: claim.spec.volumeMode ?? 'Filesystem',
      claimRef: { kind: 'PersistentVolumeClaim', namespace: claim.metadata.namespace, name: claim.metadata.name, uid: claim.metadata.uid, apiVersion: 'v1', resourceVersion: claim.metadata.resourceVersion },
      csi: { driver: CSI_DRIVER, volumeHandle: name, fsType: 'ext4', volumeAttributes: { 'storage.kubernetes.io/csiProvisionerIdentity': `${this.epoch ?? 0}-${CSI_DRIVER}` } },
    };
    if (sc.mountOptions) spec.mountOptions = sc.mountOptions;
    if (zone) spec.nodeAffinity = { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: ZONE_LABEL, operator: 'In', values: [zone] }] }] } };
    return {
      apiVersion: 'v1', kind: 'PersistentVolume',
      metadata: { name, annotations: { [ANN.provisionedBy]: CSI_DRIVER, 'volume.kubernetes.io/provisioner-deletion-secret-name': '', 'volume.kubernetes.io/provisioner-deletion-secret-namespace': '' }, finalizers: [FINALIZER.provisioner] },
      spec,
    };
  }

  /** A Released PV with reclaimPolicy Delete: DeleteVolume, delete the PV, drop our finalizer. */
  private syncVolume(pv: KubeObject, key: string): void {
    if (pv.metadata.deletionTimestamp) return this.removeFinalizer(pv, key);
    if (pv.status?.phase !== 'Released' || pv.spec?.persistentVolumeReclaimPolicy !== 'Delete') return;
    const handle = csiSource(pv)!.volumeHandle;
    const disk = this.backend.get(handle);
    if (disk && disk.attachedTo.size > 0) {
      this.recorder.event(pv, 'Warning', 'VolumeFailedDelete', rpcError('FailedPrecondition', `volume ${handle} is still attached to node(s) ${[...disk.attachedTo].sort().join(', ')}`));
      this.requeueRateLimited(key);
      return;
    }
    this.backend.delete(handle);
    this.client.delete(REF.pv, undefined, pv.metadata.name!, undefined, this.onWrite(key));
  }

  private removeFinalizer(pv: KubeObject, key: string): void {
    const finalizers: string[] = pv.metadata.finalizers ?? [];
    if (!finalizers.includes(FINALIZER.provisioner)) return;
    if (pv.status?.phase === 'Bound') return;
    const handle = csiSource(pv)!.volumeHandle;
    if (pv.spec?.persistentVolumeReclaimPolicy === 'Delete') this.backend.delete(handle);
    const updated = copyOf(pv);
    updated.metadata.finalizers = finalizers.filter((f) => f !== FINALIZER.provisioner);
    this.client.update(updated, this.onWrite(key));
  }
}

// ==================================================================== attacher

export class CSIAttacher extends Controller {
  protected readonly user = controllerUser('csi-attacher');
  private attachments!: Informer;
  private volumes!: Informer;
  private nodes!: Informer;
  /** ControllerPublishVolume calls in flight: attachment → when done. */
  private readonly attaching = new Map<string, number>();

  constructor(private readonly backend: VolumeBackend, private readonly epoch?: number) {
    super();
  }

  protected setup(): void {
    this.attachments = this.informer({ kind: REF.volumeAttachment, name: 'volumeattachments' });
    this.volumes = this.informer({ kind: REF.pv, name: 'pvs' });
    this.nodes = this.informer({ kind: REF.node, name: 'nodes' });
    this.attachments.addHandlers({ add: (va) => this.enqueue(va.metadata.name!), update: (_o, va) => this.enqueue(va.metadata.name!) });
  }

  protected reconcile(key: string): void {
    const va = this.attachments.get(undefined, key);
    if (!va || va.spec?.attacher !== CSI_DRIVER) return;
    if (va.metadata.deletionTimestamp) return this.detach(va, key);
    if (!(va.metadata.finalizers ?? []).includes(FINALIZER.attacher)) {
      const updated = copyOf(va);
      updated.metadata.finalizers = [...(va.metadata.finalizers ?? []), FINALIZER.attacher];
      this.client.update(updated, this.onWrite(key));
      return;
    }
    if (!va.status?.attached) this.attach(va, key);
  }

  /** ControllerPublishVolume: the disk must exist and be in the node's zone. */
  private attach(va: KubeObject, key: string): void {
    const node: string = va.spec.nodeName;
    const pv = this.volumes.get(undefined, va.spec.source?.persistentVolumeName ?? '');
    const handle = pv ? csiSource(pv)?.volumeHandle : undefined;
    const disk = handle ? this.backend.get(handle) : undefined;
    const nodeZone = this.nodes.get(undefined, node)?.metadata.labels?.[ZONE_LABEL];
    let error: string | undefined;
    if (!disk) error = rpcError('NotFound', `volume ${handle ?? va.spec.source?.persistentVolumeName} not found`);
    else if (disk.zone && nodeZone !== disk.zone) error = rpcError('InvalidArgument', `volume ${handle} is in zone ${disk.zone} and cannot be attached to node ${node} in zone ${nodeZone ?? '""'}`);
    if (error) {
      if (va.status?.attachError?.message !== error) this.writeStatus(va, key, { attached: false, attachError: { time: formatTime(this.ctx.now(), this.epoch), message: error } });
      this.requeueRateLimited(key);
      return;
    }
    const due = this.attaching.get(key);
    if (due === undefined) {
      this.attaching.set(key, this.ctx.now() + ATTACH_MS);
      this.enqueueAfter(key, ATTACH_MS);
      return;
    }
    if (this.ctx.now() < due) return;
    this.attaching.delete(key);
    disk!.attachedTo.add(node);
    this.writeStatus(va, key, { attached: true, attachmentMetadata: { devicePath: `/dev/disk/by-id/kubesim-${handle}` } });
  }

  /** ControllerUnpublishVolume, then the attacher's finalizer goes and the object with it. */
  private detach(va: KubeObject, key: string): void {
    const pv = this.volumes.get(undefined, va.spec.source?.persistentVolumeName ?? '');
    const handle = pv ? csiSource(pv)?.volumeHandle : undefined;
    if (handle) this.backend.get(handle)?.attachedTo.delete(va.spec.nodeName);
    this.attaching.delete(key);
    const finalizers: string[] = va.metadata.finalizers ?? [];
    if (!finalizers.includes(FINALIZER.attacher)) return;
    const updated = copyOf(va);
    updated.metadata.finalizers = finalizers.filter((f) => f !== FINALIZER.attacher);
    this.client.update(updated, this.onWrite(key));
  }

  private writeStatus(va: KubeObject, key: string, status: Record<string, unknown>): void {
    const updated = copyOf(va);
    updated.status = status;
    this.client.updateStatus(updated, this.onWrite(key));
  }
}

// ==================================================================== resizer

export class CSIResizer extends Controller {
  protected readonly user = controllerUser('csi-resizer');
  private claims!: Informer;
  private volumes!: Informer;
  private recorder!: EventRecorder;
  private readonly expanding = new Map<string, number>();

  constructor(private readonly backend: VolumeBackend) {
    super();
  }

  protected setup(): void {
    this.recorder = new EventRecorder(this.client, () => this.ctx.now(), { component: RESIZER_COMPONENT }, this.ctx.random('events'));
    this.claims = this.informer({ kind: REF.pvc, name: 'pvcs' });
    this.volumes = this.informer({ kind: REF.pv, name: 'pvs' });
    this.claims.addHandlers({ add: (c) => this.enqueue(claimKey(c)), update: (_o, c) => this.enqueue(claimKey(c)) });
    this.volumes.addHandlers({ update: (_o, pv) => { const ref = pv.spec?.claimRef; if (ref) this.enqueue(`${ref.namespace}/${ref.name}`); } });
  }

  /** A bound claim of this driver asking for more than its volume has: expand disk, PV, then claim status. */
  protected reconcile(key: string): void {
    const [ns, name] = key.split('/');
    const claim = this.claims.get(ns, name);
    if (!claim || claim.status?.phase !== 'Bound' || !claim.spec?.volumeName) return;
    const pv = this.volumes.get(undefined, claim.spec.volumeName);
    if (!pv || !csiSource(pv)) return;
    const want = claimRequest(claim);
    if (want <= volumeCapacity(pv)) return this.finish(claim, pv, key);
    const due = this.expanding.get(key);
    if (due === undefined) {
      this.recorder.event(claim, 'Normal', 'Resizing', `External resizer is resizing volume ${pv.metadata.name}`);
      this.expanding.set(key, this.ctx.now() + EXPAND_MS);
      this.enqueueAfter(key, EXPAND_MS);
      return;
    }
    if (this.ctx.now() < due) return;
    const disk = this.backend.get(csiSource(pv)!.volumeHandle);
    if (disk) disk.capacityBytes = want;
    const updated = copyOf(pv);
    updated.spec.capacity = { ...updated.spec.capacity, storage: claim.spec.resources.requests.storage };
    this.client.update(updated, this.onWrite(key));
  }

  /** markPVCResizeFinished: status.capacity follows the volume; VolumeResizeSuccessful. */
  private finish(claim: KubeObject, pv: KubeObject, key: string): void {
    if (!this.expanding.has(key)) return;
    if (JSON.stringify(claim.status?.capacity) === JSON.stringify(pv.spec.capacity)) {
      this.expanding.delete(key);
      this.recorder.event(claim, 'Normal', 'VolumeResizeSuccessful', 'Resize volume succeeded');
      return;
    }
    const updated = copyOf(claim);
    updated.status = { ...updated.status, capacity: pv.spec.capacity };
    delete updated.status.conditions;
    this.client.updateStatus(updated, this.onWrite(key));
  }
}

