// Shared storage vocabulary: annotation and finalizer names, the simulated CSI driver, and the
// pure matching helpers of component-helpers/storage/volume (pv_helpers.go) and the PV
// controller's access-mode index (pkg/controller/volume/persistentvolume/index.go).
import { createHash } from 'node:crypto';
import type { KubeObject } from '../../api/types.ts';
import { parseQuantity } from '../../api/validation.ts';
import { labelSelectorFromMeta } from '../../api/selectors.ts';
import { nodeSelectorTermMatches } from '../../api/podutil.ts';

/** The simulated zonal CSI driver (like kind's rancher.io/local-path, but zonal and attachable). */
export const CSI_DRIVER = 'csi.kubesim.io';
export const DEFAULT_CLASS = 'standard';
export const ZONE_LABEL = 'topology.kubernetes.io/zone';

export const ANN = {
  isDefaultClass: 'storageclass.kubernetes.io/is-default-class',
  betaIsDefaultClass: 'storageclass.beta.kubernetes.io/is-default-class',
  bindCompleted: 'pv.kubernetes.io/bind-completed',
  boundByController: 'pv.kubernetes.io/bound-by-controller',
  provisionedBy: 'pv.kubernetes.io/provisioned-by',
  storageProvisioner: 'volume.kubernetes.io/storage-provisioner',
  betaStorageProvisioner: 'volume.beta.kubernetes.io/storage-provisioner',
  selectedNode: 'volume.kubernetes.io/selected-node',
} as const;

export const FINALIZER = {
  pvcProtection: 'kubernetes.io/pvc-protection',
  pvProtection: 'kubernetes.io/pv-protection',
  provisioner: 'external-provisioner.volume.kubernetes.io/finalizer',
  attacher: `external-attacher/${CSI_DRIVER.replace(/\./g, '-')}`,
} as const;

export const REF = {
  pv: { apiVersion: 'v1', kind: 'PersistentVolume' },
  pvc: { apiVersion: 'v1', kind: 'PersistentVolumeClaim' },
  pod: { apiVersion: 'v1', kind: 'Pod' },
  node: { apiVersion: 'v1', kind: 'Node' },
  storageClass: { apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass' },
  volumeAttachment: { apiVersion: 'storage.k8s.io/v1', kind: 'VolumeAttachment' },
  csiDriver: { apiVersion: 'storage.k8s.io/v1', kind: 'CSIDriver' },
} as const;

export const MERGE = 'application/merge-patch+json';

/** The StorageClass a kind or minikube cluster ships, made zonal and expandable. */
export function defaultStorageClass(): KubeObject {
  return {
    apiVersion: 'storage.k8s.io/v1', kind: 'StorageClass',
    metadata: { name: DEFAULT_CLASS, annotations: { [ANN.isDefaultClass]: 'true' } },
    provisioner: CSI_DRIVER, reclaimPolicy: 'Delete', volumeBindingMode: 'WaitForFirstConsumer', allowVolumeExpansion: true,
  };
}

/** The driver's CSIDriver object: attachable (ControllerPublishVolume), persistent volumes only. */
export function csiDriverObject(): KubeObject {
  return {
    apiVersion: 'storage.k8s.io/v1', kind: 'CSIDriver', metadata: { name: CSI_DRIVER },
    spec: { attachRequired: true, podInfoOnMount: false, volumeLifecycleModes: ['Persistent'] },
  };
}

/** storagehelpers.GetPersistentVolumeClaimClass: spec.storageClassName, else the beta annotation, else "". */
export function claimClass(claim: KubeObject): string {
  return claim.spec?.storageClassName ?? claim.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? '';
}

export function volumeClass(pv: KubeObject): string {
  return pv.spec?.storageClassName ?? pv.metadata.annotations?.['volume.beta.kubernetes.io/storage-class'] ?? '';
}

export function storageBytes(q: unknown): number {
  return q === undefined || q === null ? 0 : parseQuantity(q as string);
}

export function claimRequest(claim: KubeObject): number {
  return storageBytes(claim.spec?.resources?.requests?.storage);
}

export function volumeCapacity(pv: KubeObject): number {
  return storageBytes(pv.spec?.capacity?.storage);
}

export function hasAnnotation(obj: KubeObject, key: string): boolean {
  return obj.metadata.annotations?.[key] !== undefined;
}

/** IsVolumeBoundToClaim: the PV's claimRef names the claim (and its uid, once set). */
export function isVolumeBoundToClaim(pv: KubeObject, claim: KubeObject): boolean {
  const ref = pv.spec?.claimRef;
  if (!ref) return false;
  if (ref.name !== claim.metadata.name || ref.namespace !== claim.metadata.namespace) return false;
  return !ref.uid || ref.uid === claim.metadata.uid;
}

/** CheckNodeAffinity: the PV's required node affinity admits the node (no affinity admits all). */
export function volumeNodeAffinityMatches(pv: KubeObject, node: KubeObject): boolean {
  const terms = pv.spec?.nodeAffinity?.required?.nodeSelectorTerms;
  if (!terms) return true;
  return terms.some((t: any) => nodeSelectorTermMatches(t, node));
}

/** The zone a PV's node affinity pins it to (the simulated driver's topology), if any. */
export function volumeZone(pv: KubeObject): string | undefined {
  for (const t of pv.spec?.nodeAffinity?.required?.nodeSelectorTerms ?? []) {
    for (const e of t.matchExpressions ?? []) if (e.key === ZONE_LABEL && e.operator === 'In' && e.values?.length === 1) return e.values[0];
  }
  return pv.metadata.labels?.[ZONE_LABEL];
}

/** IsMultiAttachAllowed: a PV with ReadWriteOnce or ReadWriteOncePod attaches to one node at a time. */
export function isMultiAttachAllowed(pv: KubeObject): boolean {
  const modes: string[] = pv.spec?.accessModes ?? [];
  return !modes.some((m) => m === 'ReadWriteOnce' || m === 'ReadWriteOncePod');
}

/** The CSI source of a PV served by the simulated driver. */
export function csiSource(pv: KubeObject): { driver: string; volumeHandle: string } | undefined {
  const csi = pv.spec?.csi;
  return csi && csi.driver === CSI_DRIVER ? csi : undefined;
}

/** getAttachmentName (pkg/volume/csi/csi_attacher.go): `csi-` + sha256(volumeHandle + driver + node). */
export function attachmentName(volumeHandle: string, driver: string, node: string): string {
  return `csi-${createHash('sha256').update(`${volumeHandle}${driver}${node}`).digest('hex')}`;
}

/** The backend disk behind a PV: its CSI volume handle, or a per-PV disk for in-tree sources. */
export function backendHandle(pv: KubeObject): string {
  return csiSource(pv)?.volumeHandle ?? `static/${pv.metadata.name}`;
}

/** The claims of a pod, in volume order: pod volume name and claim name. */
export function podClaims(pod: KubeObject): Array<{ volume: string; claim: string }> {
  const out: Array<{ volume: string; claim: string }> = [];
  for (const v of pod.spec?.volumes ?? []) if (v.persistentVolumeClaim?.claimName) out.push({ volume: v.name, claim: v.persistentVolumeClaim.claimName });
  return out;
}

export function isPodTerminalPhase(pod: KubeObject): boolean {
  return pod.status?.phase === 'Succeeded' || pod.status?.phase === 'Failed';
}

// -------------------------------------------------------------------- volume matching

function checkAccessModes(claim: KubeObject, pv: KubeObject): boolean {
  const have = new Set<string>(pv.spec?.accessModes ?? []);
  return (claim.spec?.accessModes ?? []).every((m: string) => have.has(m));
}

function volumeModeMismatch(claim: KubeObject, pv: KubeObject): boolean {
  return (claim.spec?.volumeMode ?? 'Filesystem') !== (pv.spec?.volumeMode ?? 'Filesystem');
}

/**
 * FindMatchingVolume (pv_helpers.go): a PV pre-bound to the claim wins; else the smallest
 * Available PV of the claim's class that is large enough, matches the selector and volume mode,
 * and (on the scheduler's path, `node` set) the node affinity and access modes. On the
 * controller's path with delayed binding, unbound PVs are left to the scheduler.
 */
export function findMatchingVolume(claim: KubeObject, volumes: KubeObject[], node: KubeObject | undefined, excluded: Set<string> | undefined, delayBinding: boolean): KubeObject | undefined {
  const requested = claimRequest(claim);
  const requestedClass = claimClass(claim);
  const selector = claim.spec?.selector ? labelSelectorFromMeta(claim.spec.selector) : undefined;
  let smallest: KubeObject | undefined;
  for (const pv of volumes) {
    if (excluded?.has(pv.metadata.name!)) continue;
    if (pv.spec?.claimRef && !isVolumeBoundToClaim(pv, claim)) continue;
    const capacity = volumeCapacity(pv);
    if (capacity < requested) continue;
    if (volumeModeMismatch(claim, pv)) continue;
    if (pv.metadata.deletionTimestamp) continue;
    const affinityOk = node ? volumeNodeAffinityMatches(pv, node) : true;
    if (isVolumeBoundToClaim(pv, claim)) return affinityOk ? pv : undefined;
    if (!node && delayBinding) continue;
    if (pv.status?.phase !== 'Available') continue;
    if (selector && !selector.matches(pv.metadata.labels)) continue;
    if (volumeClass(pv) !== requestedClass) continue;
    if (!affinityOk) continue;
    if (node && !checkAccessModes(claim, pv)) continue;
    if (!smallest || volumeCapacity(smallest) > capacity) smallest = pv;
  }
  return smallest;
}

/**
 * findBestMatchForClaim (index.go findByClaim): PVs are indexed by their set of access modes;
 * the sets containing every mode the claim asks for are tried from the fewest modes up, and the
 * first set with a match gives the volume (so an RWO claim prefers an RWO disk to an RWO+ROX one).
 */
export function findBestMatchForClaim(claim: KubeObject, volumes: KubeObject[], delayBinding: boolean): KubeObject | undefined {
  const wanted: string[] = claim.spec?.accessModes ?? [];
  const bySet = new Map<string, KubeObject[]>();
  for (const pv of volumes) {
    // A volume bound to another claim never matches (FindMatchingVolume skips it): left out
    // before grouping, as thousands of provisioned volumes are all bound.
    if (pv.spec?.claimRef && !isVolumeBoundToClaim(pv, claim)) continue;
    const key = [...new Set<string>(pv.spec?.accessModes ?? [])].sort().join(',');
    let list = bySet.get(key);
    if (!list) bySet.set(key, (list = []));
    list.push(pv);
  }
  const candidates = [...bySet.keys()]
    .filter((key) => { const modes = new Set(key.split(',')); return wanted.every((m) => modes.has(m)); })
    .sort((a, b) => a.split(',').length - b.split(',').length || (a < b ? -1 : a > b ? 1 : 0));
  for (const key of candidates) {
    const list = bySet.get(key)!.sort((a, b) => (a.metadata.name! < b.metadata.name! ? -1 : 1));
    const pv = findMatchingVolume(claim, list, undefined, undefined, delayBinding);
    if (pv) return pv;
  }
  return undefined;
}

/** A StorageClass's allowedTopologies admit the node (none: every node). */
export function classAllowsNode(sc: KubeObject | undefined, node: KubeObject): boolean {
  const terms = sc?.allowedTopologies;
  if (!terms || terms.length === 0) return true;
  const labels = node.metadata.labels ?? {};
  return terms.some((t: any) => (t.matchLabelExpressions ?? []).every((e: any) => (e.values ?? []).includes(labels[e.key])));
}

/** `ns/name` of a claim. */
export function claimKey(obj: { metadata: { namespace?: string; name?: string } }): string {
  return `${obj.metadata.namespace ?? ''}/${obj.metadata.name ?? ''}`;
}

/** A deep-enough copy of an object to change (stored objects are frozen). */
export function copyOf(obj: KubeObject): KubeObject {
  return structuredClone(obj);
}
